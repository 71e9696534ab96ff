"""An HTML data table -> one line per row that says what each cell is.

Read cell by cell, "für den ersten Hund 156,00 Euro" loses the column it stood in, and a fee table's
rows all look alike to the model. So each row names its cells by their column headers:

    Jährliche Hundesteuer (Beispielwerte)
    • für den ersten Hund – Steuer pro Jahr: 156,00 Euro
    • für den zweiten Hund – Steuer pro Jahr: 192,00 Euro je Hund

The caption, if any, comes first. A row's first cell is its label, the header of the first column is
not repeated (it names the labels: "Hundehaltung"). Tables used for layout (nested tables, a single
column, a single row) are not data tables: ``table_lines`` returns None and the page's walker reads
them as text, as before.
"""

from __future__ import annotations

from collections.abc import Callable

from bs4 import Tag

__all__ = ["table_lines"]

_ROW_MARK = "• "


def table_lines(table: Tag, inline_text: Callable[[Tag], str]) -> list[str] | None:
    """The caption and one line per data row, or None for a layout table. ``inline_text`` reads a
    cell's text the way the rest of the page is read (``ingest.extract``)."""
    if table.find("table") is not None:
        return None
    rows: list[tuple[Tag, list[tuple[str, bool]]]] = []  # (row, its cells as (text, is a <th>))
    for tr in table.find_all("tr"):
        row = [(inline_text(c), c.name == "th") for c in tr.find_all(["td", "th"], recursive=False)]
        if any(text for text, _ in row):
            rows.append((tr, row))
    if len(rows) < 2 or max(len(row) for _, row in rows) < 2:
        return None
    header: list[str] = []
    body: list[list[str]] = []
    for tr, row in rows:
        # A header row: inside <thead>, or the first row when all its cells are <th>.
        if tr.find_parent("thead") is not None or (not body and not header and all(th for _, th in row)):
            header = [text for text, _ in row]
        else:
            body.append([text for text, _ in row])
    if not body:
        return None
    caption = table.find("caption")
    lines = [inline_text(caption) if isinstance(caption, Tag) else ""] + [_row_line(row, header) for row in body]
    return [line for line in lines if line]


def _row_line(row: list[str], header: list[str]) -> str:
    names = header[1:] if len(header) == len(row) else []
    label, values = row[0], row[1:]
    said = [f"{name}: {value}" if name else value
            for name, value in zip(names or [""] * len(values), values, strict=True) if value]
    if not said:
        return label  # a row with one filled cell: a group title inside the table
    if not label:
        return _ROW_MARK + "; ".join(said)
    if names:
        return f"{_ROW_MARK}{label} – {'; '.join(said)}"
    return f"{_ROW_MARK}{label}: {'; '.join(said)}"
