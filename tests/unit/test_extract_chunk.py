"""Extractor and chunker on hand-made pages (no model: a word counter stands in for the tokenizer)."""

from __future__ import annotations

import pytest

from ingest.chunk import Chunker, text_fragment_link
from ingest.extract import HtmlExtractor
from lotse.errors import ExtractError

PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8">
<title>Talentschmiede | Stadt Bochum</title>
<link rel="canonical" href="https://www.bochum.de/Talentschmiede">
<meta name="date" content="2024-05-13">
<script type="application/ld+json">{"@type": "WebPage"}</script>
</head><body>
<a class="skip-link" href="#main">Zum Inhalt</a>
<header><nav class="iconbar"><a>Pinnwand</a><a>Ausweis</a><a>Lesen</a></nav></header>
<div id="cookie-banner"><p>Wir verwenden Cookies, um die Seite zu verbessern.</p><button>OK</button></div>
<main><article>
<p class="kicker">Die Kompetenzen</p>
<h1>Talentschmiede im Ruhrgebiet</h1>
<p>Lernen – ein Leben lang.</p>
<div class="share-bar"><a>Facebook</a><a>Twitter</a></div>
<h2 id="bild">Das Bild im Jahr 2030</h2>
<p>In Bochum haben alle Menschen gleiche und faire Chancen auf Bildung. Das gilt für alle.</p>
<h2 id="kita">Richtungsweisende frühkindliche Bildung</h2>
<ul><li>Wir entwickeln den Elementarbereich.</li><li>Wir fördern eine verlässliche <b>Kita-Betreuung</b>.</li></ul>
<div>Loser Text in einem div
<span>mit Span</span></div>
</article></main>
<footer><p>Impressum Datenschutz</p></footer>
</body></html>"""


def words(text: str) -> int:
    return len(text.split())


class TestHtmlExtractor:
    def test_keeps_structure_and_drops_boilerplate(self) -> None:
        doc = HtmlExtractor().run(PAGE, url="http://127.0.0.1/x", source_name="t")
        texts = [b.text for b in doc.blocks]
        joined = "\n".join(texts)
        for noise in ("Pinnwand", "Ausweis", "Cookies", "Facebook", "Impressum", "Zum Inhalt"):
            assert noise not in joined
        assert doc.url == "https://www.bochum.de/Talentschmiede"  # rel=canonical wins
        assert doc.title == "Talentschmiede im Ruhrgebiet"
        assert doc.as_of == "2024-05-13"
        kinds = [(b.kind, b.anchor) for b in doc.blocks if b.kind == "heading"]
        assert kinds == [("heading", ""), ("heading", "bild"), ("heading", "kita")]
        lst = next(b for b in doc.blocks if b.kind == "list")
        assert lst.text == "• Wir entwickeln den Elementarbereich.\n• Wir fördern eine verlässliche Kita-Betreuung."
        assert "Loser Text in einem div mit Span" in texts

    def test_configured_selectors(self) -> None:
        ex = HtmlExtractor(content_selector="article", remove_selectors=["p.kicker"])
        doc = ex.run(PAGE, url="http://x/", source_name="t")
        assert all("Die Kompetenzen" != b.text for b in doc.blocks)

    def test_empty_page_is_a_clear_error(self) -> None:
        with pytest.raises(ExtractError, match="no main text"):
            HtmlExtractor().run("<html><head><title>x</title></head><body><nav>Menü</nav></body></html>",
                                url="http://x/empty", source_name="t")

    def test_a_list_of_links_to_the_site_is_a_signpost_not_content(self) -> None:
        html = """<html><head><title>Start</title></head><body><main>
          <h1>Startseite</h1><p>Willkommen bei den Bildungsangeboten der Stadt.</p>
          <h2>Angebote</h2><ul>
            <li><a href="/angebote/kita.html">Kita-Platz vormerken</a></li>
            <li><a href="https://www.bochum.de/musikschule">Musikschule</a> (abgelaufen)</li>
            <li><a href="#kosten">Kosten</a></li></ul>
          <h2>Partner</h2><ul>
            <li><a href="/vhs.html">VHS</a></li><li><a href="https://example.org/">Verein</a></li></ul>
          <h2>Anmeldung</h2><ul>
            <li><a href="/portal.html">Kita-Portal</a>: online, rund um die Uhr</li></ul>
          <ul><li>Ohne Link: Kita-Betreuung ab einem Jahr</li></ul>
        </main></body></html>"""
        doc = HtmlExtractor().run(html, url="https://www.bochum.de/start", source_name="t")
        lists = [b.text for b in doc.blocks if b.kind == "list"]
        # a link to another site, a word of the item's own, or no link at all: content
        assert lists == ["• VHS\n• Verein", "• Kita-Portal: online, rund um die Uhr",
                         "• Ohne Link: Kita-Betreuung ab einem Jahr"]
        assert "Angebote" in [b.text for b in doc.blocks if b.kind == "heading"]

    def test_a_page_of_links_only_keeps_them(self) -> None:
        # dropping them would leave no text, and the page would be reported as failed
        html = """<html><head><title>Übersicht</title></head><body><main><ul>
          <li><a href="/a.html">Talentschmiede im Ruhrgebiet</a></li>
          <li><a href="/b.html">Vorreiterin für modernes Stadtmanagement</a></li></ul></main></body></html>"""
        doc = HtmlExtractor().run(html, url="https://www.bochum.de/kompetenzen", source_name="t")
        assert [b.text for b in doc.blocks] == [
            "• Talentschmiede im Ruhrgebiet\n• Vorreiterin für modernes Stadtmanagement"]

    def test_page_without_container_goes_through_trafilatura(self) -> None:
        body = "".join(f"<p>Absatz {i}: Die Volkshochschule bietet viele Kurse für Erwachsene an.</p>"
                       for i in range(8))
        html = f"<html><head><title>VHS</title></head><body><div class='nav'>Menü Start</div>{body}</body></html>"
        doc = HtmlExtractor().run(html, url="http://x/vhs", source_name="t")
        assert any("Volkshochschule" in b.text for b in doc.blocks)

    def test_fragment_without_head_is_all_content(self) -> None:
        doc = HtmlExtractor().run("<p>Die Anmeldung erfolgt online über das Kita-Portal.</p>",
                                  url="http://x/f", source_name="t")
        assert doc.blocks[0].text == "Die Anmeldung erfolgt online über das Kita-Portal."


class TestChunker:
    def doc(self):  # type: ignore[no-untyped-def]
        return HtmlExtractor().run(PAGE, url="http://127.0.0.1/x", source_name="t")

    def test_heading_path_section_and_links(self) -> None:
        chunks = Chunker(words, max_tokens=100).run(self.doc())
        kita = next(c for c in chunks if "Kita-Betreuung" in c.text)
        assert kita.heading_path == ("Talentschmiede im Ruhrgebiet", "Richtungsweisende frühkindliche Bildung")
        assert kita.source.section == "Richtungsweisende frühkindliche Bildung"
        assert kita.source.deep_link == "https://www.bochum.de/Talentschmiede#kita"
        assert kita.source.fragment_link.startswith("https://www.bochum.de/Talentschmiede#:~:text=")
        assert kita.text.startswith("• Wir entwickeln")  # the list stays whole
        assert "Richtungsweisende" in kita.embed_text()

    def test_chunks_never_cross_headings_and_respect_size(self) -> None:
        chunks = Chunker(words, max_tokens=16).run(self.doc())
        for c in chunks:
            assert words(c.text) <= 16 or "\n" not in c.text
        assert not any("Chancen" in c.text and "Elementarbereich" in c.text for c in chunks)

    def test_ids_are_stable_and_unique(self) -> None:
        a = Chunker(words, max_tokens=100).run(self.doc())
        b = Chunker(words, max_tokens=100).run(self.doc())
        assert [c.id for c in a] == [c.id for c in b]
        assert len({c.id for c in a}) == len(a)

    def test_no_text_lost(self) -> None:
        doc = self.doc()
        chunks = Chunker(words, max_tokens=16).run(doc)
        body = " ".join(b.text for b in doc.blocks if b.kind != "heading").split()
        assert " ".join(c.text for c in chunks).split() == body

    def test_invalid_size(self) -> None:
        with pytest.raises(ValueError, match="max_tokens"):
            Chunker(words, max_tokens=3)


def test_text_fragment_link_escapes_syntax() -> None:
    link = text_fragment_link("https://x/p#a", "Kita-Betreuung, flexibel & verlässlich")
    assert link == "https://x/p#:~:text=Kita%2DBetreuung%2C%20flexibel%20%26%20verl%C3%A4sslich"


FEES = """<html><head><title>Hundesteuer</title></head><body><main>
<h1>Hundesteuer</h1>
<p>Wer einen Hund hält, zahlt Hundesteuer.</p>
<h2 id="hoehe">Höhe der Steuer</h2>
<table>
  <caption>Jährliche Hundesteuer</caption>
  <thead><tr><th>Hundehaltung</th><th>Steuer pro Jahr</th></tr></thead>
  <tbody>
    <tr><td>für den ersten Hund</td><td>156,00 Euro</td></tr>
    <tr><td>für den zweiten Hund</td><td>192,00 Euro je Hund</td></tr>
    <tr><td>für einen gefährlichen Hund</td><td>780,00 Euro je Hund</td></tr>
  </tbody>
</table>
<table><tr><th>Kurs</th><th>30 Minuten</th><th>45 Minuten</th></tr>
  <tr><td>Einzelunterricht</td><td>45 Euro</td><td></td></tr>
  <tr><td colspan="3">Ermäßigungen</td></tr>
  <tr><td>Geschwister</td><td>40 Euro</td><td>55 Euro</td></tr>
</table>
<table><tr><td><p>Ein Layout mit einer Spalte.</p></td></tr><tr><td><p>Zweite Zeile.</p></td></tr></table>
</main></body></html>"""


class TestTables:
    def doc(self):  # type: ignore[no-untyped-def]
        return HtmlExtractor().run(FEES, url="http://x/hund", source_name="t")

    def test_each_row_names_its_cells_by_their_column(self) -> None:
        fees, lessons = (b.text.split("\n") for b in self.doc().blocks if b.kind == "table")
        assert fees == ["Jährliche Hundesteuer",
                        "• für den ersten Hund – Steuer pro Jahr: 156,00 Euro",
                        "• für den zweiten Hund – Steuer pro Jahr: 192,00 Euro je Hund",
                        "• für einen gefährlichen Hund – Steuer pro Jahr: 780,00 Euro je Hund"]
        # header from <th> cells without <thead>; an empty cell is left out; a one-cell row is a title
        assert lessons == ["• Einzelunterricht – 30 Minuten: 45 Euro", "Ermäßigungen",
                           "• Geschwister – 30 Minuten: 40 Euro; 45 Minuten: 55 Euro"]

    def test_a_page_without_a_container_reads_its_table_the_same_way(self) -> None:
        """trafilatura (no <main>, no <article>) gives the caption as a row of one header cell."""
        prose = "".join(f"<p>Absatz {i}: Die Musikschule bietet viele Kurse für Kinder und Erwachsene an.</p>"
                        for i in range(5))
        fees = ("<table><caption>Gebühren</caption><thead><tr><th>Kurs</th><th>30 Minuten</th><th>45 Minuten</th>"
                "</tr></thead><tbody><tr><td>Einzelunterricht</td><td>45 Euro</td><td>60 Euro</td></tr>"
                "<tr><td>Gruppe</td><td>20 Euro</td><td>30 Euro</td></tr></tbody></table>")
        html = f"<html><head><title>Musikschule</title></head><body><div class='x'>{prose}{fees}</div></body></html>"
        doc = HtmlExtractor().run(html, url="http://x/gebuehren", source_name="t")
        [table] = [b.text for b in doc.blocks if b.kind == "table"]
        assert table.split("\n") == ["Gebühren", "• Einzelunterricht – 30 Minuten: 45 Euro; 45 Minuten: 60 Euro",
                                      "• Gruppe – 30 Minuten: 20 Euro; 45 Minuten: 30 Euro"]
        assert not any("Einzelunterricht" in b.text for b in doc.blocks if b.kind != "table")  # read once

    def test_a_layout_table_is_read_as_text(self) -> None:
        doc = self.doc()
        assert [b.kind for b in doc.blocks].count("table") == 2
        assert [b.text for b in doc.blocks if b.kind == "paragraph"][-2:] == ["Ein Layout mit einer Spalte.",
                                                                           "Zweite Zeile."]

    def test_the_chunk_says_where_its_table_stands(self) -> None:
        [intro, fees] = Chunker(words, max_tokens=200).run(self.doc())
        assert "tables" not in intro.meta
        [(a, b, lines), (c, d, _)] = fees.meta["tables"]
        assert fees.text[a:b].startswith("Jährliche Hundesteuer\n• für den ersten Hund")
        assert fees.text[a:b].endswith("780,00 Euro je Hund")
        assert lines == fees.text[a:b].count("\n") + 1  # a whole table: its own lines
        assert fees.text[c:d].startswith("• Einzelunterricht")
        assert fees.text[d:].startswith("\nEin Layout")

    def test_a_long_table_is_split_between_rows_and_each_part_keeps_its_caption(self) -> None:
        parts = Chunker(words, max_tokens=20).run(self.doc())
        fees = [c for c in parts if "Hund –" in c.text]
        assert len(fees) >= 2
        whole = 1 + sum(c.text.count("Hund –") for c in fees)  # the caption and every row once
        for c in fees:
            assert c.text.startswith("Jährliche Hundesteuer\n")
            a, b, lines = c.meta["tables"][0]
            assert a == 0 and all(line == "Jährliche Hundesteuer" or "Hund –" in line
                                  for line in c.text[a:b].split("\n"))
            assert lines == whole  # each part knows how long the table is
