"""Sentence-level evidence: which sentences of the retrieved passages answer the question.

Sentence vectors were computed at index time, so this is a dot product per sentence.
The best sentences become the passages' ``highlights`` and the extractive answer; their
scores decide whether the documents answer the question at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.store import LoadedIndex

__all__ = ["Evidence", "EvidenceSelector", "SentenceHit"]

_WORD = re.compile(r"\w+")


def _says_something(text: str) -> bool:
    """Two words at least. A sentence is embedded with its page title and heading in front
    (``index.builder.sentence_units``), so a one-word line such as "Beispieldaten." scores like the
    title itself and would otherwise win as the "answer" to any question about that page."""
    return len(_WORD.findall(text)) >= 2


@dataclass(frozen=True, slots=True)
class SentenceHit:
    chunk: int  # index into the loaded chunks
    start: int
    end: int
    score: float


@dataclass(slots=True)
class Evidence:
    highlights: dict[int, list[tuple[int, int]]]  # chunk -> spans in its text
    answer: list[SentenceHit]  # best sentences overall, best first
    best: float  # best sentence score (-1 when nothing)


class EvidenceSelector:
    def __init__(self, *, margin: float = 0.03, max_highlights: int = 2, max_answer_sentences: int = 3,
                 answer_from_top: int = 3) -> None:
        self.margin = margin
        self.max_highlights = max_highlights
        self.max_answer_sentences = max_answer_sentences
        self.answer_from_top = answer_from_top

    def run(self, index: LoadedIndex, chunk_ids: list[int], query_vector: np.ndarray) -> Evidence:
        highlights: dict[int, list[tuple[int, int]]] = {}
        pool: list[SentenceHit] = []
        # The abstention signal stays the best sentence of the top passages, one-word ones included:
        # the floors and the margin were calibrated on it (docs/benchmarks.md, "Abstention").
        best = -1.0
        for rank, ci in enumerate(chunk_ids):
            a, b = index.chunk_sentences[ci]
            if b <= a:
                highlights[ci] = []
                continue
            sims = np.asarray(index.sentence_vectors[a:b] @ query_vector)
            if rank < self.answer_from_top:
                best = max(best, float(sims.max()))
            text = index.chunks[ci].text
            order = [int(j) for j in np.argsort(-sims, kind="stable")
                     if _says_something(text[int(index.sentence_map[a + j, 1]):int(index.sentence_map[a + j, 2])])]
            if not order:
                highlights[ci] = []
                continue
            top = float(sims[order[0]])
            chosen = [j for j in order[: self.max_highlights] if sims[j] >= top - self.margin]
            highlights[ci] = sorted((int(index.sentence_map[a + j, 1]), int(index.sentence_map[a + j, 2]))
                                    for j in chosen)
            if rank < self.answer_from_top:
                pool.extend(SentenceHit(ci, int(index.sentence_map[a + j, 1]), int(index.sentence_map[a + j, 2]),
                                        float(sims[j])) for j in chosen)
        pool.sort(key=lambda h: -h.score)
        answer = [h for h in pool if h.score >= pool[0].score - self.margin][: self.max_answer_sentences]
        return Evidence(highlights, answer, best)
