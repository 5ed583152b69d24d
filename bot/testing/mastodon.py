"""A local Mastodon API emulator: the subset threadbot uses, real HTTP on 127.0.0.1.

Answers as a Mastodon instance does (shapes read from mastodon/mastodon's controllers,
services and serializers; nothing copied): ``POST /api/v1/statuses`` with Bearer token
auth, ``in_reply_to_id``, ``visibility``, ``media_ids[]`` and ``Idempotency-Key`` — the
same key from the same account within an hour answers the status it made the first time
and makes no second one (``PostStatusService#with_idempotency``: the key is kept in Redis
for 3,600 s) — ``GET /api/v1/accounts/verify_credentials``,
``GET /api/v1/accounts/:id/statuses`` (newest first), ``POST /api/v2/media`` (``202``
while processing, then ``GET /api/v1/media/:id`` answers ``206`` until done and ``200``
after, as ``Api::V2::MediaController`` and ``Api::V1::MediaController`` do), and
``GET /api/v2/instance`` with ``configuration.statuses.max_characters`` and
``characters_reserved_per_url``. Errors are ``{"error": "..."}`` with Mastodon's status
codes (401 bad token, 404 unknown reply target, 422 validation, 429 rate limit). Every
answer carries ``X-RateLimit-Limit/Remaining/Reset`` (the reset as an ISO 8601 time);
posting is limited to ``status_limit`` statuses per 3 hours, as Mastodon's
``statuses`` throttle.

Text length follows :class:`threads.networks.MastodonRule` (URLs as 23, ``@user@domain``
as ``@user``, grapheme clusters), with the spoiler text counted too.

``DELETE /api/v1/statuses/:id`` answers the deleted status with its source ``text``
instead of ``content`` (as ``StatusesController#destroy`` renders it), and the status
leaves every lookup; one that is not there (or not the account's) is ``404 Record not
found``, also when a key of the last hour names it. Deletes are limited to
``delete_limit`` (30) per 30 minutes, Mastodon's own throttle for them. Statuses carry
``replies_count``, ``reblogs_count`` and ``favourites_count`` from their counts
(``emulator.set_metrics(status_id, likes=…)``); a status says no count of quotes.

    emulator.inject(Fault("drop_after_accept"))    # next status: stored, then hang up
    emulator.hold(post_number=3, phase="received")  # pause there (crash tests)
    emulator.delete_faults.append(Fault("503"))     # next DELETE fails
    emulator.hold_delete(2, "responded")            # 2nd DELETE: answered, then pause
    emulator.media_processing_polls = 2             # GET media: 206 twice, then 200

Run it by hand with ``python -m bot.testing mastodon`` (it prints what to export and writes
a ready config).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.testing.server import Emulator, EmulatorHandler, Fault
from threads.networks import MastodonRule

__all__ = ["ACCESS_TOKEN", "ACCOUNT_ID", "USERNAME", "Fault", "MastodonEmulator", "Status"]

ACCESS_TOKEN = "emu-mastodon-token-5f4e3d2c1b0a"
ACCOUNT_ID = "109876543210987654"
USERNAME = "threadbot"
DOMAIN = "mastodon.emu.example"
VISIBILITIES = ("public", "unlisted", "private", "direct")
IDEMPOTENCY_SECONDS = 3600
DELETE_ROUTE = "DELETE /api/v1/statuses/:id"
DELETE_WINDOW_SECONDS = 30 * 60
IMAGE_LIMIT = 16 * 1024 * 1024
DESCRIPTION_LIMIT = 1500
_URL = re.compile(r"https?://[^\s<]+")


@dataclass
class Media:
    id: str
    data: bytes
    mime_type: str
    description: str | None
    polls_left: int

    @property
    def processed(self) -> bool:
        return self.polls_left <= 0


@dataclass
class Status:
    id: str
    text: str
    in_reply_to_id: str | None
    visibility: str
    spoiler_text: str
    created: float
    media_ids: tuple[str, ...] = ()
    language: str | None = None


@dataclass
class _Key:
    status_id: str
    created: float


def _iso(moment: float) -> str:
    return (
        dt.datetime.fromtimestamp(moment, tz=dt.UTC).isoformat(timespec="milliseconds")[:-6] + "Z"
    )


def _content(text: str) -> str:
    """Status text as Mastodon renders it: escaped, paragraphs and breaks, links."""

    def link(match: re.Match[str]) -> str:
        # As Mastodon shows a link: the scheme hidden, the rest cut after 30 characters.
        url = match.group(0)
        scheme, rest = url.split("://", 1)
        return (
            f'<a href="{url}" target="_blank" rel="nofollow noopener noreferrer" '
            f'translate="no"><span class="invisible">{scheme}://</span>'
            f'<span class="ellipsis">{rest[:30]}</span>'
            f'<span class="invisible">{rest[30:]}</span></a>'
        )

    paragraphs = re.split(r"\n\n+", text.strip())
    rendered = [
        _URL.sub(link, html.escape(p, quote=False)).replace("\n", "<br />") for p in paragraphs
    ]
    return "".join(f"<p>{p}</p>" for p in rendered)


def _error(status: int, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": message}


class MastodonEmulator(Emulator):
    """A Mastodon instance with one account; :meth:`start` serves it on an ephemeral port."""

    network = "mastodon"

    def exports(self) -> dict[str, str]:
        return {"THREADBOT_MASTODON_URL": self.url, "MASTODON_ACCESS_TOKEN": ACCESS_TOKEN}

    def __init__(
        self,
        *,
        max_characters: int = 500,
        characters_reserved_per_url: int = 23,
        status_limit: int = 300,
        delete_limit: int = 30,
        media_processing_polls: int = 1,
        client_timeout: float = 2.0,
    ) -> None:
        super().__init__(client_timeout=client_timeout)
        self.statuses: list[Status] = []
        # Deleted statuses still count against the posting limit.
        self.deleted: list[Status] = []
        self.delete_limit = delete_limit
        self._deletes: list[float] = []  # times of delete requests
        self.media: dict[str, Media] = {}
        self.idempotency: dict[str, _Key] = {}
        self.max_characters = max_characters
        self.characters_reserved_per_url = characters_reserved_per_url
        self.status_limit = status_limit
        self.media_processing_polls = media_processing_polls
        self._ids = itertools.count(113_000_000_000_000_000)

    @property
    def posts(self) -> list[Status]:
        """The account's statuses, oldest first."""
        return self.statuses

    def next_id(self) -> str:
        return str(next(self._ids))

    def window_count(self) -> int:
        since = time.time() - 3 * 3600
        return sum(status.created >= since for status in [*self.statuses, *self.deleted])

    def deletes_in_window(self) -> int:
        since = time.time() - DELETE_WINDOW_SECONDS
        return sum(moment >= since for moment in self._deletes)

    def has_post(self, post_id: str) -> bool:
        return any(status.id == post_id for status in self.statuses)

    def rate_headers(self, route: str) -> dict[str, str]:
        if route == "POST /api/v1/statuses":
            limit, remaining = self.status_limit, self.status_limit - self.window_count()
            reset = time.time() + 3 * 3600
        elif route == DELETE_ROUTE:
            limit, remaining = self.delete_limit, self.delete_limit - self.deletes_in_window()
            reset = time.time() + DELETE_WINDOW_SECONDS
        else:
            limit, remaining, reset = 300, 299, time.time() + 300  # per 5 minutes
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, remaining)),
            "X-RateLimit-Reset": _iso(reset),
        }

    def account(self) -> dict[str, Any]:
        return {
            "id": ACCOUNT_ID,
            "username": USERNAME,
            "acct": USERNAME,
            "display_name": "Threadbot Emulator",
            "url": f"https://{DOMAIN}/@{USERNAME}",
            "statuses_count": len(self.statuses),
        }

    def status_json(self, status: Status) -> dict[str, Any]:
        parent = next((s for s in self.statuses if s.id == status.in_reply_to_id), None)
        counts = self.counts_of(status.id)
        return {
            "id": status.id,
            "created_at": _iso(status.created),
            "in_reply_to_id": status.in_reply_to_id,
            "in_reply_to_account_id": ACCOUNT_ID if parent is not None else None,
            "replies_count": counts.replies,
            "reblogs_count": counts.reposts,
            "favourites_count": counts.likes,
            "sensitive": bool(status.spoiler_text),
            "spoiler_text": status.spoiler_text,
            "visibility": status.visibility,
            "language": status.language,
            "uri": f"https://{DOMAIN}/users/{USERNAME}/statuses/{status.id}",
            "url": f"https://{DOMAIN}/@{USERNAME}/{status.id}",
            "content": _content(status.text),
            "account": self.account(),
            "media_attachments": [self.media_json(self.media[m]) for m in status.media_ids],
            "mentions": [],
            "tags": [],
        }

    def media_json(self, media: Media) -> dict[str, Any]:
        url = f"https://{DOMAIN}/system/media_attachments/{media.id}.png"
        return {
            "id": media.id,
            "type": "image",
            "url": url if media.processed else None,
            "preview_url": url,
            "description": media.description,
            "blurhash": None,
        }


class _Handler(EmulatorHandler):
    emulator: MastodonEmulator

    def _dispatch(self) -> None:
        body = self.read_body()
        parts = urlsplit(self.path)
        path = parts.path
        emulator = self.emulator
        shape = re.sub(r"/[0-9]{6,}(?=/|$)", "/:id", path)
        self.route = f"{self.command} {shape}"
        emulator.received(self.route, self.path)
        query = parse_qs(parts.query)
        if self.route == "GET /api/v2/instance":
            self._instance()
            return
        if self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            self.send_json(*_error(401, "The access token is invalid"))
            return
        if self.route == "POST /api/v1/statuses":
            self._create(self._form(body))
        elif self.route == "GET /api/v1/accounts/verify_credentials":
            self.send_json(200, emulator.account())
        elif self.route == "GET /api/v1/accounts/:id/statuses":
            self._account_statuses(path.split("/")[4], query)
        elif self.route == "GET /api/v1/statuses/:id":
            found = next((s for s in emulator.statuses if s.id == path.rsplit("/", 1)[1]), None)
            if found is None:
                self.send_json(*_error(404, "Record not found"))
            else:
                self.send_json(200, emulator.status_json(found))
        elif self.route == DELETE_ROUTE:
            self._delete(path.rsplit("/", 1)[1])
        elif self.route == "POST /api/v2/media":
            self._upload(body)
        elif self.route == "GET /api/v1/media/:id":
            self._media(path.rsplit("/", 1)[1])
        else:
            self.send_json(*_error(404, "Record not found"))

    do_GET = do_POST = do_DELETE = _dispatch

    def _form(self, body: bytes) -> dict[str, Any]:
        """A JSON or form-encoded body as one dict (``media_ids[]`` as a list)."""
        content_type = self.headers.get("Content-Type", "")
        if "application/json" in content_type:
            try:
                value = json.loads(body or b"{}")
            except ValueError:
                return {}
            return value if isinstance(value, dict) else {}
        fields: dict[str, Any] = {}
        for key, values in parse_qs(body.decode(), keep_blank_values=True).items():
            fields[key.removesuffix("[]")] = values if key.endswith("[]") else values[0]
        return fields

    def _instance(self) -> None:
        emulator = self.emulator
        self.send_json(
            200,
            {
                "domain": DOMAIN,
                "title": "Threadbot emulator",
                "version": "4.3.0",
                "configuration": {
                    "statuses": {
                        "max_characters": emulator.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": emulator.characters_reserved_per_url,
                    },
                    "media_attachments": {
                        "supported_mime_types": ["image/png", "image/jpeg", "image/webp"],
                        "image_size_limit": IMAGE_LIMIT,
                        "description_limit": DESCRIPTION_LIMIT,
                    },
                },
            },
        )

    def _create(self, form: dict[str, Any]) -> None:
        emulator = self.emulator
        number, fault = emulator.next_post_attempt()
        emulator.pause(number, "received")
        if self.transport_fault(fault):
            return
        kind = fault.kind if fault else None
        if kind == "429" and fault is not None:
            reset = _iso(time.time() + fault.reset_in)
            self.send_json(
                *_error(429, "Too many requests"),
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            )
            return
        simple = {
            "500": _error(500, "We're sorry, but something went wrong on our end."),
            "503": _error(503, "Service Unavailable"),
            "401": _error(401, "The access token is invalid"),
            "403": _error(
                403, "This action is outside the authorized scopes"
            ),  # a token without write:statuses
            "422": _error(422, "Validation failed: Text can't be blank"),
        }
        if kind in simple:
            self.send_json(*simple[kind])
            return
        key = self.headers.get("Idempotency-Key")
        with emulator.lock:
            status, body = self._store(form, key)
        if status != 200:
            self.send_json(status, body)
            return
        emulator.pause(number, "accepted")
        if kind == "drop_after_accept":
            self.hang_up()
            return
        self.send_json(status, body)
        emulator.pause(number, "responded")

    def _store(self, form: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
        """Validate and store a status, or find the one this key made (lock held)."""
        emulator = self.emulator
        now = time.time()
        if key:
            known = emulator.idempotency.get(key)
            if known is not None and now - known.created < IDEMPOTENCY_SECONDS:
                first = next((s for s in emulator.statuses if s.id == known.status_id), None)
                if first is None:  # deleted since: Mastodon's find of it fails
                    return _error(404, "Record not found")
                return 200, emulator.status_json(first)
        if emulator.window_count() >= emulator.status_limit:
            return _error(429, "Too many requests")
        text = str(form.get("status") or "")
        spoiler = str(form.get("spoiler_text") or "")
        media_ids = tuple(str(m) for m in form.get("media_ids") or ())
        visibility = str(form.get("visibility") or "public")
        reply_to = form.get("in_reply_to_id") or None
        if not text.strip() and not media_ids:
            return _error(422, "Validation failed: Text can't be blank")
        rule = MastodonRule(
            limit=emulator.max_characters, url_length=emulator.characters_reserved_per_url
        )
        if rule.measure(spoiler + text) > rule.limit:
            return _error(422, f"Validation failed: Text character limit of {rule.limit} exceeded")
        if visibility not in VISIBILITIES:
            return _error(422, "Validation failed: Visibility is not included in the list")
        if reply_to is not None and not any(s.id == str(reply_to) for s in emulator.statuses):
            return _error(404, "Record not found")
        for media_id in media_ids:
            media = emulator.media.get(media_id)
            if media is None:
                return _error(422, f"Validation failed: Media attachments not found: {media_id}")
            if not media.processed:
                return _error(
                    422,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )
        created = Status(
            id=emulator.next_id(),
            text=text,
            in_reply_to_id=str(reply_to) if reply_to is not None else None,
            visibility=visibility,
            spoiler_text=spoiler,
            created=now,
            media_ids=media_ids,
            language=form.get("language"),
        )
        emulator.statuses.append(created)
        emulator.stored_post(created.id, text)
        if key:
            emulator.idempotency[key] = _Key(created.id, now)
        return 200, emulator.status_json(created)

    def _delete(self, status_id: str) -> None:
        """``DELETE /api/v1/statuses/:id``, its faults and holds counted as deletes."""
        emulator = self.emulator
        number, fault = emulator.next_delete_attempt(status_id)
        emulator.pause(number, "received", "delete")
        if self.transport_fault(fault):
            return
        kind = fault.kind if fault else None
        if kind == "429" and fault is not None:
            reset = _iso(time.time() + fault.reset_in)
            self.send_json(
                *_error(429, "Too many requests"),
                {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            )
            return
        simple = {
            "500": _error(500, "We're sorry, but something went wrong on our end."),
            "503": _error(503, "Service Unavailable"),
            "401": _error(401, "The access token is invalid"),
            "403": _error(403, "This action is outside the authorized scopes"),
        }
        if kind in simple:
            self.send_json(*simple[kind])
            return
        with emulator.lock:
            found = next((s for s in emulator.statuses if s.id == status_id), None)
            if emulator.deletes_in_window() >= emulator.delete_limit:
                status, body = _error(429, "Too many requests")
            elif found is None:
                status, body = _error(404, "Record not found")
            else:
                emulator.statuses.remove(found)
                emulator.deleted.append(found)
                body = {k: v for k, v in emulator.status_json(found).items() if k != "content"}
                status, body = 200, {**body, "text": found.text}
            if status != 429:
                emulator._deletes.append(time.time())
        if status != 200:
            self.send_json(status, body)
            return
        emulator.pause(number, "accepted", "delete")
        if kind == "drop_after_accept":
            self.hang_up()
            return
        self.send_json(status, body)
        emulator.pause(number, "responded", "delete")

    def _account_statuses(self, account_id: str, query: dict[str, list[str]]) -> None:
        if account_id != ACCOUNT_ID:
            self.send_json(*_error(404, "Record not found"))
            return
        try:
            limit = min(40, max(1, int(query.get("limit", ["20"])[0])))
        except ValueError:
            limit = 20
        newest = list(reversed(self.emulator.statuses))
        max_id = query.get("max_id", [None])[0]
        if max_id is not None:
            newest = [s for s in newest if int(s.id) < int(max_id)]
        self.send_json(200, [self.emulator.status_json(s) for s in newest[:limit]])

    def _upload(self, body: bytes) -> None:
        emulator = self.emulator
        fault = emulator.upload_faults.popleft() if emulator.upload_faults else None
        if self.transport_fault(fault):
            return
        if fault is not None and fault.kind in ("500", "503"):
            self.send_json(
                *_error(int(fault.kind), "Error processing thumbnail for uploaded media")
            )
            return
        parts = self.form_parts(body)
        file_part = parts.get("file")
        payload = file_part.get_payload(decode=True) if file_part is not None else None
        if not isinstance(payload, bytes) or not payload:
            self.send_json(*_error(422, "Validation failed: File can't be blank"))
            return
        if len(payload) > IMAGE_LIMIT:
            self.send_json(
                *_error(422, "Validation failed: File file size must be less than 16 MB")
            )
            return
        description_part = parts.get("description")
        description = str(description_part.get_content()) if description_part is not None else None
        if description is not None and len(description) > DESCRIPTION_LIMIT:
            self.send_json(
                *_error(
                    422,
                    f"Validation failed: Description is too long "
                    f"(maximum is {DESCRIPTION_LIMIT} characters)",
                )
            )
            return
        mime_type = file_part.get_content_type() if file_part is not None else "image/png"
        with emulator.lock:
            media = Media(
                emulator.next_id(),
                payload,
                mime_type,
                description,
                emulator.media_processing_polls,
            )
            emulator.media[media.id] = media
        if fault is not None and fault.kind == "drop_after_accept":
            self.hang_up()
            return
        self.send_json(202 if not media.processed else 200, emulator.media_json(media))

    def _media(self, media_id: str) -> None:
        emulator = self.emulator
        with emulator.lock:
            media = emulator.media.get(media_id)
            if media is None:
                self.send_json(*_error(404, "Record not found"))
                return
            answer = emulator.media_json(media)
            status = 200 if media.processed else 206
            media.polls_left -= 1
        self.send_json(status, answer)


MastodonEmulator.handler = _Handler
