"""Hybrid retrieval: passage vectors, sentence vectors and BM25, fused by a weighted score sum.

Three signals score the passages:

- dense: cosine of the question with each passage vector;
- sentences: the best cosine of the question with any sentence of the passage, which
  finds a one-line answer inside a long passage (a multi-vector view of each passage);
- lexical: BM25 over the German text, scaled to [0, 1] by the best BM25 score of the
  question. Its weight follows the question's language: German questions share words with
  the passages; other Latin-script questions share only names and numbers, so they get
  half of it; an Arabic, Cyrillic or Persian question shares only the names it writes in
  Latin letters and its numbers, so only those reach BM25, at the Latin-script weight. With
  the opt-in query lexicon (``LOTSE_QUERY_LEXICON``, :mod:`lotse.model.lexicon`; Arabic and
  Ukrainian for ``omos-lex-v1``), a question in one of its languages is first turned into
  weighted German terms, and those score the BM25 index instead of its own words.

A question in a language of the translation memory (:mod:`lotse.model.memory`; en, ar and uk
for ``omos-tm-v1``, the default ``LOTSE_QUERY_MEMORY``) that a query adapter encodes also borrows
a German query vector from its nearest train sentences in its own language; that vector's dense
and sentence scores are added at ``FusionWeights.memory`` times the memory's own weight for the
question (0 when no neighbour is close, as for a Wikipedia question).

A question that asks only what a name is ("Was ist die Talentschmiede?", :mod:`assistant.defines`)
adds ``FusionWeights.subject`` to the passages whose own text names it: the page titled with the
name embeds all its passages under that title, and the one that says the word says what it is.

Why a score sum and not reciprocal-rank fusion: the two cosines are on the same scale and
their differences carry information that ranks throw away (a passage 0.001 behind the top
one and a passage 0.05 behind are both "rank 2"). With rank fusion an off-topic BM25 list
(an English question matching German passages by accident) pulls as hard as the vectors;
as a small additive bonus it can only break near-ties. The weights were chosen on the
OMoS-QA dev split only (`lotse eval omos --split dev`); XQuAD and the test split are
measured, never tuned on (docs/benchmarks.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from assistant.asks import Asks, gives
from assistant.defines import subject_of
from assistant.offer_names import OfferNames
from index.store import LoadedIndex
from lotse.embedding import Embedder, adapts
from lotse.schema import Chunk

__all__ = ["FusionWeights", "HybridRetriever", "Lexicon", "Memory", "Retrieved", "cap_per_page",
           "names_and_numbers", "top_indices"]

_LATIN = {"de", "en", "tr", "pl", "es", "fr", "it", "ro", "sq", "hr", "vi"}


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """Weights of the score sum; cosines enter as they are, BM25 as a share of the best BM25.

    On OMoS-QA dev the best sentence is the stronger signal: dense alone gives Recall@1 0.40
    (mean over de/en/ar/uk), dense + sentence 0.45, half dense + sentence 0.46. The passage
    vector still counts, it keeps a passage whose answer spans two sentences in front, but
    at half weight it no longer lets a short list item that only repeats the page title
    ("• Talentschmiede im Ruhrgebiet") outrank the passage that holds the answer. BM25 helps
    German questions only as a tie-breaker: at 0.02 it adds a little, above 0.04 it starts
    to outvote the vectors.
    """

    dense: float = 0.5
    sentence: float = 1.0
    lexical_german: float = 0.02
    lexical_latin: float = 0.01
    lexical_other: float = 0.0
    # A question's German terms from the query lexicon. On OMoS-QA dev (en/ar/uk, adapted) 0.04 lifts
    # page Recall@1 by about 7 points and Recall@5 by 3; 0.08 starts to outvote the vectors in Ukrainian.
    lexical_translated: float = 0.04
    # The German name of an offer that a question in another language names ("kreş" -> Kita;
    # assistant.offer_names), a German term like the lexicon's and at its weight. 0: off.
    offer_names: float = 0.04
    # The same question with the German name written in, as a share of the query vector (the rest is the
    # question's own). Of the 12 answerable questions the demo's dev sets refused (bench/offer_asks.py,
    # bench/demo_languages.py), 0.3 answers 4, 0.5 answers 8 and 0.7 answers 9; of the 35 dev questions
    # about an offer that its page does not answer, 0, 1 and 3 more are answered. 0: off.
    offer_name_vector: float = 0.5
    # The German vector a translation-memory language's question borrows, as a share of its own vector's
    # weight. On OMoS-QA dev (en/ar/uk, adapted) 0.5 lifts page Recall@1 by about 6 points and Recall@5
    # by 3; at 1 it starts to outvote the question in Ukrainian.
    memory: float = 0.5
    # "What is the Talentschmiede?": a passage whose own text names the subject, over the passages of
    # the page that only has it as its title (``assistant.defines``). 0: off.
    subject: float = 0.05
    candidates: int = 50  # passages taken from each signal's top list before the exact sum
    # At most this many passages of one page before every other page's (0: no cap). The top five
    # passages of OMoS-QA dev questions came from only 3.4 pages on average: a page that holds the
    # answer twice pushed the second-best page out. With 2, page Recall@5 on dev rises 1-2 points
    # for en/ar/uk (adapted) and the share of questions whose answer line is in the top five stays the
    # same; with 1 recall rises 3-5 points but that share drops 4 points in German and Ukrainian.
    per_page: int = 2

    def lexical(self, language: str) -> float:
        if language == "de":
            return self.lexical_german
        return self.lexical_latin if language in _LATIN else self.lexical_other


@dataclass(slots=True)
class Retrieved:
    """Fused ranking of passage indices with the signals behind each score."""

    ids: list[int]
    scores: list[float]
    query_vector: np.ndarray
    dense: dict[int, float] = field(default_factory=dict)
    sentence: dict[int, float] = field(default_factory=dict)
    lexical: dict[int, float] = field(default_factory=dict)
    offer: dict[int, float] = field(default_factory=dict)  # what the German offer names added
    memory: dict[int, float] = field(default_factory=dict)  # what the borrowed German vector added
    subject: dict[int, float] = field(default_factory=dict)  # what naming a "what is" question's subject added


ChunkFilter = Callable[[Chunk], bool]

_NAME_OR_NUMBER = re.compile(r"[0-9]+|[A-Za-z\u00C0-\u024F]{2,}(?:-[A-Za-z\u00C0-\u024F]+)*")
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def names_and_numbers(text: str) -> str:
    """The Latin-script words and the numbers of a question written in another script ("XLIX",
    "TranslAid", "2015", Arabic-Indic "٢٠١٥" as "2015"): what it can share with a German page."""
    return " ".join(_NAME_OR_NUMBER.findall(text.translate(_EASTERN_DIGITS)))


class Lexicon(Protocol):
    """German BM25 terms, weighted, for a question in one of ``languages``."""

    languages: frozenset[str]

    def terms(self, text: str, language: str) -> dict[str, float]: ...


class Memory(Protocol):
    """A German query vector, and its weight in [0, 1], for a question vector in one of ``languages``."""

    languages: frozenset[str]

    def expand(self, qv: np.ndarray, language: str) -> tuple[np.ndarray, float] | None: ...


class HybridRetriever:
    def __init__(self, embedder: Embedder, weights: FusionWeights | None = None,
                 *, mode: str = "hybrid", lexicon: Lexicon | None = None, memory: Memory | None = None,
                 offer_names: OfferNames | None = None) -> None:
        if mode not in ("hybrid", "dense", "lexical"):
            raise ValueError(f"mode must be 'hybrid', 'dense' or 'lexical', got {mode!r}")
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.mode = mode
        self.lexicon = lexicon
        self.memory = memory
        self.offer_names = offer_names or OfferNames()
        # (index version, kind) -> passage -> whether a sentence of it gives that kind; filled as asked, since
        # reading a passage's sentences for it cost about 2 ms a typed question over OMoS-QA's long pages.
        self._gives: dict[tuple[str, str], dict[int, bool]] = {}

    def run(self, index: LoadedIndex, query: str, *, language: str, k: int,
            allow: ChunkFilter | None = None, asks: Asks | None = None) -> Retrieved:
        """The top ``k`` passages for ``query`` (the question, or a follow-up with the question before it).

        ``asks``: the kind of answer the question itself asks for (``assistant.asks.asked_for`` of the
        question, not of a follow-up's whole query); a page's front places go to passages that give it."""
        w = self.weights
        n = len(index.chunks)
        qv = self.query_vector(query, language)
        if n == 0:
            return Retrieved([], [], qv)
        depth = min(n, max(w.candidates, k * 4))
        while True:
            hits = self._ranked(index, query, qv, language, k, depth, allow, asks)
            # A filter may reject most candidates: widen the pool until k pass it or every passage
            # was a candidate, instead of scoring the whole index for every filtered query.
            if allow is None or len(hits.ids) >= k or depth >= n:
                return hits
            depth = min(n, depth * 4)

    def query_vector(self, query: str, language: str) -> np.ndarray:
        """The question's vector; in hybrid mode, when it names an offer in its own language, blended with
        the vector of the question that names it in German (``OfferNames.written``)."""
        share = self.weights.offer_name_vector if self.mode == "hybrid" else 0.0
        named = self.offer_names.written(query, language) if share > 0 else None
        if named is None:
            return self.embedder.embed_queries([query], language)[0]
        own, german = self.embedder.embed_queries([query, named], language)
        blended = (1.0 - share) * own + share * german
        return (blended / np.linalg.norm(blended)).astype(own.dtype)

    def _ranked(self, index: LoadedIndex, query: str, qv: np.ndarray, language: str, k: int, depth: int,
                allow: ChunkFilter | None, asks: Asks | None) -> Retrieved:
        if self.mode == "dense":
            ids, scores = index.dense.search(qv[None, :], depth)
            dense = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
            return self._top(index, dense, k, allow, qv, None, dense=dense)
        if self.mode == "lexical":
            ids_l, scores_l = index.lexical.search(query, depth)
            lex = {int(i): float(s) for i, s in zip(ids_l, scores_l, strict=True)}
            return self._top(index, lex, k, allow, qv, None, lexical=lex)
        return self._hybrid(index, query, qv, language, k, depth, allow, asks)

    def _hybrid(self, index: LoadedIndex, query: str, qv: np.ndarray, language: str, k: int, depth: int,
                allow: ChunkFilter | None, asks: Asks | None) -> Retrieved:
        w = self.weights
        n = len(index.chunks)
        known, best, candidates = self._vector_signals(index, qv, depth)
        # Only for questions a query adapter encodes: the ramp is in cosines of that space, and the
        # memory was chosen there (docs/benchmarks.md, "A translation memory").
        borrowed = (self.memory.expand(qv, language)
                    if self.memory is not None and adapts(self.embedder, language) else None)
        if borrowed is not None:
            g_ids, _ = index.dense.search(borrowed[0][None, :], depth)
            candidates.update(int(i) for i in g_ids[0] if i >= 0)
        lw = w.lexical(language)
        bm25 = np.zeros(n, dtype=np.float32)
        if self.lexicon is not None and language in self.lexicon.languages:
            lw = w.lexical_translated
            bm25 = index.lexical.weighted_scores(self.lexicon.terms(query, language))
        elif lw > 0:
            bm25 = index.lexical.scores(query)
        elif shared := names_and_numbers(query):
            lw = w.lexical_latin
            bm25 = index.lexical.scores(shared)
        if lw > 0:
            bm25 = _share_of_best(bm25, depth, candidates)
        offer = self._offer_scores(index, query, language, depth, candidates)
        # Exact cosines for every candidate, also those that only BM25 or a sentence brought in.
        cand = np.fromiter(sorted(candidates), dtype=np.int64)
        dense_s = np.array([known.get(i, np.nan) for i in cand.tolist()], dtype=np.float32)
        if (missing := np.isnan(dense_s)).any():
            dense_s[missing] = index.dense.vectors(cand[missing]) @ qv
        # A passage without sentences (a bare heading) is judged by its passage vector alone.
        sent_s = np.where(best[cand] > -1.0, best[cand], dense_s)
        fused_s = w.dense * dense_s + w.sentence * sent_s + lw * bm25[cand]
        if offer is not None:
            offer_s = w.offer_names * offer[cand]
            fused_s = fused_s + offer_s
        if borrowed is not None:
            # The borrowed vector brought only its top passages (above); its sentence cosines are taken
            # on the candidates alone, not with every sentence vector as the question's own are. Dropping
            # its passages too lost an Arabic dev question; this way dev ranks did not move at all.
            gv, gate = borrowed
            g_dense, g_best = _candidate_cosines(index, cand, gv)
            g_sent = np.where(g_best > -1.0, g_best, g_dense)
            added = w.memory * gate * (w.dense * g_dense + w.sentence * g_sent)
            fused_s = fused_s + added
        named = self._named(index, query, cand)
        if named is not None:
            fused_s = fused_s + named
        fused = {int(i): float(s) for i, s in zip(cand, fused_s, strict=True)}
        return self._top(index, fused, k, allow, qv, asks,
                         dense={int(i): float(s) for i, s in zip(cand, dense_s, strict=True)},
                         sentence={int(i): float(s) for i, s in zip(cand, sent_s, strict=True)},
                         lexical={int(i): float(bm25[i]) for i in cand if bm25[i] > 0},
                         offer={int(i): float(a) for i, a in zip(cand, offer_s, strict=True) if a > 0}
                         if offer is not None else {},
                         memory={int(i): float(a) for i, a in zip(cand, added, strict=True)}
                         if borrowed is not None else {},
                         subject={int(i): float(a) for i, a in zip(cand, named, strict=True) if a > 0}
                         if named is not None else {})

    def _named(self, index: LoadedIndex, query: str, cand: np.ndarray) -> np.ndarray | None:
        """``FusionWeights.subject`` for each candidate whose text names the subject of a "what is"
        question; None for other questions. The title is not the text: every passage of the page has it."""
        subject = subject_of(query) if self.weights.subject > 0 else None
        if subject is None:
            return None
        return self.weights.subject * np.array([subject.named_in(index.chunks[i].text) for i in cand.tolist()],
                                               dtype=np.float32)

    def _offer_scores(self, index: LoadedIndex, query: str, language: str, depth: int,
                      candidates: set[int]) -> np.ndarray | None:
        """BM25 of the German offer names the question names, as a share of the best; its top passages
        join ``candidates``. None when it names none (or the weight is 0)."""
        if self.weights.offer_names <= 0:
            return None
        terms = self.offer_names.terms(query, language, index.lexical.analyzer)
        scores = _share_of_best(index.lexical.weighted_scores(terms), depth, candidates) if terms else None
        return scores if scores is not None and scores.any() else None

    @staticmethod
    def _vector_signals(index: LoadedIndex, qv: np.ndarray, depth: int
                        ) -> tuple[dict[int, float], np.ndarray, set[int]]:
        """Passage cosines of the top ``depth``, the best sentence cosine of every passage, and the
        candidates either brought."""
        ids, scores = index.dense.search(qv[None, :], depth)
        known = {int(i): float(s) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0}
        candidates = set(known)
        best = np.full(len(index.chunks), -1.0, dtype=np.float32)  # best sentence cosine per passage
        if len(index.sentence_map):
            sims = np.asarray(index.sentence_vectors @ qv)
            np.maximum.at(best, index.sentence_map[:, 0], sims)
            candidates.update(int(i) for i in top_indices(best, depth) if best[i] > -1.0)
        return known, best, candidates

    def _top(self, index: LoadedIndex, scored: dict[int, float], k: int, allow: ChunkFilter | None,
             qv: np.ndarray, asks: Asks | None, **signals: dict[int, float]) -> Retrieved:
        order = sorted(scored, key=lambda i: (-scored[i], i))
        if allow is not None:
            order = [i for i in order if allow(index.chunks[i])]
        answers = None if asks is None else self._answers(index, asks)
        order = cap_per_page(order, [index.chunks[i].source.url for i in order], self.weights.per_page,
                             answers, within=k)[:k]
        return Retrieved(order, [scored[i] for i in order], qv, **signals)


    def _answers(self, index: LoadedIndex, kind: Asks) -> Callable[[int], bool]:
        """Whether a passage of ``index`` gives ``kind``, remembered per index version."""
        key = (index.version, kind)
        known = self._gives.get(key)
        if known is None:
            known = {}
            self._gives = {**{k: v for k, v in self._gives.items() if k[0] == index.version}, key: known}

        def answers(i: int) -> bool:
            hit = known.get(i)
            if hit is None:
                hit = known[i] = _gives(index, i, kind)
            return hit

        return answers


def _gives(index: LoadedIndex, i: int, kind: Asks) -> bool:
    """Whether a sentence of passage ``i`` states what ``kind`` asks for."""
    text = index.chunks[i].text
    return any(gives(kind, text[x:y]) for x, y in index.sentence_spans(i))


def _share_of_best(scores: np.ndarray, depth: int, candidates: set[int]) -> np.ndarray:
    """BM25 scores as a share of the best one (all zero when nothing matched); the top ``depth`` passages
    that matched join ``candidates``."""
    top = float(scores.max()) if len(scores) else 0.0
    if top <= 0:
        return scores
    candidates.update(int(i) for i in top_indices(scores, depth) if scores[i] > 0)
    return scores / top


def _candidate_cosines(index: LoadedIndex, cand: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosine of ``v`` with each candidate's passage vector and its best sentence (-1 without sentences)."""
    dense = (index.dense.vectors(cand) @ v).astype(np.float32)
    spans = index.chunk_sentences[cand]
    lengths = spans[:, 1] - spans[:, 0]
    best = np.full(len(cand), -1.0, dtype=np.float32)
    has = lengths > 0
    if has.any():
        rows = np.concatenate([np.arange(a, b) for a, b in spans[has]])
        sims = np.asarray(index.sentence_vectors[rows] @ v)
        starts = np.concatenate([[0], np.cumsum(lengths[has])[:-1]])
        best[has] = np.maximum.reduceat(sims, starts)
    return dense, best


def top_indices(values: np.ndarray, k: int) -> np.ndarray:
    """The indices of the ``k`` largest values, ties going to the lower index: the set that
    ``np.argsort(-values, kind="stable")[:k]`` holds (in index order), without sorting every passage
    (1 ms of each question's time over 12,600 passages)."""
    if k >= len(values):
        return np.arange(len(values))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    kth = np.partition(values, len(values) - k)[len(values) - k]  # the k-th largest value
    above = np.flatnonzero(values > kth)
    return np.sort(np.concatenate([above, np.flatnonzero(values == kth)[: k - len(above)]]))


def cap_per_page(order: list[int], urls: list[str], per_page: int,
                 answers: Callable[[int], bool] | None = None, within: int | None = None) -> list[int]:
    """``order`` with at most ``per_page`` passages of one page (URL) in front; the rest keep their
    order behind every other page's passages. ``per_page`` 0 leaves ``order`` as it is.

    ``answers``: whether a passage says what the question asks for (a date, a price, how to register).
    When none of a page's front passages does and one of its others does, the first such one takes the
    page's last front place: after "Сколько стоит детский сад?", "А как записаться?" is retrieved with the
    price question in front, the two fee-table passages of the Kita page filled its places and the
    passage with the way to register stood behind the music school. Each place keeps its page, so the
    order of pages, and page recall, do not change. ``within``: only the pages in the first ``within`` places
    are looked at (the passages a caller keeps), since ``answers`` reads every sentence of a passage."""
    if per_page <= 0:
        return order
    seen: dict[str, int] = {}
    front: list[int] = []
    back: list[int] = []
    for i, url in zip(order, urls, strict=True):
        seen[url] = seen.get(url, 0) + 1
        (front if seen[url] <= per_page else back).append(i)
    capped = front + back
    if answers is None:
        return capped
    page_of = dict(zip(order, urls, strict=True))
    shown = {page_of[i] for i in (capped if within is None else capped[:within])}
    pages: dict[str, list[int]] = {}
    for i, url in zip(order, urls, strict=True):
        if url in shown:
            pages.setdefault(url, []).append(i)
    for url, passages in pages.items():
        if len(passages) <= per_page or any(answers(i) for i in passages[:per_page]):
            continue
        later = next((i for i in passages[per_page:] if answers(i)), None)
        if later is None:
            continue
        reordered = iter([*passages[:per_page - 1], later, *(i for i in passages[per_page - 1:] if i != later)])
        capped = [next(reordered) if page_of[i] == url else i for i in capped]
    return capped
