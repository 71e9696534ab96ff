"""Re-crawls against a real local server: a flaky page keeps its passages, a gone page is removed."""

from __future__ import annotations

from pathlib import Path

from index.store import IndexStore
from ingest.pipeline import IngestPipeline
from ingest.sources import WebSource
from lotse.embedding import HashingEmbedder
from tests.httpfixture import page, sequence, serve_site, status

INDEX = ('<html><head><title>Start</title></head><body><main><h1>Start</h1><p>Unsere Seiten:</p>'
         '<a href="/kita.html">Kita</a> <a href="/vhs.html">VHS</a> <a href="/hund.html">Hund</a></main></body></html>')


def doc(title: str, text: str) -> str:
    return f"<html><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"


def test_flaky_page_is_carried_over_and_gone_page_removed(tmp_path: Path) -> None:
    routes = {
        "/index.html": page(INDEX),
        "/kita.html": page(doc("Kita", "Die Kita-Anmeldung erfolgt online im Kita-Portal.")),
        # first crawl fine, then the server fails on every attempt
        "/vhs.html": sequence(page(doc("VHS", "Die Volkshochschule bietet Deutschkurse an.")), status(503)),
        "/hund.html": sequence(page(doc("Hund", "Hunde werden beim Steueramt angemeldet.")), status(404)),
    }
    store = IndexStore(tmp_path / "data")
    with serve_site(tmp_path, routes) as site:
        source = WebSource(name="site", kind="web", start_urls=[site.url("/index.html")],
                           requests_per_second=100, respect_robots=False)
        pipeline = IngestPipeline(HashingEmbedder(), store, user_agent="t", fetch_timeout=2, max_document_loss=1.0)
        first = pipeline.run([source]).reports[0]
        assert first.documents == 4
        second = pipeline.run([source]).reports[0]

    reasons = {f["url"].rsplit("/", 1)[-1]: f["reason"] for f in second.failed}
    assert reasons["vhs.html"].startswith("HTTP 503") and reasons["hund.html"] == "HTTP 404"
    assert second.carried_over == 1
    assert [u.rsplit("/", 1)[-1] for u in second.removed] == ["hund.html"]
    texts = " ".join(c.text for c in store.load().chunks)
    assert "Volkshochschule" in texts  # kept from the published version
    assert "Hunde" not in texts  # 404: the page is gone
