"""The follow-up evaluation on the real model and demo index: context helps follow-ups, never topic changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant
from evaluation.followups import load_dialogues, run_followups, to_markdown
from index.live import LiveIndex
from index.store import IndexStore

pytestmark = pytest.mark.integration


def test_dialogues_are_well_formed() -> None:
    ds = load_dialogues()
    assert len(ds) >= 20
    assert {d.language for d in ds} >= {"de", "en", "ar", "tr", "uk", "ru", "fa", "pl"}
    assert any(not d.followup for d in ds) and len({d.id for d in ds}) == len(ds)


def test_context_helps_follow_ups_and_leaves_topic_changes_alone(demo_data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    ds = load_dialogues()[::2]  # half the set keeps the suite quick; `lotse eval followups` runs it all
    result = run_followups(Assistant(LiveIndex(IndexStore(demo_data_dir)), embedder), ds, k=3)
    fu, switch = result["summary"]["follow-ups"], result["summary"]["topic changes"]
    assert fu["product_hitk"] > fu["alone_hitk"] and fu["product_hit1"] > fu["alone_hit1"]
    assert switch["product_hit1"] >= switch["alone_hit1"]
    assert "| follow-ups |" in to_markdown(result, {"command": "test"})
