"""Conversation state, feedback and the editors' queue of content gaps.

``SessionStore`` is the contract (a ``Protocol``); ``SQLiteSessionStore`` keeps everything in one
SQLite file in the data dir (stdlib ``sqlite3``, WAL), enough for one server process. A
PostgreSQL store for several replicas implements the same few methods.

Three kinds of records, with different lifetimes:

- ``sessions`` / ``turns``: what a conversation needs to understand a follow-up. A session
  expires ``ttl`` seconds after its last turn; it keeps its last ``max_turns`` turns; at most
  ``max_sessions`` sessions are kept (the least recently used go first).
- ``answers``: every answer given, by ``answer_id``, so feedback can name it and editors can
  see what went unanswered. Kept ``answer_retention_days`` (the questions are personal data).
- ``feedback``: one rating (+1/-1) and an optional comment per answer; a second one replaces it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from lotse.errors import ConfigError

__all__ = ["AnswerRecord", "SQLiteSessionStore", "SessionStore", "Turn"]


@dataclass(frozen=True, slots=True)
class Turn:
    """One question and what was answered, as far as a follow-up needs to know."""

    question: str
    language: str
    answer_id: str
    found: bool
    passage_ids: tuple[str, ...] = ()
    cited_ids: tuple[str, ...] = ()
    at: float = field(default_factory=time.time)


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    answer_id: str
    session_id: str
    question: str
    language: str
    found: bool
    mode: str  # extractive | generative
    index_version: str
    cited_ids: tuple[str, ...] = ()
    at: float = field(default_factory=time.time)


class SessionStore(Protocol):
    def history(self, session_id: str) -> list[Turn]:
        """The session's turns, oldest first; ``[]`` for an unknown or expired session."""
        ...

    def record(self, session_id: str, turn: Turn, answer: AnswerRecord) -> None:
        """Append a turn to the session (creating it) and keep the answer for feedback."""
        ...

    def add_feedback(self, answer_id: str, rating: int, comment: str | None) -> bool:
        """Store a rating of an answer; ``False`` when no such answer is known."""
        ...

    def feedback(self, *, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        """(total, newest first) feedback with the question it rates."""
        ...

    def gaps(self, *, limit: int) -> list[dict[str, Any]]:
        """Questions the documents did not answer, or whose answers were rated down, most asked first."""
        ...

    def purge(self) -> int:
        """Drop expired sessions and answers past retention; returns how many records went."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions(last_seen);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    question TEXT NOT NULL,
    language TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    found INTEGER NOT NULL,
    passage_ids TEXT NOT NULL,
    cited_ids TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    question TEXT NOT NULL,
    norm TEXT NOT NULL,
    language TEXT NOT NULL,
    found INTEGER NOT NULL,
    mode TEXT NOT NULL,
    index_version TEXT NOT NULL,
    cited_ids TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_at ON answers(at);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT PRIMARY KEY REFERENCES answers(answer_id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT,
    at REAL NOT NULL
);
"""


def feedback_items(rows: list[Any]) -> list[dict[str, Any]]:
    """Feedback rows (the columns both stores select, in that order) as the admin API shows them."""
    keys = ("answer_id", "rating", "comment", "at", "question", "language", "found", "mode", "index_version")
    items = [dict(zip(keys, r, strict=True)) for r in rows]
    for it in items:
        it["found"] = bool(it["found"])
        it["at"] = _iso(it["at"])
    return items


def _norm(question: str) -> str:
    """Group the same question asked twice: case and surrounding punctuation do not matter."""
    return " ".join(question.casefold().split()).strip(" ?!.؟")


class SQLiteSessionStore:
    """One SQLite file; one connection behind a lock (requests run in a thread pool)."""

    def __init__(self, path: Path | str, *, ttl: float = 3600, max_turns: int = 20, max_sessions: int = 10000,
                 answer_retention_days: float = 90, clock: Any = time.time) -> None:
        if ttl <= 0 or max_turns < 1 or max_sessions < 1:
            raise ValueError(f"ttl, max_turns and max_sessions must be positive, got {ttl}, {max_turns}, "
                             f"{max_sessions}")
        self.path = str(path)
        if self.path != ":memory:":
            try:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"Cannot create the folder of {self.path} ({exc}). Point LOTSE_STATE_PATH "
                                  "(or LOTSE_DATA_DIR) at a writable place.") from exc
        self.ttl = ttl
        self.max_turns = max_turns
        self.max_sessions = max_sessions
        self.retention = answer_retention_days * 86400
        self.clock = clock
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise ConfigError(f"Cannot open the conversation state file {self.path} ({exc}). Point LOTSE_STATE_PATH "
                              "(or LOTSE_DATA_DIR) at a writable place.") from exc
        self._writes = 0

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- sessions ------------------------------------------------------------------
    def history(self, session_id: str) -> list[Turn]:
        with self._lock:
            row = self._db.execute("SELECT last_seen FROM sessions WHERE id = ?", (session_id,)).fetchone()
            if row is None or row[0] < self.clock() - self.ttl:
                return []
            rows = self._db.execute(
                "SELECT question, language, answer_id, found, passage_ids, cited_ids, at FROM turns "
                "WHERE session_id = ? ORDER BY seq", (session_id,)).fetchall()
        return [Turn(q, lang, aid, bool(f), tuple(json.loads(p)), tuple(json.loads(c)), at)
                for q, lang, aid, f, p, c, at in rows]

    def record(self, session_id: str, turn: Turn, answer: AnswerRecord) -> None:
        now = self.clock()  # the store's clock stamps turns and answers: expiry and retention use it too
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT last_seen FROM sessions WHERE id = ?", (session_id,)).fetchone()
                if row is not None and row[0] < now - self.ttl:
                    # An expired session starts afresh under the same id: old turns must not leak in.
                    db.execute("DELETE FROM turns WHERE session_id = ?", (session_id,))
                db.execute("INSERT INTO sessions(id, created, last_seen) VALUES (?, ?, ?) "
                           "ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen",
                           (session_id, now, now))
                seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE session_id = ?",
                                 (session_id,)).fetchone()[0]
                db.execute("INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (session_id, seq, turn.question, turn.language, turn.answer_id, int(turn.found),
                            json.dumps(list(turn.passage_ids)), json.dumps(list(turn.cited_ids)), now))
                db.execute("DELETE FROM turns WHERE session_id = ? AND seq <= ?", (session_id, seq - self.max_turns))
                db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (answer.answer_id, answer.session_id, answer.question, _norm(answer.question),
                            answer.language, int(answer.found), answer.mode, answer.index_version,
                            json.dumps(list(answer.cited_ids)), now))
                self._evict(now)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            self._writes += 1
        if self._writes % 100 == 0:  # expiry is enforced on read; the sweep only reclaims space
            self.purge()

    def _evict(self, now: float) -> None:
        count = self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        if count > self.max_sessions:
            self._db.execute("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY last_seen "
                             "LIMIT ?)", (count - self.max_sessions,))

    def purge(self) -> int:
        now = self.clock()
        with self._lock:
            s = self._db.execute("DELETE FROM sessions WHERE last_seen < ?", (now - self.ttl,)).rowcount
            a = self._db.execute("DELETE FROM answers WHERE at < ?", (now - self.retention,)).rowcount
        return int(s) + int(a)

    # ---- feedback and content gaps ---------------------------------------------------
    def add_feedback(self, answer_id: str, rating: int, comment: str | None) -> bool:
        if rating not in (-1, 1):
            raise ValueError(f"rating must be 1 or -1, got {rating!r}")
        with self._lock:
            known = self._db.execute("SELECT 1 FROM answers WHERE answer_id = ?", (answer_id,)).fetchone()
            if known is None:
                return False
            self._db.execute("INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?)",
                             (answer_id, rating, comment, self.clock()))
        return True

    def feedback(self, *, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        with self._lock:
            total = self._db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
            rows = self._db.execute(
                "SELECT f.answer_id, f.rating, f.comment, f.at, a.question, a.language, a.found, a.mode, "
                "a.index_version FROM feedback f JOIN answers a USING (answer_id) "
                "ORDER BY f.at DESC, f.answer_id LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return int(total), feedback_items(rows)

    def gaps(self, *, limit: int = 50) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                """
                SELECT a.norm, MIN(a.question), MAX(a.language), COUNT(*) AS asked,
                       SUM(CASE WHEN a.found = 0 THEN 1 ELSE 0 END) AS unanswered,
                       SUM(CASE WHEN f.rating = -1 THEN 1 ELSE 0 END) AS rated_down,
                       MAX(a.at), GROUP_CONCAT(f.comment, ' | ')
                FROM answers a LEFT JOIN feedback f USING (answer_id)
                GROUP BY a.norm
                HAVING unanswered > 0 OR rated_down > 0
                ORDER BY unanswered + rated_down DESC, MAX(a.at) DESC
                LIMIT ?
                """, (limit,)).fetchall()
        return [{"question": q, "language": lang, "asked": int(asked), "unanswered": int(un),
                 "rated_down": int(down), "last_asked": _iso(last),
                 "comments": comments.split(" | ") if comments else []}
                for _, q, lang, asked, un, down, last, comments in rows]


def _iso(ts: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")
