"""Sentence-level evidence: which sentences of the retrieved passages answer the question.

Sentence vectors were computed at index time, so this is a dot product per sentence.
The best sentences become the passages' ``highlights`` and the extractive answer; their
scores decide whether the documents answer the question at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.store import LoadedIndex

__all__ = ["Evidence", "EvidenceSelector", "SentenceHit"]


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
        for rank, ci in enumerate(chunk_ids):
            a, b = index.chunk_sentences[ci]
            if b <= a:
                highlights[ci] = []
                continue
            sims = np.asarray(index.sentence_vectors[a:b] @ query_vector)
            order = np.argsort(-sims, kind="stable")
            top = float(sims[order[0]])
            chosen = [int(j) for j in order[: self.max_highlights] if sims[j] >= top - self.margin]
            highlights[ci] = sorted((int(index.sentence_map[a + j, 1]), int(index.sentence_map[a + j, 2]))
                                    for j in chosen)
            if rank < self.answer_from_top:
                pool.extend(SentenceHit(ci, int(index.sentence_map[a + j, 1]), int(index.sentence_map[a + j, 2]),
                                        float(sims[j])) for j in chosen)
        pool.sort(key=lambda h: -h.score)
        best = pool[0].score if pool else -1.0
        answer = [h for h in pool if h.score >= best - self.margin][: self.max_answer_sentences]
        return Evidence(highlights, answer, best)
