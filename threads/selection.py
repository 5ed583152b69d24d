"""Which of a section's sentences a thread keeps: the decision, not the ranking.

A section whose text needs more than ``max_tweets`` is *chosen from* (``[threads]
overflow = "select"``): the lead, then facts (figures or a named source), then the
sentences most central to the section (:mod:`threads.ranking`), boilerplate last —
each added while the thread still fits, and posted in the author's order. Sentences are
never changed. What a thread cannot carry goes whatever the room:

- a sentence that points at what a thread cannot show: one that introduces a skipped
  code block, table or image (it ends with ":" and no list follows, or it says "as
  shown below"), one whose point is a link that is not posted ("See the docs.");
- items of a list of the post's own headings (a table of contents);
- anything before the lead: a byline, a date, a disclaimer, thanks;
- a sentence that leans on the one before (This/It/However…, :mod:`threads.markers`)
  when that one is not kept;
- part of an enumeration (a list of short names, "Bugs", "Patches"): its items and the
  sentence that introduces them go together or not at all, since a subset would say
  something the author did not.

:func:`skip_reason` says when a whole section is not for followers (a table of contents,
references, a list of names or links, nothing left after the rules above).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from threads.article import Article, Section, Sentence
from threads.markers import (
    UNSPACED,
    is_boilerplate,
    is_contents_heading,
    is_credits_heading,
    is_reference_heading,
    leans_on_previous,
    not_a_lead,
    points_at_link,
    points_at_unseen,
)

# Scores for sentences (higher is more central), given the language and the query
# (heading and title): :func:`threads.ranking.biased_lexrank` unless told otherwise.
Ranker = Callable[[Sequence[str], str, str], list[float]]
# Whether a thread made of these sentence positions (and this lead) fits max_tweets.
Fits = Callable[[frozenset[int]], bool]

# A lead is a statement: at least this many words (or CJK characters / 3).
MIN_LEAD_WORDS = 3
# Stop trying to add sentences after this many in a row did not fit.
MAX_MISSES = 4
# Candidates are first taken by weight up to this share of a thread's room (tweets
# rarely pack fuller), then tried one by one.
FIRST_FILL = 0.7
_INTRODUCES = re.compile(r"[:：]\s*$")
_KEY = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Unit:
    """One sentence of a section, in order, with what selection needs to know of it."""

    position: int  # in ``section.sentences``
    sentence: Sentence
    fact: bool
    # Points at what a thread cannot show, or is a table-of-contents item: never posted.
    unshowable: bool
    boilerplate: bool
    # Opens with This/It/However…, or continues its paragraph: kept only with the
    # sentence before it.
    leans: bool
    lead_ok: bool
    # The position of the sentence before it (not a subheading), if any.
    previous: int | None
    # An item of an enumeration: every position of it (items and lead-in), kept together.
    enumeration: frozenset[int] = frozenset()

    @property
    def text(self) -> str:
        return self.sentence.text


@dataclass(frozen=True)
class Choice:
    """What a section's thread keeps: positions in ``section.sentences``."""

    kept: frozenset[int]
    lead: int
    # Kept sentences and the section's sentences, subheadings not counted.
    chosen: int
    of: int


def _key(text: str) -> str:
    return _KEY.sub(" ", text.casefold()).strip()


def heading_keys(article: Article) -> frozenset[str]:
    """Every heading of the post (sections and subheadings), as compared with items."""
    keys = {_key(article.title)}
    for section in article.sections:
        keys.add(_key(section.heading))
        keys.update(_key(s.text) for s in section.sentences if s.role == "subheading")
    return frozenset(key for key in keys if key)


@cache
def _wide() -> re.Pattern[str]:
    # Compiled on first CJK or Hangul text: the class takes 3 ms to compile.
    return re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def _words(text: str) -> int:
    """Words, counting about three CJK or Hangul characters as one."""
    words = len(text.split())
    if not text.isascii() and max(text) >= "\u3040":
        words += len(_wide().findall(text)) // 3
    return words


def units(section: Section, article: Article, headings: Collection[str] = ()) -> list[Unit]:
    """The section's sentences (subheadings included, as never-kept units) classified."""
    language = article.language
    facts = {(fact.line, fact.text) for fact in section.facts}
    sentences = section.sentences
    # Which paragraph each sentence is in, to tell a lead-in followed by its list.
    paragraph_of: list[int] = []
    for number, paragraph in enumerate(section.paragraphs):
        paragraph_of += [number] * len(paragraph)
    found: list[Unit] = []
    previous: int | None = None
    for position, sentence in enumerate(sentences):
        text = sentence.text
        if sentence.role == "subheading":
            found.append(Unit(position, sentence, False, True, False, False, False, previous))
            continue
        following = sentences[position + 1] if position + 1 < len(sentences) else None
        list_follows = (
            following is not None
            and following.role == "item"
            and paragraph_of[position + 1] == paragraph_of[position]
        )
        introduces_unseen = bool(_INTRODUCES.search(text)) and not list_follows
        unshowable = (
            introduces_unseen
            or (points_at_unseen(text, language) and not list_follows)
            or points_at_link(text, language)
            or (sentence.role == "item" and _key(text) in headings)
        )
        boilerplate = is_boilerplate(text, language)
        # The first sentence of a section leans on its heading, which the thread shows.
        refers_back = previous is not None and leans_on_previous(text, language)
        # A paragraph is one line of thought: a later sentence of it is kept only with the
        # one before it (a thread jumping into a paragraph's middle reads as a non sequitur;
        # a sentence continuing a list item would read as the previous item's).
        leans = refers_back or (
            previous is not None
            and sentence.role == "prose"
            and paragraph_of[previous] == paragraph_of[position]
        )
        lead_ok = (
            not unshowable
            and not boilerplate
            and not refers_back
            and not not_a_lead(text, language)
            and (_words(text) >= MIN_LEAD_WORDS or language in UNSPACED)
        )
        found.append(
            Unit(
                position=position,
                sentence=sentence,
                fact=(sentence.line, text) in facts,
                unshowable=unshowable,
                boilerplate=boilerplate,
                leans=leans,
                lead_ok=lead_ok,
                previous=previous,
            )
        )
        previous = position
    return _with_enumerations(found, paragraph_of)


def _with_enumerations(found: list[Unit], paragraph_of: Sequence[int]) -> list[Unit]:
    """Mark each run of short items in one paragraph (an enumeration of names, not
    points of their own), with the prose sentence that introduces it."""
    marked = list(found)
    position = 0
    while position < len(found):
        unit = found[position]
        if unit.sentence.role != "item":
            position += 1
            continue
        end = position
        while (
            end + 1 < len(found)
            and found[end + 1].sentence.role == "item"
            and paragraph_of[end + 1] == paragraph_of[position]
        ):
            end += 1
        run = range(position, end + 1)
        if end > position and all(_list_row(found[p].sentence) for p in run):
            members = set(run)
            before = position - 1
            if (
                before >= 0
                and found[before].sentence.role == "prose"
                and paragraph_of[before] == paragraph_of[position]
            ):
                members.add(before)
            for member in members:
                marked[member] = dataclasses.replace(found[member], enumeration=frozenset(members))
        position = end + 1
    return marked


def _prose(found: Sequence[Unit]) -> list[Unit]:
    return [unit for unit in found if unit.sentence.role != "subheading"]


def lead_of(found: Sequence[Unit]) -> int | None:
    """The thread's first sentence: the first that can open it (not a byline, a date, a
    disclaimer, thanks, a pointer or a sentence leaning on one left out)."""
    prose = _prose(found)
    for accept in (
        lambda u: u.lead_ok,
        lambda u: not u.unshowable and not u.leans and not u.boilerplate,
        lambda u: not u.unshowable,
    ):
        for unit in prose:
            if accept(unit):
                return unit.position
    return None


def postable(found: Sequence[Unit], lead: int) -> frozenset[int]:
    """Every sentence a thread may carry: from the lead on, showable, and not leaning on
    a sentence that is left out."""
    kept: set[int] = set()
    for unit in _prose(found):
        if unit.position < lead or unit.unshowable:
            continue
        if unit.leans and unit.position != lead and unit.previous not in kept:
            continue
        kept.add(unit.position)
    return frozenset(kept)


def with_antecedents(
    position: int, by_position: dict[int, Unit], allowed: Collection[int]
) -> frozenset[int] | None:
    """``position`` and the sentences it leans on, in a chain, and its enumeration's
    other members; None if one of them is not allowed."""
    needed = {position}
    pending = [position]
    while pending:
        unit = by_position[pending.pop()]
        linked = set(unit.enumeration)
        if unit.leans and unit.previous is not None:
            linked.add(unit.previous)
        for other in linked - needed:
            if other not in allowed:
                return None
            needed.add(other)
            pending.append(other)
    return frozenset(needed)


def without_dependents(
    kept: frozenset[int], dropped: Collection[int], found: Sequence[Unit], lead: int
) -> frozenset[int]:
    """``kept`` less ``dropped`` and whatever then misses a sentence it leans on or a
    member of its enumeration (never the lead); subheadings are left for the caller to
    add back over what remains (:func:`subheadings_for`)."""
    by_position = {unit.position: unit for unit in found}
    remaining = {
        position
        for position in set(kept) - set(dropped)
        if position in by_position and by_position[position].sentence.role != "subheading"
    }
    orphaned = True
    while orphaned:
        orphaned = False
        for position in sorted(remaining):
            if position == lead:
                continue
            if with_antecedents(position, by_position, remaining) is None:
                remaining.discard(position)
                orphaned = True
    return frozenset(remaining)


def subheadings_for(section: Section, kept: Collection[int]) -> frozenset[int]:
    """The subheadings followed (before the next one) by a kept sentence."""
    sentences = section.sentences
    shown: set[int] = set()
    pending: int | None = None
    for position, sentence in enumerate(sentences):
        if sentence.role == "subheading":
            pending = position
        elif position in kept and pending is not None:
            shown.add(pending)
            pending = None
    return frozenset(shown)


def priority(
    found: Sequence[Unit], allowed: Collection[int], scores: dict[int, float]
) -> list[int]:
    """Positions in the order they are tried: facts, then the rest by centrality, then
    boilerplate and would-be leads that are not (bylines, dates)."""

    def tier(unit: Unit) -> int:
        if unit.fact and not unit.boilerplate:
            return 0
        if unit.boilerplate or not_lead_like(unit) or _list_row(unit.sentence):
            return 2
        return 1

    candidates = [unit for unit in _prose(found) if unit.position in allowed]
    candidates.sort(key=lambda unit: (tier(unit), -scores.get(unit.position, 0.0), unit.position))
    return [unit.position for unit in candidates]


def _list_row(sentence: Sentence) -> bool:
    """A list item that is a row of fields ("2026-08-21 | Virtual | Rust Berlin") or a
    name: it carries no claim of its own."""
    text = sentence.text
    return sentence.role == "item" and (
        text.count(" | ") >= 1 or (_words(text) <= 4 and not re.search(r"[.!?。！？]$", text))
    )


def not_lead_like(unit: Unit) -> bool:
    """A byline, a date, a disclaimer that survived because it came after the lead."""
    return not unit.lead_ok and not unit.leans and not unit.boilerplate and not unit.unshowable


def rank(
    found: Sequence[Unit],
    allowed: Collection[int],
    query: str,
    language: str,
    ranker: Ranker | None,
) -> dict[int, float]:
    """Centrality scores of the allowed sentences (the ranker imported only now)."""
    positions = [unit.position for unit in _prose(found) if unit.position in allowed]
    if not positions:
        return {}
    if ranker is None:
        from threads.ranking import biased_lexrank

        ranker = biased_lexrank
    texts = {unit.position: unit.text for unit in found}
    scores = ranker([texts[p] for p in positions], language, query)
    return dict(zip(positions, scores, strict=True))


def choose(
    section: Section,
    article: Article,
    fits: Fits,
    *,
    ranker: Ranker | None = None,
    headings: Collection[str] = (),
    weight: Callable[[str], int] | None = None,
    capacity: int | None = None,
    found: Sequence[Unit] | None = None,
) -> Choice | None:
    """The sentences a thread of ``section`` keeps (None: nothing a thread can carry).

    Everything postable when it fits; else the lead, then by :func:`priority`, each
    with the sentences it leans on, while ``fits``. ``weight`` and ``capacity`` (the
    room a thread has, in weighted characters) save building the thread for every
    candidate: candidates are first taken while their weights fill most of the room
    (then checked once, and the last taken given back until the thread fits), then
    tried one by one in what is left.
    """
    found = found if found is not None else units(section, article, headings)
    of = len(_prose(found))
    lead = lead_of(found)
    if lead is None:
        return None
    allowed = postable(found, lead)
    if fits(allowed):
        return Choice(allowed, lead, len(allowed), of)
    by_position = {unit.position: unit for unit in found}
    scores = rank(found, allowed, f"{section.heading} {article.title}", article.language, ranker)
    measure = weight or (lambda text: len(text))
    room = capacity if capacity is not None else 10**9
    kept: frozenset[int] = frozenset({lead})
    used = measure(by_position[lead].text)
    order = priority(found, allowed, scores)
    # Phase 1: by weight alone, up to a share of the room that packing rarely exceeds.
    taken: list[frozenset[int]] = []
    tried = 0
    for position in order:
        tried += 1
        if position in kept:
            continue
        needed = with_antecedents(position, by_position, allowed)
        if needed is None:
            continue
        added = needed - kept
        extra = sum(measure(by_position[p].text) + 2 for p in added)
        if used + extra > FIRST_FILL * room:
            tried -= 1
            break
        kept, used = kept | added, used + extra
        taken.append(added)
    while taken and not fits(kept):
        added = taken.pop()
        kept = kept - added
        used -= sum(measure(by_position[p].text) + 2 for p in added)
    # Phase 2: the rest one by one, each checked, while the room may hold it.
    misses = 0
    for position in order[tried:]:
        if position in kept:
            continue
        needed = with_antecedents(position, by_position, allowed)
        if needed is None:
            continue
        added = needed - kept
        extra = sum(measure(by_position[p].text) + 2 for p in added)
        if used + extra > room:
            continue
        if fits(kept | added):
            kept, used = kept | added, used + extra
            misses = 0
        else:
            misses += 1
            if misses >= MAX_MISSES:
                break
    return Choice(kept, lead, len(kept), of)


# -- sections that are not for followers ----------------------------------------------

_LINK_SYNTAX = re.compile(r"\]\(|\]\[|href=|`_|<https?://")


@lru_cache(maxsize=4)
def _source_lines(source_text: str) -> tuple[str, ...]:
    # Once per article, not once per section: a 1 MB post has thousands of sections.
    return tuple(source_text.splitlines())


def skip_reason(
    section: Section,
    article: Article,
    headings: Collection[str] = (),
    found: Sequence[Unit] | None = None,
) -> str | None:
    """Why ``section`` becomes no thread, or None when it is for followers."""
    if is_contents_heading(section.heading):
        return "a table of contents"
    if is_reference_heading(section.heading):
        return "references, footnotes or links"
    sentences = [s for s in section.sentences if s.role != "subheading"]
    if not sentences:
        return "nothing left after reading"
    items = [s for s in sentences if s.role == "item"]
    own = [s for s in items if _key(s.text) in headings and _key(s.text) != _key(section.heading)]
    if len(items) >= 3 and len(own) >= 0.6 * len(items):
        return "a table of contents (a list of the post's own headings)"
    language = article.language
    prose = [
        s
        for s in sentences
        if s.role == "prose" and _words(s.text) >= 5 and not is_boilerplate(s.text, language)
    ]

    def bare(item: Sentence) -> bool:
        lines = _source_lines(article.source_text)
        source = lines[item.line - 1] if 0 < item.line <= len(lines) else ""
        linked = bool(_LINK_SYNTAX.search(source)) and _words(item.text) <= 12
        name_only = _words(item.text) <= 4 and not re.search(r"[.!?。！？]$", item.text)
        return linked or name_only

    if len(items) >= 3 and len(prose) < 2 and sum(map(bare, items)) >= 0.7 * len(items):
        return "a list of names or links with no prose"
    thanks = [s for s in sentences if s.role == "item" or is_boilerplate(s.text, language)]
    if is_credits_heading(section.heading) and len(thanks) >= 0.5 * len(sentences):
        return "credits: thanks and the names of those thanked"
    found = found if found is not None else units(section, article, headings)
    lead = lead_of(found)
    if lead is None:
        return "nothing a thread can show (it points at code, images or links)"
    kept = postable(found, lead)
    by_position = {unit.position: unit for unit in found}
    if all(by_position[p].boilerplate for p in kept):
        return "only thanks and sign-up lines"
    return None


def skipped_sections(article: Article) -> list[tuple[int, Section, str]]:
    """(1-based index, section, reason) of every section that becomes no thread."""
    headings = heading_keys(article)
    found = []
    for index, section in enumerate(article.sections, start=1):
        reason = skip_reason(section, article, headings)
        if reason is not None:
            found.append((index, section, reason))
    return found
