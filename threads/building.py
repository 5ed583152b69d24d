"""Turn each section of an article into a thread of tweets (and a post into a digest).

A section's thread, in reading order: the opening tweet (what the post is about and the
lead sentence), then the sentences the thread keeps (:mod:`threads.selection` decides
which, when the section needs more than ``max_tweets``) — each fact through the fact
template, the prose between through the body template — and the closing tweet with the
article link (and, on one thread per post, the owner's links and recommendations).
Templates decide the words; :mod:`threads.splitting` decides where tweets break, by the
length rule of the network the thread is for (:mod:`threads.networks`; X by default):
consecutive kept sentences share a tweet, a blank line between paragraphs, while they
fit, and a sentence is cut only when it alone is longer than a tweet.
"""

from __future__ import annotations

import re
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
from threads.selection import (
    Choice,
    Ranker,
    Unit,
    choose,
    heading_keys,
    lead_of,
    postable,
    priority,
    rank,
    skip_reason,
    subheadings_for,
    units,
    with_antecedents,
    without_dependents,
)
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
    # Sentences left out (chosen from, or shortened, to fit max_tweets).
    omitted_sentences: int = 0
    # Findings made while building (an unsplittable word, too many tweets).
    findings: tuple[Finding, ...] = ()
    # A section's thread, or the digest of the whole post (``slug#digest``).
    kind: Literal["section", "digest"] = "section"
    # The sentences the thread carries, of the section's (the post's, for a digest);
    # subheadings not counted.
    chosen_sentences: int = 0
    section_sentences: int = 0


@dataclass(frozen=True)
class ClosingLinks:
    """The links of the closing tweet, with UTM parameters applied."""

    article_url: str
    blog_url: str
    about_url: str | None
    x_profile_url: str | None


def thread_id(article: Article, section_index: int) -> str:
    return f"{article.slug}#{section_index}"


def digest_id(article: Article) -> str:
    return f"{article.slug}#digest"


def build_threads(
    article: Article,
    options: BuildOptions,
    templates: TemplateSet,
    *,
    only_section: int | None = None,
    rule: LengthRule | None = None,
    ranker: Ranker | None = None,
) -> list[Thread]:
    """One thread per section that is for followers (or just section ``only_section``,
    whatever it is), in article order, split for ``rule``'s network (default X, at
    ``[threads] max_weighted_length``)."""
    rule = rule or x_rule(options)
    options = _for_network(options, rule)
    recommendations = _recommendations(article, options)
    headings = heading_keys(article)
    # Classified once: the skip decision and the choice read the same units.
    found = [units(section, article, headings) for section in article.sections]
    skipped = {
        index
        for index, section in enumerate(article.sections, start=1)
        if skip_reason(section, article, headings, found[index - 1]) is not None
    }
    # closing = "first": the owner's links go with the post's first thread only.
    first = min(set(range(1, len(article.sections) + 1)) - skipped, default=1)
    threads = []
    for index, section in enumerate(article.sections, start=1):
        if only_section is not None and index != only_section:
            continue
        if only_section is None and index in skipped:
            continue
        builder = _Builder(article, options, templates, rule, recommendations)
        full = options.threads.closing == "every" or index == first
        threads.append(
            builder.section_thread(index, section, full, headings, ranker, found[index - 1])
        )
    return threads


def build_digest(
    article: Article,
    options: BuildOptions,
    templates: TemplateSet,
    *,
    rule: LengthRule | None = None,
    ranker: Ranker | None = None,
) -> Thread:
    """One thread for the whole post: the title and the author's description (else the
    first section's lead), then each section's most central sentence(s) in order, under
    the same ``max_tweets``, closing with the article link and the owner's links."""
    rule = rule or x_rule(options)
    options = _for_network(options, rule)
    builder = _Builder(article, options, templates, rule, _recommendations(article, options))
    return builder.digest_thread(ranker)


def _for_network(options: BuildOptions, rule: LengthRule) -> BuildOptions:
    if rule.name != "x" and options.utm.source == "x":
        # A visit from the Bluesky thread is counted as Bluesky's, not X's.
        utm = options.utm.model_copy(update={"source": rule.name})
        return options.model_copy(update={"utm": utm})
    return options


def x_rule(options: BuildOptions) -> XRule:
    """X's rule at the configured limit."""
    return XRule(limit=options.threads.max_weighted_length)


def closing_links(
    article: Article, options: BuildOptions, section_index: int | str
) -> ClosingLinks:
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
            content = (
                section_index if isinstance(section_index, str) else f"section-{section_index}"
            )
            return with_utm(url, options.utm, article.slug, content)
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


def _line_text(sentences: Sequence[Sentence]) -> str:
    """One paragraph's sentences as text: list items and subheadings start their own lines."""
    lines: list[list[str]] = []
    for sentence in sentences:
        if sentence.role == "item":
            lines.append(["• " + sentence.text])
        elif sentence.role == "subheading" or not lines:
            lines.append([sentence.text])
        else:
            lines[-1].append(sentence.text)
    return "\n".join(join_sentences(line) for line in lines)


def _prose_text(paragraphs: Sequence[Sequence[Sentence]]) -> str:
    """Paragraphs as tweet text, a blank line between; a paragraph of only subheadings
    (its text left out) is dropped rather than stranded."""
    return "\n\n".join(
        _line_text(paragraph)
        for paragraph in paragraphs
        if any(sentence.role != "subheading" for sentence in paragraph)
    )


def _same_topic(title: str, heading: str) -> bool:
    """Whether the heading says what the title says (one contains the other)."""
    a, b = " ".join(title.casefold().split()), " ".join(heading.casefold().split())
    return a in b or b in a


_Part = tuple[TweetKind, str, ChartSpec | None]


@dataclass(frozen=True)
class _Content:
    """What a thread carries, before templates: the section (real, or the digest's),
    the sentences kept, and the lead."""

    section: Section
    kept: frozenset[int] | None  # positions in section.sentences; None: all
    lead: int | None  # the lead's position; None when lead_text is given
    lead_text: str | None = None
    chosen: int = 0
    of: int = 0


class _Builder:
    """Renders and packs one article's threads for one network."""

    def __init__(
        self,
        article: Article,
        options: BuildOptions,
        templates: TemplateSet,
        rule: LengthRule,
        recommendations: list[dict[str, str | None]],
    ) -> None:
        self.article = article
        self.options = options
        self.templates = templates
        self.rule = rule
        self.recommendations = recommendations
        self.max_tweets = options.threads.max_tweets
        self.allowed = options.allowed_mentions(
            tuple(call.handle for call in article.calls_to_action if call.handle)
        )
        self.length = weighted_length if isinstance(rule, XRule) else rule.measure

    # -- a section ------------------------------------------------------------------

    def section_thread(
        self,
        index: int,
        section: Section,
        full_closing: bool,
        headings: frozenset[str],
        ranker: Ranker | None,
        found: list[Unit],
    ) -> Thread:
        identifier = thread_id(self.article, index)
        links = closing_links(self.article, self.options, index)
        overflow = self.options.threads.overflow
        prose = [p for p, s in enumerate(section.sentences) if s.role != "subheading"]
        of = len(prose)

        def content(kept: frozenset[int] | None, lead: int) -> _Content:
            chosen = of if kept is None else sum(1 for p in prose if p in kept)
            return _Content(section, kept, lead, chosen=chosen, of=of)

        def render(item: _Content) -> tuple[list[_Part], list[Finding]]:
            blocks = self._blocks(item, index, links, full_closing)
            return self._pack(blocks, identifier)

        def fits(item: _Content) -> bool:
            return len(render(item)[0]) <= self.max_tweets

        findings: list[Finding] = []
        if overflow == "select":
            lead = lead_of(found)
            if lead is None:  # asked for by --section: every sentence, as written
                item = content(None, prose[0])
            else:
                budget = self.rule.limit
                choice: Choice | None = choose(
                    section,
                    self.article,
                    lambda kept: fits(content(self._with_subheadings(section, kept), lead)),
                    ranker=ranker,
                    headings=headings,
                    weight=self.length,
                    # Every tweet but the closing, less the numbering: no packing holds more.
                    capacity=(self.max_tweets - 1) * (budget - 4),
                    found=found,
                )
                assert choice is not None
                item = content(self._with_subheadings(section, choice.kept), choice.lead)
                item = self._without_crumbs(item, render, content, found)
            texts, findings = render(item)
        else:
            item = content(None, prose[0])
            texts, findings = render(item)
            if len(texts) > self.max_tweets and overflow == "shorten":
                keep = _longest_fitting(
                    lambda k: fits(content(_first(section, k), prose[0])), of - 1
                )
                item = content(_first(section, keep), prose[0])
                texts, findings = render(item)
                findings.append(
                    Finding(
                        severity="warning",
                        code="section-shortened",
                        message=(
                            f"the section is longer than max_tweets = {self.max_tweets}: its "
                            f"last {of - 1 - keep} of {of} sentences are left out and the "
                            "closing tweet invites readers to the article (raise [threads] "
                            'max_tweets, or set overflow = "select" to choose what to keep)'
                        ),
                        where=f"{self.article.path}:{section.line}",
                    )
                )
        return self._thread(identifier, index, section.heading, texts, findings, item, "section")

    @staticmethod
    def _without_crumbs(
        item: _Content,
        render: Callable[[_Content], tuple[list[_Part], list[Finding]]],
        content: Callable[[frozenset[int] | None, int], _Content],
        found: Sequence[Unit],
    ) -> _Content:
        """A kept sentence left alone in a tweet too short to be one (no neighbour had
        room for it) is left out — never the lead: a follower does not miss "This is a
        tricky one." on a tweet of its own. (Facts are fact tweets, never crumbs.) What
        leans on it goes with it, as when choosing."""
        section, lead = item.section, item.lead
        if lead is None:
            return item
        for _ in range(3):  # each drop re-packs; a second crumb is rare, a third rarer
            texts, _ = render(item)
            if sum(part[0] in ("body", "fact") for part in texts) < 2:
                return item
            crumbs = {part[1].strip() for part in texts if _is_crumb(part)}
            kept = item.kept or frozenset(range(len(section.sentences)))
            drop = {
                position
                for position in kept
                if position != lead and section.sentences[position].text.strip() in crumbs
            }
            if not drop:
                return item
            remaining = without_dependents(kept, drop, found, lead)
            item = content(remaining | subheadings_for(section, remaining), lead)
        return item

    @staticmethod
    def _with_subheadings(section: Section, kept: frozenset[int]) -> frozenset[int]:
        return kept | subheadings_for(section, kept)

    # -- the digest -----------------------------------------------------------------

    def digest_thread(self, ranker: Ranker | None) -> Thread:
        article = self.article
        identifier = digest_id(article)
        links = closing_links(article, self.options, "digest")
        headings = heading_keys(article)
        chosen_from = [
            section
            for section in article.sections
            if skip_reason(section, article, headings) is None
        ] or list(article.sections[:1])
        lead_text = _description(article)
        # Per section: what may be posted, in the order it is tried.
        plans: list[tuple[Section, dict[int, Any], frozenset[int], list[int]]] = []
        first_lead: tuple[int, int] | None = None
        for number, section in enumerate(chosen_from):
            found = units(section, article, headings)
            lead = lead_of(found)
            if lead is None:
                continue
            allowed = postable(found, lead)
            if first_lead is None and lead_text is None:
                first_lead = (number, lead)
            scores = rank(
                found, allowed, f"{section.heading} {article.title}", article.language, ranker
            )
            by_position = {unit.position: unit for unit in found}
            order = [
                p
                for p in priority(found, allowed, scores)
                if not by_position[p].boilerplate and (number, p) != first_lead
            ]
            plans.append((section, by_position, allowed, order))
        if lead_text is None:
            if first_lead is None:
                lead_text = article.title
            else:
                section = chosen_from[first_lead[0]]
                lead_text = section.sentences[first_lead[1]].text
        of = sum(
            1 for section in article.sections for s in section.sentences if s.role != "subheading"
        )

        def content(kept: dict[int, frozenset[int]]) -> _Content:
            paragraphs: list[tuple[Sentence, ...]] = []
            facts = []
            for number, (section, _, _, _) in enumerate(plans):
                positions = kept.get(number, frozenset())
                if first_lead is not None and first_lead[0] == number:
                    positions = positions - {first_lead[1]}  # in the opening already
                if not positions:
                    continue
                start = 0
                for paragraph in section.paragraphs:
                    picked = tuple(
                        s for offset, s in enumerate(paragraph, start) if offset in positions
                    )
                    if picked:
                        paragraphs.append(picked)
                    start += len(paragraph)
                texts = {section.sentences[p].text for p in positions}
                facts += [fact for fact in section.facts if fact.text in texts]
            digest = Section(
                heading=article.title,
                paragraphs=tuple(paragraphs),
                facts=tuple(facts),
                line=1,
            )
            chosen = sum(len(p) for p in kept.values()) + (1 if first_lead else 0)
            return _Content(digest, None, None, lead_text=lead_text, chosen=chosen, of=of)

        def render(item: _Content) -> tuple[list[_Part], list[Finding]]:
            return self._pack(self._blocks(item, 0, links, True, digest=True), identifier)

        kept: dict[int, frozenset[int]] = {}
        rounds = max((len(order) for *_, order in plans), default=0)
        for depth in range(rounds):
            added_any = False
            for number, (_, by_position, allowed, order) in enumerate(plans):
                if depth >= len(order):
                    continue
                current = kept.get(number, frozenset())
                needed = with_antecedents(order[depth], by_position, allowed)
                if needed is None or needed <= current:
                    continue
                trial = {**kept, number: current | needed}
                if len(render(content(trial))[0]) <= self.max_tweets:
                    kept = trial
                    added_any = True
            if not added_any and depth > 0:
                break
        item = content(kept)
        texts, findings = render(item)
        return self._thread(identifier, 0, article.title, texts, findings, item, "digest")

    # -- rendering ------------------------------------------------------------------

    def _own(self, text: str) -> str:
        return unlink_mentions(text, self.allowed)

    def _blocks(
        self,
        item: _Content,
        index: int,
        links: ClosingLinks,
        full_closing: bool,
        *,
        digest: bool = False,
        same_topic: bool | None = None,
    ) -> list[_Block]:
        """The thread's blocks: the opening, the kept sentences, the closing."""
        article, options, section = self.article, self.options, item.section
        facts = {(fact.line, fact.text): fact for fact in section.facts}
        inline = options.threads.links == "inline"
        sentences = section.sentences
        kept = item.kept
        lead_sentence = sentences[item.lead] if item.lead is not None else None
        lead_fact = facts.get((lead_sentence.line, lead_sentence.text)) if lead_sentence else None
        # An unnamed source the lead's fact was matched to (by title) is credited in the
        # opening, as fact tweets credit theirs.
        lead_source = (
            lead_fact.source.author
            if lead_fact is not None and lead_fact.source is not None and not lead_fact.source_name
            else None
        )
        # A lead that is a list item, or a lead-in to a list, brings the first items.
        used = {item.lead} if item.lead is not None else set()
        if lead_sentence is not None and item.lead is not None:
            lead = [lead_sentence]
            if lead_sentence.role == "item" or lead_sentence.text.rstrip().endswith((":", "：")):
                for position in range(item.lead + 1, len(sentences)):
                    following = sentences[position]
                    if following.role != "item" or not _same_paragraph(
                        section, item.lead, position
                    ):
                        break
                    if kept is not None and position not in kept:
                        break  # the first items, or none: never a later one out of place
                    lead.append(following)
                    used.add(position)
            lead_text = _line_text(lead)
        else:
            lead_text = item.lead_text or ""
        if same_topic is None:
            same_topic = digest or _same_topic(article.title, section.heading)
        blocks = [
            _Block(
                "opening",
                "opening.txt.j2",
                {
                    "heading": self._own(section.heading),
                    "lead": self._own(lead_text),
                    "lead_source": lead_source,
                    "title": self._own(article.title),
                    "same_topic": same_topic,
                    "digest": digest,
                    "section_number": index,
                    "section_count": len(article.sections),
                },
            )
        ]
        prose: list[list[Sentence]] = []

        def flush_prose() -> None:
            text = _prose_text(prose)
            if text:
                blocks.append(
                    _Block(
                        "body",
                        "body.txt.j2",
                        {"text": self._own(text), "heading": section.heading},
                    )
                )
            prose.clear()

        position = -1
        for paragraph in section.paragraphs:
            prose.append([])
            for sentence in paragraph:
                position += 1
                if position in used or (kept is not None and position not in kept):
                    continue
                fact: Fact | None = facts.get((sentence.line, sentence.text))
                if fact is None:
                    prose[-1].append(sentence)
                    continue
                flush_prose()
                prose.append([])
                source_url = fact.source.url if inline and fact.source else None
                chart = chart_for(fact, article.date) if options.threads.charts else None
                shown = fact.model_copy(update={"text": self._own(fact.text)})
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
                    "recommendations": self.recommendations,
                    "omitted_sentences": item.of - item.chosen,
                    "chosen_sentences": item.chosen,
                    "section_sentences": item.of,
                    "full_closing": full_closing,
                    "digest": digest,
                },
            )
        )
        return blocks

    def _pack(self, blocks: list[_Block], identifier: str) -> tuple[list[_Part], list[Finding]]:
        """Render and split the blocks into post texts (without numbering)."""
        rule, options = self.rule, self.options
        language = self.article.language
        length = self.length
        rendered = [
            (block, self.templates.render(block.template, language=language, **block.context))
            for block in blocks
        ]
        findings: list[Finding] = []
        texts: list[_Part] = []
        # Numbering needs the count, which depends on the room numbering takes: start
        # with one digit and repack if the count needs more.
        count_guess = 9
        for _ in range(3):
            reserve = numbering_reserve(rule, count_guess) if options.threads.numbering else 0
            budget = rule.limit - reserve
            texts = []
            findings = []
            for block, text in rendered:
                if not text:
                    continue
                try:
                    if block.kind == "opening":
                        parts = self._opening_parts(block, text, reserve)
                    else:
                        parts = split_for(
                            rule,
                            text,
                            reserve=reserve,
                            language=language,
                            keep_with_next=_introduces if block.kind == "body" else None,
                        )
                    # A chart goes with the first tweet of its fact.
                    texts.extend(
                        (block.kind, part, block.chart if number == 0 else None)
                        for number, part in enumerate(parts)
                    )
                except UnsplittableTextError as error:
                    findings.append(
                        Finding(
                            severity="error",
                            code="unsplittable-word",
                            message=str(error),
                            where=f"{identifier} ({block.kind} tweet)",
                        )
                    )
            texts = _share(_drop_repeats(texts), budget, length)
            if len(str(len(texts))) <= len(str(count_guess)):
                break
            count_guess = 10 ** len(str(len(texts))) - 1
        return texts, findings

    def _opening_parts(self, block: _Block, text: str, reserve: int) -> list[str]:
        """The opening in one tweet: the post's title and heading with the lead; if that
        is too long, the heading alone with the lead; a lead longer than a tweet is cut
        after what fits beside the heading — never a heading alone."""
        rule, language = self.rule, self.article.language
        budget = rule.limit - reserve
        if self.length(text) <= budget:
            return [text]
        context = block.context
        if not context["same_topic"]:
            shorter = self.templates.render(
                block.template, language=language, **{**context, "same_topic": True}
            )
            if self.length(shorter) <= budget:
                return [shorter]
            context = {**context, "same_topic": True}
            text = shorter
        lead = context["lead"]
        header = self.templates.render(block.template, language=language, **{**context, "lead": ""})
        room = self.length(header) + 2
        if not lead or room >= budget - 20:
            return split_for(rule, text, reserve=reserve, language=language)
        pieces = split_for(rule, lead, reserve=reserve + room, language=language)
        first = self.templates.render(
            block.template, language=language, **{**context, "lead": pieces[0]}
        )
        if self.length(first) > budget:
            return split_for(rule, text, reserve=reserve, language=language)
        joint = "\n" if "\n" in lead else " "
        rest = joint.join(pieces[1:])
        return [first] + (split_for(rule, rest, reserve=reserve, language=language) if rest else [])

    def _thread(
        self,
        identifier: str,
        index: int,
        section: str,
        texts: list[_Part],
        findings: list[Finding],
        item: _Content,
        kind: Literal["section", "digest"],
    ) -> Thread:
        on_x = isinstance(self.rule, XRule)
        total = len(texts)
        tweets = []
        for position, (tweet_kind, text, chart) in enumerate(texts, start=1):
            suffix = f" {position}/{total}" if self.options.threads.numbering else ""
            final = text + suffix
            weight, urls = with_suffix(text, suffix) if suffix else measure(text)
            if not on_x:
                weight = self.rule.measure(final)
            tweets.append(
                Tweet(
                    kind=tweet_kind,
                    text=final,
                    weighted_length=weight,
                    urls=tuple(urls),
                    chart=chart,
                )
            )
        if total > self.max_tweets:
            findings.append(
                Finding(
                    severity="error",
                    code="thread-too-long",
                    message=(
                        f"the thread has {total} tweets, more than max_tweets = "
                        f"{self.max_tweets}: split the section under a new heading, raise "
                        '[threads] max_tweets or set [threads] overflow = "select"'
                    ),
                    where=identifier,
                )
            )
        return Thread(
            id=identifier,
            section_index=index,
            section=section,
            tweets=tuple(tweets),
            # X bills each post; Bluesky and Mastodon cost nothing (their posts still count).
            cost_usd=self.options.prices.total(t.has_url for t in tweets) if on_x else 0.0,
            omitted_sentences=item.of - item.chosen,
            findings=tuple(findings),
            kind=kind,
            chosen_sentences=item.chosen,
            section_sentences=item.of,
        )


def _same_paragraph(section: Section, first: int, second: int) -> bool:
    start = 0
    for paragraph in section.paragraphs:
        end = start + len(paragraph)
        if start <= first < end:
            return start <= second < end
        start = end
    return False


def _first(section: Section, keep: int) -> frozenset[int]:
    """The lead and the ``keep`` sentences after it, with the subheadings among them
    (``overflow = "shorten"``: the section cut at a sentence)."""
    kept: set[int] = set()
    used = -1
    for position, sentence in enumerate(section.sentences):
        if sentence.role != "subheading":
            used += 1
            if used > keep:
                break
        kept.add(position)
    return frozenset(kept)


def _description(article: Article) -> str | None:
    """The author's description of the post, unless it is only the post's first words
    (an excerpt a generator cut from the text)."""
    description = " ".join((article.description or "").split())
    if not description:
        return None
    first = next((s.text for section in article.sections for s in section.sentences), "")
    words = description.split()[:8]
    if words and " ".join(words) in " ".join(first.split()):
        return None
    return description


_INTRODUCTION = re.compile(r"[:：]$")


def _introduces(line: str) -> bool:
    """A line that must not end a tweet: a lead-in ("…these steps:") or a subheading
    (a short line without a sentence's end)."""
    stripped = line.strip()
    if _INTRODUCTION.search(stripped):
        return True
    return (
        not stripped.startswith("•")
        and len(stripped) <= 60
        and not re.search(r"[.!?。！？)\]\"”’]$", stripped)
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


def _share(
    texts: list[_Part], budget: int, length: Callable[[str], int] = weighted_length
) -> list[_Part]:
    """Consecutive body and fact texts share a tweet, a blank line between, while they
    fit (the opening's first tweet takes only a crumb: it is the heading and the lead)."""
    joined: list[_Part] = []
    for part in texts:
        previous = joined[-1] if joined else None
        if (
            previous is not None
            and previous[0] != "closing"
            and part[0] in ("body", "fact")
            and not (previous[2] is not None and part[2] is not None)
            and (len(joined) > 1 or _is_crumb(part) or _is_crumb(previous))
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
