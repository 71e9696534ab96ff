"""``Document`` -> ``Chunk``s that follow the document's structure.

A chunk never crosses a heading; consecutive blocks under one heading are packed up to
``max_tokens`` model tokens; a list stays whole unless it alone is too long, then it is
split between items; a table likewise, between rows, each part keeping its caption; an
over-long paragraph is split between sentences. Where a chunk holds a table, ``meta["tables"]``
says where. Every chunk keeps its heading path, a deep link to the nearest heading anchor and
a text-fragment link that highlights the passage on the original page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from urllib.parse import quote

from lotse.schema import Block, Chunk, Document, SourceRef
from lotse.text import split_sentences

__all__ = ["Chunker", "text_fragment_link"]

TokenCounter = Callable[[str], int]


class Chunker:
    def __init__(self, count_tokens: TokenCounter, *, max_tokens: int = 160) -> None:
        if max_tokens < 16:
            raise ValueError(f"max_tokens must be at least 16, got {max_tokens}")
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens

    def run(self, doc: Document) -> list[Chunk]:
        if doc.kind == "offer":  # an offer is one passage, whatever its length
            return [self._make(doc, [], "\n".join(b.text for b in doc.blocks), 0)]
        chunks: list[Chunk] = []
        path: list[tuple[int, str, str]] = []  # (level, heading text, anchor)
        pending: list[tuple[str, int]] = []  # (piece, the lines of the whole table it is part of, else 0)
        pending_tokens = 0

        def emit() -> None:
            nonlocal pending_tokens
            if pending:
                chunks.append(self._make(doc, path, "\n".join(p for p, _ in pending), len(chunks),
                                         tables=_table_spans(pending)))
            pending.clear()
            pending_tokens = 0

        for block in doc.blocks:
            if block.kind == "heading":
                emit()
                while path and path[-1][0] >= block.level:
                    path.pop()
                path.append((block.level, block.text, block.anchor))
                continue
            table_lines = block.text.count("\n") + 1 if block.kind == "table" else 0
            for piece in self._pieces(block):
                n = self.count_tokens(piece)
                if pending and pending_tokens + n > self.max_tokens:
                    emit()
                pending.append((piece, table_lines))
                pending_tokens += n
        emit()
        return chunks

    def _pieces(self, block: Block) -> list[str]:
        """The block itself if it fits, else items (lists) or sentence groups (paragraphs)."""
        if self.count_tokens(block.text) <= self.max_tokens:
            return [block.text]
        caption = ""
        if block.kind in ("list", "table"):
            units = block.text.split("\n")
            joiner = "\n"
            if block.kind == "table" and not units[0].startswith("• "):
                caption = units[0]  # each part of a long table keeps its caption
        else:
            units = [block.text[a:b] for a, b in split_sentences(block.text)]
            joiner = " "
        pieces: list[str] = []
        cur: list[str] = []
        cur_n = 0
        for u in units:
            n = self.count_tokens(u)
            if cur and cur_n + n > self.max_tokens:
                pieces.append(joiner.join(cur))
                cur, cur_n = ([caption], self.count_tokens(caption)) if caption else ([], 0)
            cur.append(u)
            cur_n += n
        if cur:
            pieces.append(joiner.join(cur))
        return pieces

    def _make(self, doc: Document, path: list[tuple[int, str, str]], text: str, ordinal: int,
              tables: list[list[int]] | None = None) -> Chunk:
        headings = tuple(h for _, h, _ in path)
        section_parts = headings[1:] if headings and headings[0] == doc.title else headings
        anchor = next((a for _, _, a in reversed(path) if a), "")
        deep_link = f"{doc.url}#{anchor}" if anchor else doc.url
        section = " > ".join(section_parts)
        key = f"{doc.url}\x1f{' > '.join(headings)}\x1f{ordinal}"
        if doc.kind == "offer":  # several offers share their page's URL
            key += "\x1foffer\x1f" + json.dumps(doc.meta.get("offer"), sort_keys=True, ensure_ascii=False)
        return Chunk(
            id=hashlib.blake2b(key.encode(), digest_size=8).hexdigest(),
            text=text,
            source=SourceRef(
                url=doc.url,
                title=doc.title,
                section=section,
                deep_link=deep_link,
                as_of=doc.as_of,
                source_name=doc.source_name,
                fragment_link=text_fragment_link(doc.url, text),
            ),
            heading_path=headings if not headings or headings[0] == doc.title else (doc.title, *headings),
            kind=doc.kind,
            meta={k: v for k, v in doc.meta.items() if k not in ("json_ld",)} | ({"tables": tables} if tables else {}),
        )


def _table_spans(pieces: list[tuple[str, int]]) -> list[list[int]]:
    """``[start, end, lines]`` of each table piece: where it is in the chunk's text, and how many lines
    the whole table has (a part of a long table is short itself). An answer quotes a small table whole,
    since one row without the others reads as the only rate, and picks a long one's row by the amount
    asked about (``assistant.evidence``)."""
    spans: list[list[int]] = []
    pos = 0
    for text, table_lines in pieces:
        if table_lines:
            spans.append([pos, pos + len(text), table_lines])
        pos += len(text) + 1
    return spans


def text_fragment_link(url: str, text: str, words: int = 4) -> str:
    """``url#:~:text=start,end`` so a browser scrolls to and highlights the passage.

    Only the first line is targeted: a text fragment cannot span list-item boundaries
    reliably, and list bullets are not part of the page's text.
    """
    line = text.split("\n", 1)[0].lstrip("• ").strip()
    toks = line.split()
    if not toks:
        return url

    def enc(s: str) -> str:
        # '-', ',' and '&' are syntax inside a text directive, so they must be escaped too.
        return quote(s, safe="").replace("-", "%2D")

    if len(toks) <= 2 * words:
        frag = enc(" ".join(toks))
    else:
        frag = f"{enc(' '.join(toks[:words]))},{enc(' '.join(toks[-words:]))}"
    return f"{url.split('#', 1)[0]}#:~:text={frag}"
