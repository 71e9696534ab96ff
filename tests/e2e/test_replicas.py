"""Two `lotse serve` replicas sharing one PostgreSQL database (LOTSE_DATABASE_URL): a conversation and
its feedback move between them as they would behind a load balancer."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ADMIN_TOKEN, LOTSE, REPO, _serve, free_port
from tests.e2e.test_conversation import ask

pytestmark = pytest.mark.integration

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="module")
def replicas(demo_data_dir: Path, model_path: str, postgres_url: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as db:  # its own database: the store tests drop tables
        db.execute("DROP DATABASE IF EXISTS replicas")
        db.execute("CREATE DATABASE replicas")
    url = postgres_url.rsplit("/", 1)[0] + "/replicas"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env |= {"LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_DATABASE_URL": url, "LOTSE_ADMIN_TOKEN": ADMIN_TOKEN,
            "LOTSE_RATE_LIMIT_PER_MINUTE": "0"}
    dirs = []
    for name in ("replica-a", "replica-b"):  # each replica has its own data dir with the published index
        d = tmp_path_factory.mktemp(name)
        shutil.copytree(demo_data_dir / "index", d / "index")
        dirs.append(d)
    a_gen, b_gen = _serve(dirs[0], env), _serve(dirs[1], env)
    a = next(a_gen)
    try:
        b = next(b_gen)
        try:
            yield a, b
        finally:
            b_gen.close()
    finally:
        a_gen.close()
    for d in dirs:
        assert not (d / "state.sqlite3").exists(), "a replica fell back to SQLite"


def test_a_conversation_continues_on_the_other_replica(replicas: tuple[str, str]) -> None:
    a, b = replicas
    first = ask(a, "Wie melde ich mein Kind für einen Kita-Platz an?", session_id="replica-conv")
    follow = ask(b, "Und was kostet das?", session_id="replica-conv", top_k=3)
    assert follow["session_id"] == first["session_id"] == "replica-conv"
    assert follow["follow_up"] is True
    assert "kita-anmeldung" in follow["passages"][0]["source"]["url"] and "kostenlos" in follow["answer"]["text"]
    alone = ask(b, "Und was kostet das?", top_k=3)  # without the session it is not a follow-up
    assert alone["follow_up"] is False


def test_feedback_on_one_replica_reaches_the_editors_on_the_other(replicas: tuple[str, str]) -> None:
    a, b = replicas
    miss = ask(a, "Wann hat das Hallenbad am Sonntag geöffnet?", session_id="replica-fb")
    hit = ask(a, "Was plant Bochum für die Kita-Betreuung?", session_id="replica-fb")
    r = httpx.post(f"{b}/v1/feedback", json={"answer_id": hit["answer_id"], "rating": -1,
                                             "comment": "Zu allgemein"}, timeout=30)
    assert r.status_code == 201, r.text
    fb = httpx.get(f"{a}/v1/admin/feedback", headers=AUTH, timeout=30).json()
    assert fb["feedback"][0]["answer_id"] == hit["answer_id"] and fb["feedback"][0]["rating"] == -1
    gaps = {g["question"]: g for g in httpx.get(f"{b}/v1/admin/gaps", headers=AUTH, timeout=30).json()["gaps"]}
    assert miss["found"] is False and gaps["Wann hat das Hallenbad am Sonntag geöffnet?"]["unanswered"] >= 1
    assert "Zu allgemein" in gaps["Was plant Bochum für die Kita-Betreuung?"]["comments"]


def test_an_unreachable_database_stops_serve_with_a_message(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env["LOTSE_DATABASE_URL"] = f"postgresql://lotse:secret-pw@127.0.0.1:{free_port()}/lotse"
    proc = subprocess.run([*LOTSE, "serve", "--data-dir", str(tmp_path), "--port", str(free_port())], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "LOTSE_DATABASE_URL" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout
    assert "secret-pw" not in proc.stderr + proc.stdout
