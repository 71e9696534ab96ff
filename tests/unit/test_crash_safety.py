"""A process killed mid-ingest leaves the published index untouched (a real process, a real kill)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from index.store import IndexStore
from tests.conftest import LOTSE, REPO


def sources(tmp_path: Path, n: int) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    records = tmp_path / "records.jsonl"
    with records.open("w", encoding="utf-8") as f:
        for i in range(n):
            text = f"Kurs {i}: Die Volkshochschule bietet im Stadtteil {i % 30} einen Deutschkurs an. " * 4
            f.write(json.dumps({"url": f"https://x.test/{i}", "title": f"Kurs {i}", "text": text}) + "\n")
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[source]]\nname = "t"\nkind = "jsonl"\npath = "records.jsonl"\n', encoding="utf-8")
    return cfg


def ingest(cfg: Path, data: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LOTSE_EMBEDDING_MODEL": "hashing", "LOTSE_DATA_DIR": str(data),
           "LOTSE_MAX_DOCUMENT_LOSS": "1"}
    return subprocess.Popen([*LOTSE, "ingest", "--config", str(cfg)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("moment", ["while reading", "while writing the version"])
def test_killed_ingest_leaves_published_version_untouched(tmp_path: Path, moment: str) -> None:
    data = tmp_path / "data"
    small = sources(tmp_path / "a", 20)
    first = ingest(small, data)
    assert first.wait(timeout=120) == 0, first.stderr.read() if first.stderr else ""
    store = IndexStore(data)
    published = store.current()
    assert published is not None

    big = sources(tmp_path / "b", 6000)
    proc = ingest(big, data)
    deadline = time.monotonic() + 120
    if moment == "while reading":
        time.sleep(1.0)
    else:  # wait until the new version's folder is being written
        while not list(store.versions_dir.glob(".tmp-*")) and time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail("ingest finished before it could be killed; make the corpus larger")
            time.sleep(0.01)
    assert proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert store.current() == published
    idx = store.load()  # verifies every checksum
    assert len(idx.chunks) == 20
    assert [m["version"] for m in store.versions()] == [published]
