"""The dataclasses that travel between stages: each carries where its text came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Answer", "Block", "Chunk", "Document", "Passage", "SourceRef"]

BlockKind = Literal["heading", "paragraph", "list", "table"]
ChunkKind = Literal["page", "offer"]


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a passage came from, precise enough to send a citizen there."""

    url: str
    title: str
    section: str = ""
    deep_link: str = ""
    as_of: str | None = None  # ISO date of the page's own date or its Last-Modified
    source_name: str = ""
    fragment_link: str = ""  # url#:~:text=... highlighting the passage itself

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Block:
    """One structural unit of a cleaned page: a heading, a paragraph, a whole list or a table (a line
    per row, ``ingest.tables``)."""

    kind: BlockKind
    text: str
    level: int = 0  # heading level 1-6; 0 for non-headings
    anchor: str = ""  # id attribute of a heading on the original page, if any


@dataclass(slots=True)
class Document:
    """A cleaned page (or record) ready for chunking."""

    url: str
    title: str
    blocks: list[Block]
    source_name: str
    as_of: str | None = None
    kind: ChunkKind = "page"
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage as indexed: display text plus the heading path it sits under."""

    id: str
    text: str
    source: SourceRef
    heading_path: tuple[str, ...] = ()
    kind: ChunkKind = "page"
    meta: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def context(self) -> str:
        """The page's full title and the heading path: terse passages and list items only make
        sense with it ("Wir fördern … Kita-Betreuung" is Bochum's strategy, says the title)."""
        page = self.meta.get("page_title") or self.source.title
        path = list(self.heading_path)
        if path and (path[0] == self.source.title or path[0] == page):
            path = path[1:]
        return " > ".join(p for p in (page, *path) if p)

    def embed_text(self) -> str:
        """What the embedder and BM25 see: context line, then the passage."""
        head = self.context()
        return f"{head}\n{self.text}" if head else self.text

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source.to_dict(),
            "heading_path": list(self.heading_path),
            "kind": self.kind,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Chunk:
        return cls(
            id=d["id"],
            text=d["text"],
            source=SourceRef(**d["source"]),
            heading_path=tuple(d.get("heading_path", ())),
            kind=d.get("kind", "page"),
            meta=d.get("meta", {}),
        )


@dataclass(slots=True)
class Passage:
    """A retrieved chunk with its rank, score and the character spans that answer the question."""

    rank: int
    chunk: Chunk
    score: float
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rank": self.rank,
            "id": self.chunk.id,
            "text": self.chunk.text,
            "score": round(float(self.score), 6),
            "highlights": [list(h) for h in self.highlights],
            "kind": self.chunk.kind,
            "source": {
                "url": self.chunk.source.url,
                "title": self.chunk.source.title,
                "section": self.chunk.source.section,
                "deep_link": self.chunk.source.deep_link,
                "as_of": self.chunk.source.as_of,
                "fragment_link": self.chunk.source.fragment_link,
                "source_name": self.chunk.source.source_name,
            },
        }
        offer = self.chunk.meta.get("offer") if self.chunk.kind == "offer" else None
        if offer:
            out["offer"] = offer
        return out


@dataclass(slots=True)
class Answer:
    """The composed answer: text in the user's frame, citations are 1-based passage ranks."""

    text: str
    language: str
    citations: list[int]
    found: bool
    mode: str = "extractive"  # or "generative" (assistant/generate.py), which falls back to extractive

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "language": self.language, "citations": self.citations, "mode": self.mode}
