"""What passing the kind asked costs a retrieval: ``HybridRetriever.run`` with and without ``asks``.

    .venv/bin/python bench/asks_cap_timing.py [--rounds 3]     # needs `lotse eval omos` once (the cached index)

The German OMoS-QA dev questions that ask for a kind of answer (``assistant.asks``), over the cached OMoS-QA
index (1,730 passages from long pages); query vectors are cached by a first pass, so the rounds time the
ranking and the per-page cap alone. Without ``asks``, with it (the first round reads passages, later ones
find them remembered), without, with.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.asks import asked_for  # noqa: E402
from assistant.factory import build_retriever  # noqa: E402
from bench.fusion_sweep import cached_omos_index  # noqa: E402
from evaluation.datasets import load_omos  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    s = Settings()
    index = cached_omos_index(s, None)
    retriever = build_retriever(s, configured_embedder(s))
    questions = [q.text for q in load_omos(s.eval_data_dir, "dev", ["de"]).questions["de"]]
    typed = [(q, kind) for q in questions if (kind := asked_for(q))]
    for q, _ in typed:
        retriever.run(index, q, language="de", k=5)
    print(f"{len(typed)} of {len(questions)} German dev questions ask for a kind")
    for with_kind in (False, True, False, True):
        start = time.perf_counter()
        for _ in range(args.rounds):
            for q, kind in typed:
                retriever.run(index, q, language="de", k=5, asks=kind if with_kind else None)
        ms = (time.perf_counter() - start) / (args.rounds * len(typed)) * 1000
        print(f"{'with' if with_kind else 'without'} the kind: {ms:.2f} ms a retrieval")


if __name__ == "__main__":
    main()
