"""What the crawler fetched last time, so a re-crawl can ask "changed since?" instead of
downloading every page again.

Per URL: the validators the server sent (ETag, Last-Modified), the sitemap's ``lastmod``
and the page body. A ``304 Not Modified`` (or an unchanged sitemap ``lastmod``) is answered
from here. The cache is an optimisation only: a broken or missing file is started afresh,
never a reason to fail an ingest.
"""

from __future__ import annotations

import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CachedPage", "HttpCache"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    content_type TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    lastmod TEXT,
    body BLOB NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class CachedPage:
    url: str
    final_url: str
    content_type: str
    etag: str | None
    last_modified: str | None
    lastmod: str | None
    body: bytes  # as received (HTML: its UTF-8 text)


class HttpCache:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            # Not a database (or a damaged one): it only saves downloads, so start over.
            self.path.unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(_SCHEMA)
        return db

    def get(self, url: str) -> CachedPage | None:
        try:
            row = self._db.execute(
                "SELECT url, final_url, content_type, etag, last_modified, lastmod, body FROM pages WHERE url = ?",
                (url,)).fetchone()
            if row is None:
                return None
            body = zlib.decompress(row[6])
        except (sqlite3.DatabaseError, zlib.error):
            return None  # a damaged entry is a miss: the page is fetched in full
        return CachedPage(*row[:6], body=body)

    def put(self, page: CachedPage) -> None:
        try:
            with self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (page.url, page.final_url, page.content_type, page.etag, page.last_modified, page.lastmod,
                     zlib.compress(page.body, 6)))
        except sqlite3.DatabaseError:
            pass  # a full disk or a damaged file costs the next crawl a download, nothing more

    def close(self) -> None:
        self._db.close()
