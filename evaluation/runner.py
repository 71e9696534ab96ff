"""Build (or reuse) the eval index, run every system on every question, score, measure abstention."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.abstain import AbstentionPolicy
from assistant.asks import asked_for
from assistant.evidence import EvidenceSelector
from assistant.keywords import KeywordMatch
from assistant.language import LanguageDetector
from assistant.retrieve import HybridRetriever
from evaluation.datasets import EvalSet, Question
from evaluation.metrics import KS, mean, score_question
from evaluation.systems import SystemSlot
from index.store import IndexStore, LoadedIndex
from ingest.pipeline import IngestPipeline
from ingest.sources import JsonlSource
from lotse.embedding import Embedder, adapts

__all__ = ["GROUPS", "AbstentionRun", "PreparedIndex", "RetrievalRun", "prepare_index", "run_abstention",
           "run_retrieval"]

Progress = Callable[[str], None]
# Bump when the way the corpus becomes an index changes in a way the key does not see.
INDEX_RECIPE = "1"
DEPTH = 10  # passages retrieved per question: enough for Recall@10 and MRR@10


@dataclass(slots=True)
class PreparedIndex:
    index: LoadedIndex
    folder: Path
    reused: bool
    build_seconds: float


def _model_fingerprint(model: str) -> str:
    """The model's name plus its checksums file when it is a folder: a rebuilt model re-indexes."""
    sums = Path(model).expanduser() / "CHECKSUMS.sha256"
    extra = hashlib.sha256(sums.read_bytes()).hexdigest() if sums.is_file() else ""
    return f"{Path(model).name if Path(model).exists() else model}:{extra}"


def prepare_index(evalset: EvalSet, embedder: Embedder, *, cache_root: Path, model: str,
                  chunk_max_tokens: int, user_agent: str, progress: Progress) -> PreparedIndex:
    """The published index of this corpus, model and chunking; built through the normal ingest
    pipeline the first time, reused from ``cache_root`` after that."""
    key = hashlib.sha256("\n".join([evalset.corpus_digest(), _model_fingerprint(model), str(embedder.dim),
                                    str(chunk_max_tokens), INDEX_RECIPE]).encode()).hexdigest()[:16]
    folder = Path(cache_root) / f"{evalset.name}-{key}"
    store = IndexStore(folder)
    if store.current() is not None:
        progress(f"reusing cached index {folder} ({store.current()})")
        return PreparedIndex(store.load(), folder, True, 0.0)
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.jsonl"
    corpus.write_text("".join(r.to_json() + "\n" for r in evalset.corpus), encoding="utf-8")
    source = JsonlSource(name=f"{evalset.name}-corpus", kind="jsonl", path=corpus, html=evalset.html)
    t0 = time.perf_counter()
    result = IngestPipeline(embedder, store, user_agent=user_agent, chunk_max_tokens=chunk_max_tokens,
                            progress=progress).run([source])
    seconds = time.perf_counter() - t0
    report = result.reports[0]
    progress(f"indexed {report.documents} documents as {result.chunks} passages in {seconds:.0f} s "
             f"({report.duplicates} duplicates, {len(report.failed)} failed)")
    return PreparedIndex(store.load(), folder, False, seconds)


@dataclass(slots=True)
class RetrievalRun:
    # system -> language -> metric -> value
    table: dict[str, dict[str, dict[str, float | int | None]]] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    detected: dict[str, dict[str, int]] = field(default_factory=dict)  # language -> detected -> count
    ranks: dict[str, dict[str, list[int | None]]] = field(default_factory=dict)  # first gold rank per question


def _warm_queries(embedder: Embedder, texts: list[str], detected: list[str], batch: int = 256) -> None:
    """Embed a language's questions in batches: the embedder's query cache then serves every
    system, so the per-question timing measures retrieval, not one-at-a-time encoding. Grouped by
    detected language, as the retriever asks for them (a query adapter depends on it)."""
    for lang in sorted(set(detected)):
        group = [t for t, d in zip(texts, detected, strict=True) if d == lang]
        for i in range(0, len(group), batch):
            embedder.embed_queries(group[i:i + batch], lang)


def run_retrieval(evalset: EvalSet, slots: list[SystemSlot], index: LoadedIndex, embedder: Embedder,
                  progress: Progress) -> RetrievalRun:
    run = RetrievalRun()
    detector = LanguageDetector()
    urls = [c.source.url for c in index.chunks]
    texts = [c.text for c in index.chunks]
    indexed = set(urls)
    for slot in slots:
        if slot.system is None:
            run.unavailable[slot.name] = slot.unavailable or "unavailable"
    for lang, questions in evalset.questions.items():
        # Recall is over answerable questions only: an unanswerable item's page does not answer
        # it, so "finding" that page means nothing (abstention measures those). A gold page the
        # pipeline dropped (no text after cleaning) cannot be found either.
        scored = [q for q in questions if q.answerable and q.in_corpus and q.gold_urls & indexed]
        detected = [detector.detect(q.text) for q in scored]
        counts: dict[str, int] = {}
        for d in detected:
            counts[d] = counts.get(d, 0) + 1
        run.detected[lang] = counts
        _warm_queries(embedder, [q.text for q in scored], detected)
        for slot in slots:
            if slot.system is None:
                continue
            t0 = time.perf_counter()
            prepare = getattr(slot.system, "prepare", None)
            if prepare is not None:  # systems that encode queries themselves do it in batches
                prepare([q.text for q in scored])
            quote = getattr(slot.system, "quote", None)  # systems that also answer (ours)
            per_q = []
            ranks: list[int | None] = []
            for q, det in zip(scored, detected, strict=True):
                ids = slot.system.search(q.text, det, DEPTH)
                got_urls = [urls[i] for i in ids]
                quoted = quote(q.text, det) if quote is not None and q.gold_lines else None
                per_q.append(score_question(got_urls, [texts[i] for i in ids], q.gold_urls, q.gold_lines, quoted))
                ranks.append(next((r for r, u in enumerate(got_urls, 1) if u in q.gold_urls), None))
            seconds = time.perf_counter() - t0
            run.seconds[slot.name] = run.seconds.get(slot.name, 0.0) + seconds
            row: dict[str, float | int | None] = {f"R@{k}": mean(s.recall[k] for s in per_q) for k in KS}
            row["MRR@10"] = mean(s.mrr10 for s in per_q)
            row["evidence@5"] = mean(s.evidence5 for s in per_q)
            row["n"] = len(per_q)
            row["answer@1"] = mean(s.answer1 for s in per_q)
            row["answer@any"] = mean(s.answer_any for s in per_q)
            row["n_evidence"] = sum(1 for s in per_q if s.evidence5 is not None)
            row["ms_per_query"] = 1000 * seconds / max(1, len(per_q))
            run.table.setdefault(slot.name, {})[lang] = row
            run.ranks.setdefault(slot.name, {})[lang] = ranks
            progress(f"{lang} {slot.name}: R@1 {row['R@1'] or 0:.3f} R@5 {row['R@5'] or 0:.3f} "
                     f"MRR@10 {row['MRR@10'] or 0:.3f} ({len(per_q)} questions, {seconds:.1f} s)")
    return run


# ---- abstention ----------------------------------------------------------------------------

# ood: the out-of-domain questions the thresholds were chosen with; ood-heldout: written after, never tuned on.
GROUPS = ("answerable", "unanswerable", "ood", "ood-heldout")


@dataclass(slots=True)
class AbstentionRun:
    items: list[dict[str, Any]]  # group, language, evidence, background, found
    policy: dict[str, Any]  # the product policy's parameters

    def rates(self) -> dict[str, dict[str, float | int]]:
        """Per group: how often the product's policy answers (found=true)."""
        out: dict[str, dict[str, float | int]] = {}
        for group in GROUPS:
            rows = [r for r in self.items if r["group"] == group]
            if rows:
                found = sum(1 for r in rows if r["found"]) / len(rows)
                out[group] = {"n": len(rows), "answered": found, "refused": 1 - found}
        return out

    def curve(self, signal: str, thresholds: np.ndarray) -> list[dict[str, float]]:
        """Answer iff ``signal >= t``: for each t the share of answerable questions refused and
        of unanswerable / out-of-domain questions answered."""
        vals = {g: np.array([r[signal] for r in self.items if r["group"] == g]) for g in GROUPS}
        out = []
        for t in thresholds:
            row = {"threshold": round(float(t), 3)}
            if len(vals["answerable"]):
                row["answerable_refused"] = float(np.mean(vals["answerable"] < t))
            for g in GROUPS[1:]:
                if len(vals[g]):
                    row[f"{g.replace('-', '_')}_answered"] = float(np.mean(vals[g] >= t))
            out.append(row)
        return out

    def recommend(self, signal: str, thresholds: np.ndarray, max_refused: float = 0.10) -> float | None:
        """The highest threshold that refuses at most ``max_refused`` of the answerable questions:
        a higher threshold refuses more out-of-domain questions, so it is the best one allowed."""
        ok = [r["threshold"] for r in self.curve(signal, thresholds)
              if r.get("answerable_refused", 1.0) <= max_refused]
        return max(ok) if ok else None


def run_abstention(questions: list[tuple[str, Question]], index: LoadedIndex, embedder: Embedder,
                   retriever: HybridRetriever, policy: AbstentionPolicy, progress: Progress,
                   k: int = 5) -> AbstentionRun:
    """What ``Assistant.ask`` decides for each question: retrieve k passages, take the best
    evidence sentence (``EvidenceSelector``), judge it with the product's ``AbstentionPolicy``, a
    question of a few words also by its words in the evidence passage (``KeywordMatch``)."""
    detector = LanguageDetector()
    selector = EvidenceSelector()
    keywords = KeywordMatch()
    items = []
    detected = [detector.detect(q.text) for _, q in questions]
    _warm_queries(embedder, [q.text for _, q in questions], detected)
    for (group, q), language in zip(questions, detected, strict=True):
        hits = retriever.run(index, q.text, language=language, k=k, asks=asked_for(q.text))
        ev = selector.run(index, hits.ids, hits.query_vector, question=q.text)
        words = keywords.in_evidence(q.text, index.chunks, ev)
        decision = policy.run(ev.best, hits.query_vector, embedder, adapted=adapts(embedder, language),
                              language=language, keywords=words)
        items.append({"group": group, "language": q.language, "id": q.id, "evidence": round(ev.best, 4),
                      "background": round(decision.background, 4), "margin": round(decision.margin, 4),
                      "found": bool(hits.ids) and decision.found})
    progress(f"abstention: {len(items)} questions judged")
    return AbstentionRun(items, {"floor": policy.floor, "adapted_floor": policy.adapted_floor,
                                 "adapted_floors": policy.adapted_floors, "margin": policy.margin,
                                 "clear_margin": policy.clear_margin, "floor_slack": policy.floor_slack,
                                 "background_sentences": len(policy.background_texts)})
