"""Offers as structured records: courses, events and services with their dates, place and cost.

An ``Offer`` is read from

- schema.org JSON-LD (``offers_from_json_ld``): ``Course`` (dates and place inside
  ``hasCourseInstance``), ``Event``/``EducationEvent`` and kin (flat ``startDate``/``endDate``/
  ``location``), ``Service``/``GovernmentService`` (period in ``offers.availabilityStarts``/
  ``availabilityEnds``, place in ``availableChannel[].serviceLocation``), inside ``@graph``,
  lists or wrappers such as ``ItemList`` and ``WebPage.mainEntity``;
- schema.org microdata (``offers_from_microdata``): ``itemscope``/``itemprop`` turned into the
  same dictionaries as JSON-LD;
- HTML listings (``offers_from_listing``): an ``item`` CSS selector plus one selector per field,
  configured on the web source;
- CSV and JSON feeds (``offers_from_csv``, ``offers_from_json``).

The district is ``Place.containedInPlace.name`` (schema.org has no district field). Every offer
becomes one passage (``offer_document``): a compact German "auf einen Blick" list plus the
description, with the fields in ``Document.meta["offer"]`` for filtering.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from lotse.schema import Block, Document
from lotse.text import normalize_space

__all__ = [
    "OFFER_FIELDS", "FeedProblem", "Offer", "language_code", "offer_documents", "offer_document",
    "offers_from_csv", "offers_from_html", "offers_from_json", "offers_from_json_ld", "offers_from_listing",
    "offers_from_microdata", "parse_age_range", "parse_date", "parse_date_range", "parse_price",
]


# ---------------------------------------------------------------------------------------------
# The record


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
                self.cost_text = f"{_euro(self.price)} Euro"

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
        add("Alter", _age_text(self.min_age, self.max_age))
        add("Ort", self.location)
        add("Bezirk", self.district)
        if self.start_date and self.end_date and self.start_date == self.end_date:
            add("Termin", _german_date(self.start_date))
        elif self.start_date and self.end_date:
            add("Zeitraum", f"{_german_date(self.start_date)} bis {_german_date(self.end_date)}")
        elif self.start_date:
            add("Zeitraum", f"ab {_german_date(self.start_date)}")
        elif self.end_date:
            add("Zeitraum", f"bis {_german_date(self.end_date)}")
        add("Kosten", self.cost_text)
        add("Sprachen", ", ".join(_LANGUAGE_NAMES_DE.get(c, c) for c in self.languages))
        add("Anmeldung bis", _german_date(self.registration_until) if self.registration_until else None)
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


def offers_from_html(html: str, page_url: str, listing: Mapping[str, str] | None = None) -> list[Offer]:
    """Every offer a page carries: JSON-LD, microdata and (if configured) listing selectors."""
    soup = BeautifulSoup(html, "lxml")
    texts = [s.get_text() for s in soup.find_all("script", type="application/ld+json")]
    found = offers_from_json_ld(texts, page_url)
    found += _offers_from_soup_microdata(soup, page_url)
    if listing:
        found += offers_from_listing(soup, page_url, listing)
    return _unique(found)


def offer_documents(html: str, *, page_url: str, source_name: str, page: Document | None = None,
                    listing: Mapping[str, str] | None = None) -> list[Document]:
    """The offer Documents of one crawled page. They cite the page (``page.url``, i.e. its canonical
    URL); the offer's own ``url`` stays in its fields. When every offer of the page has an end date,
    the page's own Document gets ``meta["offers_end"]`` (the latest), so the page's prose passages
    expire with its offers."""
    offers = offers_from_html(html, page_url, listing)
    cite = page.url if page is not None else page_url
    docs: list[Document] = []
    for o in offers:
        o.source_name = source_name
        o.url = o.url or cite
        docs.append(offer_document(o, url=cite, source_name=source_name, as_of=page.as_of if page else None,
                                   meta={"fetched_url": page_url}))
    if page is not None and offers and all(o.end_date for o in offers):
        page.meta["offers_end"] = max(str(o.end_date) for o in offers)
    return docs


def _unique(offers: Iterable[Offer]) -> list[Offer]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Offer] = []
    for o in offers:
        key = (o.title.casefold(), o.start_date, o.end_date, o.location, o.district)
        if key not in seen:
            seen.add(key)
            out.append(o)
    return out


# ---------------------------------------------------------------------------------------------
# Values: dates, prices, ages, languages

_MONTHS = {
    "januar": 1, "jan": 1, "jänner": 1, "january": 1, "februar": 2, "feb": 2, "febr": 2, "february": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}
_MONTH_NAMES_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                   "Oktober", "November", "Dezember"]
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_NUMERIC = r"(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4}|\d{2})(?!\d))?"
_NAMED = (r"(\d{1,2})\.?\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
          + r")(?![a-zäöü])\.?(?:\s+(\d{4}))?")
_ANY_DATE = re.compile(rf"(?:(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}))|(?:{_NUMERIC})|(?:{_NAMED})", re.I)


def parse_date(value: Any) -> str | None:
    """ISO 8601 (with or without time), ``01.02.2027``, ``1. Februar 2027`` -> ``2027-02-01``.
    Empty -> ``None``; anything else that is not a date raises ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    found = list(_dates_in(text))
    if len(found) == 1 and found[0][0] is not None:
        y, mo, d = found[0]
        return _make_date(y, mo, d, text)
    raise ValueError(f"{text!r} is not a date")


def _make_date(y: int, m: int, d: int, text: str) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def _dates_in(text: str) -> Iterator[tuple[int | None, int, int]]:
    """(year or None, month, day) of every date written in ``text``, in order."""
    for m in _ANY_DATE.finditer(text):
        if m.group(1):
            yield int(m.group(1)), int(m.group(2)), int(m.group(3))
        elif m.group(4):
            y = m.group(6)
            year = (2000 + int(y) if len(y) == 2 else int(y)) if y else None
            yield year, int(m.group(5)), int(m.group(4))
        else:
            y = m.group(9)
            yield (int(y) if y else None), _MONTHS[m.group(8).lower()], int(m.group(7))


def parse_date_range(text: str | None) -> tuple[str | None, str | None]:
    """``3. März bis 7. April 2027`` -> (``2027-03-03``, ``2027-04-07``); a single date is both
    start and end. A date without a year borrows the next one's year. Invalid dates -> ``None``."""
    if not text:
        return None, None
    found = list(_dates_in(text))
    if not found:
        return None, None
    years = [y for y, _, _ in found]
    for i in range(len(found) - 1, -1, -1):
        if years[i] is None:
            years[i] = next((y for y in years[i + 1:] if y is not None), None)
    out: list[str | None] = []
    for (_, m, d), y in zip(found, years, strict=True):
        try:
            out.append(date(y, m, d).isoformat() if y else None)
        except ValueError:
            out.append(None)
    return out[0], out[-1]


_FREE_WORDS = re.compile(r"\b(kostenlos|kostenfrei|gebührenfrei|entgeltfrei|unentgeltlich|gratis|free|"
                         r"frei|ohne\s+kosten|keine\s+kosten|umsonst)\b", re.I)
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])")


def parse_price(value: Any) -> tuple[float | None, bool | None]:
    """``145,00 €`` -> (145.0, False); ``kostenlos`` / ``0`` -> (0.0, True); no amount -> (None, None).
    Of several amounts (``145 Euro, ermäßigt 72,50 Euro``) the first is the price."""
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        return float(value), value == 0
    text = str(value).strip()
    if not text:
        return None, None
    m = _AMOUNT.search(text)
    if m:
        raw = m.group(1)
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
            raw = raw.replace(".", "")
        amount = float(raw)
        return amount, amount == 0
    if _FREE_WORDS.search(text):
        return 0.0, True
    return None, None


_TRUE = {"true", "ja", "yes", "1", "x", "wahr", "y", "j"}
_FALSE = {"false", "nein", "no", "0", "falsch", "n", ""}


def parse_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return None if text == "" else False
    raise ValueError(f"{value!r} is not yes/no")


def parse_age_range(text: Any) -> tuple[int | None, int | None]:
    """``4 bis 6 Jahre``, ``4-6``, ``ab 16 Jahren``, ``16+``, ``bis 6``, ``unter 3`` -> (min, max)."""
    if text is None:
        return None, None
    s = str(text).strip().lower()
    if not s:
        return None, None
    m = re.search(r"(\d{1,3})\s*(?:-|–|—|bis|to)\s*(\d{1,3})", s)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(?:ab|from|über|ueber)\s*(\d{1,3})|(\d{1,3})\s*(?:\+|-\s*$|–\s*$|jahre?n?\s+und\s+älter)", s)
    if m:
        return int(m.group(1) or m.group(2)), None
    m = re.search(r"(?:bis|up to|to)\s*(\d{1,3})", s)
    if m:
        return None, int(m.group(1))
    m = re.search(r"(?:unter|under)\s*(\d{1,3})", s)
    if m:
        return None, max(0, int(m.group(1)) - 1)
    m = re.fullmatch(r"(\d{1,3})(?:\s*jahre?n?)?", s)
    if m:
        return int(m.group(1)), int(m.group(1))
    return None, None


_LANGUAGES: dict[str, tuple[str, ...]] = {
    # code: German name first (used for display), then other names and codes
    "de": ("Deutsch", "german", "deutsch", "deu", "ger"),
    "en": ("Englisch", "english", "eng"),
    "ar": ("Arabisch", "arabic", "ara", "العربية", "عربي"),
    "tr": ("Türkisch", "turkish", "tur", "türkçe", "turkce", "tuerkisch"),
    "uk": ("Ukrainisch", "ukrainian", "ukr", "українська"),
    "ru": ("Russisch", "russian", "rus", "русский"),
    "pl": ("Polnisch", "polish", "pol", "polski"),
    "ro": ("Rumänisch", "romanian", "ron", "rum", "română", "romana", "rumaenisch"),
    "fa": ("Persisch", "persian", "farsi", "fas", "per", "فارسی", "dari"),
    "fr": ("Französisch", "french", "fra", "fre", "français", "francais", "franzoesisch"),
    "es": ("Spanisch", "spanish", "spa", "español", "espanol"),
    "it": ("Italienisch", "italian", "ita", "italiano"),
    "pt": ("Portugiesisch", "portuguese", "por", "português"),
    "nl": ("Niederländisch", "dutch", "nld", "dut", "nederlands"),
    "el": ("Griechisch", "greek", "ell", "gre", "ελληνικά"),
    "bg": ("Bulgarisch", "bulgarian", "bul", "български"),
    "hr": ("Kroatisch", "croatian", "hrv", "hrvatski"),
    "sr": ("Serbisch", "serbian", "srp", "српски", "srpski"),
    "bs": ("Bosnisch", "bosnian", "bos", "bosanski"),
    "sq": ("Albanisch", "albanian", "sqi", "alb", "shqip"),
    "ku": ("Kurdisch", "kurdish", "kur", "kurdî", "kurmanji"),
    "vi": ("Vietnamesisch", "vietnamese", "vie", "tiếng việt"),
    "zh": ("Chinesisch", "chinese", "zho", "chi", "中文"),
    "hu": ("Ungarisch", "hungarian", "hun", "magyar"),
    "cs": ("Tschechisch", "czech", "ces", "cze", "čeština"),
    "ti": ("Tigrinya", "tigrinya", "tir", "ትግርኛ"),
    "so": ("Somali", "somali", "som", "soomaali"),
    "ps": ("Paschtu", "pashto", "pus", "پښتو"),
    "ur": ("Urdu", "urdu", "urd", "اردو"),
    "hi": ("Hindi", "hindi", "hin"),
    "ja": ("Japanisch", "japanese", "jpn"),
    "ko": ("Koreanisch", "korean", "kor"),
    "sgn": ("Gebärdensprache", "gebärdensprache", "dgs", "sign language", "deutsche gebärdensprache"),
}
_LANGUAGE_NAMES_DE = {code: names[0] for code, names in _LANGUAGES.items()}
_LANGUAGE_LOOKUP: dict[str, str] = {}
for _code, _names in _LANGUAGES.items():
    _LANGUAGE_LOOKUP[_code] = _code
    for _n in _names:
        _LANGUAGE_LOOKUP[_n.casefold()] = _code


def language_code(value: Any) -> str | None:
    """``Deutsch``/``de``/``de-DE``/``German``/``deu`` -> ``de``; a schema.org ``Language`` object by its
    ``alternateName`` or ``name``; unknown names are kept lower-cased."""
    if isinstance(value, Mapping):
        for key in ("alternateName", "name", "@id"):
            code = language_code(value.get(key)) if value.get(key) else None
            if code:
                return code
        return None
    if value is None:
        return None
    text = normalize_space(str(value)).strip().strip(".").casefold()
    if not text:
        return None
    if text in _LANGUAGE_LOOKUP:
        return _LANGUAGE_LOOKUP[text]
    base = re.split(r"[-_]", text, maxsplit=1)[0]
    if len(base) in (2, 3) and base in _LANGUAGE_LOOKUP:
        return _LANGUAGE_LOOKUP[base]
    return text


def languages_from(values: Any) -> list[str]:
    """A list (or ``Deutsch, Englisch und Arabisch``) -> ``["de", "en", "ar"]``, unique, in order."""
    out: list[str] = []
    for v in _as_list(values):
        parts = re.split(r"\s*(?:[,;/|]|\bund\b|\boder\b|\band\b|\bsowie\b)\s*", v) if isinstance(v, str) else [v]
        for p in parts:
            code = language_code(p)
            if code and code not in out:
                out.append(code)
    return out


def _euro(amount: float) -> str:
    return (f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
            if amount != int(amount) else f"{int(amount):,}".replace(",", "."))


def _german_date(iso: str) -> str:
    try:
        d = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return f"{d.day}. {_MONTH_NAMES_DE[d.month - 1]} {d.year}"


def _age_text(lo: int | None, hi: int | None) -> str | None:
    if lo is not None and hi is not None:
        return f"{lo} bis {hi} Jahre" if lo != hi else f"{lo} Jahre"
    if lo is not None:
        return f"ab {lo} Jahren"
    if hi is not None:
        return f"bis {hi} Jahre"
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _text(value: Any) -> str | None:
    """A plain string from a JSON-LD value: strings as they are (HTML stripped), ``{"name"}`` objects
    by name, ``{"@value"}`` by value, lists by their first usable entry."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, list):
        for v in value:
            t = _text(v)
            if t:
                return t
        return None
    if isinstance(value, Mapping):
        return _text(value.get("name") or value.get("@value"))
    s = str(value)
    if "<" in s and ">" in s:
        s = BeautifulSoup(s, "lxml").get_text(" ")
    s = normalize_space(s).replace("\n", " ").strip()
    return s or None


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    m = re.search(r"\d{1,3}", str(value))
    return int(m.group(0)) if m else None


def _date(value: Any) -> str | None:
    """Lenient: the first usable date of a JSON-LD value, else ``None``."""
    for v in _as_list(value):
        if isinstance(v, Mapping):
            v = v.get("@value")
        try:
            d = parse_date(v)
        except ValueError:
            d = None
        if d:
            return d
    return None


# ---------------------------------------------------------------------------------------------
# JSON-LD

_EVENT_TYPES = {"event", "educationevent", "childrensevent", "courseinstance", "socialevent", "musicevent",
                "theaterevent", "exhibitionevent", "festival", "literaryevent", "screeningevent", "sportsevent",
                "danceevent", "comedyevent", "foodevent", "businessevent", "visualartsevent", "eventseries",
                "hackathon", "publicationevent", "saleevent"}
_COURSE_TYPES = {"course", "educationaloccupationalprogram", "workbasedprogram"}
_SERVICE_TYPES = {"service", "governmentservice", "financialproduct", "broadcastservice", "cableorsatelliteservice",
                  "foodservice", "taxi", "taxiservice", "webapi"}
_OFFER_TYPES = _EVENT_TYPES | _COURSE_TYPES | _SERVICE_TYPES


def _types(node: Mapping[str, Any]) -> set[str]:
    out: set[str] = set()
    for t in _as_list(node.get("@type") or node.get("type")):
        if isinstance(t, str):
            out.add(re.split(r"[/#:]", t)[-1].casefold())
    return out


def _kind(node: Mapping[str, Any]) -> str | None:
    types = _types(node)
    if types & _COURSE_TYPES:
        return "course"
    if types & _EVENT_TYPES or any(t.endswith("event") for t in types):
        return "event"
    if types & _SERVICE_TYPES:
        return "service"
    return None


def _load_json_ld(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text.removeprefix("<!--").removesuffix("-->")
    for candidate in (text, re.sub(r",\s*([}\]])", r"\1", text), re.sub(r"[\x00-\x1f]", " ", text)):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    return None


def offers_from_json_ld(texts: Iterable[str | Any], page_url: str) -> list[Offer]:
    """Offers of the page's JSON-LD blocks (strings, or already parsed JSON). Unparseable blocks are
    skipped. Relative URLs are resolved against ``page_url``."""
    roots: list[Any] = []
    for t in texts:
        data = _load_json_ld(t) if isinstance(t, str) else t
        if data is not None:
            roots.append(data)
    ids: dict[str, Mapping[str, Any]] = {}
    for node in _walk(roots):
        if isinstance(node.get("@id"), str) and len(node) > 1:
            ids.setdefault(node["@id"], node)
    out: list[Offer] = []
    for node in _offer_nodes(roots):
        out.extend(_offers_of(_Resolver(ids), node, page_url))
    return _unique(out)


def _walk(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, Mapping):
        yield value
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)


def _offer_nodes(value: Any) -> Iterator[Mapping[str, Any]]:
    """Top-most offer-like nodes; their own children (a Course's CourseInstance) are not offers."""
    if isinstance(value, Mapping):
        if _kind(value):
            yield value
            return
        for v in value.values():
            yield from _offer_nodes(v)
    elif isinstance(value, list):
        for v in value:
            yield from _offer_nodes(v)


class _Resolver:
    def __init__(self, ids: Mapping[str, Mapping[str, Any]]) -> None:
        self.ids = ids

    def __call__(self, value: Any) -> Any:
        """``{"@id": "#place"}`` -> the node with that id (lists resolved item by item)."""
        if isinstance(value, list):
            return [self(v) for v in value]
        if isinstance(value, Mapping) and set(value) <= {"@id", "@type"} and value.get("@id") in self.ids:
            return self.ids[value["@id"]]
        return value

    def first(self, node: Mapping[str, Any], *keys: str) -> Any:
        for k in keys:
            v = node.get(k)
            if v not in (None, "", []):
                return self(v)
        return None


def _offers_of(r: _Resolver, node: Mapping[str, Any], page_url: str) -> list[Offer]:
    kind = _kind(node)
    base: dict[str, Any] = {
        "title": _text(r.first(node, "name", "headline", "courseCode")),
        "description": _text(r.first(node, "description", "abstract", "disambiguatingDescription")),
        "provider": _text(r.first(node, "provider", "organizer", "author", "brand")),
        "url": _url(r.first(node, "url", "mainEntityOfPage", "@id"), page_url),
    }
    audience = r.first(node, "audience")
    aud = next((a for a in (_as_list(r(audience)) or [{}]) if isinstance(a, Mapping)), {})
    base["audience"] = _text(r.first(aud, "audienceType", "name", "description")) if aud else _text(audience)
    lo, hi = _int(aud.get("suggestedMinAge")), _int(aud.get("suggestedMaxAge"))
    if lo is None and hi is None:
        lo, hi = parse_age_range(_text(r.first(node, "typicalAgeRange")) or _text(aud.get("typicalAgeRange")))
    base["min_age"], base["max_age"] = lo, hi
    languages = languages_from(r(node.get("inLanguage")))
    offers = [o for o in _as_list(r(node.get("offers"))) if isinstance(o, Mapping)]
    cost = _cost(r, node, offers)
    base.update(cost)
    base["registration_url"] = _registration_url(r, node, offers, page_url)
    base["registration_until"] = _date([o.get("validThrough") for o in offers if o.get("validThrough")]) if (
        kind != "service") else None

    if kind == "course":
        instances = [i for i in _as_list(r(node.get("hasCourseInstance"))) if isinstance(i, Mapping)] or [{}]
        out = []
        for inst in instances:
            place = _place(r, r.first(inst, "location")) if inst else (None, None)
            if place == (None, None):
                place = _place(r, r.first(node, "location", "contentLocation"))
            langs = languages_from(r(inst.get("inLanguage"))) if inst else []
            out.append(_make(base, start=_date(inst.get("startDate")) if inst else None,
                             end=_date(inst.get("endDate")) if inst else None, place=place,
                             languages=_merge(languages, langs)))
        return [o for o in out if o]
    if kind == "event":
        place = _place(r, r.first(node, "location"))
        start = _date(node.get("startDate"))
        single = not node.get("eventSchedule") and "eventseries" not in _types(node)
        end = _date(node.get("endDate")) or (start if single else None)  # a one-off event ends on its day
        return [o for o in [_make(base, start=start, end=end, place=place, languages=languages)] if o]
    # Service: period in offers (availabilityStarts/Ends) or hoursAvailable; place in availableChannel.
    channels = [c for c in _as_list(r(node.get("availableChannel"))) if isinstance(c, Mapping)]
    start = _date([o.get("availabilityStarts") for o in offers if o.get("availabilityStarts")])
    end = _date([o.get("availabilityEnds") for o in offers if o.get("availabilityEnds")])
    hours = [h for h in _as_list(r(node.get("hoursAvailable"))) if isinstance(h, Mapping)]
    start = start or _date([h.get("validFrom") for h in hours if h.get("validFrom")])
    end = end or _date([h.get("validThrough") for h in hours if h.get("validThrough")])
    places: list[tuple[str | None, str | None]] = []
    for c in channels:
        p = _place(r, r(c.get("serviceLocation")))
        if p == (None, None) and (c.get("serviceUrl") or c.get("servicePhone")):
            p = (_text(c.get("name")), None)
        if p != (None, None):
            places.append(p)
        languages = _merge(languages, languages_from(r(c.get("availableLanguage"))))
    if not places:
        places = [_place(r, r.first(node, "location", "serviceLocation"))]
    location = "; ".join(dict.fromkeys(p[0] for p in places if p[0])) or None
    district = next((p[1] for p in places if p[1]), None)
    return [o for o in [_make(base, start=start, end=end, place=(location, district), languages=languages)] if o]


def _make(base: Mapping[str, Any], *, start: str | None, end: str | None, place: tuple[str | None, str | None],
          languages: list[str]) -> Offer | None:
    if not base.get("title"):
        return None
    return Offer(**{**base, "start_date": start, "end_date": end or None, "location": place[0],
                    "district": place[1], "languages": languages})


def _merge(a: list[str], b: list[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def _url(value: Any, page_url: str) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("@id") or value.get("url") or value.get("urlTemplate")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str) or not value.strip() or value.startswith("_:"):
        return None
    value = value.strip()
    if value.startswith(("mailto:", "tel:")):
        return value
    return urljoin(page_url, value)


def _place(r: _Resolver, value: Any) -> tuple[str | None, str | None]:
    """(location text, district) of a Place, a PostalAddress, a VirtualLocation or a plain string."""
    items = [v for v in _as_list(r(value)) if v not in (None, "")]
    for v in items:
        if isinstance(v, str):
            return _text(v), None
        if not isinstance(v, Mapping):
            continue
        types = _types(v)
        if "virtuallocation" in types:
            return ("online" + (f" ({_url(v.get('url'), '')})" if v.get("url") else "")), None
        address = r(v.get("address"))
        parts = [_text(v.get("name"))] if "postaladdress" not in types else []
        addr = address if isinstance(address, Mapping) else (v if "postaladdress" in types else None)
        if addr is not None:
            street = _text(addr.get("streetAddress"))
            city = " ".join(x for x in (_text(addr.get("postalCode")), _text(addr.get("addressLocality"))) if x)
            parts += [street, city]
        elif isinstance(address, str):
            parts.append(_text(address))
        location = ", ".join(dict.fromkeys(p for p in parts if p)) or None
        return location, _district(r, v)
    return None, None


def _district(r: _Resolver, place: Mapping[str, Any]) -> str | None:
    """The nearest ``containedInPlace`` that is not the city itself (AdministrativeArea first)."""
    city = None
    addr = r(place.get("address"))
    if isinstance(addr, Mapping):
        city = _text(addr.get("addressLocality"))
    node: Any = r(place.get("containedInPlace"))
    fallback = None
    for _ in range(5):
        node = next((n for n in _as_list(node) if isinstance(n, Mapping)), None)
        if node is None:
            break
        name = _text(node.get("name"))
        types = _types(node)
        if name and name != city and not types & {"city", "country", "state"}:
            if types & {"administrativearea", "neighborhood", "district"} or not types:
                return name
            fallback = fallback or name
        node = r(node.get("containedInPlace"))
    return fallback


def _cost(r: _Resolver, node: Mapping[str, Any], offers: list[Mapping[str, Any]]) -> dict[str, Any]:
    prices: list[float] = []
    notes: list[str] = []
    currency = None
    for o in offers:
        spec = r(o.get("priceSpecification"))
        spec = next((s for s in _as_list(spec) if isinstance(s, Mapping)), {})
        p, _ = parse_price(o.get("price") if o.get("price") is not None else (o.get("lowPrice") or spec.get("price")))
        if p is not None:
            prices.append(p)
        currency = currency or o.get("priceCurrency") or spec.get("priceCurrency")
        note = _text(o.get("category")) or _text(o.get("name")) or _text(o.get("description"))
        if note:
            notes.append(note)
    flag = node.get("isAccessibleForFree")
    free = flag if isinstance(flag, bool) else {"true": True, "false": False}.get(str(flag).strip().lower())
    price = min(prices) if prices else None
    if free is None and price is not None:
        free = price == 0
    if free and price is None:
        price = 0.0
    if free:
        text = "kostenlos"
    elif price is not None:
        unit = "Euro" if (currency or "EUR").upper() in ("EUR", "€") else str(currency)
        text = f"{_euro(price)} {unit}" + (f" ({notes[0]})" if notes else "")
    else:
        text = None
    return {"cost_text": text, "price": price, "free": free}


def _registration_url(r: _Resolver, node: Mapping[str, Any], offers: list[Mapping[str, Any]],
                      page_url: str) -> str | None:
    for action in _as_list(r(node.get("potentialAction"))):
        if isinstance(action, Mapping) and _types(action) & {"registeraction", "joinaction", "reserveaction",
                                                              "orderaction", "applyaction"}:
            target = r(action.get("target"))
            url = _url(target, page_url) or _url(action.get("url"), page_url)
            if url:
                return url
    for o in offers:
        url = _url(o.get("url"), page_url)
        if url:
            return url
    for c in _as_list(r(node.get("availableChannel"))):
        if isinstance(c, Mapping):
            url = _url(c.get("serviceUrl"), page_url)
            if url:
                return url
    return None


# ---------------------------------------------------------------------------------------------
# Microdata

def offers_from_microdata(html: str, page_url: str) -> list[Offer]:
    """Offers of the page's schema.org microdata (``itemscope``/``itemtype``/``itemprop``)."""
    return _offers_from_soup_microdata(BeautifulSoup(html, "lxml"), page_url)


def _offers_from_soup_microdata(soup: BeautifulSoup, page_url: str) -> list[Offer]:
    tops = [el for el in soup.find_all(attrs={"itemscope": True}) if not el.has_attr("itemprop")]
    if not tops:
        return []
    return offers_from_json_ld([[_microdata_item(el, page_url) for el in tops]], page_url)


def _microdata_item(el: Tag, page_url: str) -> dict[str, Any]:
    item: dict[str, Any] = {}
    itemtype = el.get("itemtype") or ""
    types = (itemtype if isinstance(itemtype, list) else str(itemtype).split())
    if types:
        item["@type"] = types if len(types) > 1 else types[0]
    if el.get("itemid"):
        item["@id"] = el["itemid"]
    for prop_el in _props(el):
        value: Any = (_microdata_item(prop_el, page_url) if prop_el.has_attr("itemscope")
                      else _microdata_value(prop_el, page_url))
        for name in str(prop_el.get("itemprop") or "").split():
            if name in item:
                item[name] = [*_as_list(item[name]), value]
            else:
                item[name] = value
    return item


def _props(scope: Tag) -> Iterator[Tag]:
    """Descendants with ``itemprop`` that belong to ``scope`` (not to a nested item)."""
    for child in scope.find_all(True, recursive=False):
        if child.has_attr("itemprop"):
            yield child
        if not child.has_attr("itemscope"):
            yield from _props(child)


def _microdata_value(el: Tag, page_url: str) -> str:
    name = el.name
    if el.has_attr("content"):
        return str(el["content"])
    if name in ("a", "area", "link") and el.get("href"):
        return urljoin(page_url, str(el["href"]))
    if name in ("img", "audio", "video", "source", "embed", "iframe") and el.get("src"):
        return urljoin(page_url, str(el["src"]))
    if name == "time" and el.get("datetime"):
        return str(el["datetime"])
    if name in ("data", "meter") and el.get("value") is not None:
        return str(el["value"])
    return normalize_space(el.get_text(" ")).replace("\n", " ")


# ---------------------------------------------------------------------------------------------
# HTML listings by selectors

_URL_FIELDS = {"registration_url", "url"}


def offers_from_listing(html: str | BeautifulSoup, page_url: str, selectors: Mapping[str, str]) -> list[Offer]:
    """One offer per element matching ``selectors["item"]``; the other keys are Offer fields (plus
    ``age`` like "4 bis 6 Jahre" and ``dates`` like "3. März bis 7. April 2027") mapped to a CSS
    selector inside the item. ``"sel@attr"`` reads an attribute instead of the text; ``"@attr"``
    reads it from the item itself. Items without a title are left out."""
    soup = html if isinstance(html, BeautifulSoup) else BeautifulSoup(html, "lxml")
    item_sel = selectors.get("item")
    if not item_sel:
        raise ValueError("listing selectors need an 'item' selector")
    out: list[Offer] = []
    for item in soup.select(item_sel):
        raw: dict[str, Any] = {}
        for name, sel in selectors.items():
            if name == "item" or not sel:
                continue
            value = _select_value(item, sel, page_url, url_field=name in _URL_FIELDS)
            if value is not None:
                raw[name] = value
        offer = offer_from_fields(raw, lenient=True)
        if offer is not None:
            out.append(offer)
    return _unique(out)


def _select_value(item: Tag, selector: str, page_url: str, *, url_field: bool) -> str | None:
    sel, _, attr = selector.rpartition("@") if "@" in selector and not selector.endswith("]") else (selector, "", "")
    sel = sel.strip()
    el = item if not sel else item.select_one(sel)
    if el is None:
        return None
    if attr:
        v = el.get(attr)
        if v is None:
            return None
        v = " ".join(v) if isinstance(v, list) else str(v)
        return urljoin(page_url, v) if url_field else v
    if url_field:
        link = el if el.get("href") else el.find("a", href=True)
        return urljoin(page_url, str(link["href"])) if isinstance(link, Tag) else None
    if el.name == "time" and el.get("datetime"):
        return str(el["datetime"])
    if el.has_attr("content"):
        return str(el["content"])
    return normalize_space(el.get_text(" ")).replace("\n", " ") or None


# ---------------------------------------------------------------------------------------------
# Fields -> Offer (listings and feeds)

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


def _mapping(columns: Iterable[str], fields: Mapping[str, str] | None) -> dict[str, str]:
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


_EXTRA = "_extra_cells_"


def offers_from_csv(text: str, *, fields: Mapping[str, str] | None = None, delimiter: str | None = None,
                    where: str = "feed") -> tuple[list[Offer], list[tuple[str, str]]]:
    """CSV with a header row -> (offers, problems). A problem is ``(where:line, reason)``; a broken
    row is left out, the others are kept. The delimiter (``,`` ``;`` or tab) is detected if not given."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        return [], [(where, "the feed is empty")]
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, restkey=_EXTRA)
    header = reader.fieldnames or []
    mapping = _mapping(header, fields)
    if "title" not in mapping or mapping["title"] not in header:
        wanted = (fields or {}).get("title") or "title"
        return [], [(where, f"no title column (looked for {wanted!r}; columns are {', '.join(header)})")]
    missing = [f"{k} -> {v!r}" for k, v in mapping.items() if v not in header]
    problems: list[tuple[str, str]] = []
    if missing:
        problems.append((where, f"configured columns not in the header: {', '.join(missing)}"))
    offers: list[Offer] = []
    for row in reader:
        line = f"{where}:{reader.line_num}"
        extra = row.pop(_EXTRA, None)
        if extra:
            problems.append((line, f"the row has {len(header) + len(extra)} cells, the header {len(header)} "
                                   f"(an unquoted {delimiter!r} inside a value?)"))
            continue
        if all(v in (None, "") for v in row.values()):
            continue
        if any(v is None for v in row.values()):
            problems.append((line, f"the row has fewer cells than the header's {len(header)}"))
            continue
        raw = {name: row.get(col) for name, col in mapping.items() if col in row}
        try:
            offer = offer_from_fields(raw)
        except FeedProblem as exc:
            problems.append((line, str(exc)))
            continue
        if offer is not None:
            offers.append(offer)
    return offers, problems


def offers_from_json(data: Any, *, fields: Mapping[str, str] | None = None, records: str | None = None,
                     where: str = "feed") -> tuple[list[Offer], list[tuple[str, str]]]:
    """A JSON feed -> (offers, problems): a list of objects, or an object holding the list (under
    ``records``, a dotted path, else the first list of objects found). Objects with ``@type`` are
    read as schema.org JSON-LD; the others by field names (``fields`` mapping, dotted paths allowed)."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            return [], [(where, f"not valid JSON ({exc.msg} at line {exc.lineno})")]
    items = _records(data, records)
    if items is None:
        return [], [(where, f"no list of records found{f' at {records!r}' if records else ''}")]
    offers: list[Offer] = []
    problems: list[tuple[str, str]] = []
    for i, item in enumerate(items, 1):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            problems.append((at, "a record must be a JSON object"))
            continue
        if "@type" in item or "@graph" in item:
            found = offers_from_json_ld([item], "")
            if not found:
                problems.append((at, f"no offer in the schema.org record (type {item.get('@type')!r})"))
            offers.extend(found)
            continue
        mapping = _mapping(_flat_keys(item), fields)
        raw = {name: _dig(item, key) for name, key in mapping.items()}
        try:
            offer = offer_from_fields(raw)
        except FeedProblem as exc:
            problems.append((at, str(exc)))
            continue
        if offer is not None:
            offers.append(offer)
    return offers, problems


def _records(data: Any, path: str | None) -> list[Any] | None:
    if path:
        node = _dig(data, path, raw=True)
        return node if isinstance(node, list) else None
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        if "@graph" in data or "@type" in data:
            return [data]
        for key in ("offers", "items", "records", "data", "results", "angebote", "kurse", "events"):
            if isinstance(data.get(key), list):
                return data[key]
        for v in data.values():
            if isinstance(v, list) and v and all(isinstance(x, Mapping) for x in v):
                return v
    return None


def _flat_keys(item: Mapping[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for k, v in item.items():
        keys.append(prefix + str(k))
        if isinstance(v, Mapping):
            keys.extend(_flat_keys(v, f"{prefix}{k}."))
    return keys


def _dig(data: Any, path: str, *, raw: bool = False) -> Any:
    node = data
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return None
    if raw:
        return node
    if isinstance(node, Mapping):
        return _text(node)
    if isinstance(node, list) and all(not isinstance(x, Mapping | list) for x in node):
        return [str(x) for x in node]
    return node


def offer_key(offer_meta: Mapping[str, Any]) -> str:
    """A stable short id of an offer's fields."""
    return hashlib.blake2b(json.dumps(offer_meta, sort_keys=True, ensure_ascii=False).encode(),
                           digest_size=8).hexdigest()


# ---------------------------------------------------------------------------------------------
# Feed sources

def read_feed(source: Any, *, user_agent: str, timeout: float = 15.0
              ) -> tuple[list[Document], list[tuple[str, str]]]:
    """A ``FeedSource`` -> (offer Documents, problems). An offer cites its own ``url``, else its
    ``registration_url``, else the feed."""
    where = source.url or source.path.name
    try:
        if source.url:
            import httpx

            r = httpx.get(source.url, headers={"User-Agent": user_agent}, timeout=timeout, follow_redirects=True)
            if r.status_code != 200:
                return [], [(source.url, f"HTTP {r.status_code}")]
            text = r.text
            cite = source.url
        else:
            text = source.path.read_text(encoding="utf-8-sig")
            cite = source.path.resolve().as_uri()
    except FileNotFoundError:
        return [], [(str(source.path), "file not found")]
    except UnicodeDecodeError as exc:
        return [], [(where, f"not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except OSError as exc:
        return [], [(where, f"cannot read the feed ({exc})")]
    except Exception as exc:  # httpx errors: DNS, timeouts, TLS
        return [], [(where, f"cannot fetch the feed ({type(exc).__name__}: {exc})")]
    if source.format == "csv":
        offers, problems = offers_from_csv(text, fields=source.fields or None, delimiter=source.delimiter,
                                           where=where)
    else:
        offers, problems = offers_from_json(text, fields=source.fields or None, records=source.records,
                                            where=where)
    docs = []
    for o in _unique(offers):
        o.source_name = source.name
        docs.append(offer_document(o, url=o.url or o.registration_url or cite, source_name=source.name))
    return docs, problems
