"""Latency of a real server over >= 10,000 passages, one client, warm caches.

    .venv/bin/python bench/search_latency.py [--queries 300] [--chunk-tokens 96]

Corpus: the German OMoS-QA Integreat pages, the German XQuAD paragraphs and the MLQA de
contexts (all public, found under LOTSE_EVAL_DATA_DIR), ingested through the normal pipeline
with a small chunk size so the index holds at least 10,000 passages. Queries: OMoS-QA dev
questions in de/en/ar/uk and XQuAD questions in several languages, each asked once after a
warm-up round of different questions (the query-vector cache would otherwise make repeats free).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lotse.settings import Settings  # noqa: E402


def corpus(data: Path, out: Path) -> int:
    n = 0
    with out.open("w", encoding="utf-8") as f:
        for city in sorted((data / "omos_qa_integreat" / "integreat_pages_de").glob("*.json")):
            for page in json.loads(city.read_text(encoding="utf-8")):
                text = page.get("content") or ""
                if text.strip():
                    url = page.get("url") or f"https://integreat.example/{city.stem}/{page['id']}"
                    f.write(json.dumps({"url": url, "title": page.get("title") or str(page["id"]), "text": text},
                                       ensure_ascii=False) + "\n")
                    n += 1
    return n


def plain_corpus(data: Path, out: Path) -> int:
    n = 0
    with out.open("w", encoding="utf-8") as f:
        xq = json.loads((data / "xquad" / "xquad.de.json").read_text(encoding="utf-8"))
        for a, art in enumerate(xq["data"]):
            for p, para in enumerate(art["paragraphs"]):
                f.write(json.dumps({"url": f"https://xquad.example/{a}/{p}", "title": art["title"],
                                    "text": para["context"]}, ensure_ascii=False) + "\n")
                n += 1
        seen = set()
        for line in (data / "mlqa_de_dev" / "mlqa_dev_context-de_question-de.jsonl").open(encoding="utf-8"):
            rec = json.loads(line)
            if rec["context"] in seen:
                continue
            seen.add(rec["context"])
            f.write(json.dumps({"url": f"https://mlqa.example/{len(seen)}", "title": "MLQA",
                                "text": rec["context"]}, ensure_ascii=False) + "\n")
            n += 1
    return n


def questions(data: Path) -> list[str]:
    qs = []
    for lang in ("de", "en", "ar", "uk"):
        for line in (data / "omos_qa_integreat" / "splits" / f"dev_{lang}.jsonl").open(encoding="utf-8"):
            qs.append(json.loads(line)["question"])
    for lang in ("de", "en", "tr", "ru", "es", "ar"):
        xq = json.loads((data / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
        qs += [qa["question"] for art in xq["data"] for p in art["paragraphs"] for qa in p["qas"]][:100]
    return qs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--chunk-tokens", type=int, default=96)
    ap.add_argument("--data-dir", type=Path, default=REPO / "lotse-data" / "bench-latency")
    ap.add_argument("--out", type=Path, default=REPO / "artifacts" / "bench")
    args = ap.parse_args()
    settings = Settings()
    data = settings.eval_data_dir
    if not data.is_dir():
        sys.exit(f"Evaluation data not found at {data}; set LOTSE_EVAL_DATA_DIR.")
    args.data_dir.mkdir(parents=True, exist_ok=True)
    html_jsonl, plain_jsonl = args.data_dir / "pages.jsonl", args.data_dir / "plain.jsonl"
    corpus(data, html_jsonl)
    plain_corpus(data, plain_jsonl)
    cfg = args.data_dir / "sources.toml"
    cfg.write_text('[[source]]\nname = "omos"\nkind = "jsonl"\npath = "pages.jsonl"\nhtml = true\n\n'
                   '[[source]]\nname = "wiki"\nkind = "jsonl"\npath = "plain.jsonl"\n', encoding="utf-8")
    env = {**os.environ, "LOTSE_DATA_DIR": str(args.data_dir), "LOTSE_CHUNK_MAX_TOKENS": str(args.chunk_tokens)}
    t0 = time.monotonic()
    subprocess.run([sys.executable, "-m", "lotse", "ingest", "--config", str(cfg)], env=env, cwd=REPO, check=True)
    ingest_s = time.monotonic() - t0

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "lotse", "serve", "--port", str(port)], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                r = httpx.get(f"{base}/ready", timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        passages = r.json()["passages"]
        qs = questions(data)
        random.Random(7).shuffle(qs)
        warm, measured = qs[:30], qs[30 : 30 + args.queries]
        with httpx.Client(timeout=60) as client:
            for q in warm:
                client.get(f"{base}/v1/search", params={"q": q, "k": 10})
            search_ms, ask_ms = [], []
            for q in measured:
                t = time.perf_counter()
                client.get(f"{base}/v1/search", params={"q": q, "k": 10}).raise_for_status()
                search_ms.append((time.perf_counter() - t) * 1000)
            for q in measured[: args.queries // 3]:
                t = time.perf_counter()
                client.post(f"{base}/v1/ask", json={"question": q + " "}).raise_for_status()  # new text: no cache
                ask_ms.append((time.perf_counter() - t) * 1000)
        status = Path(f"/proc/{server.pid}/status").read_text()
        peak_mb = int(next(ln for ln in status.splitlines() if ln.startswith("VmHWM")).split()[1]) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)

    result = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "passages": passages,
        "ingest_seconds": round(ingest_s, 1),
        "queries": len(search_ms),
        "search_ms": {"p50": round(statistics.median(search_ms), 1), "p95": round(pct(search_ms, 0.95), 1),
                      "p99": round(pct(search_ms, 0.99), 1), "mean": round(statistics.mean(search_ms), 1)},
        "ask_ms": {"p50": round(statistics.median(ask_ms), 1), "p95": round(pct(ask_ms, 0.95), 1),
                   "n": len(ask_ms)},
        "server_peak_rss_mb": round(peak_mb),
        "cpu_count": os.cpu_count(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "search_latency.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
