"""Templates: sandboxed, strict, and every failure names the file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from threads.errors import TemplateError
from threads.templates import TemplateSet

from .conftest import TEMPLATES


@pytest.fixture
def template_dir(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target)
    return target


@pytest.mark.parametrize(
    ("body", "render_context", "message"),
    [
        ("line one\n{% if %}\n", None, "body.txt.j2:2: Expected an expression"),
        (
            "ok\n{{ text }}\n{{ missing_name }}\n",
            {"text": "t", "heading": "h"},
            "body.txt.j2:3: 'missing_name' is undefined",
        ),
        (
            "{{ text.__class__.__mro__ }}",
            {"text": "t", "heading": "h"},
            "body.txt.j2:1: access to attribute '__class__'",
        ),
        ("{{ text | nosuchfilter }}", None, "body.txt.j2:1: No filter named 'nosuchfilter'"),
    ],
)
def test_template_errors_name_file_and_line(
    template_dir: Path, body: str, render_context: dict[str, str] | None, message: str
) -> None:
    """Syntax errors, undefined names and sandbox violations are TemplateErrors with a line."""
    (template_dir / "body.txt.j2").write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        TemplateSet(template_dir).render("body.txt.j2", **(render_context or {}))
    assert message in str(caught.value)
    assert str(template_dir / "body.txt.j2") in str(caught.value)


def test_missing_template(template_dir: Path) -> None:
    """A deleted template says which and where the example is."""
    (template_dir / "fact.txt.j2").unlink()
    with pytest.raises(TemplateError, match=r"fact.txt.j2: missing: create it"):
        TemplateSet(template_dir)


def test_missing_directory(tmp_path: Path) -> None:
    """A wrong templates_dir points at the setting."""
    with pytest.raises(TemplateError, match="set templates_dir in the config"):
        TemplateSet(tmp_path / "nowhere")


def test_render_strips_outer_whitespace(template_dir: Path) -> None:
    """Rendered text loses leading and trailing blank lines, keeps inner ones."""
    (template_dir / "body.txt.j2").write_text("\n\n{{ text }}\n\nend\n\n", encoding="utf-8")
    assert TemplateSet(template_dir).render("body.txt.j2", text="a", heading="h") == "a\n\nend"


def test_a_language_variant_is_used_for_posts_in_that_language(template_dir: Path) -> None:
    """closing.ko.txt.j2 beside closing.txt.j2: Korean posts use it, others the plain one."""
    (template_dir / "closing.ko.txt.j2").write_text("전체 글 읽기: {{ article_url }}", "utf-8")
    (template_dir / "closing.txt.j2").write_text("Read: {{ article_url }}", "utf-8")
    templates = TemplateSet(template_dir)
    assert "ko" in templates.languages("closing.txt.j2")
    assert templates.render("closing.txt.j2", language="ko", article_url="u") == "전체 글 읽기: u"
    assert templates.render("closing.txt.j2", language="nl", article_url="u") == "Read: u"


def test_the_shipped_closings_speak_each_supported_language() -> None:
    """The shipped templates have a closing for every language the markers cover."""
    from threads.markers import LANGUAGES

    shipped = TemplateSet(TEMPLATES).languages("closing.txt.j2")
    assert set(LANGUAGES) - {"en"} <= set(shipped)
