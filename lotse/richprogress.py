"""The ingest's progress as rich bars on the terminal (stderr), log lines above them."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

__all__ = ["RichProgress"]


class _Bar:
    def __init__(self, progress: Progress, task_id: int) -> None:
        self._progress = progress
        self._id = task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._id, n)

    def close(self) -> None:
        task = self._progress.tasks[self._id]
        self._progress.update(self._id, total=task.completed)  # an open-ended crawl ends where it ended
        self._progress.stop_task(self._id)


class RichProgress:
    def __init__(self, console: Console) -> None:
        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=False,
                                  disable=not console.is_terminal)
        self._console = console

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def log(self, message: str) -> None:
        self._console.print(f"[dim]{message}[/]", highlight=False)

    def task(self, description: str, total: int | None = None) -> _Bar:
        return _Bar(self._progress, self._progress.add_task(description, total=total))
