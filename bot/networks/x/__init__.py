"""X: the tweepy adapter (``client``) with its error translation (``errors``), the
in-memory fake (``fake``) and the local X API v2 emulator (``emulator``,
``python -m bot.networks.x.emulator``). This module stays light: no tweepy import."""

from __future__ import annotations

import html
import re

DEFAULT_API_URL = "https://api.twitter.com"
_URL = re.compile(r"https?://\S+")


def post_url(username: str, post_id: str) -> str:
    return f"https://x.com/{username}/status/{post_id}"


def same_text(posted: str, ours: str) -> bool:
    """Whether X's copy of a post is our text: X swaps URLs for t.co links and escapes &."""

    def normal(text: str) -> str:
        return " ".join(_URL.sub("<url>", html.unescape(text)).split())

    return normal(posted) == normal(ours)
