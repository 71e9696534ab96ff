"""Chunks -> vectors: one per passage and one per sentence (for evidence and multi-vector scoring)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lotse.embedding import Embedder
from lotse.schema import Chunk
from lotse.text import split_sentences

__all__ = ["EmbeddedChunks", "IndexBuilder", "sentence_units"]


@dataclass(slots=True)
class EmbeddedChunks:
    vectors: np.ndarray
    sentence_vectors: np.ndarray
    sentence_map: np.ndarray


def sentence_units(chunk: Chunk) -> list[tuple[int, int, str]]:
    """(start, end, text to embed) per sentence; page title and nearest heading give context."""
    page = chunk.meta.get("page_title") or chunk.source.title
    heading = chunk.heading_path[-1] if chunk.heading_path else ""
    context = page if not heading or heading in (page, chunk.source.title) else f"{page} – {heading}"
    out = []
    for a, b in split_sentences(chunk.text):
        s = chunk.text[a:b]
        bare = s.lstrip("• ").strip()
        if len(bare) < 3:
            continue
        a += len(s) - len(s.lstrip("• "))
        out.append((a, b, f"{context}: {bare}" if context else bare))
    return out


class IndexBuilder:
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def run(self, chunks: list[Chunk]) -> EmbeddedChunks:
        vectors = self.embedder.embed_passages([c.embed_text() for c in chunks])
        rows: list[tuple[int, int, int]] = []
        texts: list[str] = []
        for i, c in enumerate(chunks):
            for a, b, t in sentence_units(c):
                rows.append((i, a, b))
                texts.append(t)
        sent_vecs = self.embedder.embed_passages(texts)
        sent_map = np.asarray(rows, dtype=np.int32).reshape(len(rows), 3)
        return EmbeddedChunks(vectors, sent_vecs, sent_map)
