"""Property checks for any article's preview: what a follower must never see.

One reusable helper for the hand-written fixtures and the real-posts corpus alike:
:func:`problems` returns a line per broken promise (empty when the threads are clean).

- no markup leaks: Liquid, shortcodes, HTML, Markdown or reST syntax, front matter;
- every word of every tweet occurs in the source or the templates/config;
- every number unchanged (it occurs in the source as written);
- no tweet under 25 (weighted) characters, except a thread's only body;
- the title as expected (front matter or ``h1``);
- at least 60 % of the prose words reach a tweet, unless a section was shortened.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

from threads.length import find_urls, weighted_length
from threads.pipeline import Prepared

ROOT = Path(__file__).resolve().parents[1]
LEAKS = {
    "Liquid/Hugo tag": re.compile(r"\{%|%\}|\{\{|\}\}"),
    "HTML tag": re.compile(r"</?[a-zA-Z][\w-]*(?:\s+[\w-]+(?:=[^\s>]+)?)*\s*/?>|<!--|-->"),
    "Markdown link": re.compile(r"\]\(|\]\[|\[\^"),
    "Markdown heading": re.compile(r"(?m)^#{1,6}\s"),
    "quote marker": re.compile(r"(?m)^>\s"),
    "table row": re.compile(r"(?m)^\s*\|.*\|\s*$|\|\s*:?-{3,}"),
    "emphasis marker": re.compile(r"\*\*\S|\S\*\*"),
    "code span marker": re.compile(r"`[^`\n]+`"),
    "front matter": re.compile(
        r"(?m)^(?:---|\+\+\+)\s*$|^(?:title|layout|date|tags|categories):\s"
    ),
    "reST markup": re.compile(r"(?m)^[=~^\-*#]{4,}\s*$|^\.\. \w|:(?:ref|doc|code):`"),
    "attribute list": re.compile(r"\{:|\{#[\w-]+\}"),
    "MDX import": re.compile(r"(?m)^import\s.+\sfrom\s"),
}
_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_MARKUP = re.compile(r"<[^>\n]+>|[*`~]")
# Code spans show their text literally, so "<regex>" inside one is not a leak (Org's
# verbatim and code are =…= and ~…~).
_CODE_SPAN = re.compile(
    r"`[^`\n]+`|<code>.*?</code>|&lt;[\w-]+&gt;|(?<![\w=])=[^=\s][^=\n]*=(?!\w)|~[^~\s][^~\n]*~"
)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SUPERSCRIPT = re.compile(r"<sup\b[^>]*>([^<]*)</sup>", re.IGNORECASE)
_RAISED = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_NUMBERING = re.compile(r" \d+/\d+$")
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MIN_WEIGHT = 25
MIN_PROSE_SHARE = 0.60


def template_text() -> str:
    """The words templates and the shipped config may add to a tweet."""
    parts = [path.read_text(encoding="utf-8") for path in (ROOT / "templates").glob("*.j2")]
    parts.append((ROOT / "config" / "threadbot.toml").read_text(encoding="utf-8"))
    return "\n".join(parts)


def problems(source: str, prepared: Prepared, *, expected_title: str | None = None) -> list[str]:
    """Every broken promise in ``prepared`` (the preview of ``source``), one line each."""
    found: list[str] = []
    plain_source = html.unescape(source)
    # The source as rendered, roughly: markup next to a word ("**GPIO**s", "3<sup>rd",
    # "the`code`") joins it to its neighbour, as the page shows it; a superscript number
    # shows raised ("10<sup>5</sup>" is 10⁵); an escaped character shows as itself.
    rendered = _MARKUP.sub("", _LINK.sub(r"\1", _SUPERSCRIPT.sub(_raised, plain_source)))
    # A backslash escape shows its character ("expand\_crate" is expand_crate).
    rendered = _ESCAPE.sub(r"\1", rendered)
    code = " ".join(_CODE_SPAN.findall(plain_source))
    templates = template_text()
    article = prepared.article
    if expected_title is not None and article.title != expected_title:
        found.append(f"title {article.title!r}, expected {expected_title!r}")
    tweet_words: Counter[str] = Counter()
    for thread in prepared.threads:
        bodies = [t for t in thread.tweets if t.kind in ("body", "fact")]
        for number, tweet in enumerate(thread.tweets, 1):
            where = f"{thread.id} tweet {number}"
            text = _NUMBERING.sub("", tweet.text)
            without_urls = _without_urls(text)
            if tweet.kind != "closing":
                for name, pattern in LEAKS.items():
                    match = pattern.search(without_urls)
                    if match and match.group(0) not in code:
                        found.append(f"{where}: {name} leaks: {match.group(0)!r}")
                for word in _WORD.findall(without_urls):
                    if word not in plain_source and word not in rendered and word not in templates:
                        found.append(f"{where}: word {word!r} is not in the source")
                for number_text in _NUMBER.findall(without_urls):
                    if not re.search(rf"(?<!\d){re.escape(number_text)}(?!\d)", plain_source):
                        found.append(f"{where}: number {number_text!r} is not in the source")
                tweet_words.update(w.casefold() for w in _WORD.findall(without_urls))
            if (
                tweet.kind in ("body", "fact")
                and weighted_length(text) < MIN_WEIGHT
                and len(bodies) > 1
            ):
                found.append(f"{where}: a crumb of {weighted_length(text)}: {text!r}")
    shortened = any(f.code == "section-shortened" for f in prepared.findings)
    prose_words = Counter(
        w.casefold()
        for section in article.sections
        for sentence in section.sentences
        for w in _WORD.findall(sentence.text)
    )
    total = sum(prose_words.values())
    reached = sum(min(count, tweet_words[word]) for word, count in prose_words.items())
    if total and not shortened and reached / total < MIN_PROSE_SHARE:
        found.append(f"only {reached / total:.0%} of the prose words reach a tweet")
    return found


def _raised(match: re.Match[str]) -> str:
    inner = re.sub(r"[*_]", "", match.group(1)).strip()
    if re.fullmatch(r"[0-9+\-−=()ni]+", inner):
        return inner.translate(_RAISED)
    return match.group(0)


def _without_urls(text: str) -> str:
    for url in find_urls(text):
        text = text.replace(url, " ")
    return text
