"""Source readers: one per ``kind`` of source, each turning a source into Documents.

A reader reports what it could not read (``failed``) and what it left out on purpose
(``skipped``) with a reason per URL or record; it never raises for one bad page. New kinds
register here in ``READERS`` and declare their settings model in ``ingest/sources.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ingest.extract import HtmlExtractor
from ingest.fetch import WebCrawler
from ingest.files import file_documents, file_url
from ingest.offers import offer_documents, read_feed
from ingest.records import JsonlReader
from ingest.sources import FeedSource, FilesSource, JsonlSource, Source, WebSource
from lotse.errors import ExtractError
from lotse.schema import Document

__all__ = ["READERS", "ReadResult", "ReaderContext", "SourceReader", "reader_for"]


@dataclass(frozen=True, slots=True)
class ReaderContext:
    user_agent: str
    fetch_timeout: float = 15.0


@dataclass(slots=True)
class ReadResult:
    documents: list[Document] = field(default_factory=list)
    fetched: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)  # {"url", "reason"}
    skipped: list[dict[str, str]] = field(default_factory=list)
    transient: set[str] = field(default_factory=set)  # URLs that failed for now (5xx, timeouts)


class SourceReader(Protocol):
    def run(self, source: Source, ctx: ReaderContext) -> ReadResult: ...


class WebReader:
    """Crawl a site and extract every fetched HTML page."""

    def run(self, source: Source, ctx: ReaderContext) -> ReadResult:
        assert isinstance(source, WebSource)
        crawl = WebCrawler(source, user_agent=ctx.user_agent, timeout=ctx.fetch_timeout).run()
        result = ReadResult(
            fetched=len(crawl.pages),
            failed=[{"url": f.url, "reason": f.reason} for f in crawl.failures],
            skipped=[{"url": f.url, "reason": f.reason} for f in crawl.skipped],
            transient={f.url for f in crawl.failures if f.transient},
        )
        extractor = HtmlExtractor(content_selector=source.content, remove_selectors=list(source.remove))
        listing = source.offers.model_dump(exclude_none=True) if source.offers else None
        for page in sorted(crawl.pages, key=lambda p: p.url):
            doc = None
            try:
                doc = extractor.run(page.text, url=page.final_url, source_name=source.name,
                                    last_modified=page.last_modified)
                result.documents.append(doc)
            except ExtractError as exc:
                result.failed.append({"url": exc.url, "reason": exc.reason})
            # Offers on the page (JSON-LD, microdata, listing selectors): one passage each, kind "offer".
            result.documents.extend(offer_documents(page.text, page_url=page.final_url, source_name=source.name,
                                                    page=doc, listing=listing))
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
        docs, problems = JsonlReader(source).run()
        return ReadResult(documents=docs, fetched=len(docs) + len(problems),
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
        for path in paths:
            url = file_url(path, source.root, source.base_url)
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                result.skipped.append({"url": url, "reason": f"unsupported file type {path.suffix or '(none)'}"})
                continue
            result.fetched += 1
            try:
                result.documents.extend(file_documents(path, url=url, source_name=source.name, extractor=extractor))
            except ExtractError as exc:
                result.failed.append({"url": exc.url, "reason": exc.reason})
            except OSError as exc:
                result.failed.append({"url": url, "reason": f"cannot read the file ({exc.strerror})"})
        return result


SUPPORTED_SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt", ".pdf")

READERS: dict[str, SourceReader] = {
    "web": WebReader(),
    "jsonl": JsonlFileReader(),
    "files": FilesReader(),
    "feed": FeedReader(),
}


def reader_for(source: Source) -> SourceReader:
    return READERS[source.kind]
