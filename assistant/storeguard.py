"""A session store whose failures are one known error: ``StoreUnavailableError``.

The backends fail in their own ways (``sqlite3.OperationalError`` on a full disk or a locked
file, a PostgreSQL connection error); callers only need to know "the store cannot be used right
now". Questions are still answered then, without conversation memory (``Conversation``), and
feedback and the admin queue answer 503 with a message saying so.

A store that just failed is left alone for ``cooldown`` seconds: during a database outage
every call would otherwise wait for a connection that cannot come (the pool's timeout), and a
question would take that long twice (history, then record). Within the cooldown calls fail at
once; the first call after it tries the store again, and one success closes the breaker.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from assistant.sessions import AnswerRecord, SessionStore, Turn
from lotse.errors import LotseError, StoreUnavailableError

__all__ = ["GuardedStore"]

T = TypeVar("T")


class GuardedStore:
    def __init__(self, inner: SessionStore, *, cooldown: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.inner = inner
        self.cooldown = cooldown
        self._clock = clock
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._cause = ""

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        now = self._clock()
        with self._lock:
            retry_in, cause = self._retry_at - now, self._cause
        if retry_in > 0:
            raise StoreUnavailableError(self._message(what, f"{cause}; tried again in {retry_in:.0f} s"))
        try:
            result = fn()
        except (LotseError, ValueError, TypeError):
            raise  # our own errors and bad arguments say what they mean already
        except Exception as exc:
            with self._lock:
                self._retry_at, self._cause = self._clock() + self.cooldown, f"{type(exc).__name__}: {exc}"
            raise StoreUnavailableError(self._message(what, self._cause)) from exc
        if self._retry_at:
            with self._lock:
                self._retry_at = 0.0
        return result

    @staticmethod
    def _message(what: str, cause: str) -> str:
        return (f"The conversation store cannot {what} right now ({cause}). Answers still work, without memory "
                "of earlier turns; check the disk of LOTSE_STATE_PATH or the database.")

    def history(self, session_id: str) -> list[Turn]:
        return self._call("read the session", lambda: self.inner.history(session_id))

    def record(self, session_id: str, turn: Turn, answer: AnswerRecord) -> None:
        self._call("store the turn", lambda: self.inner.record(session_id, turn, answer))

    def add_feedback(self, answer_id: str, rating: int, comment: str | None) -> bool:
        return self._call("store feedback", lambda: self.inner.add_feedback(answer_id, rating, comment))

    def feedback(self, *, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        return self._call("read feedback", lambda: self.inner.feedback(limit=limit, offset=offset))

    def gaps(self, *, limit: int) -> list[dict[str, Any]]:
        return self._call("read the content gaps", lambda: self.inner.gaps(limit=limit))

    def purge(self) -> int:
        return self._call("delete expired records", self.inner.purge)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
