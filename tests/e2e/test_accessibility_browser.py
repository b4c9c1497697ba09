"""The main tasks work from the keyboard alone: log an event and make a plan, without a
click; charts take no tab stop and say what they show. (axe-core on every page each role
reaches, at a desktop's width and a phone's, is in test_crawl_browser.)

The demo site, the browser and signing in come from ``test_browser``; ``.ci/run`` installs
chromium, elsewhere this skips.
"""

from __future__ import annotations

import re

import pytest

from e2e import test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site


def tab_to(page, selector: str, limit: int = 400) -> None:
    """Press Tab until the element ``selector`` has the focus (the keyboard's only way)."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{selector} never took the focus in {limit} presses of Tab")


def test_an_employee_logs_an_event_with_the_keyboard_alone(browser, site):
    page = test_browser.sign_in(browser, site, "employee@demo.trellis")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    tab_to(page, "summary.button")  # "Log progress" opens the form
    page.keyboard.press("Enter")
    tab_to(page, "#kind")
    page.keyboard.type("certification")  # a closed select picks by typing
    assert page.locator("#kind").input_value() == "certification"
    tab_to(page, "#certification")
    page.keyboard.type("Accessibility Specialist")
    tab_to(page, "#evidence")
    page.keyboard.type("https://example.org/cert/a11y")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*#event-\d+$"))
    entry = page.locator("li.event", has_text="Accessibility Specialist")
    assert entry.count() == 1


def test_an_employee_makes_a_plan_with_the_keyboard_alone(browser, site):
    page = test_browser.sign_in(browser, site, "employee@demo.trellis")
    tab_to(page, "#plan-capacity")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*planned=\d+#plan$"))
    assert page.locator("ol.milestones > li").count() >= 1
    handle = page.request.get(f"{site}/api/me").json()["person"]
    plan = page.request.get(f"{site}/api/people/{handle}/plan").json()["document"]
    assert plan["capacity"] == 3


def test_charts_have_no_tab_stop_and_say_what_they_show(browser, site):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis")
    for path, chart in (("/me", "#timeline-chart"), ("/org/evidence", "#km-chart"),
                        ("/simulate?run=1&runs=100&years=2", "#fan-chart")):
        page.goto(f"{site}{path}")
        page.wait_for_selector(f"{chart}.ready")
        focusable = page.eval_on_selector_all(
            f"{chart} a[href], {chart} button, {chart} [tabindex]:not([tabindex='-1'])",
            "els => els.length")
        assert focusable == 0, path
        assert page.locator(f"{chart} .modebar").count() == 0, path
        summary = page.locator(f"{chart}-summary")
        assert page.get_attribute(chart, "aria-describedby") == f"{chart[1:]}-summary"
        assert re.search(r"\d", summary.inner_text()), path  # figures, in words
