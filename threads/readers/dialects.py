"""Static-site dialects removed from Markdown before it is parsed.

Jekyll/Liquid, Hexo and GitBook/HonKit tags (a ``{% filename %}`` code label goes
with its text), Hugo shortcodes, kramdown attribute lists, MDX (Astro,
Docusaurus) imports, exports and JSX components, container markers (``:::note``,
Quarto's ``::: {.callout-tip}``), MkDocs Material's icon shortcodes
(``:octicons-goal-16:``), admonitions (``!!! note``) and content tabs (``=== "Tab"``,
whose indented content is prose, not code) and attribute lists (``{ #id }``), and
Obsidian/Quartz wikilinks (``[[Page|text]]`` keep their text), embeds (``![[…]]``),
highlights, comments and callout markers are template syntax, not prose: the
generator replaces them when it builds the site, so a tweet must never show them.
Paired constructs keep the prose between them; code highlighting tags become fenced
code (skipped as code). Every substitution keeps the
newlines it removes, so line numbers in messages stay those of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_FLAGS = re.MULTILINE | re.DOTALL

# Jekyll/Liquid: a raw block's content is shown literally, so it is protected from the
# tag removal below and only its markers go.
_LIQUID_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(?P<body>.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_LIQUID_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}", re.DOTALL)
_LIQUID_CODE_OPEN = re.compile(r"\{%-?\s*(?:highlight|codeblock|code|include_code)\b[^%]*-?%\}")
_LIQUID_CODE_CLOSE = re.compile(r"\{%-?\s*end(?:highlight|codeblock|code)\s*-?%\}")
# A tag or output never spans a blank line: a lone "{{" in prose must not swallow
# the paragraphs up to the next "}}".
_WITHIN_PARAGRAPH = r"(?:(?!\n[ \t]*\n).)*?"
# GitBook/HonKit code labels ("{% filename %}.gitignore{% endfilename %}" above a code
# block): the label names the file the code goes in; it is the code's caption, not prose.
_CODE_LABEL = re.compile(r"\{%-?\s*filename\s*-?%\}[^\n{]*\{%-?\s*endfilename\s*-?%\}")
_LIQUID_TAG = re.compile(r"\{%" + _WITHIN_PARAGRAPH + r"%\}", re.DOTALL)
_LIQUID_OUTPUT = re.compile(r"\{\{(?![<%])" + _WITHIN_PARAGRAPH + r"\}\}", re.DOTALL)

# Hugo shortcodes: {{< name … >}}, {{% name … %}}, closing and self-closing forms.
_HUGO_CODE_OPEN = re.compile(
    r"\{\{[<%]\s*(?:highlight|code)\b" + _WITHIN_PARAGRAPH + r"[>%]\}\}", re.DOTALL
)
_HUGO_CODE_CLOSE = re.compile(r"\{\{[<%]\s*/\s*(?:highlight|code)\s*[>%]\}\}")
_HUGO_SHORTCODE = re.compile(
    r"\{\{<" + _WITHIN_PARAGRAPH + r">\}\}|\{\{%" + _WITHIN_PARAGRAPH + r"%\}\}", re.DOTALL
)

# kramdown inline attribute lists ({: .class}, {:toc}) and heading ids ({#quick-start}).
_KRAMDOWN_TOC = re.compile(
    r"^[ \t]*[*-][ \t]+(?:TOC|Table of Contents)[ \t]*\n[ \t]*\{:toc\}", re.M
)
_KRAMDOWN_IAL = re.compile(r"\{:[^}\n]*\}")
_HEADING_ID = re.compile(
    r"^(?P<heading>[ \t]{0,3}#{1,6}[ \t].*?)[ \t]*\{[#.][^}\n]*\}[ \t]*$", re.M
)
_TOC_MARKER = re.compile(r"^[ \t]*(?:\[\[?toc\]\]?|\[TOC\])[ \t]*$", re.M | re.IGNORECASE)

# MDX: ES module lines and JSX components standing on their own lines (a component's
# inner prose stays), and {/* comments */}.
_MDX_IMPORT = re.compile(
    r"^import[ \t]+(?:[^\n]*?[ \t]from[ \t]+)?['\"][^'\"\n]+['\"];?[ \t]*$", re.M
)
_MDX_EXPORT = re.compile(r"^export[ \t]+(?:const|let|var|default|function|async)\b", re.M)
_JSX_LINE = re.compile(r"^[ \t]*</?[A-Z][\w.]*(?:\s[^<>]*?)?/?>[ \t]*$", _FLAGS)
_JSX_COMMENT = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
# Docusaurus/VitePress containers: ":::note Title" … ":::"; Quarto/Pandoc fenced divs
# (":::: {.columns}"), whose callout title heading is a label, not a section: it takes
# the fence's line, so it stands as a paragraph of its own instead of running into the
# callout's first sentence ("A note Callouts keep…").
_CONTAINER_FENCE = re.compile(r"^[ \t]*:::+[ \t]*[\w-]*[^\n]*$", re.M)
_CALLOUT_TITLE = re.compile(
    r"^[ \t]*:::+[ \t]*\{[^}\n]*callout[^}\n]*\}[ \t]*\n#{1,6}[ \t]+(?P<title>[^\n]*)$", re.M
)

# MkDocs Material: icon and emoji shortcodes of its icon sets, admonitions (!!!, ???,
# ???+) and content tabs (=== "Tab") whose body is indented by four spaces.
_MKDOCS_ICON = re.compile(
    r":(?:material|fontawesome|octicons|simple|lucide)-[a-z0-9-]+:(?:\{[^}\n]*\})?"
)
_MKDOCS_BLOCK = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?|===\+?)[ \t]+[^\n]*$", re.M)
# Attribute lists with spaces ({ #id .class }) at a heading's or paragraph's end.
_ATTRIBUTE_LIST = re.compile(r"[ \t]*\{[ \t]*[#.][\w.#=\"' -]*\}[ \t]*$", re.M)

# Obsidian / Quartz: embeds, wikilinks (the alias is the text), ==highlights==,
# %%comments%% and callout markers ("> [!note] Title").
_EMBED = re.compile(r"!\[\[[^\]\n]*\]\]")
_WIKILINK = re.compile(r"\[\[(?P<target>[^\]|\n]*?)(?:\|(?P<alias>[^\]\n]*))?\]\]")
_HIGHLIGHT = re.compile(r"==(?=\S)(?P<text>[^=\n]+?)(?<=\S)==")
_OBSIDIAN_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)
_CALLOUT_MARKER = re.compile(r"^(?P<quote>(?:[ \t]*>)+[ \t]*)\[![\w-]+\][+-]?[ \t]*", re.M)


# A fenced code block by CommonMark's rule: its closing fence is a run of the same
# character at least as long as the opening one, indented by up to three spaces whatever
# the opening fence's indent (" ```" closes "```"), with nothing after it.
_FENCE = re.compile(
    r"^[ \t]{0,3}(?P<fence>(?P<char>[`~])(?P=char){2,})[^\n]*\n"
    r".*?^[ \t]{0,3}(?P=fence)(?P=char)*[ \t]*$",
    re.M | re.S,
)
# A code span (CommonMark: a run of backticks closed by a run of the same length) within
# one paragraph, and the placeholder that stands for it while the dialects go.
_CODE_SPAN = re.compile(
    r"(?<![`\\])(?P<ticks>`+)(?!`)(?P<body>(?:(?!\n[ \t]*\n).)+?)(?<!`)(?P=ticks)(?!`)",
    re.DOTALL,
)
_PLACEHOLDER = re.compile("\ue000(\\d+)\ue001(\n*)")


def strip_dialects(text: str) -> str:
    """``text`` without template syntax, with the same number of lines; fenced code and
    code spans are left as they are (their braces and tags are code, shown as written)."""
    pieces: list[str] = []
    position = 0
    for fence in _FENCE.finditer(text):
        pieces.append(_strip_outside_code_spans(text[position : fence.start()]))
        pieces.append(fence.group(0))
        position = fence.end()
    pieces.append(_strip_outside_code_spans(text[position:]))
    return "".join(pieces)


def _strip_outside_code_spans(text: str) -> str:
    """Code spans stand aside as placeholders (keeping their newlines after them), so no
    dialect pattern reaches inside one (`{{ %` in a span is text, not a template)."""
    if "`" not in text:
        return _strip(text)
    spans: list[str] = []

    def aside(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\ue000{len(spans) - 1}\ue001" + "\n" * match.group(0).count("\n")

    stripped = _strip(_CODE_SPAN.sub(aside, text))

    def back(match: re.Match[str]) -> str:
        span = spans[int(match.group(1))]
        newlines = match.group(2)
        if len(newlines) >= span.count("\n"):  # the span's own newlines, back inside it
            return span + newlines[span.count("\n") :]
        return span.replace("\n", " ") + newlines

    return _PLACEHOLDER.sub(back, stripped)


def _strip(text: str) -> str:
    if "{%" in text or "{{" in text:
        text = _strip_liquid_and_hugo(text)
    if "{:" in text or "{#" in text or "{." in text:
        text = _KRAMDOWN_TOC.sub(_blank, text)
        text = _KRAMDOWN_IAL.sub("", text)
        text = _HEADING_ID.sub(r"\g<heading>", text)
    text = _TOC_MARKER.sub("", text)
    if "import" in text or "export" in text or "<" in text or "{/*" in text:
        text = _MDX_IMPORT.sub("", text)
        text = _strip_exports(text)
        text = _JSX_COMMENT.sub(_blank, text)
        text = _JSX_LINE.sub(_blank, text)
    if ":::" in text:
        text = _CALLOUT_TITLE.sub(r"\g<title>\n", text)
        text = _CONTAINER_FENCE.sub("", text)
    if "!!!" in text or "???" in text or "===" in text:
        text = _mkdocs_blocks(text)
    if ":" in text:
        text = _MKDOCS_ICON.sub("", text)
    if "{" in text:
        text = _ATTRIBUTE_LIST.sub("", text)
    if "[[" in text or "==" in text or "%%" in text or "[!" in text:
        text = _obsidian(text)
    return text


def _mkdocs_blocks(text: str) -> str:
    """An admonition or tab marker line goes; its indented body loses four spaces, so it
    is prose (CommonMark would read it as indented code)."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        match = _MKDOCS_BLOCK.match(lines[index])
        if match is None:
            index += 1
            continue
        lines[index] = ""
        inner = match.group("indent") + "    "
        index += 1
        while index < len(lines) and (lines[index].startswith(inner) or not lines[index].strip()):
            if lines[index].strip():
                lines[index] = match.group("indent") + lines[index][len(inner) :]
            index += 1
    return "\n".join(lines)


def _obsidian(text: str) -> str:
    text = _OBSIDIAN_COMMENT.sub(_blank, text)
    text = _EMBED.sub("", text)
    text = _WIKILINK.sub(_wikilink_text, text)
    text = _HIGHLIGHT.sub(r"\g<text>", text)
    return _CALLOUT_MARKER.sub(r"\g<quote>", text)


def _wikilink_text(match: re.Match[str]) -> str:
    """``[[Page#Heading|alias]]`` reads as its alias, else the page (``Guides/CLI`` → CLI)."""
    alias = match.group("alias")
    if alias and alias.strip():
        return alias.strip()
    target, _, heading = match.group("target").partition("#")
    parts = [part for part in target.strip().split("/") if part and part != "index"]
    return parts[-1].strip() if parts else heading.strip()


def _strip_liquid_and_hugo(text: str) -> str:
    pieces: list[str] = []
    position = 0
    for raw in _LIQUID_RAW.finditer(text):
        pieces.append(_strip_tags(text[position : raw.start()]))
        pieces.append(raw.group("body"))
        position = raw.end()
    pieces.append(_strip_tags(text[position:]))
    return "".join(pieces)


def _strip_tags(text: str) -> str:
    steps: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
        (_LIQUID_COMMENT, _blank),
        (_CODE_LABEL, _blank),
        (_LIQUID_CODE_OPEN, "```"),
        (_LIQUID_CODE_CLOSE, "```"),
        (_HUGO_CODE_OPEN, "```"),
        (_HUGO_CODE_CLOSE, "```"),
        (_HUGO_SHORTCODE, _blank),
        (_LIQUID_TAG, _blank),
        (_LIQUID_OUTPUT, _blank),
    ]
    for pattern, replacement in steps:
        text = pattern.sub(replacement, text)
    return text


def _strip_exports(text: str) -> str:
    """Remove ``export …`` statements, following braces over several lines."""
    match = _MDX_EXPORT.search(text)
    while match:
        depth = 0
        end = match.start()
        for end in range(match.start(), len(text)):
            char = text[end]
            if char in "{([":
                depth += 1
            elif char in "})]":
                depth -= 1
            elif char == "\n" and depth <= 0:
                break
        else:
            end = len(text)
        text = text[: match.start()] + _blank_text(text[match.start() : end]) + text[end:]
        match = _MDX_EXPORT.search(text, match.start() + 1)
    return text


def _blank(match: re.Match[str]) -> str:
    return _blank_text(match.group(0))


def _blank_text(text: str) -> str:
    return "\n" * text.count("\n")
