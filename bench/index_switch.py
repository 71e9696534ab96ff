"""What a running server pays when a new index version is published: loading and verifying it,
then what the assistant derives from it once (the sentences a site repeats), over the scale corpus.

    .venv/bin/python bench/index_switch.py [--data-dir lotse-data/bench-scale] [--repeat 3]

The request that notices the new version waits for this (``index/live.py``); the others are
answered from the old version meanwhile. Needs the corpus of ``bench/scale_corpus.py`` (built by
``bench/search_latency.py`` on its first run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from assistant.evidence import EvidenceSelector  # noqa: E402
from bench.scale_corpus import DEFAULT_DIR  # noqa: E402
from index.store import IndexStore  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--repeat", type=int, default=3, help="Loads to time; the median is printed.")
    args = ap.parse_args()
    store = IndexStore(args.data_dir)
    loads, passes = [], []
    for _ in range(args.repeat):
        t = time.perf_counter()
        index = store.load()
        loads.append(time.perf_counter() - t)
        t = time.perf_counter()
        EvidenceSelector().prepare(index)
        passes.append(time.perf_counter() - t)
    load, scan = statistics.median(loads), statistics.median(passes)
    print(f"{len(index.chunks):,} passages, {len(index.sentence_map):,} sentences (median of {args.repeat}): "
          f"load and verify {load:.2f} s, repeated sentences {scan:.2f} s, together {load + scan:.2f} s")


if __name__ == "__main__":
    main()
