"""Small text helpers shared by the chunker and the evidence selector."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_space", "slugify", "split_sentences"]

_SPACE = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_NEWLINES = re.compile(r"\s*\n\s*")

# German (and a few English) abbreviations that end in a dot but do not end a sentence.
_ABBREV = {
    "z", "b", "bzw", "ca", "nr", "dr", "prof", "usw", "u", "a", "d", "h", "ggf", "inkl", "evtl",
    "vgl", "s", "str", "tel", "mo", "di", "mi", "do", "fr", "sa", "so", "abs", "art", "bspw",
    "etc", "e", "v", "o", "g", "mr", "mrs", "ms", "st", "jan", "feb", "febr", "aug", "sept", "okt",
    "nov", "dez", "min", "max", "std", "ff", "hrsg", "geb", "zzgl", "i", "sog", "allg",
}
# Candidate boundary: sentence punctuation (optionally closing quotes/brackets), then space.
_BOUNDARY = re.compile(r"([.!?؟。…]+[\"'»«“”)\]]*)\s+")


def normalize_space(text: str) -> str:
    """Collapse runs of spaces inside lines and trim blank lines; keeps line breaks."""
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACE.sub(" ", ln).strip() for ln in text.splitlines()]
    return "\n".join(ln for ln in lines if ln)


def slugify(text: str) -> str:
    repl = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue"}
    text = "".join(repl.get(c, c) for c in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences in ``text``.

    Line breaks always end a sentence (list items, headings); inside a line a period ends
    one unless it follows a known abbreviation, a single letter or a number (dates like
    ``1. Januar``). Spans cover the text without its surrounding white space.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        cur = start
        for m in _BOUNDARY.finditer(line):
            end = start + m.end(1)
            before = line[: m.start(1)]
            word = re.search(r"(\w+)$", before)
            if m.group(1).startswith(".") and word:
                w = word.group(1)
                if w.lower() in _ABBREV or w.isdigit() or len(w) == 1:
                    continue
            nxt = line[m.end() : m.end() + 1]
            if nxt and nxt.islower():  # "… ca. die Hälfte" style continuation
                continue
            _append(spans, text, cur, end)
            cur = start + m.end()
        _append(spans, text, cur, start + len(line))
    return spans


def _append(spans: list[tuple[int, int]], text: str, a: int, b: int) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        spans.append((a, b))
