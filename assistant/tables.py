"""How an answer quotes a table: a small one whole, a long one by the rows the question needs.

The chunker marks each table in a passage (``Chunk.meta["tables"]``: start, end, and the whole
table's line count, since a long table is split between passages, each part with its caption). The
evidence selector chose sentences by meaning; for a table that is the wrong unit. Two rows of a fee
table quoted alone read as the only rates, and a long table's rows differ only in their numbers,
which meaning does not see (``assistant.amounts`` reads them).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Protocol, TypeVar

from assistant.amounts import Range, label_range, row_label
from lotse.schema import Chunk

__all__ = ["highlight_quoted", "quote_tables"]


class _Span(Protocol):
    chunk: int
    start: int
    end: int


Hit = TypeVar("Hit", bound=_Span)  # ``assistant.evidence.SentenceHit``: a span of a chunk's text


def quote_tables(chunks: list[Chunk], hits: list[Hit], most_lines: int, *,
                 wanted: list[float] | None = None, among: list[int] | None = None) -> list[Hit]:
    """``hits`` with the rows of tables (``meta["tables"]``, set by the chunker) quoted as a reader needs them.

    - A row of a small table (at most ``most_lines`` lines, caption included) becomes the whole table,
      quoted once. "Was kostet die Hundesteuer?" matched the second and third dog's rows as well as the
      first's (their cosines lay within 0.006); quoted alone, two rows read as the only rates, and which
      row comes first is chance. The table with its caption says what each rate is for.
    - A long table is quoted by its caption and some of its rows, from whichever of the returned passages
      (``among``) hold them:
      - when the question names an amount (``wanted``) that rows' labels cover, those rows: "bei 40.000
        Euro Einkommen" is "über 37.000 bis 49.000 Euro", a row as close in meaning as all the others;
      - else, when every row is a range and all of them were returned, the first and the last, which
        say what the amount depends on and how far it goes ("bis 25.000 Euro: beitragsfrei" …
        "über 110.000 Euro: 480 Euro"), where the cosine picked three rows at random;
      - else the rows the answer chose, after the caption."""
    out: list[Hit] = []
    quoted: set[tuple[str, str]] = set()  # (page, first line) of each table already quoted
    chose_rows: set[tuple[str, str]] = set()  # long tables quoted by the rows the answer chose
    for hit in hits:
        chunk = chunks[hit.chunk]
        span = _table_at(chunk, hit)
        if span is None:
            out.append(hit)
            continue
        a, b, lines = span
        table = _key(chunk, a, b)
        first_line = table[1]
        if lines <= most_lines:
            if table not in quoted:
                out.append(replace(hit, start=a, end=b))
        elif table in quoted:
            if table in chose_rows:
                out.append(hit)  # another row the answer chose, with the caption already in front
        else:
            titled = row_label(first_line) is None  # a table without a caption starts with a row
            caption = [replace(hit, start=a, end=a + len(first_line))] if titled else []
            rows = _rows_of(chunks, among or [hit.chunk], table)
            here = [x for x in (wanted or []) if _within(x, [r for *_, r in rows])]
            chosen = [(ci, x, y) for ci, x, y, r in rows if r is not None and any(v in r for v in here)]
            if not chosen and rows and all(r is not None for *_, r in rows) and len(rows) + len(caption) == lines:
                chosen = [rows[0][:3], rows[-1][:3]]
            if chosen:
                if caption:  # the caption of the passage that holds the first row, so both cite one source
                    c0 = chunks[chosen[0][0]]
                    a0 = next(sp[0] for sp in c0.meta["tables"] if c0.text.startswith(first_line, sp[0]))
                    caption = [replace(hit, chunk=chosen[0][0], start=a0, end=a0 + len(first_line))]
                out.extend(caption + [replace(hit, chunk=ci, start=x, end=y) for ci, x, y in chosen])
            else:
                out.extend([*caption, hit])
                chose_rows.add(table)
        quoted.add(table)
    return out


def _key(chunk: Chunk, a: int, b: int) -> tuple[str, str]:
    """What names the table at ``a``…``b`` across the passages it is split over: its page and first line
    (each part starts with the caption)."""
    return chunk.source.url, chunk.text[a:b].split("\n", 1)[0]


def _table_at(chunk: Chunk, hit: Hit) -> tuple[int, int, int] | None:
    """The table span holding ``hit``, with the whole table's line count (a span written before the chunker
    recorded it counts its own lines)."""
    for span in chunk.meta.get("tables", ()):
        a, b = span[0], span[1]
        if a <= hit.start and hit.end <= b:
            return a, b, span[2] if len(span) > 2 else chunk.text.count("\n", a, b) + 1
    return None


def _rows_of(chunks: list[Chunk], among: list[int], table: tuple[str, str]) -> list[tuple[int, int, int, Range | None]]:
    """The rows of ``table`` (page, first line) in the chunks ``among``, in the table's order: (chunk, start,
    end, the amounts its label covers, None for a label with no bound). A long table's parts each start
    with its caption."""
    rows: list[tuple[int, int, int, Range | None]] = []
    seen: set[str] = set()
    for ci in sorted(among):  # a page's passages are indexed in the page's order
        chunk = chunks[ci]
        if chunk.source.url != table[0]:
            continue
        for span in chunk.meta.get("tables", ()):
            a, b = span[0], span[1]
            if not chunk.text.startswith(table[1], a):
                continue
            pos = a
            for line in chunk.text[a:b].split("\n"):
                label = row_label(line)
                if label is not None and line not in seen:
                    seen.add(line)
                    rows.append((ci, pos, pos + len(line), label_range(label)))
                pos += len(line) + 1
    return rows


def _within(amount: float, ranges: list[Range | None]) -> bool:
    """Whether ``amount`` is of the table's order of magnitude: within a factor of 4 of its rows' bounds,
    so that "2 Kinder" or "45 Stunden" is not read against incomes."""
    bounds = [x for r in ranges if r is not None for x in (r.low, r.high) if math.isfinite(x) and x > 0]
    return bool(bounds) and min(bounds) / 4 <= amount <= max(bounds) * 4


def highlight_quoted(chunks: list[Chunk], highlights: dict[int, list[tuple[int, int]]],
                     answer: list[Hit]) -> dict[int, list[tuple[int, int]]]:
    """``highlights`` with each quoted table marked as the answer quotes it: inside the tables the answer
    quotes from, a passage highlights the quoted caption and rows and no others, so the passage a
    call-centre agent copies shows the row the answer gave ("über 49.000 bis 62.000 Euro"), not the rows
    the cosine liked. Highlights outside tables stay."""
    quoted_tables = {_key(chunks[h.chunk], *span[:2]) for h in answer
                     if (span := _table_at(chunks[h.chunk], h)) is not None}
    out = dict(highlights)
    for ci, spans in highlights.items():
        chunk = chunks[ci]
        tables = [(span[0], span[1]) for span in chunk.meta.get("tables", ())
                  if _key(chunk, span[0], span[1]) in quoted_tables]
        if not tables:
            continue

        def inside(x: int, y: int, tables: list[tuple[int, int]] = tables) -> bool:
            return any(a <= x and y <= b for a, b in tables)

        kept = [(x, y) for x, y in spans if not inside(x, y)]
        marked = [(h.start, h.end) for h in answer if h.chunk == ci and inside(h.start, h.end)]
        out[ci] = sorted(set(kept + marked))
    return out
