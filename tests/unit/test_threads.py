"""The server's thread limit reaches every pool a question runs in (in a fresh process: it is process-wide)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

PROBE = ("import json, numpy, sys; from lotse.threads import limit_threads, thread_limits; "
         "before = thread_limits(); limit_threads(int(sys.argv[1])); print(json.dumps([before, thread_limits()]))")


def _limits(n: int) -> tuple[dict[str, int], dict[str, int]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(n)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    before, after = json.loads(proc.stdout)
    return before, after


def test_one_thread_limits_torch_faiss_and_blas() -> None:
    _, after = _limits(1)
    assert after == {"torch": 1, "faiss": 1, "blas": 1}


def test_zero_leaves_the_libraries_defaults() -> None:
    before, after = _limits(0)
    assert after == before and before["torch"] >= 1 and before["blas"] >= 1
