"""Re-ingests do only the work that changed: conditional GET, sitemap lastmod, content digests.

Real HTTP server on loopback, real pipeline; the hashing embedder keeps it fast (what is
embedded again is counted, not how).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from index.store import IndexStore
from ingest.pipeline import IngestPipeline
from ingest.readers import ReaderContext, reader_for
from ingest.sources import JsonlSource, SitemapSource, WebSource
from lotse.embedding import HashingEmbedder
from tests.httpfixture import conditional, page, sequence, serve_site, status


def doc(title: str, text: str) -> str:
    return f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"


INDEX = ('<html><head><title>Start</title></head><body><main><h1>Start</h1><p>Unsere Seiten im Überblick.</p>'
         '<a href="/kita.html">Kita</a> <a href="/vhs.html">VHS</a></main></body></html>')


def pipeline(tmp_path: Path) -> IngestPipeline:
    return IngestPipeline(HashingEmbedder(), IndexStore(tmp_path / "data"), user_agent="t", fetch_timeout=2)


def embedded(store_root: Path) -> int:
    store = IndexStore(store_root)
    report = json.loads((store.versions_dir / str(store.current()) / "report.json").read_text())
    return int(report["embedded"])


def test_conditional_get_answers_unchanged_pages_from_the_cache(tmp_path: Path) -> None:
    routes = {
        "/index.html": conditional(INDEX, '"i1"'),
        "/kita.html": conditional(doc("Kita", "Die Kita-Anmeldung erfolgt online im Kita-Portal."), '"k1"'),
        "/vhs.html": conditional(doc("VHS", "Die Volkshochschule bietet Deutschkurse an."), '"v1"'),
    }
    p = pipeline(tmp_path)
    with serve_site(tmp_path, routes) as site:
        source = WebSource(name="site", kind="web", start_urls=[site.url("/index.html")],
                           requests_per_second=100, respect_robots=False)
        first = p.run([source]).reports[0]
        assert (first.new, first.not_modified) == (3, 0)
        site.reset()
        # The VHS page changes (new ETag); the others answer 304.
        site.routes["/vhs.html"] = conditional(doc("VHS", "Die Volkshochschule bietet jetzt auch Englischkurse an."),
                                               '"v2"')
        second = p.run([source]).reports[0]
        sent = {h.path: h.headers.get("if-none-match") for h in site.log}

    assert sent == {"/index.html": '"i1"', "/kita.html": '"k1"', "/vhs.html": '"v1"'}
    assert (second.fetched, second.not_modified) == (3, 2)
    assert (second.unchanged, second.updated, second.new, second.removed) == (2, 1, 0, [])
    assert embedded(tmp_path / "data") > 0  # only the VHS page's text was new
    texts = " ".join(c.text for c in IndexStore(tmp_path / "data").load().chunks)
    assert "Englischkurse" in texts and "Kita-Portal" in texts


def test_last_modified_is_revalidated_with_if_modified_since(tmp_path: Path) -> None:
    # The stdlib file server sends Last-Modified and answers If-Modified-Since with 304 itself.
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "index.html").write_text(doc("Musikschule", "Die Musikschule bietet Instrumentalunterricht."),
                                         encoding="utf-8")
    p = pipeline(tmp_path)
    with serve_site(site_dir) as site:
        source = WebSource(name="site", kind="web", start_urls=[site.url("/index.html")],
                           requests_per_second=100, respect_robots=False)
        p.run([source])
        site.reset()
        second = p.run([source]).reports[0]
        assert site.log[0].headers.get("if-modified-since")
    assert (second.not_modified, second.unchanged) == (1, 1)
    assert embedded(tmp_path / "data") == 0


def sitemap(entries: dict[str, str], base: str) -> str:
    urls = "".join(f"<url><loc>{base}{path}</loc><lastmod>{mod}</lastmod></url>" for path, mod in entries.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def test_sitemap_lastmod_skips_requests_and_pages_gone_from_it_are_removed(tmp_path: Path) -> None:
    p = pipeline(tmp_path)
    routes = {
        "/a.html": page(doc("Kita", "Kita-Plätze werden über das Kita-Portal vergeben.")),
        "/b.html": page(doc("VHS", "Die VHS bietet Integrationskurse an.")),
        "/c.html": page(doc("Musik", "Die Musikschule unterrichtet Kinder ab vier Jahren.")),
        "/other/x.html": page(doc("Anderes", "Nicht Teil der Strategie.")),
    }
    with serve_site(tmp_path, routes) as site:
        base = site.url("")
        gz = gzip.compress(sitemap({"/b.html": "2026-01-01", "/c.html": "2026-01-01"}, base).encode())
        site.routes["/sitemap.xml"] = page(
            f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/pages-1.xml</loc></sitemap><sitemap><loc>{base}/pages-2.xml.gz</loc></sitemap>"
            f"</sitemapindex>", "application/xml")
        site.routes["/pages-1.xml"] = page(sitemap({"/a.html": "2026-01-01", "/other/x.html": "2026-01-01"}, base),
                                           "application/xml")
        site.routes["/pages-2.xml.gz"] = page(gz, "application/gzip")
        source = SitemapSource(name="map", kind="sitemap", sitemaps=[site.url("/sitemap.xml")],
                               allow=[base + "/a", base + "/b", base + "/c"], requests_per_second=100,
                               respect_robots=False)
        first = p.run([source]).reports[0]
        assert (first.new, first.documents) == (3, 3)  # /other/ is outside allow
        site.reset()
        # a.html changes with its lastmod; c.html leaves the sitemap; b.html stays as it was.
        site.routes["/a.html"] = page(doc("Kita", "Kita-Plätze vergibt jetzt das Jugendamt direkt."))
        site.routes["/pages-1.xml"] = page(sitemap({"/a.html": "2026-03-01"}, base), "application/xml")
        site.routes["/pages-2.xml.gz"] = page(gzip.compress(sitemap({"/b.html": "2026-01-01"}, base).encode()),
                                              "application/gzip")
        second = p.run([source]).reports[0]
        assert site.hits["/b.html"] == 0  # unchanged lastmod: not requested at all
        assert site.hits["/a.html"] == 1

    assert (second.updated, second.unchanged, second.not_modified) == (1, 1, 1)
    assert [u.rsplit("/", 1)[-1] for u in second.removed] == ["c.html"]
    texts = " ".join(c.text for c in IndexStore(tmp_path / "data").load().chunks)
    assert "Jugendamt" in texts and "Musikschule" not in texts


def test_sitemap_outage_keeps_the_published_pages(tmp_path: Path) -> None:
    p = pipeline(tmp_path)
    with serve_site(tmp_path, {"/a.html": page(doc("Kita", "Kita-Plätze werden online vergeben."))}) as site:
        site.routes["/sitemap.xml"] = sequence(page(sitemap({"/a.html": "2026-01-01"}, site.url("")),
                                                    "application/xml"), status(503))
        source = SitemapSource(name="map", kind="sitemap", sitemaps=[site.url("/sitemap.xml")],
                               requests_per_second=100, respect_robots=False)
        p.run([source])
        second = p.run([source]).reports[0]
    assert second.failed[0]["reason"] == "HTTP 503"
    assert second.carried_over == 1 and second.removed == []
    assert "Kita-Plätze" in " ".join(c.text for c in IndexStore(tmp_path / "data").load().chunks)


def test_broken_sitemap_is_reported(tmp_path: Path) -> None:
    with serve_site(tmp_path, {"/sitemap.xml": page("<html><body>kein Sitemap</body></html>")}) as site:
        source = SitemapSource(name="map", kind="sitemap", sitemaps=[site.url("/sitemap.xml")],
                               respect_robots=False)
        result = reader_for(source).run(source, ReaderContext(user_agent="t", fetch_timeout=2))
    assert result.documents == []
    assert "not a sitemap" in result.failed[0]["reason"]


def write_records(path: Path, texts: dict[str, str]) -> None:
    path.write_text("".join(json.dumps({"url": f"https://example.org/{k}", "title": k.title(), "text": v},
                                       ensure_ascii=False) + "\n" for k, v in texts.items()), encoding="utf-8")


def test_unchanged_records_skip_extraction_and_embedding_and_duplicates_stay_single(tmp_path: Path) -> None:
    records = tmp_path / "pages.jsonl"
    texts = {"kita": "Die Kita-Anmeldung erfolgt online.", "kita-kopie": "Die Kita-Anmeldung erfolgt online.",
             "vhs": "Die VHS bietet Deutschkurse an.", "hund": "Hunde werden beim Steueramt angemeldet."}
    write_records(records, texts)
    source = JsonlSource(name="rec", kind="jsonl", path=records)
    p = pipeline(tmp_path)
    first = p.run([source]).reports[0]
    assert (first.documents, first.duplicates) == (3, 1)

    second = p.run([source]).reports[0]
    assert (second.unchanged, second.documents, second.duplicates, second.new) == (3, 3, 1, 0)
    assert embedded(tmp_path / "data") == 0

    texts["vhs"] = "Die VHS bietet Deutsch- und Englischkurse an."
    del texts["hund"]
    write_records(records, texts)
    third = p.run([source]).reports[0]
    assert (third.unchanged, third.updated, third.duplicates) == (1, 1, 1)
    assert [u.rsplit("/", 1)[-1] for u in third.removed] == ["hund"]


def test_changed_chunking_reads_every_input_again(tmp_path: Path) -> None:
    records = tmp_path / "pages.jsonl"
    write_records(records, {"kita": "Die Kita-Anmeldung erfolgt online."})
    source = JsonlSource(name="rec", kind="jsonl", path=records)
    store = IndexStore(tmp_path / "data")
    IngestPipeline(HashingEmbedder(), store, user_agent="t").run([source])
    again = IngestPipeline(HashingEmbedder(), store, user_agent="t", chunk_max_tokens=64).run([source]).reports[0]
    assert again.unchanged == 1 and again.new == 0  # same passages, but recomputed: the recipe changed
    assert IngestPipeline(HashingEmbedder(), store, user_agent="t", chunk_max_tokens=64).recipe != \
        IngestPipeline(HashingEmbedder(), store, user_agent="t").recipe


def test_a_corrupt_http_cache_costs_downloads_not_the_ingest(tmp_path: Path) -> None:
    routes = {"/index.html": conditional(doc("Kita", "Die Kita-Anmeldung erfolgt online."), '"k1"')}
    p = pipeline(tmp_path)
    with serve_site(tmp_path, routes) as site:
        source = WebSource(name="site", kind="web", start_urls=[site.url("/index.html")],
                           requests_per_second=100, respect_robots=False)
        p.run([source])
        cache = tmp_path / "data" / "cache" / "http.sqlite"
        assert cache.is_file()
        for extra in ("-wal", "-shm"):
            Path(str(cache) + extra).unlink(missing_ok=True)
        cache.write_bytes(b"this is not a database" * 100)
        second = p.run([source]).reports[0]
    assert (second.fetched, second.not_modified, second.unchanged) == (1, 0, 1)


def test_linked_pdfs_become_passages_per_page_and_a_broken_one_is_reported(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent.parent / "fixtures" / "crawl"
    p = pipeline(tmp_path)
    with serve_site(fixtures) as site:
        source = WebSource(name="site", kind="web", start_urls=[site.url("/index.html")], max_depth=1,
                           requests_per_second=100, respect_robots=False, deny=[site.url("/private/")])
        report = p.run([source]).reports[0]
        chunks = [c for c in IndexStore(tmp_path / "data").load().chunks if "programmheft" in c.source.url]
        failed = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in report.failed}
    assert failed["broken.pdf"].startswith("not a readable PDF")
    by_page = {c.source.url.rsplit("#", 1)[-1]: c for c in chunks}
    assert set(by_page) == {"page=1", "page=2"}
    assert "1. Februar" in by_page["page=2"].text and by_page["page=2"].source.section == "Seite 2"
    assert by_page["page=2"].source.title == "Programmheft Familienbildung"


class RecordingProgress:
    """A real Progress implementation that remembers what it was told."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.tasks: dict[str, list[int | None]] = {}  # description -> [total, advanced, closed]

    def log(self, message: str) -> None:
        self.lines.append(message)

    def task(self, description: str, total: int | None = None) -> RecordingProgress._Task:
        self.tasks[description] = [total, 0, 0]
        return RecordingProgress._Task(self.tasks[description])

    class _Task:
        def __init__(self, state: list[int | None]) -> None:
            self.state = state

        def advance(self, n: int = 1) -> None:
            self.state[1] = int(self.state[1] or 0) + n

        def close(self) -> None:
            self.state[2] = 1


def test_long_work_reports_counted_progress(tmp_path: Path) -> None:
    records = tmp_path / "pages.jsonl"
    write_records(records, {"kita": "Die Kita-Anmeldung erfolgt online. Plätze gibt es ab August.",
                            "vhs": "Die VHS bietet Deutschkurse an."})
    progress = RecordingProgress()
    IngestPipeline(HashingEmbedder(), IndexStore(tmp_path / "data"), user_agent="t", progress=progress).run(
        [JsonlSource(name="rec", kind="jsonl", path=records)])
    total, advanced, closed = progress.tasks["embedding"]
    assert total == advanced and total and total >= 2 + 3 and closed  # 2 passages + their 3 sentences
    assert any("2 documents" in line for line in progress.lines)
