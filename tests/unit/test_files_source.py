"""The files source: HTML, Markdown, text and PDF with page numbers; bad files reported, never fatal."""

from __future__ import annotations

from pathlib import Path

from index.store import IndexStore
from ingest.pipeline import IngestPipeline
from ingest.sources import load_sources
from lotse.embedding import HashingEmbedder
from tests.pdfmaker import write_pdf


def test_files_of_every_kind(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_pdf(docs / "programm.pdf", [
        ["VHS Programmheft Frühjahr", "Deutschkurse für Anfängerinnen und Anfänger."],
        ["Musikschule", "Die Musikschule bietet Früherziehung für Kinder ab vier Jahren an."],
    ], title="Programmheft der VHS")
    (docs / "faq.md").write_text("# Häufige Fragen\n\n## Kita\n\n- Die Anmeldung läuft online.\n- Sie ist "
                                 "kostenlos.\n\nMehr im **Kita-Portal**.\n", encoding="utf-8")
    (docs / "note.txt").write_text("Die Schulberatung hilft neu zugewanderten Familien.", encoding="utf-8")
    (docs / "seite.html").write_text("<html><head><title>Seite</title></head><body><nav>Menü</nav><main>"
                                     "<h1>Erziehungsberatung</h1><p>Beratung für Eltern und Kinder.</p>"
                                     "</main></body></html>", encoding="utf-8")
    (docs / "kaputt.pdf").write_bytes(b"%PDF-1.4 not really")
    (docs / "bild.png").write_bytes(b"\x89PNG")
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[source]]\nname = "docs"\nkind = "files"\npaths = ["docs/*"]\n'
                   'base_url = "https://www.bochum.de/files"\nroot = "."\n', encoding="utf-8")
    store = IndexStore(tmp_path / "data")
    result = IngestPipeline(HashingEmbedder(), store, user_agent="t").run(load_sources(cfg))
    report = result.reports[0]
    assert [f["url"] for f in report.failed] == ["https://www.bochum.de/files/docs/kaputt.pdf"]
    assert "not a readable PDF" in report.failed[0]["reason"]
    assert [s["url"] for s in report.skipped] == ["https://www.bochum.de/files/docs/bild.png"]

    chunks = store.load().chunks
    page2 = next(c for c in chunks if "Früherziehung" in c.text)
    assert page2.source.url == "https://www.bochum.de/files/docs/programm.pdf#page=2"
    assert page2.source.section == "Seite 2"
    assert page2.source.title == "Programmheft der VHS"
    md = next(c for c in chunks if "Anmeldung läuft online" in c.text)
    assert md.source.section == "Kita"
    assert md.text.startswith("• Die Anmeldung läuft online.\n• Sie ist kostenlos.")
    assert any("Mehr im Kita-Portal." in c.text for c in chunks)
    assert any("neu zugewanderten Familien" in c.text for c in chunks)
    html = next(c for c in chunks if "Beratung für Eltern" in c.text)
    assert "Menü" not in html.text and html.source.title == "Erziehungsberatung"


def test_no_matching_file_is_a_reported_failure(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[source]]\nname = "docs"\nkind = "files"\npaths = ["nothing/*.pdf"]\n', encoding="utf-8")
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text('{"url": "https://x/1", "title": "t", "text": "Ein Satz über die Kita."}\n', encoding="utf-8")
    cfg.write_text(cfg.read_text() + '\n[[source]]\nname = "r"\nkind = "jsonl"\npath = "r.jsonl"\n', encoding="utf-8")
    result = IngestPipeline(HashingEmbedder(), IndexStore(tmp_path / "d"), user_agent="t").run(load_sources(cfg))
    assert "no file matches" in result.reports[0].failed[0]["reason"]
    assert result.reports[1].documents == 1  # the other source is not lost
