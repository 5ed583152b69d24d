"""The registry says what the adapters do: how many posts one metrics request reads."""

from __future__ import annotations

from bot.networks.bluesky import GET_POSTS_BATCH
from bot.networks.registry import network
from bot.networks.x import LOOKUP_BATCH


def test_metrics_batch_is_what_each_adapter_sends() -> None:
    """X's GET /2/tweets takes 100 ids, Bluesky's getPosts 25 URIs, Mastodon one status."""
    assert network("x").metrics_batch == LOOKUP_BATCH == 100
    assert network("bluesky").metrics_batch == GET_POSTS_BATCH == 25
    assert network("mastodon").metrics_batch == 1
