"""The sources file: TOML with a list of ``[[source]]`` tables, one per site or feed.

Example::

    [[source]]
    name = "bochum-strategie"
    kind = "web"
    start_urls = ["https://www.bochum.de/Die-Bochum-Strategie/Was-ist-die-Bochum-Strategie"]
    allow = ["https://www.bochum.de/Die-Bochum-Strategie/"]
    max_pages = 200

    [[source]]
    name = "bochum-sitemap"
    kind = "sitemap"
    sitemaps = ["https://www.bochum.de/sitemap.xml"]
    allow = ["https://www.bochum.de/Die-Bochum-Strategie/"]

    [[source]]
    name = "faq"
    kind = "jsonl"
    path = "faq.jsonl"          # relative to this file; one {url, title, text, id?} per line
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lotse.errors import ConfigError

__all__ = ["FeedSource", "FilesSource", "JsonlSource", "OfferSelectors", "SitemapSource", "Source", "SourcesFile",
           "WebSource",
           "load_sources"]


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")


class OfferSelectors(BaseModel):
    """``offers = {item = ".kurs", title = "h3", start_date = "time@datetime", ...}``: CSS selectors of an
    offer listing. ``item`` selects one element per offer; the others are read inside it (text, or the
    attribute after ``@``). ``age`` ("4 bis 6 Jahre") and ``dates`` ("3. März bis 7. April 2027") are
    parsed into the age range and the start/end dates."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    item: str = Field(min_length=1)
    title: str = Field(min_length=1)
    provider: str | None = None
    description: str | None = None
    audience: str | None = None
    age: str | None = None
    min_age: str | None = None
    max_age: str | None = None
    location: str | None = None
    district: str | None = None
    dates: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    cost_text: str | None = None
    price: str | None = None
    free: str | None = None
    languages: str | None = None
    registration_url: str | None = None
    registration_until: str | None = None
    url: str | None = None


class _CrawlSettings(_Base):
    """What a web crawl and a sitemap crawl share: scope, politeness, limits, extraction."""

    allow: list[str] = Field(default_factory=list, description="URL prefixes the crawl may follow.")
    deny: list[str] = Field(default_factory=list, description="URL prefixes never fetched.")
    max_pages: int = Field(default=200, ge=1, le=100_000)
    content: str | None = Field(default=None, description="CSS selector of the main content.")
    remove: list[str] = Field(default_factory=list, description="CSS selectors removed before extraction.")
    requests_per_second: float = Field(default=4.0, gt=0, le=100)
    max_bytes: int = Field(default=5_000_000, ge=1_000)
    respect_robots: bool = True
    pdfs: bool = Field(default=True, description="Read linked PDFs (brochures, booklets), page numbers kept.")
    offers: OfferSelectors | None = Field(
        default=None, description="Offer listings on the pages: an `item` selector plus one selector per field.")

    @field_validator("allow", "deny")
    @classmethod
    def _http_prefixes(cls, v: list[str]) -> list[str]:
        return _http_only(v)


def _http_only(v: list[str]) -> list[str]:
    for url in v:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} is not an http(s) URL")
    return v


class WebSource(_CrawlSettings):
    kind: Literal["web"]
    start_urls: list[str] = Field(min_length=1)
    max_depth: int = Field(default=5, ge=0, le=50)

    @field_validator("start_urls")
    @classmethod
    def _http_start(cls, v: list[str]) -> list[str]:
        return _http_only(v)


class SitemapSource(_CrawlSettings):
    """The pages a site lists in its sitemap(s) (a sitemap index is followed). A page whose
    ``lastmod`` has not changed since the last crawl is not fetched again; a page gone from
    the sitemap is removed. ``allow`` (if given) and ``deny`` pick the part of the site."""

    kind: Literal["sitemap"]
    sitemaps: list[str] = Field(min_length=1, description="Sitemap or sitemap-index URLs.")

    @field_validator("sitemaps")
    @classmethod
    def _http_sitemaps(cls, v: list[str]) -> list[str]:
        return _http_only(v)

    def crawl_source(self, urls: list[str]) -> WebSource:
        """The crawl of the listed pages: the pages themselves, no links followed."""
        fields = self.model_dump(exclude={"kind", "sitemaps"})
        return WebSource(kind="web", start_urls=urls, max_depth=0, **fields)


class JsonlSource(_Base):
    kind: Literal["jsonl"]
    path: Path
    html: bool = Field(default=False, description="The records' text is HTML, not plain text.")


class FilesSource(_Base):
    kind: Literal["files"]
    paths: list[str] = Field(min_length=1, description="Globs relative to the sources file, e.g. docs/**/*.pdf")
    base_url: str | None = Field(default=None, description="Public URL the files are served under.")
    content: str | None = Field(default=None, description="CSS selector of the main content (HTML files).")
    remove: list[str] = Field(default_factory=list, description="CSS selectors removed before extraction.")
    root: Path = Field(default=Path("."), description="Folder the globs and base_url are relative to.")


class FeedSource(_Base):
    """A CSV or JSON feed of offers, from a local file or a URL."""

    kind: Literal["feed"]
    path: Path | None = Field(default=None, description="Local file, relative to the sources file.")
    url: str | None = Field(default=None, description="Or the feed's http(s) URL.")
    format: Literal["csv", "json"]
    fields: dict[str, str] = Field(default_factory=dict,
                                   description='Offer field -> column or key, e.g. {title = "Kursname"}.')
    delimiter: str | None = Field(default=None, min_length=1, max_length=1,
                                  description="CSV delimiter; detected (, ; tab) if not given.")
    records: str | None = Field(default=None, description="JSON: dotted path to the list of records.")

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, v: dict[str, str]) -> dict[str, str]:
        known = set(OfferSelectors.model_fields) - {"item"}
        unknown = sorted(set(v) - known)
        if unknown:
            raise ValueError(f"unknown offer field(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        return v

    @model_validator(mode="after")
    def _one_location(self) -> FeedSource:
        if (self.path is None) == (self.url is None):
            raise ValueError("give either path or url")
        return self


Source = Annotated[WebSource | SitemapSource | JsonlSource | FilesSource | FeedSource, Field(discriminator="kind")]


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
        rest = [str(p) for p in loc[2:] if p not in ("web", "jsonl", "files", "sitemap", "feed")]
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
        if isinstance(s, FeedSource) and s.path is not None and not s.path.is_absolute():
            s = s.model_copy(update={"path": (path.parent / s.path).resolve()})
        if isinstance(s, FilesSource) and not s.root.is_absolute():
            s = s.model_copy(update={"root": (path.parent / s.root).resolve()})
        out.append(s)
    return out
