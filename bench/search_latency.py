"""Latency of a real server over >= 10,000 passages, one client, warm caches.

    .venv/bin/python bench/search_latency.py [--queries 300]

Corpus: `bench/scale_corpus.py` (12,600 passages from the public evaluation data, built on
the first run with the product's default chunk size). Queries: OMoS-QA dev questions in
de/en/ar/uk and XQuAD questions in several languages, each asked once after a warm-up round of
different questions (the query-vector cache would otherwise make repeats free). `/v1/ask` is
asked 100 further questions plus the 84 out-of-domain ones of `evaluation/data/`, reported in all
and split into answered and refused: a refusal looks once more with ended offers included.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale_corpus import DEFAULT_DIR, build, pct, serving  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def questions(data: Path) -> list[str]:
    qs = []
    for lang in ("de", "en", "ar", "uk"):
        for line in (data / "omos_qa_integreat" / "splits" / f"dev_{lang}.jsonl").open(encoding="utf-8"):
            qs.append(json.loads(line)["question"])
    for lang in ("de", "en", "tr", "ru", "es", "ar"):
        xq = json.loads((data / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
        qs += [qa["question"] for art in xq["data"] for p in art["paragraphs"] for qa in p["qas"]][:100]
    return qs


def _summary(ms: list[float]) -> dict[str, float | int | None]:
    if not ms:
        return {"n": 0, "p50": None, "p95": None}
    return {"n": len(ms), "p50": round(statistics.median(ms), 1), "p95": round(pct(ms, 0.95), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--out", type=Path, default=REPO / "artifacts" / "bench")
    args = ap.parse_args()
    data = Settings().eval_data_dir
    t0 = time.monotonic()
    env = build(data, args.data_dir)
    ingest_s = time.monotonic() - t0
    with serving(env) as (base, pid, ready):
        qs = questions(data)
        random.Random(7).shuffle(qs)
        # The query cache makes a repeated text free: /v1/ask gets questions /v1/search never saw.
        warm, measured = qs[:30], qs[30 : 30 + args.queries]
        asked = qs[30 + args.queries : 30 + args.queries + args.queries // 3]
        # Questions the corpus does not answer, so that refusals have a sample of their own.
        asked += [json.loads(line)["question"] for name in ("out_of_domain.jsonl", "out_of_domain_heldout.jsonl")
                  for line in (REPO / "evaluation" / "data" / name).read_text(encoding="utf-8").splitlines()]
        random.Random(8).shuffle(asked)
        with httpx.Client(timeout=60) as client:
            for q in warm:
                client.get(f"{base}/v1/search", params={"q": q, "k": 10})
            search_ms, answered_ms, refused_ms = [], [], []
            for q in measured:
                t = time.perf_counter()
                client.get(f"{base}/v1/search", params={"q": q, "k": 10}).raise_for_status()
                search_ms.append((time.perf_counter() - t) * 1000)
            for q in asked:
                t = time.perf_counter()
                r = client.post(f"{base}/v1/ask", json={"question": q})
                ms = (time.perf_counter() - t) * 1000
                r.raise_for_status()
                # A refusal retrieves the question once more, with ended offers included
                # (``Assistant._ended``), so it is reported on its own as well.
                (answered_ms if r.json()["found"] else refused_ms).append(ms)
        status = Path(f"/proc/{pid}/status").read_text()
        peak_mb = int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM")).split()[1]) / 1024

    result = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "passages": ready["passages"],
        "ingest_seconds": round(ingest_s, 1),
        "queries": len(search_ms),
        "search_ms": {"p50": round(statistics.median(search_ms), 1), "p95": round(pct(search_ms, 0.95), 1),
                      "p99": round(pct(search_ms, 0.99), 1), "mean": round(statistics.mean(search_ms), 1)},
        "ask_ms": _summary(answered_ms + refused_ms),
        "ask_answered_ms": _summary(answered_ms),
        "ask_refused_ms": _summary(refused_ms),
        "server_peak_rss_mb": round(peak_mb),
        "cpu_count": os.cpu_count(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "search_latency.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
