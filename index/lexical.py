"""BM25 over the passages' German text (bm25s), with the German analyzer and query-side synonyms."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.analyzer import GermanAnalyzer
from index.synonyms import Synonyms

__all__ = ["LexicalIndex"]


class LexicalIndex:
    def __init__(self, bm25, analyzer: GermanAnalyzer, size: int,  # type: ignore[no-untyped-def]
                 synonyms: Synonyms | None = None) -> None:
        self._bm25 = bm25
        self._analyzer = analyzer
        self.size = size
        self.synonyms = synonyms if synonyms is not None else Synonyms(analyzer)

    @classmethod
    def build(cls, texts: Sequence[str], analyzer: GermanAnalyzer | None = None) -> LexicalIndex:
        import bm25s

        analyzer = analyzer or GermanAnalyzer()
        bm25 = bm25s.BM25()
        # An empty token list breaks bm25s; a placeholder term that no query produces keeps ids aligned.
        bm25.index([analyzer(t) or ["\u2400"] for t in texts], show_progress=False)
        return cls(bm25, analyzer, len(texts))

    def save(self, path: Path) -> None:
        self._bm25.save(str(path))

    @classmethod
    def load(cls, path: Path, size: int) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(path), mmap=False), GermanAnalyzer(), size)

    @property
    def analyzer(self) -> GermanAnalyzer:
        """The analyzer that made the index's terms: German terms from elsewhere must take its form."""
        return self._analyzer

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage (zeros when no query term is in the vocabulary), plus the
        query terms' synonyms at their lower weight."""
        vocab = self._bm25.vocab_dict
        analyzed = self._analyzer(query)
        terms = [t for t in analyzed if t in vocab]
        out = np.zeros(self.size, dtype=np.float32)
        if terms and self.size:
            out = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        return out + self._synonyms(dict.fromkeys(analyzed, 1.0))

    def weighted_scores(self, terms: dict[str, float]) -> np.ndarray:
        """Sum of each analyzed term's BM25 score times its weight: a question that arrives as
        German terms already (a translated one, :mod:`lotse.model.lexicon`), not as text; its
        terms' synonyms count too."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in terms.items():
            if weight > 0:
                out += weight * self._term(term)
        return out + self._synonyms(terms)

    def _term(self, term: str) -> np.ndarray:
        if term not in self._bm25.vocab_dict:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores([term]), dtype=np.float32)

    def _synonyms(self, terms: dict[str, float]) -> np.ndarray:
        """Each query term's synonyms: the best of them per passage, at their lower weight."""
        out = np.zeros(self.size, dtype=np.float32)
        for others, weight in self.synonyms.extra(terms):
            if weight > 0:
                out += weight * np.max([self._term(t) for t in others], axis=0)
        return out

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.scores(query)
        k = min(k, self.size)
        if k == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.argpartition(-s, k - 1)[:k]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        keep = s[idx] > 0
        return idx[keep].astype(np.int64), s[idx][keep]
