"""Load on a real server: /v1/search and /v1/ask at several concurrency levels, then an optional soak.

    .venv/bin/python bench/load_test.py [--levels 1,8,32] [--seconds 30] [--soak-minutes 10]

Corpus: `bench/scale_corpus.py` (12,600 passages; built on the first run). One `lotse serve`
process with the production limits except the per-client rate limit (all load comes from one
address): at most LOTSE_MAX_INFLIGHT (8) questions run at once, more wait LOTSE_QUEUE_TIMEOUT
(10 s) and are then answered 429, which is counted, as are timeouts and connection errors.
Questions: OMoS-QA questions in de/en/ar/uk and XQuAD questions in 12 languages, each text
asked once (the query cache would otherwise make repeats free; when all were asked, they come
again with a number appended). The soak runs /v1/ask at concurrency 8 and samples the server's
memory (RSS) every second. Writes artifacts/bench/load_test.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale_corpus import DEFAULT_DIR, XQUAD_LANGUAGES, build, pct, serving  # noqa: E402
from lotse.settings import Settings  # noqa: E402


def questions(data: Path) -> Iterator[str]:
    qs: list[str] = []
    for split in ("dev", "test", "train"):
        for lang in ("de", "en", "ar", "uk"):
            path = data / "omos_qa_integreat" / "splits" / f"{split}_{lang}.jsonl"
            qs += [json.loads(line)["question"] for line in path.open(encoding="utf-8") if line.strip()]
    for lang in XQUAD_LANGUAGES:
        xq = json.loads((data / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
        qs += [qa["question"] for art in xq["data"] for p in art["paragraphs"] for qa in p["qas"]]
    qs = list(dict.fromkeys(qs))
    random.Random(11).shuffle(qs)
    yield from qs
    for n in itertools.count(2):
        yield from (f"{q} ({n})" for q in qs)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def level(base: str, endpoint: str, concurrency: int, seconds: float, pool: Iterator[str]) -> dict:
    latencies: list[float] = []
    codes: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds

    async def worker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            q = next(pool)
            t = time.perf_counter()
            try:
                if endpoint == "search":
                    r = await client.get(f"{base}/v1/search", params={"q": q, "k": 5})
                else:
                    r = await client.post(f"{base}/v1/ask", json={"question": q})
                codes[str(r.status_code)] += 1
                if r.status_code == 200:
                    latencies.append((time.perf_counter() - t) * 1000)
            except httpx.TimeoutException:
                codes["timeout"] += 1
            except httpx.HTTPError as exc:
                codes[type(exc).__name__] += 1

    t0 = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    elapsed = time.perf_counter() - t0
    ok = len(latencies)
    return {"endpoint": endpoint, "concurrency": concurrency, "seconds": round(elapsed, 1),
            "requests": sum(codes.values()), "ok": ok, "throughput_rps": round(ok / elapsed, 2),
            "p50_ms": round(pct(latencies, 0.5)) if ok else None, "p95_ms": round(pct(latencies, 0.95)) if ok else None,
            "p99_ms": round(pct(latencies, 0.99)) if ok else None, "codes": dict(codes)}


async def soak(base: str, pid: int, minutes: float, pool: Iterator[str]) -> dict:
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()

    async def sampler() -> None:
        t0 = time.perf_counter()
        while not stop.is_set():
            samples.append((time.perf_counter() - t0, rss_mb(pid)))
            await asyncio.sleep(1)

    task = asyncio.create_task(sampler())
    result = await level(base, "ask", 8, minutes * 60, pool)
    stop.set()
    await task
    first = [m for t, m in samples if t < 60]
    last = [m for t, m in samples if t > samples[-1][0] - 60]
    result.update({"rss_first_minute_mb": round(sum(first) / len(first)), "rss_last_minute_mb":
                   round(sum(last) / len(last)), "rss_peak_mb": round(max(m for _, m in samples))})
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--levels", default="1,8,32")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--soak-minutes", type=float, default=0)
    args = ap.parse_args()
    data = Settings().eval_data_dir
    env = build(data, args.data_dir)
    pool = questions(data)
    with serving(env) as (base, pid, ready):
        passages = ready["passages"]
        for q in itertools.islice(pool, 10):  # warm-up
            httpx.get(f"{base}/v1/search", params={"q": q}, timeout=60)
        rows = []
        for endpoint in ("search", "ask"):
            for c in (int(x) for x in args.levels.split(",")):
                rows.append(asyncio.run(level(base, endpoint, c, args.seconds, pool)))
                print(json.dumps(rows[-1]), flush=True)
        soak_row = asyncio.run(soak(base, pid, args.soak_minutes, pool)) if args.soak_minutes else None
        if soak_row:
            print(json.dumps(soak_row), flush=True)
        peak = rss_mb(pid)
    result = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "passages": passages,
              "cores": os.cpu_count(), "levels": rows, "soak": soak_row, "server_rss_end_mb": round(peak)}
    out = REPO / "artifacts" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "load_test.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    md = ["| endpoint | concurrency | requests | ok | req/s | p50 ms | p95 ms | p99 ms | other outcomes |",
          "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        other = ", ".join(f"{k}: {v}" for k, v in r["codes"].items() if k != "200") or "none"
        md.append(f"| {r['endpoint']} | {r['concurrency']} | {r['requests']} | {r['ok']} | {r['throughput_rps']} | "
                  f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {other} |")
    if soak_row:
        md.append(f"\nSoak, /v1/ask at concurrency 8 for {args.soak_minutes:g} min: {soak_row['ok']} answers, "
                  f"p95 {soak_row['p95_ms']} ms, other outcomes {soak_row['codes']}; server RSS first minute "
                  f"{soak_row['rss_first_minute_mb']} MB, last minute {soak_row['rss_last_minute_mb']} MB, peak "
                  f"{soak_row['rss_peak_mb']} MB.")
    md.append(f"\n{passages} passages; {os.cpu_count()} cores.")
    (out / "load_test.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))


if __name__ == "__main__":
    main()
