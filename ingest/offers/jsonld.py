"""schema.org JSON-LD: ``Course`` (dates and place inside ``hasCourseInstance``),
``Event``/``EducationEvent`` and kin, ``Service``/``GovernmentService``, inside ``@graph``,
lists or wrappers such as ``ItemList`` and ``WebPage.mainEntity``. The district is
``Place.containedInPlace.name`` (schema.org has no district field)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urljoin

from ingest.offers.record import Offer, unique_offers
from ingest.offers.values import (
    as_list,
    clean_text,
    date_value,
    euro,
    int_value,
    languages_from,
    parse_age_range,
    parse_price,
)

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
    for t in as_list(node.get("@type") or node.get("type")):
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
    return unique_offers(out)


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
        "title": clean_text(r.first(node, "name", "headline", "courseCode")),
        "description": clean_text(r.first(node, "description", "abstract", "disambiguatingDescription")),
        "provider": clean_text(r.first(node, "provider", "organizer", "author", "brand")),
        "url": _url(r.first(node, "url", "mainEntityOfPage", "@id"), page_url),
    }
    audience = r.first(node, "audience")
    aud = next((a for a in (as_list(r(audience)) or [{}]) if isinstance(a, Mapping)), {})
    base["audience"] = clean_text(r.first(aud, "audienceType", "name", "description")) if aud else clean_text(audience)
    lo, hi = int_value(aud.get("suggestedMinAge")), int_value(aud.get("suggestedMaxAge"))
    if lo is None and hi is None:
        lo, hi = parse_age_range(clean_text(r.first(node, "typicalAgeRange")) or clean_text(aud.get("typicalAgeRange")))
    base["min_age"], base["max_age"] = lo, hi
    languages = languages_from(r(node.get("inLanguage")))
    offers = [o for o in as_list(r(node.get("offers"))) if isinstance(o, Mapping)]
    cost = _cost(r, node, offers)
    base.update(cost)
    base["registration_url"] = _registration_url(r, node, offers, page_url)
    base["registration_until"] = date_value([o.get("validThrough") for o in offers if o.get("validThrough")]) if (
        kind != "service") else None

    if kind == "course":
        instances = [i for i in as_list(r(node.get("hasCourseInstance"))) if isinstance(i, Mapping)] or [{}]
        out = []
        for inst in instances:
            place = _place(r, r.first(inst, "location")) if inst else (None, None)
            if place == (None, None):
                place = _place(r, r.first(node, "location", "contentLocation"))
            langs = languages_from(r(inst.get("inLanguage"))) if inst else []
            out.append(_make(base, start=date_value(inst.get("startDate")) if inst else None,
                             end=date_value(inst.get("endDate")) if inst else None, place=place,
                             languages=_merge(languages, langs)))
        return [o for o in out if o]
    if kind == "event":
        place = _place(r, r.first(node, "location"))
        start = date_value(node.get("startDate"))
        single = not node.get("eventSchedule") and "eventseries" not in _types(node)
        end = date_value(node.get("endDate")) or (start if single else None)  # a one-off event ends on its day
        return [o for o in [_make(base, start=start, end=end, place=place, languages=languages)] if o]
    # Service: period in offers (availabilityStarts/Ends) or hoursAvailable; place in availableChannel.
    channels = [c for c in as_list(r(node.get("availableChannel"))) if isinstance(c, Mapping)]
    start = date_value([o.get("availabilityStarts") for o in offers if o.get("availabilityStarts")])
    end = date_value([o.get("availabilityEnds") for o in offers if o.get("availabilityEnds")])
    hours = [h for h in as_list(r(node.get("hoursAvailable"))) if isinstance(h, Mapping)]
    start = start or date_value([h.get("validFrom") for h in hours if h.get("validFrom")])
    end = end or date_value([h.get("validThrough") for h in hours if h.get("validThrough")])
    places: list[tuple[str | None, str | None]] = []
    for c in channels:
        p = _place(r, r(c.get("serviceLocation")))
        if p == (None, None) and (c.get("serviceUrl") or c.get("servicePhone")):
            p = (clean_text(c.get("name")), None)
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
    items = [v for v in as_list(r(value)) if v not in (None, "")]
    for v in items:
        if isinstance(v, str):
            return clean_text(v), None
        if not isinstance(v, Mapping):
            continue
        types = _types(v)
        if "virtuallocation" in types:
            return ("online" + (f" ({_url(v.get('url'), '')})" if v.get("url") else "")), None
        address = r(v.get("address"))
        parts = [clean_text(v.get("name"))] if "postaladdress" not in types else []
        addr = address if isinstance(address, Mapping) else (v if "postaladdress" in types else None)
        if addr is not None:
            street = clean_text(addr.get("streetAddress"))
            city = " ".join(x for x in (clean_text(addr.get("postalCode")), clean_text(addr.get("addressLocality")))
                            if x)
            parts += [street, city]
        elif isinstance(address, str):
            parts.append(clean_text(address))
        location = ", ".join(dict.fromkeys(p for p in parts if p)) or None
        return location, _district(r, v)
    return None, None


def _district(r: _Resolver, place: Mapping[str, Any]) -> str | None:
    """The nearest ``containedInPlace`` that is not the city itself (AdministrativeArea first)."""
    city = None
    addr = r(place.get("address"))
    if isinstance(addr, Mapping):
        city = clean_text(addr.get("addressLocality"))
    node: Any = r(place.get("containedInPlace"))
    fallback = None
    for _ in range(5):
        node = next((n for n in as_list(node) if isinstance(n, Mapping)), None)
        if node is None:
            break
        name = clean_text(node.get("name"))
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
        spec = next((s for s in as_list(spec) if isinstance(s, Mapping)), {})
        p, _ = parse_price(o.get("price") if o.get("price") is not None else (o.get("lowPrice") or spec.get("price")))
        if p is not None:
            prices.append(p)
        currency = currency or o.get("priceCurrency") or spec.get("priceCurrency")
        note = clean_text(o.get("category")) or clean_text(o.get("name")) or clean_text(o.get("description"))
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
        text = f"{euro(price)} {unit}" + (f" ({notes[0]})" if notes else "")
    else:
        text = None
    return {"cost_text": text, "price": price, "free": free}


def _registration_url(r: _Resolver, node: Mapping[str, Any], offers: list[Mapping[str, Any]],
                      page_url: str) -> str | None:
    for action in as_list(r(node.get("potentialAction"))):
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
    for c in as_list(r(node.get("availableChannel"))):
        if isinstance(c, Mapping):
            url = _url(c.get("serviceUrl"), page_url)
            if url:
                return url
    return None
