"""Versioned index folders and the atomic switch between them.

Layout under ``<data_dir>/index``::

    versions/<version>/manifest.json   model, counts, sources, time, sha256 of every file
    versions/<version>/chunks.jsonl    passages with their sources
    versions/<version>/dense.faiss     passage vectors
    versions/<version>/sentences.npy   sentence vectors (evidence and multi-vector scoring)
    versions/<version>/sentence_map.npy  (chunk, start, end) of each sentence
    versions/<version>/lexical/        BM25 index
    CURRENT                            the published version's name

A version is written under a temporary name and renamed into place when complete, then
``CURRENT`` is replaced atomically. A crash at any point leaves the published version as
it was; a reader sees either the old or the new version, never a mixture.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.dense import DenseIndex
from index.lexical import LexicalIndex
from lotse.digest import sha256_file
from lotse.errors import IndexCorruptError, IndexNotFoundError
from lotse.schema import Chunk

__all__ = ["IndexData", "IndexStore", "LoadedIndex"]


@dataclass(slots=True)
class IndexData:
    """What a build produces before it is written."""

    chunks: list[Chunk]
    vectors: np.ndarray  # (n_chunks, dim)
    sentence_vectors: np.ndarray  # (n_sentences, dim)
    sentence_map: np.ndarray  # (n_sentences, 3) int32: chunk index, start, end
    model: dict[str, Any]
    sources: list[dict[str, Any]]
    report: dict[str, Any]


@dataclass(slots=True)
class LoadedIndex:
    version: str
    manifest: dict[str, Any]
    chunks: list[Chunk]
    dense: DenseIndex
    lexical: LexicalIndex
    sentence_vectors: np.ndarray
    sentence_map: np.ndarray
    chunk_sentences: np.ndarray  # (n_chunks, 2): [first, end) rows in sentence arrays

    def sentence_spans(self, chunk: int) -> list[tuple[int, int]]:
        """The character spans of passage ``chunk``'s sentences in its text, in order."""
        a, b = self.chunk_sentences[chunk]
        return [(int(self.sentence_map[r, 1]), int(self.sentence_map[r, 2])) for r in range(a, b)]


class IndexStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "index"
        self.versions_dir = self.root / "versions"
        self.pointer = self.root / "CURRENT"

    # ---- reading ---------------------------------------------------------------
    def current(self) -> str | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def versions(self) -> list[dict[str, Any]]:
        """Manifests of all complete versions, oldest first."""
        out = []
        if self.versions_dir.is_dir():
            for d in sorted(self.versions_dir.iterdir()):
                m = d / "manifest.json"
                if d.is_dir() and not d.name.startswith(".") and m.is_file():
                    try:
                        out.append(json.loads(m.read_text(encoding="utf-8")))
                    except json.JSONDecodeError:
                        out.append({"version": d.name, "corrupt": True})
        return out

    def read_chunks(self, version: str) -> list[Chunk]:
        """A version's passages alone (checked against its manifest), without loading its indexes."""
        vdir = self.versions_dir / version
        try:
            manifest = json.loads((vdir / "manifest.json").read_text(encoding="utf-8"))
            digest = manifest.get("checksums", {}).get("chunks.jsonl")
            if digest is not None and sha256_file(vdir / "chunks.jsonl") != digest:
                raise IndexCorruptError(f"Index version {version} is damaged: chunks.jsonl is altered.")
            with (vdir / "chunks.jsonl").open(encoding="utf-8") as f:
                return [Chunk.from_dict(json.loads(line)) for line in f if line.strip()]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"Index version {version} cannot be read: {exc}") from exc

    def load(self, version: str | None = None, *, verify: bool = True) -> LoadedIndex:
        version = version or self.current()
        if version is None:
            raise IndexNotFoundError(
                f"No published index in {self.root.parent}. Run `lotse ingest --config SOURCES.toml` "
                "first (or `make demo` for the bundled demo corpus)."
            )
        vdir = self.versions_dir / version
        try:
            manifest = json.loads((vdir / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise IndexCorruptError(f"Index version {version} has no manifest at {vdir}; "
                                    "roll back with `lotse index rollback` or ingest again.") from exc
        except json.JSONDecodeError as exc:
            raise IndexCorruptError(f"Index version {version}: manifest.json is not valid JSON ({exc}).") from exc
        if verify:
            for rel, digest in manifest.get("checksums", {}).items():
                path = vdir / rel
                if not path.is_file() or sha256_file(path) != digest:
                    raise IndexCorruptError(
                        f"Index version {version} is damaged: {rel} is missing or altered. "
                        "Roll back with `lotse index rollback` or ingest again."
                    )
        try:
            with (vdir / "chunks.jsonl").open(encoding="utf-8") as f:
                chunks = [Chunk.from_dict(json.loads(line)) for line in f if line.strip()]
            dense = DenseIndex.load(vdir / "dense.faiss")
            lexical = LexicalIndex.load(vdir / "lexical", size=len(chunks))
            sent_vecs = np.load(vdir / "sentences.npy", mmap_mode="r")
            sent_map = np.load(vdir / "sentence_map.npy")
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise IndexCorruptError(f"Index version {version} cannot be read: {exc}") from exc
        if dense.size != len(chunks) or len(sent_vecs) != len(sent_map):
            raise IndexCorruptError(f"Index version {version} is inconsistent: "
                                    f"{len(chunks)} chunks but {dense.size} vectors.")
        return LoadedIndex(version, manifest, chunks, dense, lexical, sent_vecs, sent_map,
                           _chunk_ranges(sent_map, len(chunks)))

    # ---- writing ---------------------------------------------------------------
    def write(self, data: IndexData) -> str:
        """Write a complete, unpublished version and return its name."""
        self.versions_dir.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        # Names sort in creation order (microseconds), the suffix keeps two hosts apart.
        version = now.strftime("%Y%m%dT%H%M%S%f") + f"-{secrets.token_hex(3)}"
        tmp = self.versions_dir / f".tmp-{version}"
        tmp.mkdir()
        try:
            with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
                for c in data.chunks:
                    f.write(json.dumps(c.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
            DenseIndex.build(data.vectors).save(tmp / "dense.faiss")
            LexicalIndex.build([c.embed_text() for c in data.chunks]).save(tmp / "lexical")
            np.save(tmp / "sentences.npy", np.ascontiguousarray(data.sentence_vectors, dtype=np.float32))
            np.save(tmp / "sentence_map.npy", np.ascontiguousarray(data.sentence_map, dtype=np.int32))
            (tmp / "report.json").write_text(json.dumps(data.report, ensure_ascii=False, indent=2), "utf-8")
            checksums = {str(p.relative_to(tmp)): sha256_file(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
            manifest = {
                "version": version,
                "created": now.isoformat(timespec="seconds"),
                "model": data.model,
                "counts": {
                    "chunks": len(data.chunks),
                    "documents": len({c.source.url for c in data.chunks}),
                    "sentences": int(len(data.sentence_map)),
                },
                "documents": sorted({c.source.url for c in data.chunks}),
                "sources": data.sources,
                "checksums": checksums,
            }
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
            _fsync_tree(tmp)
            os.replace(tmp, self.versions_dir / version)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return version

    def publish(self, version: str) -> None:
        if not (self.versions_dir / version / "manifest.json").is_file():
            raise IndexNotFoundError(f"Index version {version} does not exist in {self.versions_dir}.")
        tmp = self.root / f".CURRENT.{secrets.token_hex(4)}"
        with tmp.open("w", encoding="utf-8") as f:
            f.write(version + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.root)

    def previous(self) -> str | None:
        """The newest complete version older than the published one."""
        cur = self.current()
        names = [m["version"] for m in self.versions() if not m.get("corrupt")]
        older = [n for n in names if cur is None or n < cur]
        return older[-1] if older else None

    def clean_temporary(self) -> int:
        """Remove folders left by builds that were killed; returns how many."""
        n = 0
        if self.versions_dir.is_dir():
            for d in self.versions_dir.glob(".tmp-*"):
                shutil.rmtree(d, ignore_errors=True)
                n += 1
        return n


def _chunk_ranges(sent_map: np.ndarray, n_chunks: int) -> np.ndarray:
    ranges = np.zeros((n_chunks, 2), dtype=np.int64)
    if len(sent_map):
        owners = sent_map[:, 0]
        starts = np.searchsorted(owners, np.arange(n_chunks), side="left")
        ends = np.searchsorted(owners, np.arange(n_chunks), side="right")
        ranges[:, 0], ranges[:, 1] = starts, ends
    return ranges


def _fsync_tree(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())
    _fsync_dir(root)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
