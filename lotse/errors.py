"""Every error Bildungslotse raises on purpose.

The tree::

    LotseError                      base; str(error) tells the user what to do
     ├── ConfigError                a sources file or setting is wrong
     ├── ModelBuildError            the embedding model could not be provisioned
     ├── ModelNotFoundError         no embedding model where the settings point
     ├── FetchError                 one page could not be fetched (reported, never fatal)
     ├── ExtractError               one page had no usable text (reported, never fatal)
     ├── IndexNotFoundError         no published index version in the data dir
     ├── IndexCorruptError          an index version fails its checksums or cannot be read
     ├── PublishRefusedError        a new build lost too many documents; the old one stays
     ├── BadRequestError            a request the API cannot answer as sent
     ├── NotFoundError              a named thing (an answer, a reindex job) is not known
     ├── AuthError                  an admin request without the right token (401), or admin is off (403)
     ├── ConflictError              the request clashes with the server's state or configuration
     └── StoreUnavailableError      the session store (SQLite file, PostgreSQL) cannot be used right now

The CLI and the API each turn these into one clean message, never a traceback.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "BadRequestError",
    "ConflictError",
    "ConfigError",
    "ExtractError",
    "FetchError",
    "IndexCorruptError",
    "IndexNotFoundError",
    "StoreUnavailableError",
    "LotseError",
    "ModelBuildError",
    "ModelNotFoundError",
    "NotFoundError",
    "PublishRefusedError",
]


class LotseError(Exception):
    """Base of every error Bildungslotse raises on purpose; its message tells the user what to do."""


class ConfigError(LotseError):
    """A sources file or a setting is wrong."""


class ModelBuildError(LotseError):
    """The embedding model could not be provisioned."""


class ModelNotFoundError(LotseError):
    """No embedding model where the settings point."""


class FetchError(LotseError):
    """One URL could not be fetched."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class ExtractError(LotseError):
    """One fetched document held no usable text."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class IndexNotFoundError(LotseError):
    """No published index version in the data dir."""


class IndexCorruptError(LotseError):
    """An index version fails its checksums or cannot be read."""


class PublishRefusedError(LotseError):
    """A new index build lost too many documents compared with the published one."""


class BadRequestError(LotseError):
    """A request the API cannot answer as sent."""


class NotFoundError(LotseError):
    """A named thing (an answer id, a reindex job) is not known."""


class AuthError(LotseError):
    """An admin request without the right token; ``status`` is 401, or 403 when admin is switched off."""

    def __init__(self, message: str, *, status: int = 401) -> None:
        super().__init__(message)
        self.status = status


class ConflictError(LotseError):
    """The request clashes with the server's state or configuration (e.g. no sources file to reindex)."""


class StoreUnavailableError(LotseError):
    """The session store cannot be read or written right now (disk full, database down)."""
