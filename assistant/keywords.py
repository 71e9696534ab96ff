"""Keywords a passage holds: lexical evidence for a query of a few words.

A call-centre agent or a citizen types "Kita Beitrag". Two words carry little for a sentence
encoder, so their cosine with the fee passage is barely above their cosine with an unrelated
background sentence, and the margin test refused them. That every word of the query stands in the
passage the evidence comes from is the better signal for such a query: "Kita Beitrag" is in the fee
passage ("Kita", "Elternbeiträge"), "Katze anmelden" is in no passage ("anmelden" is, "Katze" not).
"""

from __future__ import annotations

import re

from assistant.evidence import Evidence
from index.analyzer import GermanAnalyzer
from lotse.schema import Chunk

__all__ = ["KeywordMatch"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class KeywordMatch:
    """``run(query, text)``: the query has at most ``most_words`` words and at least ``fewest_words``
    content words, numbers not counted, and the stem of each content word is a term of ``text`` or,
    from ``min_part`` letters on, the beginning or the end of one (German compounds: "Beitrag" in
    "Elternbeiträge", "Hund" in "Hundesteuer"). Where a compound splits is not known, so "Hunde" is
    also found in "Hundert"."""

    def __init__(self, *, fewest_words: int = 2, most_words: int = 3, min_part: int = 4,
                 analyzer: GermanAnalyzer | None = None) -> None:
        # One word is no evidence: "Einschulung" stands in a Kita passage ("die letzten beiden Kita-Jahre
        # vor der Einschulung"), "Elterngeld" in the start page's list of links; answered on it, the
        # other quoted sentences were unrelated (docs/benchmarks.md, "A few words").
        self.fewest_words = fewest_words
        self.most_words = most_words
        self.min_part = min_part
        self._analyze = analyzer or GermanAnalyzer()

    def words(self, query: str) -> list[str] | None:
        """The stems to find, or None when the query is not a few words."""
        # A number is neither counted nor looked up: "Kita Beitrag 50.000" names an income, which picks the
        # fee table's row (assistant.tables), and the table writes it "49.000 bis 62.000".
        words = [w for w in _WORD.findall(query) if not w.isdigit()]
        if not 1 <= len(words) <= self.most_words:
            return None
        stems = [s for w in words for s in self._analyze(w)]
        return stems if len(stems) >= max(self.fewest_words, 1) else None

    def run(self, query: str, text: str) -> bool:
        stems = self.words(query)
        if stems is None:
            return False
        terms = set(self._analyze(text))
        return all(s in terms or (len(s) >= self.min_part and any(t.startswith(s) or t.endswith(s) for t in terms))
                   for s in stems)

    def in_evidence(self, query: str, chunks: list[Chunk], evidence: Evidence) -> bool:
        """``run`` over the passage the answer's first sentence comes from, with its page's title: the
        second passage of a table need not repeat "Kita"."""
        if not evidence.answer:
            return False
        chunk = chunks[evidence.answer[0].chunk]
        return self.run(query, f"{chunk.source.title}\n{chunk.text}")
