"""An embedding cache keyed by model and text: a re-crawl embeds only what changed.

Vectors live in SQLite in the data dir (``cache/embeddings.sqlite``), keyed by the model's
fingerprint and the sha256 of the exact text embedded, so a changed model or a changed
passage never reuses a stale vector.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from lotse.embedding import Embedder

__all__ = ["CachedEmbedder", "EmbeddingCache", "model_fingerprint"]


def model_fingerprint(embedder: Embedder) -> str:
    """The passage model's name plus the digest of its CHECKSUMS file when it is a local folder.

    Passage vectors only: a query adapter does not change them, so switching one keeps the cache."""
    name = embedder.passage_name
    checksums = Path(name) / "CHECKSUMS.sha256"
    if checksums.is_file():
        return f"{Path(name).name}@{hashlib.sha256(checksums.read_bytes()).hexdigest()[:16]}"
    return name


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key BLOB, dim INTEGER, vec BLOB, "
            "PRIMARY KEY (model, key))"
        )

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def get(self, model: str, texts: Sequence[str]) -> dict[int, np.ndarray]:
        found: dict[int, np.ndarray] = {}
        keys = [self._key(t) for t in texts]
        by_key: dict[bytes, list[int]] = {}
        for i, k in enumerate(keys):
            by_key.setdefault(k, []).append(i)
        unique = list(by_key)
        for start in range(0, len(unique), 500):  # SQLite's variable limit
            batch = unique[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT key, dim, vec FROM vectors WHERE model = ? AND key IN ({marks})", [model, *batch]
            )
            for key, dim, blob in rows:
                vec = np.frombuffer(blob, dtype=np.float32, count=dim)
                for i in by_key[key]:
                    found[i] = vec
        return found

    def put(self, model: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [(model, self._key(t), int(v.shape[0]), np.asarray(v, dtype=np.float32).tobytes())
                for t, v in zip(texts, vectors, strict=True)]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        self._db.close()


class CachedEmbedder:
    """An ``Embedder`` whose passage vectors come from the cache when the same text was seen."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache,
                 on_progress: Callable[[int], None] | None = None, batch: int = 256) -> None:
        self.inner = embedder
        self.on_progress = on_progress or (lambda _n: None)
        self.batch = batch
        self.cache = cache
        self.name = embedder.name
        self.passage_name = embedder.passage_name
        self.dim = embedder.dim
        self.model_key = model_fingerprint(embedder)
        self.hits = 0
        self.misses = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        cached = self.cache.get(self.model_key, texts)
        for i, v in cached.items():
            out[i] = v
        self.on_progress(len(cached))
        missing = [i for i in range(len(texts)) if i not in cached]
        # In batches, each stored at once: a killed ingest keeps what it embedded so far.
        for start in range(0, len(missing), self.batch):
            part = missing[start:start + self.batch]
            fresh = self.inner.embed_passages([texts[i] for i in part])
            out[part] = fresh
            self.cache.put(self.model_key, [texts[i] for i in part], fresh)
            self.on_progress(len(part))
        self.hits += len(cached)
        self.misses += len(missing)
        return out

    def embed_queries(self, texts: Sequence[str], language: str | None = None) -> np.ndarray:
        return self.inner.embed_queries(texts, language)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)
