"""The call-centre console in real Chromium against the real server: results while typing, filters, the copy
button, keyboard shortcuts and the conversation beside the results."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration

TIMEOUT = 60_000
RESULTS = "[...document.querySelectorAll('#results .result')]"


def open_console(page: Any, server: str) -> list[str]:
    """Open the console; returns the list that collects every /v1/search URL the page requests."""
    searches: list[str] = []
    page.on("request", lambda r: searches.append(r.url) if "/v1/search" in r.url else None)
    page.goto(f"{server}/console")
    page.wait_for_function("window.BildungslotseConsole !== undefined")
    return searches


def wait_for_results(page: Any, words: str) -> Any:
    page.locator("#result-status", has_text=f"für „{words}“").wait_for(timeout=TIMEOUT)
    return page.locator("#results .result")


class TestSearch:
    def test_results_come_while_typing_with_few_requests(self, page: Any, web_server: str) -> None:
        searches = open_console(page, web_server)
        words = "Kita-Portal Anmeldung"
        page.get_by_label("Suche in Seiten und Angeboten").press_sequentially(words, delay=30)
        results = wait_for_results(page, words)  # no Enter pressed: typing is enough
        assert results.count() >= 3
        assert "Kita" in results.first.locator(".r-title").inner_text()
        assert results.first.locator("mark").count() >= 1
        # Debounced: not one request per key.
        assert 1 <= len(searches) <= 4, searches

    def test_one_word_is_searched_as_german(self, page: Any, web_server: str) -> None:
        """The agents work in German: the console says so in Accept-Language, so `Kita` is not
        read as Turkish, whatever the browser's own language (Playwright's Chromium: en-US)."""
        open_console(page, web_server)
        with page.expect_response(lambda r: "/v1/search" in r.url and "q=Kita&" in r.url + "&") as response:
            page.get_by_label("Suche in Seiten und Angeboten").fill("Kita")
        assert response.value.request.headers["accept-language"] == "de"
        assert response.value.json()["language"] == "de"

    def test_filters_narrow_the_results(self, page: Any, web_server: str) -> None:
        searches = open_console(page, web_server)
        page.get_by_label("Suche in Seiten und Angeboten").fill("Kurs für Kinder")
        results = wait_for_results(page, "Kurs für Kinder")
        assert results.count() >= 1
        page.get_by_label("Art").select_option("offer")
        page.wait_for_function(f"() => {RESULTS}.length > 0 && {RESULTS}.every(r => r.dataset.kind === 'offer')",
                               timeout=TIMEOUT)
        assert any("kind=offer" in u for u in searches)
        page.get_by_label("Stadtbezirk").fill("Wattenscheid")
        in_district = "x => x.innerText.includes('Wattenscheid')"
        page.wait_for_function(f"() => {RESULTS}.length > 0 && {RESULTS}.every({in_district})", timeout=TIMEOUT)
        assert any("district=Wattenscheid" in u for u in searches)
        assert "Musikschule" in page.locator("#results .result").first.inner_text()
        page.get_by_label("Kosten").select_option("true")  # the Musikschule course is paid
        page.locator("#result-status", has_text="Keine Treffer").wait_for(timeout=TIMEOUT)
        page.get_by_role("button", name="Filter zurücksetzen").click()
        page.wait_for_function(f"() => {RESULTS}.some(r => r.dataset.kind === 'page')", timeout=TIMEOUT)

    def test_copy_button_copies_the_passage_with_its_source(self, page: Any, web_server: str) -> None:
        open_console(page, web_server)
        page.get_by_label("Suche in Seiten und Angeboten").fill("frühkindliche Bildung Kita-Betreuung")
        first = wait_for_results(page, "frühkindliche Bildung Kita-Betreuung").first
        first.get_by_role("button", name="Kopieren").click()
        page.locator("#result-status", has_text="Kopiert").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        title = first.locator(".r-title").inner_text().split(". ", 1)[1]
        assert first.locator(".ptext").inner_text().strip() in copied
        assert f"Quelle: {title}" in copied
        assert "Stand: " in copied
        assert copied.rstrip().splitlines()[-1] == first.locator("a.open").get_attribute("href")


class TestKeyboardAndConversation:
    def test_shortcuts_and_the_conversation_beside_the_results(self, page: Any, web_server: str) -> None:
        open_console(page, web_server)
        page.keyboard.press("Control+K")
        assert page.evaluate("document.activeElement.id") == "q"
        page.keyboard.type("Musikschule Früherziehung")
        wait_for_results(page, "Musikschule Früherziehung")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.dataset.rank") == "1"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.dataset.rank") == "2"
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.activeElement.dataset.rank") == "1"
        page.keyboard.press("c")
        page.locator("#result-status", has_text="Kopiert: Treffer 1").wait_for()
        assert "Quelle: " in page.evaluate("navigator.clipboard.readText()")
        # Single keys do nothing while typing in the search field.
        page.keyboard.press("Escape")
        assert page.evaluate("document.activeElement.id") == "q"
        page.keyboard.press("c")
        assert page.locator("#q").input_value() == "Musikschule Früherziehungc"
        page.keyboard.press("Backspace")
        # Ctrl+Enter asks the conversation beside the results; focus stays in the search.
        page.keyboard.press("Control+Enter")
        conv = page.locator("#conversation .turn")
        conv.first.locator(".answer").wait_for(timeout=TIMEOUT)
        assert conv.first.locator("button.cite").count() >= 1
        assert page.evaluate("document.activeElement.id") == "q"
        results_box = page.locator(".search-pane").bounding_box()
        conv_box = page.locator(".conversation-pane").bounding_box()
        assert results_box["x"] + results_box["width"] <= conv_box["x"]  # side by side on a desktop
