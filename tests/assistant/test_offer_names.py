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
    ("Чи є в музичній школі пробний урок?", "uk", ["Musikschule"]),
    ("Is there a trial lesson at the music school for kindergarten children?", "en", ["Kita", "Musikschule"]),
])
def test_a_question_in_another_language_names_the_offer(question: str, language: str, names: list[str]) -> None:
    assert OfferNames().run(question, language) == names


@pytest.mark.parametrize(("question", "language"), [
    ("Was kostet die Kita?", "de"),  # a German question has the German word already
    ("Come faccio domanda di asilo?", "it"),  # asylum, not the Kita: plain "asilo" is no cue
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
