"""Exact inner-product search over unit vectors with FAISS (cosine similarity)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["DenseIndex"]


class DenseIndex:
    def __init__(self, index) -> None:  # type: ignore[no-untyped-def]
        self._index = index
        self.dim = int(index.d)
        self.size = int(index.ntotal)

    @classmethod
    def build(cls, vectors: np.ndarray) -> DenseIndex:
        import faiss

        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        # Flat is exact and, at the tens of thousands of passages a city has, still ~1 ms.
        index = faiss.IndexFlatIP(vecs.shape[1])
        index.add(vecs)
        return cls(index)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> DenseIndex:
        import faiss

        # Memory-mapped so worker processes serving one version share its pages.
        return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, scores) of shape (n_queries, k); ids -1 where fewer than k passages exist."""
        k = max(1, min(k, self.size))
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return ids, scores

    def reconstruct(self, i: int) -> np.ndarray:
        return self._index.reconstruct(int(i))

    def vectors(self, ids: np.ndarray | None = None) -> np.ndarray:
        """(len(ids), dim) float32: the stored vectors of ``ids``, or of every passage (None), in one call."""
        if ids is None:
            return np.asarray(self._index.reconstruct_n(0, self.size), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64)), dtype=np.float32)
