"""The ``SessionStore`` in PostgreSQL, so several replicas share sessions, feedback and content gaps.

Same tables, same semantics as ``SQLiteSessionStore`` (assistant/sessions.py); the tests in
tests/assistant/test_sessions.py run against both. A ``psycopg_pool.ConnectionPool`` serves the
request threads. Where SQLite takes ``BEGIN IMMEDIATE``, a turn here takes a transaction-scoped
advisory lock on its session id, so two replicas appending to one session never clash on ``seq``
and never keep more than ``max_turns`` turns. (The upsert of the session row would already make the
second writer wait; the lock makes that explicit and also covers the expiry check that precedes it.)
"""

from __future__ import annotations

import json
import time
from typing import Any

from assistant.sessions import AnswerRecord, Turn, _iso, _norm, feedback_items
from lotse.errors import ConfigError

__all__ = ["PostgresSessionStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created DOUBLE PRECISION NOT NULL,
    last_seen DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_last_seen ON sessions(last_seen);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    question TEXT NOT NULL,
    language TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    found BOOLEAN NOT NULL,
    passage_ids TEXT NOT NULL,
    cited_ids TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    question TEXT NOT NULL,
    norm TEXT NOT NULL,
    language TEXT NOT NULL,
    found BOOLEAN NOT NULL,
    mode TEXT NOT NULL,
    index_version TEXT NOT NULL,
    cited_ids TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_at ON answers(at);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT PRIMARY KEY REFERENCES answers(answer_id) ON DELETE CASCADE,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT,
    at DOUBLE PRECISION NOT NULL
);
"""
_SCHEMA_LOCK = 7_420_001  # serialises CREATE TABLE IF NOT EXISTS when replicas start together


def _error(url: str, exc: Exception) -> ConfigError:
    where = _where(url)
    cause = " ".join(str(exc).split()) or type(exc).__name__
    return ConfigError(f"Cannot use the PostgreSQL database at {where} ({cause}). Check LOTSE_DATABASE_URL "
                       "(e.g. postgresql://lotse@127.0.0.1:5432/lotse) and that the server is running.")


def _where(url: str) -> str:
    """host:port/dbname of a URL or key=value conninfo, never its password."""
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(url)  # checked valid before
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


class PostgresSessionStore:
    """Sessions, feedback and gaps in one PostgreSQL database, shared by every replica that names it."""

    def __init__(self, url: str, *, ttl: float = 3600, max_turns: int = 20, max_sessions: int = 10000,
                 answer_retention_days: float = 90, clock: Any = time.time, pool_size: int = 10,
                 connect_timeout: float = 10, checkout_timeout: float = 3) -> None:
        if ttl <= 0 or max_turns < 1 or max_sessions < 1:
            raise ValueError(f"ttl, max_turns and max_sessions must be positive, got {ttl}, {max_turns}, "
                             f"{max_sessions}")
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url = url
        self.ttl = ttl
        self.max_turns = max_turns
        self.max_sessions = max_sessions
        self.retention = answer_retention_days * 86400
        self.clock = clock
        from psycopg.conninfo import conninfo_to_dict

        try:
            conninfo_to_dict(url)
        except psycopg.Error:  # its message would quote the string, password and all
            raise ConfigError("LOTSE_DATABASE_URL is not a valid PostgreSQL connection string; write it as "
                              "postgresql://USER[:PASSWORD]@HOST:PORT/DATABASE.") from None
        try:
            # One direct connection first: its error names the cause; the pool would only retry and time out.
            psycopg.connect(url, connect_timeout=max(1, int(connect_timeout))).close()
            # A request waits for a free connection at most checkout_timeout: when the database is down
            # the pool cannot make one, and the request should go on without memory, not hang. Each
            # connection is checked as it is handed out, so one left broken by a database restart is
            # replaced instead of failing the request that gets it.
            self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=False, timeout=checkout_timeout,
                                        check=ConnectionPool.check_connection,
                                        kwargs={"connect_timeout": max(1, int(connect_timeout))})
            self._pool.open(wait=True, timeout=connect_timeout)
            with self._pool.connection() as db, db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                for stmt in filter(str.strip, _SCHEMA.split(";")):
                    db.execute(stmt)
        except Exception as exc:  # psycopg.Error, PoolTimeout, a malformed URL …
            pool = getattr(self, "_pool", None)
            if pool is not None:
                pool.close()
            raise _error(url, exc) from exc
        self._writes = 0

    def close(self) -> None:
        self._pool.close()

    def _conn(self) -> Any:
        return self._pool.connection()

    # ---- sessions ------------------------------------------------------------------
    def history(self, session_id: str) -> list[Turn]:
        with self._conn() as db:
            row = db.execute("SELECT last_seen FROM sessions WHERE id = %s", (session_id,)).fetchone()
            if row is None or row[0] < self.clock() - self.ttl:
                return []
            rows = db.execute(
                "SELECT question, language, answer_id, found, passage_ids, cited_ids, at FROM turns "
                "WHERE session_id = %s ORDER BY seq", (session_id,)).fetchall()
        return [Turn(q, lang, aid, bool(f), tuple(json.loads(p)), tuple(json.loads(c)), at)
                for q, lang, aid, f, p, c, at in rows]

    def record(self, session_id: str, turn: Turn, answer: AnswerRecord) -> None:
        now = self.clock()
        with self._conn() as db, db.transaction():
            # One writer per session at a time, across replicas; released at commit.
            db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (session_id,))
            row = db.execute("SELECT last_seen FROM sessions WHERE id = %s", (session_id,)).fetchone()
            if row is not None and row[0] < now - self.ttl:
                db.execute("DELETE FROM turns WHERE session_id = %s", (session_id,))
            db.execute("INSERT INTO sessions(id, created, last_seen) VALUES (%s, %s, %s) "
                       "ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen",
                       (session_id, now, now))
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE session_id = %s",
                             (session_id,)).fetchone()[0]
            db.execute("INSERT INTO turns VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                       (session_id, seq, turn.question, turn.language, turn.answer_id, turn.found,
                        json.dumps(list(turn.passage_ids)), json.dumps(list(turn.cited_ids)), now))
            db.execute("DELETE FROM turns WHERE session_id = %s AND seq <= %s", (session_id, seq - self.max_turns))
            db.execute("INSERT INTO answers VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                       "ON CONFLICT (answer_id) DO UPDATE SET session_id = EXCLUDED.session_id, "
                       "question = EXCLUDED.question, norm = EXCLUDED.norm, language = EXCLUDED.language, "
                       "found = EXCLUDED.found, mode = EXCLUDED.mode, index_version = EXCLUDED.index_version, "
                       "cited_ids = EXCLUDED.cited_ids, at = EXCLUDED.at",
                       (answer.answer_id, answer.session_id, answer.question, _norm(answer.question),
                        answer.language, answer.found, answer.mode, answer.index_version,
                        json.dumps(list(answer.cited_ids)), now))
            self._evict(db)
        self._writes += 1
        if self._writes % 100 == 0:
            self.purge()

    def _evict(self, db: Any) -> None:
        count = db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        if count > self.max_sessions:
            # SKIP LOCKED: two replicas evicting at once do not wait on each other's rows.
            db.execute("DELETE FROM sessions WHERE id IN (SELECT id FROM sessions ORDER BY last_seen, id "
                       "LIMIT %s FOR UPDATE SKIP LOCKED)", (count - self.max_sessions,))

    def purge(self) -> int:
        now = self.clock()
        with self._conn() as db, db.transaction():
            s = db.execute("DELETE FROM sessions WHERE last_seen < %s", (now - self.ttl,)).rowcount
            a = db.execute("DELETE FROM answers WHERE at < %s", (now - self.retention,)).rowcount
        return int(s) + int(a)

    # ---- feedback and content gaps ---------------------------------------------------
    def add_feedback(self, answer_id: str, rating: int, comment: str | None) -> bool:
        if rating not in (-1, 1):
            raise ValueError(f"rating must be 1 or -1, got {rating!r}")
        with self._conn() as db, db.transaction():
            # Inserting only when the answer exists, in one statement: no race with purge.
            cur = db.execute(
                "INSERT INTO feedback(answer_id, rating, comment, at) "
                "SELECT answer_id, %s, %s, %s FROM answers WHERE answer_id = %s "
                "ON CONFLICT (answer_id) DO UPDATE SET rating = EXCLUDED.rating, comment = EXCLUDED.comment, "
                "at = EXCLUDED.at", (rating, comment, self.clock(), answer_id))
            return cur.rowcount > 0

    def feedback(self, *, limit: int = 50, offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
        with self._conn() as db:
            total = db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
            rows = db.execute(
                "SELECT f.answer_id, f.rating, f.comment, f.at, a.question, a.language, a.found, a.mode, "
                "a.index_version FROM feedback f JOIN answers a USING (answer_id) "
                "ORDER BY f.at DESC, f.answer_id LIMIT %s OFFSET %s", (limit, offset)).fetchall()
        return int(total), feedback_items(rows)

    def gaps(self, *, limit: int = 50) -> list[dict[str, Any]]:
        with self._conn() as db:
            rows = db.execute(
                """
                SELECT a.norm, MIN(a.question), MAX(a.language), COUNT(*) AS asked,
                       SUM(CASE WHEN NOT a.found THEN 1 ELSE 0 END) AS unanswered,
                       SUM(CASE WHEN f.rating = -1 THEN 1 ELSE 0 END) AS rated_down,
                       MAX(a.at), STRING_AGG(f.comment, ' | ')
                FROM answers a LEFT JOIN feedback f USING (answer_id)
                GROUP BY a.norm
                HAVING SUM(CASE WHEN NOT a.found THEN 1 ELSE 0 END) > 0
                    OR SUM(CASE WHEN f.rating = -1 THEN 1 ELSE 0 END) > 0
                ORDER BY SUM(CASE WHEN NOT a.found THEN 1 ELSE 0 END)
                         + SUM(CASE WHEN f.rating = -1 THEN 1 ELSE 0 END) DESC, MAX(a.at) DESC
                LIMIT %s
                """, (limit,)).fetchall()
        return [{"question": q, "language": lang, "asked": int(asked), "unanswered": int(un),
                 "rated_down": int(down), "last_asked": _iso(last),
                 "comments": comments.split(" | ") if comments else []}
                for _, q, lang, asked, un, down, last, comments in rows]
