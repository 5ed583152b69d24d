"""Bluesky: the httpx adapter (``client``) and its error translation (``errors``); its
emulator is ``bot.testing.bluesky``. This module stays light: no HTTP client import."""

from __future__ import annotations

import itertools
import time

DEFAULT_PDS_URL = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
# The images embed's maxSize was 1,000,000 until April 2026 (2,000,000 since, in
# lexicons/app/bsky/embed/images.json); a PDS not yet updated still refuses more.
IMAGE_MAX_BYTES = 1_000_000
# app.bsky.feed.getPosts takes at most this many URIs (its lexicon's uris.maxLength).
GET_POSTS_BATCH = 25
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_CLOCK_IDS = itertools.count()


def new_rkey(now: float | None = None) -> str:
    """A fresh record key in TID form (13 base32-sortable characters: microseconds since
    the epoch and a 10-bit clock id), decided and stored *before* a post is sent, so a
    retry of the same post names the same record."""
    micros = int((time.time() if now is None else now) * 1_000_000)
    value = (micros << 10) | (next(_CLOCK_IDS) & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def rkey_of(uri: str) -> str:
    """The record key of an ``at://`` URI (its last segment)."""
    return uri.rsplit("/", 1)[-1]


def post_url(handle: str, post_id: str) -> str:
    """Where people see a post: ``post_id`` is the record's ``at://`` URI or its rkey."""
    return f"https://bsky.app/profile/{handle}/post/{rkey_of(post_id)}"


def same_text(posted: str, ours: str) -> bool:
    """Whether the PDS's copy of a post is our text: a record keeps its text as written."""
    return posted == ours
