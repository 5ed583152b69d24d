"""Assemble an Article from a reader's outline: one set of rules for every format.

- The title: metadata, else a lone leading ``#`` heading, else the reader's fallback,
  else the file name made readable — never a path.
- Sections start at the shallowest heading level in use; deeper headings stay inside
  their section as subheadings. A section of one short sentence joins its neighbour
  instead of becoming a two-tweet thread.
- A "References"/"Sources" heading (or line) opens the reference list, which ends at the
  next heading. Calls to action are recognised only in their known forms, at the end
  of the article; an emoji-led heading is a heading.
- List items stay items after their lead-in paragraph, so threads pack them as lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from threads.article import (
    Article,
    CallToAction,
    Fact,
    Reference,
    Section,
    Sentence,
    SentenceRole,
)
from threads.errors import ArticleError
from threads.facts import extract_facts
from threads.outline import PLACEHOLDERS, Block, Outline
from threads.sentences import guess_language, split_sentences
from threads.symbols import starts_with_symbol

_REFERENCES_HEADING = re.compile(
    r"^\W*(references|sources|bibliography|works cited|참고\s*자료|참고\s*문헌|参考文献|参考资料|"
    r"参考|quellen|literatur|referencias|fuentes|bibliografía)\s*:?\s*$",
    re.IGNORECASE,
)
_APA = re.compile(
    r"^(?P<author>.+?)\.?\s+\((?P<date>n\.\s?d\.?|\d{4}[^)]*)\)\.\s+"
    r"(?P<title>.+?)\s*(?P<url>https?://\S+?)\.?$"
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_RECOMMEND = re.compile(r"\bI recommend @(?P<handle>[A-Za-z0-9_]{1,15})\b(?P<reason>.*)$")
_DATE_PREFIX = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}[-_]")
_INDEX_NAMES = re.compile(r"^(?:_?index|readme)(?:\.[a-z]{2}(?:-[a-z]+)?)?$", re.IGNORECASE)
_PROSE_END = re.compile(r"[.!?。！？]$")
_BARE_URL = re.compile(r"^<?https?://\S+>?$")
# A section shorter than this (and of one sentence) joins its neighbour.
SHORT_SECTION_CHARACTERS = 140


@dataclass
class _Draft:
    """A section while blocks are collected: its heading and paragraphs of blocks."""

    heading: Block | None
    paragraphs: list[list[Block]] = field(default_factory=list)
    sources: list[Block] = field(default_factory=list)


def assemble(outline: Outline, *, language: str | None = None) -> Article:
    """Build the Article: sections, references, calls to action, facts.

    ``language`` is the configured one (``None`` for auto); the post's own wins.
    """
    meta = outline.meta
    blocks = list(outline.blocks)
    title_block = _title_heading(blocks, meta.title)
    if title_block is not None:
        blocks.remove(title_block)
    body, calls = _split_calls(blocks)
    title = (
        meta.title
        or (title_block.text if title_block else None)
        or outline.title_fallback
        or _readable_name(outline.path)
    )

    drafts, references = _collect(body)
    prose = " ".join(block.text for draft in drafts for p in draft.paragraphs for block in p)
    language = meta.language or language or guess_language(prose)
    sections = _merge_short(
        [_build_section(draft, title, references, language, outline) for draft in drafts]
    )
    if not sections:
        raise ArticleError(
            outline.path,
            "no sections found: write a heading followed by paragraphs of prose",
        )
    return Article(
        path=outline.path,
        slug=_slug(meta.slug, outline.path),
        title=title,
        url=meta.url,
        date=meta.date,
        tags=meta.tags,
        language=language,
        description=meta.description,
        draft=meta.draft,
        sections=tuple(sections),
        references=tuple(references),
        calls_to_action=tuple(calls),
        skipped=dict(outline.skipped),
        source_text=outline.source_text,
    )


def _title_heading(blocks: list[Block], meta_title: str | None) -> Block | None:
    """The heading that is the article's title, not a section: a lone leading ``#``."""
    headings = [block for block in blocks if block.kind == "heading"]
    if not headings:
        return None
    first = headings[0]
    if meta_title and first.text.casefold() == meta_title.casefold():
        return first
    top_level = [block for block in headings if block.level == 1]
    if first.level == 1 and len(top_level) == 1 and first is blocks[0]:
        return first
    return None


def _split_calls(blocks: list[Block]) -> tuple[list[Block], list[CallToAction]]:
    """The trailing calls to action, recognised only in their known forms."""
    end = len(blocks)
    calls: list[CallToAction] = []
    while end > 0:
        block = blocks[end - 1]
        if block.kind not in ("text", "item"):
            break
        label = blocks[end - 2] if end >= 2 else None
        recommend = _RECOMMEND.search(block.text)
        if recommend:
            has_label = (
                label is not None
                and label.kind in ("text", "item")
                and starts_with_symbol(label.text)
                and not _RECOMMEND.search(label.text)
            )
            calls.append(_recommendation(block, recommend, label if has_label else None))
            end -= 2 if has_label else 1
            continue
        call = _link_call(block)
        if call is None:
            break
        calls.append(call)
        end -= 1
    return blocks[:end], calls[::-1]


def _collect(blocks: list[Block]) -> tuple[list[_Draft], list[Reference]]:
    """Blocks grouped into sections (by level) and the reference list."""
    levels = [b.level for b in blocks if b.kind == "heading" and not _is_references(b)]
    section_level = min(levels, default=2)
    drafts: list[_Draft] = [_Draft(heading=None)]
    references: list[Reference] = []
    in_references = False
    for block in blocks:
        if _is_references(block):
            in_references = True
            continue
        if block.kind == "heading":
            in_references = False
            if block.level <= section_level:
                drafts.append(_Draft(heading=block))
            else:
                drafts[-1].paragraphs.append([block])
            continue
        if in_references:
            reference = _parse_reference(block)
            if reference is not None:
                references.append(reference)
            continue
        draft = drafts[-1]
        if (block.link_only and not _PROSE_END.search(block.text)) or _BARE_URL.match(block.text):
            # A line of only a link is navigation, or an embed (a link card), not prose.
            continue
        if block.kind == "source":
            draft.sources.append(block)
        elif block.kind == "item" and draft.paragraphs:
            draft.paragraphs[-1].append(block)
        else:
            draft.paragraphs.append([block])
    return [draft for draft in drafts if draft.paragraphs], references


def _without_placeholders(text: str) -> str:
    """A heading keeps its words around a formula (it is a label, not a claim)."""
    for mark in PLACEHOLDERS:
        text = text.replace(mark, " ")
    return " ".join(text.split())


def _is_references(block: Block) -> bool:
    return block.kind in ("heading", "text") and bool(_REFERENCES_HEADING.match(block.text))


def _build_section(
    draft: _Draft, title: str, references: list[Reference], language: str, outline: Outline
) -> Section:
    paragraphs: list[tuple[Sentence, ...]] = []
    for paragraph in draft.paragraphs:
        sentences: list[Sentence] = []
        for block in paragraph:
            if block.kind == "heading":
                label = _without_placeholders(block.text)
                if label:
                    sentences.append(Sentence(text=label, line=block.line, role="subheading"))
                continue
            for number, text in enumerate(split_sentences(block.text, language)):
                needed = [kind for mark, kind in PLACEHOLDERS.items() if mark in text]
                if needed:  # a sentence with a gap in it says something else: left out
                    outline.skipped[needed[0]] += 1
                    continue
                role: SentenceRole = "item" if block.kind == "item" and number == 0 else "prose"
                sentences.append(Sentence(text=text, line=block.line, role=role))
        if sentences:
            paragraphs.append(tuple(sentences))
    source_names = [(block.line, block.text.split(":", 1)[1].strip()) for block in draft.sources]
    prose = [s for p in paragraphs for s in p if s.role != "subheading"]
    facts = extract_facts(prose, source_names, references)
    heading = draft.heading
    return Section(
        heading=(_without_placeholders(heading.text) or title) if heading else title,
        paragraphs=tuple(paragraphs),
        facts=tuple(facts),
        line=heading.line if heading else (paragraphs[0][0].line if paragraphs else 1),
    )


def _merge_short(sections: list[Section]) -> list[Section]:
    """A section of one short sentence joins the one before it (or after, if first).

    Joins go into mutable lists and each Section is built once at the end: rebuilding
    a frozen Section per join made 10,000 short sections quadratic (issue 16).
    """
    merged: list[_Joined] = []
    carried: _Joined | None = None
    for section in sections:
        current = _Joined.of(section)
        if carried is not None:
            # The carried first section opens this one, which keeps its own heading.
            carried.extend(current, keep_heading=False)
            current, carried = carried, None
        if current.is_short() and len(sections) > 1:
            if merged:
                merged[-1].extend(current, keep_heading=True)
            else:
                carried = current
            continue
        merged.append(current)
    if carried is not None:
        merged.append(carried)
    return [joined.section() for joined in merged if joined.has_prose()]


@dataclass
class _Joined:
    """A section while short neighbours are joined to it."""

    heading: str
    line: int
    paragraphs: list[tuple[Sentence, ...]]
    facts: list[Fact]

    @classmethod
    def of(cls, section: Section) -> _Joined:
        return cls(section.heading, section.line, list(section.paragraphs), list(section.facts))

    def is_short(self) -> bool:
        prose = [s for p in self.paragraphs for s in p if s.role != "subheading"]
        return len(prose) <= 1 and sum(len(s.text) for s in prose) < SHORT_SECTION_CHARACTERS

    def has_prose(self) -> bool:
        return any(s.role != "subheading" for p in self.paragraphs for s in p)

    def extend(self, other: _Joined, *, keep_heading: bool) -> None:
        """``other`` appended; with ``keep_heading`` its heading becomes a line."""
        if keep_heading:
            line = Sentence(text=other.heading, line=other.line, role="subheading")
            self.paragraphs.append((line,))
        else:
            self.heading, self.line = other.heading, other.line
        self.paragraphs.extend(other.paragraphs)
        self.facts.extend(other.facts)

    def section(self) -> Section:
        return Section(
            heading=self.heading,
            paragraphs=tuple(self.paragraphs),
            facts=tuple(self.facts),
            line=self.line,
        )


def _parse_reference(block: Block) -> Reference | None:
    text = block.text.strip()
    match = _APA.match(text)
    if match:
        date = match.group("date").strip()
        year = _YEAR.search(date)
        return Reference(
            author=match.group("author").strip().rstrip("."),
            date=None if date.lower() in ("n.d.", "n.d", "") else date,
            year=int(year.group(1)) if year else None,
            title=match.group("title").strip().rstrip("."),
            url=match.group("url"),
            line=block.line,
        )
    if block.links:
        # A link entry, optionally "Author: " before the link.
        author, _, title = text.partition(":")
        return Reference(
            author=author.strip() if title else _host(block.links[0]),
            title=(title or text).strip(),
            url=block.links[0],
            line=block.line,
        )
    return None


def _recommendation(block: Block, match: re.Match[str], label: Block | None) -> CallToAction:
    label_source = label.text if label else block.text[: match.start()]
    reason = match.group("reason").strip().rstrip(".").strip() or None
    return CallToAction(
        kind="recommendation",
        label=_strip_symbol(label_source) or f"I recommend @{match.group('handle')}",
        handle=match.group("handle"),
        reason=reason,
        line=label.line if label else block.line,
    )


def _link_call(block: Block) -> CallToAction | None:
    """An emoji-led line pointing at the blog, the About page or the X profile."""
    if not starts_with_symbol(block.text.strip()):
        return None
    label = _strip_symbol(block.text)
    lowered = label.lower()
    kind: Literal["blog", "about", "x_profile"] | None = None
    if "blog" in lowered:
        kind = "blog"
    elif "about" in lowered:
        kind = "about"
    elif re.search(r"\bon x\b|twitter|follow", lowered):
        kind = "x_profile"
    return CallToAction(kind=kind, label=label, line=block.line) if kind else None


def _strip_symbol(text: str) -> str:
    stripped = text.strip()
    while stripped and (starts_with_symbol(stripped) or stripped[0] in "\ufe0f\u200d"):
        stripped = stripped[1:].lstrip()
    return stripped


def _host(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


def _stem_and_folder(path: str) -> tuple[str, str]:
    parts = [part for part in re.split(r"[\\/]", path.split("?", 1)[0]) if part]
    name = parts[-1] if parts else path
    stem = name.rsplit(".", 1)[0] if "." in name else name
    folder = parts[-2] if len(parts) > 1 else ""
    # A page bundle (…/my-post/index.md, index.es.md) is named by its folder.
    if _INDEX_NAMES.match(stem) and folder:
        stem = folder
    return _DATE_PREFIX.sub("", stem), folder


def _readable_name(path: str) -> str:
    stem, _ = _stem_and_folder(path)
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Article"


def _slug(slug: str | None, path: str) -> str:
    name = slug or _stem_and_folder(path)[0]
    cleaned = re.sub(r"[\W_]+", "-", name.lower()).strip("-")
    return cleaned or "article"
