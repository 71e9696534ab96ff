"""Offers end to end: the demo's JSON-LD offers crawled, indexed and filtered over real HTTP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration

EXPIRED = "familienbuero-elterngeld"


def search(server: str, **params: object) -> list[dict]:
    r = httpx.get(f"{server}/v1/search", params={"k": 20, **params}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["passages"]


def offers(server: str, **params: object) -> dict:
    r = httpx.get(f"{server}/v1/offers", params=params, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def test_district_filter_returns_only_the_musikschule_offer(server: str) -> None:
    passages = search(server, q="Kurs", kind="offer", district="Wattenscheid")
    assert len(passages) == 1
    p = passages[0]
    assert p["kind"] == "offer"
    assert "musikschule" in p["source"]["url"]
    assert p["offer"]["district"] == "Wattenscheid"
    assert p["offer"]["languages"] == ["de", "tr"]
    assert (p["offer"]["min_age"], p["offer"]["max_age"]) == (4, 6)
    assert p["offer"]["price"] == 32.0 and p["offer"]["free"] is False


def test_expired_offer_is_absent_unless_asked_for(server: str) -> None:
    q = "Infoabend Elterngeld Familienbüro"
    assert not any(EXPIRED in p["source"]["url"] for p in search(server, q=q))
    assert not any(EXPIRED in p["source"]["url"] for p in search(server, q=q, kind="offer"))
    with_expired = search(server, q=q, kind="offer", include_expired="true")
    assert any(EXPIRED in p["source"]["url"] and p["offer"]["end_date"] == "2025-09-17" for p in with_expired)


def test_offer_field_filters(server: str) -> None:
    urls = {p["source"]["url"].rsplit("/", 1)[-1] for p in search(server, q="Angebot für Kinder", age=5)}
    assert urls == {"musikschule-fruehfoerderung.html", "kita-anmeldung-kita-portal.html"}
    for p in search(server, q="Beratung", free="true"):
        assert p["kind"] == "offer" and p["offer"]["free"] is True
    for p in search(server, q="Beratung", language="uk"):
        assert "uk" in p["offer"]["languages"]
    assert all(p["kind"] == "page" for p in search(server, q="Kita", kind="page"))
    assert search(server, q="Kita", source="no-such-source") == []


def test_unfiltered_search_shows_offer_fields(server: str) -> None:
    passages = search(server, q="Deutschkurs VHS A1")
    offer = next(p for p in passages if p["kind"] == "offer")
    assert offer["offer"]["title"].startswith("Deutsch A1")
    assert offer["offer"]["registration_url"]


def test_offers_lists_the_five_current_offers(server: str) -> None:
    body = offers(server)
    assert body["total"] == 5 and len(body["offers"]) == 5
    assert not any(EXPIRED in o["source"]["url"] for o in body["offers"])
    starts = [o["offer"]["start_date"] for o in body["offers"]]
    assert starts == sorted(starts)
    assert offers(server, include_expired="true")["total"] == 6
    page = offers(server, limit=2, offset=4)
    assert (page["total"], len(page["offers"])) == (5, 1)
    assert [o["offer"]["district"] for o in offers(server, district="Wattenscheid")["offers"]] == ["Wattenscheid"]


def test_bad_filter_values_are_422(server: str) -> None:
    for params in ({"q": "Kita", "kind": "pdf"}, {"q": "Kita", "age": "fünf"}):
        r = httpx.get(f"{server}/v1/search", params=params, timeout=30)
        assert r.status_code == 422 and set(r.json()) == {"error", "message"}


def test_the_document_list_marks_expired_offers(server: str) -> None:
    docs = httpx.get(f"{server}/v1/documents", params={"kind": "offer"}, timeout=30).json()["documents"]
    expired = {d["url"] for d in docs if d["expired"]}
    assert expired and all(EXPIRED in u for u in expired)  # still indexed, marked
    assert any(not d["expired"] for d in docs)
