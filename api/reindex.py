"""Reindex jobs started over HTTP: the configured ingest runs in a background thread.

One job at a time; asking again while one runs returns the running job. When the ingest
publishes, the server's ``LiveIndex`` switches to the new version on its own (index/live.py),
so a job only has to run the pipeline. Job records live in memory: they describe this
process's work, and the published versions themselves are listed by ``lotse index list``.
"""

from __future__ import annotations

import threading
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from lotse.errors import LotseError, NotFoundError

__all__ = ["Job", "ReindexJobs"]

Status = Literal["running", "succeeded", "failed"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(slots=True)
class Job:
    id: str
    status: Status = "running"
    started: str = field(default_factory=_now)
    finished: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"job_id": self.id, "status": self.status, "started": self.started, "finished": self.finished,
                "result": self.result, "error": self.error}


class ReindexJobs:
    def __init__(self, run: Callable[[], dict[str, Any]], *, keep: int = 20) -> None:
        self._run = run
        self._keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def start(self) -> tuple[Job, bool]:
        """(job, started): the running job and ``False`` if one is already running."""
        with self._lock:
            for job in self._jobs.values():
                if job.status == "running":
                    return job, False
            job = Job(uuid.uuid4().hex)
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)
        threading.Thread(target=self._work, args=(job,), name=f"reindex-{job.id[:8]}", daemon=True).start()
        return job, True

    def _work(self, job: Job) -> None:
        try:
            job.result = self._run()
            job.status = "succeeded"
        except LotseError as exc:
            job.error, job.status = str(exc), "failed"
        except Exception as exc:  # a bug in a background thread must still end the job visibly
            job.error, job.status = f"{type(exc).__name__}: {exc}", "failed"
            traceback.print_exc()
        job.finished = _now()

    def get(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"There is no reindex job {job_id!r} (jobs are kept in memory until the "
                                "server restarts; the last 20 are remembered).")
        return job
