"""`lotse chat` driven through its stdin, as an agent's terminal would: locally and against a server."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from assistant.sessions import SQLiteSessionStore
from tests.conftest import LOTSE, REPO

pytestmark = pytest.mark.integration


def chat(args: list[str], stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LOTSE, "chat", *args], input=stdin, env={**os.environ, **env}, cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_local_chat_keeps_the_session_shows_sources_and_takes_feedback(demo_data_dir: Path, model_path: str,
                                                                       tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite3"
    proc = chat(["--data-dir", str(demo_data_dir), "--session", "agent-1", "-k", "3"],
                "Wie melde ich mein Kind für einen Kita-Platz an?\n\nUnd was kostet das?\n/bad Beiträge fehlen\n/quit\n"
                "never asked\n",
                {"LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_STATE_PATH": str(state)})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = proc.stdout
    assert "kostenlos" in out
    assert "[1] Kita-Platz vormerken" in out and "kita-anmeldung-kita-portal.html" in out
    assert "feedback stored" in proc.stderr
    store = SQLiteSessionStore(state)
    turns = store.history("agent-1")
    assert [t.question for t in turns] == ["Wie melde ich mein Kind für einen Kita-Platz an?", "Und was kostet das?"]
    total, items = store.feedback(limit=5, offset=0)
    assert total == 1 and items[0]["answer_id"] == turns[-1].answer_id and items[0]["comment"] == "Beiträge fehlen"


def test_chat_against_a_running_server(server: str) -> None:
    proc = chat(["--url", server], "ماذا تخطط مدينة بوخوم لرعاية الأطفال في الحضانات؟\n/new\n/good\n", {})
    assert proc.returncode == 0, proc.stderr
    assert "\u200fهذا ما تقوله" in proc.stdout  # the Arabic frame, right-to-left marked
    # The Kita section's deep link, on one line however narrow the terminal.
    assert "Talentschmiede-im-Ruhrgebiet#richtungsweisende-fruehkindliche-bildung" in proc.stdout
    assert "Nothing to rate yet" in proc.stderr  # /new forgot the last answer


def test_unreachable_server_is_a_clean_error() -> None:
    from tests.conftest import free_port

    proc = chat(["--url", f"http://127.0.0.1:{free_port()}"], "Kita?\n", {})
    assert proc.returncode == 0
    assert "did not answer" in proc.stderr and "Traceback" not in proc.stderr
