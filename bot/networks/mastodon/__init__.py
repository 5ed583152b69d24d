"""Mastodon: the local API emulator (``emulator``, ``python -m bot.networks.mastodon.emulator``)
and the httpx adapter (``client``). This module stays light: no HTTP client import."""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]+>")
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p>")


def post_url(instance_url: str, username: str, post_id: str) -> str:
    """Where people see a status on its home instance."""
    return f"{instance_url.rstrip('/')}/@{username}/{post_id}"


def plain_text(content: str) -> str:
    """A status's HTML ``content`` as text: paragraphs and line breaks as newlines."""
    return html.unescape(_TAG.sub("", _BREAK.sub("\n", content)))


def same_text(posted: str, ours: str) -> bool:
    """Whether an instance's copy of a status (HTML ``content``) is our text.

    Mastodon wraps paragraphs in ``<p>``, links URLs and mentions (shortening what it
    shows of a long URL) and shows ``@user@domain`` as ``@user``, so text is compared
    with whitespace folded, each URL as one token and mentions without their domain."""

    def normal(text: str) -> str:
        text = re.sub(r"https?://\S+", "<url>", text)
        return " ".join(re.sub(r"(?<![\w/])@(\w+)@[\w.-]*\w", r"@\1", text).split())

    return normal(plain_text(posted)) == normal(ours)
