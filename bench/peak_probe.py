"""Does a peaked evidence tell an answerable question from one the documents only touch?

    .venv/bin/lotse demo --no-serve                              # the demo index in $LOTSE_DATA_DIR
    .venv/bin/lotse eval omos --split dev --systems ours         # the cached OMoS-QA index
    .venv/bin/python bench/peak_probe.py [--data-dir lotse-data]

The abstention test compares the best evidence sentence with a background of other city services
(assistant/abstain.py): it tells a question about the documents' topics from one about something else,
not a question the documents answer from one they only touch (OMoS-QA dev unanswerable items, 91 %
answered; `evaluation/data/offer_asks.jsonl`). A question the page answers might stand out in one
sentence, and one it does not might be about equally close to all of them. This measures, as served
(top five passages, the question's own encoding), the area under the ROC curve of signals of that, for
answerable against unanswerable: OMoS-QA dev (answerable / unanswerable items whose page is indexed)
and the demo (its answerable dev and held-out questions / offer_asks). 0.5 is chance. A probe only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from typed_abstention import demo_sets, judged, omos_sets  # noqa: E402

from assistant.factory import build_assistant  # noqa: E402
from lotse.settings import Settings  # noqa: E402

SIGNALS = {
    "evidence": "the best sentence's cosine (served, with the floor)",
    "margin": "evidence − the best background sentence (served)",
    "gap2": "the best sentence − the second best, over the top five passages",
    "gap5": "the best sentence − the fifth best",
    "peak_top": "the best sentence − the mean of the first passage's sentences",
    "peak_pool": "the best sentence − the median of the top five passages' sentences",
    "over_passage": "the best sentence − the first passage's own vector",
}


def auc(pos: list[float], neg: list[float]) -> float:
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (p.size * n.size))


def signals(assistant, rows: list[tuple[str, str]]) -> list[dict]:  # type: ignore[no-untyped-def]
    index = assistant.index.get()
    out = []
    for group, question in rows:
        if (seen := judged(assistant, index, question)) is None:
            continue
        _, _, hits, _, decision = seen
        per = [np.asarray(index.sentence_vectors[a:b] @ hits.query_vector)
               for a, b in (index.chunk_sentences[ci] for ci in hits.ids[:5]) if b > a]
        if not per:
            continue
        pool = np.sort(np.concatenate(per))[::-1]
        first = float((index.dense.vectors(np.array(hits.ids[:1])) @ hits.query_vector)[0])
        out.append({"group": group, "found": decision.found, "evidence": decision.evidence,
                    "margin": decision.margin, "gap2": float(pool[0] - pool[min(1, pool.size - 1)]),
                    "gap5": float(pool[0] - pool[min(4, pool.size - 1)]),
                    "peak_top": float(per[0].max() - per[0].mean()),
                    "peak_pool": float(pool[0] - np.median(pool)), "over_passage": float(pool[0] - first)})
    return out


def report(name: str, rows: list[dict], positive: Callable[[str], bool], negative: Callable[[str], bool]) -> None:
    for only_answered in (False, True):
        kept = [r for r in rows if r["found"] or not only_answered]
        pos = [r for r in kept if positive(r["group"])]
        neg = [r for r in kept if negative(r["group"])]
        label = "answered as served" if only_answered else "all"
        cells = " | ".join(f"{auc([r[s] for r in pos], [r[s] for r in neg]):.3f}" for s in SIGNALS)
        print(f"| {name}, {label} ({len(pos)} / {len(neg)}) | {cells} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None, help="The demo's data dir (default: LOTSE_DATA_DIR).")
    args = ap.parse_args()
    s = Settings() if args.data_dir is None else Settings(data_dir=args.data_dir)
    demo = build_assistant(s)
    demo_rows = signals(demo, demo_sets())
    from index.live import LiveIndex
    from index.store import IndexStore

    folder = next(iter(sorted((Settings().data_dir / "eval").glob("omos-*"))), None)
    if folder is None:
        sys.exit("No cached OMoS index under $LOTSE_DATA_DIR/eval: run `lotse eval omos --split dev` first.")
    omos = build_assistant(Settings())
    omos.index = LiveIndex(IndexStore(folder))
    omos_rows = signals(omos, omos_sets(Settings().eval_data_dir))
    print("\n".join(f"- {name}: {text}" for name, text in SIGNALS.items()))
    print("\n| AUC, answerable against unanswerable (n / n) | " + " | ".join(SIGNALS) + " |")
    print("|---|" + "---:|" * len(SIGNALS))
    report("OMoS-QA dev", omos_rows, lambda g: g == "omos dev answerable", lambda g: g == "omos dev unanswerable")
    report("demo", demo_rows, lambda g: g.startswith("demo") and g.endswith(" answerable"),
           lambda g: g.startswith("offer_asks"))


if __name__ == "__main__":
    main()
