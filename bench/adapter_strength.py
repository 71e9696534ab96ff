"""How much of the query adapter to serve: a grid of strengths over OMoS-QA dev (the tuning split).

    .venv/bin/python bench/adapter_strength.py [--adapter omos-align-v2] [--split dev]
        [--strengths 0,0.25,0.375,0.5,0.625,0.75,0.875,1,1.25]

A query adapter is served as ``W + s * delta`` (``AdapterSpec.strength``). For each strength s the
en/ar/uk dev questions are encoded with the adapter at s and ranked by the product's fused score
(``PassagePool``: half the passage cosine plus the best sentence cosine, BM25 and the per-page cap
left out) over the cached `lotse eval omos` index (build it first with `lotse eval omos --split dev`).
s = 0 is the original model, s = 1 the adapter as trained.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos  # noqa: E402
from lotse.embedding import load_embedder  # noqa: E402
from lotse.model.adapter import load_query_adapter  # noqa: E402
from lotse.model.pool import PassagePool  # noqa: E402
from lotse.settings import OMOS_ADAPTER, Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adapter", default=OMOS_ADAPTER)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--strengths", default="0,0.25,0.375,0.5,0.625,0.75,0.875,1,1.25")
    ap.add_argument("--index", type=Path, default=None, help="Cached OMoS index folder (default: the first found).")
    args = ap.parse_args()
    s = Settings()
    pool = PassagePool.from_index(cached_omos_index(s, args.index))
    indexed = set(pool.urls)
    evalset = load_omos(s.eval_data_dir, args.split, ["en", "ar", "uk"])
    questions = {lang: [q for q in qs if q.answerable and q.in_corpus and q.gold_urls & indexed]
                 for lang, qs in evalset.questions.items()}
    print(f"OMoS-QA {args.split}, {args.adapter}: page Recall@1/Recall@5 by strength "
          f"({', '.join(f'{lang} n={len(qs)}' for lang, qs in questions.items())})")
    for strength in (float(x) for x in args.strengths.split(",")):
        embedder = load_embedder(s.provisioned_model_path("none"),
                                 query_adapter=load_query_adapter(args.adapter, strength))
        cells, r1s, r5s = [], [], []
        for lang, qs in questions.items():
            qv = np.asarray(embedder.embed_queries([q.text for q in qs], lang), dtype=np.float32)
            gold = [q.gold_urls for q in qs]
            r1, r5 = pool.recall(qv, gold, 1), pool.recall(qv, gold, 5)
            cells.append(f"{lang} {r1:.3f}/{r5:.3f}")
            r1s.append(r1)
            r5s.append(r5)
        print(f"  s={strength:<5g} " + "  ".join(cells) + f"  | mean {np.mean(r1s):.3f}/{np.mean(r5s):.3f}",
              flush=True)


if __name__ == "__main__":
    main()
