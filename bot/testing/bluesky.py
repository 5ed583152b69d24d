"""A local Bluesky PDS emulator: the XRPC subset threadbot uses, real HTTP on 127.0.0.1.

Answers as a PDS does (shapes read from bluesky-social/atproto's ``packages/pds`` and
``lexicons``; nothing copied): ``com.atproto.server.createSession`` (handle or DID plus
app password → ``accessJwt``/``refreshJwt``/``did``/``handle``), ``refreshSession`` (the
refresh token rotates; an expired access token gives ``400 ExpiredToken`` "Token has
expired", as ``auth-verifier.ts`` does), ``com.atproto.repo.createRecord`` for
``app.bsky.feed.post`` with a caller-chosen ``rkey``, ``getRecord`` (``400
RecordNotFound``), ``listRecords`` (newest first) and ``uploadBlob``. Every answer carries
``RateLimit-Limit/Remaining/Reset/Policy`` (``xrpc-server/src/rate-limiter-http.ts``);
creates cost 3 points of an hourly write budget, as ``createRecord.ts`` says.

A second create with an rkey already in the repo is refused the way the real PDS
refuses it — the repo's tree throws and the XRPC server answers ``500
InternalServerError`` "Internal Server Error" (bluesky-social/indigo#873) — and, above
all, no second record is made: a client that retries a post under the same rkey must
read the record back (``getRecord``) rather than trust the status code.

Replies must carry ``reply.root`` and ``reply.parent``, each ``{uri, cid}``. Image blobs
larger than ``image_max_bytes`` (2,000,000 in ``app.bsky.embed.images`` since April 2026,
1,000,000 before) are refused when a post embeds them; ``uploadBlob`` itself refuses
bodies over ``blob_upload_limit`` with ``413 PayloadTooLarge``.

``com.atproto.repo.deleteRecord`` removes a post's record and answers its commit; a
record that is not there is no error — the PDS "ensures it doesn't exist", makes no
commit and answers ``{}`` (``deleteRecord.ts``). A delete costs 1 write point. Metrics:
``app.bsky.feed.getPosts`` (1 to 25 ``uris``) answers a post view per post still there,
with ``likeCount``, ``repostCount``, ``replyCount`` and ``quoteCount`` from its counts
(``emulator.set_metrics(uri, likes=…)``).

    emulator.inject(Fault("drop_after_accept"))     # next createRecord: stored, hang up
    emulator.inject(Fault("expired"))               # next createRecord: 400 ExpiredToken
    emulator.hold(post_number=2, phase="accepted")  # pause there (crash tests)
    emulator.delete_faults.append(Fault("500"))     # next deleteRecord fails
    emulator.hold_delete(1, "accepted")             # 1st deleteRecord: gone, unanswered
    emulator.expire_access_tokens()                 # every access token is now expired

Run it by hand with ``python -m bot.testing bluesky`` (it prints what to export and writes
a ready config).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.networks.bluesky import new_rkey
from bot.testing.server import Emulator, EmulatorHandler, Fault
from threads.networks import BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, graphemes, utf8_length

__all__ = ["APP_PASSWORD", "DID", "HANDLE", "BlueskyEmulator", "Fault", "Record"]

HANDLE = "threadbot-emu.bsky.social"
DID = "did:plc:threadbotemuaaaaaaaaaaaa"
APP_PASSWORD = "emu1-2abc-3def-4ghi"
POST_COLLECTION = "app.bsky.feed.post"
GET_POSTS_MAX = 25
WRITE_ROUTES = ("com.atproto.repo.createRecord", "com.atproto.repo.deleteRecord")
_RKEY = re.compile(r"[A-Za-z0-9._:~-]{1,512}")


def fake_cid(data: Any) -> str:
    """A CIDv1-shaped id (``bafyrei`` + base32 of SHA-256), stable for the same data."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).digest()
    return "bafyrei" + base64.b32encode(digest).decode().lower().rstrip("=")[:52]


@dataclass
class Record:
    rkey: str
    uri: str
    cid: str
    value: dict[str, Any]
    created: float


@dataclass
class Blob:
    cid: str
    mime_type: str
    data: bytes


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": error, "message": message}


# Faults that refuse a create or delete outright, as a PDS answers them.
_REFUSALS = {
    "500": _error(500, "InternalServerError", "Internal Server Error"),
    "503": _error(503, "UpstreamFailure", "Upstream Failure"),
    "401": _error(401, "AuthenticationRequired", "Authentication Required"),
    "expired": _error(400, "ExpiredToken", "Token has expired"),
    "400": _error(400, "InvalidRequest", "Input/record must be an object"),
}


class BlueskyEmulator(Emulator):
    """A PDS with one account; :meth:`start` serves it on an ephemeral port."""

    network = "bluesky"

    def exports(self) -> dict[str, str]:
        return {
            "THREADBOT_BLUESKY_PDS_URL": self.url,
            "BLUESKY_HANDLE": HANDLE,
            "BLUESKY_APP_PASSWORD": APP_PASSWORD,
        }

    def __init__(
        self,
        *,
        write_points_per_hour: int = 5000,
        image_max_bytes: int = 2_000_000,
        blob_upload_limit: int = 5 * 1024 * 1024,
        client_timeout: float = 2.0,
    ) -> None:
        super().__init__(client_timeout=client_timeout)
        self.records: dict[str, Record] = {}  # by rkey, in creation order
        self.blobs: dict[str, Blob] = {}
        self.write_points_per_hour = write_points_per_hour
        self.image_max_bytes = image_max_bytes
        self.blob_upload_limit = blob_upload_limit
        self.access_tokens: dict[str, float] = {}  # token → expiry (epoch seconds)
        self.refresh_tokens: set[str] = set()
        self.access_ttl = 7200.0
        # (when, points) of each write: a create costs 3, a delete 1 (as the PDS counts).
        self._writes: list[tuple[float, int]] = []

    @property
    def posts(self) -> list[Record]:
        """The posts in the repo, oldest first."""
        return list(self.records.values())

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is expired from now on."""
        with self.lock:
            for token in self.access_tokens:
                self.access_tokens[token] = 0.0

    def issue_session(self) -> dict[str, Any]:
        with self.lock:
            access = f"emu-access.{secrets.token_urlsafe(16)}"
            refresh = f"emu-refresh.{secrets.token_urlsafe(16)}"
            self.access_tokens[access] = time.time() + self.access_ttl
            self.refresh_tokens.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": HANDLE,
            "did": DID,
            "active": True,
        }

    def points_used(self) -> int:
        since = time.time() - 3600
        return sum(points for moment, points in self._writes if moment >= since)

    def has_post(self, post_id: str) -> bool:
        return any(record.uri == post_id for record in self.records.values())

    def rate_headers(self, route: str) -> dict[str, str]:
        if route not in WRITE_ROUTES:
            limit, remaining, window = 3000, 3000, 300  # the global per-IP limit
        else:
            limit = self.write_points_per_hour
            remaining = max(0, limit - self.points_used())
            window = 3600
        return {
            "RateLimit-Limit": str(limit),
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": str(int(time.time()) + window),
            "RateLimit-Policy": f"{limit};w={window}",
        }

    def next_rkey(self) -> str:
        return new_rkey()


class _Handler(EmulatorHandler):
    emulator: BlueskyEmulator

    def _dispatch(self) -> None:
        body = self.read_body()
        parts = urlsplit(self.path)
        self.route = parts.path.removeprefix("/xrpc/")
        emulator = self.emulator
        emulator.received(f"{self.command} {self.route}", self.path)
        params = parse_qs(parts.query)
        query = {key: values[0] for key, values in params.items()}
        route = (self.command, self.route)
        if route == ("POST", "com.atproto.server.createSession"):
            self._create_session(_json(body))
            return
        if route == ("POST", "com.atproto.server.refreshSession"):
            self._refresh_session()
            return
        problem = self._check_access()
        if problem is not None:
            self.send_json(*problem)
            return
        if route == ("POST", "com.atproto.repo.createRecord"):
            self._create_record(_json(body))
        elif route == ("GET", "com.atproto.repo.getRecord"):
            self._get_record(query)
        elif route == ("GET", "com.atproto.repo.listRecords"):
            self._list_records(query)
        elif route == ("POST", "com.atproto.repo.deleteRecord"):
            self._delete_record(_json(body))
        elif route == ("GET", "app.bsky.feed.getPosts"):
            self._get_posts(params.get("uris", []))
        elif route == ("POST", "com.atproto.repo.uploadBlob"):
            self._upload_blob(body)
        elif route == ("GET", "com.atproto.server.getSession"):
            self.send_json(200, {"handle": HANDLE, "did": DID, "active": True})
        else:
            self.send_json(*_error(501, "MethodNotImplemented", "Method Not Implemented"))

    do_GET = do_POST = _dispatch

    # -- sessions ---------------------------------------------------------------------

    def _bearer(self) -> str | None:
        value = self.headers.get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else None

    def _check_access(self) -> tuple[int, dict[str, Any]] | None:
        token = self._bearer()
        if token is None:
            return _error(401, "AuthMissing", "Authentication Required")
        expiry = self.emulator.access_tokens.get(token)
        if expiry is None:
            return _error(400, "InvalidToken", "Token could not be verified")
        if expiry <= time.time():
            return _error(400, "ExpiredToken", "Token has expired")
        return None

    def _create_session(self, payload: dict[str, Any]) -> None:
        identifier = str(payload.get("identifier", "")).lower().removeprefix("@")
        if identifier not in (HANDLE, DID) or payload.get("password") != APP_PASSWORD:
            self.send_json(*_error(401, "AuthenticationRequired", "Invalid identifier or password"))
            return
        self.send_json(200, self.emulator.issue_session())

    def _refresh_session(self) -> None:
        token = self._bearer()
        emulator = self.emulator
        if token is None:
            self.send_json(*_error(401, "AuthMissing", "Authentication Required"))
            return
        with emulator.lock:
            known = token in emulator.refresh_tokens
            emulator.refresh_tokens.discard(token)  # refresh tokens rotate
        if not known:
            # An access token, a rotated refresh token or garbage.
            status, body = (
                _error(400, "InvalidToken", "Token could not be verified")
                if not token.startswith("emu-refresh.")
                else _error(400, "ExpiredToken", "Token has been revoked")
            )
            self.send_json(status, body)
            return
        self.send_json(200, self.emulator.issue_session())

    # -- records ------------------------------------------------------------------------

    def _refused(self, fault: Fault | None) -> bool:
        """Answer a fault that refuses the request as the PDS would; whether it did."""
        if fault is None:
            return False
        if fault.kind == "429":
            reset = str(int(time.time() + fault.reset_in))
            self.send_json(
                *_error(429, "RateLimitExceeded", "Rate Limit Exceeded"),
                {"RateLimit-Remaining": "0", "RateLimit-Reset": reset},
            )
            return True
        refusal = _REFUSALS.get(fault.kind)
        if refusal is not None:
            self.send_json(*refusal)
        return refusal is not None

    def _create_record(self, payload: dict[str, Any]) -> None:
        emulator = self.emulator
        number, fault = emulator.next_post_attempt()
        emulator.pause(number, "received")
        if self.transport_fault(fault):
            return
        if self._refused(fault):
            return
        kind = fault.kind if fault else None
        with emulator.lock:
            status, body = self._store(payload)
        if status != 200:
            self.send_json(status, body)
            return
        emulator.pause(number, "accepted")
        if kind == "drop_after_accept":
            self.hang_up()
            return
        self.send_json(status, body)
        emulator.pause(number, "responded")

    def _store(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Validate and store a create (the caller holds the lock)."""
        emulator = self.emulator
        if emulator.points_used() + 3 > emulator.write_points_per_hour:
            return _error(429, "RateLimitExceeded", "Rate Limit Exceeded")
        if payload.get("repo") not in (DID, HANDLE):
            return _error(401, "AuthenticationRequired", "Authentication Required")
        if payload.get("collection") != POST_COLLECTION:
            return _error(400, "InvalidRequest", "this emulator stores app.bsky.feed.post only")
        record = payload.get("record")
        if not isinstance(record, dict):
            return _error(400, "InvalidRequest", "Input/record must be an object")
        rkey = payload.get("rkey")
        if rkey is None:
            rkey = emulator.next_rkey()
        if not isinstance(rkey, str) or not _RKEY.fullmatch(rkey) or rkey in (".", ".."):
            return _error(400, "InvalidRequest", f"Invalid record key: {rkey!r}")
        problem = self._invalid_post(record)
        if problem is not None:
            return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        if rkey in emulator.records:
            # The MST refuses the key; the XRPC server hides why (a 500, no details).
            return _error(500, "InternalServerError", "Internal Server Error")
        uri = f"at://{DID}/{POST_COLLECTION}/{rkey}"
        cid = fake_cid(record)
        emulator.records[rkey] = Record(rkey, uri, cid, record, time.time())
        emulator.stored_post(uri, str(record.get("text", "")))
        emulator._writes.append((time.time(), 3))
        commit = {"cid": fake_cid({"commit": uri}), "rev": emulator.next_rkey()}
        return 200, {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}

    def _delete_record(self, payload: dict[str, Any]) -> None:
        """``deleteRecord``, its faults and holds counted as delete requests."""
        emulator = self.emulator
        named = f"at://{DID}/{payload.get('collection')}/{payload.get('rkey')}"
        number, fault = emulator.next_delete_attempt(named)
        emulator.pause(number, "received", "delete")
        if self.transport_fault(fault):
            return
        if self._refused(fault):
            return
        kind = fault.kind if fault else None
        with emulator.lock:
            status, body = self._remove(payload)
        if status != 200:
            self.send_json(status, body)
            return
        emulator.pause(number, "accepted", "delete")
        if kind == "drop_after_accept":
            self.hang_up()
            return
        self.send_json(status, body)
        emulator.pause(number, "responded", "delete")

    def _remove(self, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Validate a delete and remove the record if it is there (the caller holds the
        lock): its commit, or ``{}`` when there was nothing to delete."""
        emulator = self.emulator
        for name in ("repo", "collection", "rkey"):
            if not isinstance(payload.get(name), str):
                return _error(400, "InvalidRequest", f'Input must have the property "{name}"')
        if emulator.points_used() + 1 > emulator.write_points_per_hour:
            return _error(429, "RateLimitExceeded", "Rate Limit Exceeded")
        if payload["repo"] not in (DID, HANDLE):
            return _error(400, "InvalidRequest", f"Could not find repo: {payload['repo']}")
        emulator._writes.append((time.time(), 1))  # the rate limiter counts no-ops too
        record = emulator.records.get(payload["rkey"])
        if record is None or payload["collection"] != POST_COLLECTION:
            return 200, {}
        del emulator.records[record.rkey]
        return 200, {"commit": {"cid": fake_cid({"delete": record.uri}), "rev": new_rkey()}}

    def _get_posts(self, uris: list[str]) -> None:
        """``app.bsky.feed.getPosts``: a post view for each URI still in the repo, in
        the order asked; the others are left out."""
        if not 1 <= len(uris) <= GET_POSTS_MAX:
            problem = (
                'Params must have the property "uris"'
                if not uris
                else f"Params/uris must not have more than {GET_POSTS_MAX} elements"
            )
            self.send_json(*_error(400, "InvalidRequest", problem))
            return
        emulator = self.emulator
        views = []
        with emulator.lock:
            for uri in uris:
                repo, _, rest = uri.removeprefix("at://").partition("/")
                collection, _, rkey = rest.partition("/")
                record = emulator.records.get(rkey)
                if record is None or repo not in (DID, HANDLE) or collection != POST_COLLECTION:
                    continue
                counts = emulator.counts_of(record.uri)
                views.append(
                    {
                        "uri": record.uri,
                        "cid": record.cid,
                        "author": {"did": DID, "handle": HANDLE, "displayName": "Threadbot"},
                        "record": record.value,
                        "replyCount": counts.replies,
                        "repostCount": counts.reposts,
                        "likeCount": counts.likes,
                        "quoteCount": counts.quotes,
                        "indexedAt": _iso(record.created),
                        "labels": [],
                    }
                )
        self.send_json(200, {"posts": views})

    def _invalid_post(self, record: dict[str, Any]) -> str | None:
        """Why ``record`` is not a valid post, or ``None``."""
        if record.get("$type") not in (None, POST_COLLECTION):
            return "Record/$type must be app.bsky.feed.post"
        text = record.get("text")
        if not isinstance(text, str):
            return 'Record must have the property "text"'
        if graphemes(text) > BLUESKY_MAX_GRAPHEMES:
            return f"Record/text must not be longer than {BLUESKY_MAX_GRAPHEMES} graphemes"
        if utf8_length(text) > BLUESKY_MAX_BYTES:
            return f"Record/text must not be longer than {BLUESKY_MAX_BYTES} characters"
        if not isinstance(record.get("createdAt"), str):
            return 'Record must have the property "createdAt"'
        reply = record.get("reply")
        if reply is not None:
            for part in ("root", "parent"):
                ref = reply.get(part) if isinstance(reply, dict) else None
                if not isinstance(ref, dict):
                    return f'Record/reply must have the property "{part}"'
                for key in ("uri", "cid"):
                    if not isinstance(ref.get(key), str) or not ref[key]:
                        return f'Record/reply/{part} must have the property "{key}"'
        for facet in record.get("facets") or ():
            index = facet.get("index") if isinstance(facet, dict) else None
            if not isinstance(index, dict) or not all(
                isinstance(index.get(key), int) and index[key] >= 0
                for key in ("byteStart", "byteEnd")
            ):
                return "Record/facets/index must have byteStart and byteEnd"
        embed = record.get("embed")
        if isinstance(embed, dict) and embed.get("$type") == "app.bsky.embed.images":
            for image in embed.get("images") or ():
                ref = ((image.get("image") or {}).get("ref") or {}).get("$link")
                blob = self.emulator.blobs.get(str(ref))
                if blob is None:
                    return f"Could not find blob: {ref}"
                if len(blob.data) > self.emulator.image_max_bytes:
                    return (
                        f"Record/embed/images/image is too big "
                        f"({len(blob.data)} bytes, at most {self.emulator.image_max_bytes})"
                    )
                if not isinstance(image.get("alt"), str):
                    return 'Record/embed/images/0 must have the property "alt"'
        return None

    def _get_record(self, query: dict[str, str]) -> None:
        rkey = query.get("rkey", "")
        record = self.emulator.records.get(rkey)
        if (
            record is None
            or query.get("collection") != POST_COLLECTION
            or query.get("repo") not in (DID, HANDLE)
        ):
            uri = f"at://{query.get('repo')}/{query.get('collection')}/{rkey}"
            self.send_json(*_error(400, "RecordNotFound", f"Could not locate record: {uri}"))
            return
        self.send_json(200, {"uri": record.uri, "cid": record.cid, "value": record.value})

    def _list_records(self, query: dict[str, str]) -> None:
        try:
            limit = int(query.get("limit", "50"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            self.send_json(*_error(400, "InvalidRequest", "limit must be between 1 and 100"))
            return
        records = sorted(self.emulator.records.values(), key=lambda r: r.created)
        if query.get("reverse") != "true":
            records.reverse()
        cursor = query.get("cursor")
        if cursor is not None:
            keys = [record.rkey for record in records]
            records = records[keys.index(cursor) + 1 :] if cursor in keys else []
        page = records[:limit]
        answer: dict[str, Any] = {
            "records": [{"uri": r.uri, "cid": r.cid, "value": r.value} for r in page]
        }
        if len(records) > limit:
            answer["cursor"] = page[-1].rkey
        self.send_json(200, answer)

    def _upload_blob(self, body: bytes) -> None:
        emulator = self.emulator
        fault = emulator.upload_faults.popleft() if emulator.upload_faults else None
        if self.transport_fault(fault):
            return
        if fault is not None and fault.kind in ("500", "503"):
            self.send_json(*_error(int(fault.kind), "InternalServerError", "Internal Server Error"))
            return
        if len(body) > emulator.blob_upload_limit:
            self.send_json(*_error(413, "PayloadTooLarge", "request entity too large"))
            return
        mime_type = self.headers.get("Content-Type", "application/octet-stream")
        cid = fake_cid({"blob": base64.b64encode(body).decode()})
        with emulator.lock:
            emulator.blobs[cid] = Blob(cid, mime_type, body)
        if fault is not None and fault.kind == "drop_after_accept":
            self.hang_up()
            return
        self.send_json(
            200,
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": cid},
                    "mimeType": mime_type,
                    "size": len(body),
                }
            },
        )


BlueskyEmulator.handler = _Handler


def _iso(moment: float) -> str:
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
