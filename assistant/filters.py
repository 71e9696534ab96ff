"""Chunk filters for search and the offer list: source, kind, and the offers' own fields.

``build_filter(...)`` returns a predicate over ``Chunk`` for ``Assistant.search(..., allow=...)``.
Expired offers (``end_date`` before today) are left out unless ``include_expired``; so are the prose
passages of a page whose offers have all ended (``meta["offers_end"]`` before today). A filter on an
offer field (district, age, free, language) keeps offers only: a page passage has no such field.
``default_filter(today)`` is the filter every endpoint applies when the user asked for nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.retrieve import ChunkFilter
from lotse.schema import Chunk

__all__ = ["ChunkFilter", "SearchFilter", "build_filter", "default_filter", "end_of", "is_expired", "offer_of",
           "today"]


def today() -> date:
    """Today in Bochum."""
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Europe/Berlin")).date()
    except Exception:  # no tz database: the machine's date is close enough
        return date.today()


def offer_of(chunk: Chunk) -> dict[str, Any] | None:
    offer = chunk.meta.get("offer") if chunk.kind == "offer" else None
    return offer if isinstance(offer, dict) else None


def end_of(chunk: Chunk) -> str | None:
    """An offer's end date, or the last end date of a page's offers (ISO); None when there is none."""
    offer = offer_of(chunk)
    end = offer.get("end_date") if offer else chunk.meta.get("offers_end")
    return str(end) if end else None


def is_expired(chunk: Chunk, day: date) -> bool:
    """An offer whose end date has passed, or a page whose offers have all ended."""
    end = end_of(chunk)
    return end is not None and end < day.isoformat()


def _district_key(name: str) -> str:
    """``Bochum-Mitte`` ~ ``Mitte``; ``Stadtbezirk Wattenscheid`` ~ ``wattenscheid``."""
    s = name.strip().casefold()
    s = re.sub(r"^(stadtbezirk|bezirk|stadtteil)\s+", "", s)
    s = re.sub(r"^bochum[-\s]+", "", s)
    return s


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """A chunk predicate. ``None`` fields do not filter."""

    day: date
    source: str | None = None
    kind: str | None = None
    district: str | None = None
    age: int | None = None
    free: bool | None = None
    language: str | None = None
    include_expired: bool = False

    @property
    def offers_only(self) -> bool:
        return self.kind == "offer" or any(
            v is not None for v in (self.district, self.age, self.free, self.language))

    def __call__(self, chunk: Chunk) -> bool:
        if self.source is not None and chunk.source.source_name != self.source:
            return False
        if self.kind is not None and chunk.kind != self.kind:
            return False
        if not self.include_expired and is_expired(chunk, self.day):
            return False
        if not self.offers_only:
            return True
        offer = offer_of(chunk)
        if offer is None:
            return False
        if self.district is not None:
            if not offer.get("district") or _district_key(offer["district"]) != _district_key(self.district):
                return False
        if self.age is not None:
            lo, hi = offer.get("min_age"), offer.get("max_age")
            if lo is None and hi is None:
                return False  # no age range stated: we cannot say it fits
            if (lo is not None and self.age < lo) or (hi is not None and self.age > hi):
                return False
        if self.free is not None and offer.get("free") is not self.free:
            return False
        return not (self.language is not None and self.language not in (offer.get("languages") or []))


def build_filter(*, source: str | None = None, kind: str | None = None, district: str | None = None,
                 age: int | None = None, free: bool | None = None, language: str | None = None,
                 include_expired: bool = False, day: date | None = None) -> SearchFilter:
    """The filter of a request. ``language`` may be a code or a name (``Türkisch`` -> ``tr``)."""
    from ingest.offers import language_code

    if kind is not None and kind not in ("page", "offer"):
        raise ValueError(f"kind must be 'page' or 'offer', got {kind!r}")
    return SearchFilter(
        day=day or today(), source=source or None, kind=kind, district=(district or "").strip() or None,
        age=age, free=free, language=language_code(language) if language else None,
        include_expired=include_expired,
    )


def default_filter(day: date | None = None) -> SearchFilter:
    """What applies when the user asked for nothing: everything except expired offers (and the pages
    of offers that have all ended). For ``/v1/ask``: ``Assistant.ask(..., allow=default_filter())``."""
    return SearchFilter(day=day or today())


def list_offers(chunks: list[Chunk], allow: ChunkFilter, *, limit: int = 20, offset: int = 0
                ) -> tuple[int, list[dict[str, Any]]]:
    """(total, page) of the offers that pass ``allow``, soonest first (undated last), then by title."""
    found = [c for c in chunks if offer_of(c) is not None and allow(c)]
    found.sort(key=lambda c: (offer_of(c)["start_date"] or "9999", offer_of(c)["title"].casefold(),  # type: ignore[index]
                              c.id))
    page = found[offset: offset + limit]
    return len(found), [{"id": c.id, "offer": offer_of(c), "source": c.source.to_dict()} for c in page]
