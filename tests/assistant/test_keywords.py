"""KeywordMatch: a query of a few words whose every content word stands in the passage."""

from __future__ import annotations

import pytest

from assistant.keywords import KeywordMatch

FEES = ("Nach der Zusage zahlen Eltern einen monatlichen Elternbeitrag, der sich nach dem Jahreseinkommen "
        "der Familie richtet. Die Vormerkung im Kita-Portal ist kostenlos.")
DOGS = "Wer in Bochum einen Hund hält, muss ihn bei der Stadt zur Hundesteuer anmelden."


@pytest.mark.parametrize(("query", "text"), [
    ("Kita Beitrag", FEES),  # "Beitrag" inside "Elternbeitrag": a German compound
    ("Kita-Beiträge", FEES),  # hyphen, plural and umlaut
    ("Elternbeitrag Einkommen", FEES),
    ("Hund anmelden", DOGS),
    ("Hundesteuer anmelden", DOGS),
    # "und" is no word to find
    ("Bildung und Teilhabe", "Leistungen für Bildung und Teilhabe beantragen Sie im Jobcenter."),
])
def test_every_word_in_the_passage(query: str, text: str) -> None:
    assert KeywordMatch().run(query, text)


@pytest.mark.parametrize(("query", "text"), [
    ("Katze anmelden", DOGS),  # one word is there, the other not
    ("Kita Zuschuss", FEES),
    ("Wie hoch ist der Kita Beitrag", FEES),  # a question of six words is the encoder's to judge
    ("und", FEES),  # nothing but a stop word
    ("Hundesteuer", DOGS),  # one word is no evidence that a passage is about it
    ("رسوم الحضانة", FEES),  # other scripts are not looked up in German text
    ("Rat", "Die Beratung ist kostenlos."),  # a part of a compound has four letters or more
    ("Portal", "Die Kitaportalhilfe."),  # and begins or ends it
])
def test_a_word_missing(query: str, text: str) -> None:
    assert not KeywordMatch().run(query, text)


def test_only_a_few_words_are_looked_up() -> None:
    match = KeywordMatch(most_words=2)  # at least two words, at most two
    assert match.words("Kita Beitrag") == ["kita", "beitrag"]
    assert match.words("Kita Beitrag Bochum") is None
    assert KeywordMatch(most_words=0).words("Kita Beitrag") is None
    assert match.words("Kita") is None  # one word
    assert KeywordMatch(fewest_words=1).words("Kita") == ["kita"]
    assert match.words("Kita Beitrag 50.000") == ["kita", "beitrag"]  # an amount picks a table row
    assert match.words("Kita 50000") is None
