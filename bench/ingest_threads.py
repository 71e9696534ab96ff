"""How much slower a re-index inside the server embeds than `lotse ingest`: passages per second with
one torch thread (the server's limit, ``LOTSE_SERVE_THREADS``) and with every core (`lotse ingest`).

    .venv/bin/python bench/ingest_threads.py [--passages 400] [--rounds 2]

The passages are the first ones of the scale corpus (``bench/scale_corpus.py``), embedded in the
ingest's batches by the configured embedder. Embedding is nearly all of an ingest's time beyond
the crawl, so the ratio says how much longer `POST /v1/admin/reindex` takes than the same
`lotse ingest`. The two arms alternate, ``--rounds`` times each, so drift hits both alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale_corpus import DEFAULT_DIR  # noqa: E402
from index.store import IndexStore  # noqa: E402
from lotse.embedding import configured_embedder  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--passages", type=int, default=400)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    import torch

    texts = [c.text for c in IndexStore(args.data_dir).load().chunks[: args.passages]]
    embedder = configured_embedder(Settings())
    embedder.embed_passages(texts[:8])  # load and warm
    cores = os.cpu_count() or 1
    rates: dict[int, list[float]] = {1: [], cores: []}
    for _ in range(args.rounds):
        for threads in rates:
            torch.set_num_threads(threads)
            t = time.perf_counter()
            embedder.embed_passages(texts)
            rates[threads].append(len(texts) / (time.perf_counter() - t))
    one, every = statistics.median(rates[1]), statistics.median(rates[cores])
    print(f"{len(texts)} passages, median of {args.rounds}: 1 thread {one:.1f} passages/s, "
          f"{cores} threads {every:.1f} passages/s; one thread takes {every / one:.2f}x as long")


if __name__ == "__main__":
    main()
