"""Shared fixtures: the real embedding model, the demo site over real HTTP, a real server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from lotse.settings import Settings
from lotse.sitesrv import serve_directory
from tests.fakellm import FakeLLM, serve_fake_llm
from tests.pgcluster import running_cluster

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
    """`lotse serve` (uvicorn) on a free loopback port, answering from the demo index. Extractive answers,
    admin switched off (no token)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    yield from _serve(demo_data_dir, {**env, "LOTSE_EMBEDDING_MODEL": model_path})


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (tests/pgcluster.py) for the whole run; fails, never skips, without
    the server binaries: `make test` installs them."""
    for cluster in running_cluster(free_port()):
        yield cluster.url


@pytest.fixture(scope="session")
def fake_llm() -> Iterator[FakeLLM]:
    """A real OpenAI-compatible server on loopback (tests/fakellm.py); tests switch its ``mode``."""
    with serve_fake_llm() as fake:
        yield fake


ADMIN_TOKEN = "test-admin-token-7f3a"


@pytest.fixture(scope="session")
def full_server(demo_data_dir: Path, model_path: str, fake_llm: FakeLLM,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server with everything switched on: admin token, a sources file to reindex (the demo site,
    served for the session), and generative answers from ``fake_llm``. Its own copy of the demo data dir,
    so a reindex does not change what the other tests see."""
    data = tmp_path_factory.mktemp("full-data")
    shutil.copytree(demo_data_dir / "index", data / "index")
    if (demo_data_dir / "cache").exists():
        shutil.copytree(demo_data_dir / "cache", data / "cache")
    with serve_directory(REPO / "demo" / "site") as base:
        sources = data / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "demo-site"\nkind = "web"\nstart_urls = ["{base}/index.html"]\n'
            f'allow = ["{base}/"]\nmax_pages = 50\nrequests_per_second = 50\n', encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
        env.update({
            "LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_ADMIN_TOKEN": ADMIN_TOKEN,
            "LOTSE_SOURCES_FILE": str(sources), "LOTSE_GENERATIVE_BASE_URL": fake_llm.url,
            "LOTSE_GENERATIVE_MODEL": "fake-tiny", "LOTSE_GENERATIVE_API_KEY": "sk-test",
            "LOTSE_GENERATIVE_TIMEOUT": "2",
            # The demo site is served on a new port each run, so every page URL changes on reindex.
            "LOTSE_MAX_DOCUMENT_LOSS": "1.0",
            "LOTSE_REFERRAL_OFFICE": "Bildungsberatung der Stadt Bochum",
            "LOTSE_REFERRAL_URL": "https://example.org/kontakt",
        })
        yield from _serve(data, env)


@contextmanager
def running_server(data_dir: Path, env: dict[str, str], *args: str,
                   timeout: float = 120) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """A real `lotse serve` on a free port (extra CLI ``args``, e.g. ``--workers 2``), ready when
    entered; its base URL and process. Stopped on exit."""
    # The suites send hundreds of requests from one address; tests/e2e/test_protection.py runs its own
    # server with the limits on.
    env = {"LOTSE_RATE_LIMIT_PER_MINUTE": "0", **env}
    port = free_port()
    # The log goes to a file: a pipe nobody reads fills up under many requests and blocks the server.
    log_path = data_dir / f"server-{port}.log"
    log = log_path.open("w", encoding="utf-8")
    proc = subprocess.Popen([*LOTSE, "serve", "--data-dir", str(data_dir), "--port", str(port), *args],
                            env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"server exited: {log_path.read_text(encoding='utf-8')}")
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not become ready within {timeout:.0f} s")
            time.sleep(0.3)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _serve(data_dir: Path, env: dict[str, str]) -> Iterator[str]:
    with running_server(data_dir, env) as (base, _proc):
        yield base
