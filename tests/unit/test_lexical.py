"""The German BM25 index: a query's words, a translated question's weighted terms, and synonyms."""

from __future__ import annotations

from index.analyzer import GermanAnalyzer
from index.lexical import LexicalIndex
from index.synonyms import Synonyms

PAGES = [
    "Kita-Platz vormerken: die Anmeldung für alle Kitas läuft über das Kita-Portal.",
    "Im Kindergarten lernen Kinder spielerisch, die Gebühren richten sich nach dem Einkommen.",
    "Die Hundesteuer wird jährlich fällig.",
    "Die Volkshochschule bietet Deutschkurse am Abend an.",
]


def test_a_kindergarten_question_finds_the_kita_page_behind_the_page_that_uses_its_word() -> None:
    index = LexicalIndex.build(PAGES)
    s = index.scores("Wie finde ich einen Kindergarten?")
    assert s[1] > s[0] > 0 and s[2] == 0 and s[3] == 0
    # without the groups the Kita page shares no word with the question
    plain = LexicalIndex.build(PAGES)
    plain.synonyms = Synonyms(GermanAnalyzer(), groups=())
    p = plain.scores("Wie finde ich einen Kindergarten?")
    assert p[0] == 0 and p[1] == s[1]
    # an abbreviation reaches the full name, and the other way round
    assert index.scores("VHS Kurse")[3] > 0 and index.scores("Kitas in Bochum")[1] > 0


def test_weighted_terms_score_like_the_words_they_stand_for() -> None:
    index = LexicalIndex.build(PAGES)
    analyzer = GermanAnalyzer()
    [kita] = analyzer("Kita")
    [hund] = analyzer("Hundesteuer")
    w = index.weighted_scores({hund: 1.0})
    assert w[2] > 0 and w[[0, 1, 3]].sum() == 0
    # weights scale linearly, and a synonym comes in at half its source's weight
    assert (index.weighted_scores({hund: 0.5}) * 2 == w).all()
    kita_only = index.weighted_scores({kita: 1.0})
    assert kita_only[0] > kita_only[1] > 0
    assert index.weighted_scores({"unbekanntwort": 1.0}).sum() == 0
    [(others, weight)] = Synonyms(analyzer).extra({kita: 0.8})
    assert analyzer("Kindergarten")[0] in others and kita not in others and weight == 0.4
