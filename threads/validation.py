"""Check facts, links and built threads before anything can be posted.

Errors block posting; warnings are shown and allowed; info notes say what was left
out. The same function serves the preview and (with ``for_posting=True``) the
publisher, where placeholder links become errors: nothing should reach X pointing at
example.com.

Codes (stable, used in the JSON output):

==========================  ========  ==============================================
code                        severity  meaning
==========================  ========  ==============================================
link-placeholder            warning*  a site link still points at a placeholder host
source-unresolved           warning   a fact's named source is not in the references
reference-url-invalid       warning   a reference's URL is not a public https link
figure-not-in-article       error     a tweet states a number the article does not
growth-rate-inconsistent    warning   a stated CAGR disagrees with its start and end
share-over-100              warning   a share above 100 %
year-after-article          warning   a past-tense year later than the article's date
url-outside-closing         warning   links = "closing", but a body tweet has a URL
duplicate-tweet             error     X rejects a repeated text as duplicate content
tweet-too-long              error     a tweet over 280 (numbering or template)
invalid-characters          error     U+FFFE, U+FEFF or U+FFFF in a tweet
unsplittable-word           error     one word is longer than a tweet
thread-too-long             error     more tweets than [threads] max_tweets
section-shortened           warning   a section cut at a sentence to fit max_tweets
section-skipped             info      a section not for followers becomes no thread
article-draft               warning*  the post's front matter marks it a draft
content-skipped             info      code, tables, HTML blocks, footnotes left out
mention-unlinked            info      @handles posted without @ (not allowed)
==========================  ========  ==============================================

(*) an error when ``for_posting``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from threads.article import Article, Fact, Section
from threads.building import Thread
from threads.facts import YEAR
from threads.findings import SEVERITY_ORDER, Finding
from threads.length import has_invalid_characters
from threads.links import check_public_https_url, placeholder_reason
from threads.mentions import unlinked_mentions
from threads.options import BuildOptions

CAGR_TOLERANCE_POINTS = 0.5
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_HANDLE_OR_TAG = re.compile(r"[@#＃][A-Za-z0-9_]+")
_NUMBERING = re.compile(r" \d+/\d+$")
_FORECAST = re.compile(
    r"\b(by|expected|forecast|projected|will|until|through|to reach)\b", re.IGNORECASE
)


def validate(
    article: Article,
    threads: Sequence[Thread],
    options: BuildOptions,
    *,
    config_path: str = "config",
    for_posting: bool = False,
    limit: int | None = None,
    network: str = "x",
    skipped: Sequence[tuple[int, Section, str]] = (),
) -> list[Finding]:
    """Every finding for ``article`` and the ``threads`` built from it, errors first;
    ``limit``: the network's post length (default X's ``max_weighted_length``);
    ``skipped``: the sections that became no thread, with why."""
    findings: list[Finding] = [
        Finding(
            severity="info",
            code="section-skipped",
            message=f"section {index} ({section.heading!r}) is {reason}: no thread "
            f"(--section {index} builds it anyway)",
            where=f"{article.path}:{section.line}",
        )
        for index, section, reason in skipped
    ]
    findings += link_findings(options, config_path, for_posting)
    findings += _fact_findings(article)
    findings += _year_findings(article)
    findings += _reference_findings(article)
    findings += _thread_findings(article, threads, options, limit, network)
    findings += _article_findings(article, options, for_posting)
    return sorted(findings, key=lambda finding: SEVERITY_ORDER[finding.severity])


def _article_findings(article: Article, options: BuildOptions, for_posting: bool) -> list[Finding]:
    """The post as a whole: a draft, what was not prose, handles posted without @."""
    findings: list[Finding] = []
    if article.draft:
        findings.append(
            Finding(
                severity="error" if for_posting else "warning",
                code="article-draft",
                message="the post is marked as a draft: publish it on the blog first, "
                "then remove draft: true",
                where=article.path,
            )
        )
    if article.skipped:
        counted = ", ".join(f"{count} {kind}" for kind, count in sorted(article.skipped.items()))
        findings.append(
            Finding(
                severity="info",
                code="content-skipped",
                message=f"not prose, so not in the threads: {counted}",
                where=article.path,
            )
        )
    allowed = options.allowed_mentions(
        tuple(call.handle for call in article.calls_to_action if call.handle)
    )
    handles = sorted(
        {
            handle
            for section in article.sections
            for text in (section.heading, *(s.text for s in section.sentences))
            for handle in unlinked_mentions(text, allowed)
        },
        key=str.lower,
    )
    if handles:
        findings.append(
            Finding(
                severity="info",
                code="mention-unlinked",
                message=f"posted without @ so X notifies no one: {', '.join(handles)} "
                "(to mention them, add them to [mentions] allow)",
                where=article.path,
            )
        )
    return findings


def link_findings(options: BuildOptions, config_path: str, for_posting: bool) -> list[Finding]:
    site = options.site
    fields = {
        "blog_url": site.blog_url,
        "about_url": site.about_url,
        "x_profile_url": site.x_profile_url,
        "article_base_url": site.article_base_url,
    }
    findings = []
    for field, url in fields.items():
        reason = placeholder_reason(url) if url else None
        if reason:
            findings.append(
                Finding(
                    severity="error" if for_posting else "warning",
                    code="link-placeholder",
                    message=f"{url} {reason}: set your real URL in [site] {field}",
                    where=f"{config_path} site.{field}",
                )
            )
    return findings


# The shipped example's identity (config/threadbot.toml): a new owner's config that still
# carries it posts as someone else — and recommends their account in every closing tweet.
EXAMPLE_DISPLAY_NAME = "GONOGO Blog"
EXAMPLE_HANDLES = frozenset({"@gonogo_korea"})


def identity_findings(
    options: BuildOptions, config_path: str, article: Article | None = None
) -> list[Finding]:
    """Warnings while the config still carries the shipped example's identity (a
    warning, not a refusal: the example article itself recommends that account — and
    for an ``article`` that mentions the account, its recommendation is no surprise)."""
    site = options.site
    findings = []
    if site.display_name == EXAMPLE_DISPLAY_NAME:
        findings.append(
            Finding(
                severity="warning",
                code="example-identity",
                message=f"[site] display_name is still the example's ({site.display_name!r}): "
                "set your own",
                where=f"{config_path} site.display_name",
            )
        )
    for recommendation in site.recommendations:
        mentioned = article is not None and (
            recommendation.handle.lower() in article.source_text.lower()
        )
        if recommendation.handle.lower() in EXAMPLE_HANDLES and not mentioned:
            findings.append(
                Finding(
                    severity="warning",
                    code="example-identity",
                    message=f"every closing post recommends {recommendation.handle}, the "
                    "shipped example's account: list accounts you recommend in "
                    "[[site.recommendations]], or remove it",
                    where=f"{config_path} site.recommendations",
                )
            )
    return findings


def _fact_findings(article: Article) -> list[Finding]:
    findings: list[Finding] = []
    for section in article.sections:
        for fact in section.facts:
            where = f"{article.path}:{fact.line}"
            if fact.source_name and fact.source is None:
                findings.append(
                    Finding(
                        severity="warning",
                        code="source-unresolved",
                        message=(
                            f"the fact credits {fact.source_name!r}, which matches no entry "
                            "in the references: add it to the reference list"
                        ),
                        where=where,
                    )
                )
            findings += _consistency(fact, article, where)
    return findings


def _consistency(fact: Fact, article: Article, where: str) -> list[Finding]:
    findings: list[Finding] = []
    amounts = [f for f in fact.figures if f.kind == "amount" and f.year is not None]
    rates = [f for f in fact.figures if f.kind == "growth_rate"]
    if rates and len(amounts) >= 2:
        start, end = amounts[0], amounts[-1]
        years = (end.year or 0) - (start.year or 0)  # both set: filtered above
        same_units = start.currency == end.currency and start.unit == end.unit
        if years > 0 and same_units and start.value > 0:
            computed = ((end.value / start.value) ** (1 / years) - 1) * 100
            stated = rates[0].value
            if abs(computed - stated) > CAGR_TOLERANCE_POINTS:
                findings.append(
                    Finding(
                        severity="warning",
                        code="growth-rate-inconsistent",
                        message=(
                            f"the stated growth rate {rates[0].text} does not match "
                            f"{start.text} ({start.year}) → {end.text} ({end.year}): "
                            f"that is {computed:.1f}% a year; check the figures"
                        ),
                        where=where,
                    )
                )
    for figure in fact.figures:
        if figure.kind == "percent" and figure.value > 100:
            findings.append(
                Finding(
                    severity="warning",
                    code="share-over-100",
                    message=f"{figure.text} is a share above 100%: check the figure",
                    where=where,
                )
            )
    return findings


def _reference_findings(article: Article) -> list[Finding]:
    findings = []
    for reference in article.references:
        try:
            check_public_https_url(reference.url)
        except ValueError as error:
            findings.append(
                Finding(
                    severity="warning",
                    code="reference-url-invalid",
                    message=f"the URL of {reference.author!r} {error}",
                    where=f"{article.path}:{reference.line}",
                )
            )
    return findings


def _year_findings(article: Article) -> list[Finding]:
    """Years after the article's date in any sentence, unless worded as a forecast."""
    if article.date is None:
        return []
    findings: list[Finding] = []
    for section in article.sections:
        for sentence in section.sentences:
            where = f"{article.path}:{sentence.line}"
            for match in YEAR.finditer(sentence.text):
                year = int(match.group("year"))
                context = sentence.text[max(0, match.start() - 40) : match.start()]
                if year > article.date.year and not _FORECAST.search(context):
                    findings.append(
                        Finding(
                            severity="warning",
                            code="year-after-article",
                            message=(
                                f"{year} is after the article's date "
                                f"({article.date.isoformat()}) but is not worded as a "
                                "forecast: check the year or the date"
                            ),
                            where=where,
                        )
                    )
    return findings


def _thread_findings(
    article: Article,
    threads: Sequence[Thread],
    options: BuildOptions,
    limit: int | None,
    network: str,
) -> list[Finding]:
    findings: list[Finding] = []
    article_numbers = set(_numbers(article.source_text))
    seen: dict[str, str] = {}
    limit = limit or options.threads.max_weighted_length
    for thread in threads:
        findings += thread.findings
        for position, tweet in enumerate(thread.tweets, start=1):
            where = f"{thread.id} tweet {position}"
            body = _NUMBERING.sub("", tweet.text) if options.threads.numbering else tweet.text
            for number in _numbers(_without_links(body, tweet.urls)):
                if number not in article_numbers:
                    findings.append(
                        Finding(
                            severity="error",
                            code="figure-not-in-article",
                            message=(
                                f"{number} does not appear in the article: a template must "
                                "not add or change figures"
                            ),
                            where=where,
                        )
                    )
            if tweet.weighted_length > limit:
                findings.append(
                    Finding(
                        severity="error",
                        code="tweet-too-long",
                        message=f"{tweet.weighted_length}/{limit}: shorten the template",
                        where=where,
                    )
                )
            elif has_invalid_characters(tweet.text):
                findings.append(
                    Finding(
                        severity="error",
                        code="invalid-characters",
                        message="contains U+FFFE, U+FEFF or U+FFFF: remove them",
                        where=where,
                    )
                )
            if options.threads.links == "closing" and tweet.kind != "closing" and tweet.urls:
                findings.append(
                    Finding(
                        severity="warning",
                        code="url-outside-closing",
                        message=(
                            f"{', '.join(tweet.urls)} is a URL to X, so this post costs "
                            f"${options.prices.post_with_url_usd:.3f} instead of "
                            f'${options.prices.post_usd:.3f}: reword it or set links = "inline"'
                        ),
                        where=where,
                    )
                )
            key = " ".join(body.split())
            if network != "x":
                continue  # only X refuses a repeated text
            if key in seen:
                findings.append(
                    Finding(
                        severity="error",
                        code="duplicate-tweet",
                        message=(
                            f"same text as {seen[key]}: X rejects repeated posts as duplicate "
                            "content; make the templates include something section-specific"
                        ),
                        where=where,
                    )
                )
            else:
                seen[key] = where
    return findings


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


def _without_links(text: str, urls: Sequence[str]) -> str:
    """``text`` without its ``urls`` (found when the tweet was measured), @handles and
    #hashtags, whose digits are not figures."""
    for url in urls:
        text = text.replace(url, " ")
    return _HANDLE_OR_TAG.sub(" ", text)
