"""Schemathesis against the live server's OpenAPI schema: whatever the schema allows (and a good deal
it does not), no request may produce a server error (5xx). Runs against real uvicorn on loopback.

Each operation's cases come from Schemathesis' Hypothesis strategy and are sent by Schemathesis
itself (``call_and_validate``) with its ``not_a_server_error`` check. Its pytest plugin
(``schemathesis.pytest.from_fixture``) does not run under pytest 9 (it reads a private attribute
pytest no longer has), so the operations are looped over here instead.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.integration

EXAMPLES = 15  # per operation and mode; every /v1/ask and /v1/chat case runs the real model on 2 CPU cores


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(server: str, mode: GenerationMode) -> None:
    """Positive: requests the schema allows; negative: requests it forbids (wrong types, missing fields…)."""
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    failures: list[str] = []
    operations, calls = 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            nonlocal calls
            calls += 1
            case.call_and_validate(checks=[not_a_server_error], timeout=60)

        try:
            run()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # no parameters (/health): nothing to get wrong
        except Exception as exc:  # collect all operations' failures, then report them together
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 13 and calls >= operations * 3
    assert not failures, "\n\n".join(failures)
