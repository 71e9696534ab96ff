"""Browser tests of the web front: Playwright (Python) driving Debian's Chromium against a real uvicorn.

The server answers from the demo corpus plus one hostile page (markup and script in its *text*), with the
admin endpoints switched on so a test can check that feedback arrived. Nothing here skips: a missing
Chromium or axe-core is a failure that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lotse.sitesrv import serve_directory
from tests.conftest import LOTSE, REPO, _serve

CHROMIUM = os.environ.get("LOTSE_CHROMIUM", "/usr/bin/chromium")
# Without the networking flags Chromium keeps trying to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
AXE = REPO / "tests" / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
ADMIN_TOKEN = "web-test-admin-token-51c2"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# A page whose text talks about markup: the widget must show it, never run it. The real <script> is
# dropped by the crawler's extractor; the escaped ones are the page's text.
HOSTILE_PAGE = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Sicherheitshinweis Elternabend &lt;b onmouseover="window.__pwned=4"&gt;</title></head><body><main>
<h1>Sicherheitshinweis zum Elternabend der Grundschule Sonnenblume</h1>
<p>Beim Elternabend der Grundschule Sonnenblume erklären wir, wie Eltern verdächtige Nachrichten erkennen.
Ein Beispiel für Schadcode in einer Nachricht: &lt;script&gt;window.__pwned=1&lt;/script&gt; und ein Bild mit
&lt;img src=x onerror="window.__pwned=2"&gt; sowie ein Link &lt;a href="javascript:window.__pwned=3"&gt;hier&lt;/a&gt;.
Solche Nachrichten bitte sofort löschen und der Schulleitung melden.</p>
<script>window.__pwned = 99</script>
</main></body></html>
"""
HOSTILE_QUESTION = "Sicherheitshinweis Elternabend Grundschule Sonnenblume Schadcode"


@pytest.fixture(scope="session")
def web_data_dir(demo_data_dir: Path, model_path: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus and the hostile page, ingested by the real `lotse ingest` (embeddings of the demo
    text come from the demo data dir's cache)."""
    data = tmp_path_factory.mktemp("web-data")
    for part in ("index", "cache"):
        if (demo_data_dir / part).exists():
            shutil.copytree(demo_data_dir / part, data / part)
    pages = data / "hostile"
    pages.mkdir()
    (pages / "elternabend.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    with serve_directory(REPO / "demo" / "site") as base:
        sources = data / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "demo-site"\nkind = "web"\nstart_urls = ["{base}/index.html"]\n'
            f'allow = ["{base}/"]\nmax_pages = 50\nrequests_per_second = 50\n\n'
            f'[[source]]\nname = "schule"\nkind = "files"\npaths = ["hostile/*.html"]\n'
            f'base_url = "https://schule.example.org/"\n', encoding="utf-8")
        env = {**os.environ, "LOTSE_DATA_DIR": str(data), "LOTSE_EMBEDDING_MODEL": model_path,
               # The demo site is served on a new port, so its page URLs all change.
               "LOTSE_MAX_DOCUMENT_LOSS": "1.0"}
        proc = subprocess.run([*LOTSE, "ingest", "--config", str(sources)], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return data


@pytest.fixture(scope="session")
def web_server(web_data_dir: Path, model_path: str) -> Iterator[str]:
    """`lotse serve` over the web corpus, admin switched on (to read feedback back)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env.update({"LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_ADMIN_TOKEN": ADMIN_TOKEN})
    yield from _serve(web_data_dir, env)


# Module scope, not session: while sync Playwright runs, its event loop is the running loop of this thread,
# and every later test that calls asyncio.run() would fail. It stops after each test module here.
@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - an install problem, said plainly
        pytest.fail("The Python package playwright is missing: run `make install` (it is pinned in requirements.lock).")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright_instance: Any) -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"No Chromium at {CHROMIUM}. `make install` installs Debian's chromium package when run as root "
                    "(`apt-get install -y chromium`); or point LOTSE_CHROMIUM at a Chromium binary. The browser "
                    "tests do not skip: the web front is not tested without it.")
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield b
    b.close()


@pytest.fixture
def context(browser: Any, web_server: str) -> Iterator[Any]:
    """A fresh browser profile per test (no session left over in sessionStorage), clipboard allowed, and the
    outside world answered locally: a source link to bochum.de opens a stand-in page instead of the network."""
    ctx = browser.new_context(viewport=DESKTOP, locale="de-DE")
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_server)

    def fake_outside(route: Any) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body="<!DOCTYPE html><title>Originalseite</title><p>Originalseite (Testdouble)</p>")

    ctx.route(lambda url: not url.startswith(web_server) and not url.startswith("data:"), fake_outside)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    p = context.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.errors = errors  # type: ignore[attr-defined]
    yield p
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `make install` (npm ci in tests/web, pinned in "
                    "tests/web/package-lock.json).")
    return AXE


def admin_feedback(server: str) -> list[dict[str, Any]]:
    r = httpx.get(f"{server}/v1/admin/feedback", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["feedback"]


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def run_axe(page: Any, axe: Path, include: str | None = None) -> list[dict[str, Any]]:
    """axe-core in the page (WCAG 2.0/2.1 A and AA rules); returns the serious and critical violations."""
    # Evaluated through the DevTools protocol: the pages' CSP (script-src 'self') forbids an injected
    # <script>, and it is the pages as served that are checked.
    page.evaluate(axe.read_text(encoding="utf-8") + "\n;void 0")
    result = page.evaluate(
        """async (include) => {
            const r = await axe.run(include ? {include: [include]} : document,
                                    {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }""", include)
    return [v for v in result if v["impact"] in ("serious", "critical")]
