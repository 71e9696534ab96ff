"""German analysis for the lexical index: words, hyphen compounds, stop words, Snowball stems."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["GermanAnalyzer"]

_TOKEN = re.compile(r"\w+(?:-\w+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_GERMAN

    return frozenset(STOPWORDS_GERMAN)


class GermanAnalyzer:
    """``Kita-Betreuung`` yields ``kita``, ``betreuung`` and ``kitabetreuung`` so the hyphenated
    and the closed spelling of a compound meet; every term is Snowball-stemmed."""

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("german")
        self._stop = _stopwords()

    def __call__(self, text: str) -> list[str]:
        terms: list[str] = []
        for m in _TOKEN.finditer(text.lower()):
            word = m.group(0)
            parts = word.split("-")
            if len(parts) > 1:
                terms.append("".join(parts))
            terms.extend(p for p in parts if p and p not in self._stop)
        return [t for t in self._stemmer.stemWords([t.replace("_", "") for t in terms]) if t]
