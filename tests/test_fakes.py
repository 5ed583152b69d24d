"""FakeX, the in-memory X the decision tests post through: deleting and reading metrics
as the adapter does (one call per 100 posts, private metrics for young posts only)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.errors import MetricsRefusedError, NetworkUnavailableError
from bot.networks import PostMetrics
from bot.testing.fakes import FakeX

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_delete_is_true_once_then_false() -> None:
    x = FakeX()
    post = x.create_post("bye", None)
    assert x.delete_post(post) is True
    assert x.delete_post(post) is False
    assert x.posts == []
    assert x.count("delete_post") == 2


def test_delete_faults_before_and_after_accepting() -> None:
    """fail_next(call="delete_post") aims at deletes; after_accept deletes, then raises."""
    x = FakeX()
    first, second = x.create_post("one", None), x.create_post("two", None)
    x.fail_next(NetworkUnavailableError("500"), call="delete_post")
    x.fail_next(NetworkUnavailableError("dropped"), call="delete_post", after_accept=True)
    with pytest.raises(NetworkUnavailableError, match="500"):
        x.delete_post(first)
    with pytest.raises(NetworkUnavailableError, match="dropped"):
        x.delete_post(second)
    assert [p.id for p in x.posts] == [first]
    assert x.create_post("three", None)  # create_post's own faults are untouched


def test_metrics_per_hundred_posts_with_private_counts_for_young_posts() -> None:
    """250 posts are three calls; private metrics say impressions and, where there is a
    link, link clicks; a deleted post is absent."""
    clock = [NOW]
    x = FakeX(clock=lambda: clock[0])
    posts = [x.create_post(f"post {n} https://blog.gonogo.kr/{n}", None) for n in range(250)]
    x.set_metrics(posts[0], impressions=40, likes=2, link_clicks=3)
    x.delete_post(posts[1])
    read = x.metrics(posts, private=True)
    assert x.count("metrics") == 3
    assert len(read) == 249
    assert read[0] == PostMetrics(
        post_id=posts[0], impressions=40, likes=2, reposts=0, replies=0, quotes=0, link_clicks=3
    )
    assert x.metrics([posts[0]])[0].link_clicks is None  # public metrics have no clicks


def test_private_metrics_of_old_posts_are_refused() -> None:
    clock = [NOW]
    x = FakeX(clock=lambda: clock[0])
    old = x.create_post("old", None)
    clock[0] = NOW + dt.timedelta(days=31)
    young = x.create_post("young", None)
    with pytest.raises(MetricsRefusedError) as refused:
        x.metrics([old, young], private=True)
    assert refused.value.post_ids == (old,)
    assert [m.post_id for m in refused.value.read] == [young]


def test_metrics_fault() -> None:
    x = FakeX()
    post = x.create_post("read", None)
    x.fail_next(NetworkUnavailableError("503"), call="metrics")
    with pytest.raises(NetworkUnavailableError):
        x.metrics([post])
    assert [m.post_id for m in x.metrics([post])] == [post]
