"""A local X API v2 emulator: real HTTP on 127.0.0.1, real OAuth 1.0a verification.

tweepy talks to it exactly as to X (threadbot points at it with THREADBOT_X_API_URL).
It keeps posts and uploaded media (POST /2/media/upload, alt text via
POST /2/media/metadata) in memory, rejects duplicate text with X's 403 body, sends rate-limit
headers, enforces a 15-minute and an optional 24-hour post limit, rewrites URLs to
t.co links of their own in what it returns, with ``entities.urls`` (``expanded_url``),
``created_at`` and ``referenced_tweets`` when ``tweet.fields`` asks (as X does), counts
every request by endpoint
(``calls["POST /2/tweets"]``), and can be told to misbehave:

    emulator.inject(Fault("500"))                    # next POST /2/tweets fails
    emulator.upload_faults.append(Fault("drop_after_accept"))  # next upload: kept, hang up
    emulator.inject(Fault("drop_after_accept"))      # stores the post, then hangs up
    emulator.hold(post_number=3, phase="accepted")   # pause there (crash tests)
    emulator.delete_faults.append(Fault("500"))      # next DELETE /2/tweets/:id fails
    emulator.hold_delete(2, "accepted")              # 2nd delete: post gone, unanswered

Deleting (``DELETE /2/tweets/:id``) answers ``{"data": {"deleted": true}}`` and the post
leaves every lookup; a post that is not there answers X's 404 problem
(``resource-not-found``), another user's post 403. Deletes are limited to
``delete_window_limit`` (50) per user per 15 minutes, with their own rate-limit headers.

Metrics: ``GET /2/tweets?ids=…`` (1 to 100 ids) answers each post with the
``tweet.fields`` asked for: ``public_metrics`` and ``non_public_metrics`` from the
post's counts (``emulator.set_metrics(post_id, impressions=…, link_clicks=…)``;
``url_link_clicks`` only for a post with a link, as X). A missing id is left out of
``data`` with a ``Not Found Error`` in ``errors``; ``non_public_metrics`` of a post
that is another user's or older than 30 days (``emulator.backdate(post_id, days=31)``)
leaves that post out too, with X's ``Field Authorization Error`` per field
(``.../problems/not-authorized-for-field``) — still a 200, as X answers.

Several accounts: ``emulator.add_user("news")`` returns that user's access token and
secret (same consumer key); each post belongs to the user whose token signed it, and
``/2/users/me`` and ``/2/users/:id/tweets`` answer for that user.

``XEmulator(accept_duplicates=True)`` posts a repeated text instead of refusing it (X's
duplicate rule holds only for some texts and windows): exactly-once tests run that way,
so a second attempt shows up as a second post, not as a refusal that hides it.

``XEmulator(answer_delay=0.05)`` takes 50 ms over each POST /2/tweets, as a real API
does, without holding the emulator's lock: requests in flight at once overlap (the
server is threaded), so throughput benchmarks see a network's latency, not a queue.

Run it by hand with ``python -m bot.testing x`` (it prints what to export and writes a
ready config).

Faults: 429, daily_cap, 500, 503, timeout, drop_before_accept, drop_after_accept, 401,
403_readonly, 400, and pass (behave normally; to aim a later fault at a later post).
Delete faults: 429, 500, 503, 401, timeout, drop_before_accept, drop_after_accept,
not_deleted (``{"data": {"deleted": false}}``, nothing deleted), pass.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from bot.testing.server import Emulator, EmulatorHandler
from bot.testing.server import Fault as Fault  # re-exported: tests inject faults from here
from threads.length import weighted_length
from threads.urls import find_url_spans

CONSUMER_KEY = "emu-consumer-key-6f1c2a"
CONSUMER_SECRET = "emu-consumer-secret-9b8d7e6f5a4c3b2a1d0e"
ACCESS_TOKEN = "424242-emu-access-token-3c4d5e6f"
ACCESS_TOKEN_SECRET = "emu-access-token-secret-1a2b3c4d5e6f7a8b"
SECRETS = (CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
USER_ID = "424242"
USERNAME = "threadbot_emu"
DELETE_ROUTE = "DELETE /2/tweets/:id"
LOOKUP_ROUTE = "GET /2/tweets"
LOOKUP_MAX_IDS = 100
PRIVATE_METRICS_DAYS = 30  # X keeps non-public metrics this long
NON_PUBLIC_FIELDS = (
    "non_public_metrics.impression_count",
    "non_public_metrics.url_link_clicks",
    "non_public_metrics.user_profile_clicks",
)


@dataclass
class EmulatedPost:
    id: str
    text: str
    reply_to: str | None
    created: float
    media_ids: tuple[str, ...] = ()
    author_id: str = USER_ID


@dataclass(frozen=True)
class EmulatedUser:
    id: str
    username: str
    access_token: str
    access_token_secret: str


@dataclass
class EmulatedMedia:
    id: str
    png: bytes
    alt_text: str | None = None


class _Validator(RequestValidator):  # type: ignore[misc]
    enforce_ssl = False
    nonce_length = (8, 64)
    client_key_length = (8, 64)
    access_token_length = (8, 64)
    dummy_client = "dummy-client-key-000"
    dummy_access_token = "dummy-access-token-000"

    def __init__(self, users: dict[str, EmulatedUser]) -> None:
        super().__init__()
        self.nonces: set[tuple[str, str]] = set()
        self.lock = threading.Lock()
        self.users = users  # by access token

    @property
    def safe_characters(self) -> set[str]:
        return set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return bool(client_key == CONSUMER_KEY)

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return token in self.users

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Any,
        request_token: Any = None,
        access_token: Any = None,
    ) -> bool:
        with self.lock:
            if (timestamp, nonce) in self.nonces:
                return False  # replayed request
            self.nonces.add((timestamp, nonce))
        return abs(time.time() - int(timestamp)) < 600

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return CONSUMER_SECRET if client_key == CONSUMER_KEY else "dummy-secret"

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        user = self.users.get(token)
        return user.access_token_secret if user is not None else "dummy-secret"


class XEmulator(Emulator):
    """State and behaviour; :meth:`start` serves it on an ephemeral port (the server,
    faults, holds and request counts are the shared :class:`Emulator`'s)."""

    network = "x"

    def __init__(
        self,
        *,
        window_limit: int = 100,
        daily_limit: int | None = None,
        delete_window_limit: int = 50,
        client_timeout: float = 2.0,
        accept_duplicates: bool = False,
        answer_delay: float = 0.0,
    ) -> None:
        super().__init__(client_timeout=client_timeout)
        self.accept_duplicates = accept_duplicates
        # Seconds each POST /2/tweets takes before it is stored and answered, spent
        # outside the lock: concurrent requests overlap, as on a real API.
        self.answer_delay = answer_delay
        self.posts: list[EmulatedPost] = []
        # Deleted posts still count against the post limits: X counts requests.
        self.deleted: list[EmulatedPost] = []
        self.delete_window_limit = delete_window_limit
        self._deletes: list[tuple[float, str]] = []  # (when, user id) of each delete
        self.media: dict[str, EmulatedMedia] = {}
        self.window_limit = window_limit
        self.daily_limit = daily_limit
        self._ids = itertools.count(1_800_000_000_000_000_000)
        self.users: dict[str, EmulatedUser] = {
            ACCESS_TOKEN: EmulatedUser(USER_ID, USERNAME, ACCESS_TOKEN, ACCESS_TOKEN_SECRET)
        }
        self._endpoint = SignatureOnlyEndpoint(_Validator(self.users))

    # -- control ------------------------------------------------------------------

    def add_user(self, username: str) -> EmulatedUser:
        """Another account on this X: its own id, handle and access token."""
        with self.lock:
            number = len(self.users) + 1
            user = EmulatedUser(
                id=f"{USER_ID}{number:02d}",
                username=username,
                access_token=f"{USER_ID}{number:02d}-emu-access-token-{username}-7a7a",
                access_token_secret=f"emu-access-token-secret-{username}-{number:02d}-b8b8b8",
            )
            self.users[user.access_token] = user
        return user

    def take_time(self) -> None:
        """A post request's own time (``answer_delay``), never under the lock."""
        if self.answer_delay > 0:
            time.sleep(self.answer_delay)

    def exports(self) -> dict[str, str]:
        return {
            "THREADBOT_X_API_URL": self.url,
            "X_API_KEY": CONSUMER_KEY,
            "X_API_SECRET": CONSUMER_SECRET,
            "X_ACCESS_TOKEN": ACCESS_TOKEN,
            "X_ACCESS_TOKEN_SECRET": ACCESS_TOKEN_SECRET,
        }

    def posts_by(self, username: str) -> list[EmulatedPost]:
        ids = {u.id for u in self.users.values() if u.username == username}
        with self.lock:
            return [p for p in self.posts if p.author_id in ids]

    def window_count(self, seconds: float, author: str | None = None) -> int:
        """Posts made in the last ``seconds``, deleted or not (by ``author``: X's limits
        are per user)."""
        since = time.time() - seconds
        return sum(
            post.created >= since and author in (None, post.author_id)
            for post in [*self.posts, *self.deleted]
        )

    def deletes_in_window(self, author: str | None = None) -> int:
        """Delete requests in the last 15 minutes (by ``author``)."""
        since = time.time() - 900
        return sum(when >= since and author in (None, who) for when, who in self._deletes)

    def has_post(self, post_id: str) -> bool:
        return any(post.id == post_id for post in self.posts)

    def add_post(self, text: str, *, author: str = USER_ID) -> EmulatedPost:
        """Put a post on this X without a request (tests that need many posts)."""
        with self.lock:
            post = EmulatedPost(str(next(self._ids)), text, None, time.time(), author_id=author)
            self.posts.append(post)
        return post

    def backdate(self, post_id: str, days: float) -> None:
        """Make a post ``days`` older (its ``created_at`` as X reports it too)."""
        with self.lock:
            post = next(p for p in self.posts if p.id == post_id)
            post.created -= days * 86400

    def rate_headers(self, route: str = "") -> dict[str, str]:
        reset = int(time.time()) + 900
        if route == DELETE_ROUTE:
            remaining = self.delete_window_limit - self.deletes_in_window()
            return {
                "x-rate-limit-limit": str(self.delete_window_limit),
                "x-rate-limit-remaining": str(max(0, remaining)),
                "x-rate-limit-reset": str(reset),
            }
        headers = {
            "x-rate-limit-limit": str(self.window_limit),
            "x-rate-limit-remaining": str(max(0, self.window_limit - self.window_count(900))),
            "x-rate-limit-reset": str(reset),
        }
        if self.daily_limit is not None:
            headers.update(
                {
                    "x-user-limit-24hour-limit": str(self.daily_limit),
                    "x-user-limit-24hour-remaining": str(
                        max(0, self.daily_limit - self.window_count(86400))
                    ),
                    "x-user-limit-24hour-reset": str(int(time.time()) + 86400),
                }
            )
        return headers

    def rendered(self, post: EmulatedPost) -> tuple[str, list[dict[str, Any]]]:
        """The text as X returns it — each URL a t.co link of its own, ``&<>`` escaped,
        a link to the attached media appended — and its ``entities.urls``."""
        parts: list[str] = []
        entities: list[dict[str, Any]] = []
        position = 0

        def link(short: str, **entity: Any) -> None:
            start = sum(len(part) for part in parts)
            parts.append(short)
            entities.append({"start": start, "end": start + len(short), "url": short, **entity})

        for index, span in enumerate(find_url_spans(post.text)):
            parts.append(_escaped(post.text[position : span.start]))
            expanded = span.url if "://" in span.url else f"http://{span.url}"
            link(
                f"https://t.co/{_short_code(post.id, index)}",
                expanded_url=expanded,
                display_url=expanded.split("://", 1)[1][:26],
            )
            position = span.end
        parts.append(_escaped(post.text[position:]))
        if post.media_ids:
            parts.append(" ")
            link(
                f"https://t.co/{_short_code(post.id, 99)}",
                expanded_url=f"https://x.com/{USERNAME}/status/{post.id}/photo/1",
                display_url="pic.x.com/emu",
                media_key=f"3_{post.media_ids[0]}",
            )
        return "".join(parts), entities

    def visible_text(self, post: EmulatedPost) -> str:
        return self.rendered(post)[0]

    def tweet_json(self, post: EmulatedPost, fields: set[str]) -> dict[str, Any]:
        """A post as ``GET /2/users/:id/tweets`` and ``GET /2/tweets`` return it, with
        the ``tweet.fields`` asked for (``created_at``, ``referenced_tweets``,
        ``entities``, ``public_metrics``, ``non_public_metrics``)."""
        text, urls = self.rendered(post)
        data: dict[str, Any] = {"id": post.id, "text": text, "edit_history_tweet_ids": [post.id]}
        if "created_at" in fields:
            data["created_at"] = (
                dt.datetime.fromtimestamp(post.created, dt.UTC).isoformat(timespec="milliseconds")[
                    :-6
                ]
                + "Z"
            )
        if "referenced_tweets" in fields and post.reply_to is not None:
            data["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to}]
        if "entities" in fields and urls:
            data["entities"] = {"urls": urls}
        counts = self.counts_of(post.id)
        if "public_metrics" in fields:
            data["public_metrics"] = {
                "retweet_count": counts.reposts,
                "reply_count": counts.replies,
                "like_count": counts.likes,
                "quote_count": counts.quotes,
                "bookmark_count": 0,
                "impression_count": counts.impressions,
            }
        if "non_public_metrics" in fields:
            private = {"impression_count": counts.impressions, "user_profile_clicks": 0}
            if find_url_spans(post.text):  # X counts link clicks only where there is one
                private["url_link_clicks"] = counts.link_clicks
            data["non_public_metrics"] = private
        return data


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _short_code(post_id: str, index: int) -> str:
    """A t.co code of its own for each link of each post (X never reuses one)."""
    return hashlib.sha256(f"{post_id}:{index}".encode()).hexdigest()[:10]


def _problem(
    status: int, title: str, detail: str, kind: str = "about:blank"
) -> tuple[int, dict[str, Any]]:
    return status, {"title": title, "detail": detail, "type": kind, "status": status}


class _Handler(EmulatorHandler):
    emulator: XEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def user(self) -> EmulatedUser:
        """The user whose access token signed this (already verified) request."""
        found = re.search(r'oauth_token="([^"]+)"', self.headers.get("Authorization", ""))
        token = unquote(found.group(1)) if found else ACCESS_TOKEN
        return self.emulator.users.get(token) or self.emulator.users[ACCESS_TOKEN]

    def _authorised(self, body: bytes) -> bool:
        uri = f"http://{self.headers['Host']}{self.path}"
        content_type = self.headers.get("Content-Type", "")
        signed_body = body.decode() if "application/x-www-form-urlencoded" in content_type else None
        valid, _ = self.emulator._endpoint.validate_request(
            uri, http_method=self.command, body=signed_body, headers=dict(self.headers)
        )
        return bool(valid)

    def _send(
        self, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None
    ) -> None:
        # X answers errors as RFC 7807 problems.
        kind = "application/problem+json" if status >= 400 else "application/json"
        self.send_json(status, payload, extra, content_type=kind)

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        route = urlsplit(self.path)
        self.route = f"{self.command} {re.sub(r'/[0-9]{3,}', '/:id', route.path)}"
        self.emulator.received(self.route, self.path)
        if not self._authorised(body):
            self._send(*_problem(401, "Unauthorized", "Unauthorized"))
            return
        if self.command == "POST" and route.path == "/2/tweets":
            self._create(json.loads(body or b"{}"))
        elif self.command == "POST" and route.path == "/2/media/upload":
            self._upload(body)
        elif self.command == "POST" and route.path == "/2/media/metadata":
            payload = json.loads(body or b"{}")
            media = self.emulator.media.get(str(payload.get("id")))
            alt = ((payload.get("metadata") or {}).get("alt_text") or {}).get("text")
            if media is None or not alt:
                self._send(*_problem(400, "Invalid Request", "Unknown media id or empty alt text."))
                return
            media.alt_text = alt
            self._send(
                200, {"data": {"id": media.id, "associated_metadata": {"alt_text": {"text": alt}}}}
            )
        elif self.route == DELETE_ROUTE:
            self._delete(route.path.rsplit("/", 1)[1])
        elif self.route == LOOKUP_ROUTE:
            self._lookup(parse_qs(route.query))
        elif self.command == "GET" and route.path == "/2/users/me":
            user = self.user
            self._send(
                200,
                {"data": {"id": user.id, "name": "Threadbot Emulator", "username": user.username}},
            )
        elif self.command == "GET" and (
            match := re.fullmatch(r"/2/users/([0-9]+)/tweets", route.path)
        ):
            query = parse_qs(route.query)
            limit = int(query.get("max_results", ["10"])[0])
            if not 5 <= limit <= 100:
                self._send(
                    *_problem(400, "Invalid Request", "max_results must be between 5 and 100")
                )
                return
            author = match.group(1)
            with self.emulator.lock:
                mine = [p for p in self.emulator.posts if p.author_id == author]
                recent = list(reversed(mine))[:limit]
            fields = set(",".join(query.get("tweet.fields", [])).split(","))
            data = [self.emulator.tweet_json(p, fields) for p in recent]
            meta: dict[str, Any] = {"result_count": len(data)}
            if data:
                meta.update(newest_id=data[0]["id"], oldest_id=data[-1]["id"])
            self._send(200, {"data": data, "meta": meta} if data else {"meta": meta})
        else:
            self._send(*_problem(404, "Not Found Error", f"no route {self.command} {route.path}"))

    def _delete(self, post_id: str) -> None:
        """``DELETE /2/tweets/:id``, its faults and holds counted as delete requests."""
        emulator = self.emulator
        number, fault = emulator.next_delete_attempt(post_id)
        emulator.pause(number, "received", "delete")
        if self.transport_fault(fault):
            return
        kind = fault.kind if fault else None
        if kind == "429" and fault is not None:
            extra = {
                "x-rate-limit-reset": str(int(time.time() + fault.reset_in)),
                "x-rate-limit-remaining": "0",
            }
            self._send(*_problem(429, "Too Many Requests", "Too Many Requests"), extra)
            return
        simple = {
            "500": _problem(500, "Internal Server Error", "Internal error"),
            "503": _problem(503, "Service Unavailable", "Service Unavailable"),
            "401": _problem(401, "Unauthorized", "Unauthorized"),
            "not_deleted": (200, {"data": {"deleted": False}}),
        }
        if kind in simple:
            self._send(*simple[kind])
            return
        user = self.user.id
        with emulator.lock:
            post = next((p for p in emulator.posts if p.id == post_id), None)
            if emulator.deletes_in_window(user) >= emulator.delete_window_limit:
                status, body = _problem(429, "Too Many Requests", "Too Many Requests")
            elif post is None:
                status, body = _problem(
                    404,
                    "Not Found Error",
                    f"Could not find tweet with id: [{post_id}].",
                    "https://api.twitter.com/2/problems/resource-not-found",
                )
            elif post.author_id != user:
                status, body = _problem(
                    403, "Forbidden", "You are not allowed to delete a Tweet you did not create."
                )
            else:
                emulator.posts.remove(post)
                emulator.deleted.append(post)
                status, body = 200, {"data": {"deleted": True}}
            if status != 429:
                emulator._deletes.append((time.time(), user))
        if status != 200:
            self._send(status, body)
            return
        emulator.pause(number, "accepted", "delete")
        if kind == "drop_after_accept":
            self.hang_up()
            return
        self._send(status, body)
        emulator.pause(number, "responded", "delete")

    def _lookup(self, query: dict[str, list[str]]) -> None:
        """``GET /2/tweets?ids=…``: the posts found, in the order asked; a missing one
        and one whose non-public metrics X will not say are left out of ``data`` and
        named in ``errors`` — with 200, as X answers a partly failed lookup."""
        emulator = self.emulator
        ids = [i for i in ",".join(query.get("ids", [])).split(",") if i]
        if not 1 <= len(ids) <= LOOKUP_MAX_IDS:
            status, body = _problem(
                400, "Invalid Request", "One or more parameters to your request was invalid."
            )
            body["errors"] = [
                {
                    "parameters": {"ids": ids},
                    "message": f"The number of values in the `ids` query parameter list "
                    f"[{len(ids)}] is not between 1 and {LOOKUP_MAX_IDS}",
                }
            ]
            self._send(status, body)
            return
        fields = set(",".join(query.get("tweet.fields", [])).split(","))
        user = self.user.id
        oldest_private = time.time() - PRIVATE_METRICS_DAYS * 86400
        data: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        with emulator.lock:
            posts = {post.id: post for post in emulator.posts}
            for post_id in ids:
                post = posts.get(post_id)
                found = {"value": post_id, "resource_type": "tweet", "parameter": "ids"}
                if post is None:
                    errors.append(
                        {
                            **found,
                            "resource_id": post_id,
                            "title": "Not Found Error",
                            "detail": f"Could not find tweet with ids: [{post_id}].",
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    )
                elif "non_public_metrics" in fields and (
                    post.author_id != user or post.created < oldest_private
                ):
                    errors.extend(
                        {
                            **found,
                            "resource_id": post_id,
                            "field": field,
                            "section": "data",
                            "title": "Field Authorization Error",
                            "detail": f"Sorry, you are not authorized to access '{field}' on "
                            f"the Tweet with ids : [{post_id}].",
                            "type": "https://api.twitter.com/2/problems/not-authorized-for-field",
                        }
                        for field in NON_PUBLIC_FIELDS
                    )
                else:
                    data.append(emulator.tweet_json(post, fields))
        answer: dict[str, Any] = {}
        if data:
            answer["data"] = data
        if errors:
            answer["errors"] = errors
        self._send(200, answer)

    def _upload(self, body: bytes) -> None:
        emulator = self.emulator
        fault = emulator.upload_faults.popleft() if emulator.upload_faults else None
        parts = self.form_parts(body)
        media_part = parts.get("media")
        payload = media_part.get_payload(decode=True) if media_part is not None else None
        png = payload if isinstance(payload, bytes) else b""
        if not png.startswith(b"\x89PNG"):
            self._send(
                *_problem(400, "Invalid Request", "media must be a PNG image in the 'media' field")
            )
            return
        with emulator.lock:
            media = EmulatedMedia(id=str(next(emulator._ids)), png=png)
            emulator.media[media.id] = media
        if fault is not None and fault.kind == "drop_after_accept":
            self.hang_up()
            return
        self._send(
            200,
            {
                "data": {
                    "id": media.id,
                    "media_key": f"3_{media.id}",
                    "size": len(png),
                    "expires_after_secs": 86400,
                    "image": {"image_type": "image/png"},
                }
            },
        )

    def _create(self, payload: dict[str, Any]) -> None:
        emulator = self.emulator
        with emulator.lock:
            emulator.post_attempts += 1
            number = emulator.post_attempts
            fault = emulator.faults.popleft() if emulator.faults else None
        emulator.pause(number, "received")
        emulator.take_time()
        kind = fault.kind if fault else None
        if kind == "timeout":
            time.sleep(emulator.client_timeout + 0.5)
            self.hang_up()
            return
        if kind == "drop_before_accept":
            self.hang_up()
            return
        if kind in ("429", "daily_cap"):
            reset = str(int(time.time() + (fault.reset_in if fault else 2)))
            extra = {"x-rate-limit-reset": reset, "x-rate-limit-remaining": "0"}
            if kind == "daily_cap":
                extra.update(
                    {"x-user-limit-24hour-remaining": "0", "x-user-limit-24hour-reset": reset}
                )
            self._send(*_problem(429, "Too Many Requests", "Too Many Requests"), extra)
            return
        simple = {
            "500": _problem(500, "Internal Server Error", "Internal error"),
            "503": _problem(503, "Service Unavailable", "Service Unavailable"),
            "401": _problem(401, "Unauthorized", "Unauthorized"),
            "403_readonly": (
                403,
                {
                    "title": "Unsupported Authentication",
                    "detail": (
                        "Your client app is not configured with the appropriate oauth1 "
                        "app permissions for this endpoint."
                    ),
                    "type": "https://api.twitter.com/2/problems/oauth1-permissions",
                    "status": 403,
                },
            ),
            "400": _problem(
                400, "Invalid Request", "One or more parameters to your request was invalid."
            ),
        }
        if kind in simple:
            self._send(*simple[kind])
            return
        text = str(payload.get("text", ""))
        reply_to = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
        media_ids = tuple(str(m) for m in (payload.get("media") or {}).get("media_ids") or ())
        author = self.user.id
        with emulator.lock:
            if emulator.window_count(900, author) >= emulator.window_limit or (
                emulator.daily_limit is not None
                and emulator.window_count(86400, author) >= emulator.daily_limit
            ):
                status, body = _problem(429, "Too Many Requests", "Too Many Requests")
            elif not text or weighted_length(text) > 280:
                status, body = _problem(400, "Invalid Request", "Tweet text is empty or too long.")
            elif not emulator.accept_duplicates and any(
                p.text == text and p.author_id == author for p in emulator.posts
            ):
                status, body = _problem(
                    403,
                    "Forbidden",
                    "You are not allowed to create a Tweet with duplicate content.",
                )
            elif any(m not in emulator.media for m in media_ids):
                status, body = _problem(400, "Invalid Request", "Your media IDs are invalid.")
            elif reply_to is not None and not any(p.id == reply_to for p in emulator.posts):
                status, body = _problem(
                    400,
                    "Invalid Request",
                    "The Tweet you are replying to has been deleted or is not visible to you.",
                )
            else:
                post = EmulatedPost(
                    id=str(next(emulator._ids)),
                    text=text,
                    reply_to=reply_to,
                    created=time.time(),
                    media_ids=media_ids,
                    author_id=author,
                )
                emulator.posts.append(post)
                emulator.stored_post(post.id, text)
                status, body = (
                    201,
                    {
                        "data": {
                            "id": post.id,
                            "text": emulator.visible_text(post),
                            "edit_history_tweet_ids": [post.id],
                        }
                    },
                )
        if status != 201:
            extra = {}
            if (
                status == 429
                and emulator.daily_limit is not None
                and emulator.window_count(86400) >= emulator.daily_limit
            ):
                extra = {"x-user-limit-24hour-remaining": "0"}
            self._send(status, body, extra)
            return
        emulator.pause(number, "accepted")
        if kind == "drop_after_accept":
            self.hang_up()
            return
        self._send(status, body)
        emulator.pause(number, "responded")

    do_GET = do_POST = do_DELETE = _dispatch


XEmulator.handler = _Handler
