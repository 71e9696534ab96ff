"""Retrieval metrics over one ranked list of passages per question.

Every metric is a function of the URLs (pages or paragraphs) and texts of the retrieved
passages in rank order, so it means the same for every system compared:

- Recall@k: the gold page is the page of one of the top-k passages (1 or 0 per question);
- MRR@10: 1 / rank of the first of the top-10 passages on the gold page (0 if none);
- evidence hit@k: one of the gold answer lines, whitespace-normalised, is contained in the
  text of one of the top-k passages, i.e. the passages shown hold the answer itself;
- answer@1 / answer@any: for a system that also quotes an extractive answer (ours), the first /
  any of its quoted sentences lies inside a gold answer line or holds one (a line can be several
  sentences, a sentence can span a line break): what a citizen reads first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from evaluation.datasets import normalize_line

__all__ = ["Scores", "evidence_hit", "mean", "quotes_gold", "recall_at", "reciprocal_rank", "score_question"]

KS = (1, 5, 10)


def recall_at(urls: Sequence[str], gold: Iterable[str], k: int) -> float:
    gold = set(gold)
    return 1.0 if any(u in gold for u in urls[:k]) else 0.0


def reciprocal_rank(urls: Sequence[str], gold: Iterable[str], k: int = 10) -> float:
    gold = set(gold)
    for rank, u in enumerate(urls[:k], 1):
        if u in gold:
            return 1.0 / rank
    return 0.0


def evidence_hit(texts: Sequence[str], gold_lines: Iterable[str], k: int) -> float:
    lines = [normalize_line(g) for g in gold_lines]
    lines = [g for g in lines if g]
    shown = [normalize_line(t) for t in texts[:k]]
    return 1.0 if any(g in t for g in lines for t in shown) else 0.0


def quotes_gold(sentence: str, gold_lines: Iterable[str]) -> bool:
    s = normalize_line(sentence)
    lines = [g for g in (normalize_line(x) for x in gold_lines) if g]
    return bool(s) and any(s in g or g in s for g in lines)


@dataclass(frozen=True, slots=True)
class Scores:
    recall: dict[int, float]
    mrr10: float
    evidence5: float | None  # None: the question has no gold lines to look for
    answer1: float | None = None  # None: no gold lines, or the system quotes no answer
    answer_any: float | None = None


def score_question(urls: Sequence[str], texts: Sequence[str], gold: Iterable[str],
                   gold_lines: Sequence[str] = (), quoted: Sequence[str] | None = None) -> Scores:
    """``quoted``: the sentences the system's extractive answer quotes, in order (None: it quotes none)."""
    gold = set(gold)
    answers = (None, None)
    if gold_lines and quoted is not None:
        hits = [quotes_gold(x, gold_lines) for x in quoted]
        answers = (float(bool(hits) and hits[0]), float(any(hits)))
    return Scores({k: recall_at(urls, gold, k) for k in KS}, reciprocal_rank(urls, gold, 10),
                  evidence_hit(texts, gold_lines, 5) if gold_lines else None, *answers)


def mean(values: Iterable[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None
