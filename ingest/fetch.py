"""The web crawler: polite, bounded, and honest about every URL it could not fetch.

Breadth-first from the start URLs, following links inside the ``allow`` prefixes (by
default the start URLs' hosts), never into ``deny``. robots.txt is obeyed, each host is
asked at most ``requests_per_second`` times a second, transient failures are retried
with backoff, redirect loops and oversized responses are cut off. Failures never stop
the crawl: each becomes a ``FetchFailure`` with its reason.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx
from bs4 import BeautifulSoup

from ingest.sources import WebSource

__all__ = ["CrawlResult", "FetchFailure", "FetchedPage", "WebCrawler", "canonical_url"]

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_ga|wt_mc|etcc_\w+)$", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # as requested (canonicalised)
    final_url: str  # after redirects
    status: int
    content_type: str
    text: str
    last_modified: str | None = None
    etag: str | None = None


@dataclass(frozen=True, slots=True)
class FetchFailure:
    url: str
    reason: str


@dataclass(slots=True)
class CrawlResult:
    pages: list[FetchedPage] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    skipped: list[FetchFailure] = field(default_factory=list)  # robots.txt, type, limits


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case host, no fragment, no default port, no tracking
    parameters, decoded ``%2F`` path separators, no trailing slash except the root."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = re.sub(r"%2[fF]", "/", parts.path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    return urlunsplit((scheme, netloc, path, query, ""))


class WebCrawler:
    def __init__(self, source: WebSource, *, user_agent: str, timeout: float = 15.0, retries: int = 2,
                 concurrency: int = 4, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.source = source
        self.user_agent = user_agent
        self.timeout = timeout
        self.retries = retries
        self.concurrency = concurrency
        self._transport = transport
        self._allow = [_prefix(a) for a in source.allow] or sorted(
            {urlunsplit(urlsplit(canonical_url(u))[:2] + ("/", "", "")) for u in source.start_urls}
        )
        self._deny = [_prefix(d) for d in source.deny]
        self._robots: dict[str, RobotFileParser | None] = {}
        self._host_next: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}

    def allowed(self, url: str) -> bool:
        allow = any(url.startswith(a) or url == a.rstrip("/") for a in self._allow)
        return allow and not any(url.startswith(d) for d in self._deny)

    def run(self) -> CrawlResult:
        return asyncio.run(self.crawl())

    async def crawl(self) -> CrawlResult:
        result = CrawlResult()
        seen: set[str] = set()
        queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        for u in self.source.start_urls:
            cu = canonical_url(u)
            if cu not in seen:
                seen.add(cu)
                queue.put_nowait((cu, 0))
        budget = self.source.max_pages
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(
            headers={"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
            timeout=httpx.Timeout(self.timeout), follow_redirects=True, max_redirects=8,
            limits=limits, transport=self._transport,
        ) as client:

            async def worker() -> None:
                nonlocal budget
                while True:
                    url, depth = await queue.get()
                    try:
                        if budget <= 0:
                            result.skipped.append(FetchFailure(url, f"max_pages ({self.source.max_pages}) reached"))
                            continue
                        if not await self._robots_ok(client, url):
                            result.skipped.append(FetchFailure(url, "disallowed by robots.txt"))
                            continue
                        budget -= 1
                        outcome = await self._fetch(client, url)
                        if isinstance(outcome, FetchFailure):
                            result.failures.append(outcome)
                            continue
                        if not outcome.content_type.startswith(_HTML_TYPES):
                            result.skipped.append(FetchFailure(url, f"unsupported content type {outcome.content_type}"))
                            continue
                        result.pages.append(outcome)
                        if depth < self.source.max_depth:
                            for link in _links(outcome.text, outcome.final_url):
                                if link not in seen and self.allowed(link):
                                    seen.add(link)
                                    queue.put_nowait((link, depth + 1))
                    finally:
                        queue.task_done()

            workers = [asyncio.create_task(worker()) for _ in range(self.concurrency)]
            await queue.join()
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return result

    async def _throttle(self, host: str) -> None:
        lock = self._host_locks.setdefault(host, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            wait = self._host_next.get(host, 0.0) - now
            if wait > 0:
                await asyncio.sleep(wait)
            self._host_next[host] = max(now, self._host_next.get(host, 0.0)) + 1.0 / self.source.requests_per_second

    async def _robots_ok(self, client: httpx.AsyncClient, url: str) -> bool:
        if not self.source.respect_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser: RobotFileParser | None = None
            try:
                await self._throttle(parts.netloc)
                r = await client.get(origin + "/robots.txt")
                if r.status_code == 200:
                    parser = RobotFileParser()
                    parser.parse(r.text.splitlines())
            except httpx.HTTPError:
                parser = None  # no robots.txt reachable: the site states no rules
            self._robots[origin] = parser
        rp = self._robots[origin]
        return True if rp is None else rp.can_fetch(self.user_agent, url)

    async def _fetch(self, client: httpx.AsyncClient, url: str) -> FetchedPage | FetchFailure:
        host = urlsplit(url).netloc
        reason = "unknown error"
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(0.25 * 2 ** (attempt - 1))
            await self._throttle(host)
            try:
                async with client.stream("GET", url) as r:
                    if r.status_code >= 500 or r.status_code == 429:
                        reason = f"HTTP {r.status_code}"
                        continue
                    if r.status_code >= 400:
                        return FetchFailure(url, f"HTTP {r.status_code}")
                    body = bytearray()
                    async for part in r.aiter_bytes():
                        body.extend(part)
                        if len(body) > self.source.max_bytes:
                            return FetchFailure(url, f"response larger than {self.source.max_bytes} bytes")
                    ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
                    return FetchedPage(
                        url=url,
                        final_url=canonical_url(str(r.url)),
                        status=r.status_code,
                        content_type=ctype or "text/html",
                        text=decode_body(bytes(body), r.charset_encoding),
                        last_modified=r.headers.get("last-modified"),
                        etag=r.headers.get("etag"),
                    )
            except httpx.TooManyRedirects:
                return FetchFailure(url, "too many redirects (redirect loop?)")
            except httpx.TimeoutException:
                reason = f"timed out after {self.timeout:g}s"
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}"
        return FetchFailure(url, f"{reason} (after {self.retries + 1} attempts)")


def _prefix(url: str) -> str:
    """A URL prefix spelled like canonical URLs, keeping a trailing slash that scopes it."""
    c = canonical_url(url)
    return c + "/" if url.endswith("/") and not c.endswith("/") else c


def decode_body(body: bytes, header_charset: str | None) -> str:
    """Header charset, else the page's own <meta charset>, else UTF-8 if it decodes, else a guess."""
    candidates: list[str] = []
    if header_charset:
        candidates.append(header_charset)
    m = _META_CHARSET.search(body[:4096])
    if m:
        candidates.append(m.group(1).decode("ascii", "ignore"))
    candidates.append("utf-8")
    for enc in candidates:
        try:
            return body.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


def _links(html: str, base: str) -> Iterable[str]:
    soup = BeautifulSoup(html, "lxml")
    for a in soup.find_all("a", href=True):
        href = str(a["href"]).strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        absolute = urljoin(base, href)
        if absolute.startswith(("http://", "https://")):
            yield canonical_url(absolute)
