"""The Bluesky PDS emulator over real HTTP: sessions, rkeys, records, blobs, limits, faults."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from bot.testing.bluesky import (
    APP_PASSWORD,
    DID,
    HANDLE,
    BlueskyEmulator,
    Fault,
)

CREATE = "com.atproto.repo.createRecord"


_HTTP: list[httpx.Client] = []  # one client for the module: building one costs ~100 ms


@pytest.fixture(scope="module", autouse=True)
def _http() -> Iterator[None]:
    with httpx.Client(timeout=0.5) as client:
        _HTTP[:] = [client]
        yield


@pytest.fixture
def pds() -> Iterator[BlueskyEmulator]:
    emulator = BlueskyEmulator(client_timeout=0.5)
    emulator.start()
    yield emulator
    emulator.stop()


def _xrpc(pds: BlueskyEmulator, method: str, name: str, **kwargs: Any) -> httpx.Response:
    return _HTTP[0].request(method, f"{pds.url}/xrpc/{name}", **kwargs)


def _session(pds: BlueskyEmulator) -> dict[str, Any]:
    answer = _xrpc(
        pds,
        "POST",
        "com.atproto.server.createSession",
        json={"identifier": HANDLE, "password": APP_PASSWORD},
    )
    assert answer.status_code == 200
    session: dict[str, Any] = answer.json()
    return session


def _auth(session: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {session['accessJwt']}"}


def _post(text: str, reply: dict[str, Any] | None = None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "createdAt": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
    }
    if reply is not None:
        record["reply"] = reply
    return record


def _create(
    pds: BlueskyEmulator, session: dict[str, Any], record: dict[str, Any], rkey: str | None
) -> httpx.Response:
    body: dict[str, Any] = {"repo": DID, "collection": "app.bsky.feed.post", "record": record}
    if rkey is not None:
        body["rkey"] = rkey
    return _xrpc(pds, "POST", CREATE, json=body, headers=_auth(session))


def test_session_with_app_password(pds: BlueskyEmulator) -> None:
    """createSession gives tokens, the DID and the handle; a wrong password is 401."""
    session = _session(pds)
    assert session["did"] == DID
    assert session["handle"] == HANDLE
    assert session["accessJwt"] != session["refreshJwt"]
    wrong = _xrpc(
        pds,
        "POST",
        "com.atproto.server.createSession",
        json={"identifier": HANDLE, "password": "nope"},
    )
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": "AuthenticationRequired",
        "message": "Invalid identifier or password",
    }
    assert pds.calls["POST com.atproto.server.createSession"] == 2


def test_expired_access_token_then_refresh(pds: BlueskyEmulator) -> None:
    """An expired access token gives 400 ExpiredToken; refreshSession rotates the tokens."""
    session = _session(pds)
    pds.expire_access_tokens()
    expired = _create(pds, session, _post("hello"), "3kaaaaaaaaaa2")
    assert expired.status_code == 400
    assert expired.json() == {"error": "ExpiredToken", "message": "Token has expired"}
    refreshed = _xrpc(
        pds,
        "POST",
        "com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {session['refreshJwt']}"},
    )
    assert refreshed.status_code == 200
    fresh = refreshed.json()
    assert _create(pds, fresh, _post("hello"), "3kaaaaaaaaaa2").status_code == 200
    again = _xrpc(
        pds,
        "POST",
        "com.atproto.server.refreshSession",
        headers={"Authorization": f"Bearer {session['refreshJwt']}"},
    )
    assert again.status_code == 400
    assert again.json()["error"] == "ExpiredToken"
    assert pds.calls[f"POST {CREATE}"] == 2
    assert len(pds.posts) == 1


def test_missing_or_unknown_token(pds: BlueskyEmulator) -> None:
    """No token is 401 AuthMissing; an unknown one is 400 InvalidToken; nothing is stored."""
    missing = _xrpc(pds, "POST", CREATE, json={})
    assert (missing.status_code, missing.json()["error"]) == (401, "AuthMissing")
    unknown = _xrpc(pds, "POST", CREATE, json={}, headers={"Authorization": "Bearer x"})
    assert (unknown.status_code, unknown.json()["error"]) == (400, "InvalidToken")
    assert pds.posts == []


def test_create_with_rkey_and_read_back(pds: BlueskyEmulator) -> None:
    """A create with our rkey answers uri and cid; getRecord and listRecords find it."""
    session = _session(pds)
    answer = _create(pds, session, _post("first"), "3kfirst000002")
    assert answer.status_code == 200
    created = answer.json()
    assert created["uri"] == f"at://{DID}/app.bsky.feed.post/3kfirst000002"
    assert created["cid"].startswith("bafyrei")
    assert created["validationStatus"] == "valid"
    got = _xrpc(
        pds,
        "GET",
        "com.atproto.repo.getRecord",
        params={"repo": DID, "collection": "app.bsky.feed.post", "rkey": "3kfirst000002"},
        headers=_auth(session),
    )
    assert got.status_code == 200
    assert got.json()["cid"] == created["cid"]
    assert got.json()["value"]["text"] == "first"
    _create(pds, session, _post("second"), None)
    listed = _xrpc(
        pds,
        "GET",
        "com.atproto.repo.listRecords",
        params={"repo": DID, "collection": "app.bsky.feed.post", "limit": 1},
        headers=_auth(session),
    ).json()
    assert [r["value"]["text"] for r in listed["records"]] == ["second"]
    rest = _xrpc(
        pds,
        "GET",
        "com.atproto.repo.listRecords",
        params={
            "repo": DID,
            "collection": "app.bsky.feed.post",
            "limit": 10,
            "cursor": listed["cursor"],
        },
        headers=_auth(session),
    ).json()
    assert [r["value"]["text"] for r in rest["records"]] == ["first"]
    assert "cursor" not in rest


def test_missing_record_is_record_not_found(pds: BlueskyEmulator) -> None:
    """getRecord of an rkey never created is 400 RecordNotFound (how reconciling learns)."""
    session = _session(pds)
    answer = _xrpc(
        pds,
        "GET",
        "com.atproto.repo.getRecord",
        params={"repo": DID, "collection": "app.bsky.feed.post", "rkey": "3knever000002"},
        headers=_auth(session),
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "RecordNotFound"


def test_second_create_with_same_rkey_makes_no_second_record(pds: BlueskyEmulator) -> None:
    """The same rkey twice: the PDS's 500 and still exactly one record, the first."""
    session = _session(pds)
    assert _create(pds, session, _post("once"), "3konce0000002").status_code == 200
    again = _create(pds, session, _post("once"), "3konce0000002")
    assert again.status_code == 500
    assert again.json() == {"error": "InternalServerError", "message": "Internal Server Error"}
    assert [(r.rkey, r.value["text"]) for r in pds.posts] == [("3konce0000002", "once")]
    assert pds.calls[f"POST {CREATE}"] == 2


def test_reply_needs_root_and_parent(pds: BlueskyEmulator) -> None:
    """A reply must carry root and parent, each with uri and cid."""
    session = _session(pds)
    root = _create(pds, session, _post("root"), "3kroot0000002").json()
    ref = {"uri": root["uri"], "cid": root["cid"]}
    missing_parent = _create(pds, session, _post("r", {"root": ref}), "3kreply000002")
    assert missing_parent.status_code == 400
    assert "parent" in missing_parent.json()["message"]
    no_cid = _create(
        pds, session, _post("r", {"root": ref, "parent": {"uri": root["uri"]}}), "3kreply000002"
    )
    assert no_cid.status_code == 400
    assert "cid" in no_cid.json()["message"]
    good = _create(pds, session, _post("r", {"root": ref, "parent": ref}), "3kreply000002")
    assert good.status_code == 200
    assert len(pds.posts) == 2


@pytest.mark.parametrize(
    ("text", "ok"),
    [("a" * 300, True), ("a" * 301, False), ("👨‍👩‍👧‍👦" * 121, False), ("é" * 300, True)],
)
def test_post_length_limits(pds: BlueskyEmulator, text: str, ok: bool) -> None:
    """Posts over 300 graphemes or 3000 bytes are refused as InvalidRequest."""
    session = _session(pds)
    answer = _create(pds, session, _post(text), "3klength00002")
    assert (answer.status_code == 200) is ok
    if not ok:
        assert answer.json()["error"] == "InvalidRequest"


def test_rate_limit_headers_and_429(pds: BlueskyEmulator) -> None:
    """Every answer has RateLimit-* headers; creates spend 3 points of the hourly budget."""
    pds.write_points_per_hour = 6
    session = _session(pds)
    first = _create(pds, session, _post("one"), "3krate1000002")
    assert first.headers["RateLimit-Limit"] == "6"
    assert first.headers["RateLimit-Remaining"] == "3"
    assert first.headers["RateLimit-Policy"] == "6;w=3600"
    assert int(first.headers["RateLimit-Reset"]) > 0
    assert _create(pds, session, _post("two"), "3krate2000002").status_code == 200
    third = _create(pds, session, _post("three"), "3krate3000002")
    assert third.status_code == 429
    assert third.json()["error"] == "RateLimitExceeded"
    assert third.headers["RateLimit-Remaining"] == "0"
    assert len(pds.posts) == 2


def test_upload_blob_and_image_size_limit(pds: BlueskyEmulator) -> None:
    """uploadBlob answers a blob ref; posts embedding too large an image are refused."""
    pds.image_max_bytes = 1_000
    session = _session(pds)
    small = _xrpc(
        pds,
        "POST",
        "com.atproto.repo.uploadBlob",
        content=b"\x89PNG" + b"0" * 100,
        headers={**_auth(session), "Content-Type": "image/png"},
    )
    assert small.status_code == 200
    blob = small.json()["blob"]
    assert blob["mimeType"] == "image/png"
    assert blob["size"] == 104
    big = _xrpc(
        pds,
        "POST",
        "com.atproto.repo.uploadBlob",
        content=b"\x89PNG" + b"0" * 2000,
        headers={**_auth(session), "Content-Type": "image/png"},
    ).json()["blob"]

    def with_image(ref: dict[str, Any]) -> dict[str, Any]:
        record = _post("chart")
        record["embed"] = {
            "$type": "app.bsky.embed.images",
            "images": [{"image": ref, "alt": "Bar chart"}],
        }
        return record

    assert _create(pds, session, with_image(blob), "3kimage100002").status_code == 200
    refused = _create(pds, session, with_image(big), "3kimage200002")
    assert refused.status_code == 400
    assert "too big" in refused.json()["message"]
    pds.blob_upload_limit = 50
    too_large = _xrpc(
        pds,
        "POST",
        "com.atproto.repo.uploadBlob",
        content=b"0" * 51,
        headers={**_auth(session), "Content-Type": "image/png"},
    )
    assert too_large.status_code == 413
    assert too_large.json()["error"] == "PayloadTooLarge"
    assert pds.calls["POST com.atproto.repo.uploadBlob"] == 3


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("500", 500, "InternalServerError"),
        ("503", 503, "UpstreamFailure"),
        ("429", 429, "RateLimitExceeded"),
        ("expired", 400, "ExpiredToken"),
        ("401", 401, "AuthenticationRequired"),
        ("400", 400, "InvalidRequest"),
    ],
)
def test_answered_faults_store_nothing(
    pds: BlueskyEmulator, kind: str, status: int, error: str
) -> None:
    """An injected error answer stores nothing; the next create goes through."""
    session = _session(pds)
    pds.inject(Fault(kind))
    answer = _create(pds, session, _post("x"), "3kfault000002")
    assert (answer.status_code, answer.json()["error"]) == (status, error)
    assert pds.posts == []
    assert _create(pds, session, _post("x"), "3kfault000002").status_code == 200
    assert pds.calls[f"POST {CREATE}"] == 2


@pytest.mark.parametrize(("kind", "stored"), [("drop_before_accept", 0), ("drop_after_accept", 1)])
def test_dropped_connections(pds: BlueskyEmulator, kind: str, stored: int) -> None:
    """A hang-up before accepting stores nothing; after accepting, the record exists."""
    session = _session(pds)
    pds.inject(Fault(kind))
    with pytest.raises(httpx.TransportError):
        _create(pds, session, _post("dropped"), "3kdrop0000002")
    assert len(pds.posts) == stored


def test_timeout_fault(pds: BlueskyEmulator) -> None:
    """A timeout answers only after the client gave up, and stores nothing."""
    session = _session(pds)
    pds.inject(Fault("timeout"))
    with pytest.raises(httpx.TransportError):
        _create(pds, session, _post("slow"), "3kslow0000002")
    assert pds.posts == []


def test_pass_fault_aims_the_next_one(pds: BlueskyEmulator) -> None:
    """'pass' lets one create through so a later fault hits a later post."""
    session = _session(pds)
    pds.inject(Fault("pass"))
    pds.inject(Fault("500"))
    assert _create(pds, session, _post("a"), "3kpass1000002").status_code == 200
    assert _create(pds, session, _post("b"), "3kpass2000002").status_code == 500


def test_hold_pauses_a_create_after_accepting(pds: BlueskyEmulator) -> None:
    """hold(n, 'accepted') pauses the n-th create with the record already stored."""
    session = _session(pds)
    hold = pds.hold(post_number=1, phase="accepted")
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(
            _create(pds, session, _post("held"), "3khold0000002").status_code
        )
    )
    worker.start()
    assert hold.reached.wait(5)
    assert [r.value["text"] for r in pds.posts] == ["held"]
    assert answers == []
    hold.release.set()
    worker.join(5)
    assert answers == [200]
    with pytest.raises(ValueError, match="phase"):
        pds.hold(1, "sometime")


DELETE = "com.atproto.repo.deleteRecord"


def _delete(
    pds: BlueskyEmulator, session: dict[str, Any], rkey: str, changes: dict[str, Any] | None = None
) -> httpx.Response:
    body = {"repo": DID, "collection": "app.bsky.feed.post", "rkey": rkey, **(changes or {})}
    return _xrpc(pds, "POST", DELETE, json=body, headers=_auth(session))


def test_delete_record_then_again_is_a_no_op(pds: BlueskyEmulator) -> None:
    """deleteRecord answers the commit it made; a record already gone is no error, just
    no commit; each costs a write point; the key can hold a new post afterwards."""
    pds.write_points_per_hour = 10
    session = _session(pds)
    assert _create(pds, session, _post("one"), "3kdel10000002").status_code == 200
    first = _delete(pds, session, "3kdel10000002")
    assert first.status_code == 200
    assert set(first.json()["commit"]) == {"cid", "rev"}
    assert first.headers["RateLimit-Remaining"] == "6"  # 3 for the create, 1 for this
    again = _delete(pds, session, "3kdel10000002")
    assert (again.status_code, again.json()) == (200, {})
    assert again.headers["RateLimit-Remaining"] == "5"
    assert pds.posts == []
    assert pds.calls[f"POST {DELETE}"] == 2
    assert _create(pds, session, _post("anew"), "3kdel10000002").status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"rkey": None}, 400, 'Input must have the property "rkey"'),
        ({"repo": "did:plc:someoneelse"}, 400, "Could not find repo: did:plc:someoneelse"),
    ],
)
def test_delete_record_refusals(
    pds: BlueskyEmulator, body: dict[str, Any], status: int, message: str
) -> None:
    """A delete without its rkey, of another repo, or without a valid token deletes
    nothing, with the PDS's errors."""
    session = _session(pds)
    _create(pds, session, _post("kept"), "3kdel20000002")
    answer = _delete(pds, session, "3kdel20000002", body)
    assert (answer.status_code, answer.json()["message"]) == (status, message)
    assert len(pds.posts) == 1
    assert _delete(pds, {"accessJwt": "nope"}, "3kdel20000002").json()["error"] == "InvalidToken"


def test_hold_pauses_the_nth_delete(pds: BlueskyEmulator) -> None:
    """hold_delete(1, 'accepted') pauses the first deleteRecord with the record gone and
    no answer sent; creates are numbered apart."""
    session = _session(pds)
    _create(pds, session, _post("held"), "3kdel30000002")
    hold = pds.hold_delete(1, "accepted")
    answers: list[int] = []
    worker = threading.Thread(
        target=lambda: answers.append(_delete(pds, session, "3kdel30000002").status_code)
    )
    worker.start()
    assert hold.reached.wait(5)
    assert pds.posts == []
    assert answers == []
    hold.release.set()
    worker.join(5)
    assert answers == [200]


def test_delete_faults(pds: BlueskyEmulator) -> None:
    """drop_after_accept deletes, then hangs up; 500 deletes nothing."""
    session = _session(pds)
    _create(pds, session, _post("a"), "3kdel40000002")
    _create(pds, session, _post("b"), "3kdel50000002")
    pds.delete_faults.extend([Fault("500"), Fault("drop_after_accept")])
    assert _delete(pds, session, "3kdel40000002").status_code == 500
    with pytest.raises(httpx.TransportError):
        _delete(pds, session, "3kdel50000002")
    assert [r.rkey for r in pds.posts] == ["3kdel40000002"]


def test_get_posts_views_with_counts(pds: BlueskyEmulator) -> None:
    """getPosts answers a post view per URI still there, in order, with the counts set;
    more than 25 URIs (or none) is refused."""
    session = _session(pds)
    uris = [
        _create(pds, session, _post(text), rkey).json()["uri"]
        for text, rkey in (("a", "3kget10000002"), ("b", "3kget20000002"))
    ]
    pds.set_metrics(uris[1], likes=3, reposts=1, replies=2, quotes=4)
    missing = f"at://{DID}/app.bsky.feed.post/3kgone0000002"
    answer = _xrpc(
        pds,
        "GET",
        "app.bsky.feed.getPosts",
        params={"uris": [uris[1], missing, uris[0]]},
        headers=_auth(session),
    )
    views = answer.json()["posts"]
    assert [view["uri"] for view in views] == [uris[1], uris[0]]
    counts = ("likeCount", "repostCount", "replyCount", "quoteCount")
    assert [views[0][name] for name in counts] == [3, 1, 2, 4]
    assert [views[1][name] for name in counts] == [0, 0, 0, 0]
    assert views[1]["record"]["text"] == "a"
    assert views[0]["author"]["did"] == DID
    for many in ([uris[0]] * 26, []):
        refused = _xrpc(
            pds, "GET", "app.bsky.feed.getPosts", params={"uris": many}, headers=_auth(session)
        )
        assert (refused.status_code, refused.json()["error"]) == (400, "InvalidRequest")
    with pytest.raises(KeyError):
        pds.set_metrics(missing, likes=1)
