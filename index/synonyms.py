"""German words that name the same education offer, for the terms of a BM25 query.

Bochum's pages say *Kita*; the Integreat pages the query lexicon learned from say *Kindergarten*
and *Kindertagesstätte*; a German parent may type any of them, or *VHS* for *Volkshochschule*.
BM25 matches words, so without this a question that uses one name does not find the page that
uses another. A query term of a group brings the group's other terms, and a passage counts the
best of them at half the query term's weight: the page that uses the asker's own word stays
ahead of one that uses several of the others. Only query terms are expanded; the index
keeps each page's own words.

The groups are written by hand from German usage, not learned, and kept to names that are
interchangeable on municipal pages (*Kindertagespflege*, a childminder, is not a Kita).
On OMoS-QA dev they change no page Recall@1 or @5 of ours in any language (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["GROUPS", "Synonyms"]

GROUPS: tuple[tuple[str, ...], ...] = (
    ("Kita", "Kitas", "Kindertagesstätte", "Kindergarten", "Kindertageseinrichtung"),
    ("VHS", "Volkshochschule"),
    ("OGS", "Ganztagsschule"),
)


class Synonyms:
    """Analyzer terms of each group; ``extra`` gives, per query term, the group members the query lacks."""

    def __init__(self, analyzer: Callable[[str], list[str]], groups: Iterable[Iterable[str]] = GROUPS,
                 weight: float = 0.5) -> None:
        self.weight = weight
        self._group: dict[str, frozenset[str]] = {}
        for group in groups:
            terms = frozenset(t for word in group for t in analyzer(word))
            for t in terms:
                self._group[t] = self._group.get(t, frozenset()) | terms

    def extra(self, terms: dict[str, float]) -> list[tuple[tuple[str, ...], float]]:
        """For each query term of a group: the members missing from ``terms`` (sorted) and ``weight``
        times the term's weight. A passage is meant to count only its best-scoring member."""
        out = []
        for term, w in terms.items():
            others = tuple(sorted(t for t in self._group.get(term, ()) if t not in terms))
            if others:
                out.append((others, w * self.weight))
        return out
