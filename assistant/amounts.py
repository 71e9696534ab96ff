"""Amounts in a question, and the range a table row's label covers: which row of a fee table is the asker's.

"Was zahle ich für die Kita bei 40.000 Euro Einkommen?" is as close in meaning to every row of a fee
table by income, and the rows differ only in their numbers. The number picks the row: 40.000 lies in
"über 37.000 bis 49.000 Euro". Numbers are read as people write them in the languages served:
"40.000", "40,000", "40 000", Arabic-Indic digits, "40k", "40 Tsd.", "40 тис.", "٤٠ ألف", "4万".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["Range", "amounts", "label_range", "row_label"]

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Groups of three after a thousands separator (point, comma, spaces, apostrophe, Arabic/Persian comma),
# else a plain number with an optional decimal part.
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:(?:[.,'\u066c\u060c]|[ \u00a0\u202f])\d{3})+|\d+(?:[.,]\d{1,2})?)(?![\d])"
                     r"(\s*(?:tausend|tsd\.?|k\b|thousand|тис|тыс|ألف|آلاف|الف|هزار|bin\b|mil\b|mille\b|tys|nghìn|ngàn|千|万))?",
                     re.IGNORECASE)
_TEN_THOUSAND = "万"
# A label's one bound: "bis 25.000 Euro" is at most, "über 110.000 Euro" more than.
_AT_MOST = re.compile(r"\b(bis|unter|weniger als|höchstens|up to|under|below|less than)\b", re.IGNORECASE)
_MORE_THAN = re.compile(r"\b(über|ueber|mehr als|over|above|more than)\b", re.IGNORECASE)
_AT_LEAST = re.compile(r"\b(ab|mindestens|from|at least)\b", re.IGNORECASE)
_BELOW = re.compile(r"\b(unter|weniger als|under|below|less than)\b", re.IGNORECASE)


def amounts(text: str) -> list[float]:
    """The numbers in ``text``, thousands separators and words for "thousand" resolved."""
    out: list[float] = []
    for number, scale in _NUMBER.findall(text.translate(_DIGITS)):
        grouped = re.fullmatch(r"\d{1,3}(?:\D\d{3})+", number)
        value = float(re.sub(r"\D", "", number)) if grouped else float(number.replace(",", "."))
        if scale.strip():
            value *= 10_000 if scale.strip() == _TEN_THOUSAND else 1_000
        out.append(value)
    return out


@dataclass(frozen=True, slots=True)
class Range:
    low: float
    high: float
    low_included: bool = True
    high_included: bool = True

    def __contains__(self, value: float) -> bool:
        above = value > self.low or (self.low_included and value == self.low)
        below = value < self.high or (self.high_included and value == self.high)
        return above and below


def label_range(label: str) -> Range | None:
    """The amounts a row's label covers: "über 37.000 bis 49.000 Euro" is (37000, 49000], "bis 25.000
    Euro" at most 25000, "ab 3 Jahren" at least 3. None for a label with no bound ("für den ersten Hund")."""
    numbers = amounts(label)
    if len(numbers) == 2:
        low, high = sorted(numbers)
        return Range(low, high, low_included=not _MORE_THAN.search(label), high_included=not _BELOW.search(label))
    if len(numbers) != 1:
        return None
    n = numbers[0]
    if _MORE_THAN.search(label):
        return Range(n, math.inf, low_included=False)
    if _AT_LEAST.search(label):
        return Range(n, math.inf)
    if _AT_MOST.search(label):
        return Range(-math.inf, n, high_included=not _BELOW.search(label))
    return None


def row_label(line: str) -> str | None:
    """The label of a table row as ``ingest.tables`` writes it ("• bis 25.000 Euro – Kind …: …"),
    None for a line that is no row (the caption, a group title)."""
    if not line.startswith("• "):
        return None
    return re.split(r" – |: ", line[2:], maxsplit=1)[0]
