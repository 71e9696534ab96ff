"""The extractive answer: verbatim sentences, a field line led by the title of its passage."""

from __future__ import annotations

import pytest

from assistant.compose import SUBJECT_MARK, AnswerComposer, EndedOffer, quoted_line
from assistant.evidence import Evidence, SentenceHit
from assistant.messages import message
from lotse.schema import Chunk, SourceRef

MUSIK = "Musikalische Früherziehung für Kinder von 4 bis 6 Jahren"
KITA = "Kita-Platz vormerken: Online-Anmeldung im Kita-Portal Bochum"


def chunk(title: str, text: str) -> Chunk:
    return Chunk(id=title[:4], text=text, source=SourceRef(url="https://example.org/" + title[:4], title=title))


@pytest.mark.parametrize("sentence", ["Kosten: 32 Euro (Unterrichtsentgelt pro Monat)",
                                      "Anmeldung bis: 16. August 2027", "• Kosten: kostenlos",
                                      "Frist: Vormerkung bis 31. Januar 2027"])
def test_a_field_line_gets_its_subject(sentence: str) -> None:
    assert quoted_line(sentence, chunk(MUSIK, sentence)) == MUSIK + SUBJECT_MARK + sentence


@pytest.mark.parametrize("sentence", [
    "Die Kursgebühr beträgt 145 Euro einschließlich Lehrbuch.",  # a sentence says its subject itself
    "Der Kurs kostet 32 Euro im Monat: Geschwister zahlen die Hälfte.",  # a colon, but no label before it
    "Anmeldung: " + MUSIK,  # already names it
    "2027: Zusagen ab März",  # a number is no label
    "Siehe http://example.org/kita",
])
def test_other_sentences_are_quoted_as_they_are(sentence: str) -> None:
    assert quoted_line(sentence, chunk(MUSIK, sentence)) == sentence


def test_two_offers_prices_say_whose_they_are() -> None:
    musik = chunk(MUSIK, f"{MUSIK}\n• Kosten: 32 Euro (Unterrichtsentgelt pro Monat)")
    kita = chunk(KITA, "Auf einen Blick\nKosten: kostenlos\nDie Vormerkung ist kostenlos.")
    m = musik.text.index("Kosten")
    k = kita.text.index("Kosten")
    s = kita.text.index("Die Vormerkung")
    hits = [SentenceHit(0, m, len(musik.text), 0.9), SentenceHit(1, k, k + 17, 0.88),
            SentenceHit(1, s, len(kita.text), 0.87)]
    answer = AnswerComposer().run(evidence=Evidence({}, hits, 0.9), found=True, chunks=[musik, kita],
                                  ranks={0: 1, 1: 2}, language="de")
    assert answer.text.splitlines() == [
        f"{MUSIK} › Kosten: 32 Euro (Unterrichtsentgelt pro Monat) [1]",
        f"{KITA} › Kosten: kostenlos [2]",
        "Die Vormerkung ist kostenlos. [2]",
    ]
    assert answer.citations == [1, 2]


@pytest.mark.parametrize("lang", ["de", "ar", "zh"])
def test_a_refusal_names_an_offer_that_has_ended(lang: str) -> None:
    ended = EndedOffer("Infoabend Elterngeld", "2025-09-17", "https://example.org/elterngeld")
    answer = AnswerComposer().run(evidence=Evidence({}, [], 0.5), found=False, chunks=[], ranks={}, language=lang,
                                  ended=ended)
    assert not answer.found and answer.citations == []
    text = answer.text.lstrip("\u200f")
    assert text.startswith(message("not_found", lang))
    assert "Infoabend Elterngeld" in text and "17.09.2025" in text and "https://example.org/elterngeld" in text
    assert text.index("https://example.org/elterngeld") < text.index("115")  # before the referral
    plain = AnswerComposer().run(evidence=Evidence({}, [], 0.5), found=False, chunks=[], ranks={}, language=lang)
    assert "Infoabend" not in plain.text


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_an_answer_names_an_offer_that_has_ended_after_its_quotes(lang: str) -> None:
    ended = EndedOffer("Infoabend Elterngeld", "2025-09-17", "https://example.org/elterngeld")
    kita = chunk(KITA, "Die Vormerkung ist kostenlos.")
    hits = [SentenceHit(0, 0, len(kita.text), 0.9)]
    answer = AnswerComposer().run(evidence=Evidence({}, hits, 0.9), found=True, chunks=[kita], ranks={0: 1},
                                  language=lang, ended=ended)
    lines = answer.text.splitlines()
    assert answer.found and answer.citations == [1]
    assert lines[-2] == "Die Vormerkung ist kostenlos. [1]"
    assert lines[-1].lstrip("\u200f") == message("ended", lang).format(
        title="Infoabend Elterngeld", date="17.09.2025", url="https://example.org/elterngeld")
