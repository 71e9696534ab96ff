"""Which inputs changed since the published version, so unchanged ones skip all work.

Every document remembers the digest of the raw input it was made from (page body, JSONL
record, file bytes) together with the recipe that turned it into passages (the source's
settings, the model, the chunk size, the extraction version). On the next ingest an input
with the same digest is not extracted, chunked or embedded again: its published passages
are carried into the new version as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from lotse.schema import Document

__all__ = ["EXTRACTION_VERSION", "ChangeTracker"]

# Raise when extraction or chunking changes what they produce: every input is then read afresh.
EXTRACTION_VERSION = "5"  # 4: data tables are read row by row (ingest.tables); 5: a table part knows its table's length


class ChangeTracker:
    def __init__(self, known: Mapping[str, str] | None = None, *, recipe: str = "") -> None:
        self.known = dict(known or {})  # raw key (page or file URL) -> digest in the published version
        self.recipe = recipe
        self.unchanged: set[str] = set()

    def digest(self, raw: str | bytes) -> str:
        h = hashlib.sha256(f"{EXTRACTION_VERSION}\x1f{self.recipe}\x1f".encode())
        h.update(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
        return h.hexdigest()

    def is_unchanged(self, key: str, digest: str) -> bool:
        """True (and remembered) when ``key``'s input is the one already published."""
        if self.known.get(key) == digest:
            self.unchanged.add(key)
            return True
        return False

    @staticmethod
    def stamp(docs: Iterable[Document], key: str, digest: str) -> None:
        for d in docs:
            d.meta["raw_key"] = key
            d.meta["raw_digest"] = digest
