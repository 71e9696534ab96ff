"""The CLI front door answers at once and turns bad input into one clean message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import LOTSE, REPO


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*LOTSE, *args], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_help_lists_the_commands() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for cmd in ("ingest", "ask", "chat", "serve", "demo", "model", "index"):
        assert cmd in proc.stdout


def test_help_does_not_import_torch() -> None:
    code = "import sys; from lotse import cli; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_bad_sources_file(tmp_path: Path) -> None:
    bad = tmp_path / "s.toml"
    bad.write_text('[[source]]\nname = "x"\nkind = "web"\nstart_urls = ["ftp://nope"]\n', encoding="utf-8")
    proc = run("ingest", "--config", str(bad), "--data-dir", str(tmp_path))
    assert proc.returncode == 1
    assert "is not an http(s) URL" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_sources_file(tmp_path: Path) -> None:
    proc = run("ingest", "--config", str(tmp_path / "nope.toml"), "--data-dir", str(tmp_path))
    assert proc.returncode == 1 and "does not exist" in proc.stderr


def test_a_bad_setting_is_named_without_a_traceback(tmp_path: Path) -> None:
    import os

    proc = subprocess.run([*LOTSE, "serve", "--data-dir", str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "LOTSE_SERVE_THREADS": "-1"})
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "LOTSE_SERVE_THREADS='-1'" in proc.stderr and "greater than or equal to 0" in proc.stderr
