"""The peer system: a stock Haystack hybrid pipeline over the very same passages.

Same chunks (content = ``chunk.embed_text()``, what our BM25 and embedder see), the same
passage vectors taken from our index (same model, same chunks, so no re-embedding), the
query embedded by Haystack's own sentence-transformers component from the same folder with
the e5 ``query: `` prefix. BM25 and embedding retrieval are joined by reciprocal rank
fusion, the usual Haystack hybrid recipe. One-at-a-time query encoding costs ~0.5 s on two
CPU cores, so ``prepare`` encodes a language's questions in batches through the same
Haystack component's backend and the pipeline's embedder step serves them from that cache:
the same vectors, without hours of waiting. Only this module imports Haystack, and only when
the peer is built: install it with ``pip install -e '.[bench]'``.

When the model under test has a query adapter (``lotse eval --model adapted``), no
sentence-transformers folder holds it: the peer's embedder step then asks the product's
``Embedder`` for each question's vector (``query_encoder``), so peer and ours rank with the same
question vectors and only the fusion differs.
"""

from __future__ import annotations

from pathlib import Path

from index.store import LoadedIndex
from lotse.embedding import Embedder

__all__ = ["HaystackPeer", "haystack_missing"]


def haystack_missing() -> str | None:
    """Why the peer cannot run here, or None when it can."""
    try:
        import haystack  # noqa: F401
        from haystack_integrations.components.embedders.sentence_transformers import (  # noqa: F401
            SentenceTransformersTextEmbedder,
        )
    except ImportError as exc:
        return f"Haystack is not installed ({exc.name}); pip install -e '.[bench]'"
    return None


class HaystackPeer:
    name = "haystack"

    def __init__(self, index: LoadedIndex, model_folder: str, *, depth: int = 10,
                 query_prefix: str = "query: ", query_encoder: Embedder | None = None) -> None:
        if not Path(model_folder).expanduser().is_dir():
            raise ValueError(f"the Haystack peer needs a sentence-transformers folder, not {model_folder!r}")
        from haystack import Document, Pipeline, component
        from haystack.components.joiners import DocumentJoiner
        from haystack.components.retrievers.in_memory import InMemoryBM25Retriever, InMemoryEmbeddingRetriever
        from haystack.document_stores.in_memory import InMemoryDocumentStore
        from haystack_integrations.components.embedders.sentence_transformers import (
            SentenceTransformersTextEmbedder,
        )

        self.depth = depth

        @component
        class CachedTextEmbedder:
            """Haystack's text embedder with a cache that ``prepare`` fills in batches."""

            def __init__(self, inner: SentenceTransformersTextEmbedder) -> None:
                self.inner = inner
                self.cache: dict[str, list[float]] = {}

            def warm_up(self) -> None:
                self.inner.warm_up()

            @component.output_types(embedding=list[float])
            def run(self, text: str) -> dict[str, list[float]]:
                hit = self.cache.get(text)
                return {"embedding": hit} if hit is not None else self.inner.run(text=text)

        @component
        class ProductTextEmbedder:
            """The product's query encoder (with its query adapter) as a Haystack text embedder; the
            question's detected language is set before each run, as the product routes by it."""

            def __init__(self, encoder: Embedder) -> None:
                self.encoder = encoder
                self.language: str | None = None

            @component.output_types(embedding=list[float])
            def run(self, text: str) -> dict[str, list[float]]:
                return {"embedding": self.encoder.embed_queries([text], self.language)[0].tolist()}

        # shared=False: every peer gets its own store, two eval sets never mix.
        store = InMemoryDocumentStore(embedding_similarity_function="dot_product", shared=False,
                                      return_embedding=False)
        vectors = index.dense.vectors()[: len(index.chunks)]
        store.write_documents([
            Document(id=str(i), content=c.embed_text(), embedding=vectors[i].tolist(), meta={"row": i})
            for i, c in enumerate(index.chunks)
        ])
        pipe = Pipeline()
        self.query_prefix = query_prefix
        self.query_encoder = query_encoder
        self.text_embedder = ProductTextEmbedder(query_encoder) if query_encoder is not None else \
            CachedTextEmbedder(SentenceTransformersTextEmbedder(
                model=str(Path(model_folder).expanduser()), prefix=query_prefix, normalize_embeddings=True,
                progress_bar=False, local_files_only=True))
        pipe.add_component("text_embedder", self.text_embedder)
        pipe.add_component("embedding_retriever", InMemoryEmbeddingRetriever(store, top_k=depth))
        pipe.add_component("bm25_retriever", InMemoryBM25Retriever(store, top_k=depth))
        pipe.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=depth))
        pipe.connect("text_embedder.embedding", "embedding_retriever.query_embedding")
        pipe.connect("embedding_retriever", "joiner")
        pipe.connect("bm25_retriever", "joiner")
        self.pipeline = pipe
        self.pipeline.warm_up()

    def prepare(self, queries: list[str]) -> None:
        """Encode the questions in batches, exactly as the embedder step would one by one (the
        product's encoder caches its own vectors: nothing to do)."""
        if self.query_encoder is not None:
            return
        inner = self.text_embedder.inner
        todo = [q for q in dict.fromkeys(queries) if q not in self.text_embedder.cache]
        if todo:
            vecs = inner.embedding_backend.embed([self.query_prefix + q for q in todo], batch_size=32,
                                                 show_progress_bar=False, normalize_embeddings=True)
            self.text_embedder.cache.update(zip(todo, vecs, strict=True))

    def search(self, query: str, language: str, k: int) -> list[int]:
        if self.query_encoder is not None:
            self.text_embedder.language = language  # routes the question to its query adapter
        # otherwise the stock pipeline treats every language alike
        out = self.pipeline.run({"text_embedder": {"text": query}, "bm25_retriever": {"query": query}})
        return [int(d.meta["row"]) for d in out["joiner"]["documents"][:k]]
