"""The owner's edit of a frozen thread: the file they edit, what they wrote, and the
thread it makes — measured and numbered as a built thread is, so the same validation
judges it.

The file holds one post per block, blocks separated by a line of three dashes
(``---``); lines starting with ``# `` are comments (a hashtag has no space after its
``#``, so a post may start with one). The ``n/N`` numbering is not in the file:
threadbot adds it, so posts can be removed, added or reordered freely.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from threads.building import Thread, Tweet, TweetKind
from threads.length import measure, with_suffix
from threads.networks import LengthRule, XRule
from threads.options import BuildOptions

SEPARATOR = "---"
_COMMENT = re.compile(r"^#( |$)")
_NUMBERING = re.compile(r" \d+/\d+$")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def without_numbering(text: str) -> str:
    """A stored post's text as the owner edits it: without the `` n/N`` threadbot adds."""
    return _NUMBERING.sub("", text)


def edit_file(texts: Sequence[str], header: Sequence[str], notes: Sequence[Sequence[str]]) -> str:
    """The file to edit: ``header`` comment lines, then each post with its ``notes``
    (length, chart) as comments under it."""
    lines = [f"# {line}".rstrip() for line in header]
    for index, text in enumerate(texts):
        if index:
            lines.append(SEPARATOR)
        lines.append(text)
        lines += [f"# {note}" for note in (notes[index] if index < len(notes) else ())]
    return "\n".join(lines) + "\n"


def parse_edit(content: str) -> list[str]:
    """The posts the owner wrote: blocks between ``---`` lines, comments dropped, blank
    blocks ignored (deleting a post's text removes it)."""
    posts: list[str] = []
    block: list[str] = []
    for line in content.splitlines():
        if line.strip() == SEPARATOR:
            posts.append("\n".join(block).strip())
            block = []
        elif not _COMMENT.match(line):
            block.append(line.rstrip())
    posts.append("\n".join(block).strip())
    return [post for post in posts if post]


def figures(text: str) -> tuple[str, ...]:
    """The numbers a post states, in order (a chart stays with the post while these hold)."""
    return tuple(_FIGURE.findall(text))


def edited_thread(
    thread_id: str,
    section_index: int,
    section: str,
    texts: Sequence[str],
    options: BuildOptions,
    rule: LengthRule,
) -> Thread:
    """The thread the owner's ``texts`` make: numbered (when the config numbers), measured
    by the network's rule and priced as a built one, so validation judges it as it
    judges a built thread."""
    on_x = isinstance(rule, XRule)
    total = len(texts)
    tweets = []
    for position, text in enumerate(texts, start=1):
        suffix = f" {position}/{total}" if options.threads.numbering else ""
        final = text + suffix
        weight, urls = with_suffix(text, suffix) if suffix else measure(text)
        if not on_x:
            weight = rule.measure(final)
        kind: TweetKind = "opening" if position == 1 else "body"
        if position == total and urls and total > 1:
            kind = "closing"
        tweets.append(Tweet(kind=kind, text=final, weighted_length=weight, urls=tuple(urls)))
    return Thread(
        id=thread_id,
        section_index=section_index,
        section=section,
        tweets=tuple(tweets),
        cost_usd=options.prices.total(t.has_url for t in tweets) if on_x else 0.0,
    )


def chart_moves(
    old_texts: Sequence[str], new_texts: Sequence[str], charted: Sequence[int]
) -> dict[int, int | None]:
    """Where each chart (by its post's 1-based position) goes: to the new post stating the
    same figures as its old post, or nowhere (None) once those figures changed."""
    moves: dict[int, int | None] = {}
    taken: set[int] = set()
    for position in charted:
        wanted = figures(without_numbering(old_texts[position - 1]))
        moves[position] = next(
            (
                index
                for index, text in enumerate(new_texts, start=1)
                if index not in taken and wanted and figures(text) == wanted
            ),
            None,
        )
        if moves[position] is not None:
            taken.add(moves[position] or 0)
    return moves
