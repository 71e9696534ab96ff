"""The German name of an offer, read from a question in another language."""

from __future__ import annotations

import pytest

from assistant.offer_names import GROUPS, OfferNames
from index.analyzer import GermanAnalyzer


@pytest.mark.parametrize(("question", "language", "names"), [
    ("Kreş yeri için en geç ne zamana kadar kayıt yaptırmalıyım?", "tr", ["Kita"]),
    ("الحضانة", "ar", ["Kita"]),
    ("Як записати дитину в дитячий садок?", "uk", ["Kita"]),
    ("Как записать ребенка в детский сад?", "ru", ["Kita"]),
    ("我怎样在波鸿为孩子登记幼儿园名额？", "zh", ["Kita"]),
    ("Τι ώρα κλείνει ο παιδικός σταθμός;", "el", ["Kita"]),  # casefold() turns the final sigma into σ
    ("Where is the nursery?", "en", ["Kita"]),
    ("La preiscrizione per un posto all'asilo è gratuita?", "it", ["Kita"]),  # a place at one: no asylum
    ("Чи є в музичній школі пробний урок?", "uk", ["Musikschule"]),
    ("Is there a trial lesson at the music school for kindergarten children?", "en", ["Kita", "Musikschule"]),
])
def test_a_question_in_another_language_names_the_offer(question: str, language: str, names: list[str]) -> None:
    assert OfferNames().run(question, language) == names


@pytest.mark.parametrize(("question", "language"), [
    ("Was kostet die Kita?", "de"),  # a German question has the German word already
    ("Come faccio domanda di asilo?", "it"),  # asylum, not the Kita: plain "asilo" is no cue
    ("Ho diritto all'asilo politico?", "it"),
    ("Where is the school?", "en"),
    ("Müzik dersleri ne zaman?", "tr"),  # music lessons, no music school named
    ("Is the nursing service free?", "en"),  # "nursing" is not "nursery"
])
def test_no_offer_is_read_into_a_question_that_does_not_name_one(question: str, language: str) -> None:
    assert OfferNames().run(question, language) == []


def test_the_terms_are_the_german_analyzers_and_every_group_has_cues() -> None:
    analyzer = GermanAnalyzer()
    assert OfferNames().terms("Where is the music school?", "en", analyzer) == {t: 1.0 for t in analyzer("Musikschule")}
    assert OfferNames().terms("Wo ist die Musikschule?", "de", analyzer) == {}
    assert all(len(cues) >= 20 for cues in GROUPS.values())


@pytest.mark.parametrize(("question", "language", "written"), [
    ("Kreşe nasıl kayıt yaptırabilirim?", "tr", "Kita nasıl kayıt yaptırabilirim?"),  # the whole word, suffix too
    ("كيف أسجل ابني في الروضة؟", "ar", "كيف أسجل ابني في Kita؟"),  # the article too
    ("Як записати дитину в дитячому садку?", "uk", "Як записати дитину в Kita?"),  # a cue of two words
    ("डेकेयर में जगह कैसे मिलेगी?", "hi", "Kita में जगह कैसे मिलेगी?"),
    # written without spaces: the cue alone, not the clause around it
    ("我怎样在波鸿为孩子登记幼儿园名额？", "zh", "我怎样在波鸿为孩子登记Kita名额？"),
    ("ที่ในสถานรับเลี้ยงเด็กฟรีหรือไม่", "th", "ที่ในKitaฟรีหรือไม่"),
])
def test_the_kita_is_written_into_the_question_in_german(question: str, language: str, written: str) -> None:
    assert OfferNames().written(question, language) == written


@pytest.mark.parametrize(("question", "language"), [
    ("Wie melde ich mein Kind in der Kita an?", "de"),
    ("How do I enrol my child at the music school?", "en"),  # the encoder ties it to Musikschule already
    ("Where is the school?", "en"),
])
def test_nothing_is_written_into_a_german_question_or_one_without_the_kita(question: str, language: str) -> None:
    assert OfferNames().written(question, language) is None
