"""BlueskyClient against the PDS emulator: sessions, reply chains, rkeys, facets, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from bot.errors import (
    DailyCapError,
    NetworkAuthError,
    NetworkUnavailableError,
    PostRejectedError,
    RateLimitedError,
)
from bot.networks import PostMetrics
from bot.networks.bluesky import new_rkey, post_url, rkey_of
from bot.networks.bluesky.client import BlueskyClient
from bot.networks.bluesky.errors import translate_response
from bot.testing.bluesky import APP_PASSWORD, DID, HANDLE, BlueskyEmulator, Fault

CREATE = "POST com.atproto.repo.createRecord"
GET = "GET com.atproto.repo.getRecord"
DELETE = "POST com.atproto.repo.deleteRecord"
GET_POSTS = "GET app.bsky.feed.getPosts"
LONG_URL = "https://blog.example.org/posts/2026/" + "a-very-long-slug-" * 4 + "end"


@pytest.fixture
def pds() -> Iterator[BlueskyEmulator]:
    emulator = BlueskyEmulator(client_timeout=0.5)
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def client(pds: BlueskyEmulator) -> Iterator[BlueskyClient]:
    bluesky = BlueskyClient(
        handle=f"@{HANDLE}", app_password=APP_PASSWORD, pds_url=pds.url, timeout_seconds=0.5
    )
    yield bluesky
    bluesky.close()


def test_login_and_me(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """me() logs in once with the app password and names the DID and handle."""
    assert (client.me().id, client.me().username) == (DID, HANDLE)
    assert pds.calls["POST com.atproto.server.createSession"] == 1


def test_wrong_app_password(pds: BlueskyEmulator) -> None:
    """A refused login is a NetworkAuthError that says what to set, never the password."""
    bad = BlueskyClient(handle=HANDLE, app_password="wrong-pass-word", pds_url=pds.url)
    try:
        with pytest.raises(NetworkAuthError, match="BLUESKY_APP_PASSWORD") as caught:
            bad.me()
    finally:
        bad.close()
    assert "wrong-pass-word" not in str(caught.value)


def test_thread_replies_carry_root_and_parent(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """Each reply names the first post as root and the one before as parent."""
    first = client.create_post("one 1/3", None, key=new_rkey())
    second = client.create_post("two 2/3", first, key=new_rkey())
    third = client.create_post("three 3/3", second, key=new_rkey())
    records = {r.uri: r for r in pds.posts}
    root = {"uri": first, "cid": records[first].cid}
    assert "reply" not in records[first].value
    assert records[second].value["reply"] == {"root": root, "parent": root}
    assert records[third].value["reply"] == {
        "root": root,
        "parent": {"uri": second, "cid": records[second].cid},
    }
    assert pds.calls[CREATE] == 3


def test_links_become_facets_and_may_be_shown_short(pds: BlueskyEmulator) -> None:
    """A long link is shown shortened in the record; its facet links the full URL."""
    bluesky = BlueskyClient(
        handle=HANDLE, app_password=APP_PASSWORD, pds_url=pds.url, link_display=30
    )
    try:
        uri = bluesky.create_post(f"Read {LONG_URL} #kpop", None, key=new_rkey())
        (record,) = pds.posts
        assert record.uri == uri
        assert record.value["text"] == "Read blog.example.org/posts/2026... #kpop"
        link, tag = record.value["facets"]
        assert link["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": LONG_URL}]
        shown = record.value["text"].encode()
        assert shown[link["index"]["byteStart"] : link["index"]["byteEnd"]].decode().endswith("...")
        assert tag["features"][0]["tag"] == "kpop"
        assert bluesky.same_text(record.value["text"], f"Read {LONG_URL} #kpop")
    finally:
        bluesky.close()


def test_same_key_twice_is_one_record(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """A repeated create under the same rkey returns the first record: one post, not two."""
    key = new_rkey()
    first = client.create_post("only once", None, key=key)
    again = client.create_post("only once", None, key=key)
    assert again == first
    assert len(pds.posts) == 1
    assert pds.calls[CREATE] == 2
    assert rkey_of(first) == key


def test_same_key_other_text_is_refused(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """An rkey that already holds another post is an error, not a silent adoption."""
    key = new_rkey()
    client.create_post("first text", None, key=key)
    with pytest.raises(PostRejectedError, match="new record key"):
        client.create_post("other text", None, key=key)
    assert len(pds.posts) == 1


def test_lost_answer_is_reconciled_by_reading_the_record(
    client: BlueskyClient, pds: BlueskyEmulator
) -> None:
    """Stored but the connection dropped: the adapter reads the record back and returns it."""
    client.me()
    pds.inject(Fault("drop_after_accept"))
    key = new_rkey()
    uri = client.create_post("answer lost", None, key=key)
    assert [r.uri for r in pds.posts] == [uri]
    assert pds.calls[CREATE] == 1
    assert pds.calls[GET] == 1


@pytest.mark.parametrize("kind", ["drop_before_accept", "timeout", "500", "503"])
def test_unstored_failure_raises_retryable(
    client: BlueskyClient, pds: BlueskyEmulator, kind: str
) -> None:
    """Nothing stored: a retryable error after checking the record; the retry posts once."""
    client.me()
    pds.inject(Fault(kind))
    key = new_rkey()
    with pytest.raises(NetworkUnavailableError) as caught:
        client.create_post("try again", None, key=key)
    assert caught.value.retryable
    assert pds.posts == []
    client.create_post("try again", None, key=key)
    assert len(pds.posts) == 1
    assert pds.calls[CREATE] == 2


def test_expired_session_is_refreshed(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """An ExpiredToken answer refreshes the session and sends the create again."""
    client.me()
    pds.expire_access_tokens()
    client.create_post("after refresh", None, key=new_rkey())
    assert len(pds.posts) == 1
    assert pds.calls["POST com.atproto.server.refreshSession"] == 1
    assert pds.calls["POST com.atproto.server.createSession"] == 1
    assert pds.calls[CREATE] == 2


def test_refused_refresh_logs_in_again(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """When the refresh token is gone too, the adapter logs in again."""
    client.me()
    pds.expire_access_tokens()
    pds.refresh_tokens.clear()
    client.create_post("after login", None, key=new_rkey())
    assert pds.calls["POST com.atproto.server.createSession"] == 2
    assert len(pds.posts) == 1


def test_rate_limited(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """A 429 is RateLimitedError with the reset time from RateLimit-Reset."""
    pds.inject(Fault("429", reset_in=60))
    with pytest.raises(RateLimitedError) as caught:
        client.create_post("later", None, key=new_rkey())
    assert caught.value.reset_at is not None
    assert pds.posts == []


def test_images_upload_with_alt_text(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """A chart uploads as a blob; the post embeds it with its alt text."""
    png = b"\x89PNG" + b"1" * 500
    media_id = client.upload_media(png, "Bar chart: USD 8.1 billion in 2021")
    assert json.loads(media_id)["alt"] == "Bar chart: USD 8.1 billion in 2021"
    client.create_post("with chart", None, [media_id], key=new_rkey())
    (record,) = pds.posts
    (image,) = record.value["embed"]["images"]
    assert image["alt"] == "Bar chart: USD 8.1 billion in 2021"
    assert pds.blobs[image["image"]["ref"]["$link"]].data == png


def test_too_large_image_is_refused_before_upload(
    client: BlueskyClient, pds: BlueskyEmulator
) -> None:
    """An image over the limit is refused without a request."""
    client.image_max_bytes = 100
    with pytest.raises(PostRejectedError, match="at most 100"):
        client.upload_media(b"\x89PNG" + b"0" * 200, "alt")
    assert pds.calls["POST com.atproto.repo.uploadBlob"] == 0


def test_find_and_recent_posts(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """find_post reads one record (None if absent); recent_posts lists newest first."""
    key = new_rkey()
    assert client.find_post(key) is None
    first = client.create_post("first", None, key=key)
    client.create_post("second", None, key=new_rkey())
    found = client.find_post(key)
    assert found is not None
    assert (found.id, found.text) == (first, "first")
    assert [p.text for p in client.recent_posts(DID, 10)] == ["second", "first"]
    assert client.post_url(HANDLE, first) == post_url(HANDLE, first)
    assert client.post_url(HANDLE, first).endswith(f"/post/{key}")


def test_deleting_a_live_post_is_one_request(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """One deleteRecord of the post's rkey in the account's repo: True, the record gone
    (its key finds nothing any more)."""
    key = new_rkey()
    kept = client.create_post("stays", None, key=new_rkey())
    deleted = client.create_post("goes", None, key=key)
    assert client.delete_post(deleted) is True
    assert pds.calls[DELETE] == 1
    assert [r.uri for r in pds.posts] == [kept]
    assert client.find_post(key) is None


def test_deleting_a_gone_post_is_false(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """The PDS answers a delete of a missing record with no commit: False, one request."""
    post = client.create_post("once", None, key=new_rkey())
    assert client.delete_post(post) is True
    assert client.delete_post(post) is False
    assert pds.calls[DELETE] == 2


def test_delete_after_the_session_expired(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """An expired token is refused before anything is deleted: the session is refreshed
    and the delete sent once more — the only second request a delete makes."""
    post = client.create_post("later", None, key=new_rkey())
    pds.expire_access_tokens()
    assert client.delete_post(post) is True
    assert pds.calls["POST com.atproto.server.refreshSession"] == 1
    assert pds.calls[DELETE] == 2
    assert pds.posts == []


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("401", NetworkAuthError),
        ("429", RateLimitedError),
        ("500", NetworkUnavailableError),
        ("503", NetworkUnavailableError),
        ("timeout", NetworkUnavailableError),
    ],
)
def test_delete_failures_arrive_as_threadbot_errors(
    client: BlueskyClient, pds: BlueskyEmulator, fault: str, error: type[Exception]
) -> None:
    """A refused or unanswered delete raises the mapped error after its one request."""
    post = client.create_post("still here", None, key=new_rkey())
    pds.delete_faults.append(Fault(fault))
    with pytest.raises(error):
        client.delete_post(post)
    assert pds.calls[DELETE] == 1
    assert [r.uri for r in pds.posts] == [post]


def test_metrics_of_30_posts_are_two_reads(client: BlueskyClient, pds: BlueskyEmulator) -> None:
    """getPosts takes 25 URIs: 30 posts are two requests; counts come from the post
    views, no impressions or clicks; a deleted post is absent."""
    posts = [client.create_post(f"post {n}", None, key=new_rkey()) for n in range(30)]
    pds.set_metrics(posts[0], likes=5, reposts=2, replies=1, quotes=3)
    assert client.delete_post(posts[7]) is True
    read = client.metrics(posts, private=True)  # nothing private on Bluesky
    assert pds.calls[GET_POSTS] == 2
    assert [q["uris"] for q in pds.queries(GET_POSTS)] == [posts[:25], posts[25:]]
    assert [m.post_id for m in read] == [p for p in posts if p != posts[7]]
    assert read[0] == PostMetrics(post_id=posts[0], likes=5, reposts=2, replies=1, quotes=3)
    assert {(m.impressions, m.link_clicks) for m in read} == {(None, None)}


def _answer(status: int, error: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "message": "m"}, headers=headers)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (_answer(429, "RateLimitExceeded", {"RateLimit-Policy": "5000;w=3600"}), RateLimitedError),
        (_answer(429, "RateLimitExceeded", {"RateLimit-Policy": "35000;w=86400"}), DailyCapError),
        (_answer(401, "AuthenticationRequired"), NetworkAuthError),
        (_answer(400, "ExpiredToken"), NetworkAuthError),
        (_answer(400, "AccountTakedown"), NetworkAuthError),
        (_answer(500, "InternalServerError"), NetworkUnavailableError),
        (_answer(502, "UpstreamFailure"), NetworkUnavailableError),
        (_answer(400, "InvalidRequest"), PostRejectedError),
        (_answer(413, "PayloadTooLarge"), PostRejectedError),
        (httpx.Response(404, text="not json"), PostRejectedError),
    ],
)
def test_translation_table(response: httpx.Response, expected: type[Exception]) -> None:
    """Each XRPC error answer maps to one threadbot error class."""
    assert type(translate_response(response)) is expected
