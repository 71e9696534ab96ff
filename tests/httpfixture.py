"""A real HTTP test server on loopback: static files plus programmable misbehaving routes.

Crawler tests need real sockets (timeouts, hung connections, streamed bodies), not mocks::

    with serve_site(folder, {"/gone": status(410), "/flaky": sequence(status(503), page(b"ok"))}) as site:
        site.url("/index.html")      # http://127.0.0.1:<port>/index.html
        site.hits["/flaky"]          # requests per path (query ignored)
        site.times("/flaky")         # monotonic arrival time of each of them

A route is any ``callable(handler)``; the factories below cover the usual cases. Paths
without a route are served from the folder. Slow and hanging routes wait on the server's
stop event, so closing the server never waits for them; after the block,
``site.unfinished_threads`` says how many handler threads failed to end (should be 0).
"""

from __future__ import annotations

import functools
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "Hit", "Route", "TestSite", "conditional", "delay", "drip", "hang", "page", "redirect", "sequence", "serve_site",
    "status", "stream",
]

# Handler errors caused by the client going away (it timed out, or gave up on a big body).
_GONE = OSError  # BrokenPipeError, ConnectionResetError, ... all derive from it


@dataclass(frozen=True, slots=True)
class Hit:
    path: str
    query: str
    at: float  # time.monotonic() when the request line arrived
    headers: dict[str, str]


class _Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real servers: the crawler's pool must cope
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        parts = urlsplit(self.path)
        site = self.server.site
        site._record(Hit(parts.path, parts.query, time.monotonic(), {k.lower(): v for k, v in self.headers.items()}))
        route = site.routes.get(parts.path)
        try:
            if route is None:
                super().do_GET()
            else:
                route(self)
        except _GONE:
            self.close_connection = True

    # Helpers for routes.
    def send_body(self, code: int, body: bytes, content_type: str = "text/html; charset=utf-8",
                  headers: Mapping[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def start_chunked(self, code: int = 200, content_type: str = "text/html; charset=utf-8",
                      headers: Mapping[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()

    def write_chunk(self, data: bytes) -> None:
        """One chunk of a chunked body; ``b""`` ends the body."""
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    @property
    def stopping(self) -> threading.Event:
        return self.server.site.stop


Route = Callable[[_Handler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # TestSite joins the threads itself, with a bound
    site: TestSite

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        self.site._connections.add(request)
        t = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                             name="test-site-handler", daemon=True)
        self.site._threads.append(t)
        t.start()

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        # A client that timed out and hung up is what these tests provoke: not worth a traceback.
        if not isinstance(sys.exc_info()[1], _GONE):
            super().handle_error(request, client_address)

    def shutdown_request(self, request):  # type: ignore[no-untyped-def]
        self.site._connections.discard(request)
        super().shutdown_request(request)


@dataclass
class TestSite:
    base: str
    routes: dict[str, Route] = field(repr=False)
    stop: threading.Event = field(default_factory=threading.Event, repr=False)
    hits: Counter[str] = field(default_factory=Counter)
    log: list[Hit] = field(default_factory=list, repr=False)
    unfinished_threads: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _connections: set[socket.socket] = field(default_factory=set, repr=False)
    _threads: list[threading.Thread] = field(default_factory=list, repr=False)

    __test__ = False  # not a pytest test class despite the name

    def url(self, path: str = "/") -> str:
        return self.base + path

    def times(self, path: str | None = None) -> list[float]:
        with self._lock:
            return [h.at for h in self.log if path is None or h.path == path]

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()
            self.log.clear()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits[hit.path] += 1
            self.log.append(hit)


@contextmanager
def serve_site(root: Path, routes: Mapping[str, Route] | None = None, host: str = "127.0.0.1",
               join_timeout: float = 5.0) -> Iterator[TestSite]:
    """Serve ``root`` and ``routes`` on a free port until the block ends."""
    server = _Server((host, 0), functools.partial(_Handler, directory=str(root)))
    site = TestSite(base=f"http://{host}:{server.server_address[1]}", routes=dict(routes or {}))
    server.site = site
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                            name="test-site", daemon=True)
    loop.start()
    try:
        yield site
    finally:
        site.stop.set()  # wakes every slow or hanging route
        server.shutdown()
        for conn in list(site._connections):  # idle keep-alive readers block in recv(): cut them
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        deadline = time.monotonic() + join_timeout
        for t in site._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        loop.join(max(0.0, deadline - time.monotonic()))
        site.unfinished_threads = sum(t.is_alive() for t in [*site._threads, loop])


# Route factories.

def page(body: bytes | str, content_type: str = "text/html; charset=utf-8",
         headers: Mapping[str, str] | None = None, code: int = 200) -> Route:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return lambda h: h.send_body(code, data, content_type, headers)


def conditional(body: bytes | str, etag: str, content_type: str = "text/html; charset=utf-8") -> Route:
    """A page with an ETag that answers ``304 Not Modified`` to a matching ``If-None-Match``."""
    data = body.encode("utf-8") if isinstance(body, str) else body

    def route(h: _Handler) -> None:
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.send_header("Content-Length", "0")
            h.end_headers()
        else:
            h.send_body(200, data, content_type, {"ETag": etag})

    return route


def status(code: int, headers: Mapping[str, str] | None = None) -> Route:
    return page(f"<html><body><h1>{code}</h1></body></html>", code=code, headers=headers)


def redirect(location: str, code: int = 302) -> Route:
    return lambda h: h.send_body(code, b"", headers={"Location": location})


def sequence(*routes: Route) -> Route:
    """The n-th request is answered by ``routes[n]``; the last one answers all later requests."""
    count = 0
    lock = threading.Lock()

    def route(h: _Handler) -> None:
        nonlocal count
        with lock:
            n, count = count, count + 1
        routes[min(n, len(routes) - 1)](h)

    return route


def delay(seconds: float, then: Route) -> Route:
    """Answer with ``then`` after ``seconds`` (cut short when the server stops)."""

    def route(h: _Handler) -> None:
        if not h.stopping.wait(seconds):
            then(h)
        else:
            h.close_connection = True

    return route


def hang() -> Route:
    """Read the request, never answer; the connection is held until the server stops."""

    def route(h: _Handler) -> None:
        h.stopping.wait()
        h.close_connection = True

    return route


def drip(interval: float, chunk: bytes = b"<p>.</p>\n") -> Route:
    """A 200 whose body never ends: one small chunk every ``interval`` seconds, so no single
    read waits long; only a deadline on the whole response stops it."""

    def route(h: _Handler) -> None:
        h.start_chunked()
        h.write_chunk(b"<html><body>")
        while not h.stopping.wait(interval):
            h.write_chunk(chunk)
        h.close_connection = True

    return route


def stream(total: int, content_type: str = "text/html; charset=utf-8", declare_length: bool = False,
           chunk_size: int = 64 * 1024) -> Route:
    """A ``total``-byte body sent in chunks, with or without a Content-Length header."""
    block = (b"<p>" + b"x" * 1000 + b"</p>\n") * (chunk_size // 1008 + 1)

    def route(h: _Handler) -> None:
        if declare_length:
            h.send_response(200)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(total))
            h.end_headers()
        else:
            h.start_chunked(200, content_type)
        sent = 0
        while sent < total and not h.stopping.is_set():
            part = block[: min(chunk_size, total - sent)]
            if declare_length:
                h.wfile.write(part)
            else:
                h.write_chunk(part)
            sent += len(part)
        if not declare_length:
            h.write_chunk(b"")

    return route
