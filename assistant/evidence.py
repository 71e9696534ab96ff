"""Sentence-level evidence: which sentences of the retrieved passages answer the question.

Sentence vectors were computed at index time, so this is a dot product per sentence.
The best sentences become the passages' ``highlights`` and the extractive answer; their
scores decide whether the documents answer the question at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.amounts import amounts
from assistant.asks import Asks, asked_for, gives
from assistant.defines import Subject, subject_of
from assistant.tables import highlight_quoted, quote_tables
from index.store import LoadedIndex

__all__ = ["Evidence", "EvidenceSelector", "SentenceHit", "is_field", "repeated_sentences", "restates",
           "without_restatements"]

_WORD = re.compile(r"\w+")
# "Kosten: 32 Euro …": a label of one to three words, a colon, a value. Such a line comes from an
# offer record or a page's "Auf einen Blick" list and names no subject of its own.
_FIELD = re.compile(r"^(?:[•\-–] )?[^\W\d_][\w\-]*(?: [\w\-]+){0,2}: \S")
_NUMBER = re.compile(r"\d+")
# Share of a sentence's words that another must hold for it to add nothing. 0.8 lets "Kosten: 32 Euro im
# Monat" go after "Kosten: 32 Euro (Unterrichtsentgelt pro Monat)" (4 of 5) and keeps "Anmeldung ab
# 16. August" beside "Anmeldung bis 16. August" (3 of 4).
RESTATED_SHARE = 0.8


def _says_something(text: str) -> bool:
    """Two words at least. A sentence is embedded with its page title and heading in front
    (``index.builder.sentence_units``), so a one-word line such as "Beispieldaten." scores like the
    title itself and would otherwise win as the "answer" to any question about that page."""
    return len(_WORD.findall(text)) >= 2


def is_field(sentence: str) -> bool:
    """Whether ``sentence`` is a field line ("Kosten: kostenlos") rather than a sentence of prose."""
    return bool(_FIELD.match(sentence))


def says_what(subject: Subject, sentence: str) -> bool:
    """Whether a sentence may say what ``subject`` is: it names it, and in a field line ("Inklusion heißt:
    Jeder Mensch gehört dazu") its label does. "Anbieter: Musikschule Bochum" names the Musikschule but
    says only who offers a course."""
    return subject.named_in(sentence.split(":", 1)[0] if is_field(sentence) else sentence)


def repeated_sentences(index: LoadedIndex, pages: int) -> np.ndarray:
    """Per indexed sentence: whether the same words stand on ``pages`` or more pages.

    A site repeats its notices on every page of a kind ("Beispieldaten – dieses Angebot ist
    erfunden …" on each demo offer, a disclaimer, a "Bitte beachten Sie …" box). Embedded with the
    page title in front, such a sentence scores like the title itself, so a one-word question
    ("Schule") quoted the notice. It says nothing about the page's subject: it stays in the passage
    and in the abstention signal but is never quoted or highlighted. Field lines are exempt: two
    offers that are both free share "Kosten: kostenlos", and it answers a price question."""
    key = [" ".join(index.chunks[int(ci)].text[int(a):int(b)].split()).casefold() for ci, a, b in index.sentence_map]
    urls: dict[str, set[str]] = {}
    for k, (ci, _, _) in zip(key, index.sentence_map, strict=True):
        urls.setdefault(k, set()).add(index.chunks[int(ci)].source.url)
    return np.array([len(urls[k]) >= pages and not is_field(k) for k in key], dtype=bool)


def restates(sentence: str, other: str) -> bool:
    """Whether ``sentence`` says nothing ``other`` does not: most of its words and every one of its
    numbers are in ``other``. An offer record and the page it was read from state the same dates and
    prices, once as a field ("Zeitraum: 7. September 2027 bis 14. Dezember 2027") and once in a
    sentence; an answer that quotes both says it twice. A different number is a different fact, so
    a sentence with a number ``other`` lacks is never a restatement, however alike the words."""
    words = {w.casefold() for w in _WORD.findall(sentence)}
    if not words:
        return True
    others = {w.casefold() for w in _WORD.findall(other)}
    if not set(_NUMBER.findall(sentence)) <= set(_NUMBER.findall(other)):
        return False
    return len(words & others) >= RESTATED_SHARE * len(words)


@dataclass(frozen=True, slots=True)
class SentenceHit:
    chunk: int  # index into the loaded chunks
    start: int
    end: int
    score: float  # cosine with the question


@dataclass(slots=True)
class Evidence:
    highlights: dict[int, list[tuple[int, int]]]  # chunk -> spans in its text
    answer: list[SentenceHit]  # the sentences to quote, in the order to quote them
    best: float  # best sentence score (-1 when nothing)


class EvidenceSelector:
    def __init__(self, *, margin: float = 0.03, max_highlights: int = 2, max_answer_sentences: int = 3,
                 answer_from_top: int = 3, rank_step: float = 0.02, repeated_on: int = 3,
                 type_bonus: float = 0.05, table_lines: int = 8, by_amount: bool = True,
                 step_by_page: bool = False) -> None:
        self.margin = margin
        # True: every question's passages of one page share a rank for ``rank_step``, not only a follow-up's
        # (tried: OMoS-QA dev answer@1 one Arabic question more, answer@any one fewer; 46 of 704 demo first lines
        # changed, some for the worse; not served).
        self.step_by_page = step_by_page
        # A table row the answer quotes brings its table along when the table has at most this many
        # lines, caption included (``quote_tables``); a longer one would bury the answer.
        self.table_lines = table_lines
        # A longer table is quoted by the rows whose labels cover an amount the question names ("bei 40.000
        # Euro"), when ``by_amount``; off, by the rows the cosine chose (``bench/fee_rows.py`` compares both).
        self.by_amount = by_amount
        # When the question asks for a date or a price (``assistant.asks``), a sentence that states one
        # counts this much more, for the highlights and the answer alike; the abstention signal is the
        # plain cosine.
        self.type_bonus = type_bonus
        # A sentence on this many pages is the site's notice, not an answer (``repeated_sentences``).
        self.repeated_on = repeated_on
        # Index version -> mask. Two are kept: during a switch the new version's mask is found while
        # requests are still answered from the old one (``LiveIndex.on_load``).
        self._repeated: dict[str, np.ndarray] = {}
        # The retriever's order knows more than a sentence's cosine (BM25, the memory, the page's other
        # sentences), so it orders the sentences the margin lets into the answer: each rank down counts
        # 0.02. It only orders them; leaving out those of lower passages cost correct sentences on test.
        # On OMoS-QA dev the first quoted sentence is a gold answer line for 41 % of questions instead
        # of 37 % (docs/benchmarks.md, "Which sentence the answer quotes").
        self.rank_step = rank_step
        self.max_highlights = max_highlights
        self.max_answer_sentences = max_answer_sentences
        self.answer_from_top = answer_from_top

    def prepare(self, index: LoadedIndex) -> None:
        """Find ``index``'s repeated sentences now rather than on its first question (0.3 s over
        12,607 passages)."""
        self._quotable(index)

    def _quotable(self, index: LoadedIndex) -> np.ndarray:
        mask = self._repeated.get(index.version)
        if mask is None:
            mask = ~repeated_sentences(index, self.repeated_on)
            self._repeated = {**dict(list(self._repeated.items())[-1:]), index.version: mask}
        return mask

    def weigh(self, index: LoadedIndex, first: int, sims: np.ndarray, sentences: list[str],
              kind: Asks | Subject | None) -> np.ndarray:
        """What orders one passage's sentences (rows ``first`` … of the index's sentence arrays) for the
        highlights and the answer: the cosine, plus ``type_bonus`` for a sentence that gives the ``kind``
        of thing the question asks for (a date, a price, a place, how long; for "what is X?", a sentence
        that names X, a field line by its label: ``says_what``). The one place a scoring term goes; the
        bench's grids subclass it (``bench/answer_sentences.py``), so what they measure is this selector
        with one term changed."""
        if kind is None:
            return sims.copy()
        if isinstance(kind, Subject):
            return sims + self.type_bonus * np.array([says_what(kind, s) for s in sentences])
        return sims + self.type_bonus * np.array([gives(kind, s) for s in sentences])

    def run(self, index: LoadedIndex, chunk_ids: list[int], query_vector: np.ndarray,
            question: str | None = None, own_vector: np.ndarray | None = None) -> Evidence:
        """``question``: its words, to see whether it asks for a date or a price (else by cosine alone).

        ``own_vector``: for a follow-up retrieved with an earlier question of another kind in front
        (``query_vector``; ``Assistant`` decides when), the vector of the follow-up alone. Its sentences are
        then ordered by the mean of both cosines: the earlier question says of what, the follow-up what it
        wants. After "Сколько стоит детский сад?", "А как записаться?" quoted the fee table, its price words
        outweighing the registration field in the passage beside it. The abstention signal stays the cosine
        with ``query_vector``."""
        quotable = self._quotable(index)
        kind = (asked_for(question) or subject_of(question)) if question and self.type_bonus else None
        highlights: dict[int, list[tuple[int, int]]] = {}
        pool: list[tuple[int, float, SentenceHit]] = []  # (rank of its passage, its weight, sentence)
        # The abstention signal stays the best sentence of the top passages, one-word ones included:
        # the floors and the margin were calibrated on it (docs/benchmarks.md, "Abstention").
        best = -1.0
        # Such a follow-up's passages are in the order of the whole query, the earlier question's mostly: between
        # two passages of one page that order says little about what the follow-up asks, so they share a rank.
        by_page = self.step_by_page or own_vector is not None
        step = _page_ranks(index, chunk_ids) if by_page else list(range(len(chunk_ids)))
        for rank, ci in enumerate(chunk_ids):
            a, b = index.chunk_sentences[ci]
            if b <= a:
                highlights[ci] = []
                continue
            sims = np.asarray(index.sentence_vectors[a:b] @ query_vector)
            if rank < self.answer_from_top:
                best = max(best, float(sims.max()))
            weighed = sims if own_vector is None else (sims + index.sentence_vectors[a:b] @ own_vector) / 2
            text = index.chunks[ci].text
            spans = index.sentence_spans(ci)
            sentences = [text[x:y] for x, y in spans]
            weight = self.weigh(index, a, weighed, sentences, kind)
            order = [int(j) for j in np.argsort(-weight, kind="stable")
                     if quotable[a + j] and _says_something(sentences[j])]
            if not order:
                highlights[ci] = []
                continue
            top = float(weight[order[0]])
            chosen = [j for j in order[: self.max_highlights] if weight[j] >= top - self.margin]
            highlights[ci] = sorted(spans[j] for j in chosen)
            if rank < self.answer_from_top:
                pool.extend((step[rank], float(weight[j]), SentenceHit(ci, *spans[j], float(sims[j])))
                            for j in chosen)
        first = max((w for _, w, _ in pool), default=-1.0)
        close = sorted((p for p in pool if p[1] >= first - self.margin),
                       key=lambda p: -(p[1] - self.rank_step * p[0]))
        said = [index.chunks[h.chunk].text[h.start:h.end] for _, _, h in close]
        answer = [close[i][2] for i in without_restatements(said, self.max_answer_sentences)]
        wanted = amounts(question) if question and self.by_amount else None
        answer = quote_tables(index.chunks, answer, self.table_lines, wanted=wanted, among=chunk_ids)
        return Evidence(highlight_quoted(index.chunks, highlights, answer), answer, best)


def _page_ranks(index: LoadedIndex, chunk_ids: list[int]) -> list[int]:
    """Each passage's rank for the rank step: the rank of its page's first passage. A page's passages share
    it; between pages the step stays as large as their passages' distance, so another offer's field line
    ("Anmeldung bis: 16. August 2027", two passages down) does not come closer."""
    first: dict[str, int] = {}
    for rank, ci in enumerate(chunk_ids):
        first.setdefault(index.chunks[ci].source.url, rank)
    return [first[index.chunks[ci].source.url] for ci in chunk_ids]


def without_restatements(sentences: list[str], most: int) -> list[int]:
    """Positions of at most ``most`` of ``sentences`` (best first), each saying something the others
    do not. A sentence that restates a chosen one is dropped; one that says all a chosen one says and
    more takes its place, so the answer keeps its order but quotes the fuller sentence (the page's,
    rather than its offer record's field)."""
    kept: list[int] = []
    for i, said in enumerate(sentences):
        if any(restates(said, sentences[k]) for k in kept):
            continue
        covered = [n for n, k in enumerate(kept) if restates(sentences[k], said)]
        if covered:
            kept[covered[0]] = i
            kept = [k for n, k in enumerate(kept) if n not in covered[1:]]
        else:
            kept.append(i)
        if len(kept) == most:
            break
    return kept
