"""axe-core (WCAG 2.1 A and AA rules) in Chromium on the widget and the console, in the states a person
sees: with an answer, passages opened, Arabic right to left, results listed. Screenshots of both at desktop
and phone size go to artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import DESKTOP, PHONE, run_axe, screenshot
from tests.web.test_widget import AR, DE, ask, open_widget

pytestmark = pytest.mark.integration


def assert_no_serious(violations: list[dict[str, Any]]) -> None:
    assert not violations, "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {v['nodes']}" for v in violations)


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_widget_has_no_serious_violations(page: Any, web_server: str, axe_script: Path, size: str) -> None:
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    open_widget(page, web_server)
    turn = ask(page, DE)
    turn.locator("details.passage summary").first.click()
    turn.get_by_role("button", name="Ja, hilfreich").click()  # the comment field is open too
    screenshot(page, f"widget-{size}")
    assert_no_serious(run_axe(page, axe_script))
    ask(page, AR)
    screenshot(page, f"widget-arabic-{size}")
    assert_no_serious(run_axe(page, axe_script))


def test_widget_launcher_closed_has_no_serious_violations(page: Any, web_server: str, axe_script: Path) -> None:
    page.goto(f"{web_server}/demo")
    page.wait_for_function("document.querySelector('.bildungslotse-host') && "
                           "!document.querySelector('.bildungslotse-host').shadowRoot.querySelector('.lotse').hidden")
    screenshot(page, "demo-page-desktop")
    assert_no_serious(run_axe(page, axe_script))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_console_has_no_serious_violations(page: Any, web_server: str, axe_script: Path, size: str) -> None:
    page.set_viewport_size(DESKTOP if size == "desktop" else PHONE)
    page.goto(f"{web_server}/console")
    page.get_by_label("Suche in Seiten und Angeboten").fill("Kita Anmeldung")
    page.locator("#result-status", has_text="Treffer").wait_for(timeout=60_000)
    page.get_by_role("button", name="Als Frage stellen").click()
    page.locator("#conversation .feedback").wait_for(timeout=60_000)
    screenshot(page, f"console-{size}")
    assert_no_serious(run_axe(page, axe_script))
