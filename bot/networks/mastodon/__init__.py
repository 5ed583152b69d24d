"""Mastodon: the httpx adapter (``client``) and its error translation (``errors``); its
emulator is ``bot.testing.mastodon``. This module stays light: no HTTP client import."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser


def post_url(instance_url: str, username: str, post_id: str) -> str:
    """Where people see a status on its home instance."""
    return f"{instance_url.rstrip('/')}/@{username}/{post_id}"


class _StatusText(HTMLParser):
    """A status's HTML ``content`` as the text that was posted: paragraphs and breaks as
    newlines, each link as its target (Mastodon shows a shortened URL between invisible
    spans), mentions and hashtags as their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._paragraphs = 0
        self._in_link = 0  # inside a plain link: its text is the href already written

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "p":
            if self._paragraphs:
                self.parts.append("\n\n")
            self._paragraphs += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            classes = (values.get("class") or "").split()
            if self._in_link or "mention" in classes or "hashtag" in classes:
                self._in_link += bool(self._in_link)
                return
            self.parts.append(values.get("href") or "")
            self._in_link = 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._in_link:
            self._in_link -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_link:
            self.parts.append(data)


def plain_text(content: str) -> str:
    """A status's HTML ``content`` as the text that was posted (links as their targets)."""
    parser = _StatusText()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts)


def parse_time(value: str | None) -> dt.datetime | None:
    return None if not value else dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def same_text(posted: str, ours: str) -> bool:
    """Whether an instance's copy of a status (:func:`plain_text` of its ``content``) is
    our text: whitespace folded, ``@user@domain`` shown as ``@user``, every link compared
    by its target — never masked (two closings differing in ``utm_content`` differ)."""

    def normal(text: str) -> str:
        return " ".join(re.sub(r"(?<![\w/])@(\w+)@[\w.-]*\w", r"@\1", text).split())

    return normal(posted) == normal(ours)
