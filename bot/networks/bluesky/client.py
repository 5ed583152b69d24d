"""The Bluesky adapter: the :class:`~bot.networks.Network` calls as XRPC over httpx.

Direct HTTP, not the ``atproto`` SDK. Measured (Python 3.11, atproto 0.0.73): importing
``atproto`` takes ~1.36 s and loads 922 modules, and it brings cryptography, dnspython,
websockets, zstandard and libipld (~55 MB installed) for firehose, identity and CAR code
threadbot never runs; ``httpx``, already a dependency, imports in ~0.15 s. threadbot needs
a few XRPC calls, each one JSON request, and needs to control them exactly: the record
key it decided and stored before sending, what an uncertain answer means (a repeated
rkey comes back as an opaque 500), and one error translation (``errors``).

Exactly once: :meth:`create_post` takes ``key``, the record key the publisher stored
before sending (``bot.networks.bluesky.new_rkey``). When the answer is lost or is a 5xx,
the adapter reads that record back: if it is there with our text, the earlier attempt
landed and its URI is returned; a create never runs twice blindly. Post ids are
``at://`` URIs; a reply reads its parent to learn the parent's CID and the thread's root.

Deleting is ``deleteRecord`` of the post's rkey in the account's repo; reading counts is
``app.bsky.feed.getPosts`` (25 URIs a request), which says likes, reposts, replies and
quotes — no impressions, no clicks.

The session: ``createSession`` with the handle and an app password, then
``refreshSession`` when the PDS answers ``ExpiredToken``; a refresh refused too logs in
again. Media ids are the blob reference and alt text as compact JSON, so a stored id
can be attached after a restart.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from bot.errors import NetworkUnavailableError, PostRejectedError
from bot.networks import Account, Post, PostMetrics
from bot.networks.bluesky import (
    DEFAULT_PDS_URL,
    GET_POSTS_BATCH,
    IMAGE_MAX_BYTES,
    POST_COLLECTION,
    new_rkey,
    post_url,
    rkey_of,
    same_text,
)
from bot.networks.bluesky.errors import (
    SESSION_ERRORS,
    error_name,
    map_httpx_errors,
    translate_response,
)
from threads.networks import bluesky_rich_text

if TYPE_CHECKING:
    from bot.networks import Network


class BlueskyClient:
    """One Bluesky account on one PDS, through XRPC over httpx."""

    def __init__(
        self,
        *,
        handle: str,
        app_password: str,
        pds_url: str = DEFAULT_PDS_URL,
        timeout_seconds: float = 30.0,
        link_display: int | None = None,
        languages: Sequence[str] = (),
        image_max_bytes: int = IMAGE_MAX_BYTES,
    ) -> None:
        self._identifier = handle.removeprefix("@")
        self._password = app_password
        self._http = httpx.Client(base_url=pds_url.rstrip("/") + "/xrpc/", timeout=timeout_seconds)
        self._session: dict[str, Any] | None = None
        self.link_display = link_display
        self.languages = tuple(languages)
        self.image_max_bytes = image_max_bytes

    def close(self) -> None:
        self._http.close()

    # -- session -------------------------------------------------------------------------

    def _login(self) -> dict[str, Any]:
        answer = self._send(
            "POST",
            "com.atproto.server.createSession",
            json={"identifier": self._identifier, "password": self._password},
        )
        if answer.status_code != 200:
            raise translate_response(answer)
        self._session = answer.json()
        return self._session

    def _refresh(self) -> dict[str, Any]:
        assert self._session is not None
        answer = self._send(
            "POST",
            "com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {self._session['refreshJwt']}"},
        )
        if answer.status_code != 200:
            return self._login()  # the refresh token expired or was revoked
        self._session = {**self._session, **answer.json()}
        return self._session

    def _send(self, method: str, name: str, **kwargs: Any) -> httpx.Response:
        with map_httpx_errors():
            return self._http.request(method, name, **kwargs)

    def _call(self, method: str, name: str, **kwargs: Any) -> httpx.Response:
        """An authenticated call; an expired session is refreshed and the call sent again.
        Non-2xx answers are returned, for the caller to translate or interpret."""
        session = self._session or self._login()
        headers = {**kwargs.pop("headers", {})}
        for attempt in range(2):
            headers["Authorization"] = f"Bearer {session['accessJwt']}"
            answer = self._send(method, name, headers=headers, **kwargs)
            if attempt == 0 and error_name(answer) in SESSION_ERRORS:
                session = self._refresh()
                continue
            return answer
        return answer

    @property
    def did(self) -> str:
        return str((self._session or self._login())["did"])

    # -- Network ---------------------------------------------------------------------------

    def me(self) -> Account:
        session = self._session or self._login()
        return Account(id=str(session["did"]), username=str(session["handle"]))

    def create_post(
        self,
        text: str,
        reply_to: str | None,
        media_ids: Sequence[str] = (),
        *,
        key: str | None = None,
    ) -> str:
        """Post ``text`` as record ``key`` (decided before sending); return its URI."""
        rkey = key or new_rkey()
        record = self._record(text, reply_to, media_ids)
        body = {"repo": self.did, "collection": POST_COLLECTION, "rkey": rkey, "record": record}
        try:
            answer = self._call("POST", "com.atproto.repo.createRecord", json=body)
        except NetworkUnavailableError:
            landed = self._landed(rkey, record["text"])
            if landed is None:
                raise
            return landed
        if answer.status_code == 200:
            return str(answer.json()["uri"])
        error = translate_response(answer)
        if answer.status_code >= 500:
            # Also how a PDS answers a create under an rkey it already has.
            landed = self._landed(rkey, record["text"])
            if landed is not None:
                return landed
        raise error

    def _landed(self, rkey: str, text: str) -> str | None:
        """The URI of record ``rkey`` if an earlier attempt stored it with ``text``."""
        found = self.find_post(rkey)
        if found is None:
            return None
        if not same_text(found.text, text):
            raise PostRejectedError(
                f"record {rkey} already holds another post ({found.text[:40]!r}…): "
                "choose a new record key for this post"
            )
        return found.id

    def _record(self, text: str, reply_to: str | None, media_ids: Sequence[str]) -> dict[str, Any]:
        rich = bluesky_rich_text(text, link_display=self.link_display)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": rich.text,
            "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
        }
        if rich.facets:
            record["facets"] = rich.facet_records()
        if self.languages:
            record["langs"] = list(self.languages)
        if reply_to is not None:
            parent = self._get_record(reply_to)
            parent_ref = {"uri": parent["uri"], "cid": parent["cid"]}
            root = ((parent.get("value") or {}).get("reply") or {}).get("root") or parent_ref
            record["reply"] = {"root": root, "parent": parent_ref}
        if media_ids:
            images = []
            for media_id in media_ids:
                media = json.loads(media_id)
                images.append({"image": media["blob"], "alt": media["alt"]})
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        return record

    def _get_record(self, uri: str) -> dict[str, Any]:
        repo = uri.removeprefix("at://").split("/", 1)[0] if uri.startswith("at://") else self.did
        answer = self._call(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": repo, "collection": POST_COLLECTION, "rkey": rkey_of(uri)},
        )
        if answer.status_code != 200:
            raise translate_response(answer)
        record: dict[str, Any] = answer.json()
        return record

    def find_post(self, key: str) -> Post | None:
        """Record ``key`` of the account's posts, or ``None`` when the PDS has none."""
        answer = self._call(
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": self.did, "collection": POST_COLLECTION, "rkey": rkey_of(key)},
        )
        if answer.status_code == 200:
            found = answer.json()
            return _post(str(found["uri"]), found.get("value") or {})
        if error_name(answer) == "RecordNotFound":
            return None
        raise translate_response(answer)

    def new_key(self) -> str | None:
        """A record key (TID) for the next post, stored before it is sent."""
        return new_rkey()

    def upload_media(self, png: bytes, alt_text: str) -> str:
        """Upload a PNG (its size checked first); the id carries the blob and alt text."""
        if len(png) > self.image_max_bytes:
            raise PostRejectedError(
                f"the image has {len(png):,} bytes; Bluesky takes at most "
                f"{self.image_max_bytes:,}: make the chart smaller"
            )
        answer = self._call(
            "POST",
            "com.atproto.repo.uploadBlob",
            content=png,
            headers={"Content-Type": "image/png"},
        )
        if answer.status_code != 200:
            raise translate_response(answer)
        blob = answer.json()["blob"]
        return json.dumps({"blob": blob, "alt": alt_text}, separators=(",", ":"))

    def recent_posts(self, user_id: str, limit: int) -> list[Post]:
        answer = self._call(
            "GET",
            "com.atproto.repo.listRecords",
            params={
                "repo": user_id,
                "collection": POST_COLLECTION,
                "limit": max(1, min(limit, 100)),
            },
        )
        if answer.status_code != 200:
            raise translate_response(answer)
        return [
            _post(str(item["uri"]), item.get("value") or {})
            for item in answer.json().get("records", [])
        ]

    def delete_post(self, post_id: str) -> bool:
        """``deleteRecord`` of the post's record (its rkey ends the ``at://`` URI that is
        its id) in the account's repo, once — sent again only after a session refresh,
        when the PDS refused the expired token and did nothing. True when this request
        deleted it; False when there was no such record: the PDS then makes no commit
        and answers without one."""
        body = {"repo": self.did, "collection": POST_COLLECTION, "rkey": rkey_of(post_id)}
        answer = self._call("POST", "com.atproto.repo.deleteRecord", json=body)
        if answer.status_code != 200:
            raise translate_response(answer)
        return bool(answer.json().get("commit"))

    def metrics(self, post_ids: Sequence[str], *, private: bool = False) -> list[PostMetrics]:
        """``app.bsky.feed.getPosts`` per 25 posts, each sent once; a post no longer
        there is not in its answer. Bluesky has no private metrics: ``private`` changes
        nothing."""
        read: list[PostMetrics] = []
        for start in range(0, len(post_ids), GET_POSTS_BATCH):
            answer = self._call(
                "GET",
                "app.bsky.feed.getPosts",
                params={"uris": list(post_ids[start : start + GET_POSTS_BATCH])},
            )
            if answer.status_code != 200:
                raise translate_response(answer)
            read.extend(_metrics(view) for view in answer.json().get("posts", []))
        return read

    def post_url(self, username: str, post_id: str) -> str:
        return post_url(username, post_id)

    def same_text(self, posted: str, ours: str) -> bool:
        """Our text as the record holds it: long links shortened when so configured."""
        shown = bluesky_rich_text(ours, link_display=self.link_display).text
        return same_text(posted, shown)


def _post(uri: str, record: dict[str, Any]) -> Post:
    """A post record as the publisher compares it: text, parent, creation time."""
    parent = ((record.get("reply") or {}).get("parent") or {}).get("uri")
    created = record.get("createdAt")
    return Post(
        id=uri,
        text=str(record.get("text", "")),
        reply_to=str(parent) if parent else None,
        created_at=dt.datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
    )


def _metrics(view: dict[str, Any]) -> PostMetrics:
    """A post view's counts (``app.bsky.feed.defs#postView``: each count optional)."""
    return PostMetrics(
        post_id=str(view["uri"]),
        likes=int(view.get("likeCount") or 0),
        reposts=int(view.get("repostCount") or 0),
        replies=int(view.get("replyCount") or 0),
        quotes=int(view.get("quoteCount") or 0),
    )


def _conforms(client: BlueskyClient) -> Network:
    """mypy checks here that the adapter is a :class:`~bot.networks.Network`."""
    return client
