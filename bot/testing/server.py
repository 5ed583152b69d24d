"""What the emulators share: faults, holds, request counts and the HTTP server.

Each emulator (``bot.testing.x``, ``.bluesky``, ``.mastodon``) is real HTTP on 127.0.0.1
(an ephemeral port): it counts requests by endpoint in ``calls``, takes
injected faults for its post endpoint (``faults``) and its upload endpoint
(``upload_faults``), and can pause the N-th post request at a phase (``hold``) so a
crash test can kill the client there. The network-specific parts (routes, bodies,
errors) live in each network's ``emulator`` module.

Fault kinds: ``429``, ``500``, ``503``, ``timeout`` (answer after the client gave up),
``drop_before_accept`` (hang up, nothing stored), ``drop_after_accept`` (store, then hang
up), ``pass`` (behave; to aim a later fault at a later post), and whatever kinds the
network's emulator adds (``401``, ``expired``...).
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
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

PHASES = ("received", "accepted", "responded")


@dataclass
class Fault:
    """One misbehaviour, used by the next request of its kind."""

    kind: str
    reset_in: float = 2.0  # for 429: seconds until the rate limit resets


@dataclass
class Hold:
    """A pause of post request number ``post_number`` at ``phase``."""

    post_number: int
    phase: str
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class Emulator:
    """State every emulator has; :meth:`start` serves ``handler`` on an ephemeral port."""

    handler: ClassVar[type[EmulatorHandler]]
    #: The network's name, as threadbot's config and --network spell it.
    network: ClassVar[str]

    def __init__(self, *, client_timeout: float = 2.0) -> None:
        self.calls: Counter[str] = Counter()
        self.faults: deque[Fault] = deque()
        self.upload_faults: deque[Fault] = deque()
        self.client_timeout = client_timeout
        self.post_attempts = 0
        self.holds: list[Hold] = []
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        # Set by the runner (`python -m bot.testing`): told of every request and post.
        self.report: Callable[[str], None] | None = None

    def received(self, route: str) -> None:
        """Count a request by its route (``POST /2/tweets``), and say so if asked to."""
        self.calls[route] += 1
        if self.report is not None:
            self.report(route)

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
        if phase not in PHASES:
            raise ValueError(f"phase must be one of {PHASES}")
        hold = Hold(post_number, phase)
        self.holds.append(hold)
        return hold

    def next_post_attempt(self) -> tuple[int, Fault | None]:
        """Count a post request and take the fault meant for it."""
        with self.lock:
            self.post_attempts += 1
            return self.post_attempts, self.faults.popleft() if self.faults else None

    def pause(self, number: int, phase: str) -> None:
        for hold in self.holds:
            if hold.post_number == number and hold.phase == phase:
                hold.reached.set()
                hold.release.wait(30)

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
