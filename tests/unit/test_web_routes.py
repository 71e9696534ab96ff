"""api/web.py: the front's files are served with the right types and a strict CSP, and CORS opens only for the
configured embedding sites. No index or model is needed: the app's start-up (lifespan) is not run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from lotse.settings import Settings
from web import ASSETS


def client(tmp_path: Path, **settings: str) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path, **settings)))  # type: ignore[arg-type]


@pytest.mark.parametrize(("path", "media"), [
    ("/widget.js", "text/javascript"), ("/widget.css", "text/css"), ("/console.js", "text/javascript"),
    ("/console.css", "text/css"), ("/demo.css", "text/css"), ("/console", "text/html"), ("/demo", "text/html"),
])
def test_files_are_served_with_their_type(tmp_path: Path, path: str, media: str) -> None:
    r = client(tmp_path).get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert r.headers["x-content-type-options"] == "nosniff"


def test_pages_have_a_strict_csp_and_no_inline_code(tmp_path: Path) -> None:
    c = client(tmp_path)
    for path in ("/demo", "/console"):
        r = c.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe" not in csp
        html = r.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html), "inline style or event handler"


def test_widget_files_may_be_loaded_by_other_sites(tmp_path: Path) -> None:
    r = client(tmp_path).get("/widget.js")
    assert r.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "content-security-policy" not in r.headers  # a script, not a page


def test_only_listed_files_are_served(tmp_path: Path) -> None:
    c = client(tmp_path)
    assert c.get("/__init__.py").status_code == 404
    assert c.get("/web/__init__.py").status_code == 404


def test_the_widget_never_parses_text_as_html() -> None:
    for name in ("widget.js", "console.js"):
        source = (ASSETS / name).read_text(encoding="utf-8")
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert banned not in source, f"{name} uses {banned}"


class TestCors:
    SITE = "https://www.bochum.de"

    def preflight(self, c: TestClient, origin: str, headers: str = "content-type"):  # type: ignore[no-untyped-def]
        return c.options("/v1/chat", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": headers})

    def test_configured_site_may_call_the_api(self, tmp_path: Path) -> None:
        c = client(tmp_path, widget_origins=f"{self.SITE}/, https://bochum.de")
        r = self.preflight(c, self.SITE)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == self.SITE
        r = c.get("/health", headers={"Origin": "https://bochum.de"})
        assert r.headers["access-control-allow-origin"] == "https://bochum.de"

    def test_other_sites_and_the_admin_header_stay_closed(self, tmp_path: Path) -> None:
        c = client(tmp_path, widget_origins=self.SITE)
        assert "access-control-allow-origin" not in self.preflight(c, "https://evil.example").headers
        assert self.preflight(c, self.SITE, "authorization").status_code == 400

    def test_no_cors_without_configuration(self, tmp_path: Path) -> None:
        r = client(tmp_path).get("/health", headers={"Origin": self.SITE})
        assert "access-control-allow-origin" not in r.headers
