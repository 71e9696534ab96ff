"""Nothing personal reaches the state file: the scrubbing store in front of the real SQLite store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.factory import build_conversation
from assistant.scrubbing import ScrubbingStore
from assistant.sessions import AnswerRecord, SQLiteSessionStore, Turn
from lotse.settings import Settings

QUESTION = "Mein Sohn (geb. 12.05.2022) braucht einen Kita-Platz, erreichbar unter 0176 12345678 oder eva@web.de"


def test_questions_and_comments_are_stored_scrubbed(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = ScrubbingStore(SQLiteSessionStore(path))
    store.record("s1", Turn(QUESTION, "de", "a1", False), AnswerRecord("a1", "s1", QUESTION, "de", False,
                                                                     "extractive", "v1"))
    assert store.add_feedback("a1", -1, "Bitte rufen Sie mich an: +49 234 9101234, IBAN DE89370400440532013000")
    store.close()

    dump = "\n".join(sqlite3.connect(path).iterdump())
    for secret in ("12.05.2022", "0176 12345678", "eva@web.de", "9101234", "DE89370400440532013000"):
        assert secret not in dump
    assert "Kita-Platz" in dump and "[E-Mail]" in dump and "[Telefon]" in dump and "[IBAN]" in dump

    reopened = ScrubbingStore(SQLiteSessionStore(path))
    (turn,) = reopened.history("s1")
    assert turn.question.startswith("Mein Sohn (geb. [Datum])")
    (gap,) = reopened.gaps(limit=10)
    assert "eva@web.de" not in str(gap)


def test_the_product_builds_its_conversation_on_the_scrubbing_store(tmp_path: Path) -> None:
    from assistant.factory import build_assistant
    from lotse.embedding import HashingEmbedder

    s = Settings(data_dir=tmp_path)
    conversation = build_conversation(s, build_assistant(s, HashingEmbedder()))
    assert isinstance(conversation.store, ScrubbingStore)


def test_nothing_personal_reaches_postgresql(postgres_url: str) -> None:
    """The same guarantee with LOTSE_DATABASE_URL set: the product's store is the scrubbing wrapper in front
    of PostgreSQL, and a dump of the tables holds no personal detail."""
    import psycopg

    from assistant.factory import build_assistant
    from assistant.sessions_pg import PostgresSessionStore
    from lotse.embedding import HashingEmbedder

    with psycopg.connect(postgres_url, autocommit=True) as db:
        db.execute("DROP DATABASE IF EXISTS scrubbing")
        db.execute("CREATE DATABASE scrubbing")
    url = postgres_url.rsplit("/", 1)[0] + "/scrubbing"
    s = Settings(data_dir=Path("/nonexistent/never-used"), database_url=url)
    store = build_conversation(s, build_assistant(s, HashingEmbedder())).store
    assert isinstance(store, ScrubbingStore) and isinstance(store.inner.inner, PostgresSessionStore)
    store.record("s1", Turn(QUESTION, "de", "a1", False), AnswerRecord("a1", "s1", QUESTION, "de", False,
                                                                     "extractive", "v1"))
    assert store.add_feedback("a1", -1, "Bitte rufen Sie mich an: +49 234 9101234")
    store.close()
    with psycopg.connect(url) as db:
        dump = "\n".join(str(row) for table in ("sessions", "turns", "answers", "feedback")
                         for row in db.execute(f"SELECT * FROM {table}").fetchall())
    for secret in ("12.05.2022", "0176 12345678", "eva@web.de", "9101234"):
        assert secret not in dump
    assert "Kita-Platz" in dump and "[E-Mail]" in dump and "[Telefon]" in dump
