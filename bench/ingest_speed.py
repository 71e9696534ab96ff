"""A full ingest of the 600 OMoS-QA Integreat pages, then the same ingest again unchanged,
then once more with a few pages edited: wall time of the real `lotse ingest` each time.

    .venv/bin/python bench/ingest_speed.py [--edit-share 0.05] [--keep DIR]

The pages (their `content` is HTML) go into a JSONL source (`html = true`), exactly as the
evaluation harness feeds them, with each page's `last_updated` as its `as_of`. A fresh data
dir (empty embedding cache) is used, so the first run embeds everything. Writes
artifacts/bench/ingest_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lotse.settings import Settings  # noqa: E402

CITIES = ("lkaugsburg", "rems-murr-kreis")


def pages(data: Path) -> list[dict]:
    out = []
    for city in CITIES:
        path = data / "omos_qa_integreat" / "integreat_pages_de" / f"{city}_de_pages.json"
        for page in json.loads(path.read_text(encoding="utf-8")):
            url = page.get("url") or f"https://integreat.example/{city}/{page['id']}"
            out.append({"url": url, "title": page.get("title") or str(page["id"]), "text": page.get("content") or "",
                        "as_of": (page.get("last_updated") or "")[:10] or None, "id": f"{city}-{page['id']}"})
    return out


def write(records: list[dict], path: Path) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def run_ingest(config: Path, data_dir: Path) -> tuple[float, dict]:
    env = {**os.environ, "LOTSE_DATA_DIR": str(data_dir)}
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lotse", "ingest", "-c", str(config)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    index = data_dir / "index"
    version = (index / "CURRENT").read_text().strip()
    report = json.loads((index / "versions" / version / "report.json").read_text())
    return seconds, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--edit-share", type=float, default=0.05, help="Share of pages edited for the third run.")
    ap.add_argument("--keep", type=Path, help="Keep the data dir here (for bench/extraction_quality.py).")
    args = ap.parse_args()
    data = Settings().eval_data_dir
    records = pages(data)
    work = Path(tempfile.mkdtemp(prefix="lotse-ingest-bench-"))
    data_dir = args.keep or work / "data"
    if data_dir.exists() and any(data_dir.iterdir()):
        sys.exit(f"{data_dir} is not empty: the first run must start from an empty embedding cache")
    corpus, config = work / "pages.jsonl", work / "sources.toml"
    write(records, corpus)
    config.write_text(f'[[source]]\nname = "integreat"\nkind = "jsonl"\npath = "{corpus}"\nhtml = true\n',
                      encoding="utf-8")
    runs = []
    for label in ("full", "unchanged", "edited"):
        if label == "edited":
            rng = random.Random(7)
            for r in rng.sample(records, max(1, int(len(records) * args.edit_share))):
                r["text"] += "<p>Dieser Absatz wurde für den Benchmark ergänzt.</p>"
            write(records, corpus)
        seconds, report = run_ingest(config, data_dir)
        src = report["sources"][0]
        runs.append({"run": label, "seconds": round(seconds, 2), "pages": len(records),
                     "documents": src["documents"], "passages": src["chunks"], "new": src["new"],
                     "updated": src["updated"], "unchanged": src["unchanged"], "failed": len(src["failed"]),
                     "embedded": report["embedded"], "from_cache": report["embeddings_from_cache"],
                     "pages_per_s": round(len(records) / seconds, 2),
                     "passages_per_s": round(src["chunks"] / seconds, 2)})
        print(json.dumps(runs[-1]), flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = {"command": " ".join([Path(sys.executable).name, *sys.argv]), "cores": os.cpu_count(),
              "runs": runs, "unchanged_speedup": round(runs[0]["seconds"] / runs[1]["seconds"], 1),
              "edited_speedup": round(runs[0]["seconds"] / runs[2]["seconds"], 1), "peak_rss_mb": round(peak_mb)}
    out = REPO / "artifacts" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest_speed.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    lines = ["| run | seconds | pages/s | passages/s | documents | passages | new | updated | unchanged | "
             "embedded | from cache |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['run']} | {r['seconds']} | {r['pages_per_s']} | {r['passages_per_s']} | {r['documents']} | "
              f"{r['passages']} | {r['new']} | {r['updated']} | {r['unchanged']} | {r['embedded']} | "
              f"{r['from_cache']} |" for r in runs]
    lines.append(f"\nUnchanged re-ingest: {result['unchanged_speedup']}x faster than the first; with "
                 f"{args.edit_share:.0%} of pages edited: {result['edited_speedup']}x. Peak RSS of an ingest: "
                 f"{result['peak_rss_mb']} MB.")
    (out / "ingest_speed.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"data dir: {data_dir}")


if __name__ == "__main__":
    main()
