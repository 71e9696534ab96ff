"""The web crawler: polite, bounded, and honest about every URL it could not fetch.

Breadth-first from the start URLs, following links inside the ``allow`` prefixes (by
default the start URLs' hosts), never into ``deny``. robots.txt is obeyed, each host is
asked at most ``requests_per_second`` times a second, transient failures are retried
with backoff, redirect loops and oversized responses are cut off. Failures never stop
the crawl: each becomes a ``FetchFailure`` with its reason.

``timeout`` bounds each attempt at a URL as a whole (connect to last byte), so one URL
costs at most ``(retries + 1) * timeout`` plus backoff, however the server misbehaves.
"""

from __future__ import annotations

import asyncio
import codecs
import dataclasses
import re
import string
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import httpx
from bs4 import BeautifulSoup

from ingest.httpcache import CachedPage, HttpCache
from ingest.sources import WebSource

__all__ = ["PDF_TYPE", "CrawlResult", "FetchFailure", "FetchedPage", "WebCrawler", "canonical_url", "decode_body"]

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_ga|wt_mc|etcc_\w+)$", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
PDF_TYPE = "application/pdf"
_RETRY_STATUS = (408, 429)  # and every 5xx: worth asking again after a pause
_MAX_REDIRECTS = 8
_ROBOTS_MAX_BYTES = 500 * 1024  # what Google reads of a robots.txt; the rest is ignored
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str  # as requested (canonicalised)
    final_url: str  # after redirects
    status: int
    content_type: str
    text: str
    last_modified: str | None = None
    etag: str | None = None
    not_modified: bool = False  # answered from the cache: 304, or an unchanged sitemap lastmod
    body: bytes = b""  # a PDF's bytes (HTML pages come decoded, as ``text``)


@dataclass(frozen=True, slots=True)
class FetchFailure:
    url: str
    reason: str
    transient: bool = False  # the server failed or timed out even after retries: may work next time


@dataclass(slots=True)
class CrawlResult:
    pages: list[FetchedPage] = field(default_factory=list)
    failures: list[FetchFailure] = field(default_factory=list)
    skipped: list[FetchFailure] = field(default_factory=list)  # robots.txt, deny, type, scope, limits

    @property
    def not_modified(self) -> int:
        return sum(p.not_modified for p in self.pages)


def canonical_url(url: str) -> str:
    """One spelling per page: lower-case host, no fragment, no default port, no tracking
    parameters, the other parameters sorted, decoded ``%2F`` path separators, one spelling
    per path character, no trailing slash except the root. www. and the bare host stay
    apart (identical pages are merged by content later). Raises ``ValueError`` for a URL
    that cannot be parsed (bad port, broken IPv6 literal)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = _normalise_path(parts.path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    return urlunsplit((scheme, netloc, path, query, ""))


def _normalise_path(path: str) -> str:
    """Links spell one path in many ways (``ä``, ``%c3%a4``, ``%C3%A4``; ``~`` or ``%7E``;
    ``/`` or ``%2F``): encode raw characters as UTF-8 escapes, upper-case escapes, decode
    escaped unreserved characters and slashes. A stray ``%`` becomes ``%25``."""
    path = quote(path, safe="/%!$&'()*+,;=:@-._~")
    path = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", path)

    def unescape(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED or ch == "/" else "%" + m.group(1).upper()

    return re.sub(r"%([0-9A-Fa-f]{2})", unescape, path)


class WebCrawler:
    def __init__(self, source: WebSource, *, user_agent: str, timeout: float = 15.0, retries: int = 2,
                 concurrency: int = 4, transport: httpx.AsyncBaseTransport | None = None,
                 cache: HttpCache | None = None, lastmods: Mapping[str, str] | None = None,
                 on_page: Callable[[], None] | None = None) -> None:
        self.source = source
        # Re-crawls: validators and bodies of the last crawl, and the sitemap's lastmod per URL.
        self._cache = cache
        self._lastmods = lastmods or {}
        self._on_page = on_page or (lambda: None)
        self.user_agent = user_agent
        self.timeout = timeout
        self.retries = retries
        self.concurrency = concurrency
        self._transport = transport
        self._allow = [_prefix(a) for a in source.allow] or sorted(_origins(source.start_urls))
        self._deny = [_prefix(d) for d in source.deny]
        self._robots: dict[str, RobotFileParser | None] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._host_next: dict[str, float] = {}
        self._host_locks: dict[str, asyncio.Lock] = {}

    def allowed(self, url: str) -> bool:
        allow = any(url.startswith(a) or url == a.rstrip("/") for a in self._allow)
        return allow and not self.denied(url)

    def denied(self, url: str) -> bool:
        return any(url.startswith(d) for d in self._deny)

    def run(self) -> CrawlResult:
        return asyncio.run(self.crawl())

    async def crawl(self) -> CrawlResult:
        result = CrawlResult()
        seen: set[str] = set()
        queue: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
        for u in self.source.start_urls:
            try:
                cu = canonical_url(u)
            except ValueError as exc:
                result.failures.append(FetchFailure(u, f"invalid URL: {exc}"))
                continue
            if cu not in seen:
                seen.add(cu)
                queue.put_nowait((cu, 0))
        budget = self.source.max_pages
        limits = httpx.Limits(max_connections=self.concurrency)
        async with httpx.AsyncClient(
            headers={"User-Agent": self.user_agent, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
            timeout=httpx.Timeout(self.timeout), follow_redirects=True, max_redirects=_MAX_REDIRECTS,
            limits=limits, transport=self._transport,
        ) as client:

            async def visit(url: str, depth: int) -> None:
                nonlocal budget
                if self.denied(url):  # links are filtered when found; this catches start URLs
                    result.skipped.append(FetchFailure(url, "excluded by deny"))
                    return
                if not await self._robots_ok(client, url):
                    result.skipped.append(FetchFailure(url, "disallowed by robots.txt"))
                    return
                # Checked and spent with no await in between, so concurrent workers cannot
                # overshoot max_pages.
                if budget <= 0:
                    result.skipped.append(FetchFailure(url, f"max_pages ({self.source.max_pages}) reached"))
                    return
                budget -= 1
                outcome = await self._fetch(client, url)
                if isinstance(outcome, FetchFailure):
                    result.failures.append(outcome)
                    return
                if outcome.final_url != url:
                    seen.add(outcome.final_url)  # do not fetch the target again under its own name
                    # A followed link must stay in scope after redirects too, or a CMS sending
                    # removed pages to its home page would bring that in; start URLs were named
                    # on purpose, so only deny applies to where they lead.
                    in_scope = not self.denied(outcome.final_url) if depth == 0 else self.allowed(outcome.final_url)
                    if not in_scope:
                        result.skipped.append(FetchFailure(url, f"redirected outside the crawl scope to "
                                                                f"{outcome.final_url}"))
                        return
                if not self._wanted(outcome.content_type):
                    result.skipped.append(FetchFailure(url, f"unsupported content type {outcome.content_type}"))
                    return
                result.pages.append(outcome)
                self._on_page()
                if depth < self.source.max_depth and outcome.content_type != PDF_TYPE:
                    for link in _links(outcome.text, outcome.final_url):
                        if link not in seen and self.allowed(link):
                            seen.add(link)
                            queue.put_nowait((link, depth + 1))

            async def worker() -> None:
                while True:
                    url, depth = await queue.get()
                    try:
                        await visit(url, depth)
                    except Exception as exc:
                        # An odd page (or a bug) costs its URL, never the crawl: a dead worker
                        # would leave queue.join() waiting forever.
                        result.failures.append(FetchFailure(url, f"internal error: {type(exc).__name__}: {exc}"))
                    finally:
                        queue.task_done()

            workers = [asyncio.create_task(worker()) for _ in range(self.concurrency)]
            await queue.join()
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return result

    def _wanted(self, content_type: str) -> bool:
        return content_type.startswith(_HTML_TYPES) or (self.source.pdfs and content_type == PDF_TYPE)

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
            # One fetch per origin: without the lock every idle worker would ask at once.
            async with self._robots_locks.setdefault(origin, asyncio.Lock()):
                if origin not in self._robots:
                    self._robots[origin] = await self._fetch_robots(client, origin, parts.netloc)
        rp = self._robots[origin]
        return True if rp is None else rp.can_fetch(self.user_agent, url)

    async def _fetch_robots(self, client: httpx.AsyncClient, origin: str, host: str) -> RobotFileParser | None:
        """The origin's rules, or None when it states none (no robots.txt, or unreachable)."""
        await self._throttle(host)
        try:
            async with asyncio.timeout(self.timeout), client.stream("GET", origin + "/robots.txt") as r:
                if r.status_code != 200:
                    return None
                body = bytearray()
                async for part in r.aiter_bytes():
                    body.extend(part)
                    if len(body) >= _ROBOTS_MAX_BYTES:
                        break
        except (httpx.HTTPError, TimeoutError):
            return None
        parser = RobotFileParser()
        parser.parse(bytes(body[:_ROBOTS_MAX_BYTES]).decode("utf-8", errors="replace").splitlines())
        return parser

    async def _fetch(self, client: httpx.AsyncClient, url: str) -> FetchedPage | FetchFailure:
        host = urlsplit(url).netloc
        cached = self._cache.get(url) if self._cache else None
        lastmod = self._lastmods.get(url)
        if cached is not None and lastmod and cached.lastmod == lastmod:
            return _from_cache(cached)  # the sitemap says it has not changed: no request at all
        reason = "unknown error"
        for attempt in range(self.retries + 1):
            if attempt:
                await asyncio.sleep(0.25 * 2 ** (attempt - 1))
            await self._throttle(host)
            try:
                # httpx's timeout bounds each single wait (connect, one read); this bounds the
                # whole attempt, so a server dripping bytes or redirecting slowly cannot hold a
                # worker forever.
                async with asyncio.timeout(self.timeout):
                    outcome = await self._attempt(client, url, cached)
            except httpx.TooManyRedirects:
                return FetchFailure(url, "too many redirects (redirect loop?)")
            except (httpx.TimeoutException, TimeoutError):
                reason = f"timed out after {self.timeout:g}s"
                continue
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}"
                continue
            if not isinstance(outcome, str):
                return outcome
            reason = outcome
        return FetchFailure(url, f"{reason} (after {self.retries + 1} attempts)", transient=True)

    async def _attempt(self, client: httpx.AsyncClient, url: str,
                       cached: CachedPage | None) -> FetchedPage | FetchFailure | str:
        """One GET (conditional when we hold the page): a page, a final failure, or the reason
        for a failure worth retrying."""
        headers = {}
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        async with client.stream("GET", url, headers=headers) as r:
            if r.status_code >= 500 or r.status_code in _RETRY_STATUS:
                return f"HTTP {r.status_code}"
            if r.status_code == 304 and cached is not None:
                lastmod = self._lastmods.get(url)
                if lastmod and lastmod != cached.lastmod:
                    self._remember(dataclasses.replace(cached, lastmod=lastmod))
                return _from_cache(cached)
            if not 200 <= r.status_code < 300:  # 4xx, or a 3xx httpx could not follow
                return FetchFailure(url, f"HTTP {r.status_code}")
            ctype = r.headers.get("content-type", "").split(";")[0].strip().lower() or "text/html"
            page = FetchedPage(url=url, final_url=canonical_url(str(r.url)), status=r.status_code,
                               content_type=ctype, text="", last_modified=r.headers.get("last-modified"),
                               etag=r.headers.get("etag"))
            if not self._wanted(ctype):
                return page  # skipped by type: not worth downloading what we do not read
            limit = self.source.max_bytes
            too_big = FetchFailure(url, f"response larger than {limit} bytes")
            declared = r.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return too_big  # said so up front: do not download it to find out
            body = bytearray()
            async for part in r.aiter_bytes():  # decoded bytes, so a gzip bomb is cut too
                body.extend(part)
                if len(body) > limit:
                    return too_big
            if ctype == PDF_TYPE:
                raw, text = bytes(body), ""
            else:
                text = decode_body(bytes(body), r.charset_encoding)
                raw = text.encode("utf-8")
            self._remember(CachedPage(url, page.final_url, ctype, page.etag, page.last_modified,
                                      self._lastmods.get(url), raw))
            return FetchedPage(url=page.url, final_url=page.final_url, status=page.status, content_type=ctype,
                               text=text, last_modified=page.last_modified, etag=page.etag,
                               body=raw if ctype == PDF_TYPE else b"")

    def _remember(self, page: CachedPage) -> None:
        # Only a page that can be revalidated (validators or a sitemap lastmod) is worth keeping.
        if self._cache is not None and (page.etag or page.last_modified or page.lastmod):
            self._cache.put(page)


def _from_cache(cached: CachedPage) -> FetchedPage:
    pdf = cached.content_type == PDF_TYPE
    return FetchedPage(url=cached.url, final_url=cached.final_url, status=304, content_type=cached.content_type,
                       text="" if pdf else cached.body.decode("utf-8", "replace"), last_modified=cached.last_modified,
                       etag=cached.etag, not_modified=True, body=cached.body if pdf else b"")


def _origins(urls: Iterable[str]) -> set[str]:
    """``scheme://host/`` of each URL: the default crawl scope. A URL that does not parse is
    left out here and reported as a failure by the crawl."""
    out: set[str] = set()
    for u in urls:
        try:
            out.add(urlunsplit(urlsplit(canonical_url(u))[:2] + ("/", "", "")))
        except ValueError:
            continue
    return out


def _prefix(url: str) -> str:
    """A URL prefix spelled like canonical URLs, keeping a trailing slash that scopes it."""
    c = canonical_url(url)
    return c + "/" if url.endswith("/") and not c.endswith("/") else c


def decode_body(body: bytes, header_charset: str | None) -> str:
    """A byte-order mark, else the header charset, else the page's own <meta charset>, else
    UTF-8 if it decodes, else a guess. Each declared charset must decode the whole body, so
    a server that mislabels its pages falls through to the next clue."""
    for bom, enc in _BOMS:
        if body.startswith(bom):  # browsers trust a BOM over any label
            return body.decode(enc, errors="replace")
    labels: list[str] = []
    if header_charset:
        labels.append(header_charset)
    m = _META_CHARSET.search(body[:4096])
    if m:
        labels.append(m.group(1).decode("ascii", "ignore"))
    labels.append("utf-8")
    for label in labels:
        for enc in _codecs_for(label):
            try:
                return body.decode(enc)
            except UnicodeDecodeError:
                continue
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


def _codecs_for(label: str) -> list[str]:
    """Python codecs to try for a charset label; none for an unknown label. Pages labelled
    ISO-8859-1 or ASCII are nearly always windows-1252 („…“ – €), and browsers decode them
    so (WHATWG Encoding); latin-1 stays as the fallback for the five bytes cp1252 lacks."""
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return []
    return ["cp1252", name] if name in ("iso8859-1", "ascii") else [name]


def _links(html: str, base: str) -> Iterable[str]:
    soup = BeautifulSoup(html, "lxml")
    base_tag = soup.find("base", href=True)
    if base_tag is not None:  # <base href> changes what relative links are relative to
        base = urljoin(base, str(base_tag["href"]).strip())
    for a in soup.find_all(["a", "area"], href=True):
        href = str(a["href"]).strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        try:
            absolute = urljoin(base, href)
            if not absolute.startswith(("http://", "https://")):
                continue
            url = canonical_url(absolute)
        except ValueError:
            continue  # an unparseable href (broken IPv6 literal, port out of range) leads nowhere
        if urlsplit(url).hostname:
            yield url
