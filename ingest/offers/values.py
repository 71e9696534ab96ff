"""Field values as offers spell them: German dates and date ranges, prices ("kostenlos",
"12,50 €"), yes/no, age ranges ("4 bis 6 Jahre"), language names and codes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from bs4 import BeautifulSoup

from lotse.text import normalize_space

_MONTHS = {
    "januar": 1, "jan": 1, "jänner": 1, "january": 1, "februar": 2, "feb": 2, "febr": 2, "february": 2,
    "märz": 3, "maerz": 3, "mär": 3, "mrz": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}
_MONTH_NAMES_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                   "Oktober", "November", "Dezember"]
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_NUMERIC = r"(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(\d{4}|\d{2})(?!\d))?"
_NAMED = (r"(\d{1,2})\.?\s+(" + "|".join(sorted(_MONTHS, key=len, reverse=True))
          + r")(?![a-zäöü])\.?(?:\s+(\d{4}))?")
_ANY_DATE = re.compile(rf"(?:(\d{{4}})-(\d{{1,2}})-(\d{{1,2}}))|(?:{_NUMERIC})|(?:{_NAMED})", re.I)


def parse_date(value: Any) -> str | None:
    """ISO 8601 (with or without time), ``01.02.2027``, ``1. Februar 2027`` -> ``2027-02-01``.
    Empty -> ``None``; anything else that is not a date raises ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    m = _ISO.match(text)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), text)
    found = list(_dates_in(text))
    if len(found) == 1 and found[0][0] is not None:
        y, mo, d = found[0]
        return _make_date(y, mo, d, text)
    raise ValueError(f"{text!r} is not a date")


def _make_date(y: int, m: int, d: int, text: str) -> str:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def _dates_in(text: str) -> Iterator[tuple[int | None, int, int]]:
    """(year or None, month, day) of every date written in ``text``, in order."""
    for m in _ANY_DATE.finditer(text):
        if m.group(1):
            yield int(m.group(1)), int(m.group(2)), int(m.group(3))
        elif m.group(4):
            y = m.group(6)
            year = (2000 + int(y) if len(y) == 2 else int(y)) if y else None
            yield year, int(m.group(5)), int(m.group(4))
        else:
            y = m.group(9)
            yield (int(y) if y else None), _MONTHS[m.group(8).lower()], int(m.group(7))


def parse_date_range(text: str | None) -> tuple[str | None, str | None]:
    """``3. März bis 7. April 2027`` -> (``2027-03-03``, ``2027-04-07``); a single date is both
    start and end. A date without a year borrows the next one's year. Invalid dates -> ``None``."""
    if not text:
        return None, None
    found = list(_dates_in(text))
    if not found:
        return None, None
    years = [y for y, _, _ in found]
    for i in range(len(found) - 1, -1, -1):
        if years[i] is None:
            years[i] = next((y for y in years[i + 1:] if y is not None), None)
    out: list[str | None] = []
    for (_, m, d), y in zip(found, years, strict=True):
        try:
            out.append(date(y, m, d).isoformat() if y else None)
        except ValueError:
            out.append(None)
    return out[0], out[-1]


_FREE_WORDS = re.compile(r"\b(kostenlos|kostenfrei|gebührenfrei|entgeltfrei|unentgeltlich|gratis|free|"
                         r"frei|ohne\s+kosten|keine\s+kosten|umsonst)\b", re.I)
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])")


def parse_price(value: Any) -> tuple[float | None, bool | None]:
    """``145,00 €`` -> (145.0, False); ``kostenlos`` / ``0`` -> (0.0, True); no amount -> (None, None).
    Of several amounts (``145 Euro, ermäßigt 72,50 Euro``) the first is the price."""
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        return float(value), value == 0
    text = str(value).strip()
    if not text:
        return None, None
    m = _AMOUNT.search(text)
    if m:
        raw = m.group(1)
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+", raw):
            raw = raw.replace(".", "")
        amount = float(raw)
        return amount, amount == 0
    if _FREE_WORDS.search(text):
        return 0.0, True
    return None, None


_TRUE = {"true", "ja", "yes", "1", "x", "wahr", "y", "j"}
_FALSE = {"false", "nein", "no", "0", "falsch", "n", ""}


def parse_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return None if text == "" else False
    raise ValueError(f"{value!r} is not yes/no")


def parse_age_range(text: Any) -> tuple[int | None, int | None]:
    """``4 bis 6 Jahre``, ``4-6``, ``ab 16 Jahren``, ``16+``, ``bis 6``, ``unter 3`` -> (min, max)."""
    if text is None:
        return None, None
    s = str(text).strip().lower()
    if not s:
        return None, None
    m = re.search(r"(\d{1,3})\s*(?:-|–|—|bis|to)\s*(\d{1,3})", s)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.search(r"(?:ab|from|über|ueber)\s*(\d{1,3})|(\d{1,3})\s*(?:\+|-\s*$|–\s*$|jahre?n?\s+und\s+älter)", s)
    if m:
        return int(m.group(1) or m.group(2)), None
    m = re.search(r"(?:bis|up to|to)\s*(\d{1,3})", s)
    if m:
        return None, int(m.group(1))
    m = re.search(r"(?:unter|under)\s*(\d{1,3})", s)
    if m:
        return None, max(0, int(m.group(1)) - 1)
    m = re.fullmatch(r"(\d{1,3})(?:\s*jahre?n?)?", s)
    if m:
        return int(m.group(1)), int(m.group(1))
    return None, None


_LANGUAGES: dict[str, tuple[str, ...]] = {
    # code: German name first (used for display), then other names and codes
    "de": ("Deutsch", "german", "deutsch", "deu", "ger"),
    "en": ("Englisch", "english", "eng"),
    "ar": ("Arabisch", "arabic", "ara", "العربية", "عربي"),
    "tr": ("Türkisch", "turkish", "tur", "türkçe", "turkce", "tuerkisch"),
    "uk": ("Ukrainisch", "ukrainian", "ukr", "українська"),
    "ru": ("Russisch", "russian", "rus", "русский"),
    "pl": ("Polnisch", "polish", "pol", "polski"),
    "ro": ("Rumänisch", "romanian", "ron", "rum", "română", "romana", "rumaenisch"),
    "fa": ("Persisch", "persian", "farsi", "fas", "per", "فارسی", "dari"),
    "fr": ("Französisch", "french", "fra", "fre", "français", "francais", "franzoesisch"),
    "es": ("Spanisch", "spanish", "spa", "español", "espanol"),
    "it": ("Italienisch", "italian", "ita", "italiano"),
    "pt": ("Portugiesisch", "portuguese", "por", "português"),
    "nl": ("Niederländisch", "dutch", "nld", "dut", "nederlands"),
    "el": ("Griechisch", "greek", "ell", "gre", "ελληνικά"),
    "bg": ("Bulgarisch", "bulgarian", "bul", "български"),
    "hr": ("Kroatisch", "croatian", "hrv", "hrvatski"),
    "sr": ("Serbisch", "serbian", "srp", "српски", "srpski"),
    "bs": ("Bosnisch", "bosnian", "bos", "bosanski"),
    "sq": ("Albanisch", "albanian", "sqi", "alb", "shqip"),
    "ku": ("Kurdisch", "kurdish", "kur", "kurdî", "kurmanji"),
    "vi": ("Vietnamesisch", "vietnamese", "vie", "tiếng việt"),
    "zh": ("Chinesisch", "chinese", "zho", "chi", "中文"),
    "hu": ("Ungarisch", "hungarian", "hun", "magyar"),
    "cs": ("Tschechisch", "czech", "ces", "cze", "čeština"),
    "ti": ("Tigrinya", "tigrinya", "tir", "ትግርኛ"),
    "so": ("Somali", "somali", "som", "soomaali"),
    "ps": ("Paschtu", "pashto", "pus", "پښتو"),
    "ur": ("Urdu", "urdu", "urd", "اردو"),
    "hi": ("Hindi", "hindi", "hin"),
    "ja": ("Japanisch", "japanese", "jpn"),
    "ko": ("Koreanisch", "korean", "kor"),
    "sgn": ("Gebärdensprache", "gebärdensprache", "dgs", "sign language", "deutsche gebärdensprache"),
}
LANGUAGE_NAMES_DE = {code: names[0] for code, names in _LANGUAGES.items()}
_LANGUAGE_LOOKUP: dict[str, str] = {}
for _code, _names in _LANGUAGES.items():
    _LANGUAGE_LOOKUP[_code] = _code
    for _n in _names:
        _LANGUAGE_LOOKUP[_n.casefold()] = _code


def language_code(value: Any) -> str | None:
    """``Deutsch``/``de``/``de-DE``/``German``/``deu`` -> ``de``; a schema.org ``Language`` object by its
    ``alternateName`` or ``name``; unknown names are kept lower-cased."""
    if isinstance(value, Mapping):
        for key in ("alternateName", "name", "@id"):
            code = language_code(value.get(key)) if value.get(key) else None
            if code:
                return code
        return None
    if value is None:
        return None
    text = normalize_space(str(value)).strip().strip(".").casefold()
    if not text:
        return None
    if text in _LANGUAGE_LOOKUP:
        return _LANGUAGE_LOOKUP[text]
    base = re.split(r"[-_]", text, maxsplit=1)[0]
    if len(base) in (2, 3) and base in _LANGUAGE_LOOKUP:
        return _LANGUAGE_LOOKUP[base]
    return text


def languages_from(values: Any) -> list[str]:
    """A list (or ``Deutsch, Englisch und Arabisch``) -> ``["de", "en", "ar"]``, unique, in order."""
    out: list[str] = []
    for v in as_list(values):
        parts = re.split(r"\s*(?:[,;/|]|\bund\b|\boder\b|\band\b|\bsowie\b)\s*", v) if isinstance(v, str) else [v]
        for p in parts:
            code = language_code(p)
            if code and code not in out:
                out.append(code)
    return out


def euro(amount: float) -> str:
    return (f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
            if amount != int(amount) else f"{int(amount):,}".replace(",", "."))


def german_date(iso: str) -> str:
    try:
        d = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    return f"{d.day}. {_MONTH_NAMES_DE[d.month - 1]} {d.year}"


def age_text(lo: int | None, hi: int | None) -> str | None:
    if lo is not None and hi is not None:
        return f"{lo} bis {hi} Jahre" if lo != hi else f"{lo} Jahre"
    if lo is not None:
        return f"ab {lo} Jahren"
    if hi is not None:
        return f"bis {hi} Jahre"
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def clean_text(value: Any) -> str | None:
    """A plain string from a JSON-LD value: strings as they are (HTML stripped), ``{"name"}`` objects
    by name, ``{"@value"}`` by value, lists by their first usable entry."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, list):
        for v in value:
            t = clean_text(v)
            if t:
                return t
        return None
    if isinstance(value, Mapping):
        return clean_text(value.get("name") or value.get("@value"))
    s = str(value)
    if "<" in s and ">" in s:
        s = BeautifulSoup(s, "lxml").get_text(" ")
    s = normalize_space(s).replace("\n", " ").strip()
    return s or None


def int_value(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    m = re.search(r"\d{1,3}", str(value))
    return int(m.group(0)) if m else None


def date_value(value: Any) -> str | None:
    """Lenient: the first usable date of a JSON-LD value, else ``None``."""
    for v in as_list(value):
        if isinstance(v, Mapping):
            v = v.get("@value")
        try:
            d = parse_date(v)
        except ValueError:
            d = None
        if d:
            return d
    return None
