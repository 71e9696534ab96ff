"""Several worker processes behind one port answer from one index version and switch together."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from lotse.sitesrv import serve_directory
from tests.conftest import LOTSE, REPO, running_server

pytestmark = pytest.mark.integration


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_two_workers_serve_one_version_and_switch_to_a_new_one(
        demo_data_dir: Path, model_path: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(demo_data_dir / "index", data / "index")
    shutil.copytree(demo_data_dir / "cache", data / "cache")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env.update({"LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_RATE_LIMIT_PER_MINUTE": "0",
                "LOTSE_MAX_DOCUMENT_LOSS": "1.0"})
    with running_server(data, env, "--workers", "2", timeout=180) as (base, proc):
        assert len(children(proc.pid)) >= 2  # the supervisor's worker processes
        first = {httpx.get(f"{base}/ready", timeout=10).json()["index_version"] for _ in range(20)}
        assert len(first) == 1
        body = httpx.post(f"{base}/v1/ask", json={"question": "Was plant Bochum für die Kita-Betreuung?"},
                          timeout=60).json()
        assert body["found"] and body["passages"]

        # Publish a new version while the workers run: every worker switches to it.
        with serve_directory(REPO / "demo" / "site") as site:
            sources = tmp_path / "sources.toml"
            sources.write_text(f'[[source]]\nname = "demo-site"\nkind = "web"\nstart_urls = ["{site}/index.html"]\n'
                               f'allow = ["{site}/"]\nmax_pages = 50\nrequests_per_second = 50\n', encoding="utf-8")
            subprocess.run([*LOTSE, "ingest", "--config", str(sources), "--data-dir", str(data)], env=env, cwd=REPO,
                           check=True, capture_output=True, timeout=600)
        new = (data / "index" / "CURRENT").read_text().strip()
        assert new not in first
        deadline = time.monotonic() + 30
        while True:
            seen = [httpx.get(f"{base}/ready", timeout=10).json()["index_version"] for _ in range(20)]
            if set(seen) == {new}:
                break
            assert time.monotonic() < deadline, seen
            time.sleep(1)
