"""The assistant as one object: ask and search over the live index."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from assistant.abstain import AbstentionPolicy
from assistant.compose import AnswerComposer
from assistant.evidence import Evidence, EvidenceSelector
from assistant.filters import default_filter
from assistant.language import LanguageDetector
from assistant.retrieve import ChunkFilter, HybridRetriever, Retrieved
from index.live import LiveIndex
from index.store import LoadedIndex
from lotse.embedding import Embedder
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "language": self.language,
            "found": self.answer.found,
            "answer": self.answer.to_dict(),
            "passages": [p.to_dict() for p in self.passages],
            "index_version": self.index_version,
        }


class Assistant:
    def __init__(self, index: LiveIndex, embedder: Embedder, *, default_k: int = 5, max_k: int = 50,
                 max_question_chars: int = 1000, abstention: AbstentionPolicy | None = None,
                 retriever: HybridRetriever | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.default_k = default_k
        self.max_k = max_k
        self.max_question_chars = max_question_chars
        self.abstention = abstention or AbstentionPolicy()
        self.languages = LanguageDetector()
        self.retriever = retriever or HybridRetriever(embedder)
        self.evidence = EvidenceSelector()
        self.composer = AnswerComposer()

    def warm_up(self) -> None:
        """Load the index and embed the abstention background before the first question."""
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

    def _retrieve(self, question: str, k: int | None, allow: ChunkFilter | None
                  ) -> tuple[str, LoadedIndex, Retrieved, Evidence, list[Passage]]:
        """Checked question -> language, index, ranking, evidence and the passages to return."""
        q, k = self._check(question, k)
        language = self.languages.detect(q)
        idx = self.index.get()
        hits = self.retriever.run(idx, q, language=language, k=k, allow=allow)
        ev = self.evidence.run(idx, hits.ids, hits.query_vector)
        passages = [Passage(r + 1, idx.chunks[i], s, ev.highlights.get(i, []))
                    for r, (i, s) in enumerate(zip(hits.ids, hits.scores, strict=True))]
        return language, idx, hits, ev, passages

    def search(self, question: str, k: int | None = None, *, allow: ChunkFilter | None = None) -> SearchResult:
        language, _, _, _, passages = self._retrieve(question, k, allow)
        return SearchResult(language, passages)

    def ask(self, question: str, *, session_id: str | None = None, top_k: int | None = None,
            allow: ChunkFilter | None = None) -> AskResult:
        """``allow`` defaults to hiding expired offers (and pages whose offers all ended)."""
        language, idx, hits, ev, passages = self._retrieve(question, top_k, allow or default_filter())
        decision = self.abstention.run(ev.best, hits.query_vector, self.embedder)
        found = bool(hits.ids) and decision.found
        ranks = {ci: r + 1 for r, ci in enumerate(hits.ids)}
        answer = self.composer.run(evidence=ev, found=found, chunks=idx.chunks, ranks=ranks, language=language)
        return AskResult(session_id or uuid.uuid4().hex, language, answer, passages, idx.version)
