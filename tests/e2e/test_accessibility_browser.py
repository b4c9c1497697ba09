"""axe-core (the copy axe-playwright-python ships, injected by Playwright) finds no critical
and no serious violation on any page an employee, a manager or an HR admin reaches, at a
desktop width and at a phone's; and the main tasks work from the keyboard alone: log an
event and make a plan, without a click.

The demo site, the browser and signing in come from ``test_browser``; ``.ci/run`` installs
chromium, elsewhere this skips.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from e2e import site_pages, test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site
BLOCKING = ("critical", "serious")


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def settled(page) -> None:
    """Wait until the page's script has run (charts draw at the load event, tables are
    labelled before it)."""
    page.wait_for_load_state("load")


def violations(axe, page) -> list[dict]:
    return axe.run(page).response["violations"]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("role", sorted(site_pages.ROLES))
def test_no_page_has_a_critical_or_serious_violation(browser, site, axe, role, width):
    page = test_browser.sign_in(browser, site, site_pages.ROLES[role], width=width)
    paths = site_pages.pages_of(page, site, role)
    assert len(paths) >= {"employee": 5, "manager": 9, "hr": 14}[role], paths
    blocking, counts = [], Counter()
    for path in paths:
        page.goto(f"{site}{path}")
        settled(page)
        for v in violations(axe, page):
            counts[v["impact"]] += 1
            if v["impact"] in BLOCKING:
                blocking.append(f"{path}: {v['impact']} {v['id']} at "
                                f"{v['nodes'][0]['target']}: {v['help']}")
    print(f"axe, {role} at {width}px, {len(paths)} pages: {dict(counts)}")
    assert blocking == [], "\n".join(blocking)


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
