"""The crawler against a real HTTP server that misbehaves in every way a city website can.

Each test starts a fresh server (``site``) on loopback from ``tests/fixtures/crawl`` plus the
special routes in ``_routes()``, runs the real ``WebCrawler(...).run()`` with a short timeout
and asserts on the ``CrawlResult`` and on what the server saw (requests per path, times).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.fetch import CrawlResult, FetchedPage, WebCrawler, canonical_url, decode_body
from ingest.sources import WebSource
from tests.httpfixture import (
    Route,
    TestSite,
    delay,
    drip,
    hang,
    page,
    redirect,
    sequence,
    serve_site,
    status,
    stream,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "crawl"
UA = "Bildungslotse-Test/1.0 (+https://example.org/bot)"
TIMEOUT = 0.5
MAX_BYTES = 100_000
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
ETAG = '"v1-5f3a"'


def _routes() -> dict[str, Route]:
    latin1_header = (FIXTURES / "latin1-header.html").read_bytes()
    return {
        "/status/404": status(404),
        "/status/410": status(410),
        "/status/500": status(500),
        "/flaky": sequence(status(503), page("<html><body><p>Nach dem 503 geht es.</p></body></html>")),
        "/slow": delay(3.0, page("<html><body>zu spät</body></html>")),
        "/hang": hang(),
        "/drip": drip(0.1),
        "/loop-a": redirect("/loop-b"),
        "/loop-b": redirect("/loop-a"),
        "/chain-start": redirect("/chain-2", 301),
        "/chain-2": redirect("chain-3", 302),  # relative Location
        "/chain-3": redirect("/chain-end", 308),
        "/chain-end": page("<html><body><p>Ende der Kette.</p><a href='about.html'>Über uns</a></body></html>"),
        "/go/away": redirect("/deep/level4.html"),
        "/huge": stream(2_000_000),
        "/huge-declared": stream(2_000_000, declare_length=True),
        "/big.pdf": stream(500_000, content_type="application/pdf", declare_length=True),
        "/latin1-header": page(latin1_header, "text/html; charset=iso-8859-1"),
        "/cached": page("<html><body><p>Zwischengespeichert.</p></body></html>",
                        headers={"Last-Modified": LAST_MODIFIED, "ETag": ETAG}),
    }


@pytest.fixture
def site() -> Iterator[TestSite]:
    with serve_site(FIXTURES, _routes()) as s:
        yield s
    # Hung and slow routes must not keep the server alive after the test.
    assert s.unfinished_threads == 0


def crawl(site: TestSite, *start: str, timeout: float = TIMEOUT, retries: int = 2, concurrency: int = 4,
          limit: float = 10.0, **source: Any) -> CrawlResult:
    """Run the real crawler from ``start`` paths; fail (instead of hanging) after ``limit`` s."""
    cfg: dict[str, Any] = {"requests_per_second": 100, "max_bytes": MAX_BYTES, "max_depth": 0, **source}
    src = WebSource(kind="web", name="test", start_urls=[site.url(p) for p in start or ("/index.html",)], **cfg)
    crawler = WebCrawler(src, user_agent=UA, timeout=timeout, retries=retries, concurrency=concurrency)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = crawler.run()
        except BaseException as exc:  # surfaced below
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(limit)
    assert not t.is_alive(), f"crawl did not finish within {limit}s"
    if "error" in box:
        raise box["error"]
    return box["result"]


def pages(result: CrawlResult) -> dict[str, FetchedPage]:
    return {p.url: p for p in result.pages}


def reasons(entries: list) -> dict[str, str]:  # type: ignore[type-arg]
    return {e.url: e.reason for e in entries}


def paths(urls: Any, site: TestSite) -> set[str]:
    return {u.removeprefix(site.base) for u in urls}


def assert_partition(result: CrawlResult) -> None:
    """Every URL ends up in exactly one of pages, failures, skipped."""
    lists = [[p.url for p in result.pages], [f.url for f in result.failures], [s.url for s in result.skipped]]
    flat = [u for lst in lists for u in lst]
    assert len(flat) == len(set(flat)), f"URL reported twice: {sorted(flat)}"


# Scope: allow, deny, max_pages, max_depth, robots.txt.

def test_follows_links_on_the_start_host_by_default(site: TestSite) -> None:
    r = crawl(site, "/index.html", max_depth=1, deny=[site.url("/denied/")])
    got = paths(pages(r), site)
    assert {"/index.html", "/about.html", "/deep/level1.html", "/malformed.html", "/latin1-meta.html",
            "/latin1-header", "/cached", "/chain-start", "/flaky"} <= got
    # The tracking/fragment variant of about.html is the same page, fetched once.
    assert site.hits["/about.html"] == 1
    assert "/deep/level2.html" not in got  # depth 2
    assert not r.failures, r.failures
    assert_partition(r)
    # Every request carried our User-Agent, robots.txt included.
    assert {h.headers.get("user-agent") for h in site.log} == {UA}


def test_allow_limits_the_links_followed(site: TestSite) -> None:
    r = crawl(site, "/index.html", max_depth=3, allow=[site.url("/deep/"), site.url("/about.html")])
    assert paths(pages(r), site) == {"/index.html", "/about.html", "/deep/level1.html", "/deep/level2.html",
                                      "/deep/level3.html"}
    assert site.hits["/malformed.html"] == 0 and site.hits["/cached"] == 0


def test_deny_is_never_fetched(site: TestSite) -> None:
    r = crawl(site, "/index.html", max_depth=1, deny=[site.url("/denied/"), site.url("/deep")])
    got = paths(pages(r), site)
    assert "/about.html" in got
    assert site.hits["/denied/page.html"] == 0
    assert site.hits["/deep/level1.html"] == 0


def test_denied_start_url_is_skipped(site: TestSite) -> None:
    r = crawl(site, "/denied/page.html", "/about.html", deny=[site.url("/denied/")])
    assert paths(pages(r), site) == {"/about.html"}
    assert "deny" in reasons(r.skipped)[site.url("/denied/page.html")]
    assert site.hits["/denied/page.html"] == 0


def test_max_pages_bounds_the_requests(site: TestSite) -> None:
    r = crawl(site, "/index.html", max_depth=2, max_pages=3, deny=[site.url("/denied/")])
    assert len(r.pages) + len(r.failures) <= 3
    assert any("max_pages" in s.reason for s in r.skipped)
    page_requests = sum(n for p, n in site.hits.items() if p != "/robots.txt")
    assert page_requests <= 3


def test_max_pages_holds_with_concurrent_start_urls(site: TestSite) -> None:
    starts = ["/about.html", "/deep/level1.html", "/deep/level2.html", "/deep/level3.html", "/malformed.html"]
    r = crawl(site, *starts, max_pages=2, concurrency=4)
    assert len(r.pages) == 2
    assert len([s for s in r.skipped if "max_pages" in s.reason]) == 3
    assert site.hits["/robots.txt"] == 1  # asked once per host, not once per worker


@pytest.mark.parametrize(("max_depth", "expected"), [
    (0, {"/deep/level1.html"}),
    (2, {"/deep/level1.html", "/deep/level2.html", "/deep/level3.html"}),
])
def test_max_depth(site: TestSite, max_depth: int, expected: set[str]) -> None:
    r = crawl(site, "/deep/level1.html", max_depth=max_depth)
    assert paths(pages(r), site) == expected
    assert site.hits["/deep/level4.html"] == 0


def test_robots_txt_disallow_is_a_skip_with_reason(site: TestSite) -> None:
    r = crawl(site, "/index.html", max_depth=1)
    assert "robots.txt" in reasons(r.skipped)[site.url("/private/secret.html")]
    assert site.hits["/private/secret.html"] == 0
    assert site.hits["/robots.txt"] == 1


def test_robots_txt_can_be_ignored(site: TestSite) -> None:
    r = crawl(site, "/private/secret.html", respect_robots=False)
    assert paths(pages(r), site) == {"/private/secret.html"}
    assert site.hits["/robots.txt"] == 0


# HTTP errors, retries, timeouts.

def test_client_errors_fail_at_once_and_server_errors_after_retries(site: TestSite) -> None:
    r = crawl(site, "/status/404", "/status/410", "/status/500", "/flaky", "/about.html", retries=2)
    failed = reasons(r.failures)
    assert "HTTP 404" in failed[site.url("/status/404")]
    assert "HTTP 410" in failed[site.url("/status/410")]
    assert "HTTP 500" in failed[site.url("/status/500")] and "3 attempts" in failed[site.url("/status/500")]
    assert site.hits["/status/404"] == 1 and site.hits["/status/410"] == 1  # not worth retrying
    assert site.hits["/status/500"] == 3  # retries + 1
    assert site.hits["/flaky"] == 2  # 503, then 200
    assert paths(pages(r), site) == {"/flaky", "/about.html"}
    assert "Nach dem 503" in pages(r)[site.url("/flaky")].text


def test_slow_hanging_and_dripping_responses_time_out(site: TestSite) -> None:
    t0 = time.monotonic()
    r = crawl(site, "/slow", "/hang", "/drip", "/about.html", retries=1)
    elapsed = time.monotonic() - t0
    failed = reasons(r.failures)
    for p in ("/slow", "/hang", "/drip"):
        assert "timed out" in failed[site.url(p)], failed
        assert site.hits[p] == 2
    assert paths(pages(r), site) == {"/about.html"}
    # Two attempts of 0.5 s each and one 0.25 s backoff, in parallel workers.
    assert elapsed < 3.0, elapsed


def test_hang_is_bounded_by_timeout_and_retries(site: TestSite) -> None:
    t0 = time.monotonic()
    r = crawl(site, "/hang", retries=2)
    elapsed = time.monotonic() - t0
    assert "timed out" in reasons(r.failures)[site.url("/hang")]
    assert site.hits["/hang"] == 3
    assert elapsed < 3 * TIMEOUT + 0.75 + 1.0, elapsed  # attempts + backoff + slack


def test_redirect_loop_fails_with_too_many_redirects(site: TestSite) -> None:
    r = crawl(site, "/loop-a")
    assert "too many redirects" in reasons(r.failures)[site.url("/loop-a")]
    assert site.hits["/loop-a"] + site.hits["/loop-b"] <= 12  # cut off, and not retried


def test_redirect_chain_that_ends_well(site: TestSite) -> None:
    r = crawl(site, "/chain-start", max_depth=1)
    p = pages(r)[site.url("/chain-start")]
    assert p.final_url == site.url("/chain-end")
    assert p.status == 200 and "Ende der Kette" in p.text
    assert site.url("/about.html") in pages(r)  # links resolve against the final URL


def test_redirect_out_of_scope_is_skipped(site: TestSite) -> None:
    r = crawl(site, "/index.html", max_depth=1, allow=[site.url("/go/")])
    assert "outside" in reasons(r.skipped)[site.url("/go/away")]
    assert "/go/away" not in paths(pages(r), site)


def test_huge_pages_fail_on_size(site: TestSite) -> None:
    r = crawl(site, "/huge", "/huge-declared", "/about.html")
    failed = reasons(r.failures)
    for p in ("/huge", "/huge-declared"):
        assert f"larger than {MAX_BYTES} bytes" in failed[site.url(p)]
    assert paths(pages(r), site) == {"/about.html"}


def test_pdfs_are_fetched_as_bytes_within_the_size_cap(site: TestSite) -> None:
    r = crawl(site, "/programmheft.pdf", "/big.pdf")
    (pdf,) = r.pages
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF-") and pdf.text == ""
    assert f"larger than {MAX_BYTES} bytes" in reasons(r.failures)[site.url("/big.pdf")]


def test_unwanted_types_are_skipped_without_downloading_them(site: TestSite) -> None:
    r = crawl(site, "/programmheft.pdf", "/big.pdf", pdfs=False)
    skipped = reasons(r.skipped)
    for p in ("/programmheft.pdf", "/big.pdf"):
        assert "unsupported content type application/pdf" in skipped[site.url(p)]
    assert not r.failures and not r.pages  # big.pdf exceeds max_bytes but is a skip, not a failure


# Content: encodings, malformed HTML, caching headers.

@pytest.mark.parametrize("path", ["/latin1-meta.html", "/latin1-header"])
def test_latin1_pages_decode_umlauts(site: TestSite, path: str) -> None:
    text = pages(crawl(site, path))[site.url(path)].text
    assert "ä ö ü ß" in text
    assert "Ã" not in text and "\ufffd" not in text


def test_latin1_umlaut_words(site: TestSite) -> None:
    r = crawl(site, "/latin1-meta.html", "/latin1-header")
    assert "Größe, Öffnungszeiten, Übergänge und Straße" in pages(r)[site.url("/latin1-meta.html")].text
    assert "Weiterbildung für Ältere" in pages(r)[site.url("/latin1-header")].text


def test_malformed_html_still_yields_a_page_and_its_links(site: TestSite) -> None:
    r = crawl(site, "/malformed.html", max_depth=1)
    got = pages(r)
    assert "Letzter Absatz ohne Abschluss" in got[site.url("/malformed.html")].text
    assert site.url("/about.html") in got


def test_last_modified_and_etag_are_kept(site: TestSite) -> None:
    r = crawl(site, "/cached", "/about.html")
    cached = pages(r)[site.url("/cached")]
    assert cached.last_modified == LAST_MODIFIED and cached.etag == ETAG
    assert pages(r)[site.url("/about.html")].last_modified  # the file server sends one too


# The whole mess at once.

def test_bad_cases_never_lose_the_good_pages(site: TestSite) -> None:
    t0 = time.monotonic()
    r = crawl(site, "/index.html", "/trouble.html", max_depth=1, retries=1, deny=[site.url("/denied/")])
    elapsed = time.monotonic() - t0
    good = {"/index.html", "/trouble.html", "/about.html", "/deep/level1.html", "/malformed.html",
            "/latin1-meta.html", "/latin1-header", "/cached", "/chain-start", "/flaky", "/go/away",
            "/programmheft.pdf", "/broken.pdf"}  # a broken PDF is fetched fine; extraction reports it
    assert good <= paths(pages(r), site)
    bad = {"/status/404", "/status/410", "/status/500", "/slow", "/hang", "/drip", "/loop-a", "/huge",
           "/huge-declared", "/big.pdf"}
    assert paths(reasons(r.failures), site) == bad
    assert {"/private/secret.html"} <= paths(reasons(r.skipped), site)
    assert_partition(r)
    assert elapsed < 5.0, elapsed


def test_invalid_links_do_not_kill_the_crawl(site: TestSite) -> None:
    # One worker only: if a bad href killed it, nothing would be left to finish the queue.
    r = crawl(site, "/index.html", max_depth=1, concurrency=1, deny=[site.url("/denied/")])
    assert {"/about.html", "/deep/level1.html", "/cached"} <= paths(pages(r), site)
    assert not any("kaputt" in u or "99999" in u for u in [*pages(r), *reasons(r.failures)])


def test_invalid_start_url_is_a_failure_not_a_crash(site: TestSite) -> None:
    src = WebSource(kind="web", name="test", start_urls=["http://127.0.0.1:99999/x", site.url("/about.html")],
                    max_depth=0)
    r = WebCrawler(src, user_agent=UA, timeout=TIMEOUT).run()
    assert "invalid URL" in reasons(r.failures)["http://127.0.0.1:99999/x"]
    assert paths(pages(r), site) == {"/about.html"}


# Politeness.

def test_rate_limit_spaces_requests_per_host(site: TestSite) -> None:
    starts = ["/about.html", "/deep/level1.html", "/deep/level2.html", "/deep/level3.html", "/malformed.html"]
    t0 = time.monotonic()
    r = crawl(site, *starts, requests_per_second=5, concurrency=4)
    elapsed = time.monotonic() - t0
    assert len(r.pages) == 5
    times = sorted(site.times())
    n = len(times)  # robots.txt + 5 pages
    assert n == 6
    assert times[-1] - times[0] >= (n - 1) / 5 * 0.9
    assert elapsed >= (n - 1) / 5 * 0.9
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.2 * 0.75, gaps


# canonical_url and decode_body.

@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTP://WWW.Bochum.DE/Schule", "http://www.bochum.de/Schule"),  # scheme and host lower, path kept
    ("https://www.bochum.de/a#section", "https://www.bochum.de/a"),
    ("https://www.bochum.de:443/a", "https://www.bochum.de/a"),
    ("http://www.bochum.de:80/a", "http://www.bochum.de/a"),
    ("http://www.bochum.de:8080/a", "http://www.bochum.de:8080/a"),
    ("https://www.bochum.de:80/a", "https://www.bochum.de:80/a"),  # not the default for https
    ("https://www.bochum.de/Die-Bochum-Strategie%2FWas-ist", "https://www.bochum.de/Die-Bochum-Strategie/Was-ist"),
    ("https://www.bochum.de/a%2fb", "https://www.bochum.de/a/b"),
    ("https://www.bochum.de/a/b/", "https://www.bochum.de/a/b"),
    ("https://www.bochum.de/", "https://www.bochum.de/"),
    ("https://www.bochum.de", "https://www.bochum.de/"),
    ("https://www.bochum.de//a//b", "https://www.bochum.de/a/b"),
    ("https://www.bochum.de/a?utm_source=x&utm_medium=y&fbclid=z", "https://www.bochum.de/a"),
    ("https://www.bochum.de/a?z=1&utm_campaign=c&a=2&gclid=q", "https://www.bochum.de/a?a=2&z=1"),
    ("https://www.bochum.de/a?b=2&a=1", "https://www.bochum.de/a?a=1&b=2"),
    ("  https://www.bochum.de/a  ", "https://www.bochum.de/a"),
    ("https://www.bochum.de/Schul%c3%a4mter", "https://www.bochum.de/Schul%C3%A4mter"),  # escapes upper-case
    ("https://www.bochum.de/Schulämter", "https://www.bochum.de/Schul%C3%A4mter"),  # raw UTF-8 encoded
    ("https://www.bochum.de/%7Euser/a%2Db", "https://www.bochum.de/~user/a-b"),  # unreserved decoded
    ("https://www.bochum.de/a%20b", "https://www.bochum.de/a%20b"),
    ("https://www.bochum.de/a b", "https://www.bochum.de/a%20b"),
    ("http://[::1]:8080/a/", "http://[::1]:8080/a"),
])
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected
    assert canonical_url(expected) == expected  # idempotent


def test_canonical_url_keeps_www_and_bare_host_apart() -> None:
    # Identical pages under both hosts are merged by content later (ingest pipeline), not here.
    assert canonical_url("https://www.bochum.de/a") != canonical_url("https://bochum.de/a")


def test_canonical_url_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        canonical_url("http://[kaputt/")


@pytest.mark.parametrize(("body", "header", "expected"), [
    ("Größe".encode("iso-8859-1"), "iso-8859-1", "Größe"),  # header charset
    (b'<meta charset="iso-8859-1">' + "Straße".encode("iso-8859-1"), None, '<meta charset="iso-8859-1">Straße'),
    (b"<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'>\xfc", None,
     "<meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'>ü"),
    ("Übergänge".encode(), None, "Übergänge"),  # no declaration: UTF-8
    ("Übergänge".encode(), "utf-8", "Übergänge"),
    ("\ufeffÜbergänge".encode(), "iso-8859-1", "Übergänge"),  # a BOM beats the header and is dropped
    ("Größe der Klassen, Öffnungszeiten, Übergänge und Straße".encode("iso-8859-1"), "no-such-charset",
     "Größe der Klassen, Öffnungszeiten, Übergänge und Straße"),  # unknown label: guessed
    # Pages labelled latin-1 are really windows-1252 (browsers decode them so): „…“ and €.
    ("„Kita“ kostet 5 €".encode("cp1252"), "iso-8859-1", "„Kita“ kostet 5 €"),
])
def test_decode_body(body: bytes, header: str | None, expected: str) -> None:
    assert decode_body(body, header) == expected


def test_decode_body_header_beats_meta() -> None:
    body = b'<meta charset="utf-8"><p>' + "Fußball".encode("iso-8859-1")
    assert "Fußball" in decode_body(body, "iso-8859-1")
