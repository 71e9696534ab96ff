"""Named fields (a listing item, a feed row) -> ``Offer``, with the column names offers use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ingest.offers.record import Offer
from ingest.offers.values import languages_from, parse_age_range, parse_bool, parse_date, parse_date_range, parse_price
from lotse.text import normalize_space

# Column and key names recognised without a ``fields`` mapping (compared case-insensitively).
DEFAULT_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "titel", "kursname", "kurstitel", "angebot", "veranstaltung"),
    "provider": ("provider", "anbieter", "veranstalter", "organizer", "träger", "traeger"),
    "description": ("description", "beschreibung", "text", "inhalt", "kurzbeschreibung"),
    "audience": ("audience", "zielgruppe"),
    "min_age": ("min_age", "alter_von", "mindestalter", "alter von", "age_min"),
    "max_age": ("max_age", "alter_bis", "höchstalter", "hoechstalter", "alter bis", "age_max"),
    "age": ("age", "alter", "altersgruppe"),
    "location": ("location", "ort", "veranstaltungsort", "adresse", "address"),
    "district": ("district", "stadtbezirk", "bezirk", "stadtteil"),
    "start_date": ("start_date", "start", "beginn", "startdate", "von"),
    "end_date": ("end_date", "end", "ende", "enddate", "bis"),
    "dates": ("dates", "zeitraum", "termin", "termine", "datum", "date"),
    "cost_text": ("cost_text", "cost", "kosten", "gebühr", "gebuehr", "entgelt", "kursgebühr"),
    "price": ("price", "preis", "betrag"),
    "free": ("free", "kostenlos", "kostenfrei", "is_free"),
    "languages": ("languages", "language", "sprachen", "sprache", "inlanguage", "unterrichtssprache"),
    "registration_url": ("registration_url", "anmeldung", "anmeldelink", "anmelde_url", "registration", "signup"),
    "registration_until": ("registration_until", "anmeldeschluss", "anmeldung_bis", "anmeldefrist"),
    "url": ("url", "link", "webseite", "website", "detail_url"),
}
FIELD_NAMES = tuple(DEFAULT_ALIASES)


class FeedProblem(ValueError):
    """A record that cannot become an offer, and why."""


def offer_from_fields(raw: Mapping[str, Any], *, lenient: bool = False) -> Offer | None:
    """Field values (strings, or JSON scalars/lists) -> an Offer. ``lenient`` (HTML listings):
    unreadable values are dropped; otherwise (feeds) they raise ``FeedProblem`` naming the field."""

    def val(name: str) -> Any:
        v = raw.get(name)
        if isinstance(v, str):
            v = normalize_space(v).replace("\n", " ").strip()
        return None if v in ("", None, []) else v

    def parsed(name: str, fn: Any) -> Any:
        v = val(name)
        if v is None:
            return None
        try:
            return fn(v)
        except ValueError as exc:
            if lenient:
                return None
            raise FeedProblem(f"{name}: {exc}") from None

    title = val("title")
    if title is None:
        if lenient:
            return None
        raise FeedProblem("no title")
    lo = parsed("min_age", _strict_int)
    hi = parsed("max_age", _strict_int)
    if lo is None and hi is None and val("age") is not None:
        lo, hi = parse_age_range(val("age"))
    start = parsed("start_date", parse_date)
    end = parsed("end_date", parse_date)
    if start is None and end is None and val("dates") is not None:
        start, end = parse_date_range(str(val("dates")))
    if start and end and end < start:
        if lenient:
            start, end = start, None
        else:
            raise FeedProblem(f"end_date {end} is before start_date {start}")
    price = parsed("price", _strict_price)
    free = parsed("free", _free_value)
    cost_text = val("cost_text")
    if cost_text is not None and (price is None or free is None):
        p, f = parse_price(cost_text)
        price = price if price is not None else p
        free = free if free is not None else f
    langs = val("languages")
    return Offer(
        title=str(title), provider=_opt(val("provider")), description=_opt(val("description")),
        audience=_opt(val("audience")), min_age=lo, max_age=hi, location=_opt(val("location")),
        district=_opt(val("district")), start_date=start, end_date=end,
        cost_text=_opt(cost_text), price=price, free=free, languages=languages_from(langs) if langs else [],
        registration_url=_opt(val("registration_url")), registration_until=parsed("registration_until", parse_date),
        url=_opt(val("url")),
    )


def _opt(v: Any) -> str | None:
    return None if v is None else str(v)


def _strict_int(v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a whole number")
    if isinstance(v, int | float) and float(v).is_integer():
        return int(v)
    s = str(v).strip()
    if re.fullmatch(r"\d{1,3}", s):
        return int(s)
    raise ValueError(f"{v!r} is not a whole number")


def _free_value(v: Any) -> bool | None:
    try:
        return parse_bool(v)
    except ValueError:
        _, free = parse_price(v)
        if free is None:
            raise
        return free


def _strict_price(v: Any) -> float:
    p, _ = parse_price(v)
    if p is None:
        raise ValueError(f"{v!r} is not an amount")
    return p


def column_mapping(columns: Iterable[str], fields: Mapping[str, str] | None) -> dict[str, str]:
    """Offer field -> column/key: the configured ``fields`` first, then the default names."""
    cols = list(columns)
    lower = {c.strip().casefold(): c for c in cols}
    out: dict[str, str] = {}
    for name in FIELD_NAMES:
        if fields and name in fields:
            out[name] = fields[name]
            continue
        for alias in DEFAULT_ALIASES[name]:
            if alias.casefold() in lower and lower[alias.casefold()] not in out.values():
                out[name] = lower[alias.casefold()]
                break
    return out
