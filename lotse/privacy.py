"""Personal data out of what we store or log: questions, comments and log lines are scrubbed
before they are written anywhere.

Worried people type their e-mail address, phone number, IBAN, their child's date of birth or
their street into a chat box. None of that helps answer an education question, and none of it
may end up in the session store, the feedback queue or the logs. What is found is replaced by a
placeholder that keeps the sentence readable for the editors: ``[E-Mail]``, ``[Telefon]``,
``[IBAN]``, ``[Kartennummer]``, ``[Steuer-ID]``, ``[Datum]``, ``[Adresse]``.

Deliberately not attempted: personal names (no reliable offline detector for names in eight
languages; a false positive would blank out "Kita Sonnenschein"). docs/privacy.md says so.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["PrivateAccessLog", "Scrubbed", "install_private_access_log", "scrub"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# IBAN: country code, two check digits, 11-30 alphanumerics, optionally in groups of four.
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b")
_CARD = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")
# Dates with a year: 12.05.2019, 12.5.19, 2019-05-12, 12/05/2019, "12. Mai 2019".
_MONTHS = ("Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|"
           "January|February|March|May|June|July|October|December|Jan|Feb|Mär|Apr|Jun|Jul|Aug|Sep|Sept|Okt|Oct|"
           "Nov|Dez|Dec")
_DATE = re.compile(rf"\b(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{2}}-\d{{2}}|"
                   rf"\d{{1,2}}\.?\s+(?:{_MONTHS})\.?\s+\d{{4}})\b", re.I)
# Phone numbers: +49 / 0049 / 0 prefixes, digits with spaces, slashes, dashes, brackets.
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}[\s/().-]*(?:\d[\s/().-]*){6,14}\d\b|"
                    r"(?<![\w])0\d{2,5}[\s/().-]*(?:\d[\s/().-]*){4,10}\d\b")
_TAX_ID = re.compile(r"\b\d{2}\s?\d{3}\s?\d{3}\s?\d{3}\b")  # the 11-digit German Steuer-ID
_STREET = re.compile(r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|allee|gasse|platz|ring|damm|ufer|"
                     r"\s+(?:Straße|Strasse|Str\.|Weg|Allee|Gasse|Platz|Ring|Damm|Ufer))\s+\d{1,4}\s?[a-zA-Z]?\b")


@dataclass(frozen=True, slots=True)
class Scrubbed:
    text: str
    found: Counter[str] = field(default_factory=Counter)  # placeholder kind -> how many

    @property
    def changed(self) -> bool:
        return bool(self.found)


def _iban_ok(candidate: str) -> bool:
    s = candidate.replace(" ", "").upper()
    if not 15 <= len(s) <= 34:
        return False
    digits = "".join(str(int(ch, 36)) for ch in s[4:] + s[:4])
    return int(digits) % 97 == 1


def _luhn_ok(candidate: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", candidate)]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0


def scrub(text: str) -> Scrubbed:
    """``text`` with personal data replaced by placeholders, and what was found."""
    found: Counter[str] = Counter()

    def sub(pattern: re.Pattern[str], label: str, s: str, check=None) -> str:  # type: ignore[no-untyped-def]
        def repl(m: re.Match[str]) -> str:
            if check is not None and not check(m.group(0)):
                return m.group(0)
            found[label] += 1
            return f"[{label}]"

        return pattern.sub(repl, s)

    # Most specific first: an IBAN or card number also looks like a phone number.
    out = sub(_EMAIL, "E-Mail", text)
    out = sub(_IBAN, "IBAN", out, _iban_ok)
    out = sub(_CARD, "Kartennummer", out, _luhn_ok)
    out = sub(_DATE, "Datum", out)
    out = sub(_TAX_ID, "Steuer-ID", out)
    out = sub(_PHONE, "Telefon", out)
    out = sub(_STREET, "Adresse", out)
    return Scrubbed(out, found)


class PrivateAccessLog(logging.Filter):
    """uvicorn's access log without what identifies or quotes a citizen: no client address, no
    query string (``/v1/search?q=…`` would otherwise write the question into the log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            _client, method, path, version, status = args
            path = str(path)
            if "?" in path:
                path = path.split("?", 1)[0] + "?…"
            record.args = ("-", method, path, version, status)
        return True


def install_private_access_log() -> None:
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, PrivateAccessLog) for f in logger.filters):
        logger.addFilter(PrivateAccessLog())
