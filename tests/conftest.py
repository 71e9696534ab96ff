"""Shared fixtures: the real embedding model, the demo site over real HTTP, a real server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lotse.settings import Settings
from lotse.sitesrv import serve_directory

REPO = Path(__file__).resolve().parent.parent
LOTSE = [sys.executable, "-m", "lotse"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def model_path() -> str:
    path = Settings().model_path()
    if not Path(path).exists():
        pytest.fail(f"No embedding model at {path}: run `make test` (it runs `lotse model build`) first.")
    return path


@pytest.fixture(scope="session")
def embedder(model_path: str):  # type: ignore[no-untyped-def]
    from lotse.embedding import load_embedder

    return load_embedder(model_path)


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory: pytest.TempPathFactory, model_path: str) -> Path:
    """The demo corpus crawled from a real local HTTP server by the real `lotse ingest`."""
    data = tmp_path_factory.mktemp("demo-data")
    with serve_directory(REPO / "demo" / "site") as base:
        sources = data / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "demo-site"\nkind = "web"\nstart_urls = ["{base}/index.html"]\n'
            f'allow = ["{base}/"]\nmax_pages = 50\nrequests_per_second = 50\n',
            encoding="utf-8",
        )
        env = {**os.environ, "LOTSE_DATA_DIR": str(data), "LOTSE_EMBEDDING_MODEL": model_path}
        proc = subprocess.run([*LOTSE, "ingest", "--config", str(sources)], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return data


@pytest.fixture(scope="session")
def server(demo_data_dir: Path, model_path: str) -> Iterator[str]:
    """`lotse serve` (uvicorn) on a free loopback port, answering from the demo index."""
    port = free_port()
    env = {**os.environ, "LOTSE_EMBEDDING_MODEL": model_path}
    proc = subprocess.Popen([*LOTSE, "serve", "--data-dir", str(demo_data_dir), "--port", str(port)],
                            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {proc.stdout.read() if proc.stdout else ''}")
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not become ready within 120 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
