"""The assistant as one object: ask and search over the live index."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from assistant.abstain import AbstentionPolicy, Decision
from assistant.asks import asked_for, asks_another_kind
from assistant.compose import AnswerComposer, EndedOffer
from assistant.evidence import Evidence, EvidenceSelector
from assistant.filters import build_filter, default_filter, end_of, is_expired, offer_of, today
from assistant.followup import QueryContext
from assistant.keywords import KeywordMatch
from assistant.language import LanguageDetector
from assistant.messages import Referral
from assistant.retrieve import ChunkFilter, HybridRetriever, Retrieved
from index.live import LiveIndex
from index.store import LoadedIndex
from lotse.embedding import Embedder, adapts
from lotse.errors import BadRequestError
from lotse.schema import Answer, Passage

__all__ = ["AskResult", "Assistant", "SearchResult"]



@dataclass(slots=True)
class SearchResult:
    language: str
    passages: list[Passage]

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "passages": [p.to_dict() for p in self.passages]}


@dataclass(slots=True)
class AskResult:
    session_id: str
    language: str
    answer: Answer
    passages: list[Passage]
    index_version: str
    answer_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    follow_up: bool = False  # retrieved with the previous question in mind
    cue: str = ""  # why it was read as a follow-up (``QueryContext.cue``), for logs and the evaluation
    previous: str | None = None  # that previous question, for a generated answer
    extractive: Answer | None = None  # the extractive answer, kept when a generated one replaces it
    fallback_reason: str | None = None  # why a generated answer was not used (timeout, unverified…)
    ended: EndedOffer | None = None  # an offer that has ended matched best (with a refusal: would have answered)
    decision: Decision | None = None  # the abstention test's verdict and its two scores

    def sources(self) -> list[dict[str, Any]]:
        """The cited passages' sources, in citation order: what a citizen clicks."""
        by_rank = {p.rank: p for p in self.passages}
        out = []
        for n in self.answer.citations:
            p = by_rank.get(n)
            if p is not None:
                src = p.chunk.source
                out.append({"n": n, "title": src.title, "section": src.section, "as_of": src.as_of,
                            "deep_link": src.deep_link or src.url, "url": src.url})
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "answer_id": self.answer_id,
            "language": self.language,
            "found": self.answer.found,
            "follow_up": self.follow_up,
            "ended_offer": self.ended.to_dict() if self.ended else None,
            "answer": self.answer.to_dict(),
            "sources": self.sources(),
            "passages": [p.to_dict() for p in self.passages],
            "index_version": self.index_version,
        }


class Assistant:
    def __init__(self, index: LiveIndex, embedder: Embedder, *, default_k: int = 5, max_k: int = 50,
                 max_question_chars: int = 1000, abstention: AbstentionPolicy | None = None,
                 retriever: HybridRetriever | None = None, referral: Referral | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.default_k = default_k
        self.max_k = max_k
        self.max_question_chars = max_question_chars
        self.abstention = abstention or AbstentionPolicy()
        self.languages = LanguageDetector()
        self.retriever = retriever or HybridRetriever(embedder)
        self.evidence = EvidenceSelector()
        self.keywords = KeywordMatch()
        index.on_load(self.evidence.prepare)  # a new version's repeated sentences are found before it goes live
        self.composer = AnswerComposer(referral)
        self._ended_in: tuple[tuple[str, date], bool] | None = None  # ((index version, day), any offer ended)

    def warm_up(self) -> None:
        """Load the index (and find its repeated sentences) and embed the abstention background before
        the first question."""
        self.abstention.warm_up(self.embedder)
        self.index.get()

    def _check(self, question: str, k: int | None) -> tuple[str, int]:
        q = " ".join((question or "").split())
        if not q:
            raise BadRequestError("The question is empty. Type a question, for example: "
                                  "'Was plant Bochum für die Kita-Betreuung?'")
        if len(q) > self.max_question_chars:
            raise BadRequestError(f"The question is {len(q)} characters long; please keep it under "
                                  f"{self.max_question_chars}.")
        k = self.default_k if k is None else k
        if not 1 <= k <= self.max_k:
            raise BadRequestError(f"top_k must be between 1 and {self.max_k}, got {k}.")
        return q, k

    def _read(self, question: str, k: int | None, context: QueryContext | None,
              hint: str | None) -> tuple[str, str, str, int]:
        """Checked question -> (the question, the text to retrieve with, its language, k).

        With a follow-up ``context`` retrieval and evidence use the previous question plus this one;
        the language is still this question's, unless it is too short to tell (then the previous one's).
        ``hint``: the asker's device language (``Accept-Language``), which settles one to three words."""
        q, k = self._check(question, k)
        language = self.languages.detect(q, hint)
        query = q
        if context is not None and context.is_followup:
            query = context.query
            if context.previous_language and len(q.split()) <= 3:
                language = context.previous_language
        return q, query, language, k

    def _rank(self, idx: LoadedIndex, q: str, query: str, language: str, k: int, allow: ChunkFilter | None,
              earlier: str | None = None) -> tuple[Retrieved, Evidence, list[Passage]]:
        """The ranking of ``query`` in ``idx``, the evidence for the question ``q`` and the passages to return.

        ``earlier``: the question(s) a follow-up ``q`` is retrieved with. When they ask for another kind of
        answer ("Сколько стоит детский сад?" before "А как записаться?"), their kind words pull against the
        follow-up's, so its own vector weighs the sentences too. After a question that asks for no kind
        ("Есть ли группа для родителей …?") it is not used: alone, "until when must I register?" pulled another
        offer's deadline field into the answer."""
        hits = self.retriever.run(idx, query, language=language, k=k, allow=allow, asks=asked_for(q))
        own = self.retriever.query_vector(q, language) if earlier and asks_another_kind(q, earlier) else None
        ev = self.evidence.run(idx, hits.ids, hits.query_vector, question=q, own_vector=own)
        passages = [Passage(r + 1, idx.chunks[i], s, ev.highlights.get(i, []))
                    for r, (i, s) in enumerate(zip(hits.ids, hits.scores, strict=True))]
        return hits, ev, passages

    def _retrieve(self, question: str, k: int | None, allow: ChunkFilter | None,
                  context: QueryContext | None = None,
                  hint: str | None = None) -> tuple[str, LoadedIndex, Retrieved, Evidence, list[Passage]]:
        """Checked question -> language, index, ranking, evidence and the passages to return."""
        q, query, language, k = self._read(question, k, context, hint)
        idx = self.index.get()
        return (language, idx, *self._rank(idx, q, query, language, k, allow))

    def search(self, question: str, k: int | None = None, *, allow: ChunkFilter | None = None,
               hint: str | None = None) -> SearchResult:
        language, _, _, _, passages = self._retrieve(question, k, allow, hint=hint)
        return SearchResult(language, passages)

    def ask(self, question: str, *, session_id: str | None = None, top_k: int | None = None,
            allow: ChunkFilter | None = None, context: QueryContext | None = None,
            hint: str | None = None, answer_language: str | None = None) -> AskResult:
        """``allow`` defaults to hiding expired offers (and pages whose offers all ended); ``context``
        (from ``FollowUp.run``) retrieves a follow-up with the previous question in mind; ``hint`` is
        the asker's device language, if known; ``answer_language``, a language the asker chose (the
        widget's menu), frames the answer instead of the question's. The question is still read,
        retrieved and judged in the language it is written in."""
        q, query, language, k = self._read(question, top_k, context, hint)
        idx = self.index.get()
        earlier = context.previous if context is not None else None
        hits, ev, passages = self._rank(idx, q, query, language, k, allow or default_filter(), earlier)
        decision = self._judge(language, hits, ev, idx, q, query) if hits.ids else None
        found = decision is not None and decision.found
        # An offer that has ended is named when it would have answered a refused question, and when it
        # matches better than every current passage: "Is there an info evening on parental allowance?"
        # (uk) is answered with another group's dates, the one evening there was having ended.
        ended = self._ended(idx, q, query, language, k, earlier) if allow is None and self._has_ended(idx) else None
        ranks = {ci: r + 1 for r, ci in enumerate(hits.ids)}
        answer = self.composer.run(evidence=ev, found=found, chunks=idx.chunks, ranks=ranks,
                                   language=answer_language or language, ended=ended)
        follow = context is not None and context.is_followup
        return AskResult(session_id or uuid.uuid4().hex, language, answer, passages, idx.version,
                         follow_up=follow, previous=context.previous if follow and context else None, ended=ended,
                         decision=decision, cue=context.cue if follow and context else "")

    def _judge(self, language: str, hits: Retrieved, ev: Evidence, idx: LoadedIndex, q: str,
               query: str | None = None) -> Decision:
        """The abstention test. ``q``: the question as typed, looked up word for word in the evidence
        passage when it is a few words; not for a follow-up (``query``, the text retrieved with, differs),
        which is judged with the question before it."""
        keywords = query in (None, q) and self.keywords.in_evidence(q, idx.chunks, ev)
        return self.abstention.run(ev.best, hits.query_vector, self.embedder,
                                   adapted=adapts(self.embedder, language), language=language, keywords=keywords)

    def _has_ended(self, index: LoadedIndex) -> bool:
        """Whether any passage of ``index`` is an offer that has ended (or the page of one), today."""
        key = (index.version, today())
        if self._ended_in is None or self._ended_in[0] != key:
            self._ended_in = (key, any(is_expired(c, key[1]) for c in index.chunks))
        return self._ended_in[1]

    def _ended(self, idx: LoadedIndex, q: str, query: str, language: str, k: int,
               earlier: str | None = None) -> EndedOffer | None:
        """The first passage with ended offers included, if it is an ended offer (or the page of one) and
        its evidence passes the same abstention test. Costs a second ranking of the question as it was
        read, in the same index version, only over an index that holds an ended offer."""
        day = today()
        hits, ev, passages = self._rank(idx, q, query, language, k, build_filter(include_expired=True, day=day),
                                        earlier)
        if not passages or not is_expired(passages[0].chunk, day):
            return None
        if not self._judge(language, hits, ev, idx, q, query).found:
            return None
        chunk = passages[0].chunk
        offer = offer_of(chunk) or {}
        return EndedOffer(title=str(offer.get("title") or chunk.source.title), end_date=end_of(chunk) or "",
                          url=chunk.source.url)
