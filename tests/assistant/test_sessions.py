"""The SQLite session store: turns, expiry, size limits, feedback, content gaps, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.sessions import AnswerRecord, SQLiteSessionStore, Turn


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def add(store: SQLiteSessionStore, sid: str, question: str, aid: str, *, found: bool = True) -> None:
    store.record(sid, Turn(question, "de", aid, found, ("p1", "p2"), ("p1",)),
                 AnswerRecord(aid, sid, question, "de", found, "extractive", "v1", ("p1",)))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> SQLiteSessionStore:
    return SQLiteSessionStore(tmp_path / "state.sqlite3", ttl=600, max_turns=3, max_sessions=2, clock=clock)


class TestSessions:
    def test_invalid_settings(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="0"):
            SQLiteSessionStore(tmp_path / "s.db", max_turns=0)

    def test_unusable_state_file_is_a_clear_error(self, tmp_path: Path) -> None:
        from lotse.errors import ConfigError

        (tmp_path / "state.sqlite3").mkdir()  # a folder where the file should be
        with pytest.raises(ConfigError, match="LOTSE_STATE_PATH"):
            SQLiteSessionStore(tmp_path / "state.sqlite3")

    def test_turns_come_back_in_order_with_their_passages(self, store: SQLiteSessionStore) -> None:
        add(store, "s", "Wie melde ich mein Kind an?", "a1")
        add(store, "s", "Und was kostet das?", "a2")
        turns = store.history("s")
        assert [t.question for t in turns] == ["Wie melde ich mein Kind an?", "Und was kostet das?"]
        assert turns[0].passage_ids == ("p1", "p2") and turns[0].cited_ids == ("p1",) and turns[0].found
        assert store.history("other") == []

    def test_session_expires_after_ttl_and_starts_afresh(self, store: SQLiteSessionStore, clock: Clock) -> None:
        add(store, "s", "Kita?", "a1")
        clock.now += 599
        assert len(store.history("s")) == 1
        clock.now += 601
        assert store.history("s") == []
        add(store, "s", "Hundesteuer?", "a2")  # same id after expiry: the old turn must not come back
        assert [t.question for t in store.history("s")] == ["Hundesteuer?"]

    def test_only_the_last_turns_are_kept(self, store: SQLiteSessionStore) -> None:
        for i in range(5):
            add(store, "s", f"Frage {i}", f"a{i}")
        assert [t.question for t in store.history("s")] == ["Frage 2", "Frage 3", "Frage 4"]

    def test_least_recently_used_sessions_are_evicted(self, store: SQLiteSessionStore, clock: Clock) -> None:
        for sid in ("s1", "s2", "s3"):
            clock.now += 1
            add(store, sid, "Kita?", f"a-{sid}")
        assert store.history("s1") == [] and store.history("s2") and store.history("s3")

    def test_purge_drops_expired_sessions_and_old_answers(self, tmp_path: Path, clock: Clock) -> None:
        store = SQLiteSessionStore(tmp_path / "s.db", ttl=60, answer_retention_days=1, clock=clock)
        add(store, "s", "Kita?", "a1")
        clock.now += 2 * 86400
        assert store.purge() == 2
        assert not store.add_feedback("a1", 1, None)

    def test_state_survives_a_restart(self, tmp_path: Path, clock: Clock) -> None:
        path = tmp_path / "state.sqlite3"
        first = SQLiteSessionStore(path, clock=clock)
        add(first, "s", "Kita?", "a1")
        first.close()
        again = SQLiteSessionStore(path, clock=clock)
        assert [t.answer_id for t in again.history("s")] == ["a1"]
        assert again._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


class TestFeedbackAndGaps:
    def test_feedback_needs_a_known_answer_and_a_valid_rating(self, store: SQLiteSessionStore) -> None:
        add(store, "s", "Kita?", "a1")
        assert store.add_feedback("a1", 1, "gut")
        assert not store.add_feedback("nope", 1, None)
        with pytest.raises(ValueError, match="2"):
            store.add_feedback("a1", 2, None)

    def test_a_second_rating_replaces_the_first(self, store: SQLiteSessionStore) -> None:
        add(store, "s", "Kita?", "a1")
        store.add_feedback("a1", 1, None)
        store.add_feedback("a1", -1, "doch falsch")
        total, items = store.feedback(limit=10, offset=0)
        assert total == 1 and items[0]["rating"] == -1 and items[0]["question"] == "Kita?"

    def test_gaps_group_unanswered_and_rated_down_questions(self, store: SQLiteSessionStore) -> None:
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
