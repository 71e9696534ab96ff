"""The follow-up evaluation on the real model and demo index: context helps follow-ups, never topic changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.service import Assistant
from evaluation.followups import DEMO_QUESTIONS, load_dialogues, run_followups, to_markdown, topic_changes
from index.live import LiveIndex
from index.store import IndexStore

pytestmark = pytest.mark.integration


def test_dialogues_are_well_formed() -> None:
    ds = load_dialogues()
    assert len(ds) >= 20
    assert {d.language for d in ds} >= {"de", "en", "ar", "tr", "uk", "ru", "fa", "pl"}
    assert any(not d.followup for d in ds) and len({d.id for d in ds}) == len(ds)


def test_changes_of_topic_are_made_from_the_demo_questions_of_one_language() -> None:
    ds = topic_changes()
    assert len({d.language for d in ds}) == 20 and not any(d.followup for d in ds)
    rows = [json.loads(line) for line in DEMO_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    page = {(r["language"], r["question"]): r["page"] for r in rows}
    for d in ds:
        first, second = (page[(d.language, t)] for t in d.turns)
        assert second != first or second is None
        assert d.gold == (second or "") and d.group.endswith("(demo questions)")
    assert {d.group for d in ds} == {"topic changes (demo questions)",
                                     "to an unanswerable question (demo questions)"}


def test_a_demo_question_without_its_page_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text('{"language": "de", "topic": "t", "question": "Wo ist das?"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"questions.jsonl:1: .* missing page"):
        topic_changes(path)


def test_context_helps_follow_ups_and_leaves_topic_changes_alone(demo_data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    ds = load_dialogues()[::2]  # half the set keeps the suite quick; `lotse eval followups` runs it all
    result = run_followups(Assistant(LiveIndex(IndexStore(demo_data_dir)), embedder), ds, k=3)
    fu, switch = result["summary"]["follow-ups"], result["summary"]["topic changes"]
    assert fu["product_hitk"] > fu["alone_hitk"] and fu["product_hit1"] > fu["alone_hit1"]
    assert switch["product_hit1"] >= switch["alone_hit1"]
    assert "| follow-ups |" in to_markdown(result, {"command": "test"})
