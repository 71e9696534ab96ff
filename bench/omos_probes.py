"""Query-time ideas for the cross-lingual gap, tried on OMoS-QA dev (the tuning split) before any code.

    .venv/bin/python bench/omos_probes.py [--adapter omos-align-v2] [--split dev]

Every row ranks the cached `lotse eval omos` index (build it with `lotse eval omos --split dev`)
with the pool's fused score (half the passage cosine plus the best sentence cosine, no BM25) and
the product's per-page cap, and prints page Recall@1/Recall@5 for de (original model) and
en/ar/uk (the adapter at its served strength unless the row says otherwise):

- served, original, as trained: the reference rows;
- ensemble: the fused scores of two or three encodings of the question summed;
- prf k=K b=B: Rocchio feedback, the question vector plus B times the mean of the top K passage
  vectors, renormalised, then ranked again;
- windows: two-sentence windows as extra vectors beside the sentences (embedded here, once,
  with the original model), combined with the best sentence by max / mean / sum;
- misses: where the served ranking misses, whether the German question misses too and whether
  the first passage comes from the other city's page.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.retrieve import FusionWeights, cap_per_page  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos  # noqa: E402
from index.builder import sentence_units  # noqa: E402
from lotse.embedding import load_embedder  # noqa: E402
from lotse.model.adapter import ADAPTERS, load_query_adapter, split_adapter_name  # noqa: E402
from lotse.model.pool import PassagePool  # noqa: E402
from lotse.settings import OMOS_ADAPTER, Settings  # noqa: E402

LANGS = ("de", "en", "ar", "uk")


class Probe:
    def __init__(self, pool: PassagePool, questions: dict, served: float) -> None:
        self.pool, self.questions, self.served = pool, questions, served
        self.per_page = FusionWeights().per_page

    def fused(self, qv: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return self.pool.scores(torch.from_numpy(np.ascontiguousarray(qv, dtype=np.float32))).numpy()

    def top(self, row: np.ndarray, k: int, per_page: int | None = None) -> list[int]:
        order = [int(j) for j in np.argsort(-row, kind="stable")[:200]]
        cap = self.per_page if per_page is None else per_page
        return cap_per_page(order, [self.pool.urls[j] for j in order], cap)[:k]

    def hits(self, scores: np.ndarray, lang: str, k: int) -> np.ndarray:
        return np.array([any(self.pool.urls[j] in q.gold_urls for j in self.top(row, k))
                         for row, q in zip(scores, self.questions[lang], strict=True)])

    def row(self, name: str, score: Callable[[str, float], np.ndarray]) -> None:
        cells, means = [], []
        for lang in LANGS:
            s = score(lang, 0.0 if lang == "de" else self.served)
            r1, r5 = self.hits(s, lang, 1).mean(), self.hits(s, lang, 5).mean()
            cells.append(f"{lang} {r1:.3f}/{r5:.3f}")
            if lang != "de":
                means.append((r1, r5))
        m1, m5 = np.mean(means, axis=0)
        print(f"  {name:26s} " + "  ".join(cells) + f"  | en/ar/uk {m1:.3f}/{m5:.3f}", flush=True)

    def prf(self, qv: np.ndarray, beta: float, k: int) -> np.ndarray:
        out = []
        for v, row in zip(qv, self.fused(qv), strict=True):
            centroid = self.pool.passages[self.top(row, k, per_page=0)].mean(0)
            moved = v + beta * centroid
            out.append(moved / np.linalg.norm(moved))
        return np.asarray(out, dtype=np.float32)


def _windows(index, settings: Settings) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    texts, owner = [], []
    for i, chunk in enumerate(index.chunks):
        units = sentence_units(chunk)
        for (_, _, first), (a, b, _) in zip(units, units[1:], strict=False):
            texts.append(first + " " + chunk.text[a:b].lstrip("• ").strip())
            owner.append(i)
    embedder = load_embedder(settings.provisioned_model_path("none"))
    return np.asarray(embedder.embed_passages(texts), dtype=np.float32), np.asarray(owner)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adapter", default=OMOS_ADAPTER)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--index", type=Path, default=None, help="Cached OMoS index folder (default: the first found).")
    ap.add_argument("--no-windows", action="store_true", help="Skip the window rows (they embed ~7,400 texts).")
    ap.add_argument("--show-misses", action="store_true",
                    help="Also list the German questions the served ranking misses, with the gold and the first pages.")
    args = ap.parse_args()
    s = Settings()
    name, at = split_adapter_name(args.adapter)
    served = at if at is not None else ADAPTERS[name].strength
    index = cached_omos_index(s, args.index)
    pool = PassagePool.from_index(index)
    indexed = set(pool.urls)
    evalset = load_omos(s.eval_data_dir, args.split, list(LANGS))
    questions = {lang: [q for q in qs if q.answerable and q.in_corpus and q.gold_urls & indexed]
                 for lang, qs in evalset.questions.items()}
    # The miss analysis compares each question with its German twin: the files share ids and order.
    assert all([q.id for q in questions[lang]] == [q.id for q in questions["de"]] for lang in LANGS)
    vectors: dict[tuple[float, str], np.ndarray] = {}
    for strength in sorted({0.0, served, 1.0}):
        embedder = load_embedder(s.provisioned_model_path("none"), query_adapter=load_query_adapter(name, strength))
        for lang in LANGS:
            vectors[(strength, lang)] = np.asarray(
                embedder.embed_queries([q.text for q in questions[lang]], lang), dtype=np.float32)
    p = Probe(pool, questions, served)
    full = lambda lang: 0.0 if lang == "de" else 1.0  # noqa: E731
    print(f"OMoS-QA {args.split}, {name} served at {served:g}: page Recall@1/Recall@5 "
          f"({', '.join(f'{lang} n={len(qs)}' for lang, qs in questions.items())})")
    p.row("served", lambda lang, st: p.fused(vectors[(st, lang)]))
    p.row("original", lambda lang, st: p.fused(vectors[(0.0, lang)]))
    p.row("as trained (s=1)", lambda lang, st: p.fused(vectors[(full(lang), lang)]))
    p.row("ensemble original+served", lambda lang, st: p.fused(vectors[(0.0, lang)]) + p.fused(vectors[(st, lang)]))
    p.row("ensemble original+s=1",
          lambda lang, st: p.fused(vectors[(0.0, lang)]) + p.fused(vectors[(full(lang), lang)]))
    p.row("ensemble all three", lambda lang, st: sum(p.fused(vectors[(x, lang)]) for x in {0.0, st, full(lang)}))
    for k in (1, 3, 5, 10):
        for beta in (0.1, 0.25, 0.5, 1.0):
            p.row(f"prf k={k} b={beta}", lambda lang, st, k=k, beta=beta: p.fused(p.prf(vectors[(st, lang)], beta, k)))
    if not args.no_windows:
        wv, owner = _windows(index, s)
        print(f"  ({len(owner)} two-sentence windows)")

        def windows(lang: str, st: float, how: str) -> np.ndarray:
            qv = vectors[(st, lang)]
            dense = qv @ pool.passages.T
            sentence = p.fused(qv) - pool.dense * dense
            best = np.full(dense.shape, -1.0, dtype=np.float32)
            np.maximum.at(best.T, owner, (qv @ wv.T).T)
            best = np.where(best > -1.0, best, sentence)
            combined = {"max": np.maximum(sentence, best), "mean": 0.5 * (sentence + best),
                        "sum": sentence + 0.5 * best}[how]
            return pool.dense * dense + combined

        for how in ("max", "mean", "sum"):
            p.row(f"windows ({how})", lambda lang, st, how=how: windows(lang, st, how))
    def district(url: str) -> str:  # https://admin.integreat-app.de/<district>/de/.../<page>/
        return url.split("/")[3]

    print("misses of the served ranking (top 5):")
    german_scores = p.fused(vectors[(0.0, "de")])
    german = p.hits(german_scores, "de", 5)
    for lang in LANGS:
        scores = german_scores if lang == "de" else p.fused(vectors[(served, lang)])
        hit = p.hits(scores, lang, 5)
        other_city = sum(1 for row, q, h in zip(scores, questions[lang], hit, strict=True)
                         if not h and district(pool.urls[p.top(row, 1)[0]]) not in {district(u) for u in q.gold_urls})
        line = f"  {lang}: {int((~hit).sum())} of {len(hit)} missed; first passage from the other city: {other_city}"
        if lang != "de":
            line += (f"; German question hits {int((~hit & german).sum())} of them, misses "
                     f"{int((~hit & ~german).sum())}; this language hits {int((hit & ~german).sum())} German misses")
        print(line)
    if args.show_misses:
        def slug(url: str) -> str:
            return f"{district(url)}/{url.rstrip('/').rsplit('/', 1)[-1]}"

        print("German misses (question | gold page, its rank | first two pages):")
        for row, q, h in zip(german_scores, questions["de"], german, strict=True):
            if not h:
                order = np.argsort(-row, kind="stable")
                rank = next(r for r, j in enumerate(order) if pool.urls[j] in q.gold_urls)
                print(f"  {q.text} | {slug(next(iter(q.gold_urls)))}, {rank + 1} | "
                      + ", ".join(slug(pool.urls[j]) for j in p.top(row, 2)))


if __name__ == "__main__":
    main()
