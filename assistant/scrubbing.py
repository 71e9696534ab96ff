"""A session store that never sees personal data: questions and comments are scrubbed on the way in.

Wraps any ``SessionStore`` (SQLite, PostgreSQL), so no backend can forget to do it. The scrubbed
question is what a follow-up sees as its history too: an e-mail address or a phone number never
helps retrieval.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from assistant.sessions import AnswerRecord, SessionStore, Turn
from lotse.privacy import scrub

__all__ = ["ScrubbingStore"]


class ScrubbingStore:
    def __init__(self, inner: SessionStore) -> None:
        self.inner = inner

    def history(self, session_id: str) -> list[Turn]:
        return self.inner.history(session_id)

    def record(self, session_id: str, turn: Turn, answer: AnswerRecord) -> None:
        question = scrub(turn.question).text
        self.inner.record(session_id, dataclasses.replace(turn, question=question),
                          dataclasses.replace(answer, question=scrub(answer.question).text))

    def add_feedback(self, answer_id: str, rating: int, comment: str | None) -> bool:
        return self.inner.add_feedback(answer_id, rating, scrub(comment).text if comment else comment)

    def feedback(self, *, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
        return self.inner.feedback(limit=limit, offset=offset)

    def gaps(self, *, limit: int) -> list[dict[str, Any]]:
        return self.inner.gaps(limit=limit)

    def purge(self) -> int:
        return self.inner.purge()

    def __getattr__(self, name: str) -> Any:  # close(), path … of the backend
        return getattr(self.inner, name)
