import math

import pytest

from assistant.amounts import Range, amounts, label_range, row_label


@pytest.mark.parametrize(("text", "expected"), [
    ("Was zahle ich bei 40.000 Euro Einkommen?", [40000]),
    ("We earn 40,000 euros a year", [40000]),
    ("Наш дохід 40 000 євро", [40000]),
    ("دخلنا ٤٠٠٠٠ يورو", [40000]),
    ("درآمد ما ۴۰ هزار یورو است", [40000]),
    ("٤٠ ألف يورو", [40000]),
    ("40 тис. євро", [40000]),
    ("40k", [40000]),
    ("40 Tsd. Euro", [40000]),
    ("yılda 40 bin euro", [40000]),
    ("收入4万欧元", [40000]),
    ("Kurs für 12,50 Euro", [12.5]),
    ("für 2 Kinder, 45 Stunden", [2, 45]),
    ("Wann öffnet die Kita?", []),
])
def test_amounts_are_read_as_people_write_them(text: str, expected: list[float]) -> None:
    assert amounts(text) == expected


def test_a_rows_label_says_which_amounts_it_covers() -> None:
    assert label_range("bis 25.000 Euro") == Range(-math.inf, 25000)
    between = label_range("über 25.000 bis 37.000 Euro")
    assert between == Range(25000, 37000, low_included=False)
    assert 37000 in between and 25000 not in between and 30000 in between
    assert label_range("über 110.000 Euro") == Range(110000, math.inf, low_included=False)
    assert label_range("ab 3 Jahren") == Range(3, math.inf)
    assert 3 not in label_range("unter 3 Jahren")
    assert label_range("für den ersten Hund") is None
    assert label_range("1 Kind") is None  # a number, but no bound: not a range


def test_a_row_label_is_what_stands_before_its_cells() -> None:
    assert row_label("• über 37.000 bis 49.000 Euro – Kind unter 3 Jahren: 110 Euro") == "über 37.000 bis 49.000 Euro"
    assert row_label("• Einzelunterricht: 32 Euro") == "Einzelunterricht"
    assert row_label("Monatliche Elternbeiträge") is None
