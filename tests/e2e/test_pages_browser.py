"""End to end in a real headless Chromium: an employee makes a plan from their page, with
the keyboard, and sees its quarterly milestones; then reads the strategy advice it links.

The demo site, the browser and signing in come from ``test_browser`` (a site of its own for
this module); ``.ci/run`` installs chromium, elsewhere this skips.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from e2e import test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site  # the fixtures, for this module
SHOTS = test_browser.SHOTS


def test_an_employee_makes_a_plan_from_the_page_and_sees_its_milestones(browser, site):
    page = test_browser.sign_in(browser, site, "employee@demo.trellis")
    handle = page.request.get(f"{site}/api/me").json()["person"]
    form = page.locator("#plan-form")
    expect(form).to_be_visible()
    role = page.get_by_label("Target role")
    chosen = role.input_value()
    assert chosen, "the next role is chosen by default"
    assert "the next role" in role.locator("option:checked").inner_text()
    page.get_by_label("Steps a quarter (1-12)").fill("2")
    page.get_by_label("Steps a quarter (1-12)").press("Enter")  # the keyboard submits
    page.wait_for_url(re.compile(r".*/people/[^/?]+\?planned=\d+#plan$"))
    expect(page.get_by_role("status").filter(has_text="made.")).to_be_visible()
    plan = page.request.get(f"{site}/api/people/{handle}/plan").json()["document"]
    milestones = page.locator("ol.milestones > li")
    assert milestones.count() == len(plan["milestones"]) >= 1
    first = milestones.first.inner_text()  # the quarter its first steps' median falls in
    assert f"Quarter {plan['milestones'][0]['quarter']}" in first and "likely by" in first
    assert milestones.first.locator(".status").count() >= 1
    title = role.locator("option:checked").inner_text().split(" (level")[0]
    assert f"Toward {title}" in page.locator("#plan").inner_text()
    assert plan["target"]["role"] == chosen and plan["capacity"] == 2
    expect(page.get_by_role("button", name="Re-plan")).to_be_visible()
    page.screenshot(path=str(SHOTS / "trellis-plan.png"), full_page=True)

    page.get_by_role("link", name="See the strategy advice").click()
    page.wait_for_url(f"{site}/people/{handle}/advice")
    assert page.get_by_test_id("strategy").inner_text().startswith("Recommended:")
    expect(page.get_by_role("heading", name="Why")).to_be_visible()

    phone = test_browser.sign_in(browser, site, "employee@demo.trellis", width=390)
    for path in ("/me", f"/people/{handle}/advice", "/org/compare"):
        phone.goto(f"{site}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 400, path
    phone.goto(f"{site}/me#plan")
    phone.screenshot(path=str(SHOTS / "trellis-plan-phone.png"))
