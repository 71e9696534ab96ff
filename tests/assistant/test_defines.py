"""Which questions ask only what something is, and which German sentences name it."""

from __future__ import annotations

import pytest

from assistant.defines import Subject, subject_of


@pytest.mark.parametrize(("question", "words"), [
    ("Was ist die Talentschmiede?", ("talentschmiede",)),
    ("What is the Talentschmiede?", ("talentschmiede",)),
    ("Що таке Talentschmiede?", ("talentschmiede",)),
    ("ما هي Talentschmiede؟", ("talentschmiede",)),
    ("Talentschmiede nedir?", ("talentschmiede",)),  # tr: the cue after the name
    ("Talentschmiede چیست؟", ("talentschmiede",)),
    ("Talentschmiede là gì?", ("talentschmiede",)),
    ("Talentschmiede是什么？", ("talentschmiede",)),
    ("什么是Talentschmiede？", ("talentschmiede",)),
    ("¿Qué es la Talentschmiede de Bochum?", ("talentschmiede",)),  # the city is on every page
    ("Qu'est-ce que la Talentschmiede ?", ("talentschmiede",)),
    ("Was ist die Talentschmiede im Ruhrgebiet?", ("talentschmiede", "ruhrgebiet")),
    ("Was ist die Bochum Strategie 2030?", ("strategie", "2030")),
    ("What does VHS mean?", ("vhs",)),
    ("What is meant by Sprengelprinzip?", ("sprengelprinzip",)),  # not "meant by …" as the name
    ('Was bedeutet das "Sprengelprinzip"?', ("sprengelprinzip",)),
    # more than a name: a question of its own
    ("Was ist der Unterschied zwischen Asyl und Geflüchtetem-Status?", None),
    ("Was sind die Voraussetzungen für einen Integrationskurs?", None),
    ("What is the address of the VHS?", None),
    ("What do VHS courses cost?", None),  # "what do" without "mean"
    ("Was ist zu tun?", None),
    # the name in the asker's language: no German sentence holds it
    ("Що таке школа?", None),
    ("Wie melde ich mein Kind an?", None),
])
def test_the_subject_of_a_question(question: str, words: tuple[str, ...] | None) -> None:
    subject = subject_of(question)
    assert (subject.words if subject else None) == words


@pytest.mark.parametrize(("sentence", "named"), [
    ("Durch sein differenziertes Bildungsangebot hat Bochum den Ruf als erfolgreiche Talentschmiede im "
     "Ruhrgebiet und über dessen Grenzen hinaus entwickelt und gefestigt.", True),
    ("Wir unterstützen eine zukunftsweisende duale Berufsausbildung.", False),
    ("Die TALENTSCHMIEDE ist ein Ziel.", True),  # casefolded
    ("Die Talentschmieden der Region.", True),  # a word that starts with the name
    ("Eine Nachwuchs-Talentschmiede.", True),  # after a hyphen
    ("Die Schmiede der Talente.", False),
])
def test_a_sentence_names_the_subject_when_a_word_starts_with_it(sentence: str, named: bool) -> None:
    assert Subject(("talentschmiede",)).named_in(sentence) is named


def test_every_word_of_the_subject_must_be_named() -> None:
    subject = Subject(("talentschmiede", "ruhrgebiet"))
    assert subject.named_in("Bochum ist die Talentschmiede im Ruhrgebiet.")
    assert not subject.named_in("Bochum ist eine Talentschmiede.")
