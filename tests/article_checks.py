"""Property checks for any article's preview: what a follower must never see.

One reusable helper for the hand-written fixtures and the real-posts corpus alike:
:func:`problems` returns a line per broken promise (empty when the threads are clean).

- no markup leaks: Liquid, shortcodes, HTML, Markdown or reST syntax, front matter;
- every word of every tweet occurs in the source or the templates/config;
- every number unchanged (it occurs in the source as written);
- no tweet under 25 (weighted) characters, except a thread's only body;
- the title as expected (front matter or ``h1``);
- at least 60 % of the prose words reach a tweet, unless a section was chosen from,
  shortened or skipped.

:func:`selection_problems` adds what choosing promises (``overflow = "select"``): no
thread over ``max_tweets``; kept sentences in the author's order; a sentence that leans
on the one before (This/It/However…) only with that one, and a paragraph entered only at
its start; every fact of a chosen-from
section when there is room for all of them; no table-of-contents thread.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

from threads.length import find_urls, weighted_length
from threads.markers import is_contents_heading, leans_on_previous
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
    "attribute list": re.compile(r"\{:|\{#[\w-]+\}|\{(?:[.#][\w-]+|[\w-]+=)[^}\n]*\}"),
    "MDX import": re.compile(r"(?m)^import\s.+\sfrom\s"),
}
_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_MARKUP = re.compile(r"<[^>\n]+>|[*`~]")
# Hugo shortcodes around a word ({{% ruby "pride" %}}矜持{{% /ruby %}}) render as the word.
_SHORTCODE = re.compile(r"\{\{[%<].*?[%>]\}\}")
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


def _escaped_in(match: re.Match[str], source: str) -> bool:
    """Whether the source writes this markup escaped ("&lt;T&gt;", shown as "<T>")."""
    escaped = html.escape(match.group(0), quote=False)
    return escaped != match.group(0) and escaped in source


def problems(source: str, prepared: Prepared, *, expected_title: str | None = None) -> list[str]:
    """Every broken promise in ``prepared`` (the preview of ``source``), one line each."""
    found: list[str] = []
    plain_source = html.unescape(source)
    # The source as rendered, roughly: markup next to a word ("**GPIO**s", "3<sup>rd",
    # "the`code`") joins it to its neighbour, as the page shows it; a superscript number
    # shows raised ("10<sup>5</sup>" is 10⁵); an escaped character shows as itself.
    rendered = _MARKUP.sub(
        "", _LINK.sub(r"\1", _SUPERSCRIPT.sub(_raised, _SHORTCODE.sub("", plain_source)))
    )
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
                    # An escaped "&lt;T&gt;" in the source shows as "<T>": text, not a tag.
                    if match and match.group(0) not in code and not _escaped_in(match, source):
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
    whole = {t.section_index for t in prepared.threads if t.chosen_sentences >= t.section_sentences}
    prose_words = Counter(
        w.casefold()
        for index, section in enumerate(article.sections, start=1)
        if index in whole
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


def _thread_text(thread) -> str:  # type: ignore[no-untyped-def]
    # Without the numbering, and without "@": a handle not allowed is posted without it.
    return "\n".join(_NUMBERING.sub("", tweet.text) for tweet in thread.tweets).replace("@", "")


def selection_problems(prepared: Prepared, max_tweets: int) -> list[str]:
    """What choosing promises, checked from the outside (see the module docstring)."""
    from threads.selection import heading_keys, units, with_antecedents

    found: list[str] = []
    article = prepared.article
    headings = heading_keys(article)
    for thread in prepared.threads:
        if len(thread.tweets) > max_tweets:
            found.append(f"{thread.id}: {len(thread.tweets)} tweets, over {max_tweets}")
        if thread.kind != "section":
            continue
        section = article.sections[thread.section_index - 1]
        if is_contents_heading(section.heading):
            found.append(f"{thread.id}: a table-of-contents thread")
        # Whitespace aside: a sentence longer than a tweet is cut across tweets.
        text = "".join(_thread_text(thread).split())
        sentences = [
            s.model_copy(update={"text": "".join(s.text.replace("@", "").split())})
            for s in section.sentences
            if s.role != "subheading"
        ]
        # In the author's order: each sentence found after the one kept before it.
        cursor = 0
        present: list[bool] = []
        for sentence in sentences:
            at = text.find(sentence.text, cursor)
            # A text the section holds twice (a list item repeated) has no one position.
            inside_another = any(
                sentence.text in other.text and other is not sentence for other in sentences
            )
            if at < 0 and sentence.text in text[:cursor] and not inside_another:
                found.append(f"{thread.id}: {sentence.text[:60]!r} out of the author's order")
            present.append(at >= 0 or (sentence.text in text and inside_another))
            if at >= 0 and not inside_another:  # inside another, its place is that one's
                cursor = at + len(sentence.text)
        section_texts = [s.text for s in section.sentences if s.role != "subheading"]
        kept = [s for s, here in zip(sentences, present, strict=True) if here]
        if not kept:
            continue
        lead = kept[0]
        paragraph_of = [n for n, paragraph in enumerate(section.paragraphs) for _ in paragraph]
        prose_paragraph = [
            paragraph_of[i] for i, s in enumerate(section.sentences) if s.role != "subheading"
        ]
        roles = [s.role for s in section.sentences if s.role != "subheading"]
        repeated = Counter(s.text for s in sentences)
        for number, (sentence, here) in enumerate(zip(sentences, present, strict=True)):
            if not here or not number or sentence is lead or present[number - 1]:
                continue
            if repeated[sentence.text] > 1 or any(
                sentence.text in other.text and other is not sentence for other in sentences
            ):
                continue  # a text the section holds twice: which one is kept is not known
            if leans_on_previous(section_texts[number], article.language):
                found.append(
                    f"{thread.id}: {sentence.text[:60]!r} is kept without the sentence it leans on"
                )
            elif (
                roles[number] == "prose" and prose_paragraph[number] == prose_paragraph[number - 1]
            ):
                found.append(
                    f"{thread.id}: {sentence.text[:60]!r} enters its paragraph in the middle"
                )
        if thread.chosen_sentences < thread.section_sentences:
            found_units = units(section, article, headings)
            by_position = {unit.position: unit for unit in found_units}
            allowed = {unit.position for unit in found_units if not unit.unshowable}
            # A fact that leans (in a chain) on what cannot be shown cannot be kept either;
            # one is kept with what it leans on (its paragraph before it), so the facts
            # have room when they and those sentences fill at most the middle tweets' room
            # at the fill the splitter reaches (75 %).
            showable: list[str] = []
            needed: set[int] = set()
            for unit in found_units:
                chain = with_antecedents(unit.position, by_position, allowed)
                if unit.fact and not unit.unshowable and chain is not None:
                    showable.append(unit.text.replace("@", ""))
                    needed |= chain
            weight = sum(weighted_length(by_position[p].text) for p in needed)
            if len(showable) <= max_tweets - 2 and weight <= (max_tweets - 2) * 280 * 0.75:
                for fact in showable:
                    if "".join(fact.split()) not in text:
                        found.append(f"{thread.id}: the fact {fact[:60]!r} was left out")
    return found
