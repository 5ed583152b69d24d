"""MastodonClient against the Mastodon emulator: chains, Idempotency-Key, media, errors."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bot.errors import (
    NetworkAuthError,
    NetworkUnavailableError,
    PostRejectedError,
    RateLimitedError,
)
from bot.networks import PostMetrics
from bot.networks.mastodon.client import MastodonClient
from bot.networks.mastodon.errors import translate_response
from bot.testing.mastodon import ACCESS_TOKEN, ACCOUNT_ID, Fault, MastodonEmulator
from threads.networks import MastodonRule

STATUSES = "POST /api/v1/statuses"
DELETE = "DELETE /api/v1/statuses/:id"
STATUS = "GET /api/v1/statuses/:id"


@pytest.fixture
def instance() -> Iterator[MastodonEmulator]:
    emulator = MastodonEmulator(client_timeout=0.5)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(instance: MastodonEmulator, sleeps: list[float]) -> Iterator[MastodonClient]:
    mastodon = MastodonClient(
        instance_url=instance.url,
        access_token=ACCESS_TOKEN,
        visibility="unlisted",
        timeout_seconds=0.5,
        sleep=sleeps.append,
    )
    yield mastodon
    mastodon.close()


def test_me(client: MastodonClient) -> None:
    """me() is the token's account."""
    assert (client.me().id, client.me().username) == (ACCOUNT_ID, "threadbot")


def test_thread_chain_with_visibility(client: MastodonClient, instance: MastodonEmulator) -> None:
    """Each status replies to the one before, with the configured visibility."""
    first = client.create_post("one 1/3", None, key="t#1")
    second = client.create_post("two 2/3", first, key="t#2")
    third = client.create_post("three 3/3", second, key="t#3")
    assert [(s.id, s.in_reply_to_id) for s in instance.statuses] == [
        (first, None),
        (second, first),
        (third, second),
    ]
    assert {s.visibility for s in instance.statuses} == {"unlisted"}
    assert client.post_url("threadbot", first) == f"{instance.url}/@threadbot/{first}"


def test_same_key_is_one_status(client: MastodonClient, instance: MastodonEmulator) -> None:
    """Sending again with the stored Idempotency-Key returns the first status."""
    first = client.create_post("once", None, key="thread#1")
    assert client.create_post("once", None, key="thread#1") == first
    assert len(instance.statuses) == 1
    assert instance.calls[STATUSES] == 2


def test_lost_answer_then_retry_with_key(
    client: MastodonClient, instance: MastodonEmulator
) -> None:
    """A dropped answer raises a retryable error; the retry with the key finds the status."""
    instance.inject(Fault("drop_after_accept"))
    with pytest.raises(NetworkUnavailableError):
        client.create_post("lost", None, key="thread#lost")
    status_id = client.create_post("lost", None, key="thread#lost")
    assert [s.id for s in instance.statuses] == [status_id]
    assert instance.calls[STATUSES] == 2


@pytest.mark.parametrize(
    ("kind", "error", "hint"),
    [
        ("401", NetworkAuthError, "MASTODON_ACCESS_TOKEN"),
        ("403", NetworkAuthError, "write:statuses"),
        ("422", PostRejectedError, "blank"),
        ("500", NetworkUnavailableError, "trouble"),
        ("503", NetworkUnavailableError, "trouble"),
        ("timeout", NetworkUnavailableError, "timed out"),
        ("drop_before_accept", NetworkUnavailableError, "failed"),
    ],
)
def test_errors_are_translated(
    client: MastodonClient,
    instance: MastodonEmulator,
    kind: str,
    error: type[Exception],
    hint: str,
) -> None:
    """Each failure comes out as one threadbot error saying what to do; nothing is posted."""
    instance.inject(Fault(kind))
    with pytest.raises(error, match=hint) as caught:
        client.create_post("x", None, key="k")
    assert ACCESS_TOKEN not in str(caught.value)
    assert instance.statuses == []


def test_rate_limited_with_reset(client: MastodonClient, instance: MastodonEmulator) -> None:
    """A 429 is RateLimitedError with the reset time read from X-RateLimit-Reset."""
    instance.inject(Fault("429", reset_in=120))
    with pytest.raises(RateLimitedError) as caught:
        client.create_post("later", None, key="k")
    assert caught.value.reset_at is not None
    assert caught.value.reset_at.tzinfo is not None


def test_media_waits_for_processing(
    client: MastodonClient, instance: MastodonEmulator, sleeps: list[float]
) -> None:
    """upload_media polls until the instance answers 200, then the image attaches."""
    instance.media_processing_polls = 2
    media_id = client.upload_media(b"\x89PNG" + b"0" * 50, "Bar chart: USD 20 billion in 2031")
    assert sleeps == [1.0, 1.0, 1.0]
    assert instance.media[media_id].description == "Bar chart: USD 20 billion in 2031"
    client.create_post("with chart", None, [media_id], key="m")
    assert instance.statuses[0].media_ids == (media_id,)


def test_media_that_never_finishes(
    client: MastodonClient, instance: MastodonEmulator, sleeps: list[float]
) -> None:
    """An image still processing after media_wait_seconds is a retryable error."""
    instance.media_processing_polls = 100
    client.media_wait_seconds = 3
    with pytest.raises(NetworkUnavailableError, match="still processing"):
        client.upload_media(b"\x89PNG0", "alt")
    assert len(sleeps) == 3


def test_recent_posts_and_same_text(client: MastodonClient) -> None:
    """recent_posts are newest first, as HTML, and same_text recognises our text in them."""
    ours = "See https://example.com/a?b=1&c=2 — with @alice@example.org\n\nand more"
    client.create_post("older", None, key="1")
    client.create_post(ours, None, key="2")
    recent = client.recent_posts(ACCOUNT_ID, 10)
    assert len(recent) == 2
    assert client.same_text(recent[0].text, ours)
    assert not client.same_text(recent[1].text, ours)


def test_length_rule_from_the_instance(client: MastodonClient, instance: MastodonEmulator) -> None:
    """length_rule reads the instance's max_characters and URL length."""
    instance.max_characters = 1000
    assert client.length_rule() == MastodonRule(limit=1000)


def test_bad_visibility_is_refused_early(instance: MastodonEmulator) -> None:
    """A visibility Mastodon does not know is refused before any request."""
    with pytest.raises(ValueError, match="visibility"):
        MastodonClient(instance_url=instance.url, access_token="t", visibility="everyone")


def test_deleting_a_live_status_is_one_request(
    client: MastodonClient, instance: MastodonEmulator
) -> None:
    """One DELETE: True, and the status leaves the account's timeline."""
    kept = client.create_post("stays", None, key="a")
    deleted = client.create_post("goes", kept, key="b")
    assert client.delete_post(deleted) is True
    assert instance.calls[DELETE] == 1
    assert [p.id for p in client.recent_posts(ACCOUNT_ID, 10)] == [kept]


def test_deleting_a_gone_status_is_false(
    client: MastodonClient, instance: MastodonEmulator
) -> None:
    """The instance answers 404 for a status it no longer has: False, one request."""
    status = client.create_post("once", None, key="a")
    assert client.delete_post(status) is True
    assert client.delete_post(status) is False
    assert instance.calls[DELETE] == 2


@pytest.mark.parametrize(
    ("kind", "error", "hint"),
    [
        ("401", NetworkAuthError, "MASTODON_ACCESS_TOKEN"),
        ("403", NetworkAuthError, "write:statuses"),
        ("429", RateLimitedError, "rate limit"),
        ("503", NetworkUnavailableError, "trouble"),
        ("timeout", NetworkUnavailableError, "timed out"),
    ],
)
def test_delete_failures_are_translated(
    client: MastodonClient,
    instance: MastodonEmulator,
    kind: str,
    error: type[Exception],
    hint: str,
) -> None:
    """A refused or unanswered delete raises the mapped error after its one request."""
    status = client.create_post("still here", None, key="a")
    instance.delete_faults.append(Fault(kind))
    with pytest.raises(error, match=hint):
        client.delete_post(status)
    assert instance.calls[DELETE] == 1
    assert [s.id for s in instance.statuses] == [status]


def test_deletes_are_throttled_as_mastodon_does(
    client: MastodonClient, instance: MastodonEmulator
) -> None:
    """30 deletes per 30 minutes (here 1): the next is a 429 with its reset."""
    instance.delete_limit = 1
    first, second = client.create_post("1", None, key="a"), client.create_post("2", None, key="b")
    assert client.delete_post(first) is True
    with pytest.raises(RateLimitedError) as caught:
        client.delete_post(second)
    assert caught.value.reset_at is not None
    assert [s.id for s in instance.statuses] == [second]


def test_metrics_are_read_a_status_at_a_time(
    client: MastodonClient, instance: MastodonEmulator
) -> None:
    """One GET per status; a deleted one (404) is absent; no impressions, quotes or
    clicks are said."""
    statuses = [client.create_post(f"status {n}", None, key=str(n)) for n in range(3)]
    instance.set_metrics(statuses[0], likes=4, reposts=2, replies=1)
    assert client.delete_post(statuses[1]) is True
    read = client.metrics(statuses)
    assert instance.calls[STATUS] == 3
    assert [target for route, target in instance.requests if route == STATUS] == [
        f"/api/v1/statuses/{status}" for status in statuses
    ]
    assert read == [
        PostMetrics(post_id=statuses[0], likes=4, reposts=2, replies=1),
        PostMetrics(post_id=statuses[2], likes=0, reposts=0, replies=0),
    ]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (429, RateLimitedError),
        (401, NetworkAuthError),
        (403, NetworkAuthError),
        (404, PostRejectedError),
        (422, PostRejectedError),
        (500, NetworkUnavailableError),
        (502, NetworkUnavailableError),
    ],
)
def test_translation_table(status: int, expected: type[Exception]) -> None:
    """Each status code maps to one threadbot error class."""
    answer = httpx.Response(status, json={"error": "e"}, headers={"X-RateLimit-Reset": "bad"})
    assert type(translate_response(answer)) is expected
