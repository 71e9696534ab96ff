"""What a conversation's memory costs: `/v1/ask` and `/v1/chat` with sessions, SQLite and PostgreSQL.

    .venv/bin/python bench/chat_latency.py [--data-dir lotse-data/bench-demo] [--stores sqlite,postgres]

The demo index (built on the first run with `lotse demo --no-serve`) is the corpus: it holds
offers that have ended, so every answer also pays the look for an ended offer, as over a city's
offers. The 380 demo questions (`evaluation/data/demo_languages*.jsonl`, 20 languages) are asked
in a fixed order, then the 28 two-turn conversations of `followups.jsonl` (their second turns are
follow-ups). Each arm runs on a fresh `lotse serve`, so every arm encodes every question (no
query-cache hits) after the same warm-up, and the arms compare question by question:

- `search`: `GET /v1/search`, the retrieval alone; it touches no store.
- `ask, no session`: `POST /v1/ask` without `session_id`: a new session, one write.
- `ask, sessions`: the questions in sessions of four turns: each turn reads the history and writes.
- `chat, sessions`: `POST /v1/chat`, the same sessions, streamed: the time to the `passages`
  event and to `done`.

Then the stores alone, in this process: `history()` and `record()` of turns in four-turn sessions.
The PostgreSQL arms use the tests' throwaway cluster (`tests/pgcluster.py`, needs `make postgres`),
which runs with fsync off; SQLite runs as served (WAL, synchronous FULL).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.scale_corpus import free_port, pct, server_env, serving  # noqa: E402

DEFAULT_DIR = REPO / "lotse-data" / "bench-demo"
TURNS = 4


def ensure_demo_index(data_dir: Path) -> None:
    if (data_dir / "index" / "CURRENT").exists():
        return
    print(f"building the demo index in {data_dir} (lotse demo --no-serve)", flush=True)
    subprocess.run([sys.executable, "-m", "lotse", "demo", "--no-serve", "--data-dir", str(data_dir),
                    "--site-port", str(free_port())], cwd=REPO, check=True)


def conversations() -> list[list[str]]:
    """Sessions of four demo questions in file order, then the two-turn follow-up conversations."""
    data = REPO / "evaluation" / "data"
    qs = [json.loads(line)["question"] for name in ("demo_languages.jsonl", "demo_languages_heldout.jsonl")
          for line in (data / name).open(encoding="utf-8") if line.strip()]
    convs = [qs[i : i + TURNS] for i in range(0, len(qs), TURNS)]
    convs += [json.loads(line)["turns"] for line in (data / "followups.jsonl").open(encoding="utf-8")
              if line.strip()]
    return convs


def warm_up() -> list[str]:
    path = REPO / "evaluation" / "data" / "general_knowledge.jsonl"
    return [json.loads(line)["question"] for line in path.open(encoding="utf-8") if line.strip()][:20]


def summary(ms: list[float]) -> dict[str, float | int]:
    return {"n": len(ms), "p50": round(statistics.median(ms), 1), "p95": round(pct(ms, 0.95), 1)}


def run_arm(base: str, arm: str, convs: list[list[str]]) -> dict[str, list[float]]:
    """Ask every conversation; the times (ms) of first turns and later turns, follow-ups apart."""
    times: dict[str, list[float]] = {"all": [], "first": [], "later": [], "follow_up": [], "to_passages": []}
    with httpx.Client(timeout=60) as client:
        for q in warm_up():
            client.post(f"{base}/v1/ask", json={"question": q}).raise_for_status()
        for conv in convs:
            sid = None
            for turn, q in enumerate(conv):
                body: dict[str, object] = {"question": q}
                if sid is not None:
                    body["session_id"] = sid
                t = time.perf_counter()
                if arm == "search":
                    client.get(f"{base}/v1/search", params={"q": q}).raise_for_status()
                    follow_up = False
                elif arm == "chat":
                    follow_up, sid = stream(client, base, body, times["to_passages"], t)
                else:
                    r = client.post(f"{base}/v1/ask", json=body)
                    r.raise_for_status()
                    follow_up = r.json()["follow_up"]
                    if arm == "ask":
                        sid = r.json()["session_id"]
                ms = (time.perf_counter() - t) * 1000
                times["all"].append(ms)
                times["first" if turn == 0 else "later"].append(ms)
                if follow_up:
                    times["follow_up"].append(ms)
    return times


def stream(client: httpx.Client, base: str, body: dict, to_passages: list[float], t: float) -> tuple[bool, str]:
    follow_up, sid, event = False, "", ""
    with client.stream("POST", f"{base}/v1/chat", json=body) as r:
        r.raise_for_status()
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "passages":
                to_passages.append((time.perf_counter() - t) * 1000)
                data = json.loads(line[6:])
                follow_up, sid = data["follow_up"], data["session_id"]
            elif event == "error":
                raise RuntimeError(f"/v1/chat sent an error event: {line}")
    return follow_up, sid


def store_alone(env: dict[str, str], turns: int = 400) -> dict[str, dict]:
    """history() and record() of the store the environment names, in this process."""
    from assistant.factory import build_store
    from assistant.sessions import AnswerRecord, Turn
    from lotse.settings import Settings

    store = build_store(Settings(_env_file=None, **_settings(env)))
    reads, writes = [], []
    for i in range(turns // TURNS):
        sid = uuid.uuid4().hex
        for _ in range(TURNS):
            aid = uuid.uuid4().hex
            t = time.perf_counter()
            store.history(sid)
            reads.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            store.record(sid, Turn(f"Frage {i}", "de", aid, True, ("p1", "p2", "p3"), ("p1",)),
                         AnswerRecord(aid, sid, f"Frage {i}", "de", True, "extractive", "v1", ("p1",)))
            writes.append((time.perf_counter() - t) * 1000)
    close = getattr(store, "close", None)
    if close:
        close()
    return {"history": summary(reads), "record": summary(writes)}


def _settings(env: dict[str, str]) -> dict[str, object]:
    keys = {"LOTSE_DATA_DIR": "data_dir", "LOTSE_STATE_PATH": "state_path", "LOTSE_DATABASE_URL": "database_url"}
    return {field: env[k] for k, field in keys.items() if k in env}


@contextmanager
def store_env(store: str, data_dir: Path, tmp: Path) -> Iterator[dict[str, str]]:
    env = server_env(data_dir)
    if store == "sqlite":
        env["LOTSE_STATE_PATH"] = str(tmp / f"state-{uuid.uuid4().hex}.sqlite3")
        yield env
        return
    from tests.pgcluster import postgres_cluster

    with postgres_cluster(free_port()) as cluster:
        env["LOTSE_DATABASE_URL"] = cluster.url
        yield env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--stores", default="sqlite,postgres")
    ap.add_argument("--out", type=Path, default=REPO / "artifacts" / "bench")
    args = ap.parse_args()
    ensure_demo_index(args.data_dir)
    convs = conversations()
    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        arms = [("search", None)] + [(a, s) for s in args.stores.split(",") for a in ("ask-new", "ask", "chat")]
        for arm, store in arms:
            ctx = store_env(store, args.data_dir, Path(tmp)) if store else nullcontext(server_env(args.data_dir))
            with ctx as env, serving(env) as (base, _pid, _ready):
                # "ask-new" sends no session_id: every question starts a session of its own.
                times = run_arm(base, arm, convs)
                name = arm if store is None else f"{arm} ({store})"
                report[name] = {k: summary(v) for k, v in times.items() if v}
                print(name, json.dumps(report[name]), flush=True)
                if store and arm == "ask":
                    report[f"store alone ({store})"] = store_alone(env)
                    print(f"store alone ({store})", json.dumps(report[f"store alone ({store})"]), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "chat_latency.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"wrote {args.out / 'chat_latency.json'}")


if __name__ == "__main__":
    main()
