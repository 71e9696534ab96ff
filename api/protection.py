"""What keeps a public endpoint standing: per-client rate limits, a bound on concurrent work,
a request size cap and security headers, as one ASGI middleware in front of the app.

- Rate limit: a token bucket per client (its address, or the first ``X-Forwarded-For`` hop when
  ``trust_proxy`` is on, i.e. behind the city's load balancer) on ``/v1/`` routes. Over the limit:
  ``429`` with ``Retry-After``. Addresses live in memory only, never in a log or a store.
- Overload: at most ``max_inflight`` questions and searches run at once; more wait up to
  ``queue_timeout`` seconds for a slot, then get ``429`` with ``Retry-After`` instead of timing
  out silently.
- Size: request bodies over ``max_body_bytes`` get ``413`` before the app reads them.
- Headers: ``nosniff`` and no referrer on every response; JSON answers also get a closed
  ``Content-Security-Policy`` and no framing (the widget's pages set their own policy).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Protection", "ProtectionConfig"]

_WORK = ("/v1/ask", "/v1/chat", "/v1/search")  # the routes that run the model
_OPEN_DOCS = ("/docs", "/redoc", "/openapi.json")


@dataclass(frozen=True, slots=True)
class ProtectionConfig:
    rate_per_minute: float = 60.0  # 0: no rate limit
    burst: int = 20
    max_inflight: int = 8
    queue_timeout: float = 10.0
    max_body_bytes: int = 64 * 1024
    trust_proxy: bool = False


class _TooLarge(Exception):
    pass


class Protection:
    def __init__(self, app: ASGIApp, config: ProtectionConfig | None = None) -> None:
        self.app = app
        self.config = config or ProtectionConfig()
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, last refill)
        self._slots: asyncio.Semaphore | None = None  # made in the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        send = self._with_headers(send, path)
        cfg = self.config
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cfg.max_body_bytes:
            await _json(send, 413, "payload_too_large",
                        f"The request body is larger than {cfg.max_body_bytes} bytes.")
            return
        if path.startswith("/v1/"):
            wait = self._take(self._client(scope))
            if wait > 0:
                await _json(send, 429, "rate_limited", "Too many requests from this client. Please wait "
                            f"{math.ceil(wait)} s and ask again.", retry_after=wait)
                return
        receive = self._capped(receive)
        if path in _WORK and cfg.max_inflight > 0:
            if self._slots is None:
                self._slots = asyncio.Semaphore(cfg.max_inflight)
            try:
                await asyncio.wait_for(self._slots.acquire(), timeout=cfg.queue_timeout)
            except TimeoutError:
                await _json(send, 429, "overloaded", "The assistant is busy right now. Please ask again in a "
                            "few seconds.", retry_after=max(1.0, cfg.queue_timeout / 2))
                return
            try:
                await self._run(scope, receive, send)
            finally:
                self._slots.release()
            return
        await self._run(scope, receive, send)

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except _TooLarge:
            if not started:
                await _json(send, 413, "payload_too_large",
                            f"The request body is larger than {self.config.max_body_bytes} bytes.")

    def _capped(self, receive: Receive) -> Receive:
        limit = self.config.max_body_bytes
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        return capped

    def _client(self, scope: Scope) -> str:
        if self.config.trust_proxy:
            forwarded = _header(scope, b"x-forwarded-for")
            if forwarded:
                return forwarded.split(",")[0].strip()
        client = scope.get("client")
        return str(client[0]) if client else "?"

    def _take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket; 0 when allowed, else seconds until one is free."""
        rate = self.config.rate_per_minute / 60.0
        if rate <= 0:
            return 0.0
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(self.config.burst), now))
        tokens = min(float(self.config.burst), tokens + (now - last) * rate)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate
        self._buckets[key] = (tokens - 1.0, now)
        if len(self._buckets) > 100_000:  # forget clients whose buckets are full again
            full = now - self.config.burst / rate
            self._buckets = {k: v for k, v in self._buckets.items() if v[1] > full}
        return 0.0

    @staticmethod
    def _with_headers(send: Send, path: str) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower(): v for k, v in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
                # API answers are data, never a page to render or frame; the web front's pages set their
                # own policy and its scripts need none.
                if present.get(b"content-type", b"").startswith(b"application/json") and \
                        not path.startswith(_OPEN_DOCS):
                    extra += [(b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
                              (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers + [h for h in extra if h[0] not in present]}
            await send(message)

        return send_with_headers


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k.lower() == name:
            return v.decode("latin-1")
    return None


async def _json(send: Send, status: int, kind: str, message: str, *, retry_after: float | None = None) -> None:
    body = json.dumps({"error": kind, "message": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, math.ceil(retry_after))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
