"""A corpus of more than 10,000 passages for the latency and load benchmarks, and the server they run.

    .venv/bin/python bench/scale_corpus.py [--data-dir lotse-data/bench-scale]

What a city portal for newcomers grows into: the same municipal pages in several languages
(Integreat publishes every page in many; OMoS-QA has them in de, en, ar and uk), plus general
reference text (the XQuAD paragraphs in all 12 languages and the MLQA de contexts). Everything
comes from the public evaluation data (LOTSE_EVAL_DATA_DIR) and goes through the normal
`lotse ingest` with the product's default chunk size, so the index is the kind the server
really loads: passage vectors, sentence vectors and the lexical index. A second run is an
incremental re-ingest and takes seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / "lotse-data" / "bench-scale"
OMOS_LANGUAGES = ("de", "en", "ar", "uk")
XQUAD_LANGUAGES = ("de", "en", "ar", "tr", "ru", "es", "el", "hi", "vi", "th", "zh", "ro")


def _write(path: Path, records: Iterator[dict]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n


def _omos_pages(data: Path) -> Iterator[dict]:
    """Each distinct page text of every OMoS-QA split, per language (plain text, one line per sentence)."""
    for lang in OMOS_LANGUAGES:
        seen: set[str] = set()
        for split in ("train", "dev", "test"):
            for line in (data / "omos_qa_integreat" / "splits" / f"{split}_{lang}.jsonl").open(encoding="utf-8"):
                item = json.loads(line)
                if item["context"] in seen:
                    continue
                seen.add(item["context"])
                yield {"url": f"https://integreat.example/{item['city']}/{lang}/{item['pageId']}-{len(seen)}",
                       "title": item["context"].split("\n", 1)[0][:120], "text": item["context"]}


def _reference(data: Path) -> Iterator[dict]:
    for lang in XQUAD_LANGUAGES:
        xq = json.loads((data / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
        for a, art in enumerate(xq["data"]):
            for p, para in enumerate(art["paragraphs"]):
                yield {"url": f"https://xquad.example/{lang}/{a}/{p}", "title": art["title"], "text": para["context"]}
    seen: set[str] = set()
    for line in (data / "mlqa_de_dev" / "mlqa_dev_context-de_question-de.jsonl").open(encoding="utf-8"):
        ctx = json.loads(line)["context"]
        if ctx not in seen:
            seen.add(ctx)
            yield {"url": f"https://mlqa.example/de/{len(seen)}", "title": "MLQA", "text": ctx}


def build(eval_data: Path, data_dir: Path = DEFAULT_DIR) -> dict[str, str]:
    """Write the sources, ingest them into ``data_dir`` and return the server's environment."""
    if not eval_data.is_dir():
        sys.exit(f"Evaluation data not found at {eval_data}; set LOTSE_EVAL_DATA_DIR.")
    data_dir.mkdir(parents=True, exist_ok=True)
    pages = _write(data_dir / "pages.jsonl", _omos_pages(eval_data))
    reference = _write(data_dir / "reference.jsonl", _reference(eval_data))
    cfg = data_dir / "sources.toml"
    cfg.write_text('[[source]]\nname = "portal"\nkind = "jsonl"\npath = "pages.jsonl"\n\n'
                   '[[source]]\nname = "reference"\nkind = "jsonl"\npath = "reference.jsonl"\n', encoding="utf-8")
    env = server_env(data_dir)
    print(f"{pages} portal pages, {reference} reference paragraphs -> {data_dir}", flush=True)
    subprocess.run([sys.executable, "-m", "lotse", "ingest", "--config", str(cfg)], env=env, cwd=REPO, check=True)
    return env


def server_env(data_dir: Path) -> dict[str, str]:
    # All load comes from one address, so the per-client rate limit is off; every other limit is production's.
    return {**os.environ, "LOTSE_DATA_DIR": str(data_dir), "LOTSE_RATE_LIMIT_PER_MINUTE": "0",
            "LOTSE_STATE_PATH": str(data_dir / "bench-state.sqlite3")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


@contextmanager
def serving(env: dict[str, str], *args: str) -> Iterator[tuple[str, int, dict]]:
    """A real `lotse serve` on a free port: yields its base URL, its pid and its /ready answer."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "lotse", "serve", "--port", str(port), *args], env=env,
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                sys.exit(f"lotse serve exited with code {server.returncode} before it was ready")
            try:
                ready = httpx.get(f"{base}/ready", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.exit("lotse serve was not ready within 300 s")
            time.sleep(0.5)
        yield base, server.pid, ready.json()
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    args = ap.parse_args()
    sys.path.insert(0, str(REPO))
    from lotse.settings import Settings

    build(Settings().eval_data_dir, args.data_dir)


if __name__ == "__main__":
    main()
