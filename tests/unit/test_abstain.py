"""AbstentionPolicy: the evidence floor (its own for adapted questions) and the margin over the background."""

from __future__ import annotations

import re

import numpy as np
import pytest

from assistant.abstain import AbstentionPolicy
from lotse.embedding import HashingEmbedder

BACKGROUND = ["Die Kfz-Zulassungsstelle stellt Kennzeichen aus.", "Hundesteuer zahlen Halter jährlich."]


def _policy() -> tuple[AbstentionPolicy, HashingEmbedder, np.ndarray]:
    emb = HashingEmbedder()
    policy = AbstentionPolicy(background=BACKGROUND, margin=0.02, floor=0.70, adapted_floor=0.48)
    return policy, emb, emb.embed_queries(["Wie melde ich mein Kind in der Kita an?"])[0]


def test_the_floor_depends_on_whether_the_question_was_adapted() -> None:
    policy, emb, q = _policy()
    low = 0.55  # above the adapted floor, below the original one
    assert not policy.run(low, q, emb).found
    assert policy.run(low, q, emb).reason == "no passage is close to the question"
    assert policy.run(low, q, emb, adapted=True).found
    assert not policy.run(0.40, q, emb, adapted=True).found


def test_the_margin_over_the_background_applies_to_both() -> None:
    policy, emb, _ = _policy()
    q = emb.embed_queries([BACKGROUND[0]])[0]  # a question that *is* a background sentence: cosine 1
    for adapted in (False, True):
        d = policy.run(0.95, q, emb, adapted=adapted)
        assert not d.found and d.background > 0.99 and "do not cover" in d.reason


def test_without_an_adapted_floor_the_floor_is_one() -> None:
    emb = HashingEmbedder()
    policy = AbstentionPolicy(background=BACKGROUND, floor=0.70)
    q = emb.embed_queries(["Kita"])[0]
    assert not policy.run(0.55, q, emb, adapted=True).found


def test_each_query_adapter_brings_its_own_floor() -> None:
    from assistant.factory import build_abstention
    from lotse.model.adapter import ADAPTERS
    from lotse.settings import DEFAULT_ADAPTER, Settings

    default = build_abstention(Settings())
    # two adapters: each keeps its own floor for the languages it encodes, the lower one otherwise
    first, second = (ADAPTERS[p] for p in DEFAULT_ADAPTER.split("+"))
    assert default.floor_for(True, "ar") == first.abstain_floor == 0.58
    assert default.floor_for(True, "fa") == second.abstain_floor == 0.56
    assert default.adapted_floor == default.floor_for(True, None) == 0.56
    assert default.floor_for(False, "fa") == default.floor == 0.70
    _, emb, q = _policy()
    assert default.run(0.57, q, emb, adapted=True, language="tr").reason != "no passage is close to the question"
    strict = build_abstention(Settings(abstain_clear_margin=None))  # the hashing vectors' margins are all clear
    assert strict.run(0.57, q, emb, adapted=True, language="tr").reason != "no passage is close to the question"
    assert strict.run(0.57, q, emb, adapted=True, language="uk").reason == "no passage is close to the question"
    assert default.run(0.57, q, emb, adapted=True, language="uk").found  # 0.01 under, far above the background
    assert (default.clear_margin, default.floor_slack) == (0.05, 0.04)
    assert build_abstention(Settings(), "omos-align-v1").adapted_floor == 0.48
    # The adapter at another strength gets the floor calibrated there, interpolated in between.
    assert build_abstention(Settings(), "omos-align-v2@1").adapted_floor == 0.25
    assert build_abstention(Settings(), "omos-align-v2@0.75").adapted_floor == pytest.approx((0.58 + 0.25) / 2)
    # An operator's setting wins over the adapter's calibration.
    assert build_abstention(Settings(abstain_adapted_floor=0.6), "omos-align-v1").adapted_floor == 0.6
    assert build_abstention(Settings(abstain_adapted_floor=0.6)).floor_for(True, "fa") == 0.6
    # The original model: no adapted questions, one floor.
    plain = build_abstention(Settings(embedding_adapter="none"))
    assert plain.adapted_floor == plain.floor


def test_languages_the_margin_was_not_chosen_in_get_their_own() -> None:
    """A question whose evidence is 0.01 closer than the background: answered in Croatian (margin
    0.005), refused in German and Arabic, whose questions chose 0.02."""
    emb = HashingEmbedder()
    policy = AbstentionPolicy(background=BACKGROUND, margin=0.02, floor=0.0,
                              calibrated=frozenset({"de", "ar"}), other_margin=0.005)
    q = emb.embed_queries(["Wie melde ich mein Kind in der Kita an?"])[0]
    bg = float(np.max(emb.embed_passages(BACKGROUND) @ q))
    assert policy.run(bg + 0.01, q, emb, language="hr").found
    for lang in ("de", "ar", None):
        d = policy.run(bg + 0.01, q, emb, language=lang)
        assert not d.found and "do not cover" in d.reason, lang
    assert policy.margin_for("hr") == 0.005 and policy.margin_for("de") == 0.02
    # Unset: one margin for every language.
    assert AbstentionPolicy(background=BACKGROUND, margin=0.02).margin_for("hr") == 0.02


def test_the_served_policy_knows_which_languages_chose_the_margin() -> None:
    from assistant.factory import build_abstention
    from assistant.language import CORE_LANGUAGES
    from lotse.settings import Settings

    served = build_abstention(Settings())
    assert all(served.margin_for(lang) == 0.02 for lang in CORE_LANGUAGES)
    assert served.margin_for("hr") == served.margin_for("zh") == 0.005
    assert build_abstention(Settings(abstain_other_margin=None)).margin_for("hr") == 0.02


def test_the_shipped_background_holds_no_words_of_education_or_childcare() -> None:
    """A background sentence stands for a topic the documents do not cover. One that shares the words
    of a covered topic pulls its questions away: "Deutsche Rentenversicherung" and a naturalisation
    "Sprachnachweis" made "Wie kann ich mich für den Deutschkurs anmelden?" look uncovered."""
    words = ("deutsch", "sprach", "kurs", "ausbildung", "schul", "kita", "kinder", "eltern", "lern", "bildung")
    for sentence in AbstentionPolicy().background_texts:
        assert not [w for w in words if w in sentence.casefold()], sentence


def test_the_shipped_background_never_names_the_city_itself() -> None:
    """The documents are the city's: "Was plant die Stadt für Schulkinder?" asks about them. "Die Stadt
    schreibt offene Stellen … aus" drew it and the strategy's other questions phrased with "die Stadt"
    away (refused by margins of 0.010 to 0.019; evaluation/data/city_asks.jsonl)."""
    for sentence in AbstentionPolicy().background_texts:
        assert not re.search(r"\b(?:die|der|in der) Stadt\b", sentence, re.IGNORECASE), sentence


def test_a_few_words_all_in_the_passage_answer_what_the_margin_refused() -> None:
    """"Kita Beitrag": its words stand in the fee passage, its margin is below 0.02. The words answer
    it; they do not lift a question the floor refused, whose evidence is no passage at all."""
    policy, emb, _ = _policy()
    q = emb.embed_queries([BACKGROUND[0]])[0]
    assert not policy.run(0.95, q, emb).found
    d = policy.run(0.95, q, emb, keywords=True)
    assert d.found and d.reason == "every word of the question is in the passage" and d.margin < 0
    assert not policy.run(0.50, q, emb, keywords=True).found


def test_a_clear_margin_lets_the_evidence_fall_a_little_under_the_floor() -> None:
    """"أين تقع مدرسة الموسيقى؟" (where is the music school?): evidence 0.577 under the Arabic floor 0.58,
    margin 0.165. Far above the background, a little under the floor: answered. Far under the floor, or
    with the margin of a general-knowledge question (up to 0.043): refused."""
    emb = HashingEmbedder()
    policy = AbstentionPolicy(background=BACKGROUND, margin=0.02, floor=0.70, adapted_floor=0.58,
                              clear_margin=0.05, floor_slack=0.04)
    q = emb.embed_queries(["Wo ist die Musikschule?"])[0]
    bg = float(np.max(emb.embed_passages(BACKGROUND) @ q))
    assert bg < 0.3  # the hashing vectors share few words with the background
    d = policy.run(0.577, q, emb, adapted=True)
    assert d.found and d.reason == "evidence found, under the floor but far above the background"
    assert not policy.run(0.53, q, emb, adapted=True).found  # more than the slack under the floor
    assert not AbstentionPolicy(background=BACKGROUND, margin=0.02, floor=0.70, adapted_floor=0.58).run(
        0.577, q, emb, adapted=True).found  # without a clear margin, the floor holds
    near = AbstentionPolicy(background=BACKGROUND, margin=0.02, floor=0.70, adapted_floor=0.58,
                            clear_margin=0.577 - bg + 0.001, floor_slack=0.04)
    assert not near.run(0.577, q, emb, adapted=True).found  # a margin just short of the clear one
