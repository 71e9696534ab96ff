"""HTML listings: an ``item`` CSS selector plus one selector per field, from the sources file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from ingest.offers.fields import offer_from_fields
from ingest.offers.record import Offer, unique_offers
from lotse.text import normalize_space

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
    return unique_offers(out)


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
