"""The sources file: TOML with a list of ``[[source]]`` tables, one per site or feed.

Example::

    [[source]]
    name = "bochum-strategie"
    kind = "web"
    start_urls = ["https://www.bochum.de/Die-Bochum-Strategie/Was-ist-die-Bochum-Strategie"]
    allow = ["https://www.bochum.de/Die-Bochum-Strategie/"]
    max_pages = 200

    [[source]]
    name = "faq"
    kind = "jsonl"
    path = "faq.jsonl"          # relative to this file; one {url, title, text, id?} per line
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from lotse.errors import ConfigError

__all__ = ["JsonlSource", "Source", "SourcesFile", "WebSource", "load_sources"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")


class WebSource(_Base):
    kind: Literal["web"]
    start_urls: list[str] = Field(min_length=1)
    allow: list[str] = Field(default_factory=list, description="URL prefixes the crawl may follow.")
    deny: list[str] = Field(default_factory=list, description="URL prefixes never fetched.")
    max_pages: int = Field(default=200, ge=1, le=100_000)
    max_depth: int = Field(default=5, ge=0, le=50)
    content: str | None = Field(default=None, description="CSS selector of the main content.")
    remove: list[str] = Field(default_factory=list, description="CSS selectors removed before extraction.")
    requests_per_second: float = Field(default=4.0, gt=0, le=100)
    max_bytes: int = Field(default=5_000_000, ge=1_000)
    respect_robots: bool = True

    @field_validator("start_urls", "allow", "deny")
    @classmethod
    def _http_only(cls, v: list[str]) -> list[str]:
        for url in v:
            if not url.startswith(("http://", "https://")):
                raise ValueError(f"{url!r} is not an http(s) URL")
        return v


class JsonlSource(_Base):
    kind: Literal["jsonl"]
    path: Path
    html: bool = Field(default=False, description="The records' text is HTML, not plain text.")


Source = Annotated[WebSource | JsonlSource, Field(discriminator="kind")]


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: list[Source] = Field(min_length=1)


def _where(loc: tuple[int | str, ...], raw: dict) -> str:
    """``("source", 0, "web", "start_urls")`` -> ``source #1 ("x") start_urls``."""
    if len(loc) >= 2 and loc[0] == "source" and isinstance(loc[1], int):
        try:
            name = raw["source"][loc[1]].get("name", "?")
        except (KeyError, IndexError, AttributeError, TypeError):
            name = "?"
        rest = [str(p) for p in loc[2:] if p not in ("web", "jsonl")]
        return f'source #{loc[1] + 1} ("{name}") ' + ".".join(rest)
    return ".".join(str(p) for p in loc) or "file"


def load_sources(path: Path) -> list[Source]:
    """Read and validate a sources file; relative paths are taken relative to it."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Sources file {path} does not exist.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Sources file {path} is not valid TOML: {exc}") from exc
    try:
        parsed = SourcesFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{_where(e['loc'], raw)}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"Sources file {path} has errors: {problems}") from exc
    names = [s.name for s in parsed.source]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"Sources file {path}: source names must be unique, repeated: {', '.join(dupes)}")
    out: list[Source] = []
    for s in parsed.source:
        if isinstance(s, JsonlSource) and not s.path.is_absolute():
            s = s.model_copy(update={"path": (path.parent / s.path).resolve()})
        out.append(s)
    return out
