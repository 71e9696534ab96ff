"""Offers as structured records: JSON-LD, microdata, listings, feeds, filters (hashing embedder)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from assistant.filters import build_filter, default_filter, is_expired, list_offers
from index.store import IndexStore
from ingest.chunk import Chunker
from ingest.offers import (
    Offer,
    language_code,
    offer_document,
    offer_documents,
    offers_from_csv,
    offers_from_html,
    offers_from_json,
    offers_from_json_ld,
    offers_from_listing,
    offers_from_microdata,
    parse_age_range,
    parse_date,
    parse_date_range,
    parse_price,
)
from ingest.pipeline import IngestPipeline
from ingest.sources import FeedSource, WebSource, load_sources
from lotse.embedding import HashingEmbedder
from lotse.schema import Chunk, Passage, SourceRef
from lotse.sitesrv import serve_directory
from tests.conftest import REPO

ANGEBOTE = REPO / "demo" / "site" / "angebote"
TODAY = date(2026, 11, 26)


def demo_offer(name: str) -> Offer:
    html = (ANGEBOTE / f"{name}.html").read_text(encoding="utf-8")
    offers = offers_from_html(html, f"http://127.0.0.1:8001/angebote/{name}.html")
    assert len(offers) == 1, offers
    return offers[0]


class TestDemoJsonLd:
    def test_course_with_course_instance(self) -> None:
        o = demo_offer("vhs-deutschkurs-a1")
        assert o.title == "Deutsch A1 – Intensivkurs für Anfängerinnen und Anfänger"
        assert o.provider == "VHS Bochum"
        assert o.district == "Bochum-Mitte"
        assert "Bildungs- und Verwaltungszentrum (BVZ)" in (o.location or "")
        assert (o.start_date, o.end_date) == ("2027-02-01", "2027-06-25")
        assert (o.price, o.free) == (145.0, False)
        assert o.cost_text and o.cost_text.startswith("145 Euro")
        assert o.languages == ["de", "en", "ar"]
        assert (o.min_age, o.max_age) == (16, None)
        assert o.registration_url == "http://127.0.0.1:8001/angebote/vhs-deutschkurs-a1.html"

    def test_education_event_flat(self) -> None:
        o = demo_offer("musikschule-fruehfoerderung")
        assert o.title == "Musikalische Früherziehung für Kinder von 4 bis 6 Jahren"
        assert o.provider == "Musikschule Bochum"
        assert o.district == "Wattenscheid"
        assert (o.start_date, o.end_date) == ("2027-09-07", "2027-12-14")
        assert (o.price, o.free) == (32.0, False)
        assert o.languages == ["de", "tr"]
        assert (o.min_age, o.max_age) == (4, 6)
        assert o.registration_url == "http://127.0.0.1:8001/angebote/musikschule-fruehfoerderung.html"
        assert o.registration_until == "2027-08-16"

    def test_free_event_without_registration_url(self) -> None:
        o = demo_offer("erziehungsberatung")
        assert o.provider == "Erziehungsberatungsstelle der Stadt Bochum"
        assert o.district == "Langendreer"
        assert (o.start_date, o.end_date) == ("2027-03-03", "2027-04-07")
        assert (o.price, o.free, o.cost_text) == (0.0, True, "kostenlos")
        assert o.languages == ["de", "uk", "ru"]
        assert (o.min_age, o.max_age) == (18, None)
        assert o.registration_url is None

    def test_expired_event(self) -> None:
        o = demo_offer("familienbuero-elterngeld")
        assert o.provider == "Familienbüro der Stadt Bochum"
        assert o.district == "Gerthe"
        assert (o.start_date, o.end_date) == ("2025-09-17", "2025-09-17")
        assert o.free is True and o.languages == ["de", "en", "pl"]
        assert o.is_expired(TODAY)

    def test_government_service_with_channels(self) -> None:
        o = demo_offer("kita-anmeldung-kita-portal")
        assert o.provider == "Jugendamt der Stadt Bochum"
        assert o.district == "Bochum-Mitte"  # the channel with a place: help at the Familienbüro
        assert (o.start_date, o.end_date) == ("2026-11-02", "2027-01-31")
        assert o.free is True
        assert o.languages == ["de", "en"]
        assert (o.min_age, o.max_age) == (0, 6)
        assert o.registration_url == "http://127.0.0.1:8001/angebote/kita-anmeldung-kita-portal.html"
        assert not o.is_expired(TODAY)

    def test_government_service_single_channel(self) -> None:
        o = demo_offer("schulberatung-neu-zugewanderte")
        assert o.provider == "Kommunales Integrationszentrum Bochum"
        assert o.district == "Bochum-Mitte"
        assert (o.start_date, o.end_date) == ("2027-01-11", "2027-12-17")
        assert o.free is True
        assert o.languages == ["de", "en", "ar", "tr", "uk", "ro"]
        assert (o.min_age, o.max_age) == (6, 18)
        assert o.registration_url is None

    def test_pages_without_offers(self) -> None:
        for page in ("index.html", "service/hundesteuer.html"):
            html = (REPO / "demo" / "site" / page).read_text(encoding="utf-8")
            assert offers_from_html(html, "http://x/") == []

    def test_passage_text_is_german_at_a_glance(self) -> None:
        text = demo_offer("musikschule-fruehfoerderung").passage_text()
        lines = text.splitlines()
        assert lines[0] == "Musikalische Früherziehung für Kinder von 4 bis 6 Jahren"
        assert "• Anbieter: Musikschule Bochum" in lines
        assert "• Bezirk: Wattenscheid" in lines
        assert "• Zeitraum: 7. September 2027 bis 14. Dezember 2027" in lines
        assert "• Sprachen: Deutsch, Türkisch" in lines
        assert "• Alter: 4 bis 6 Jahre" in lines
        assert lines[-1].startswith("Wöchentlicher Gruppenkurs")


class TestJsonLdShapes:
    def test_graph_ids_lists_and_strings(self) -> None:
        doc = {
            "@context": "https://schema.org",
            "@graph": [
                {"@type": "WebPage", "name": "Kurse"},
                {"@id": "#ort", "@type": "Place", "name": "Stadtteilbibliothek",
                 "address": {"@type": "PostalAddress", "addressLocality": "Bochum"},
                 "containedInPlace": {"@type": "AdministrativeArea", "name": "Linden"}},
                {"@type": ["Event", "Thing"], "name": "Lesestart", "startDate": "2027-05-04T10:00",
                 "location": {"@id": "#ort"}, "inLanguage": "Deutsch", "typicalAgeRange": "3-5",
                 "offers": {"price": "0", "priceCurrency": "EUR"},
                 "potentialAction": {"@type": "RegisterAction", "target": "/anmeldung?kurs=7"}},
            ],
        }
        [o] = offers_from_json_ld([json.dumps(doc)], "https://bochum.test/kurse/")
        assert o.title == "Lesestart"
        assert o.district == "Linden"
        assert o.location == "Stadtteilbibliothek, Bochum"
        assert (o.start_date, o.end_date) == ("2027-05-04", "2027-05-04")  # a one-off event
        assert (o.min_age, o.max_age) == (3, 5)
        assert o.languages == ["de"]
        assert o.free is True
        assert o.registration_url == "https://bochum.test/anmeldung?kurs=7"

    def test_list_of_courses_and_broken_block(self) -> None:
        block = json.dumps([
            {"@type": "Course", "name": "Excel", "hasCourseInstance": [
                {"@type": "CourseInstance", "startDate": "2027-01-10", "endDate": "2027-01-31",
                 "location": {"@type": "Place", "name": "VHS",
                              "containedInPlace": {"@type": "AdministrativeArea", "name": "Wattenscheid"}}},
                {"@type": "CourseInstance", "startDate": "2027-03-10", "endDate": "2027-03-31",
                 "location": {"@type": "Place", "name": "BVZ",
                              "containedInPlace": {"@type": "AdministrativeArea", "name": "Bochum-Mitte"}}},
            ]},
            {"@type": "Organization", "name": "VHS Bochum"},
        ])
        offers = offers_from_json_ld(["{not json", block], "https://x.test/")
        assert [(o.title, o.district, o.start_date) for o in offers] == [
            ("Excel", "Wattenscheid", "2027-01-10"), ("Excel", "Bochum-Mitte", "2027-03-10")]

    def test_item_list_wrapper(self) -> None:
        doc = {"@type": "ItemList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "item": {"@type": "ChildrensEvent", "name": "Basteln",
                                                          "startDate": "2027-02-02"}}]}
        assert [o.title for o in offers_from_json_ld([doc], "")] == ["Basteln"]


MICRODATA = """<html><body><main>
<div itemscope itemtype="https://schema.org/EducationEvent">
  <h2 itemprop="name">Schwimmkurs für Anfänger</h2>
  <p itemprop="description">Seepferdchen in zehn Terminen.</p>
  <div itemprop="organizer" itemscope itemtype="https://schema.org/Organization">
    <span itemprop="name">Sportamt Bochum</span></div>
  <time itemprop="startDate" datetime="2027-04-12">12. April</time>
  <time itemprop="endDate" datetime="2027-06-14">14. Juni</time>
  <div itemprop="location" itemscope itemtype="https://schema.org/Place">
    <span itemprop="name">Hallenbad Höntrop</span>
    <div itemprop="containedInPlace" itemscope itemtype="https://schema.org/AdministrativeArea">
      <meta itemprop="name" content="Wattenscheid"></div></div>
  <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
    <meta itemprop="price" content="45.00"><meta itemprop="priceCurrency" content="EUR">
    <a itemprop="url" href="/anmeldung/schwimmen">Anmelden</a></div>
  <meta itemprop="inLanguage" content="de">
  <div itemprop="audience" itemscope itemtype="https://schema.org/PeopleAudience">
    <meta itemprop="suggestedMinAge" content="5"><meta itemprop="suggestedMaxAge" content="8"></div>
</div></main></body></html>"""


def test_microdata() -> None:
    [o] = offers_from_microdata(MICRODATA, "https://bochum.test/sport/")
    assert o.title == "Schwimmkurs für Anfänger"
    assert o.provider == "Sportamt Bochum"
    assert (o.start_date, o.end_date) == ("2027-04-12", "2027-06-14")
    assert o.district == "Wattenscheid" and o.location == "Hallenbad Höntrop"
    assert (o.price, o.free) == (45.0, False)
    assert o.registration_url == "https://bochum.test/anmeldung/schwimmen"
    assert o.languages == ["de"] and (o.min_age, o.max_age) == (5, 8)


LISTING = """<html><body><main><h1>Kursprogramm</h1>
<article class="kurs">
  <h3><a href="/kurs/101">Töpfern für Kinder</a></h3>
  <span class="ort">Kulturhaus, Langendreer</span><span class="bezirk">Langendreer</span>
  <span class="termin">3. März bis 7. April 2027</span>
  <span class="alter">6 bis 10 Jahre</span><span class="kosten">25,00 €</span>
  <span class="sprache">Deutsch, Türkisch</span>
  <a class="anmelden" href="/anmelden/101">Anmelden</a>
</article>
<article class="kurs">
  <h3>Yoga am Morgen</h3><span class="termin">12.01.2027</span><span class="kosten">kostenlos</span>
  <span class="alter">ab 18</span>
</article>
<article class="kurs"><p>ohne Titel</p></article>
</main></body></html>"""
LISTING_SELECTORS = {"item": "article.kurs", "title": "h3", "url": "h3 a@href", "location": ".ort",
                     "district": ".bezirk", "dates": ".termin", "age": ".alter", "cost_text": ".kosten",
                     "languages": ".sprache", "registration_url": "a.anmelden"}


def test_listing_selectors() -> None:
    offers = offers_from_listing(LISTING, "https://vhs.test/programm/", LISTING_SELECTORS)
    assert [o.title for o in offers] == ["Töpfern für Kinder", "Yoga am Morgen"]  # the untitled item is left out
    a, b = offers
    assert a.url == "https://vhs.test/kurs/101"
    assert a.registration_url == "https://vhs.test/anmelden/101"
    assert (a.start_date, a.end_date) == ("2027-03-03", "2027-04-07")
    assert (a.min_age, a.max_age) == (6, 10)
    assert (a.price, a.free) == (25.0, False)
    assert a.district == "Langendreer" and a.languages == ["de", "tr"]
    assert (b.start_date, b.end_date, b.free, b.min_age) == ("2027-01-12", "2027-01-12", True, 18)


def test_web_source_offer_selectors_in_the_sources_file(tmp_path: Path) -> None:
    toml = tmp_path / "sources.toml"
    toml.write_text('[[source]]\nname = "vhs"\nkind = "web"\nstart_urls = ["https://vhs.test/"]\n'
                    'offers = {item = "article.kurs", title = "h3", dates = ".termin"}\n', encoding="utf-8")
    [src] = load_sources(toml)
    assert isinstance(src, WebSource) and src.offers is not None and src.offers.item == "article.kurs"


CSV = """Kursname;Anbieter;Stadtbezirk;Beginn;Ende;Preis;Sprachen;Alter;Anmeldung
Englisch B1;VHS Bochum;Bochum-Mitte;01.02.2027;30.06.2027;120,00;Deutsch, Englisch;ab 16;https://vhs.test/b1
Kinderchor;Musikschule Bochum;Wattenscheid;2027-03-01;2027-07-01;0;de;6-10;
Kaputt;VHS Bochum;Bochum-Mitte;31.02.2027;30.06.2027;10;de;;
;VHS Bochum;Bochum-Mitte;01.02.2027;30.06.2027;10;de;;
Alt;VHS;Gerthe;01.01.2025;31.01.2025;5;de;;
"""


class TestFeeds:
    def test_csv_with_mapping_and_broken_rows(self) -> None:
        offers, problems = offers_from_csv(CSV, fields={"title": "Kursname"}, where="kurse.csv")
        assert [o.title for o in offers] == ["Englisch B1", "Kinderchor", "Alt"]
        b1, chor, _ = offers
        assert (b1.provider, b1.district, b1.start_date, b1.end_date) == (
            "VHS Bochum", "Bochum-Mitte", "2027-02-01", "2027-06-30")
        assert (b1.price, b1.free, b1.languages, b1.min_age) == (120.0, False, ["de", "en"], 16)
        assert b1.registration_url == "https://vhs.test/b1"
        assert (chor.free, chor.min_age, chor.max_age) == (True, 6, 10)
        assert problems == [("kurse.csv:4", "start_date: '31.02.2027' is not a valid date"),
                            ("kurse.csv:5", "no title")]

    def test_csv_wrong_cell_count(self) -> None:
        offers, problems = offers_from_csv("title,district\nA,Linden\nB,Linden,extra\n", where="f.csv")
        assert [o.title for o in offers] == ["A"]
        assert problems[0][0] == "f.csv:3" and "3 cells" in problems[0][1]

    def test_csv_without_title_column(self) -> None:
        offers, problems = offers_from_csv("name_x,ort\nA,B\n", where="f.csv")
        assert offers == [] and "no title column" in problems[0][1]

    def test_json_feed(self) -> None:
        data = {"meta": {"stand": "2026-11-01"}, "angebote": [
            {"title": "Nähkurs", "provider": "Familienbildung", "district": "Linden", "start_date": "2027-01-05",
             "end_date": "2027-02-05", "price": 30, "languages": ["de", "Arabisch"], "min_age": 14},
            {"title": "Tanz", "ort": {"name": "Stadthalle"}, "kostenlos": "ja", "age": "4-6"},
            {"title": "Fehler", "min_age": "zwölf"},
            "kein Objekt",
            {"@type": "EducationEvent", "name": "Vorlesen", "startDate": "2027-05-01"},
        ]}
        offers, problems = offers_from_json(json.dumps(data), where="feed.json")
        assert [o.title for o in offers] == ["Nähkurs", "Tanz", "Vorlesen"]
        naeh, tanz, _ = offers
        assert (naeh.price, naeh.free, naeh.languages, naeh.min_age) == (30.0, False, ["de", "ar"], 14)
        assert (tanz.location, tanz.free, tanz.min_age, tanz.max_age) == ("Stadthalle", True, 4, 6)
        assert problems == [("feed.json[3]", "min_age: 'zwölf' is not a whole number"),
                            ("feed.json[4]", "a record must be a JSON object")]

    def test_json_feed_dotted_fields(self) -> None:
        data = {"data": {"items": [{"kurs": {"titel": "Gitarre"}, "wann": {"von": "2027-01-01"}}]}}
        offers, problems = offers_from_json(data, fields={"title": "kurs.titel", "start_date": "wann.von"},
                                            records="data.items")
        assert problems == [] and [(o.title, o.start_date) for o in offers] == [("Gitarre", "2027-01-01")]

    def test_not_json(self) -> None:
        offers, problems = offers_from_json("{oops", where="f.json")
        assert offers == [] and "not valid JSON" in problems[0][1]

    def test_feed_source_in_the_sources_file(self, tmp_path: Path) -> None:
        (tmp_path / "kurse.csv").write_text(CSV, encoding="utf-8")
        toml = tmp_path / "sources.toml"
        toml.write_text('[[source]]\nname = "kurse"\nkind = "feed"\npath = "kurse.csv"\nformat = "csv"\n'
                        'fields = {title = "Kursname"}\n', encoding="utf-8")
        [src] = load_sources(toml)
        assert isinstance(src, FeedSource) and src.path == tmp_path / "kurse.csv"


class TestValues:
    @pytest.mark.parametrize(("text", "code"), [("Deutsch", "de"), ("de", "de"), ("German", "de"),
                                                ("de-DE", "de"), ("deu", "de"), ("Türkisch", "tr"),
                                                ({"@type": "Language", "name": "Arabic"}, "ar"),
                                                ("Українська", "uk"), ("Klingonisch", "klingonisch")])
    def test_language_codes(self, text: object, code: str) -> None:
        assert language_code(text) == code

    def test_dates_prices_ages(self) -> None:
        assert parse_date("2027-03-03T19:00:00+01:00") == "2027-03-03"
        assert parse_date("1. Februar 2027") == "2027-02-01"
        assert parse_date("01.02.27") == "2027-02-01"
        with pytest.raises(ValueError):
            parse_date("nach Vereinbarung")
        assert parse_date_range("11.01.–17.12.2027") == ("2027-01-11", "2027-12-17")
        assert parse_date_range("17. September 2025, 18:00 bis 19:30 Uhr") == ("2025-09-17", "2025-09-17")
        assert parse_price("145 Euro, ermäßigt 72,50 Euro") == (145.0, False)
        assert parse_price("1.234,50 €") == (1234.5, False)
        assert parse_price("Die Teilnahme ist kostenlos.") == (0.0, True)
        assert parse_price("nach Absprache") == (None, None)
        assert parse_age_range("ab 16 Jahren") == (16, None)
        assert parse_age_range("4–6 Jahre") == (4, 6)
        assert parse_age_range("unter 3") == (None, 2)
        assert parse_age_range("Erwachsene") == (None, None)


# --- filters ---------------------------------------------------------------------------------

def offer_chunk(offer: Offer, source_name: str = "demo") -> Chunk:
    [c] = Chunker(HashingEmbedder().count_tokens).run(
        offer_document(offer, url=f"https://x.test/{offer.title}", source_name=source_name))
    return c


def page_chunk(meta: dict | None = None) -> Chunk:
    return Chunk(id="p", text="Seite", source=SourceRef(url="https://x.test/p", title="P", source_name="demo"),
                 meta=meta or {})


@pytest.fixture(scope="module")
def demo_chunks() -> dict[str, Chunk]:
    names = ["vhs-deutschkurs-a1", "musikschule-fruehfoerderung", "erziehungsberatung",
             "familienbuero-elterngeld", "kita-anmeldung-kita-portal", "schulberatung-neu-zugewanderte"]
    return {n: offer_chunk(demo_offer(n)) for n in names}


def passing(chunks: dict[str, Chunk], **kw: object) -> set[str]:
    flt = build_filter(day=TODAY, **kw)  # type: ignore[arg-type]
    return {n for n, c in chunks.items() if flt(c)}


class TestFilters:
    def test_offer_is_one_chunk_with_its_fields(self, demo_chunks: dict[str, Chunk]) -> None:
        c = demo_chunks["vhs-deutschkurs-a1"]
        assert c.kind == "offer" and c.meta["offer"]["district"] == "Bochum-Mitte"
        assert c.text.splitlines()[0] == c.source.title
        assert "#:~:text=Deutsch%20A1" in c.source.fragment_link
        assert Passage(1, c, 0.5).to_dict()["offer"]["price"] == 145.0
        assert "offer" not in Passage(1, page_chunk(), 0.5).to_dict()

    def test_expired_excluded_by_default(self, demo_chunks: dict[str, Chunk]) -> None:
        assert "familienbuero-elterngeld" not in passing(demo_chunks)
        assert len(passing(demo_chunks)) == 5
        assert "familienbuero-elterngeld" in passing(demo_chunks, include_expired=True)
        assert not default_filter(TODAY)(demo_chunks["familienbuero-elterngeld"])
        assert default_filter(TODAY)(demo_chunks["vhs-deutschkurs-a1"])
        assert default_filter(date(2028, 1, 1))(demo_chunks["vhs-deutschkurs-a1"]) is False

    def test_page_of_ended_offers_expires_with_them(self) -> None:
        assert is_expired(page_chunk({"offers_end": "2025-09-17"}), TODAY)
        assert not default_filter(TODAY)(page_chunk({"offers_end": "2025-09-17"}))
        assert default_filter(TODAY)(page_chunk())
        assert build_filter(day=TODAY, include_expired=True)(page_chunk({"offers_end": "2025-09-17"}))

    def test_district(self, demo_chunks: dict[str, Chunk]) -> None:
        assert passing(demo_chunks, district="Wattenscheid") == {"musikschule-fruehfoerderung"}
        assert passing(demo_chunks, district="Mitte") == passing(demo_chunks, district="bochum-mitte") == {
            "vhs-deutschkurs-a1", "kita-anmeldung-kita-portal", "schulberatung-neu-zugewanderte"}
        assert passing(demo_chunks, district="Gerthe") == set()  # its only offer has ended
        assert passing(demo_chunks, district="Gerthe", include_expired=True) == {"familienbuero-elterngeld"}

    def test_age(self, demo_chunks: dict[str, Chunk]) -> None:
        assert passing(demo_chunks, age=5) == {"musikschule-fruehfoerderung", "kita-anmeldung-kita-portal"}
        assert passing(demo_chunks, age=17) == {"vhs-deutschkurs-a1", "schulberatung-neu-zugewanderte"}
        assert passing(demo_chunks, age=40) == {"vhs-deutschkurs-a1", "erziehungsberatung"}

    def test_free_and_language(self, demo_chunks: dict[str, Chunk]) -> None:
        assert passing(demo_chunks, free=False) == {"vhs-deutschkurs-a1", "musikschule-fruehfoerderung"}
        assert passing(demo_chunks, free=True) == {"erziehungsberatung", "kita-anmeldung-kita-portal",
                                                   "schulberatung-neu-zugewanderte"}
        assert passing(demo_chunks, language="tr") == {"musikschule-fruehfoerderung",
                                                       "schulberatung-neu-zugewanderte"}
        assert passing(demo_chunks, language="Ukrainisch") == {"erziehungsberatung", "schulberatung-neu-zugewanderte"}
        assert passing(demo_chunks, language="pl") == set()
        assert passing(demo_chunks, language="pl", include_expired=True) == {"familienbuero-elterngeld"}

    def test_kind_source_and_offer_fields_exclude_pages(self, demo_chunks: dict[str, Chunk]) -> None:
        page = page_chunk()
        assert build_filter(day=TODAY, kind="page")(page)
        assert not build_filter(day=TODAY, kind="offer")(page)
        assert not build_filter(day=TODAY, district="Wattenscheid")(page)
        assert not build_filter(day=TODAY, source="other")(page)
        assert build_filter(day=TODAY, source="demo")(page)
        with pytest.raises(ValueError):
            build_filter(kind="pdf")

    def test_list_offers_pages_and_orders(self, demo_chunks: dict[str, Chunk]) -> None:
        chunks = list(demo_chunks.values())
        total, page = list_offers(chunks, default_filter(TODAY), limit=2, offset=0)
        assert total == 5
        assert [p["offer"]["start_date"] for p in page] == ["2026-11-02", "2027-01-11"]
        total, rest = list_offers(chunks, default_filter(TODAY), limit=10, offset=2)
        assert len(rest) == 3 and rest[-1]["offer"]["title"].startswith("Musikalische")


# --- pipeline ----------------------------------------------------------------------------------

def test_pipeline_indexes_page_offers_and_feed(tmp_path: Path) -> None:
    (tmp_path / "kurse.csv").write_text(CSV, encoding="utf-8")
    feed = FeedSource(name="kurse", kind="feed", path=tmp_path / "kurse.csv", format="csv",
                      fields={"title": "Kursname"})
    store = IndexStore(tmp_path / "data")
    with serve_directory(REPO / "demo" / "site") as base:
        web = WebSource(name="demo-site", kind="web", start_urls=[f"{base}/index.html"], allow=[f"{base}/"],
                        requests_per_second=50)
        result = IngestPipeline(HashingEmbedder(), store, user_agent="test").run([web, feed])
        again = IngestPipeline(HashingEmbedder(), store, user_agent="test").run([web, feed])
    for r in again.reports:  # offers share their page's URL, yet each is compared with itself
        assert (r.new, r.updated, r.removed, r.unchanged) == (0, 0, [], r.documents), r.to_dict()
    web_report, feed_report = result.reports
    assert feed_report.chunks == 3
    assert [f["url"] for f in feed_report.failed] == ["kurse.csv:4", "kurse.csv:5"]
    assert "not a valid date" in feed_report.failed[0]["reason"]
    idx = store.load()
    offers = [c for c in idx.chunks if c.kind == "offer"]
    assert len([c for c in offers if c.source.source_name == "demo-site"]) == 6
    assert len({c.id for c in idx.chunks}) == len(idx.chunks)
    musik = next(c for c in offers if c.meta["offer"]["district"] == "Wattenscheid")
    assert musik.source.url.endswith("/angebote/musikschule-fruehfoerderung.html")
    assert "json_ld" not in musik.meta
    pages = [c for c in idx.chunks if c.kind == "page" and "musikschule" in c.source.url]
    assert pages and all(c.meta.get("offers_end") == "2027-12-14" for c in pages)  # prose stays, kind page
    expired_pages = [c for c in idx.chunks if c.kind == "page" and "familienbuero" in c.source.url]
    assert expired_pages and all(is_expired(c, TODAY) for c in expired_pages)
    # pages without offers never expire
    assert not any(is_expired(c, TODAY) for c in idx.chunks if "hundesteuer" in c.source.url)


def test_offer_documents_without_page_text() -> None:
    html = (ANGEBOTE / "vhs-deutschkurs-a1.html").read_text(encoding="utf-8")
    [doc] = offer_documents(html, page_url="http://h/angebote/vhs.html", source_name="s")
    assert doc.kind == "offer" and doc.url == "http://h/angebote/vhs.html"
    assert doc.meta["offer"]["source_name"] == "s"
