"""The localised frame: every served language, right-to-left marks, the deployment's referral."""

from __future__ import annotations

import pytest

from assistant.compose import AnswerComposer
from assistant.evidence import Evidence
from assistant.messages import Referral, message, referral_text

LANGUAGES = ["de", "en", "ar", "tr", "uk", "ru", "fa", "pl"]


@pytest.mark.parametrize("key", ["found", "not_found", "referral", "referral_office", "referral_url", "sources"])
def test_every_language_has_its_own_string(key: str) -> None:
    texts = [message(key, lang) for lang in LANGUAGES]
    assert len(set(texts)) == len(LANGUAGES)  # none falls back to English


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
