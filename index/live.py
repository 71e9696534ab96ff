"""The index a running server answers from, switched to a newly published version on the fly.

Each request asks ``get()``; a cheap look at ``CURRENT`` tells whether a new version was
published. The new version is loaded and verified before it replaces the old one, so
requests in flight keep the object they hold and a broken version never goes live. What the
assistant derives from an index once (``on_load``) is derived before the version goes live, so
the requests that keep arriving during a switch are answered from the old version meanwhile
instead of each deriving it again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

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
        self._on_load: list[Callable[[LoadedIndex], None]] = []

    def on_load(self, prepare: Callable[[LoadedIndex], None]) -> None:
        """Run ``prepare`` on every version loaded from now on, before it goes live."""
        self._on_load.append(prepare)

    def _load(self, version: str | None) -> LoadedIndex:
        index = self.store.load(version)
        for prepare in self._on_load:
            prepare(index)
        return index

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
                self._index = self._load(wanted)
                self.last_error = None
                self._failed = None
            except (IndexCorruptError, IndexNotFoundError) as exc:
                self.last_error = str(exc)
                self._failed = wanted
                if self._index is None:
                    # Starting up on a damaged or missing published version: answer from the
                    # newest earlier version that verifies rather than not at all.
                    self._index = self._fallback(wanted, exc)
                # keep answering from the last good version; /ready reports the problem
            return self._index

    def _fallback(self, broken: str | None, exc: Exception) -> LoadedIndex:
        for manifest in reversed(self.store.versions()):
            version = manifest.get("version")
            if not version or version == broken or manifest.get("corrupt"):
                continue
            try:
                index = self._load(version)
            except (IndexCorruptError, IndexNotFoundError):
                continue
            self.last_error = (f"{exc} Serving the earlier version {version} instead; publish a new build "
                               f"or `lotse index rollback` to fix this.")
            return index
        raise exc

    @property
    def loaded(self) -> LoadedIndex | None:
        return self._index
