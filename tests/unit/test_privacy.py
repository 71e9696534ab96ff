"""Personal data is scrubbed before anything is stored or logged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lotse.privacy import scrub


@pytest.mark.parametrize(("text", "kind"), [
    ("Schreiben Sie mir an anna.mueller+kita@web.de bitte", "E-Mail"),
    ("Meine Nummer ist 0234 / 910-1234", "Telefon"),
    ("Ruf an: +49 176 12345678", "Telefon"),
    ("Tel. 0049 (234) 910 12 34", "Telefon"),
    ("Überweisung von DE89 3704 0044 0532 0130 00 ging nicht durch", "IBAN"),
    ("IBAN DE89370400440532013000", "IBAN"),
    ("Karte 4111 1111 1111 1111 wurde belastet", "Kartennummer"),
    ("Mein Sohn ist am 12.05.2022 geboren", "Datum"),
    ("geboren am 3. März 2021, bekommt er einen Platz?", "Datum"),
    ("DOB 2019-07-01", "Datum"),
    ("Steuer-ID 12 345 678 901 angeben?", "Steuer-ID"),
    ("Wir wohnen in der Hauptstraße 12a in Wattenscheid", "Adresse"),
    ("Ich wohne Am Kortländer Weg 7", "Adresse"),
])
def test_personal_data_is_replaced(text: str, kind: str) -> None:
    result = scrub(text)
    assert f"[{kind}]" in result.text, result.text
    assert result.found[kind] == 1


@pytest.mark.parametrize("text", [
    "Wie melde ich mein Kind für die Kita an?",
    "Kita-Plätze für Kinder unter 3 Jahren in Bochum-Wattenscheid",
    "Kostet der Kurs 12,50 € oder 120 €?",
    "Gibt es 2027 mehr Plätze an der Musikschule?",
    "Was bedeutet U3 und Ü3?",
    "Öffnungszeiten 8-16 Uhr, Raum 101",
    "Як записати дитину до дитсадка?",
    "كيف أسجل طفلي في الروضة؟",
])
def test_ordinary_questions_are_left_alone(text: str) -> None:
    result = scrub(text)
    assert result.text == text and not result.changed


def test_a_wrong_iban_checksum_is_not_an_iban() -> None:
    assert "[IBAN]" not in scrub("DE00 3704 0044 0532 0130 00").text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_scrub_never_fails_and_is_idempotent(text: str) -> None:
    once = scrub(text).text
    assert scrub(once).text == once


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"[a-z]{1,10}(\.[a-z]{1,8})?@[a-z]{2,10}\.(de|com|org)", fullmatch=True),
       st.text(alphabet="abc äöü?,.", max_size=40), st.text(alphabet="abc äöü?,.", max_size=40))
def test_any_email_inside_any_text_is_removed(email: str, before: str, after: str) -> None:
    assert email not in scrub(f"{before} {email} {after}").text


def test_access_log_lines_carry_neither_client_address_nor_query() -> None:
    import logging

    from lotse.privacy import PrivateAccessLog

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("203.0.113.7:51234", "GET", "/v1/search?q=eva%40web.de&k=5", "1.1", 200), None)
    assert PrivateAccessLog().filter(record)
    line = record.getMessage()
    assert "203.0.113.7" not in line and "eva" not in line
    assert line == '- - "GET /v1/search?… HTTP/1.1" 200'
