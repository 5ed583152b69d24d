"""The Mastodon API emulator over real HTTP: auth, idempotency, replies, media, limits, faults."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.networks.mastodon import plain_text, same_text
from bot.testing.mastodon import (
    ACCESS_TOKEN,
    ACCOUNT_ID,
    Fault,
    MastodonEmulator,
)

STATUSES = "POST /api/v1/statuses"
AUTH = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
_HTTP: list[httpx.Client] = []  # one client for the module: building one costs ~100 ms


@pytest.fixture(scope="module", autouse=True)
def _http() -> Iterator[None]:
    with httpx.Client(timeout=0.5) as client:
        _HTTP[:] = [client]
        yield


@pytest.fixture
def instance() -> Iterator[MastodonEmulator]:
    emulator = MastodonEmulator(client_timeout=0.5)
    emulator.start()
    yield emulator
    emulator.stop()


def _call(instance: MastodonEmulator, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {**AUTH, **kwargs.pop("headers", {})}
    return _HTTP[0].request(method, f"{instance.url}{path}", headers=headers, **kwargs)


def _post(instance: MastodonEmulator, key: str | None = None, **fields: Any) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return _call(instance, "POST", "/api/v1/statuses", json=fields, headers=headers)


def test_bearer_token_is_required(instance: MastodonEmulator) -> None:
    """Without the right Bearer token every call is 401 and nothing is posted."""
    for headers in ({"Authorization": "Bearer wrong"}, {"Authorization": ""}):
        answer = _HTTP[0].post(
            f"{instance.url}/api/v1/statuses", json={"status": "hi"}, headers=headers
        )
        assert answer.status_code == 401
        assert answer.json() == {"error": "The access token is invalid"}
    assert instance.statuses == []
    assert instance.calls[STATUSES] == 2


def test_verify_credentials(instance: MastodonEmulator) -> None:
    """verify_credentials names the account the token belongs to."""
    account = _call(instance, "GET", "/api/v1/accounts/verify_credentials").json()
    assert account["id"] == ACCOUNT_ID
    assert account["username"] == "threadbot"


def test_post_reply_and_list(instance: MastodonEmulator) -> None:
    """Statuses chain by in_reply_to_id and list newest first."""
    first = _post(instance, status="first", visibility="unlisted").json()
    assert first["visibility"] == "unlisted"
    assert first["in_reply_to_id"] is None
    second = _post(instance, status="second", in_reply_to_id=first["id"]).json()
    assert second["in_reply_to_id"] == first["id"]
    assert second["in_reply_to_account_id"] == ACCOUNT_ID
    listed = _call(
        instance, "GET", f"/api/v1/accounts/{ACCOUNT_ID}/statuses", params={"limit": 1}
    ).json()
    assert [s["id"] for s in listed] == [second["id"]]
    older = _call(
        instance,
        "GET",
        f"/api/v1/accounts/{ACCOUNT_ID}/statuses",
        params={"max_id": second["id"]},
    ).json()
    assert [plain_text(s["content"]) for s in older] == ["first"]
    assert _call(instance, "GET", f"/api/v1/statuses/{first['id']}").status_code == 200


def test_form_encoded_post(instance: MastodonEmulator) -> None:
    """Form bodies work as JSON ones do (what most clients send)."""
    answer = _call(
        instance,
        "POST",
        "/api/v1/statuses",
        data={"status": "form", "visibility": "private"},
    )
    assert answer.status_code == 200
    assert instance.statuses[0].visibility == "private"


def test_idempotency_key_gives_no_second_status(instance: MastodonEmulator) -> None:
    """The same Idempotency-Key answers the first status again; a new key posts anew."""
    first = _post(instance, "thread-1#1", status="same words")
    again = _post(instance, "thread-1#1", status="same words")
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert len(instance.statuses) == 1
    other = _post(instance, "thread-1#2", status="same words")
    assert other.json()["id"] != first.json()["id"]
    assert len(instance.statuses) == 2
    assert instance.calls[STATUSES] == 3


def test_idempotency_key_expires_after_an_hour(instance: MastodonEmulator) -> None:
    """A key older than an hour no longer protects: a second status is made."""
    first = _post(instance, "old-key", status="words").json()
    instance.idempotency["old-key"].created -= 3601
    again = _post(instance, "old-key", status="words").json()
    assert again["id"] != first["id"]
    assert len(instance.statuses) == 2


def test_drop_after_accept_then_retry_with_key(instance: MastodonEmulator) -> None:
    """A post whose answer was lost, retried with its key, exists once."""
    instance.inject(Fault("drop_after_accept"))
    with pytest.raises(httpx.TransportError):
        _post(instance, "k-lost", status="lost answer")
    retried = _post(instance, "k-lost", status="lost answer")
    assert retried.status_code == 200
    assert [s.text for s in instance.statuses] == ["lost answer"]
    assert instance.calls[STATUSES] == 2


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"status": "a" * 501}, 422, "character limit of 500"),
        ({"status": ""}, 422, "can't be blank"),
        ({"status": "x", "visibility": "everyone"}, 422, "Visibility"),
        ({"status": "x", "in_reply_to_id": "42"}, 404, "Record not found"),
        ({"status": "x", "media_ids": ["99"]}, 422, "not found"),
    ],
)
def test_validation_errors(
    instance: MastodonEmulator, fields: dict[str, Any], status: int, message: str
) -> None:
    """Refusals are Mastodon's status codes with {"error": ...}; nothing is stored."""
    answer = _post(instance, **fields)
    assert answer.status_code == status
    assert message in answer.json()["error"]
    assert instance.statuses == []


def test_length_counts_urls_and_mentions_as_mastodon_does(instance: MastodonEmulator) -> None:
    """A long URL counts 23 and @user@domain counts @user, so this 520-character text fits."""
    text = "@alice@mastodon.social " + "a" * 400 + " https://example.com/" + "p" * 100
    assert len(text) > 500
    assert _post(instance, status=text).status_code == 200


def test_instance_configuration(instance: MastodonEmulator) -> None:
    """GET /api/v2/instance announces the limit and the URL length (no token needed)."""
    instance.max_characters = 1000
    answer = _HTTP[0].get(f"{instance.url}/api/v2/instance").json()
    statuses = answer["configuration"]["statuses"]
    assert statuses["max_characters"] == 1000
    assert statuses["characters_reserved_per_url"] == 23
    assert _post(instance, status="b" * 900).status_code == 200


def test_rate_limit_headers_and_429(instance: MastodonEmulator) -> None:
    """X-RateLimit-* headers count down; past the limit posting is 429."""
    instance.status_limit = 2
    first = _post(instance, status="one")
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Remaining"] == "1"
    reset = dt.datetime.fromisoformat(first.headers["X-RateLimit-Reset"].replace("Z", "+00:00"))
    assert reset > dt.datetime.now(dt.UTC)
    _post(instance, status="two")
    third = _post(instance, status="three")
    assert third.status_code == 429
    assert third.json() == {"error": "Too many requests"}
    assert third.headers["X-RateLimit-Remaining"] == "0"
    assert len(instance.statuses) == 2


def test_media_processing_then_attach(instance: MastodonEmulator) -> None:
    """v2 media answers 202, then 206 while processing and 200 when done; then it attaches."""
    instance.media_processing_polls = 2
    upload = _call(
        instance,
        "POST",
        "/api/v2/media",
        files={"file": ("chart.png", b"\x89PNG" + b"0" * 64, "image/png")},
        data={"description": "Bar chart: market, USD 8.1 billion in 2021"},
    )
    assert upload.status_code == 202
    media = upload.json()
    assert media["url"] is None
    assert media["description"] == "Bar chart: market, USD 8.1 billion in 2021"
    early = _post(instance, status="chart", media_ids=[media["id"]])
    assert early.status_code == 422
    assert "finished processing" in early.json()["error"]
    polls = [_call(instance, "GET", f"/api/v1/media/{media['id']}").status_code for _ in range(3)]
    assert polls == [206, 206, 200]
    attached = _post(instance, status="chart", media_ids=[media["id"]]).json()
    assert [m["id"] for m in attached["media_attachments"]] == [media["id"]]
    assert instance.calls["GET /api/v1/media/:id"] == 3


def test_media_description_limit(instance: MastodonEmulator) -> None:
    """A description over 1,500 characters is refused."""
    answer = _call(
        instance,
        "POST",
        "/api/v2/media",
        files={"file": ("chart.png", b"\x89PNG0", "image/png")},
        data={"description": "d" * 1501},
    )
    assert answer.status_code == 422
    assert instance.media == {}


@pytest.mark.parametrize(
    ("kind", "status"), [("500", 500), ("503", 503), ("429", 429), ("401", 401), ("403", 403)]
)
def test_answered_faults_store_nothing(instance: MastodonEmulator, kind: str, status: int) -> None:
    """An injected error answer stores nothing, even with a key; the retry posts once."""
    instance.inject(Fault(kind))
    assert _post(instance, "k", status="x").status_code == status
    assert instance.statuses == []
    assert _post(instance, "k", status="x").status_code == 200
    assert len(instance.statuses) == 1


@pytest.mark.parametrize("kind", ["drop_before_accept", "timeout"])
def test_unanswered_faults_store_nothing(instance: MastodonEmulator, kind: str) -> None:
    """A hang-up before accepting, or a timeout, stores nothing."""
    instance.inject(Fault(kind))
    with pytest.raises(httpx.TransportError):
        _post(instance, status="never")
    assert instance.statuses == []


def test_hold_pauses_before_storing(instance: MastodonEmulator) -> None:
    """hold(n, 'received') pauses the n-th status before anything is stored."""
    hold = instance.hold(post_number=1, phase="received")
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(_post(instance, status="held").status_code)
    )
    worker.start()
    assert hold.reached.wait(5)
    assert instance.statuses == []
    hold.release.set()
    worker.join(5)
    assert answers == [200]


def test_content_is_html_and_compares_as_our_text(instance: MastodonEmulator) -> None:
    """The returned content is HTML (links shown shortened, as Mastodon does); read back
    as text, every link is its target: same_text sees our text in it, and not a text
    that differs only in a link's query."""
    link = "https://example.com/a/long/path/to/a/post?a=1&b=2&utm_content=section-1"
    text = f"Line one & two\nnext <line>\n\nSee {link} @bob@example.org"
    content = _post(instance, status=text).json()["content"]
    assert content.startswith("<p>")
    assert "&amp;" in content
    assert '<span class="ellipsis">' in content
    assert plain_text(content) == text
    assert same_text(plain_text(content), text)
    assert not same_text(plain_text(content), "something else")
    assert not same_text(plain_text(content), text.replace("section-1", "section-4"))


DELETE = "DELETE /api/v1/statuses/:id"


def test_delete_answers_the_source_then_404(instance: MastodonEmulator) -> None:
    """DELETE answers the status with its source text (for a redraft), not its HTML; the
    status is gone from every lookup, and deleting it again is 404."""
    status = _post(instance, status="bye & <gone>").json()
    answer = _call(instance, "DELETE", f"/api/v1/statuses/{status['id']}")
    assert answer.status_code == 200
    assert answer.json()["text"] == "bye & <gone>"
    assert "content" not in answer.json()
    assert answer.headers["X-RateLimit-Limit"] == "30"
    assert answer.headers["X-RateLimit-Remaining"] == "29"
    assert _call(instance, "GET", f"/api/v1/statuses/{status['id']}").status_code == 404
    assert _call(instance, "GET", f"/api/v1/accounts/{ACCOUNT_ID}/statuses").json() == []
    again = _call(instance, "DELETE", f"/api/v1/statuses/{status['id']}")
    assert (again.status_code, again.json()) == (404, {"error": "Record not found"})
    assert instance.calls[DELETE] == 2


def test_a_key_that_made_a_deleted_status_finds_nothing(instance: MastodonEmulator) -> None:
    """Within the hour, a resend with the key of a status deleted since is 404 — the
    instance looks the status up — and makes no new one."""
    status = _post(instance, key="k1", status="short-lived").json()
    _call(instance, "DELETE", f"/api/v1/statuses/{status['id']}")
    resent = _post(instance, key="k1", status="short-lived")
    assert resent.status_code == 404
    assert instance.statuses == []


def test_deletes_are_throttled(instance: MastodonEmulator) -> None:
    """Deletes have their own limit (30 per 30 minutes; here 1); statuses deleted still
    count against the posting limit."""
    instance.delete_limit = 1
    instance.status_limit = 2
    first, second = (_post(instance, status=text).json()["id"] for text in ("a", "b"))
    assert _call(instance, "DELETE", f"/api/v1/statuses/{first}").status_code == 200
    limited = _call(instance, "DELETE", f"/api/v1/statuses/{second}")
    assert limited.status_code == 429
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert [s.id for s in instance.statuses] == [second]
    assert _post(instance, status="c").status_code == 429


def test_statuses_carry_their_counts(instance: MastodonEmulator) -> None:
    """A status says the favourites, reblogs and replies set for it (zeros by default)."""
    status_id = _post(instance, status="counted").json()["id"]
    instance.set_metrics(status_id, likes=5, reposts=2, replies=1)
    status = _call(instance, "GET", f"/api/v1/statuses/{status_id}").json()
    counts = ("favourites_count", "reblogs_count", "replies_count")
    assert [status[name] for name in counts] == [5, 2, 1]


@pytest.mark.parametrize(("phase", "gone"), [("received", False), ("responded", True)])
def test_hold_pauses_the_nth_delete(instance: MastodonEmulator, phase: str, gone: bool) -> None:
    """hold_delete(2, phase) pauses the second DELETE there (posts are numbered apart):
    received before anything is deleted, responded after the answer went out."""
    first, second = (_post(instance, status=text).json()["id"] for text in ("a", "b"))
    hold = instance.hold_delete(2, phase)
    assert _call(instance, "DELETE", f"/api/v1/statuses/{first}").status_code == 200
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(
            _call(instance, "DELETE", f"/api/v1/statuses/{second}").status_code
        )
    )
    worker.start()
    assert hold.reached.wait(5)
    assert [s.id for s in instance.statuses] == ([] if gone else [second])
    hold.release.set()
    worker.join(5)
    assert answers == [200]
    assert instance.statuses == []


@pytest.mark.parametrize(
    ("kind", "deleted"), [("drop_before_accept", False), ("drop_after_accept", True)]
)
def test_delete_hang_ups(instance: MastodonEmulator, kind: str, deleted: bool) -> None:
    """A hang-up before accepting deletes nothing; after accepting, the status is gone."""
    status_id = _post(instance, status="maybe").json()["id"]
    instance.delete_faults.append(Fault(kind))
    with pytest.raises(httpx.TransportError):
        _call(instance, "DELETE", f"/api/v1/statuses/{status_id}")
    assert [s.id for s in instance.statuses] == ([] if deleted else [status_id])
