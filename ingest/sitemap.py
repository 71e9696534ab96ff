"""Sitemaps (sitemaps.org 0.9): the page URLs a site lists, with their ``lastmod``.

A sitemap index is followed to its sitemaps (bounded in count and nesting), gzip is
undone, and XML entities are never resolved (no billion-laughs, no external files).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import httpx
from lxml import etree

from ingest.fetch import canonical_url

__all__ = ["SitemapEntries", "parse_sitemap", "read_sitemaps"]

_MAX_SITEMAPS = 50  # a sitemap index naming more is cut here, with a report entry
_MAX_NESTING = 3
_MAX_UNCOMPRESSED = 50 * 1024 * 1024


@dataclass(slots=True)
class SitemapEntries:
    lastmod: dict[str, str | None] = field(default_factory=dict)  # canonical page URL -> lastmod
    failures: list[tuple[str, str]] = field(default_factory=list)  # (sitemap URL, reason)
    transient: bool = False  # a sitemap could not be read for now (5xx, timeout): keep the last crawl's pages


def parse_sitemap(body: bytes) -> tuple[str, list[tuple[str, str | None]]]:
    """``("urlset" | "sitemapindex", [(loc, lastmod), ...])``; raises ValueError if it is not a sitemap."""
    if body[:2] == b"\x1f\x8b":
        body = _gunzip(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not well-formed XML ({exc})") from exc
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise ValueError(f"not a sitemap (root element <{kind}>)")
    out: list[tuple[str, str | None]] = []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue  # comments, processing instructions
        loc = lastmod = None
        for child in entry:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name == "loc" and child.text:
                loc = child.text.strip()
            elif name == "lastmod" and child.text:
                lastmod = child.text.strip()
        if loc:
            out.append((loc, lastmod))
    return kind, out


def _gunzip(body: bytes) -> bytes:
    """At most the 50 MB the protocol allows a sitemap: a gzip bomb is cut, not inflated."""
    d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(body, _MAX_UNCOMPRESSED + 1)
    except zlib.error as exc:
        raise ValueError(f"broken gzip ({exc})") from exc
    if len(out) > _MAX_UNCOMPRESSED:
        raise ValueError(f"sitemap larger than {_MAX_UNCOMPRESSED} bytes uncompressed")
    return out


def read_sitemaps(urls: list[str], *, user_agent: str, timeout: float, max_bytes: int) -> SitemapEntries:
    """Every page URL the sitemaps list. A sitemap that cannot be read is reported and the
    others still count."""
    result = SitemapEntries()
    todo = [(u, 0) for u in urls]
    seen: set[str] = set()
    with httpx.Client(headers={"User-Agent": user_agent}, timeout=timeout, follow_redirects=True,
                      max_redirects=8) as client:
        while todo:
            url, depth = todo.pop(0)
            if url in seen:
                continue
            seen.add(url)
            if len(seen) > _MAX_SITEMAPS:
                result.failures.append((url, f"more than {_MAX_SITEMAPS} sitemaps; the rest were not read"))
                break
            body = _get(client, url, max_bytes, result)
            if body is None:
                continue
            try:
                kind, entries = parse_sitemap(body)
            except ValueError as exc:
                result.failures.append((url, str(exc)))
                continue
            if kind == "sitemapindex":
                if depth >= _MAX_NESTING:
                    result.failures.append((url, f"sitemap indexes nested deeper than {_MAX_NESTING}"))
                    continue
                todo.extend((loc, depth + 1) for loc, _ in entries if loc.startswith(("http://", "https://")))
                continue
            for loc, lastmod in entries:
                try:
                    result.lastmod[canonical_url(loc)] = lastmod
                except ValueError:
                    result.failures.append((loc, "invalid URL in sitemap"))
    return result


def _get(client: httpx.Client, url: str, max_bytes: int, result: SitemapEntries) -> bytes | None:
    try:
        with client.stream("GET", url) as r:
            if r.status_code != 200:
                result.failures.append((url, f"HTTP {r.status_code}"))
                result.transient |= r.status_code >= 500 or r.status_code in (408, 429)
                return None
            body = bytearray()
            for part in r.iter_raw():  # raw: a .xml.gz stays compressed until parse_sitemap
                body.extend(part)
                if len(body) > max_bytes:
                    result.failures.append((url, f"sitemap larger than {max_bytes} bytes"))
                    return None
            return bytes(body)  # gzip (transfer or file) is undone by parse_sitemap, bounded
    except httpx.TooManyRedirects:
        result.failures.append((url, "too many redirects (redirect loop?)"))
    except httpx.HTTPError as exc:
        result.failures.append((url, f"{type(exc).__name__}: {exc}"))
        result.transient = True
    return None
