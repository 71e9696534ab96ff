"""Progress of long ingest work, as log lines and as counted tasks (bars in a terminal).

The pipeline reports through this small interface only; ``lotse ingest`` renders it with
rich progress bars, tests and the evaluation harness pass a plain callable for log lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["NullTask", "Progress", "Task", "as_progress"]


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...
    def close(self) -> None: ...


class Progress(Protocol):
    def log(self, message: str) -> None: ...
    def task(self, description: str, total: int | None = None) -> Task: ...


class NullTask:
    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class _LogOnly:
    """Log lines to a callable; tasks count silently."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log

    def log(self, message: str) -> None:
        self._log(message)

    def task(self, description: str, total: int | None = None) -> Task:
        return NullTask()


def as_progress(progress: Progress | Callable[[str], None] | None) -> Progress:
    if progress is None:
        return _LogOnly(lambda _m: None)
    if hasattr(progress, "task") and hasattr(progress, "log"):
        return progress  # type: ignore[return-value]
    return _LogOnly(progress)  # type: ignore[arg-type]
