"""schema.org microdata: ``itemscope``/``itemprop`` turned into the same dictionaries as JSON-LD."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from ingest.offers.jsonld import offers_from_json_ld
from ingest.offers.record import Offer
from ingest.offers.values import as_list
from lotse.text import normalize_space


def offers_from_microdata(html: str, page_url: str) -> list[Offer]:
    """Offers of the page's schema.org microdata (``itemscope``/``itemtype``/``itemprop``)."""
    return offers_from_soup_microdata(BeautifulSoup(html, "lxml"), page_url)


def offers_from_soup_microdata(soup: BeautifulSoup, page_url: str) -> list[Offer]:
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
                item[name] = [*as_list(item[name]), value]
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
