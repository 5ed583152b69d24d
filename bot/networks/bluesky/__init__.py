"""Bluesky: the local PDS emulator (``emulator``, ``python -m bot.networks.bluesky.emulator``)
and the httpx adapter (``client``). This module stays light: no HTTP client import."""

from __future__ import annotations

DEFAULT_PDS_URL = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"


def rkey_of(uri: str) -> str:
    """The record key of an ``at://`` URI (its last segment)."""
    return uri.rsplit("/", 1)[-1]


def post_url(handle: str, post_id: str) -> str:
    """Where people see a post: ``post_id`` is the record's ``at://`` URI or its rkey."""
    return f"https://bsky.app/profile/{handle}/post/{rkey_of(post_id)}"


def same_text(posted: str, ours: str) -> bool:
    """Whether the PDS's copy of a post is our text: a record keeps its text as written."""
    return posted == ours
