"""Rate limits, overload, size caps and security headers on a real server with small limits."""

from __future__ import annotations

import concurrent.futures
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import _serve

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def limited_server(demo_data_dir: Path, model_path: str) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env.update({"LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_RATE_LIMIT_PER_MINUTE": "30",
                "LOTSE_RATE_LIMIT_BURST": "4", "LOTSE_MAX_INFLIGHT": "1", "LOTSE_QUEUE_TIMEOUT": "0.2",
                "LOTSE_MAX_BODY_BYTES": "2048", "LOTSE_STATE_PATH": str(demo_data_dir / "limited-state.sqlite3")})
    yield from _serve(demo_data_dir, env)


def test_a_client_over_its_rate_gets_429_with_retry_after(limited_server: str) -> None:
    codes = []
    for _ in range(8):
        r = httpx.get(f"{limited_server}/v1/search", params={"q": "Kita"}, timeout=30)
        codes.append(r.status_code)
        if r.status_code == 429:
            assert r.json()["error"] == "rate_limited"
            assert 1 <= int(r.headers["retry-after"]) <= 3
    assert codes[:4] == [200] * 4 and 429 in codes[4:]
    assert httpx.get(f"{limited_server}/health", timeout=10).status_code == 200  # never limited


def test_too_large_bodies_are_refused_before_reading(limited_server: str) -> None:
    r = httpx.post(f"{limited_server}/v1/feedback", content=b"{" + b" " * 5000 + b"}", timeout=30,
                   headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"


def test_security_headers_on_api_responses(limited_server: str) -> None:
    r = httpx.get(f"{limited_server}/health", timeout=10)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_overload_answers_429_instead_of_hanging(demo_data_dir: Path, model_path: str) -> None:
    # A second server: the rate limit off, one slot, a short queue; many questions at once.
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOTSE_")}
    env.update({"LOTSE_EMBEDDING_MODEL": model_path, "LOTSE_MAX_INFLIGHT": "1", "LOTSE_QUEUE_TIMEOUT": "0.05",
                "LOTSE_STATE_PATH": str(demo_data_dir / "overload-state.sqlite3")})
    gen = _serve(demo_data_dir, env)
    base = next(gen)
    try:
        questions = [f"Welche Angebote gibt es für Kinder im Alter von {n} Jahren?" for n in range(12)]
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            responses = list(pool.map(
                lambda q: httpx.post(f"{base}/v1/ask", json={"question": q}, timeout=60), questions))
        codes = [r.status_code for r in responses]
        assert set(codes) <= {200, 429} and 200 in codes and 429 in codes, codes
        busy = next(r for r in responses if r.status_code == 429)
        assert busy.json()["error"] == "overloaded" and int(busy.headers["retry-after"]) >= 1
    finally:
        gen.close()
