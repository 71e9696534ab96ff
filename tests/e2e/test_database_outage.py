"""PostgreSQL going down while `lotse serve` runs: answers go on without memory, feedback and the
admin queue say 503 with what to do, /ready names the problem, and all of it recovers when the
database is back. Uses its own cluster, so stopping it touches no other test."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, _serve, free_port
from tests.e2e.test_conversation import ask
from tests.pgcluster import Cluster, running_cluster

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    yield from running_cluster(free_port())


@pytest.fixture(scope="module")
def served(cluster: Cluster, demo_data_dir: Path, model_path: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env |= {"LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_DATABASE_URL": cluster.url, "LOTSE_ADMIN_TOKEN": ADMIN_TOKEN}
    d = tmp_path_factory.mktemp("pg-outage")
    shutil.copytree(demo_data_dir / "index", d / "index")
    gen = _serve(d, env)
    try:
        yield next(gen), d
    finally:
        gen.close()


def test_answers_survive_the_database_going_down_and_memory_returns_with_it(
        cluster: Cluster, served: tuple[str, Path]) -> None:
    base, data_dir = served
    first = ask(base, "Wie melde ich mein Kind für einen Kita-Platz an?", session_id="outage")
    assert httpx.get(f"{base}/ready", timeout=10).json()["store_problem"] is None

    cluster.stop()
    try:
        during = ask(base, "Wie melde ich mein Kind für einen Kita-Platz an?", session_id="outage")
        assert during["passages"] and during["found"]  # answered from the index, without memory
        ready = httpx.get(f"{base}/ready", timeout=10)
        problem = ready.json()["store_problem"]
        # The history read met the outage; the write after it was not even tried (the breaker was open),
        # so the question did not wait for the connection pool twice.
        assert ready.status_code == 200 and "conversation store" in problem and "tried again in" in problem
        fb = httpx.post(f"{base}/v1/feedback", json={"answer_id": first["answer_id"], "rating": 1}, timeout=30)
        assert fb.status_code == 503, fb.text
        assert "database" in fb.json()["message"] and "Traceback" not in fb.text
        gaps = httpx.get(f"{base}/v1/admin/gaps", headers=AUTH, timeout=30)
        assert gaps.status_code == 503, gaps.text
    finally:
        cluster.start()

    deadline = time.monotonic() + 60  # the pool reconnects in the background
    while True:
        r = httpx.post(f"{base}/v1/feedback", json={"answer_id": first["answer_id"], "rating": 1}, timeout=30)
        if r.status_code == 201 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert r.status_code == 201, r.text
    again = ask(base, "Wie melde ich mein Kind für einen Kita-Platz an?", session_id="outage-2")
    follow = ask(base, "Und was kostet das?", session_id="outage-2")
    assert follow["follow_up"] is True and again["answer_id"] != follow["answer_id"]
    assert httpx.get(f"{base}/ready", timeout=10).json()["store_problem"] is None
    assert not (data_dir / "state.sqlite3").exists(), "the server fell back to SQLite"
