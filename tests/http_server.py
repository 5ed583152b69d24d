"""A local HTTP server for tests: routes that can change between requests, and a log.

Serves on 127.0.0.1 only. A route is a :class:`Reply` (status, headers, body, delay)
or a function of the request handler returning one, so a test can answer 304 to a
matching ETag, change a feed between polls, or fail on the third request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    method: str = "GET"


Route = Reply | Callable[[Request], Reply]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self.url = ""

    def count(self, path: str) -> int:
        return sum(request.path == path for request in self.requests)


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that stops reading (a size limit, a timeout) is expected here."""


@contextmanager
def serve(routes: dict[str, Route] | None = None) -> Iterator[LocalServer]:
    server = LocalServer()
    server.routes.update(routes or {})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            request = Request(
                self.path, {k.lower(): v for k, v in self.headers.items()}, self.command
            )
            server.requests.append(request)
            route = server.routes.get(self.path.split("?", 1)[0])
            reply = Reply(404, b"not found") if route is None else route
            if callable(reply):
                reply = reply(request)
            time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        # Answered and logged like GET, so a client that switches methods is seen.
        do_HEAD = do_GET

        def log_message(self, *args: object) -> None:
            pass

    httpd = _Quiet(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    # shutdown() waits out one poll: the default 0.5 s per server adds up across the suite.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()  # joins handler threads, closes the socket
