"""Do adapted questions want other fusion weights? A grid over OMoS-QA dev (the tuning split).

    .venv/bin/python bench/fusion_sweep.py [--adapter omos-align-v2] [--split dev]

For en/ar/uk dev questions encoded with the query adapter, page Recall@1/@5 of
``w_dense * cos(passage) + max cos(sentence) + w_lex * BM25/max(BM25)`` over the cached
`lotse eval omos` index (build it first with `lotse eval omos --split dev`), exactly scored over
all passages. The product's weights are w_dense 0.5 and w_lex 0.01 for Latin script, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from evaluation.datasets import load_omos  # noqa: E402
from index.store import IndexStore  # noqa: E402
from lotse.embedding import load_embedder  # noqa: E402
from lotse.model.adapter import load_query_adapter  # noqa: E402
from lotse.model.pool import PassagePool  # noqa: E402
from lotse.settings import OMOS_ADAPTER, Settings  # noqa: E402

DENSE = (0.0, 0.25, 0.5, 1.0, 2.0)
LEXICAL = (0.0, 0.01, 0.02, 0.05)


def cached_omos_index(s: Settings, folder: Path | None = None):  # type: ignore[no-untyped-def]
    """The OMoS index `lotse eval omos` cached (``folder``, else the first under $LOTSE_DATA_DIR/eval)."""
    folder = folder or next(iter(sorted((s.data_dir / "eval").glob("omos-*"))), None)
    if folder is None:
        sys.exit("No cached OMoS index under $LOTSE_DATA_DIR/eval: run `lotse eval omos --split dev` first.")
    return IndexStore(folder).load()


def cached_xquad_index(s: Settings):  # type: ignore[no-untyped-def]
    """The XQuAD index `lotse eval xquad` cached (the first under $LOTSE_DATA_DIR/eval)."""
    folder = next(iter(sorted((s.data_dir / "eval").glob("xquad-*"))), None)
    if folder is None:
        sys.exit("No cached XQuAD index under $LOTSE_DATA_DIR/eval: run `lotse eval xquad` first.")
    return IndexStore(folder).load()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adapter", default=OMOS_ADAPTER)
    ap.add_argument("--split", default="dev")
    ap.add_argument("--index", type=Path, default=None, help="Cached OMoS index folder (default: the first found).")
    args = ap.parse_args()
    s = Settings()
    index = cached_omos_index(s, args.index)
    pool = PassagePool.from_index(index)
    embedder = load_embedder(s.provisioned_model_path("none"), query_adapter=load_query_adapter(args.adapter))
    evalset = load_omos(s.eval_data_dir, args.split, ["en", "ar", "uk"])
    indexed = set(pool.urls)
    for lang, questions in evalset.questions.items():
        qs = [q for q in questions if q.answerable and q.in_corpus and q.gold_urls & indexed]
        qv = torch.from_numpy(np.asarray(embedder.embed_queries([q.text for q in qs], lang), dtype=np.float32))
        dense = (qv @ torch.from_numpy(pool.passages).T).numpy()
        fused_half = pool.scores(qv).numpy()  # 0.5 * dense + best sentence
        sentence = fused_half - 0.5 * dense
        bm25 = np.stack([b / b.max() if b.max() > 0 else b for b in (index.lexical.scores(q.text) for q in qs)])
        gold = np.array([[u in q.gold_urls for u in pool.urls] for q in qs])
        print(f"{lang} ({len(qs)} questions): R@1/R@5")
        for wd in DENSE:
            cells = []
            for wl in LEXICAL:
                order = np.argsort(-(wd * dense + sentence + wl * bm25), axis=1, kind="stable")
                r1 = np.take_along_axis(gold, order[:, :1], 1).any(1).mean()
                r5 = np.take_along_axis(gold, order[:, :5], 1).any(1).mean()
                cells.append(f"lex {wl}: {r1:.3f}/{r5:.3f}")
            print(f"  dense {wd}: " + "  ".join(cells))


if __name__ == "__main__":
    main()
