"""@handles in an article are X mentions only when the owner allows them.

A post written for a blog names people by their handles elsewhere (GitHub's ``@bep``),
and X would notify whoever owns that name on X. So a handle the config does not allow
(``[site] recommendations``, ``[mentions] allow``, or the article's own "I recommend
@…" line) is posted without its ``@`` — X links nothing — and a finding lists them.
The pattern follows twitter-text: no letter, digit or ``@`` before the sign, and never
inside a URL.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from threads.urls import find_url_spans

_MENTION = re.compile(
    r"(?<![A-Za-z0-9_!#$%&*@＠])[@＠](?P<handle>[A-Za-z0-9_]{1,20})(?![A-Za-z0-9_@＠]|://)"
)


def unlinked_mentions(text: str, allowed: Collection[str]) -> list[str]:
    """The handles in ``text`` (as ``@name``) that ``allowed`` (lower-case, no @) lacks."""
    return [f"@{handle}" for _, handle in _mentions(text, allowed)]


def unlink_mentions(text: str, allowed: Collection[str]) -> str:
    """``text`` with the sign of every handle ``allowed`` lacks removed."""
    for start, _ in reversed(_mentions(text, allowed)):
        text = text[:start] + text[start + 1 :]
    return text


def _mentions(text: str, allowed: Collection[str]) -> list[tuple[int, str]]:
    if "@" not in text and "＠" not in text:
        return []
    spans = find_url_spans(text)
    found = []
    for match in _MENTION.finditer(text):
        if any(span.start <= match.start() < span.end for span in spans):
            continue
        handle = match.group("handle")
        if handle.lower() not in allowed:
            found.append((match.start(), handle))
    return found
