"""Turn each section of an article into a thread of tweets.

A section's thread, in reading order: the opening tweet (heading and lead sentence),
then the rest of the prose — each fact as its own tweet, the sentences between facts
packed into body tweets — and the closing tweet(s) with the links and recommendations.
Templates decide the words; :mod:`threads.splitting` decides where tweets break.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from threads.article import Article, Fact, Section, Sentence
from threads.charts import ChartSpec, chart_for
from threads.errors import UnsplittableTextError
from threads.findings import Finding
from threads.length import find_urls, weighted_length
from threads.links import same_site, with_utm
from threads.options import BuildOptions
from threads.splitting import split_text
from threads.templates import TemplateSet

TweetKind = Literal["opening", "body", "fact", "closing"]


class Tweet(BaseModel):
    """One post as it will go to X."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: TweetKind
    text: str
    weighted_length: int
    urls: tuple[str, ...]
    chart: ChartSpec | None = None

    @property
    def has_url(self) -> bool:
        return bool(self.urls)


class Thread(BaseModel):
    """The tweets one section becomes, and what posting them costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    section_index: int
    section: str
    tweets: tuple[Tweet, ...]
    cost_usd: float
    # Findings made while building (an unsplittable word, too many tweets).
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ClosingLinks:
    """The links of the closing tweet, with UTM parameters applied."""

    article_url: str
    blog_url: str
    about_url: str | None
    x_profile_url: str | None


def thread_id(article: Article, section_index: int) -> str:
    return f"{article.slug}#{section_index}"


def build_threads(
    article: Article,
    options: BuildOptions,
    templates: TemplateSet,
    *,
    only_section: int | None = None,
) -> list[Thread]:
    """One thread per section (or just section ``only_section``), in article order."""
    recommendations = _recommendations(article, options)
    return [
        _build_thread(
            article,
            index,
            section,
            options,
            templates,
            closing_links(article, options, index),
            recommendations,
        )
        for index, section in enumerate(article.sections, start=1)
        if only_section is None or index == only_section
    ]


def closing_links(article: Article, options: BuildOptions, section_index: int) -> ClosingLinks:
    """The closing tweet's links; the owner's own ones carry UTM parameters."""
    site = options.site
    own = [url for url in (site.blog_url, site.about_url, site.article_base_url) if url]
    article_url = article.url or (
        site.article_base_url.rstrip("/") + "/" + article.slug
        if site.article_base_url
        else site.blog_url
    )

    def tagged(url: str | None) -> str | None:
        if url is None:
            return None
        if same_site(url, own):
            return with_utm(url, options.utm, article.slug, f"section-{section_index}")
        return url

    return ClosingLinks(
        article_url=tagged(article_url) or article_url,
        blog_url=tagged(site.blog_url) or site.blog_url,
        about_url=tagged(site.about_url),
        x_profile_url=site.x_profile_url,
    )


def _recommendations(article: Article, options: BuildOptions) -> list[dict[str, str | None]]:
    """Recommendations from the config, labelled by the article's own call to action."""
    labels = {
        (call.handle or "").lower(): call
        for call in article.calls_to_action
        if call.kind == "recommendation"
    }
    merged: list[dict[str, str | None]] = []
    for recommendation in options.site.recommendations:
        call = labels.pop(recommendation.handle[1:].lower(), None)
        merged.append(
            {
                "handle": recommendation.handle,
                "label": call.label if call else None,
                "reason": recommendation.reason,
            }
        )
    for call in labels.values():
        merged.append({"handle": f"@{call.handle}", "label": call.label, "reason": call.reason})
    return merged


@dataclass(frozen=True)
class _Block:
    kind: TweetKind
    template: str
    context: dict[str, Any]
    chart: ChartSpec | None = None


def _blocks(
    article: Article,
    index: int,
    section: Section,
    options: BuildOptions,
    links: ClosingLinks,
    recommendations: list[dict[str, str | None]],
) -> list[_Block]:
    facts = {(fact.line, fact.text): fact for fact in section.facts}
    inline = options.threads.links == "inline"
    sentences = section.sentences
    lead = sentences[0]
    lead_fact = facts.get((lead.line, lead.text))
    # An unnamed source the lead's fact was matched to (by title) is credited in the
    # opening, as fact tweets credit theirs.
    lead_source = (
        lead_fact.source.author
        if lead_fact is not None and lead_fact.source is not None and not lead_fact.source_name
        else None
    )
    blocks = [
        _Block(
            "opening",
            "opening.txt.j2",
            {
                "heading": section.heading,
                "lead": lead.text,
                "lead_source": lead_source,
                "title": article.title,
                "section_number": index,
                "section_count": len(article.sections),
            },
        )
    ]
    prose: list[Sentence] = []

    def flush_prose() -> None:
        if prose:
            text = " ".join(sentence.text for sentence in prose)
            blocks.append(_Block("body", "body.txt.j2", {"text": text, "heading": section.heading}))
            prose.clear()

    for paragraph in section.paragraphs:
        for sentence in paragraph:
            if sentence is lead:
                continue
            fact: Fact | None = facts.get((sentence.line, sentence.text))
            if fact is None:
                prose.append(sentence)
                continue
            flush_prose()
            source_url = fact.source.url if inline and fact.source else None
            chart = chart_for(fact, article.date) if options.threads.charts else None
            blocks.append(
                _Block(
                    "fact",
                    "fact.txt.j2",
                    {"fact": fact, "source_url": source_url, "heading": section.heading},
                    chart,
                )
            )
        flush_prose()
    blocks.append(
        _Block(
            "closing",
            "closing.txt.j2",
            {
                "heading": section.heading,
                "title": article.title,
                "article_url": links.article_url,
                "blog_url": links.blog_url,
                "about_url": links.about_url,
                "x_profile_url": links.x_profile_url,
                "recommendations": recommendations,
            },
        )
    )
    return blocks


def _build_thread(
    article: Article,
    index: int,
    section: Section,
    options: BuildOptions,
    templates: TemplateSet,
    links: ClosingLinks,
    recommendations: list[dict[str, str | None]],
) -> Thread:
    identifier = thread_id(article, index)
    limit = options.threads.max_weighted_length
    rendered = [
        (block.kind, templates.render(block.template, **block.context), block.chart)
        for block in _blocks(article, index, section, options, links, recommendations)
    ]
    findings: list[Finding] = []
    texts: list[tuple[TweetKind, str, ChartSpec | None]] = []
    # Numbering needs the count, which depends on the room numbering takes: start
    # with one digit and repack if the count needs more.
    count_guess = 9
    for _ in range(3):
        reserve = (
            weighted_length(f" {count_guess}/{count_guess}") if options.threads.numbering else 0
        )
        texts = []
        findings = []
        for kind, text, chart in rendered:
            if not text:
                continue
            try:
                parts = split_text(text, limit=limit, reserve=reserve)
                # A chart goes with the first tweet of its fact.
                texts.extend(
                    (kind, part, chart if number == 0 else None)
                    for number, part in enumerate(parts)
                )
            except UnsplittableTextError as error:
                findings.append(
                    Finding(
                        severity="error",
                        code="unsplittable-word",
                        message=str(error),
                        where=f"{identifier} ({kind} tweet)",
                    )
                )
        if len(str(len(texts))) <= len(str(count_guess)):
            break
        count_guess = 10 ** len(str(len(texts))) - 1

    total = len(texts)
    tweets = []
    for position, (kind, text, chart) in enumerate(texts, start=1):
        final = f"{text} {position}/{total}" if options.threads.numbering else text
        tweets.append(
            Tweet(
                kind=kind,
                text=final,
                weighted_length=weighted_length(final),
                urls=tuple(find_urls(final)),
                chart=chart,
            )
        )
    if total > options.threads.max_tweets:
        findings.append(
            Finding(
                severity="error",
                code="thread-too-long",
                message=(
                    f"the thread has {total} tweets, more than max_tweets = "
                    f"{options.threads.max_tweets}: split the section under a new heading "
                    "or raise [threads] max_tweets"
                ),
                where=identifier,
            )
        )
    prices = options.prices
    cost = sum(prices.post_with_url_usd if t.has_url else prices.post_usd for t in tweets)
    return Thread(
        id=identifier,
        section_index=index,
        section=section.heading,
        tweets=tuple(tweets),
        cost_usd=round(cost, 6),
        findings=tuple(findings),
    )
