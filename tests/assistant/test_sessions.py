"""The session stores: turns, expiry, size limits, feedback, content gaps, persistence.

Every test taking ``store`` or ``make`` runs against SQLite and against a real PostgreSQL (the
``postgres_url`` cluster), so both backends are proven to behave the same.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.sessions import AnswerRecord, SessionStore, SQLiteSessionStore, Turn
from assistant.sessions_pg import PostgresSessionStore


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def add(store: SessionStore, sid: str, question: str, aid: str, *, found: bool = True) -> None:
    store.record(sid, Turn(question, "de", aid, found, ("p1", "p2"), ("p1",)),
                 AnswerRecord(aid, sid, question, "de", found, "extractive", "v1", ("p1",)))


@pytest.fixture
def clock() -> Clock:
    return Clock()


Make = Callable[..., Any]


@pytest.fixture(params=["sqlite", "postgres"])
def make(request: pytest.FixtureRequest, tmp_path: Path, clock: Clock) -> Iterator[Make]:
    """Opens stores of one backend on one shared state (a file, or a database emptied first)."""
    opened: list[Any] = []
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
        import psycopg

        with psycopg.connect(url, autocommit=True) as db:
            db.execute("DROP TABLE IF EXISTS feedback, answers, turns, sessions")

    def open_store(**kw: Any) -> Any:
        kw.setdefault("clock", clock)
        if request.param == "postgres":
            st: Any = PostgresSessionStore(url, **kw)
        else:
            st = SQLiteSessionStore(tmp_path / "state.sqlite3", **kw)
        opened.append(st)
        return st

    yield open_store
    for st in opened:
        st.close()


@pytest.fixture
def store(make: Make) -> Any:
    return make(ttl=600, max_turns=3, max_sessions=2)


class TestSessions:
    def test_invalid_settings(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="0"):
            SQLiteSessionStore(tmp_path / "s.db", max_turns=0)

    def test_unusable_state_file_is_a_clear_error(self, tmp_path: Path) -> None:
        from lotse.errors import ConfigError

        (tmp_path / "state.sqlite3").mkdir()  # a folder where the file should be
        with pytest.raises(ConfigError, match="LOTSE_STATE_PATH"):
            SQLiteSessionStore(tmp_path / "state.sqlite3")

    def test_turns_come_back_in_order_with_their_passages(self, store: SessionStore) -> None:
        add(store, "s", "Wie melde ich mein Kind an?", "a1")
        add(store, "s", "Und was kostet das?", "a2")
        turns = store.history("s")
        assert [t.question for t in turns] == ["Wie melde ich mein Kind an?", "Und was kostet das?"]
        assert turns[0].passage_ids == ("p1", "p2") and turns[0].cited_ids == ("p1",) and turns[0].found
        assert store.history("other") == []

    def test_session_expires_after_ttl_and_starts_afresh(self, store: SessionStore, clock: Clock) -> None:
        add(store, "s", "Kita?", "a1")
        clock.now += 599
        assert len(store.history("s")) == 1
        clock.now += 601
        assert store.history("s") == []
        add(store, "s", "Hundesteuer?", "a2")  # same id after expiry: the old turn must not come back
        assert [t.question for t in store.history("s")] == ["Hundesteuer?"]

    def test_only_the_last_turns_are_kept(self, store: SessionStore) -> None:
        for i in range(5):
            add(store, "s", f"Frage {i}", f"a{i}")
        assert [t.question for t in store.history("s")] == ["Frage 2", "Frage 3", "Frage 4"]

    def test_least_recently_used_sessions_are_evicted(self, store: SessionStore, clock: Clock) -> None:
        for sid in ("s1", "s2", "s3"):
            clock.now += 1
            add(store, sid, "Kita?", f"a-{sid}")
        assert store.history("s1") == [] and store.history("s2") and store.history("s3")

    def test_purge_drops_expired_sessions_and_old_answers(self, make: Make, clock: Clock) -> None:
        store = make(ttl=60, answer_retention_days=1)
        add(store, "s", "Kita?", "a1")
        clock.now += 2 * 86400
        assert store.purge() == 2
        assert not store.add_feedback("a1", 1, None)

    def test_state_survives_a_restart(self, make: Make) -> None:
        first = make()
        add(first, "s", "Kita?", "a1")
        first.close()
        again = make()
        assert [t.answer_id for t in again.history("s")] == ["a1"]

    def test_sqlite_uses_wal(self, tmp_path: Path) -> None:
        store = SQLiteSessionStore(tmp_path / "state.sqlite3")
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


class TestFeedbackAndGaps:
    def test_feedback_needs_a_known_answer_and_a_valid_rating(self, store: SessionStore) -> None:
        add(store, "s", "Kita?", "a1")
        assert store.add_feedback("a1", 1, "gut")
        assert not store.add_feedback("nope", 1, None)
        with pytest.raises(ValueError, match="2"):
            store.add_feedback("a1", 2, None)

    def test_a_second_rating_replaces_the_first(self, store: SessionStore) -> None:
        add(store, "s", "Kita?", "a1")
        store.add_feedback("a1", 1, None)
        store.add_feedback("a1", -1, "doch falsch")
        total, items = store.feedback(limit=10, offset=0)
        assert total == 1 and items[0]["rating"] == -1 and items[0]["question"] == "Kita?"

    def test_gaps_group_unanswered_and_rated_down_questions(self, store: SessionStore) -> None:
        add(store, "s1", "Wann hat das Hallenbad geöffnet?", "a1", found=False)
        add(store, "s2", "wann hat das hallenbad geöffnet", "a2", found=False)
        add(store, "s3", "Was kostet die Kita?", "a3")
        add(store, "s3", "Wo ist die VHS?", "a4")
        store.add_feedback("a3", -1, "Beiträge fehlen")
        store.add_feedback("a4", 1, None)
        gaps = store.gaps(limit=10)
        assert [(g["asked"], g["unanswered"], g["rated_down"]) for g in gaps] == [(2, 2, 0), (1, 0, 1)]
        assert gaps[1]["comments"] == ["Beiträge fehlen"]
        assert all(g["question"] != "Wo ist die VHS?" for g in gaps)


class TestReplicas:
    """Two store instances on one state stand for two replicas of the server."""

    def test_two_replicas_share_sessions_feedback_and_gaps(self, make: Make) -> None:
        a, b = make(), make()
        add(a, "s", "Wann hat das Hallenbad geöffnet?", "a1", found=False)
        add(b, "s", "Und am Sonntag?", "a2")  # the follow-up lands on the other replica
        assert [t.answer_id for t in a.history("s")] == ["a1", "a2"]
        assert b.add_feedback("a1", -1, "fehlt")
        total, items = a.feedback(limit=10, offset=0)
        assert total == 1 and items[0]["answer_id"] == "a1"
        assert [g["question"] for g in b.gaps(limit=10)] == ["Wann hat das Hallenbad geöffnet?"]

    def test_concurrent_turns_of_one_session_keep_seq_unique_and_max_turns(self, make: Make) -> None:
        a, b = make(max_turns=5), make(max_turns=5)
        errors: list[BaseException] = []

        def write(st: Any, tag: str) -> None:
            try:
                for i in range(20):
                    add(st, "s", f"{tag} {i}", f"{tag}-{i}")
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=write, args=(st, tag)) for st, tag in ((a, "A"), (b, "B"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        turns = a.history("s")
        assert len(turns) == 5 and len({t.answer_id for t in turns}) == 5
        assert {t.answer_id for t in b.history("s")} == {t.answer_id for t in turns}


class TestPostgres:
    def test_unreachable_database_is_a_clear_error(self) -> None:
        from lotse.errors import ConfigError
        from tests.conftest import free_port

        with pytest.raises(ConfigError, match="LOTSE_DATABASE_URL"):
            PostgresSessionStore(f"postgresql://lotse:secret@127.0.0.1:{free_port()}/lotse", connect_timeout=2)

    def test_a_malformed_url_is_named_without_echoing_it(self) -> None:
        from lotse.errors import ConfigError

        with pytest.raises(ConfigError, match="LOTSE_DATABASE_URL is not a valid") as caught:
            PostgresSessionStore("host=h password=hunter2 nonsense")
        assert "hunter2" not in str(caught.value)
