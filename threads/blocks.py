"""The format-neutral outline both parsers produce, and its assembly into an Article.

A parser only decides what each piece of the file *is* (heading, prose, a ``Source:``
line, a list item) and where it stands; this module decides what it *means*: sections,
the reference list, calls to action, facts. So both formats get the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from threads.article import Article, CallToAction, Reference, Section, Sentence
from threads.errors import ArticleError
from threads.facts import extract_facts
from threads.sentences import split_sentences

BlockKind = Literal["heading", "text", "item", "source"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    line: int
    # Markdown link targets found in the block, for reference entries written as links.
    links: tuple[str, ...] = ()


@dataclass
class Outline:
    """What a parser hands over: blocks in file order plus any front-matter metadata."""

    path: str
    source_text: str
    blocks: list[Block]
    title: str | None = None
    url: str | None = None
    date: dt.date | None = None
    tags: tuple[str, ...] = ()
    drop_title_heading: bool = False


_REFERENCES_HEADING = re.compile(r"^\W*(references|sources|bibliography)\s*:?\s*$", re.IGNORECASE)
_APA = re.compile(
    r"^(?P<author>.+?)\.?\s+\((?P<date>n\.\s?d\.?|\d{4}[^)]*)\)\.\s+"
    r"(?P<title>.+?)\s*(?P<url>https?://\S+?)\.?$"
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_RECOMMEND = re.compile(r"\bI recommend @(?P<handle>[A-Za-z0-9_]{1,15})\b(?P<reason>.*)$")
_INTRO_PREFIX = re.compile(r"^(introduction|intro|overview)\s*[:—–-]\s*", re.IGNORECASE)


def starts_with_symbol(text: str) -> bool:
    """Emoji-led lines (📚, 📁, 🔎 …) open the reference list and calls to action."""
    return bool(text) and unicodedata.category(text[0]) == "So"


def assemble(outline: Outline) -> Article:
    """Build the Article from an outline: sections, references, calls to action, facts."""
    sections: list[tuple[Block, list[list[Block]], list[Block]]] = []
    references: list[Reference] = []
    calls: list[CallToAction] = []
    mode: Literal["body", "references", "calls"] = "body"
    pending_label: Block | None = None

    blocks = list(outline.blocks)
    if outline.drop_title_heading and blocks and blocks[0].kind == "heading":
        blocks = blocks[1:]

    for block in blocks:
        if _REFERENCES_HEADING.match(block.text) and block.kind in ("heading", "text"):
            mode = "references"
            continue
        if mode in ("references", "calls") or (mode == "body" and _is_call(block)):
            reference = _parse_reference(block) if mode == "references" else None
            if reference is not None:
                references.append(reference)
                continue
            mode = "calls"
            call = _parse_call(block, pending_label)
            if call is None:
                pending_label = block
                continue
            pending_label = None
            calls.append(call)
            continue
        if block.kind == "heading":
            sections.append((block, [], []))
            continue
        if not sections:
            title = outline.title or outline.path
            sections.append((Block("heading", title, block.line), [], []))
        _, paragraphs, sources = sections[-1]
        if block.kind == "source":
            sources.append(block)
        else:
            paragraphs.append([block])

    built = [
        _build_section(heading, paragraphs, sources, references)
        for heading, paragraphs, sources in sections
    ]
    built = [section for section in built if section.paragraphs]
    if not built:
        raise ArticleError(
            outline.path,
            "no sections found: write a short heading line followed by paragraphs",
        )
    title = outline.title or _INTRO_PREFIX.sub("", built[0].heading)
    slug = _slugify(outline.path.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    return Article(
        path=outline.path,
        slug=slug,
        title=title,
        url=outline.url,
        date=outline.date,
        tags=outline.tags,
        sections=tuple(built),
        references=tuple(references),
        calls_to_action=tuple(calls),
        source_text=outline.source_text,
    )


def _is_call(block: Block) -> bool:
    return starts_with_symbol(block.text) or bool(_RECOMMEND.search(block.text))


def _build_section(
    heading: Block,
    paragraphs: list[list[Block]],
    sources: list[Block],
    references: list[Reference],
) -> Section:
    sentence_paragraphs = tuple(
        tuple(
            Sentence(text=text, line=block.line)
            for block in paragraph
            for text in split_sentences(block.text)
        )
        for paragraph in paragraphs
    )
    sentence_paragraphs = tuple(p for p in sentence_paragraphs if p)
    source_names = [(block.line, block.text.split(":", 1)[1].strip()) for block in sources]
    facts = extract_facts([s for p in sentence_paragraphs for s in p], source_names, references)
    return Section(
        heading=heading.text.strip(),
        paragraphs=sentence_paragraphs,
        facts=tuple(facts),
        line=heading.line,
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
        # A Markdown link entry, optionally "Author: " before the link.
        author, _, title = text.partition(":")
        return Reference(
            author=author.strip() if title else _host(block.links[0]),
            title=(title or text).strip(),
            url=block.links[0],
            line=block.line,
        )
    return None


def _parse_call(block: Block, pending_label: Block | None) -> CallToAction | None:
    text = block.text.strip()
    recommend = _RECOMMEND.search(text)
    if recommend:
        label_source = pending_label.text if pending_label else text[: recommend.start()]
        reason = recommend.group("reason").strip().rstrip(".").strip() or None
        return CallToAction(
            kind="recommendation",
            label=_strip_symbol(label_source) or f"I recommend @{recommend.group('handle')}",
            handle=recommend.group("handle"),
            reason=reason,
            line=block.line,
        )
    label = _strip_symbol(text)
    lowered = label.lower()
    if "blog" in lowered:
        return CallToAction(kind="blog", label=label, line=block.line)
    if "about" in lowered:
        return CallToAction(kind="about", label=label, line=block.line)
    if re.search(r"\bon x\b|twitter|follow", lowered):
        return CallToAction(kind="x_profile", label=label, line=block.line)
    return None


def _strip_symbol(text: str) -> str:
    stripped = text.strip()
    while stripped and (starts_with_symbol(stripped) or stripped[0] in "\ufe0f\u200d"):
        stripped = stripped[1:].lstrip()
    return stripped


def _host(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0]
    return host.removeprefix("www.")


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "article"
