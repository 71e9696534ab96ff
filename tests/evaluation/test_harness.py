"""The eval harness end to end on XQuAD with the hashing embedder (plumbing only, fast)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluation.datasets import EvalDataError, load_omos, load_xquad
from lotse.settings import Settings
from tests.conftest import REPO

EVAL_DATA = Settings().eval_data_dir if Settings().eval_data_dir.is_absolute() else REPO / Settings().eval_data_dir
needs_data = pytest.mark.skipif(not (EVAL_DATA / "xquad").is_dir(),
                                reason=f"no evaluation data at {EVAL_DATA} (set LOTSE_EVAL_DATA_DIR)")


def run_eval(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evaluation", *args], cwd=REPO, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


@needs_data
def test_xquad_small_run_writes_both_reports_and_reuses_its_index(tmp_path: Path) -> None:
    env = {"LOTSE_EVAL_DATA_DIR": str(EVAL_DATA), "LOTSE_EMBEDDING_MODEL": "hashing"}
    args = ("xquad", "--limit", "4", "--languages", "de,en", "--systems", "ours,dense,bm25,haystack",
            "--data-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "out"))
    first = run_eval(*args, env=env)
    assert first.returncode == 0, first.stderr
    md, js = tmp_path / "out" / "xquad-test.md", tmp_path / "out" / "xquad-test.json"
    assert md.is_file() and js.is_file()
    data = json.loads(js.read_text(encoding="utf-8"))
    assert set(data["retrieval"]) == {"ours", "dense", "bm25"}
    assert data["retrieval"]["ours"]["de"]["n"] == 4
    # The hashing embedder is no sentence-transformers folder: the peer is reported, not crashed.
    assert "haystack" in data["unavailable"]
    assert "Recall@1" in first.stdout and "| de | 4 |" in first.stdout
    second = run_eval(*args, env=env)
    assert second.returncode == 0, second.stderr
    assert "reusing cached index" in second.stderr


def test_missing_eval_data_names_the_setting(tmp_path: Path) -> None:
    proc = run_eval("xquad", "--limit", "1", "--model", "hashing", "--data-dir", str(tmp_path),
                    env={"LOTSE_EVAL_DATA_DIR": str(tmp_path / "nowhere")})
    assert proc.returncode == 1
    assert "LOTSE_EVAL_DATA_DIR" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(EvalDataError, match="LOTSE_EVAL_DATA_DIR"):
        load_xquad(tmp_path / "nowhere")


@needs_data
def test_xquad_loader_gold_is_the_paragraph_of_the_same_qa_id() -> None:
    ev = load_xquad(EVAL_DATA, ["de", "ar"])
    assert len(ev.corpus) == 240
    assert len(ev.questions["de"]) == len(ev.questions["ar"]) == 1190
    for de, ar in zip(ev.questions["de"], ev.questions["ar"], strict=True):
        assert de.id == ar.id and de.gold_urls == ar.gold_urls
    assert ev.corpus[0].url == "https://xquad.example/super-bowl-50/1"


@needs_data
def test_omos_loader_maps_gold_pages_and_counts_missing_ones() -> None:
    ev = load_omos(EVAL_DATA, "dev", ["de", "uk"])
    assert ev.html and ev.notes["questions_per_language"] == 193
    # München has no page dump: those questions are counted, not scored.
    assert ev.notes["gold_page_missing"] == ev.notes["gold_page_missing_by_city"]["muenchen"] > 0
    urls = {r.url for r in ev.corpus}
    for q in ev.questions["uk"]:
        assert not q.in_corpus or q.gold_urls <= urls
    # English-origin items point at the English page; they are mapped to its German page.
    assert sum(q.in_corpus for q in ev.questions["de"]) == 193 - ev.notes["gold_page_missing"]
    assert any(q.gold_lines for q in ev.questions["de"]) and not any(q.gold_lines for q in ev.questions["de"]
                                                                     if not q.answerable)
    with pytest.raises(EvalDataError, match="splits"):
        load_omos(EVAL_DATA, "validation")


@needs_data
def test_omos_run_reports_what_the_answer_quotes_for_ours_only(tmp_path: Path) -> None:
    """answer@1 / answer@any come from the product's evidence selection over ours' top five
    passages; BM25 only ranks, so its cells are empty, not zero."""
    env = {"LOTSE_EVAL_DATA_DIR": str(EVAL_DATA), "LOTSE_EMBEDDING_MODEL": "hashing"}
    proc = run_eval("omos", "--split", "dev", "--limit", "60", "--languages", "de", "--systems", "ours,bm25",
                    "--data-dir", str(tmp_path / "cache"), "--out", str(tmp_path / "out"), env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads((tmp_path / "out" / "omos-dev.json").read_text(encoding="utf-8"))
    ours, bm25 = data["retrieval"]["ours"]["de"], data["retrieval"]["bm25"]["de"]
    assert ours["n_evidence"] > 0
    assert 0.0 <= ours["answer@1"] <= ours["answer@any"] <= 1.0
    assert bm25["answer@1"] is None and bm25["answer@any"] is None
    assert "### Answer@1" in (tmp_path / "out" / "omos-dev.md").read_text(encoding="utf-8")
