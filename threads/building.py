"""Turn each section of an article into a thread of tweets.

A section's thread, in reading order: the opening tweet (heading and lead sentence),
then the rest of the prose — each fact as its own tweet, the sentences between facts
packed into body tweets — and the closing tweet(s) with the links and recommendations.
Templates decide the words; :mod:`threads.splitting` decides where tweets break, by the
length rule of the network the thread is for (:mod:`threads.networks`; X by default).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

from pydantic import BaseModel, ConfigDict

from threads.article import Article, Fact, Section, Sentence
from threads.charts import ChartSpec, chart_for
from threads.errors import UnsplittableTextError
from threads.findings import Finding
from threads.length import measure, weighted_length, with_suffix
from threads.links import same_site, with_utm
from threads.mentions import unlink_mentions
from threads.networks import LengthRule, XRule, numbering_reserve, split_for
from threads.options import BuildOptions
from threads.sentences import join_sentences
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


# A tweet shorter than this (before numbering) is a crumb: it joins a neighbour.
MIN_TWEET_CHARACTERS = 40


class Thread(BaseModel):
    """The tweets one section becomes, and what posting them costs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    section_index: int
    section: str
    tweets: tuple[Tweet, ...]
    cost_usd: float
    # Sentences left out to fit max_tweets ([threads] overflow = "shorten").
    omitted_sentences: int = 0
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
    rule: LengthRule | None = None,
) -> list[Thread]:
    """One thread per section (or just section ``only_section``), in article order,
    split for ``rule``'s network (default X, at ``[threads] max_weighted_length``)."""
    rule = rule or x_rule(options)
    if rule.name != "x" and options.utm.source == "x":
        # A visit from the Bluesky thread is counted as Bluesky's, not X's.
        utm = options.utm.model_copy(update={"source": rule.name})
        options = options.model_copy(update={"utm": utm})
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
            rule,
        )
        for index, section in enumerate(article.sections, start=1)
        if only_section is None or index == only_section
    ]


def x_rule(options: BuildOptions) -> XRule:
    """X's rule at the configured limit."""
    return XRule(limit=options.threads.max_weighted_length)


def closing_links(article: Article, options: BuildOptions, section_index: int) -> ClosingLinks:
    """The closing tweet's links; the owner's own ones carry UTM parameters."""
    site = options.site
    own = [url for url in (site.blog_url, site.about_url, site.article_base_url) if url]
    if article.url and not article.url.startswith(("https://", "http://")):
        # A site-relative permalink ("/2024/my-post/") is on the owner's site.
        article_url = urljoin(site.article_base_url or site.blog_url, article.url)
    else:
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


def _prose_text(sentences: Sequence[Sentence]) -> str:
    """Sentences as tweet text: list items and subheadings start their own lines."""
    lines: list[list[str]] = []
    for sentence in sentences:
        if sentence.role == "item":
            lines.append(["• " + sentence.text])
        elif sentence.role == "subheading" or not lines:
            lines.append([sentence.text])
        else:
            lines[-1].append(sentence.text)
    return "\n".join(join_sentences(line) for line in lines)


def _blocks(
    article: Article,
    index: int,
    section: Section,
    options: BuildOptions,
    links: ClosingLinks,
    recommendations: list[dict[str, str | None]],
    *,
    keep: int | None = None,
) -> list[_Block]:
    """The section's blocks; ``keep`` limits how many sentences after the lead are used."""
    facts = {(fact.line, fact.text): fact for fact in section.facts}
    inline = options.threads.links == "inline"
    allowed = options.allowed_mentions(
        tuple(call.handle for call in article.calls_to_action if call.handle)
    )

    def own(text: str) -> str:
        return unlink_mentions(text, allowed)

    sentences = [s for s in section.sentences if s.role != "subheading"]
    lead = sentences[0]
    lead_fact = facts.get((lead.line, lead.text))
    # An unnamed source the lead's fact was matched to (by title) is credited in the
    # opening, as fact tweets credit theirs.
    lead_source = (
        lead_fact.source.author
        if lead_fact is not None and lead_fact.source is not None and not lead_fact.source_name
        else None
    )
    omitted = 0 if keep is None else max(0, len(sentences) - 1 - keep)
    blocks = [
        _Block(
            "opening",
            "opening.txt.j2",
            {
                "heading": own(section.heading),
                "lead": own(lead.text),
                "lead_source": lead_source,
                "title": article.title,
                "section_number": index,
                "section_count": len(article.sections),
            },
        )
    ]
    prose: list[Sentence] = []

    def flush_prose() -> None:
        # Subheadings alone (before a fact, or at the end) would be crumbs.
        if any(sentence.role != "subheading" for sentence in prose):
            blocks.append(
                _Block(
                    "body",
                    "body.txt.j2",
                    {"text": own(_prose_text(prose)), "heading": section.heading},
                )
            )
        prose.clear()

    used = 0
    for paragraph in section.paragraphs:
        for sentence in paragraph:
            if sentence is lead:
                continue
            if keep is not None and used >= keep:
                break
            if sentence.role != "subheading":
                used += 1
            fact: Fact | None = facts.get((sentence.line, sentence.text))
            if fact is None:
                prose.append(sentence)
                continue
            flush_prose()
            source_url = fact.source.url if inline and fact.source else None
            chart = chart_for(fact, article.date) if options.threads.charts else None
            shown = fact.model_copy(update={"text": own(fact.text)})
            blocks.append(
                _Block(
                    "fact",
                    "fact.txt.j2",
                    {"fact": shown, "source_url": source_url, "heading": section.heading},
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
                "omitted_sentences": omitted,
            },
        )
    )
    return blocks


_Part = tuple[TweetKind, str, ChartSpec | None]


def _build_thread(
    article: Article,
    index: int,
    section: Section,
    options: BuildOptions,
    templates: TemplateSet,
    links: ClosingLinks,
    recommendations: list[dict[str, str | None]],
    rule: LengthRule,
) -> Thread:
    identifier = thread_id(article, index)
    on_x = isinstance(rule, XRule)
    max_tweets = options.threads.max_tweets

    def render(keep: int | None) -> tuple[list[_Part], list[Finding]]:
        blocks = _blocks(article, index, section, options, links, recommendations, keep=keep)
        return _pack(blocks, templates, options, identifier, article.language, rule)

    texts, findings = render(None)
    prose_count = sum(1 for s in section.sentences if s.role != "subheading") - 1
    omitted = 0
    if len(texts) > max_tweets and options.threads.overflow == "shorten":
        keep = _longest_fitting(lambda k: len(render(k)[0]) <= max_tweets, prose_count)
        texts, findings = render(keep)
        omitted = prose_count - keep
        findings.append(
            Finding(
                severity="warning",
                code="section-shortened",
                message=(
                    f"the section is longer than max_tweets = {max_tweets}: its last "
                    f"{omitted} of {prose_count + 1} sentences are left out and the closing "
                    "tweet invites readers to the article (raise [threads] max_tweets or "
                    'set overflow = "error" to refuse instead)'
                ),
                where=f"{article.path}:{section.line}",
            )
        )

    total = len(texts)
    tweets = []
    for position, (kind, text, chart) in enumerate(texts, start=1):
        suffix = f" {position}/{total}" if options.threads.numbering else ""
        final = text + suffix
        weight, urls = with_suffix(text, suffix) if suffix else measure(text)
        if not on_x:
            weight = rule.measure(final)
        tweets.append(
            Tweet(kind=kind, text=final, weighted_length=weight, urls=tuple(urls), chart=chart)
        )
    if total > max_tweets:
        findings.append(
            Finding(
                severity="error",
                code="thread-too-long",
                message=(
                    f"the thread has {total} tweets, more than max_tweets = {max_tweets}: "
                    "split the section under a new heading, raise [threads] max_tweets "
                    'or set [threads] overflow = "shorten"'
                ),
                where=identifier,
            )
        )
    return Thread(
        id=identifier,
        section_index=index,
        section=section.heading,
        tweets=tuple(tweets),
        # X bills each post; Bluesky and Mastodon cost nothing (their posts still count).
        cost_usd=round(sum(options.prices.cost(t.has_url) for t in tweets), 6) if on_x else 0.0,
        omitted_sentences=omitted,
        findings=tuple(findings),
    )


def _longest_fitting(fits: Callable[[int], bool], upper: int) -> int:
    """The largest ``k`` in ``[0, upper]`` with ``fits(k)`` (monotone), by bisection."""
    low, high = 0, upper
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _pack(
    blocks: list[_Block],
    templates: TemplateSet,
    options: BuildOptions,
    identifier: str,
    language: str,
    rule: LengthRule,
) -> tuple[list[_Part], list[Finding]]:
    """Render and split the blocks into post texts for ``rule`` (without numbering)."""
    limit = rule.limit
    length = weighted_length if isinstance(rule, XRule) else rule.measure
    rendered = [
        (block.kind, templates.render(block.template, **block.context), block.chart)
        for block in blocks
    ]
    findings: list[Finding] = []
    texts: list[_Part] = []
    # Numbering needs the count, which depends on the room numbering takes: start
    # with one digit and repack if the count needs more.
    count_guess = 9
    for _ in range(3):
        reserve = numbering_reserve(rule, count_guess) if options.threads.numbering else 0
        texts = []
        findings = []
        for kind, text, chart in rendered:
            if not text:
                continue
            try:
                parts = split_for(rule, text, reserve=reserve, language=language)
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
        texts = _join_crumbs(_drop_repeats(texts), limit - reserve, length)
        if len(str(len(texts))) <= len(str(count_guess)):
            break
        count_guess = 10 ** len(str(len(texts))) - 1
    return texts, findings


def _drop_repeats(texts: list[_Part]) -> list[_Part]:
    """A body or fact tweet that repeats an earlier one ("For more information, see …")
    goes: followers saw it already, and X refuses a repeated text."""
    seen: set[str] = set()
    kept: list[_Part] = []
    for part in texts:
        if part[0] in ("body", "fact") and part[1] in seen:
            continue
        seen.add(part[1])
        kept.append(part)
    return kept


def _join_crumbs(
    texts: list[_Part], budget: int, length: Callable[[str], int] = weighted_length
) -> list[_Part]:
    """A body tweet shorter than a line joins its neighbour when the two fit in one."""
    joined: list[_Part] = []
    for part in texts:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous[0] != "closing"
            and part[0] in ("body", "fact")
            and (_is_crumb(part) or _is_crumb(previous))
        ):
            merged = previous[1] + "\n\n" + part[1]
            if length(merged) <= budget:
                kinds = {previous[0], part[0]}
                kind: TweetKind = (
                    "opening" if "opening" in kinds else "fact" if "fact" in kinds else "body"
                )
                joined[-1] = (kind, merged, previous[2] or part[2])
                continue
        joined.append(part)
    return joined


def _is_crumb(part: _Part) -> bool:
    return part[0] == "body" and len(part[1]) < MIN_TWEET_CHARACTERS
