"""The session store failing (a damaged or read-only state file) costs memory, never answers."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from assistant.factory import build_assistant, build_conversation
from index.store import IndexStore
from ingest.pipeline import IngestPipeline
from ingest.sources import JsonlSource
from lotse.embedding import HashingEmbedder
from lotse.errors import StoreUnavailableError
from lotse.settings import Settings


@pytest.fixture
def conversation(tmp_path: Path):  # type: ignore[no-untyped-def]
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps({"url": "https://example.org/kita", "title": "Kita",
                                   "text": "Die Kita-Anmeldung erfolgt online im Kita-Portal der Stadt."}) + "\n",
                       encoding="utf-8")
    embedder = HashingEmbedder()
    IngestPipeline(embedder, IndexStore(tmp_path), user_agent="t").run(
        [JsonlSource(name="r", kind="jsonl", path=records)])
    s = Settings(data_dir=tmp_path, store_retry_seconds=0)  # the cooldown has its own test below
    return build_conversation(s, build_assistant(s, embedder))


def backend(conversation) -> sqlite3.Connection:  # type: ignore[no-untyped-def]
    return conversation.store.inner.inner._db  # ScrubbingStore -> GuardedStore -> SQLiteSessionStore


def test_a_read_only_store_still_answers_and_says_so(conversation) -> None:  # type: ignore[no-untyped-def]
    first = conversation.ask("Wie melde ich mein Kind in der Kita an?", session_id="s1")
    backend(conversation).execute("PRAGMA query_only = ON")  # every write now fails, as on a full disk
    second = conversation.ask("Wie melde ich mein Kind in der Kita an?", session_id="s1")
    assert second.passages and second.answer_id != first.answer_id
    assert conversation.store_problem and "cannot store the turn" in conversation.store_problem
    with pytest.raises(StoreUnavailableError, match="store feedback"):
        conversation.store.add_feedback(first.answer_id, 1, None)
    backend(conversation).execute("PRAGMA query_only = OFF")
    conversation.ask("Und die Kosten?", session_id="s1")
    assert conversation.store_problem is None  # a write worked again


def test_an_unreadable_store_answers_without_memory(conversation) -> None:  # type: ignore[no-untyped-def]
    conversation.ask("Wie melde ich mein Kind in der Kita an?", session_id="s2")
    backend(conversation).close()  # the connection is gone: every read and write fails
    result = conversation.ask("Und für Kinder unter drei?", session_id="s2")
    assert result.passages and not result.follow_up  # answered, as a first turn
    assert "cannot store the turn" in str(conversation.store_problem)  # the read failed first, then the write


def test_a_failed_store_is_left_alone_for_the_cooldown(tmp_path: Path) -> None:
    from assistant.sessions import SQLiteSessionStore
    from assistant.storeguard import GuardedStore

    now = [100.0]
    calls = []
    inner = SQLiteSessionStore(tmp_path / "s.sqlite3")
    store = GuardedStore(inner, cooldown=5, clock=lambda: now[0])
    real_history = inner.history

    def counting_history(session_id: str):  # type: ignore[no-untyped-def]
        calls.append(session_id)
        return real_history(session_id)

    inner.history = counting_history  # type: ignore[method-assign]
    inner._db.close()  # every call now fails
    with pytest.raises(StoreUnavailableError, match="ProgrammingError"):
        store.history("a")
    inner._db = sqlite3.connect(tmp_path / "s.sqlite3", check_same_thread=False)  # the store is back …
    now[0] += 4
    with pytest.raises(StoreUnavailableError, match="tried again in 1 s"):
        store.history("a")  # … but within the cooldown nobody asks it
    assert calls == ["a"]
    now[0] += 2
    assert store.history("a") == [] and calls == ["a", "a"]
    assert store.history("b") == []  # one success closed the breaker
