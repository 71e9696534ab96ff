"""The offer record and its passage: a German "auf einen Blick" list plus the description,
with the fields in ``Document.meta["offer"]`` for filtering."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from ingest.offers.values import LANGUAGE_NAMES_DE, age_text, euro, german_date
from lotse.schema import Block, Document


@dataclass(slots=True)
class Offer:
    title: str
    provider: str | None = None
    description: str | None = None
    audience: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    location: str | None = None
    district: str | None = None
    start_date: str | None = None  # ISO date
    end_date: str | None = None  # ISO date
    cost_text: str | None = None
    price: float | None = None
    free: bool | None = None
    languages: list[str] = field(default_factory=list)  # ISO 639-1 where mappable
    registration_url: str | None = None
    registration_until: str | None = None  # ISO date, registration deadline
    url: str | None = None
    source_name: str | None = None

    def __post_init__(self) -> None:
        if self.free is None and self.price is not None:
            self.free = self.price == 0
        if self.free and self.price is None:
            self.price = 0.0
        if self.cost_text is None:
            if self.free:
                self.cost_text = "kostenlos"
            elif self.price is not None:
                self.cost_text = f"{euro(self.price)} Euro"

    def to_meta(self) -> dict[str, Any]:
        """A flat, JSON-able dict of all fields (``None`` where unknown)."""
        return asdict(self)

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Offer:
        return cls(**{k: meta[k] for k in OFFER_FIELDS if k in meta})

    def is_expired(self, today: date) -> bool:
        return bool(self.end_date) and str(self.end_date) < today.isoformat()

    def facts(self) -> list[str]:
        """The "auf einen Blick" lines, German."""
        lines: list[str] = []

        def add(label: str, value: str | None) -> None:
            if value:
                lines.append(f"• {label}: {value}")

        add("Anbieter", self.provider)
        add("Zielgruppe", self.audience)
        add("Alter", age_text(self.min_age, self.max_age))
        add("Ort", self.location)
        add("Bezirk", self.district)
        if self.start_date and self.end_date and self.start_date == self.end_date:
            add("Termin", german_date(self.start_date))
        elif self.start_date and self.end_date:
            add("Zeitraum", f"{german_date(self.start_date)} bis {german_date(self.end_date)}")
        elif self.start_date:
            add("Zeitraum", f"ab {german_date(self.start_date)}")
        elif self.end_date:
            add("Zeitraum", f"bis {german_date(self.end_date)}")
        add("Kosten", self.cost_text)
        add("Sprachen", ", ".join(LANGUAGE_NAMES_DE.get(c, c) for c in self.languages))
        add("Anmeldung bis", german_date(self.registration_until) if self.registration_until else None)
        add("Anmeldung", self.registration_url)
        return lines

    def passage_text(self) -> str:
        """Title, the "auf einen Blick" list, then the description."""
        parts = [self.title, *self.facts()]
        if self.description:
            parts.append(self.description)
        return "\n".join(parts)


OFFER_FIELDS: tuple[str, ...] = tuple(Offer.__dataclass_fields__)  # type: ignore[attr-defined]


def offer_document(offer: Offer, *, url: str, source_name: str, as_of: str | None = None,
                   meta: Mapping[str, Any] | None = None) -> Document:
    """One offer as a ``Document`` of kind ``offer``: the chunker makes exactly one passage of it."""
    blocks = [Block("paragraph", offer.title), Block("list", "\n".join(offer.facts()))]
    if offer.description:
        blocks.append(Block("paragraph", offer.description))
    return Document(
        url=url, title=offer.title, blocks=[b for b in blocks if b.text], source_name=source_name,
        as_of=as_of, kind="offer", meta={**(meta or {}), "page_title": offer.title, "offer": offer.to_meta()},
    )


def unique_offers(offers: Iterable[Offer]) -> list[Offer]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Offer] = []
    for o in offers:
        key = (o.title.casefold(), o.start_date, o.end_date, o.location, o.district)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out


def offer_key(offer_meta: Mapping[str, Any]) -> str:
    """A stable short id of an offer's fields."""
    return hashlib.blake2b(json.dumps(offer_meta, sort_keys=True, ensure_ascii=False).encode(),
                           digest_size=8).hexdigest()
