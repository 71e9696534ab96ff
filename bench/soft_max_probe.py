"""A soft maximum over a passage's sentences instead of the best one? OMoS-QA dev, as served otherwise.

    .venv/bin/lotse eval omos --split dev --systems ours     # builds the cached OMoS-QA index first
    .venv/bin/python bench/soft_max_probe.py                 # ~3 min

The sentence signal of ``HybridRetriever`` is the best sentence cosine of a passage. Here it is
``max + tau * log(sum(exp((s - max) / tau)))`` over the passage's sentences (or the mean instead of
the sum), which also credits a passage with several close sentences. Page Recall@1/@5 per language.
A probe; the product keeps the maximum (docs/benchmarks.md, "A soft maximum over a passage's sentences").
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.factory import build_retriever  # noqa: E402
from assistant.language import LanguageDetector  # noqa: E402
from assistant.retrieve import HybridRetriever, top_indices  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402


class SoftMax(HybridRetriever):
    """The served retriever with the soft maximum as the sentence signal."""

    tau = 0.02
    mean = False

    def _vector_signals(self, index, qv, depth):  # type: ignore[no-untyped-def, override]
        ids, scores = index.dense.search(qv[None, :], depth)
        known = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
        candidates = set(known)
        best = np.full(len(index.chunks), -1.0, dtype=np.float32)
        sims = np.asarray(index.sentence_vectors @ qv)
        owner = index.sentence_map[:, 0]
        np.maximum.at(best, owner, sims)
        total = np.zeros(len(index.chunks))
        np.add.at(total, owner, np.exp((sims - best[owner]) / self.tau))
        count = np.zeros(len(index.chunks))
        np.add.at(count, owner, 1)
        has = count > 0
        soft = best.copy()
        soft[has] = best[has] + self.tau * np.log(total[has] / (count[has] if self.mean else 1.0))
        candidates.update(int(i) for i in top_indices(best, depth) if best[i] > -1.0)
        return known, soft.astype(np.float32), candidates


def main() -> None:
    s = Settings()
    index = cached_omos_index(s)
    embedder = configured_embedder(s)
    detector = LanguageDetector()
    evalset = load_omos(s.eval_data_dir, "dev", ["de", "en", "ar", "uk"])
    urls = [c.source.url for c in index.chunks]
    indexed = set(urls)
    variants = [("max (served)", None, False)] + [(f"tau {t} {'mean' if m else 'sum'}", t, m)
                                                   for t in (0.01, 0.02, 0.05) for m in (False, True)]
    for name, tau, mean in variants:
        retriever = build_retriever(s, embedder, cls=HybridRetriever if tau is None else SoftMax)
        if tau is not None:
            retriever.tau, retriever.mean = tau, mean  # type: ignore[attr-defined]
        row = []
        for lang, qs in evalset.questions.items():
            qs = [q for q in qs if q.answerable and q.gold_urls & indexed]
            first = five = 0
            for q in qs:
                pages = [urls[i] for i in retriever.run(index, q.text, language=detector.detect(q.text), k=5).ids]
                first += bool(pages) and pages[0] in q.gold_urls
                five += any(p in q.gold_urls for p in pages)
            row.append(f"{lang} {first / len(qs):.3f}/{five / len(qs):.3f}")
        print(f"{name:<16} " + "  ".join(row), flush=True)


if __name__ == "__main__":
    main()
