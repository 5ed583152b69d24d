"""Validation: each finding code, triggered by the smallest input that shows it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from threads.building import build_threads
from threads.findings import Finding
from threads.options import BuildOptions
from threads.parsing import load_article, parse_article
from threads.templates import TemplateSet
from threads.validation import validate

from .conftest import EXAMPLE, TEMPLATES


def _findings(
    text: str, options: BuildOptions, templates: TemplateSet, **kwargs: object
) -> list[Finding]:
    article = parse_article(text, "post.txt", "text")
    if "date" in kwargs:
        article = article.model_copy(update={"date": kwargs.pop("date")})
    return validate(article, build_threads(article, options, templates), options, **kwargs)  # type: ignore[arg-type]


REFS = "\n📚 References\nWorld Bank. (2024). Trade data. https://worldbank.org/trade\n"


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        (
            "Growth\n\nAccording to the World Bank, the market was worth USD 10 billion in 2020 and will reach USD 20 billion by 2030, a CAGR of 3%.\n"
            + REFS,
            "growth-rate-inconsistent",
            "the stated growth rate 3% does not match USD 10 billion (2020) → USD 20 billion (2030): that is 7.2% a year",
        ),
        (
            "Shares\n\nAccording to the World Bank, exports were 120% of imports.\n" + REFS,
            "share-over-100",
            "120% is a share above 100%",
        ),
        (
            "Claims\n\nAccording to Nobody Institute, it is 5% bigger.\n" + REFS,
            "source-unresolved",
            "the fact credits 'Nobody Institute'",
        ),
        (
            "Data\n\nOur figures come from AsiaFundManagers.com this year.\n" + REFS,
            "url-outside-closing",
            "AsiaFundManagers.com is a URL to X, so this post costs $0.200 instead of $0.015",
        ),
        (
            "Refs\n\nText here.\n\n📚 References\nWorld Bank. (2024). Trade data. http://worldbank.org/trade\n",
            "reference-url-invalid",
            "the URL of 'World Bank' must start with https://",
        ),
    ],
)
def test_content_findings(
    text: str, code: str, message: str, options: BuildOptions, templates: TemplateSet
) -> None:
    """Consistency, sourcing, cost and reference problems each produce their finding."""
    findings = [f for f in _findings(text, options, templates) if f.code == code]
    assert len(findings) == 1
    assert message in findings[0].message


def test_year_after_article_date(options: BuildOptions, templates: TemplateSet) -> None:
    """A past-tense year later than the article date is flagged; a forecast is not."""
    text = "Years\n\nIn 2027, exports doubled. Exports are expected to double by 2030.\n" + REFS
    findings = _findings(text, options, templates, date=dt.date(2026, 1, 1))
    assert [f.message.split(" is ")[0] for f in findings if f.code == "year-after-article"] == [
        "2027"
    ]


def test_placeholders_warn_in_preview_and_block_posting(
    options: BuildOptions, templates: TemplateSet
) -> None:
    """The shipped example.com links are warnings for a preview and errors for posting."""
    article = load_article(EXAMPLE)
    threads = build_threads(article, options, templates)
    preview = [f for f in validate(article, threads, options) if f.code == "link-placeholder"]
    posting = [
        f
        for f in validate(article, threads, options, for_posting=True)
        if f.code == "link-placeholder"
    ]
    assert {f.severity for f in preview} == {"warning"}
    assert {f.severity for f in posting} == {"error"}
    assert [f.where for f in preview] == [
        "config site.blog_url",
        "config site.about_url",
        "config site.article_base_url",
    ]


def test_example_findings(options: BuildOptions, templates: TemplateSet) -> None:
    """The example is postable in preview: placeholder warnings and its real CAGR slip only."""
    article = load_article(EXAMPLE)
    findings = validate(article, build_threads(article, options, templates), options)
    assert [(f.severity, f.code) for f in findings] == [
        ("warning", "link-placeholder"),
        ("warning", "link-placeholder"),
        ("warning", "link-placeholder"),
        ("warning", "growth-rate-inconsistent"),
    ]


@pytest.mark.parametrize(
    ("template", "code", "message"),
    [
        (
            "📊 {{ fact.text }} Up 12%!",
            "figure-not-in-article",
            "12 does not appear in the article",
        ),
        (
            "📊 {{ fact.text | replace('890.2', '980.2') }}",
            "figure-not-in-article",
            "980.2 does not appear in the article",
        ),
        # As long as a tweet, so it shares no tweet with the prose around it.
        (
            "📊 {{ 'Fact! ' * 45 }}",
            "duplicate-tweet",
            "X rejects repeated posts as duplicate content",
        ),
        ("📊 {{ fact.text }} {{ 'x' * 300 }}", "unsplittable-word", "weighs 300 on X"),
        ("📊 {{ fact.text }} \ufeff", "invalid-characters", "contains U+FFFE, U+FEFF or U+FFFF"),
    ],
)
def test_template_mistakes_are_errors(
    tmp_path: Path, template: str, code: str, message: str, options: BuildOptions
) -> None:
    """A template that invents or alters figures, repeats itself or breaks X's rules is caught."""
    directory = tmp_path / "templates"
    shutil.copytree(TEMPLATES, directory)
    (directory / "fact.txt.j2").write_text(template, encoding="utf-8")
    article = load_article(EXAMPLE)
    templates = TemplateSet(directory)
    findings = [
        f
        for f in validate(article, build_threads(article, options, templates), options)
        if f.code == code
    ]
    assert findings
    assert all(f.severity == "error" for f in findings)
    assert message in findings[0].message


def test_draft_is_an_error_only_when_posting(options: BuildOptions, templates: TemplateSet) -> None:
    """A draft previews with a warning; publishing and scheduling refuse it."""
    from threads.building import build_threads
    from threads.validation import validate

    article = parse_article(
        "---\ntitle: Draft\ndraft: true\n---\n## A\n\nSome prose here. More prose.\n", "d.md"
    )
    threads = build_threads(article, options, templates)
    preview = [f.severity for f in validate(article, threads, options) if f.code == "article-draft"]
    posting = [
        f.severity
        for f in validate(article, threads, options, for_posting=True)
        if f.code == "article-draft"
    ]
    assert (preview, posting) == (["warning"], ["error"])
