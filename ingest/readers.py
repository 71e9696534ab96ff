"""Source readers: one per ``kind`` of source, each turning a source into Documents.

A reader reports what it could not read (``failed``) and what it left out on purpose
(``skipped``) with a reason per URL or record; it never raises for one bad page. New kinds
register here in ``READERS`` and declare their settings model in ``ingest/sources.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ingest.changes import ChangeTracker
from ingest.extract import HtmlExtractor
from ingest.fetch import PDF_TYPE, CrawlResult, WebCrawler
from ingest.files import file_documents, file_url, pdf_documents
from ingest.httpcache import HttpCache
from ingest.offers import offer_documents, read_feed
from ingest.progress import Progress, as_progress
from ingest.records import JsonlReader
from ingest.sitemap import read_sitemaps
from ingest.sources import FeedSource, FilesSource, JsonlSource, SitemapSource, Source, WebSource
from lotse.errors import ExtractError
from lotse.schema import Document

__all__ = ["READERS", "ReadResult", "ReaderContext", "SitemapReader", "SourceReader", "reader_for"]


@dataclass(frozen=True, slots=True)
class ReaderContext:
    user_agent: str
    fetch_timeout: float = 15.0
    http_cache: HttpCache | None = None  # validators and bodies of the last crawl (conditional GET)
    tracker: ChangeTracker = field(default_factory=ChangeTracker)  # skips inputs already published
    progress: Progress = field(default_factory=lambda: as_progress(None))


@dataclass(slots=True)
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    fetched: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {"url", "reason"}
    skipped: list[dict[str, str]] = field(default_factory=list)
    transient: set[str] = field(default_factory=set)  # URLs that failed for now (5xx, timeouts)
    not_modified: int = 0  # pages answered 304 (or skipped by sitemap lastmod)
    unchanged: set[str] = field(default_factory=set)  # inputs (page/file URLs) published as they are


class SourceReader(Protocol):
    def run(self, source: Source, ctx: ReaderContext) -> ReadResult: ...


class WebReader:
    """Crawl a site and extract every fetched HTML page."""

    def run(self, source: Source, ctx: ReaderContext) -> ReadResult:
        assert isinstance(source, WebSource)
        return _read_crawl(source, ctx)


class SitemapReader:
    """The pages a sitemap lists; unchanged ``lastmod`` means no request for that page."""

    def run(self, source: Source, ctx: ReaderContext) -> ReadResult:
        assert isinstance(source, SitemapSource)
        entries = read_sitemaps(source.sitemaps, user_agent=ctx.user_agent, timeout=ctx.fetch_timeout,
                                max_bytes=max(source.max_bytes, 10_000_000))
        failed = [{"url": u, "reason": r} for u, r in entries.failures]
        # A sitemap that failed for now must not read as "every page is gone".
        transient = set(ctx.tracker.known) if entries.transient else set()
        deny = tuple(source.deny)
        urls = sorted(u for u in entries.lastmod
                      if (not source.allow or u.startswith(tuple(source.allow))) and not u.startswith(deny))
        if not urls:
            return ReadResult(failed=failed or [{"url": ", ".join(source.sitemaps),
                                                 "reason": "the sitemap lists no page inside allow/deny"}],
                              transient=transient)
        lastmods = {u: m for u, m in entries.lastmod.items() if m}
        result = _read_crawl(source.crawl_source(urls), ctx, lastmods=lastmods)
        result.failed[:0] = failed
        result.transient |= transient
        return result


def _read_crawl(source: WebSource, ctx: ReaderContext, lastmods: dict[str, str] | None = None) -> ReadResult:
    task = ctx.progress.task(f"{source.name}: fetching", total=min(source.max_pages, len(source.start_urls))
                             if source.max_depth == 0 else None)
    try:
        crawl = WebCrawler(source, user_agent=ctx.user_agent, timeout=ctx.fetch_timeout, cache=ctx.http_cache,
                           lastmods=lastmods, on_page=task.advance).run()
    finally:
        task.close()
    return _extract_pages(source, crawl, ctx)


def _extract_pages(source: WebSource, crawl: CrawlResult, ctx: ReaderContext) -> ReadResult:
    result = ReadResult(
        fetched=len(crawl.pages),
        failed=[{"url": f.url, "reason": f.reason} for f in crawl.failures],
        skipped=[{"url": f.url, "reason": f.reason} for f in crawl.skipped],
        transient={f.url for f in crawl.failures if f.transient},
        not_modified=crawl.not_modified,
    )
    extractor = HtmlExtractor(content_selector=source.content, remove_selectors=list(source.remove))
    listing = source.offers.model_dump(exclude_none=True) if source.offers else None
    task = ctx.progress.task(f"{source.name}: extracting", total=len(crawl.pages))
    for page in sorted(crawl.pages, key=lambda p: p.url):
        task.advance()
        pdf = page.content_type == PDF_TYPE
        digest = ctx.tracker.digest(page.body if pdf else page.text)
        if ctx.tracker.is_unchanged(page.final_url, digest):
            continue  # its published passages are carried over as they are
        if pdf:
            try:
                pdf_docs = pdf_documents(page.body, url=page.final_url, source_name=source.name)
            except ExtractError as exc:
                result.failed.append({"url": exc.url, "reason": exc.reason})
                continue
            ctx.tracker.stamp(pdf_docs, page.final_url, digest)
            result.documents.extend(pdf_docs)
            continue
        docs = []
        doc = None
        try:
            doc = extractor.run(page.text, url=page.final_url, source_name=source.name,
                                last_modified=page.last_modified)
            docs.append(doc)
        except ExtractError as exc:
            result.failed.append({"url": exc.url, "reason": exc.reason})
        # Offers on the page (JSON-LD, microdata, listing selectors): one passage each, kind "offer".
        docs.extend(offer_documents(page.text, page_url=page.final_url, source_name=source.name,
                                    page=doc, listing=listing))
        ctx.tracker.stamp(docs, page.final_url, digest)
        result.documents.extend(docs)
    task.close()
    return result


class FeedReader:
    """Offers from a CSV or JSON feed (file or URL); a broken record is reported, the others kept."""

    def run(self, source: Source, ctx: ReaderContext) -> ReadResult:
        assert isinstance(source, FeedSource)
        docs, problems = read_feed(source, user_agent=ctx.user_agent, timeout=ctx.fetch_timeout)
        return ReadResult(documents=docs, fetched=len(docs) + len(problems),
                          failed=[{"url": where, "reason": reason} for where, reason in problems])


class JsonlFileReader:
    """One record per line of a local JSONL file."""

    def run(self, source: Source, ctx: ReaderContext) -> ReadResult:
        assert isinstance(source, JsonlSource)
        docs, problems = JsonlReader(source, tracker=ctx.tracker).run()
        return ReadResult(documents=docs, fetched=len(docs) + len(problems) + len(ctx.tracker.unchanged),
                          failed=[{"url": p.where, "reason": p.reason} for p in problems])


class FilesReader:
    """Local HTML, Markdown, text and PDF files matched by the source's globs."""

    def run(self, source: Source, ctx: ReaderContext) -> ReadResult:
        assert isinstance(source, FilesSource)
        paths = sorted({p for pattern in source.paths for p in source.root.glob(pattern) if p.is_file()})
        result = ReadResult()
        if not paths:
            result.failed.append({"url": str(source.root), "reason": f"no file matches {source.paths}"})
            return result
        extractor = HtmlExtractor(content_selector=source.content, remove_selectors=list(source.remove))
        task = ctx.progress.task(f"{source.name}: reading files", total=len(paths))
        for path in paths:
            task.advance()
            url = file_url(path, source.root, source.base_url)
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                result.skipped.append({"url": url, "reason": f"unsupported file type {path.suffix or '(none)'}"})
                continue
            result.fetched += 1
            try:
                digest = ctx.tracker.digest(path.read_bytes())
                if ctx.tracker.is_unchanged(url, digest):
                    continue
                docs = file_documents(path, url=url, source_name=source.name, extractor=extractor)
            except ExtractError as exc:
                result.failed.append({"url": exc.url, "reason": exc.reason})
                continue
            except OSError as exc:
                result.failed.append({"url": url, "reason": f"cannot read the file ({exc.strerror})"})
                continue
            ctx.tracker.stamp(docs, url, digest)
            result.documents.extend(docs)
        task.close()
        return result


SUPPORTED_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt", ".pdf")

READERS: dict[str, SourceReader] = {
    "web": WebReader(),
    "sitemap": SitemapReader(),
    "jsonl": JsonlFileReader(),
    "files": FilesReader(),
    "feed": FeedReader(),
}


def reader_for(source: Source) -> SourceReader:
    return READERS[source.kind]
