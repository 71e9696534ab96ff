"""CSV and JSON feeds of offers, and the feed source reader (file or URL)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from ingest.offers.fields import FeedProblem, column_mapping, offer_from_fields
from ingest.offers.jsonld import offers_from_json_ld
from ingest.offers.record import Offer, offer_document, unique_offers
from ingest.offers.values import clean_text
from lotse.schema import Document

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
    mapping = column_mapping(header, fields)
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
        _add({name: row.get(col) for name, col in mapping.items() if col in row}, line, offers, problems)
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
        mapping = column_mapping(_flat_keys(item), fields)
        _add({name: _dig(item, key) for name, key in mapping.items()}, at, offers, problems)
    return offers, problems


def _add(raw: dict[str, Any], where: Any, offers: list, problems: list) -> None:  # type: ignore[type-arg]
    """One record's offer, or its problem (located by ``where``: a line number or a record path)."""
    try:
        offer = offer_from_fields(raw)
    except FeedProblem as exc:
        problems.append((where, str(exc)))
        return
    if offer is not None:
        offers.append(offer)


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
        return clean_text(node)
    if isinstance(node, list) and all(not isinstance(x, Mapping | list) for x in node):
        return [str(x) for x in node]
    return node


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
    for o in unique_offers(offers):
        o.source_name = source.name
        docs.append(offer_document(o, url=o.url or o.registration_url or cite, source_name=source.name))
    return docs, problems
