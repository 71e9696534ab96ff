"""Source diversity: no page fills the top of the ranking on its own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.retrieve import FusionWeights, HybridRetriever, cap_per_page, names_and_numbers, top_indices
from index.store import IndexStore


def test_cap_per_page_moves_a_pages_extra_passages_behind_the_others() -> None:
    order = [10, 11, 12, 20, 13, 30]
    urls = ["a", "a", "a", "b", "a", "c"]
    assert cap_per_page(order, urls, 2) == [10, 11, 20, 30, 12, 13]
    assert cap_per_page(order, urls, 1) == [10, 20, 30, 11, 12, 13]
    assert cap_per_page(order, urls, 0) == order
    assert cap_per_page([], [], 2) == []


def test_cap_per_page_gives_a_pages_last_front_place_to_a_passage_that_answers() -> None:
    # Page a: 10 and 11 (fee tables) in front, 13 says how to register; page b's 20 already answers.
    order = [10, 11, 20, 12, 21, 13, 30]
    urls = ["a", "a", "b", "a", "b", "a", "c"]
    answers = {13, 20, 21}.__contains__
    assert cap_per_page(order, urls, 2, answers) == [10, 13, 20, 21, 30, 11, 12]
    assert cap_per_page(order, urls, 1, answers) == [13, 20, 30, 10, 11, 21, 12]
    # A front passage that answers keeps the places as they are; so does a page with nothing that does.
    assert cap_per_page(order, urls, 2, {11}.__contains__) == cap_per_page(order, urls, 2)
    assert cap_per_page(order, urls, 2, {30}.__contains__) == cap_per_page(order, urls, 2)


@given(st.lists(st.sampled_from("abc"), max_size=30), st.integers(min_value=0, max_value=3),
       st.sets(st.integers(min_value=0, max_value=29)))
def test_cap_per_page_with_answers_keeps_every_passage_and_each_page_s_place(
        urls: list[str], per_page: int, answering: set[int]) -> None:
    order = list(range(len(urls)))
    plain = cap_per_page(order, urls, per_page)
    preferred = cap_per_page(order, urls, per_page, answering.__contains__)
    assert sorted(preferred) == order
    assert [urls[i] for i in preferred] == [urls[i] for i in plain]
    # looking only at the pages of the first k places changes nothing in those places
    for k in (1, 3, 5):
        assert cap_per_page(order, urls, per_page, answering.__contains__, within=k)[:k] == preferred[:k]


@given(st.lists(st.sampled_from([-1.0, 0.0, 0.25, 0.5, 0.5001, 0.75, 1.0]), max_size=60),
       st.integers(min_value=0, max_value=70))
def test_top_indices_is_the_stable_sort_s_top_set(values: list[float], k: int) -> None:
    # Few distinct values, so most draws have ties at the k-th place: the lower index must win them.
    a = np.asarray(values, dtype=np.float32)
    expected = np.sort(np.argsort(-a, kind="stable")[:k])
    assert top_indices(a, k).tolist() == expected.tolist()


def test_the_retriever_caps_each_page_and_keeps_the_best_first(demo_data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = IndexStore(demo_data_dir).load()
    question = "Was ist die Talentschmiede im Ruhrgebiet?"
    free = HybridRetriever(embedder, FusionWeights(per_page=0)).run(index, question, language="de", k=8)
    capped = HybridRetriever(embedder, FusionWeights(per_page=1)).run(index, question, language="de", k=8)
    url = lambda i: index.chunks[i].source.url  # noqa: E731
    assert max(Counter(url(i) for i in free.ids).values()) > 1  # the demo page repeats: the cap has work to do
    n_pages = len({c.source.url for c in index.chunks})
    assert capped.ids[0] == free.ids[0]
    assert len(capped.ids) == 8
    # every page once before any page twice, as far as there are pages
    first = capped.ids[:min(8, n_pages)]
    assert len({url(i) for i in first}) == len(first)
    free_score = dict(zip(free.ids, free.scores, strict=True))
    for i, s in zip(capped.ids, capped.scores, strict=True):
        assert abs(s - free_score.get(i, s)) < 1e-6


def test_an_arabic_question_reaches_the_german_bm25_through_the_lexicon(demo_data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    from lotse.model.lexicon import load_lexicon

    index = IndexStore(demo_data_dir).load()
    question = "أين يمكنني تعلم اللغة الألمانية للكبار؟"  # "where can I learn German as an adult?"
    url = lambda i: index.chunks[i].source.url  # noqa: E731
    plain = HybridRetriever(embedder).run(index, question, language="ar", k=5)
    assert plain.lexical == {}  # Arabic shares no word with the German pages: no BM25 share
    lexicon = load_lexicon("omos-lex-v1")
    assert {"deutsch", "lern", "erwachs"} <= set(lexicon.terms(question, "ar"))
    with_terms = HybridRetriever(embedder, lexicon=lexicon).run(index, question, language="ar", k=5)
    # its German terms (deutsch, lernen, Erwachsene) score the VHS German course highest ...
    best_lexical = max(with_terms.lexical, key=with_terms.lexical.__getitem__)
    assert "vhs-deutschkurs" in url(best_lexical) and with_terms.lexical[best_lexical] == 1.0
    assert "vhs-deutschkurs" in url(with_terms.ids[0])
    # ... as a share of the sum at the translated weight, on top of the same two cosines
    w = FusionWeights()
    for i, score in zip(with_terms.ids, with_terms.scores, strict=True):
        expected = (w.dense * with_terms.dense[i] + w.sentence * with_terms.sentence[i]
                    + w.lexical_translated * with_terms.lexical.get(i, 0.0))
        assert abs(score - expected) < 1e-5
    assert any(with_terms.lexical.get(i, 0.0) > 0 for i in with_terms.ids[1:])
    # a German question is untouched by the lexicon
    de = "Was kostet ein Kita-Platz?"
    a = HybridRetriever(embedder).run(index, de, language="de", k=5)
    b = HybridRetriever(embedder, lexicon=lexicon).run(index, de, language="de", k=5)
    assert a.ids == b.ids and a.scores == b.scores


def test_names_and_numbers_are_what_a_non_latin_question_shares_with_german() -> None:
    assert names_and_numbers("ما هي البرامج المتوفرة في BildungsLokalen؟") == "BildungsLokalen"
    assert names_and_numbers("Хто виграв Super Bowl 50 у ٢٠١٥?") == "Super Bowl 50 2015"  # Arabic-Indic digits
    assert names_and_numbers("چه کسی در ۱۳۹۹ برنده شد؟") == "1399"  # Persian digits
    assert names_and_numbers("مسرح Münchner-Kammerspiele") == "Münchner-Kammerspiele"
    assert names_and_numbers("كم عمره؟") == ""


def test_an_arabic_question_naming_the_kita_portal_reaches_bm25_by_that_name(demo_data_dir: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    index = IndexStore(demo_data_dir).load()
    url = lambda i: index.chunks[i].source.url  # noqa: E731
    retriever = HybridRetriever(embedder)
    named = retriever.run(index, "كيف أسجل طفلي في Kita-Portal؟", language="ar", k=5)
    best = max(named.lexical, key=named.lexical.__getitem__)
    assert "kita-anmeldung" in url(best) and named.lexical[best] == 1.0
    w = FusionWeights()
    i = named.ids[0]
    assert abs(named.scores[0] - (w.dense * named.dense[i] + w.sentence * named.sentence[i]
                                  + w.lexical_latin * named.lexical.get(i, 0.0))) < 1e-5
    # without a Latin word or a number, an Arabic question still gets no BM25 share
    assert retriever.run(index, "كيف أسجل طفلي في روضة؟", language="ar", k=5).lexical == {}


def test_a_ukrainian_question_borrows_german_from_the_translation_memory(demo_data_dir: Path, embedder,  # type: ignore[no-untyped-def]
                                                                       model_path: str) -> None:
    from lotse.embedding import load_embedder
    from lotse.model.adapter import load_query_adapter
    from lotse.model.memory import load_memory
    from lotse.settings import DEFAULT_ADAPTER, Settings

    index = IndexStore(demo_data_dir).load()
    memory = load_memory("omos-tm-v1", Settings().model_cache_dir)
    adapted = load_embedder(model_path, query_adapter=load_query_adapter(DEFAULT_ADAPTER))
    question = "Скільки коштує місце в дитячому садку?"  # "how much does a Kita place cost?"
    plain = HybridRetriever(adapted).run(index, question, language="uk", k=5)
    assert plain.memory == {}
    with_memory = HybridRetriever(adapted, memory=memory).run(index, question, language="uk", k=5)
    # the question names the Kita ("садку"), so its vector is the mean with "… в Kita?" (OfferNames.written)
    gv, weight = memory.expand(with_memory.query_vector, "uk")
    assert weight > 0.5
    # the question's own two cosines are the same (and the German offer name its "садку" names, the Kita's);
    # the borrowed German vector's are added on top
    w = FusionWeights()
    assert with_memory.offer
    for i, score in zip(with_memory.ids, with_memory.scores, strict=True):
        own = w.dense * with_memory.dense[i] + w.sentence * with_memory.sentence[i] + with_memory.offer.get(i, 0.0)
        g_dense = float(index.dense.reconstruct(i) @ gv)
        rows = np.flatnonzero(index.sentence_map[:, 0] == i)
        g_sentence = float((index.sentence_vectors[rows] @ gv).max()) if len(rows) else g_dense
        expected = w.memory * weight * (w.dense * g_dense + w.sentence * g_sentence)
        assert abs(with_memory.memory[i] - expected) < 1e-5
        assert abs(score - own - expected) < 1e-5
    assert "kita" in index.chunks[with_memory.ids[0]].source.url
    # German questions, languages the memory does not hold, and questions no query adapter encodes
    # (its ramp is in cosines of the adapted space) rank as before
    for q, lang, emb in (("Was kostet ein Kita-Platz?", "de", adapted),
                         ("Bir kreş yeri ne kadar tutar?", "tr", adapted), (question, "uk", embedder)):
        a = HybridRetriever(emb).run(index, q, language=lang, k=5)
        b = HybridRetriever(emb, memory=memory).run(index, q, language=lang, k=5)
        assert a.ids == b.ids and a.scores == b.scores and b.memory == {}


@pytest.mark.parametrize(("question", "language"), [
    ("Kreş yeri için en geç ne zamana kadar kayıt yaptırmalıyım?", "tr"),  # by when must I register for a Kita place?
    ("Deri kur duhet të regjistrohem për një vend në kopsht?", "sq"),
    ("我怎样在波鸿为孩子登记幼儿园名额？", "zh"),
])
def test_the_german_name_of_the_offer_a_question_names_brings_its_page(  # type: ignore[no-untyped-def]
        demo_data_dir: Path, embedder, question: str, language: str) -> None:
    index = IndexStore(demo_data_dir).load()
    url = lambda i: index.chunks[i].source.url  # noqa: E731
    served = HybridRetriever(embedder).run(index, question, language=language, k=5)
    off = HybridRetriever(embedder, FusionWeights(offer_names=0.0)).run(index, question, language=language, k=5)
    assert off.offer == {}
    assert "kita" in url(served.ids[0])
    # the passage that uses the German word most gets the full weight, and it is the Kita page's
    best = max(served.offer, key=served.offer.__getitem__)
    assert "kita" in url(best) and served.offer[best] == pytest.approx(FusionWeights().offer_names)
    # on the passages both rank, the sum is the same two cosines plus the offer share
    off_score = dict(zip(off.ids, off.scores, strict=True))
    assert any(i in off_score for i in served.ids)
    for i, score in zip(served.ids, served.scores, strict=True):
        if i in off_score:
            assert score == pytest.approx(off_score[i] + served.offer.get(i, 0.0), abs=1e-5)


def test_lotse_offer_names_false_switches_the_offer_names_off() -> None:
    from assistant.factory import fusion_weights
    from lotse.settings import Settings

    off = fusion_weights(Settings(offer_names=False))
    assert off.offer_names == 0.0 and off.offer_name_vector == 0.0
    assert fusion_weights(Settings()).offer_names == FusionWeights().offer_names > 0
    assert fusion_weights(Settings()).offer_name_vector == FusionWeights().offer_name_vector > 0


def test_a_question_that_names_the_kita_in_its_own_words_is_also_encoded_with_kita(  # type: ignore[no-untyped-def]
        demo_data_dir: Path, model_path: str) -> None:
    """"Kreşe nasıl kayıt yaptırabilirim?" (how do I register for the Kita?) put the dog tax first as served
    (Turkish through its query adapter): its vector is now the mean of its own and that of "Kita nasıl kayıt
    yaptırabilirim?"."""
    from lotse.embedding import load_embedder
    from lotse.model.adapter import load_query_adapter
    from lotse.settings import DEFAULT_ADAPTER

    embedder = load_embedder(model_path, query_adapter=load_query_adapter(DEFAULT_ADAPTER))
    index = IndexStore(demo_data_dir).load()
    question, language = "Kreşe nasıl kayıt yaptırabilirim?", "tr"
    served = HybridRetriever(embedder).run(index, question, language=language, k=5)
    alone = HybridRetriever(embedder, FusionWeights(offer_name_vector=0.0)).run(index, question, language=language,
                                                                                k=5)
    own, german = embedder.embed_queries([question, "Kita nasıl kayıt yaptırabilirim?"], language)
    mean = (own + german) / np.linalg.norm(own + german)
    assert np.allclose(served.query_vector, mean, atol=1e-5)
    assert np.allclose(alone.query_vector, own, atol=1e-6)
    assert "hundesteuer" in index.chunks[alone.ids[0]].source.url
    assert "kita" in index.chunks[served.ids[0]].source.url
    # only the hybrid ranking blends; the dense baseline of `lotse eval` ranks with the question's own vector
    dense = HybridRetriever(embedder, mode="dense").run(index, question, language=language, k=5)
    assert np.allclose(dense.query_vector, own, atol=1e-6)
    # a German question, and one naming only the music school, keep their own vector
    for q, lang in (("Wie melde ich mein Kind in der Kita an?", "de"), ("Müzik okuluna nasıl kayıt olunur?", "tr")):
        assert np.allclose(HybridRetriever(embedder).run(index, q, language=lang, k=5).query_vector,
                           embedder.embed_queries([q], lang)[0], atol=1e-6)
