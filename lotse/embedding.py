"""Embedders: turn queries and passages into unit vectors.

``Embedder`` is the contract every index and retriever relies on. The real one wraps a
sentence-transformers folder and takes its query/passage prompts from the model's own
config, so a larger model configured by ``LOTSE_EMBEDDING_MODEL`` works unchanged.
``HashingEmbedder`` is a deterministic stand-in for fast unit tests only.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from lotse.errors import ModelNotFoundError

if TYPE_CHECKING:
    from lotse.model.query_adapter import QueryAdapter, QueryAdapters
    from lotse.settings import Settings

__all__ = ["Embedder", "HashingEmbedder", "SentenceTransformerEmbedder", "adapts", "configured_embedder",
           "load_embedder"]


@runtime_checkable
class Embedder(Protocol):
    name: str  # what encodes questions: the model, plus a query adapter if there is one
    passage_name: str  # what encodes passages; a query adapter never changes it, so the index stays valid
    dim: int

    def embed_queries(self, texts: Sequence[str], language: str | None = None) -> np.ndarray:
        """(n, dim) float32, L2-normalised. ``language`` (the questions' detected language) lets a
        query adapter handle the languages it was trained for; embedders without one ignore it."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised."""
        ...

    def count_tokens(self, text: str) -> int:
        """Model tokens of ``text`` without prompt or special tokens."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model on the CPU, with an LRU cache of query vectors and an optional
    query adapter (:mod:`lotse.model.query_adapter`) for the questions of some languages."""

    def __init__(self, model: str, *, batch_size: int = 32, query_cache_size: int = 4096,
                 query_adapter: QueryAdapter | QueryAdapters | None = None) -> None:
        self.name = model if query_adapter is None else f"{model}+{query_adapter.label}"
        self.passage_name = model
        self.batch_size = batch_size
        self.query_adapter = query_adapter
        # keyed by the adapter that encoded the text ("" for the original model) and the text
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._cache_size = query_cache_size
        self._lock = threading.Lock()
        self._model = self._load(model)
        self.dim = int(self._model.get_embedding_dimension() or 0)
        prompts = self._model.prompts or {}
        # e5-style models need their prefixes; models without prompts get none.
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else None
        if query_adapter is not None:
            query_adapter.attach(self._model[0].auto_model)

    @staticmethod
    def _load(model: str):  # type: ignore[no-untyped-def]
        looks_like_path = model.startswith((".", "/", "~")) or Path(model).exists()
        if looks_like_path and not Path(model).expanduser().exists():
            raise ModelNotFoundError(
                f"No embedding model at {model}. Run `lotse model build` to provision it, "
                "or point LOTSE_EMBEDDING_MODEL at a sentence-transformers folder."
            )
        from sentence_transformers import SentenceTransformer

        try:
            return SentenceTransformer(str(Path(model).expanduser()) if looks_like_path else model, device="cpu")
        except OSError as exc:  # a hub name without network access ends here
            raise ModelNotFoundError(
                f"Could not load embedding model {model!r} ({exc}). Without hub access use a "
                "local folder: `lotse model build` provisions the default one."
            ) from exc

    def _encode(self, texts: Sequence[str], prompt_name: str | None) -> np.ndarray:
        vecs = self._model.encode(
            list(texts),
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode(texts, self._passage_prompt)

    def embed_queries(self, texts: Sequence[str], language: str | None = None) -> np.ndarray:
        route = self.query_adapter.route(language) if self.query_adapter is not None else None
        key = route or ""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        missing: list[int] = []
        with self._lock:
            for i, t in enumerate(texts):
                hit = self._cache.get((key, t))
                if hit is None:
                    missing.append(i)
                else:
                    self._cache.move_to_end((key, t))
                    out[i] = hit
        if missing:
            todo = [texts[i] for i in missing]
            if route is not None:
                assert self.query_adapter is not None
                with self.query_adapter.active(language):
                    vecs = self._encode(todo, self._query_prompt)
            else:
                vecs = self._encode(todo, self._query_prompt)
            with self._lock:
                for i, v in zip(missing, vecs, strict=True):
                    out[i] = v
                    self._cache[(key, texts[i])] = v
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return out

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=False)["input_ids"])


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic bag-of-character-trigram vectors. For unit tests of the plumbing only:
    it knows no language, so nothing measured with it says anything about quality."""

    def __init__(self, dim: int = 256) -> None:
        self.name = self.passage_name = f"hashing-{dim}"
        self.dim = dim

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            padded = f"#{word}#"
            for i in range(max(1, len(padded) - 2)):
                h = int.from_bytes(hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest(), "little")
                v[h % self.dim] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_queries(self, texts: Sequence[str], language: str | None = None) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_queries(texts)

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))


def load_embedder(model: str, *, batch_size: int = 32,
                  query_adapter: QueryAdapter | QueryAdapters | None = None) -> Embedder:
    """The embedder for a configured model; ``hashing`` selects the test stand-in."""
    if model == "hashing" or model.startswith("hashing-"):
        dim = int(model.split("-", 1)[1]) if "-" in model else 256
        return HashingEmbedder(dim)
    return SentenceTransformerEmbedder(model, batch_size=batch_size, query_adapter=query_adapter)


def configured_embedder(s: Settings) -> Embedder:
    """The embedder the settings describe: LOTSE_EMBEDDING_MODEL, or the provisioned model with the
    configured adapter (a query adapter is loaded and checked here; a merged one is its own folder)."""
    from lotse.model.adapter import load_query_adapter

    adapter = None
    if name := s.query_adapter_name():
        adapter = load_query_adapter(name, merged=s.query_adapter_merged)
    elif "+" in s.embedding_adapter and not s.embedding_model:
        # "a+b" with a part that is unknown or not a query adapter: say which, instead of
        # looking for a model folder named after the whole string
        load_query_adapter(s.embedding_adapter)
    return load_embedder(s.model_path(), batch_size=s.embed_batch_size, query_adapter=adapter)


def adapts(embedder: Embedder, language: str | None) -> bool:
    """Whether ``embedder`` encodes questions in ``language`` with a query adapter."""
    adapter = getattr(embedder, "query_adapter", None)
    return adapter is not None and adapter.applies_to(language)
