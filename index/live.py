"""The index a running server answers from, switched to a newly published version on the fly.

Each request asks ``get()``; a cheap look at ``CURRENT`` tells whether a new version was
published. The new version is loaded and verified before it replaces the old one, so
requests in flight keep the object they hold and a broken version never goes live.
"""

from __future__ import annotations

import threading
import time

from index.store import IndexStore, LoadedIndex
from lotse.errors import IndexCorruptError, IndexNotFoundError

__all__ = ["LiveIndex"]


class LiveIndex:
    def __init__(self, store: IndexStore, *, check_interval: float = 1.0) -> None:
        self.store = store
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._index: LoadedIndex | None = None
        self._checked = 0.0
        self.last_error: str | None = None
        self._failed: str | None = None  # a version that failed to load is not retried every second

    def get(self) -> LoadedIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked < self.check_interval:
            return self._index
        with self._lock:
            self._checked = now
            wanted = self.store.current()
            if self._index is not None and wanted in (self._index.version, self._failed):
                return self._index
            try:
                self._index = self.store.load(wanted)
                self.last_error = None
                self._failed = None
            except (IndexCorruptError, IndexNotFoundError) as exc:
                self.last_error = str(exc)
                self._failed = wanted
                if self._index is None:
                    raise
                # keep answering from the last good version; /ready reports the problem
            return self._index

    @property
    def loaded(self) -> LoadedIndex | None:
        return self._index
