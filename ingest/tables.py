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

__all__ = ["lines_of", "table_lines"]

_ROW_MARK = "• "


Row = tuple[list[tuple[str, bool]], bool]  # (its cells as (text, is a header cell), whether in <thead>)


def table_lines(table: Tag, inline_text: Callable[[Tag], str]) -> list[str] | None:
    """The caption and one line per data row of an HTML table, or None for a layout table.
    ``inline_text`` reads a cell's text the way the rest of the page is read (``ingest.extract``)."""
    if table.find("table") is not None:
        return None
    rows: list[Row] = [([(inline_text(c), c.name == "th") for c in tr.find_all(["td", "th"], recursive=False)],
                        tr.find_parent("thead") is not None) for tr in table.find_all("tr")]
    caption = table.find("caption")
    return lines_of(rows, inline_text(caption) if isinstance(caption, Tag) else "")


def lines_of(rows: list[Row], caption: str = "") -> list[str] | None:
    """The lines of a table given as rows of cells: the caption, then one line per data row; None when
    it is no data table (fewer than two rows, or no row with two cells). Shared by the HTML reader and
    trafilatura's tables (``ingest.extract``), whose caption comes as a row of one header cell."""
    rows = [(cells, head) for cells, head in rows if any(text for text, _ in cells)]
    if len(rows) < 2 or max(len(cells) for cells, _ in rows) < 2:
        return None
    header: list[str] = []
    body: list[list[str]] = []
    for cells, in_head in rows:
        filled = [text for text, _ in cells if text]
        if len(filled) == 1:
            body.append(filled)  # a title inside the table ("Ermäßigungen"), or trafilatura's caption
        # A header row: inside <thead>, or before any data row with its filled cells all header cells.
        elif in_head or (not any(len(b) > 1 for b in body) and all(th for text, th in cells if text)):
            header = [text for text, _ in cells]
        else:
            body.append([text for text, _ in cells])
    if not any(len(b) > 1 for b in body):
        return None
    lines = [caption] + [_row_line(row, header) for row in body]
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
