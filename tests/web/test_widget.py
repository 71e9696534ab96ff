"""The chat widget on the demo page, in real Chromium against the real server: German and Arabic questions,
citations, passages with highlights, source links, feedback, keyboard only, phone size, hostile text."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from assistant.language import SERVED_LANGUAGES
from assistant.messages import message
from tests.web.conftest import HOSTILE_QUESTION, PHONE, admin_feedback, screenshot

pytestmark = pytest.mark.integration

DE = "Was plant Bochum für die Kita-Betreuung?"
AR = "ماذا تخطط مدينة بوخوم لرعاية الأطفال في الحضانات؟"
ANSWER_TIMEOUT = 60_000
SHADOW = "document.querySelector('.bildungslotse-host').shadowRoot"


def focused(page: Any, prop: str = "className") -> str:
    """A property of the element that has focus inside the widget ('' when focus is elsewhere)."""
    return page.evaluate(f"(() => {{ const a = {SHADOW}.activeElement; return a ? a.{prop} : ''; }})()")


def open_widget(page: Any, server: str) -> Any:
    page.goto(f"{server}/demo")
    page.get_by_role("button", name="Fragen zu Bildung in Bochum").click()
    return page.locator(".bildungslotse-host")


def ask(page: Any, question: str) -> Any:
    """Type the question into the widget, press Enter, wait until the answer (and feedback) is there."""
    turns = page.locator(".turn")
    before = turns.count()
    page.locator("input.q").fill(question)
    page.locator("input.q").press("Enter")
    turn = turns.nth(before)
    turn.locator(".answer").wait_for(timeout=ANSWER_TIMEOUT)
    page.wait_for_function("n => document.querySelector('.bildungslotse-host').shadowRoot"
                           ".querySelectorAll('.turn')[n].getAttribute('aria-busy') === null", arg=before,
                           timeout=ANSWER_TIMEOUT)
    return turn


def api_ask(server: str, question: str) -> dict[str, Any]:
    r = httpx.post(f"{server}/v1/ask", json={"question": question}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


class TestGerman:
    def test_answer_streams_with_citations_passages_highlights_and_dates(self, page: Any, web_server: str) -> None:
        open_widget(page, web_server)
        turn = ask(page, DE)
        frame = page.locator(".lotse")
        assert frame.get_attribute("lang") == "de" and frame.get_attribute("dir") == "ltr"
        answer = turn.locator(".answer-text")
        assert "Kita" in answer.inner_text()
        cites = turn.locator("button.cite")
        assert cites.count() >= 1
        # Every marker names a passage that is shown, with highlights, and a source with its date.
        ranks = {int(n) for n in re.findall(r"\[(\d+)\]", answer.inner_text())}
        for n in ranks:
            assert turn.locator(f"details.passage[data-rank='{n}']").count() == 1
        assert turn.locator("details.passage mark").count() >= 1
        assert turn.locator(".sources li").count() == len(ranks)
        assert turn.locator(".sources time[datetime]").count() >= 1
        assert re.search(r"Stand: \d{1,2}\. \w+ \d{4}", turn.locator(".sources").inner_text())
        # A marker opens its passage and moves focus to it.
        first = cites.first
        n = first.get_attribute("data-cite")
        passage = turn.locator(f"details.passage[data-rank='{n}']")
        assert passage.get_attribute("open") is None
        first.click()
        assert passage.get_attribute("open") is not None
        assert focused(page, "tagName") == "SUMMARY"
        assert passage.locator("mark").count() >= 1
        # Focus handling: after asking, the question field is ready for the next question.
        ask(page, "Und was kostet das?")
        assert focused(page) == "q"

    def test_source_link_is_the_passage_deep_link_and_opens(self, page: Any, context: Any, web_server: str) -> None:
        open_widget(page, web_server)
        turn = ask(page, DE)
        body = api_ask(web_server, DE)
        by_rank = {p["rank"]: p for p in body["passages"]}
        link = turn.locator(".sources a.source-link").first
        n = int(turn.locator(".sources li").first.get_attribute("data-n"))
        href = link.get_attribute("href")
        assert href == by_rank[n]["source"]["fragment_link"]
        assert "#:~:text=" in href  # the link highlights the passage on the original page
        assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
        with context.expect_page() as popup:
            link.click()
        original = popup.value
        original.wait_for_load_state()
        assert original.url.split("#")[0] == href.split("#")[0]
        assert "Originalseite" in original.content()

    def test_an_offer_among_the_sources_is_marked(self, page: Any, web_server: str) -> None:
        """A page and its offer record share title and link; the cited offer carries the badge that
        its passage carries, the page does not."""
        question = "Was kostet der Deutschkurs A1 bei der VHS?"
        kinds = {p["rank"]: p["kind"] for p in api_ask(web_server, question)["passages"]}
        open_widget(page, web_server)
        turn = ask(page, question)
        items = turn.locator(".sources li")
        assert items.count() >= 1
        cited = {int(items.nth(i).get_attribute("data-n")): items.nth(i) for i in range(items.count())}
        assert "offer" in {kinds[n] for n in cited}, kinds  # the question must cite an offer to test this
        for n, item in cited.items():
            assert item.locator(".badge").count() == (kinds[n] == "offer")
            assert turn.locator(f"details.passage[data-rank='{n}'] .badge").count() == (kinds[n] == "offer")

    def test_thumbs_up_with_comment_reaches_the_feedback_store(self, page: Any, web_server: str) -> None:
        open_widget(page, web_server)
        turn = ask(page, "Wie melde ich mein Kind für einen Kita-Platz an?")
        up = turn.get_by_role("button", name="Ja, hilfreich")
        up.click()
        assert up.get_attribute("aria-pressed") == "true"
        turn.get_by_label("Kommentar (freiwillig)").fill("Sehr klar, danke – Test aus dem Widget")
        turn.get_by_role("button", name="Kommentar senden").click()
        turn.get_by_text("Danke für Ihre Rückmeldung.").wait_for()
        items = admin_feedback(web_server)
        mine = [i for i in items if i["comment"] == "Sehr klar, danke – Test aus dem Widget"]
        assert mine and mine[0]["rating"] == 1 and mine[0]["question"].startswith("Wie melde ich")


    def test_a_quoted_field_shows_whose_it_is(self, page: Any, web_server: str) -> None:
        """"Kosten: 32 Euro …" and "Kosten: kostenlos" read alike; each is led by its offer's title, set
        apart from the verbatim quote."""
        open_widget(page, web_server)
        # Not the Kita's price: that is a fee table now, quoted by its caption and rows (no field lines).
        turn = ask(page, "Was kostet die Beratung?")
        subjects = turn.locator(".answer-text p[lang='de'] .subject")
        assert subjects.count() >= 1
        titles = set(turn.locator(".sources").inner_text().splitlines())
        for i in range(subjects.count()):
            line = subjects.nth(i).locator("xpath=..").inner_text()
            subject = subjects.nth(i).inner_text()
            assert line.startswith(subject + " \u203a Kosten: "), line
            assert any(subject in t for t in titles), (subject, titles)


    def test_a_refusal_links_the_offer_that_has_ended(self, page: Any, web_server: str) -> None:
        open_widget(page, web_server)
        turn = ask(page, "Elterngeld beantragen")
        link = turn.locator(".answer-text a[href*='familienbuero-elterngeld']")
        assert link.count() == 1
        assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
        assert link.get_attribute("href").endswith("familienbuero-elterngeld.html")  # the comma after it stays text


class TestArabic:
    def test_arabic_question_turns_the_widget_right_to_left(self, page: Any, web_server: str) -> None:
        open_widget(page, web_server)
        turn = ask(page, AR)
        frame = page.locator(".lotse")
        assert frame.get_attribute("lang") == "ar" and frame.get_attribute("dir") == "rtl"
        assert turn.get_attribute("dir") == "rtl"
        assert page.locator("button.send").inner_text() == "اسأل"
        assert page.locator("label.qlabel").inner_text() == "سؤالك"
        assert turn.locator("button.cite").count() >= 1
        # The quoted evidence is German and marked so (screen readers switch voice), left to right inside.
        assert turn.locator(".answer-text p[lang='de']").count() >= 1
        assert turn.locator(".ptext").first.get_attribute("dir") == "ltr"
        assert turn.locator("details.passage mark").count() >= 1
        # The panel stays where it was on this left-to-right page.
        box = page.locator(".panel").bounding_box()
        assert box["x"] + box["width"] > 1280 - 40
        screenshot(page, "widget-arabic-desktop")

    def test_language_selector_overrides_the_question_language(self, page: Any, web_server: str) -> None:
        open_widget(page, web_server)
        page.get_by_label("Sprache").select_option("en")
        assert page.locator("button.send").inner_text() == "Ask"
        turn = ask(page, AR)
        assert page.locator(".lotse").get_attribute("dir") == "ltr"
        assert turn.get_by_role("button", name="Yes, helpful").count() == 1
        page.get_by_label("Language").select_option("auto")
        ask(page, AR)
        assert page.locator(".lotse").get_attribute("dir") == "rtl"


    @pytest.mark.parametrize("choice", ["tr", "de"])
    def test_the_chosen_language_settles_one_word(self, page: Any, web_server: str, choice: str) -> None:
        """`Kita` alone could be German or Turkish; the language chosen in the widget goes along as
        Accept-Language, so the answer is framed in it (German needs no frame)."""
        open_widget(page, web_server)
        page.get_by_label("Sprache").select_option(choice)
        with page.expect_request("**/v1/chat") as request:
            turn = ask(page, "Kita")
        assert request.value.headers["accept-language"] == choice
        text = turn.locator(".answer-text").inner_text()
        assert text.startswith(message("found", "tr")) == (choice == "tr"), text

    def test_the_chosen_language_frames_an_answer_around_german_names(self, page: Any, web_server: str) -> None:
        """The detector reads "How do I get a Kita-Platz in Wattenscheid?" as German; chosen in the menu,
        English goes along in the request and frames the answer."""
        open_widget(page, web_server)
        page.get_by_label("Sprache").select_option("en")
        with page.expect_request("**/v1/chat") as request:
            turn = ask(page, "How do I get a Kita-Platz in Wattenscheid?")
        assert request.value.post_data_json["language"] == "en"
        assert turn.locator(".answer-text").inner_text().startswith(message("found", "en"))
        page.get_by_label("Language").select_option("auto")
        with page.expect_request("**/v1/chat") as request:
            ask(page, "Wann öffnet die Musikschule?")
        assert "language" not in request.value.post_data_json

    def test_a_croatian_question_turns_the_widget_croatian(self, page: Any, web_server: str) -> None:
        """The answer's language (auto) switches the widget's own words too, not only the server's frame."""
        open_widget(page, web_server)
        turn = ask(page, "Kako mogu prijaviti dijete za mjesto u vrtiću u Bochumu?")
        assert page.locator(".lotse").get_attribute("lang") == "hr"
        assert page.locator("button.send").inner_text() == "Pitaj"
        assert turn.locator(".answer-text").inner_text().startswith(message("found", "hr"))
        assert page.locator("select option[value='sq']").inner_text() == "Shqip"
        # The menu offers every language the API detects, and "auto".
        values = page.locator("select option").evaluate_all("os => os.map(o => o.value)")
        assert set(values) == {*SERVED_LANGUAGES, "auto"}, values


class TestKeyboard:
    def test_keyboard_only_ask_cite_feedback_and_escape(self, page: Any, web_server: str) -> None:
        page.goto(f"{web_server}/demo")
        page.wait_for_selector(".bildungslotse-host", state="attached")
        page.wait_for_function("!document.querySelector('.bildungslotse-host').shadowRoot.querySelector('.lotse').hidden")
        # Tab through the page until the launcher (the last stop on the page) has focus.
        for _ in range(60):
            page.keyboard.press("Tab")
            if focused(page) == "launcher":
                break
        else:
            pytest.fail("Tab never reached the widget's launcher")
        page.keyboard.press("Enter")
        assert focused(page) == "q"  # opening puts focus in the question field
        page.keyboard.type(DE)
        page.keyboard.press("Enter")
        page.locator(".feedback").wait_for(timeout=ANSWER_TIMEOUT)
        assert focused(page) == "q"  # and asking keeps it there
        # Back through the answer to a citation marker, and open its passage.
        for _ in range(40):
            page.keyboard.press("Shift+Tab")
            if focused(page) == "cite":
                break
        else:
            pytest.fail("Shift+Tab never reached a citation marker")
        page.keyboard.press("Enter")
        assert focused(page, "tagName") == "SUMMARY"
        assert page.locator("details.passage[open]").count() == 1
        # On to the thumbs, rate, write a comment, send it.
        for _ in range(40):
            page.keyboard.press("Tab")
            if focused(page) == "thumb up":
                break
        else:
            pytest.fail("Tab never reached the thumbs-up button")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        assert focused(page, "tagName") == "TEXTAREA"
        page.keyboard.type("Nur mit der Tastatur bedient")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.locator(".fb-status", has_text="Danke für Ihre Rückmeldung.").wait_for()
        assert any(i["comment"] == "Nur mit der Tastatur bedient" for i in admin_feedback(web_server))
        # Escape closes the panel and gives focus back to the launcher.
        page.keyboard.press("Escape")
        assert page.locator(".panel").is_hidden()
        assert focused(page) == "launcher"
        assert page.locator("button.launcher").get_attribute("aria-expanded") == "false"


class TestLayoutAndSafety:
    @pytest.mark.parametrize("width", [360, PHONE["width"]])
    def test_phone_size_panel_fills_the_screen_without_sideways_scrolling(self, page: Any, web_server: str,
                                                                           width: int) -> None:
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        open_widget(page, web_server)
        ask(page, DE)
        box = page.locator(".panel").bounding_box()
        assert box["x"] == 0 and box["width"] == width
        assert page.evaluate("document.querySelector('.bildungslotse-host').shadowRoot"
                             ".querySelector('.transcript').scrollWidth") <= width
        send = page.locator("button.send").bounding_box()
        assert send["x"] + send["width"] <= width

    def test_reduced_motion_turns_animation_off(self, page: Any, web_server: str) -> None:
        page.emulate_media(reduced_motion="reduce")
        open_widget(page, web_server)
        name = page.evaluate("getComputedStyle(document.querySelector('.bildungslotse-host').shadowRoot"
                             ".querySelector('.panel')).animationName")
        assert name == "none"

    def test_host_page_css_does_not_reach_the_widget(self, page: Any, web_server: str) -> None:
        open_widget(page, web_server)
        # demo.css sets letter-spacing on every button, p and h2 of the page.
        spacing = page.evaluate("getComputedStyle(document.querySelector('.bildungslotse-host').shadowRoot"
                                ".querySelector('.title')).letterSpacing")
        assert spacing in ("normal", "0px")

    def test_scraped_markup_is_shown_as_text_and_never_runs(self, page: Any, web_server: str) -> None:
        open_widget(page, web_server)
        turn = ask(page, HOSTILE_QUESTION)
        passage = turn.locator("details.passage", has_text="Sonnenblume").first
        passage.locator("summary").click()
        text = passage.locator(".ptext").inner_text()
        assert "<script>window.__pwned=1</script>" in text
        assert '<img src=x onerror="window.__pwned=2">' in text
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate(f"{SHADOW}.querySelectorAll('script, img, iframe, object').length") == 0
        hrefs = page.evaluate(f"[...{SHADOW}.querySelectorAll('a')].map(a => a.getAttribute('href'))")
        assert all(h.startswith(("http://", "https://")) for h in hrefs)

    def test_pages_carry_a_strict_content_security_policy(self, web_server: str) -> None:
        for path in ("/demo", "/console"):
            r = httpx.get(web_server + path, timeout=10)
            assert r.status_code == 200
            csp = r.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-inline" not in csp
            assert "<script>" not in r.text  # no inline script: every script is a file
        js = httpx.get(web_server + "/widget.js", timeout=10)
        assert js.headers["content-type"].startswith("text/javascript")
        assert "innerHTML" not in js.text and "eval(" not in js.text
