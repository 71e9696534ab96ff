"""The retrieval metrics on hand-computed rankings."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation.metrics import evidence_hit, mean, quotes_gold, recall_at, reciprocal_rank, score_question

RANKED = ["a", "b", "a", "c", "d", "e", "f", "g", "h", "i", "gold"]  # 11 passages, pages may repeat


def test_recall_counts_the_page_of_any_top_k_passage() -> None:
    assert recall_at(["x", "gold", "y"], {"gold"}, 1) == 0.0
    assert recall_at(["x", "gold", "y"], {"gold"}, 2) == 1.0
    assert recall_at(["gold"], {"gold"}, 5) == 1.0  # fewer passages than k
    assert recall_at([], {"gold"}, 5) == 0.0
    # The gold passage is the 11th: outside Recall@10.
    assert recall_at(RANKED, {"gold"}, 10) == 0.0


def test_recall_with_several_gold_urls_identical_pages() -> None:
    assert recall_at(["x", "copy"], {"gold", "copy"}, 2) == 1.0


def test_reciprocal_rank_of_first_gold_passage_within_ten() -> None:
    assert reciprocal_rank(["gold", "x"], {"gold"}) == 1.0
    assert reciprocal_rank(["x", "y", "gold", "gold"], {"gold"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(RANKED, {"gold"}) == 0.0  # rank 11
    assert reciprocal_rank(RANKED, {"gold"}, k=11) == pytest.approx(1 / 11)


def test_evidence_hit_normalises_whitespace_and_respects_k() -> None:
    texts = ["Nichts hier.", "Die Schule beginnt um\n8  Uhr.\u00a0Bitte pünktlich."]
    assert evidence_hit(texts, ["Die Schule beginnt um 8 Uhr."], 2) == 1.0
    assert evidence_hit(texts, ["Die Schule beginnt um 8 Uhr."], 1) == 0.0
    assert evidence_hit(texts, ["Die Kita schließt um 16 Uhr."], 2) == 0.0
    assert evidence_hit(texts, ["  ", "Bitte   pünktlich."], 2) == 1.0  # any one gold line suffices


def test_score_question_and_mean() -> None:
    s = score_question(["x", "gold", "y"], ["t1", "Antwortzeile hier", "t3"], {"gold"}, ["Antwortzeile"])
    assert s.recall == {1: 0.0, 5: 1.0, 10: 1.0}
    assert s.mrr10 == 0.5
    assert s.evidence5 == 1.0
    assert score_question(["x"], ["t"], {"gold"}).evidence5 is None  # nothing to look for
    # Questions without gold lines do not count in the evidence mean.
    assert mean([1.0, None, 0.0, 0.5]) == pytest.approx(0.5)
    assert mean([None]) is None


def test_a_quoted_sentence_is_right_inside_a_gold_line_or_holding_one() -> None:
    line = "Die Anmeldung erfolgt im Bürgerbüro. Bitte bringen Sie Ihren Pass mit."
    assert quotes_gold("Die Anmeldung erfolgt  im Bürgerbüro.", [line])  # a sentence of a longer line
    assert quotes_gold("Öffnungszeiten: Die Anmeldung erfolgt im Bürgerbüro. Bitte bringen Sie Ihren Pass mit. Danke.",
                       [line])  # a sentence that spans the whole line and more
    assert not quotes_gold("Die Anmeldung erfolgt online.", [line])
    assert not quotes_gold("  ", [line]) and not quotes_gold("Die Anmeldung", ["  "])


def test_answer_at_1_and_any_count_only_systems_that_quote() -> None:
    gold_lines = ["Die Kita kostet nichts."]
    s = score_question(["x"], ["t"], {"x"}, gold_lines, ["Andere Sache.", "Die Kita kostet nichts."])
    assert (s.answer1, s.answer_any) == (0.0, 1.0)
    s = score_question(["x"], ["t"], {"x"}, gold_lines, ["Die Kita kostet nichts."])
    assert (s.answer1, s.answer_any) == (1.0, 1.0)
    assert score_question(["x"], ["t"], {"x"}, gold_lines, []).answer1 == 0.0  # quoted nothing: wrong
    assert score_question(["x"], ["t"], {"x"}, gold_lines).answer1 is None  # a ranking baseline
    assert score_question(["x"], ["t"], {"x"}, (), ["Die Kita kostet nichts."]).answer1 is None  # no gold


def test_held_out_ood_questions_are_their_own_group() -> None:
    from evaluation.datasets import OUT_OF_DOMAIN_HELDOUT, load_out_of_domain
    from evaluation.runner import AbstentionRun

    tuned, held = load_out_of_domain(), load_out_of_domain(OUT_OF_DOMAIN_HELDOUT, "ood-heldout")
    assert len(held) == 42 and {q.language for q in held} == {"de", "en", "ar", "tr", "uk", "ru", "fa"}
    assert not {q.id for q in tuned} & {q.id for q in held}
    assert not {q.text for q in tuned} & {q.text for q in held}
    items = [{"group": g, "evidence": e, "margin": m, "found": f} for g, e, m, f in (
        ("answerable", 0.85, 0.05, True), ("ood", 0.80, 0.00, False), ("ood-heldout", 0.82, 0.03, True),
        ("ood-heldout", 0.79, -0.01, False))]
    run = AbstentionRun(items, {})
    assert run.rates()["ood-heldout"] == {"n": 2, "answered": 0.5, "refused": 0.5}
    row = run.curve("margin", np.array([0.02]))[0]
    assert row["ood_answered"] == 0.0 and row["ood_heldout_answered"] == 0.5 and row["answerable_refused"] == 0.0
