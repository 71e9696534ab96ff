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
     └── BadRequestError            a request the API cannot answer as sent

The CLI and the API each turn these into one clean message, never a traceback.
"""

from __future__ import annotations

__all__ = [
    "BadRequestError",
    "ConfigError",
    "ExtractError",
    "FetchError",
    "IndexCorruptError",
    "IndexNotFoundError",
    "LotseError",
    "ModelBuildError",
    "ModelNotFoundError",
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
