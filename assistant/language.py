"""Offline language identification of questions, restricted to the languages we serve."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

__all__ = ["SERVED_LANGUAGES", "LanguageDetector"]

# ISO 639-1 codes; the order is the preference when the detector cannot decide.
SERVED_LANGUAGES = ("de", "en", "ar", "tr", "uk", "ru", "fa", "pl", "es", "fr", "it", "ro", "el",
                    "bg", "hr", "sq", "vi", "zh", "hi", "th")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
_PERSIAN_LETTERS = re.compile(r"[پچژگکی]")  # letters Arabic does not use (ک/ی are Persian forms)


class LanguageDetector:
    def __init__(self, languages: tuple[str, ...] = SERVED_LANGUAGES, default: str = "de") -> None:
        self.languages = languages
        self.default = default
        self._detector = None
        self._lock = threading.Lock()

    def _get(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._detector is None:
                from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

                langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in self.languages]
                self._detector = LanguageDetectorBuilder.from_languages(*langs).build()
            return self._detector

    def detect(self, text: str) -> str:
        return _cached_detect(self, text.strip()[:500])

    def _detect(self, text: str) -> str:
        if not text:
            return self.default
        if _ARABIC_SCRIPT.search(text) and {"ar", "fa"} <= set(self.languages):
            # On one or two words lingua confuses Arabic and Persian; letters decide first.
            return "fa" if _PERSIAN_LETTERS.search(text) else "ar"
        lang = self._get().detect_language_of(text)
        if lang is None:
            return self.default
        return lang.iso_code_639_1.name.lower()


@lru_cache(maxsize=8192)
def _cached_detect(detector: LanguageDetector, text: str) -> str:
    return detector._detect(text)
