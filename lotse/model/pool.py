"""The passages a query adapter is trained and judged against, scored the way the product scores them.

``HybridRetriever`` ranks a passage by ``dense * cos(q, passage) + sentence * max cos(q, sentence)``
(plus a little BM25 for German and Latin-script questions). A query adapter that only learns
to match passage vectors is judged on a different score than the one it serves under, so both
the retrieval term of ``lotse model tune`` and the checkpoint choice on dev use this fused
score, with the original model's passage and sentence vectors, frozen (exactly what the
index holds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["PassagePool"]


@dataclass(slots=True)
class PassagePool:
    passages: np.ndarray  # (n, dim) float32, normalised
    sentences: np.ndarray  # (m, dim) float32
    sentence_chunk: np.ndarray  # (m,) int64: passage of each sentence
    urls: list[str]
    dense: float = 0.5
    sentence: float = 1.0

    @classmethod
    def from_index(cls, index) -> PassagePool:  # type: ignore[no-untyped-def]
        """The index's vectors, weighted as the product's ``FusionWeights`` weigh them."""
        from assistant.retrieve import FusionWeights

        w = FusionWeights()
        n = len(index.chunks)
        passages = index.dense.vectors()[:n]
        return cls(passages, np.array(index.sentence_vectors, dtype=np.float32),  # a writable copy of the mmap
                   np.asarray(index.sentence_map[:, 0], dtype=np.int64),
                   [c.source.url for c in index.chunks], w.dense, w.sentence)

    def concat(self, other: PassagePool) -> PassagePool:
        """Both pools as one (same weights as ``self``)."""
        return PassagePool(np.concatenate([self.passages, other.passages]),
                           np.concatenate([self.sentences, other.sentences]),
                           np.concatenate([self.sentence_chunk, other.sentence_chunk + len(self.urls)]),
                           self.urls + other.urls, self.dense, self.sentence)

    def rows_of(self, urls: Iterable[str]) -> np.ndarray:
        wanted = set(urls)
        return np.fromiter((i for i, u in enumerate(self.urls) if u in wanted), dtype=np.int64)

    def scores(self, queries):  # type: ignore[no-untyped-def]
        """Fused scores (batch, n) as a torch tensor; differentiable in ``queries``."""
        import torch

        p = torch.from_numpy(self.passages)
        dense = queries @ p.T
        if not len(self.sentence_chunk):
            return (self.dense + self.sentence) * dense
        sims = queries @ torch.from_numpy(self.sentences).T
        best = torch.full_like(dense, -1.0)
        index = torch.from_numpy(self.sentence_chunk).expand(len(queries), -1)
        best = best.scatter_reduce(1, index, sims, reduce="amax", include_self=True)
        # A passage without sentences (a bare heading) is judged by its passage vector alone.
        best = torch.where(best > -1.0, best, dense)
        return self.dense * dense + self.sentence * best

    def recall(self, queries: np.ndarray, gold: Sequence[frozenset[str]], k: int = 5) -> float:
        """Share of queries with a gold URL among the top k passages of the fused score."""
        import torch

        hits = 0
        for start in range(0, len(queries), 64):
            with torch.no_grad():
                s = self.scores(torch.from_numpy(np.ascontiguousarray(queries[start:start + 64]))).numpy()
            for row, g in zip(s, gold[start:start + 64], strict=True):
                top = np.argsort(-row, kind="stable")[:k]
                hits += any(self.urls[j] in g for j in top)
        return hits / max(1, len(queries))
