"""What the emulators share: faults, holds, request counts, post counts and the HTTP server.

Each emulator (``bot.testing.x``, ``.bluesky``, ``.mastodon``) is real HTTP on 127.0.0.1
(an ephemeral port): it counts requests by endpoint in ``calls`` and keeps each one's
path and query in ``requests`` (``queries(route)`` parses them), takes injected faults
for its post endpoint (``faults``), its upload endpoint (``upload_faults``) and its
delete endpoint (``delete_faults``), and can pause a request at a phase so a crash test
can kill the client there. The network-specific parts (routes, bodies, errors) live in
each network's ``emulator`` module.

``delete_targets`` lists the post each delete request named, in order: which post got
how many DELETEs.

Holds address a request by its action and its number, each action counted on its own
from 1 — every request of that action that reaches the handler counts, whatever it is
answered (a fault, a refusal, a post already gone):

    emulator.hold(2, "accepted")         # the 2nd post (create) request, stored, unanswered
    emulator.hold_delete(3, "received")  # the 3rd delete request, before anything is deleted

Phases (:data:`PHASES`): ``received`` (nothing done yet), ``accepted`` (stored, or
deleted; no answer sent), ``responded`` (answer sent).

Fault kinds: ``429``, ``500``, ``503``, ``timeout`` (answer after the client gave up),
``drop_before_accept`` (hang up, nothing stored), ``drop_after_accept`` (store — or
delete — then hang up), ``pass`` (behave; to aim a later fault at a later request), and
whatever kinds the network's emulator adds (``401``, ``expired``...).

Metrics: every post has :class:`Counts`, zeros until a test sets them with
``emulator.set_metrics(post_id, likes=3, impressions=120, link_clicks=4)`` (``post_id``
as the network's API names the post: X's id, Bluesky's ``at://`` URI, Mastodon's id).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

PHASES = ("received", "accepted", "responded")


@dataclass
class Fault:
    """One misbehaviour, used by the next request of its kind."""

    kind: str
    reset_in: float = 2.0  # for 429: seconds until the rate limit resets


@dataclass
class Hold:
    """A pause of request number ``post_number`` of ``action`` (a post or a delete,
    each counted on its own) at ``phase``."""

    post_number: int
    phase: str
    action: str = "post"
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Counts:
    """What the network counts of one post (each network reports the ones it has)."""

    impressions: int = 0
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    link_clicks: int = 0


class Emulator:
    """State every emulator has; :meth:`start` serves ``handler`` on an ephemeral port."""

    handler: ClassVar[type[EmulatorHandler]]
    #: The network's name, as threadbot's config and --network spell it.
    network: ClassVar[str]

    def __init__(self, *, client_timeout: float = 2.0) -> None:
        self.calls: Counter[str] = Counter()
        self.faults: deque[Fault] = deque()
        self.upload_faults: deque[Fault] = deque()
        self.delete_faults: deque[Fault] = deque()
        self.client_timeout = client_timeout
        self.post_attempts = 0
        self.delete_attempts = 0
        # The post each delete request named (as the API names posts), in order received.
        self.delete_targets: list[str] = []
        self.holds: list[Hold] = []
        # Every request as (route, path with its query), in the order received.
        self.requests: list[tuple[str, str]] = []
        self.counts: dict[str, Counts] = {}
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        # Set by the runner (`python -m bot.testing`): told of every request and post.
        self.report: Callable[[str], None] | None = None

    def received(self, route: str, target: str = "") -> None:
        """Count a request by its route (``POST /2/tweets``), keep its ``target`` (the
        path with its query), and say so if asked to."""
        self.calls[route] += 1
        self.requests.append((route, target))
        if self.report is not None:
            self.report(route)

    def queries(self, route: str) -> list[dict[str, list[str]]]:
        """The query parameters of each request on ``route``, in order."""
        return [parse_qs(urlsplit(target).query) for seen, target in self.requests if seen == route]

    def stored_post(self, post_id: str, text: str) -> None:
        """Say what a post request left on the emulated network (runner only)."""
        if self.report is not None:
            first = text.strip().splitlines()[0] if text.strip() else ""
            self.report(f"  stored post {post_id}: {first[:70]}")

    def exports(self) -> dict[str, str]:
        """The environment threadbot needs to post here: the URL and the credentials."""
        raise NotImplementedError

    def start(self) -> str:
        """Serve on 127.0.0.1; return the base URL."""
        handler = type("Handler", (self.handler,), {"emulator": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self.url

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        for hold in self.holds:
            hold.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def inject(self, fault: Fault) -> None:
        """Make the next post request misbehave."""
        self.faults.append(fault)

    def hold(self, post_number: int, phase: str) -> Hold:
        """Pause post request number ``post_number`` at ``phase`` (see :data:`PHASES`)."""
        return self._hold(post_number, phase, "post")

    def hold_delete(self, delete_number: int, phase: str) -> Hold:
        """Pause delete request number ``delete_number`` at ``phase``: ``accepted`` is
        the post gone and the answer not sent."""
        return self._hold(delete_number, phase, "delete")

    def _hold(self, number: int, phase: str, action: str) -> Hold:
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}")
        hold = Hold(number, phase, action)
        self.holds.append(hold)
        return hold

    def next_post_attempt(self) -> tuple[int, Fault | None]:
        """Count a post request and take the fault meant for it."""
        with self.lock:
            self.post_attempts += 1
            return self.post_attempts, self.faults.popleft() if self.faults else None

    def next_delete_attempt(self, post_id: str = "") -> tuple[int, Fault | None]:
        """Count a delete request of ``post_id`` and take the fault meant for it."""
        with self.lock:
            self.delete_attempts += 1
            self.delete_targets.append(post_id)
            fault = self.delete_faults.popleft() if self.delete_faults else None
            return self.delete_attempts, fault

    def pause(self, number: int, phase: str, action: str = "post") -> None:
        for hold in self.holds:
            if (hold.post_number, hold.phase, hold.action) == (number, phase, action):
                hold.reached.set()
                hold.release.wait(30)

    def has_post(self, post_id: str) -> bool:
        """Whether ``post_id`` names a post on the emulated network now."""
        raise NotImplementedError

    def set_metrics(self, post_id: str, **counts: int) -> None:
        """Set some of a post's :class:`Counts` (the rest keep theirs, zeros at first)."""
        if not self.has_post(post_id):
            raise KeyError(f"no post {post_id!r} on this emulator")
        with self.lock:
            self.counts[post_id] = replace(self.counts_of(post_id), **counts)

    def counts_of(self, post_id: str) -> Counts:
        return self.counts.get(post_id, Counts())

    def rate_headers(self, route: str) -> dict[str, str]:
        """Rate-limit headers for an answer on ``route`` (none unless overridden)."""
        return {}


class EmulatorHandler(BaseHTTPRequestHandler):
    """The HTTP side: JSON answers with rate-limit headers, hang-ups, and body reading."""

    emulator: Emulator
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every answer.
    disable_nagle_algorithm = True
    route = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def form_parts(self, body: bytes) -> dict[Any, Any]:
        """A multipart/form-data body's parts by field name (an email.message each)."""
        message = email.message_from_bytes(
            f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode() + body,
            policy=email.policy.HTTP,
        )
        if not message.is_multipart():
            return {}
        return {
            part.get_param("name", header="content-disposition"): part
            for part in message.iter_parts()
        }

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(
        self,
        status: int,
        payload: Any,
        extra: dict[str, str] | None = None,
        content_type: str = "application/json; charset=utf-8",
    ) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in {**self.emulator.rate_headers(self.route), **(extra or {})}.items():
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client died (crash tests kill it)

    def hang_up(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(2)

    def transport_fault(self, fault: Fault | None) -> bool:
        """Act out a fault that answers nothing; whether one was acted out."""
        if fault is None:
            return False
        if fault.kind == "timeout":
            time.sleep(self.emulator.client_timeout + 0.5)
            self.hang_up()
            return True
        if fault.kind == "drop_before_accept":
            self.hang_up()
            return True
        return False
