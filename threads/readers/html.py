"""HTML posts: a saved page, or one fetched by the runtime from a URL.

Main content only. The post's container is found by the markup blogs use for it —
schema.org ``articleBody``, microformats ``h-entry``/``e-content``, ``<article>``,
``<main>`` — and inside it navigation, sidebars, headers and footers, tables of
contents, share and "related" boxes, figures and forms are dropped before any text is
read. A ``<sup>`` reads as :mod:`.superscripts` says: a footnote reference (a link to
``#fn1``) goes, ``10<sup>5</sup>`` is "10⁵". Markdown footnotes a generator left
unrendered (``rows[^1]``, ``<p>[^1]: …</p>``) are footnotes too: the reference goes, the
note is left out. Parsed with selectolax (lexbor): measured
on the saved pages of the test corpus against trafilatura (see README), it kept the
same prose, keeps headings and list structure, and imports in ~15 ms against
trafilatura's ~250 ms.

Metadata: title from ``og:title``, else the article's ``h1`` (when the page has several,
only one that ``<title>`` names), else ``<title>`` without its site suffix; date from
``article:published_time``, JSON-LD ``datePublished`` or ``<time datetime>``; the
canonical URL (``<link rel=canonical>``, else ``og:url``) is the article link; language
from ``<html lang>``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from threads.outline import Block, BlockKind, Metadata, Outline
from threads.readers.front_matter import language_code, parse_date
from threads.readers.superscripts import superscript

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

_CONTAINERS = (
    "[itemprop=articleBody]",
    ".h-entry .e-content",
    ".e-content",
    "article .post-content",
    "article .entry-content",
    "article",
    "main",
    "[role=main]",
    ".post-content",
    ".entry-content",
    "#content",
    ".content",
)
_CHROME = (
    "nav, aside, header, footer, form, script, style, noscript, template, svg, button, iframe, "
    "figure, figcaption, img, video, audio, canvas, object, dialog, select, input, textarea, "
    "[role=navigation], [role=complementary], [role=contentinfo], [aria-hidden=true], "
    ".toc, #toc, .table-of-contents, #TableOfContents, .sidebar, .share, .sharing, "
    ".social, .related, .related-posts, .comments, #comments, .post-meta, .post-tags, "
    ".tags, .breadcrumb, .breadcrumbs, .pagination, .pager, .newsletter, .subscribe, "
    ".footnotes, .footnote-definition, sup.footnote-ref, a.footnote-ref, .anchor, "
    ".headerlink, .header-anchor, .sr-only, .visually-hidden, .katex-mathml, "
    "[role=doc-bibliography], [role=doc-endnotes], .references, .bibliography, "
    ".csl-bib-body, .quarto-appendix, #quarto-appendix, .citation"
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SKIPPED = {"pre": "code blocks", "table": "tables", "math": "formulas"}
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "blockquote", "ul", "ol", "li", "dl", "dt", "dd"}
    | {"header", "details", "summary", "center", "hr", "body", "address", "hgroup"}
    | set(_HEADINGS)
    | set(_SKIPPED)
)
# Elements whose text is prose as written; bare text elsewhere must look like prose.
_PROSE_ELEMENTS = frozenset({"p", "li", "blockquote", "dd", "dt", "summary"})
_PROSE_END = re.compile(r"[.!?:;。！？…][\"”’)\]]*$")
_TITLE_SUFFIX = re.compile(r"\s+[|·–—-]\s+[^|·–—-]+$")
# Markdown footnote syntax a generator left as text ("rows[^1]", "<p>[^1]: note</p>").
_NOTE_REFERENCE = re.compile(r"\[\^[\w.-]{1,40}\]")
_NOTE_DEFINITION = re.compile(r"\[\^[\w.-]{1,40}\]:")
_CODE = frozenset({"code", "kbd", "samp", "tt", "var"})
# A footnote reference's text: "1", "[2]", "*", "†".
_MARKER = re.compile(r"\s*\[?\s*(?:\d{1,3}|[*†‡§]+)\s*\]?\s*")


def read_html(text: str, path: str) -> Outline:
    """The outline of an HTML page's main content."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)
    meta = _metadata(tree)
    container = _container(tree)
    outline = Outline(path=path, source_text=text, blocks=[], meta=meta)
    if container is None:
        return outline
    for node in container.css(_CHROME):
        node.decompose()
    _Walker(outline, text).walk(container, prose=False)
    return outline


def _container(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in _CONTAINERS:
        nodes = tree.css(selector)
        if nodes:
            # A listing page has several <article>s: the post is the longest.
            return max(nodes, key=lambda node: len(node.text(deep=True)))
    return tree.body


class _Walker:
    """Collect blocks in document order; inline runs become paragraphs."""

    def __init__(self, outline: Outline, source: str) -> None:
        self.outline = outline
        self.source = source
        self.buffer: list[str] = []
        self.links: list[str] = []
        self.outside_link = False
        self.search_from = 0
        # Nothing but whitespace in the buffer yet (kept as text comes, not re-joined).
        self.blank = True

    def add(self, text: str) -> None:
        self.buffer.append(text)
        self.blank = self.blank and not text.strip()

    def walk(self, node: LexborNode, item: bool = False, prose: bool = True) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                content = self.without_note_references(child.text_content or "")
                self.add(content)
                self.outside_link = self.outside_link or bool(content.strip())
            elif tag in _SKIPPED:
                self.flush(item, prose)
                self.outline.skipped[_SKIPPED[tag]] += 1
            elif tag in _HEADINGS:
                self.flush(item, prose)
                self.heading(child, _HEADINGS[tag])
            elif tag == "li":
                self.flush(item, prose)
                self.walk(child, item=True)
                self.flush(True)
            elif tag in _BLOCKS:
                self.flush(item, prose)
                self.walk(
                    child, item=item and tag not in ("ul", "ol"), prose=tag in _PROSE_ELEMENTS
                )
                self.flush(item, prose=tag in _PROSE_ELEMENTS)
            elif tag == "br":
                self.add(" ")
            elif tag == "a":
                href = (child.attributes.get("href") or "").strip()
                text = child.text(deep=True, separator="")
                if href.startswith("#") and child.css_first("sup") and _MARKER.fullmatch(text):
                    continue  # a footnote reference: <a href="#fn1"><sup>1</sup></a>
                if href.startswith(("http://", "https://")):
                    self.links.append(href)
                self.add(text)
            elif tag == "sup":
                self.add(self.superscript(child))
            elif tag is not None and not tag.startswith("-"):
                self.walk_inline(child)
        self.flush(item, prose=prose or item)

    def walk_inline(self, node: LexborNode) -> None:
        """Inline markup (em, code, span…): its text, unless it hides a block inside."""
        if any(child.tag in _BLOCKS for child in node.iter()):
            self.walk(node)
        else:
            content = node.text(deep=True, separator="")
            if node.tag not in _CODE:
                content = self.without_note_references(content)
            self.add(content)
            self.outside_link = self.outside_link or bool(content.strip())

    def without_note_references(self, content: str) -> str:
        """Markdown footnotes a generator left unrendered: "[^1]" references in the text
        go; a paragraph opening with "[^1]:" is the note itself (left out at flush)."""
        if "[^" not in content:
            return content
        if self.blank and _NOTE_DEFINITION.match(content.lstrip()):
            return content
        return _NOTE_REFERENCE.sub("", content)

    def superscript(self, node: LexborNode) -> str:
        """A ``<sup>`` as :mod:`.superscripts` reads it (a footnote reference goes)."""
        text = node.text(deep=True, separator="")
        other = text
        fragments = 0
        for link in node.css("a"):
            if (link.attributes.get("href") or "").strip().startswith("#"):
                fragments += 1
                other = other.replace(link.text(deep=True, separator=""), "", 1)
        return superscript(
            text,
            fragment_links=fragments,
            other_text=other,
            at_start=self.blank,
        )

    def flush(self, item: bool, prose: bool = False) -> None:
        """End the current inline run; bare text outside <p> must look like a sentence
        (a byline such as "May 3, 2023 - Name" does not)."""
        text = " ".join("".join(self.buffer).split())
        self.buffer.clear()
        self.blank = True
        if _NOTE_DEFINITION.match(text):
            self.outline.skipped["footnotes"] += 1
            text = ""
        if text and not (prose or item) and not _PROSE_END.search(text) and len(text.split()) < 12:
            text = ""
        if text:
            kind: BlockKind = "source" if text.lower().startswith("source:") else "text"
            self.outline.blocks.append(
                Block(
                    "item" if item and kind == "text" else kind,
                    text,
                    self.line_of(text),
                    tuple(self.links),
                    link_only=bool(self.links) and not self.outside_link,
                )
            )
        self.links.clear()
        self.outside_link = False

    def heading(self, node: LexborNode, level: int) -> None:
        text = " ".join(node.text(deep=True, separator="").split())
        if text:
            self.outline.blocks.append(Block("heading", text, self.line_of(text), level=level))

    def line_of(self, text: str) -> int:
        """The source line where ``text`` starts, when its first words are found as written."""
        probe = text[:24]
        found = self.source.find(probe, self.search_from)
        if found < 0:
            return 0
        self.search_from = found
        return self.source.count("\n", 0, found) + 1


def _metadata(tree: LexborHTMLParser) -> Metadata:
    def meta(*selectors: str) -> str | None:
        for selector in selectors:
            node = tree.css_first(selector)
            if node is not None:
                value = node.attributes.get("content") or node.attributes.get("href")
                if value and value.strip():
                    return " ".join(value.split())
        return None

    linked = _json_ld(tree)
    h1 = tree.css_first("article h1") or tree.css_first("main h1") or tree.css_first("h1")
    heading = " ".join(h1.text(deep=True).split()) if h1 is not None else None
    shared = meta("meta[property='og:title']", "meta[name='twitter:title']")
    # og:title often carries the site's name too; the h1 it contains is the post's.
    if shared and heading and heading.casefold() in shared.casefold():
        shared = heading
    title_node = tree.css_first("title")
    page_title = (
        _TITLE_SUFFIX.sub("", " ".join(title_node.text().split())) or None
        if title_node is not None
        else None
    )
    # Several h1s are section headings ("Quote of the Week"), unless <title> names the
    # first; otherwise <title>, less its " · Site" suffix, is the post's.
    if (
        heading
        and page_title
        and len(tree.css("h1")) > 1
        and heading.casefold() not in page_title.casefold()
    ):
        heading = None
    title = shared or _text_or_none(linked.get("headline")) or heading or page_title
    time_node = tree.css_first("article time[datetime]") or tree.css_first("time[datetime]")
    date = parse_date(
        meta("meta[property='article:published_time']", "meta[itemprop=datePublished]")
        or linked.get("datePublished")
        or (time_node.attributes.get("datetime") if time_node is not None else None)
        or meta("meta[name=date]", "meta[name='dc.date']")
    )
    html = tree.css_first("html")
    tags = tuple(
        value
        for node in tree.css("meta[property='article:tag']")
        if (value := (node.attributes.get("content") or "").strip())
    )
    return Metadata(
        title=title,
        url=meta("link[rel=canonical]", "meta[property='og:url']"),
        date=date,
        tags=tags,
        language=language_code(html.attributes.get("lang") if html is not None else None),
        description=meta("meta[name=description]", "meta[property='og:description']"),
    )


def _json_ld(tree: LexborHTMLParser) -> dict[str, object]:
    """The first schema.org article object in the page's JSON-LD, if any."""
    for node in tree.css("script[type='application/ld+json']"):
        try:
            data = json.loads(node.text())
        except ValueError:
            continue
        if not isinstance(data, dict | list):
            continue
        candidates = data if isinstance(data, list) else data.get("@graph", [data])
        for candidate in candidates if isinstance(candidates, list) else []:
            if isinstance(candidate, dict) and "Posting" in str(candidate.get("@type", "")):
                return candidate
            if isinstance(candidate, dict) and candidate.get("@type") == "Article":
                return candidate
    return {}


def _text_or_none(value: object) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None
