"""End to end in a real headless Chromium: an HR admin changes a rating in the demo's
calibration session, with a reason, from the page; the person then sees the calibrated
rating beside their manager's on their own profile and timeline.

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


def test_hr_changes_a_rating_with_a_reason_and_the_person_sees_it(browser, site):
    employee = test_browser.sign_in(browser, site, "employee@demo.trellis")
    handle = employee.request.get(f"{site}/api/me").json()["person"]
    name = employee.request.get(f"{site}/api/people/{handle}").json()["name"]

    hr = test_browser.sign_in(browser, site, "hr@demo.trellis")
    hr.get_by_role("link", name="Calibration").click()
    hr.wait_for_url(f"{site}/org/calibration")
    hr.locator("table a").first.click()
    hr.wait_for_url(re.compile(r".*/org/calibration/\d+$"))
    expect(hr.locator(".bars svg").first).to_be_visible()  # the distribution, drawn by the server
    assert hr.locator("#ninebox tbody tr").count() == 3
    row = hr.locator(f"#m-{re.escape(handle)}")
    before = int(row.locator("td.rating").inner_text())
    original = int(row.locator("td").nth(3).inner_text())  # the manager's own rating
    after = before - 1 if before > 1 else before + 1
    row.get_by_label("Rating").select_option(str(after))
    row.get_by_label("Reason").fill("held to the team's bar in calibration")
    row.get_by_role("button", name="Change").click()
    hr.wait_for_url(re.compile(rf".*\?changed={re.escape(handle)}#list$"))
    changed = hr.get_by_role("status").filter(has_text=f"Changed the rating of {name}")
    expect(changed).to_be_visible()
    assert row.locator("td.rating").inner_text() == str(after)
    assert "held to the team's bar in calibration" in hr.locator("#changes").inner_text()
    hr.screenshot(path=str(SHOTS / "trellis-calibration.png"), full_page=True)

    cycles = employee.request.get(f"{site}/api/people/{handle}/profile").json()[
        "profile"]["reviews"]
    [manager] = [records["manager"][0] for records in cycles.values()
                 if records.get("manager") and "calibrated" in records["manager"][0]]
    assert (manager["rating"], manager["calibrated"]) == (original, after)
    employee.goto(f"{site}/me")
    assert f"calibrated from {before} to {after}" in employee.content()


def test_the_distribution_reads_on_a_phone(browser, site):
    """Each rating's label and count are the page's text beside its bar, at a phone's width
    as on a desk (inside one scaled SVG they shrank to 8 px)."""
    for width in (1280, 390):
        hr = test_browser.sign_in(browser, site, "hr@demo.trellis", width=width)
        hr.goto(f"{site}/org/calibration")
        hr.locator("table a").first.click()
        hr.wait_for_url(re.compile(r".*/org/calibration/\d+$"))
        chart = hr.locator(".bars")
        sizes = chart.locator(".bar-label, .bar-count").evaluate_all(
            "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
        table = hr.locator("#distribution tbody tr")
        assert len(sizes) == 2 * table.count() and min(sizes) >= 14, (width, sizes)
        labels = chart.locator(".bar-label").all_inner_texts()
        assert labels == [row.locator("td").first.inner_text() for row in table.all()]
        box = chart.bounding_box()
        assert box and box["x"] + box["width"] <= width, (width, box)  # nothing cut off
        if width == 390:
            chart.screenshot(path=str(SHOTS / "trellis-phone-calibration-chart.png"))
        hr.close()
