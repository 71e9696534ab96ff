"""Hybrid retrieval: passage vectors, sentence vectors and BM25, fused by reciprocal rank.

Three rankings of the passages are fused:

- dense: cosine of the question with each passage vector;
- sentences: the best cosine of the question with any sentence of the passage, which
  finds a one-line answer inside a long passage (a multi-vector view of each passage);
- lexical: BM25 over the German text. Its weight follows the question's language:
  German questions share words with the passages, Arabic or Ukrainian ones do not, and
  for them BM25 only adds noise. Names and numbers still match in Latin-script languages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from index.store import LoadedIndex
from lotse.embedding import Embedder
from lotse.schema import Chunk

__all__ = ["FusionWeights", "HybridRetriever", "Retrieved"]

_LATIN = {"de", "en", "tr", "pl", "es", "fr", "it", "ro", "sq", "hr", "vi"}


@dataclass(frozen=True, slots=True)
class FusionWeights:
    dense: float = 1.0
    sentence: float = 1.0
    lexical_german: float = 1.0
    lexical_latin: float = 0.5
    lexical_other: float = 0.0
    rrf_k: int = 60
    candidates: int = 50

    def lexical(self, language: str) -> float:
        if language == "de":
            return self.lexical_german
        return self.lexical_latin if language in _LATIN else self.lexical_other


@dataclass(slots=True)
class Retrieved:
    """Fused ranking of passage indices with the signals behind each score."""

    ids: list[int]
    scores: list[float]
    query_vector: np.ndarray
    dense: dict[int, float] = field(default_factory=dict)
    sentence: dict[int, float] = field(default_factory=dict)
    lexical: dict[int, float] = field(default_factory=dict)


ChunkFilter = Callable[[Chunk], bool]


class HybridRetriever:
    def __init__(self, embedder: Embedder, weights: FusionWeights | None = None,
                 *, mode: str = "hybrid") -> None:
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"mode must be 'hybrid', 'dense' or 'lexical', got {mode!r}")
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.mode = mode

    def run(self, index: LoadedIndex, query: str, *, language: str, k: int,
            allow: ChunkFilter | None = None) -> Retrieved:
        w = self.weights
        n = len(index.chunks)
        qv = self.embedder.embed_queries([query])[0]
        if n == 0:
            return Retrieved([], [], qv)
        depth = min(n, max(w.candidates, k * 4) if allow is None else n)
        rankings: list[tuple[float, list[int]]] = []
        dense: dict[int, float] = {}
        sent: dict[int, float] = {}
        lex: dict[int, float] = {}
        if self.mode in ("hybrid", "dense"):
            ids, scores = index.dense.search(qv[None, :], depth)
            dense = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
            rankings.append((w.dense, list(dense)))
        if self.mode == "hybrid" and len(index.sentence_map):
            sims = np.asarray(index.sentence_vectors @ qv)
            owners = index.sentence_map[:, 0]
            best = np.full(n, -1.0, dtype=np.float32)
            np.maximum.at(best, owners, sims)
            top = np.argsort(-best, kind="stable")[:depth]
            sent = {int(i): float(best[i]) for i in top if best[i] > -1.0}
            rankings.append((w.sentence, list(sent)))
        lw = w.lexical(language) if self.mode == "hybrid" else (1.0 if self.mode == "lexical" else 0.0)
        if lw > 0:
            ids_l, scores_l = index.lexical.search(query, depth)
            lex = {int(i): float(s) for i, s in zip(ids_l, scores_l, strict=True)}
            rankings.append((lw, list(lex)))
        fused: dict[int, float] = {}
        for weight, order in rankings:
            for r, i in enumerate(order):
                fused[i] = fused.get(i, 0.0) + weight / (w.rrf_k + r + 1)
        order = sorted(fused, key=lambda i: (-fused[i], i))
        if allow is not None:
            order = [i for i in order if allow(index.chunks[i])]
        order = order[:k]
        return Retrieved(order, [fused[i] for i in order], qv, dense, sent, lex)
