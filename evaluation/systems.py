"""The retrieval systems compared side by side, all over the same index version.

- ``ours``: the product's ``HybridRetriever`` (dense + best sentence + BM25 by language; questions in
  the languages of the query lexicon through it, when ``LOTSE_QUERY_LEXICON`` names one);
- ``ours-nolex``: the same without the query lexicon (what it adds, in the same run);
- ``ours-nomem``: ours without the translation memory (``LOTSE_QUERY_MEMORY``; what it adds);
- ``dense``: passage vectors only (the plain multilingual-e5 baseline);
- ``bm25``: the German BM25 only;
- ``haystack``: a stock Haystack hybrid pipeline over the same passages and vectors
  (optional ``bench`` extra; reported as unavailable when it is not installed). With a query
  adapter its questions are encoded by the product's embedder, so it ranks with ours' vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assistant.asks import asked_for
from assistant.evidence import EvidenceSelector
from assistant.retrieve import FusionWeights, HybridRetriever, Lexicon, Memory, cap_per_page
from index.store import LoadedIndex
from lotse.embedding import Embedder

__all__ = ["ALL_SYSTEMS", "RetrievalSystem", "SystemSlot", "build_systems"]

ALL_SYSTEMS = ("ours", "ours-nolex", "ours-nomem", "dense", "bm25", "haystack")


class RetrievalSystem(Protocol):
    name: str

    def search(self, query: str, language: str, k: int) -> list[int]:
        """Indices into ``index.chunks``, best first."""
        ...


# As served: `/v1/ask` quotes from the evidence of its top five passages (Assistant.default_k).
ANSWER_PASSAGES = 5


class _Hybrid:
    def __init__(self, name: str, retriever: HybridRetriever, index: LoadedIndex, quotes: bool = False) -> None:
        self.name = name
        self.retriever = retriever
        self.index = index
        self.selector = EvidenceSelector() if quotes else None

    def search(self, query: str, language: str, k: int) -> list[int]:
        return self.retriever.run(self.index, query, language=language, k=k, asks=asked_for(query)).ids

    def quote(self, query: str, language: str) -> list[str] | None:
        """The sentences the product's extractive answer quotes, in order; None for the systems that
        are retrieval baselines only."""
        if self.selector is None:
            return None
        hits = self.retriever.run(self.index, query, language=language, k=ANSWER_PASSAGES, asks=asked_for(query))
        ev = self.selector.run(self.index, hits.ids, hits.query_vector, question=query)
        return [self.index.chunks[h.chunk].text[h.start:h.end] for h in ev.answer]


@dataclass(slots=True)
class SystemSlot:
    name: str
    system: RetrievalSystem | None
    unavailable: str | None = None  # why the system could not run


def build_systems(names: list[str], index: LoadedIndex, embedder: Embedder, model: str,
                  weights: FusionWeights | None = None, lexicon: Lexicon | None = None,
                  memory: Memory | None = None) -> list[SystemSlot]:
    weights = weights or FusionWeights()
    unknown = [n for n in names if n not in ALL_SYSTEMS]
    if unknown:
        raise ValueError(f"unknown system(s) {', '.join(unknown)}; choose from {', '.join(ALL_SYSTEMS)}")
    slots = []
    for name in names:
        if name == "haystack":
            slots.append(_haystack(index, model, weights.per_page,
                                    embedder if getattr(embedder, "query_adapter", None) else None))
            continue
        mode = {"ours": "hybrid", "ours-nolex": "hybrid", "ours-nomem": "hybrid", "dense": "dense",
                "bm25": "lexical"}[name]
        retriever = HybridRetriever(embedder, weights, mode=mode,
                                    lexicon=lexicon if name in ("ours", "ours-nomem") else None,
                                    memory=memory if name in ("ours", "ours-nolex") else None)
        slots.append(SystemSlot(name, _Hybrid(name, retriever, index, quotes=mode == "hybrid")))
    return slots


class _PerPage:
    """A peer's ranking with the same per-page cap as ours, so the cap is not what tells them apart."""

    def __init__(self, inner: RetrievalSystem, index: LoadedIndex, per_page: int) -> None:
        self.name, self.inner, self.index, self.per_page = inner.name, inner, index, per_page

    def prepare(self, queries: list[str]) -> None:
        getattr(self.inner, "prepare", lambda _q: None)(queries)

    def search(self, query: str, language: str, k: int) -> list[int]:
        ids = self.inner.search(query, language, k)
        return cap_per_page(ids, [self.index.chunks[i].source.url for i in ids], self.per_page)


def _haystack(index: LoadedIndex, model: str, per_page: int = 0, query_encoder: Embedder | None = None
              ) -> SystemSlot:
    from evaluation.peer_haystack import HaystackPeer, haystack_missing

    why = haystack_missing()
    if why:
        return SystemSlot("haystack", None, why)
    try:
        peer = HaystackPeer(index, model, query_encoder=query_encoder)
        return SystemSlot("haystack", _PerPage(peer, index, per_page) if per_page else peer)
    except ValueError as exc:  # e.g. the hashing test embedder is no sentence-transformers folder
        return SystemSlot("haystack", None, str(exc))
