"""The localised frame: every served language, right-to-left marks, the deployment's referral."""

from __future__ import annotations

import pytest

from assistant.compose import AnswerComposer
from assistant.evidence import Evidence
from assistant.language import SERVED_LANGUAGES
from assistant.messages import Referral, message, referral_text

LANGUAGES = list(SERVED_LANGUAGES)
KEYS = ["found", "not_found", "referral", "referral_office", "referral_url", "sources"]
# The same word in both languages, not a fallback.
SAME_AS_ENGLISH = {("sources", "fr")}


@pytest.mark.parametrize("key", KEYS)
def test_every_served_language_has_its_own_string(key: str) -> None:
    english = message(key, "en")
    for lang in LANGUAGES:
        if lang != "en" and (key, lang) not in SAME_AS_ENGLISH:
            assert message(key, lang) != english, (key, lang)  # no fallback to English
    texts = {message(key, lang) for lang in LANGUAGES}
    assert len(texts) >= len(LANGUAGES) - len(SAME_AS_ENGLISH)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang: str) -> None:
    text = referral_text(lang, Referral(phone="0800 4711", office="Amt X", url="https://example.org/f"))
    assert "0800 4711" in text and "Amt X" in text and "https://example.org/f" in text
    assert "{" not in text and "}" not in text


def test_a_language_outside_the_served_ones_gets_english() -> None:
    assert message("found", "xx") == message("found", "en")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_not_found_is_localised_rtl_marked_and_refers(lang: str) -> None:
    answer = AnswerComposer(Referral(phone="115", office="Bildungsberatung Bochum", url="https://example.org/k")).run(
        evidence=Evidence({}, [], -1.0), found=False, chunks=[], ranks={}, language=lang)
    assert not answer.found and answer.citations == []
    assert answer.text.startswith(("\u200f" if lang in ("ar", "fa") else "") + message("not_found", lang))
    assert "115" in answer.text and "Bildungsberatung Bochum" in answer.text and "https://example.org/k" in answer.text


def test_referral_defaults_to_115_without_office_or_form() -> None:
    text = referral_text("en")
    assert "115" in text and "Advice:" not in text and "Contact form" not in text
    assert "0800" in referral_text("de", Referral(phone="0800 123"))
