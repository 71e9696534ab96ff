"""The ingest pipeline: sources -> documents -> chunks -> vectors -> a published index version."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from index.builder import EmbeddedChunks, IndexBuilder, sentence_units
from index.embcache import CachedEmbedder, EmbeddingCache
from index.store import IndexData, IndexStore
from ingest.changes import ChangeTracker
from ingest.chunk import Chunker
from ingest.httpcache import HttpCache
from ingest.progress import Progress, as_progress
from ingest.readers import ReaderContext, ReadResult, reader_for
from ingest.sources import Source
from lotse.embedding import Embedder
from lotse.errors import IndexCorruptError, PublishRefusedError
from lotse.schema import Chunk

__all__ = ["IngestPipeline", "IngestResult", "SourceReport"]


@dataclass(slots=True)
class SourceReport:
    name: str
    kind: str
    fetched: int = 0
    not_modified: int = 0
    documents: int = 0
    duplicates: int = 0
    chunks: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    carried_over: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "kind": self.kind, "fetched": self.fetched, "not_modified": self.not_modified,
            "documents": self.documents,
            "duplicates": self.duplicates, "chunks": self.chunks, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "removed": self.removed, "carried_over": self.carried_over,
            "failed": self.failed, "skipped": self.skipped,
        }


@dataclass(slots=True)
class IngestResult:
    version: str
    published: bool
    reports: list[SourceReport]
    chunks: int


class IngestPipeline:
    def __init__(self, embedder: Embedder, store: IndexStore, *, user_agent: str, fetch_timeout: float = 15.0,
                 chunk_max_tokens: int = 160, max_document_loss: float = 0.5,
                 progress: Progress | Callable[[str], None] | None = None) -> None:
        if not 0.0 <= max_document_loss <= 1.0:
            raise ValueError(f"max_document_loss must be between 0 and 1, got {max_document_loss}")
        self.max_document_loss = max_document_loss
        self.embedder = embedder
        self.store = store
        self.context = ReaderContext(user_agent=user_agent, fetch_timeout=fetch_timeout)
        self.chunker = Chunker(embedder.count_tokens, max_tokens=chunk_max_tokens)
        self.progress = as_progress(progress)
        # What makes a published passage reusable as it is: same input, same passage model, same
        # chunking. Not the query adapter: it never touches passages.
        self.recipe = f"{embedder.passage_name}|{chunk_max_tokens}"

    def run(self, sources: list[Source], *, publish: bool = True) -> IngestResult:
        self.store.clean_temporary()
        reports: list[SourceReport] = []
        chunks: list[Chunk] = []
        seen_urls: set[str] = set()
        seen_content: set[str] = set()
        published = self._published_chunks()
        before: dict[str, dict[str, str]] = {}
        for (name, key), cs in published.items():
            before.setdefault(name, {})[key] = _digest(cs)
        http_cache = HttpCache(self.store.root.parent / "cache" / "http.sqlite")
        try:
            for source in sources:
                self.progress.log(f"{source.name}: reading ({source.kind})")
                report = SourceReport(source.name, source.kind)
                result = self._read(source, published, http_cache)
                report.fetched, report.not_modified = result.fetched, result.not_modified
                report.failed, report.skipped = result.failed, result.skipped
                # Inputs unchanged since the published version keep their passages as they are.
                chunks.extend(self._reuse(source.name, result.unchanged, published, before, seen_urls,
                                          seen_content, report))
                for doc in result.documents:
                    digest = hashlib.sha256("\n".join(b.text for b in doc.blocks).encode()).hexdigest()
                    # Offers share their page's URL: only identical content makes them duplicates.
                    if (doc.kind != "offer" and doc.url in seen_urls) or digest in seen_content:
                        report.duplicates += 1  # same page under another URL: indexed once
                        continue
                    if doc.kind != "offer":
                        seen_urls.add(doc.url)
                    seen_content.add(digest)
                    doc.meta["content_digest"] = digest
                    doc_chunks = self.chunker.run(doc)
                    old = before.get(source.name, {}).pop(_doc_key(doc.url, doc_chunks), None)
                    if old is None:
                        report.new += 1
                    elif old == _digest(doc_chunks):
                        report.unchanged += 1
                    else:
                        report.updated += 1
                    report.documents += 1
                    report.chunks += len(doc_chunks)
                    chunks.extend(doc_chunks)
                chunks.extend(self._carry_over(source.name, result.transient, published, before, seen_urls, report))
                report.removed = sorted(before.get(source.name, {}))
                reports.append(report)
                self.progress.log(
                    f"{source.name}: {report.documents} documents ({report.new} new, {report.updated} updated, "
                    f"{report.unchanged} unchanged, {len(report.removed)} removed), {report.chunks} passages, "
                    f"{len(report.failed)} failed")
        finally:
            http_cache.close()
        self._guard(chunks, reports)
        embedded, cached = self._embed(chunks)
        version = self.store.write(IndexData(
            chunks=chunks,
            vectors=embedded.vectors,
            sentence_vectors=embedded.sentence_vectors,
            sentence_map=embedded.sentence_map,
            model={"name": self.embedder.passage_name, "dim": self.embedder.dim},
            sources=[{"name": s.name, "kind": s.kind} for s in sources],
            report={"created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "embedded": cached.misses, "embeddings_from_cache": cached.hits,
                    "sources": [r.to_dict() for r in reports]},
        ))
        if publish:
            self.store.publish(version)
        return IngestResult(version, publish, reports, len(chunks))

    def _read(self, source: Source, published: dict[tuple[str, str], list[Chunk]],
              http_cache: HttpCache) -> ReadResult:
        known = {cs[0].meta["raw_key"]: cs[0].meta["raw_digest"] for (name, _), cs in published.items()
                 if name == source.name and "raw_key" in cs[0].meta and "raw_digest" in cs[0].meta}
        tracker = ChangeTracker(known, recipe=f"{self.recipe}|{source.model_dump_json()}")
        ctx = dataclasses.replace(self.context, http_cache=http_cache, tracker=tracker, progress=self.progress)
        result = reader_for(source).run(source, ctx)
        result.unchanged = tracker.unchanged
        return result

    def _embed(self, chunks: list[Chunk]) -> tuple[EmbeddedChunks, CachedEmbedder]:
        total = len(chunks) + sum(len(sentence_units(c)) for c in chunks)
        self.progress.log(f"embedding {len(chunks)} passages and their sentences (unchanged text comes from "
                          f"the cache)")
        cache = EmbeddingCache(self.store.root.parent / "cache" / "embeddings.sqlite")
        task = self.progress.task("embedding", total=total)
        cached = CachedEmbedder(self.embedder, cache, on_progress=task.advance)
        try:
            embedded = IndexBuilder(cached).run(chunks)
        finally:
            task.close()
            cache.close()
        self.progress.log(f"embedded {cached.misses} texts, {cached.hits} from the cache")
        return embedded, cached

    @staticmethod
    def _reuse(name: str, keys: set[str], published: dict[tuple[str, str], list[Chunk]],
               before: dict[str, dict[str, str]], seen_urls: set[str], seen_content: set[str],
               report: SourceReport) -> list[Chunk]:
        kept: list[Chunk] = []
        if not keys:
            return kept
        for (src, key), cs in published.items():
            first = cs[0]
            if src != name or first.meta.get("raw_key") not in keys or key not in before.get(name, {}):
                continue
            if first.kind != "offer" and first.source.url in seen_urls:
                continue  # another source already holds this page
            before[name].pop(key)
            if first.kind != "offer":
                seen_urls.add(first.source.url)
            if first.meta.get("content_digest"):
                seen_content.add(first.meta["content_digest"])
            report.unchanged += 1
            report.documents += 1
            report.chunks += len(cs)
            kept.extend(cs)
        return kept

    def _published_chunks(self) -> dict[tuple[str, str], list[Chunk]]:
        """(source name, document key) -> its passages in the published version."""
        current = self.store.current()
        if current is None:
            return {}
        try:
            chunks = self.store.read_chunks(current)
        except IndexCorruptError as exc:
            # Nothing is reused from a damaged version: this build reads every source afresh.
            self.progress.log(f"{exc} Every input is read and embedded afresh.")
            return {}
        by_doc: dict[tuple[str, str], list[Chunk]] = {}
        for c in chunks:
            by_doc.setdefault((c.source.source_name, _doc_key(c.source.url, [c])), []).append(c)
        return by_doc

    @staticmethod
    def _carry_over(name: str, transient: set[str], published: dict[tuple[str, str], list[Chunk]],
                    before: dict[str, dict[str, str]], seen_urls: set[str], report: SourceReport) -> list[Chunk]:
        """Keep the published passages of pages that failed only for now (5xx, timeouts): a
        flaky server must not remove a page; a 404 or 410 does."""
        kept: list[Chunk] = []
        if not transient:
            return kept
        for (src, key), cs in published.items():
            first = cs[0]
            urls = {first.source.url, first.meta.get("fetched_url")}
            if src != name or key not in before.get(name, {}) or not urls & transient:
                continue
            if first.kind != "offer" and first.source.url in seen_urls:
                continue
            before[name].pop(key)
            seen_urls.add(first.source.url)
            kept.extend(cs)
            report.carried_over += 1
        return kept

    def _guard(self, chunks: list[Chunk], reports: list[SourceReport]) -> None:
        """Refuse a build that lost most of what the published version holds: a site outage
        or a broken selector must not empty the assistant."""
        failures = "; ".join(f"{r.name}: {len(r.failed)} failed" for r in reports if r.failed)
        new_docs = {c.source.url for c in chunks}
        if not new_docs:
            raise PublishRefusedError(
                "The ingest produced no passages, so nothing was built or published"
                + (f" ({failures})" if failures else "") + ". Check the sources file and the report above."
            )
        current = self.store.current()
        if current is None or self.max_document_loss >= 1.0:
            return
        previous = next((m for m in self.store.versions() if m.get("version") == current), None)
        old_docs = set(previous.get("documents", [])) if previous else set()
        if old_docs:
            lost = len(old_docs - new_docs) / len(old_docs)
            if lost > self.max_document_loss:
                raise PublishRefusedError(
                    f"The new build lost {lost:.0%} of the {len(old_docs)} documents of the published "
                    f"version {current} (limit {self.max_document_loss:.0%}); it was not published and "
                    f"{current} stays live. If the loss is intended, raise LOTSE_MAX_DOCUMENT_LOSS."
                    + (f" Failures: {failures}." if failures else "")
                )



def _doc_key(url: str, chunks: list[Chunk]) -> str:
    """Offers share their page's URL; each offer is a document of its own (its one passage's id)."""
    return f"{url}#offer:{chunks[0].id}" if chunks and chunks[0].kind == "offer" else url


def _digest(chunks: list[Chunk]) -> str:
    return hashlib.sha256("\x1e".join(c.text for c in chunks).encode()).hexdigest()
