"""End to end in a real headless Chromium: the person page opens on its summary, logging
answers at the new row (scrolled to it), and a manager retracts an event from its row with
a reason and a confirmation; at 390 px nothing is cut off.

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
HEIGHT = 900  # the viewport test_browser.sign_in opens


def in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT


def test_the_summary_first_then_logging_answers_at_its_row(browser, site):
    page = test_browser.sign_in(browser, site, "employee@demo.trellis")
    summary = page.locator("#summary")
    for part in ("readiness-summary", "next-steps", "latest-recognition"):
        assert in_view(summary.get_by_test_id(part)), part  # on the first screen
    assert summary.get_by_test_id("readiness-summary").inner_text().startswith(
        "Readiness for ")
    assert re.search(r"\d+%", summary.get_by_test_id("readiness-summary").inner_text())
    assert "Kudos" in summary.get_by_test_id("latest-recognition").inner_text() or \
        "None yet" in summary.get_by_test_id("latest-recognition").inner_text()
    assert not re.search(r"\b[a-z]+\.[a-z]+\b", summary.locator("h1").inner_text())  # a name
    page.screenshot(path=str(SHOTS / "person-summary.png"))

    expect(page.locator("#log-form")).to_be_hidden()
    page.get_by_text("Log progress").click()
    page.select_option("#kind", "certification")
    page.fill("#certification", "Terraform Associate")
    page.fill("#evidence", "https://example.org/cert/tf")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_url(re.compile(r".*\?event=\d+#event-\d+$"))
    event_id = re.search(r"#event-(\d+)$", page.url).group(1)
    row = page.locator(f"#event-{event_id}")
    message = row.get_by_role("status")
    assert message.inner_text().startswith("Recorded: Certified: Terraform Associate")
    assert in_view(message)  # the page opens on it
    page.screenshot(path=str(SHOTS / "person-logged.png"))

    page.reload()  # one-shot: the message does not come back
    assert page.locator(f"#event-{event_id}").get_by_role("status").count() == 0

    phone = test_browser.sign_in(browser, site, "employee@demo.trellis", width=390)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert in_view(phone.get_by_text("Log progress"))
    phone.screenshot(path=str(SHOTS / "person-phone.png"))
    phone.goto(f"{site}/me#timeline")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "person-phone-timeline.png"))


def test_a_manager_retracts_an_event_from_its_row(browser, site):
    page = test_browser.sign_in(browser, site, "manager@demo.trellis")
    employee = page.request.get(f"{site}/api/people").json()
    handle = next(p["handle"] for p in employee if p["manager"] is not None
                  and p["handle"] != page.request.get(f"{site}/api/me").json()["person"])
    page.goto(f"{site}/people/{handle}#timeline")
    row = page.locator("li.event:has(details.row-action)").first
    event_id = row.get_attribute("data-event-id")
    text = row.locator(".summary").inner_text()
    row.locator("summary", has_text="Retract").click()
    row.get_by_label("Reason").fill("   ")  # only spaces: refused at the row
    row.get_by_role("button", name="Retract…").click()
    page.wait_for_url(re.compile(rf".*/events/{event_id}/retract#event-{event_id}$"))
    refused = page.locator(f"#event-{event_id}").get_by_role("alert")
    assert "give a reason" in refused.inner_text() and in_view(refused)
    page.screenshot(path=str(SHOTS / "person-retract-refused.png"))

    row = page.locator(f"#event-{event_id}")
    row.get_by_label("Reason").fill("recorded for the wrong person")
    row.get_by_role("button", name="Retract…").click()
    expect(page.get_by_role("heading", name="Retract this event?")).to_be_visible()
    assert "recorded for the wrong person" in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "person-retract-confirm.png"))
    page.get_by_role("button", name="Yes, retract it").click()
    page.wait_for_url(re.compile(rf".*event={event_id}#event-{event_id}$"))
    row = page.locator(f"#event-{event_id}")
    assert "retracted" in (row.get_attribute("class") or "")
    assert row.locator(".summary del").inner_text() == text
    done = row.get_by_role("status")
    assert done.inner_text().endswith(": recorded for the wrong person") and in_view(done)
    assert row.locator("details.row-action").count() == 0  # nothing left to retract
    page.screenshot(path=str(SHOTS / "person-retracted.png"))
    timeline = page.request.get(f"{site}/api/people/{handle}/timeline").json()
    assert next(e for e in timeline if e["id"] == int(event_id))["retracted_by"] is not None
