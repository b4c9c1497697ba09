"""End to end in a real headless Chromium (Debian's ``chromium``, driven by Playwright):
sign in, log a micro-progression and see it on the timeline, run a check-in, and be
refused someone else's pay. ``.ci/run`` installs chromium; elsewhere these tests skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from .sites import CHROMIUM, DemoDatabases, serving

PASSWORD = "trellis-demo"
SHOTS = Path(os.environ.get("TRELLIS_E2E_SCREENSHOTS", "/tmp"))

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demo_databases: DemoDatabases
         ) -> Iterator[str]:
    """A copy of ``trellis demo`` (made once per test process), then ``trellis serve`` on a
    free loopback port."""
    db = demo_databases.copy_to(40, tmp_path_factory.mktemp("e2e") / "demo.db")
    with serving(db) as url:
        yield url


def sign_in(browser, site: str, email: str, width: int = 1280, password: str = PASSWORD,
            lands: str = "/me"):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{site}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}{lands}")
    return page


def test_an_employee_logs_a_micro_progression_and_sees_it(browser, site):
    page = sign_in(browser, site, "employee@demo.trellis")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("#kind")).to_be_hidden()  # the log form opens from its button
    page.get_by_text("Log progress").click()
    page.select_option("#kind", "certification")
    expect(page.locator("#certification")).to_be_visible()
    expect(page.locator("#to_mastery")).to_be_hidden()
    page.fill("#certification", "Kubernetes Administrator")
    page.fill("#evidence", "https://example.org/cert/123")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_url("**#event-*")
    entry = page.locator("li.event", has_text="Certified: Kubernetes Administrator")
    assert entry.count() == 1
    assert entry.get_by_role("status").inner_text().startswith(
        "Recorded: Certified: Kubernetes Administrator")  # the message, at the new row
    assert "micro_progression" in (entry.get_attribute("class") or "")
    page.wait_for_function("document.querySelector('#timeline-chart.ready') !== null")
    page.screenshot(path=str(SHOTS / "trellis-me.png"), full_page=True)
    phone = sign_in(browser, site, "employee@demo.trellis", width=390)
    phone.screenshot(path=str(SHOTS / "trellis-me-phone.png"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400


def test_a_manager_runs_a_check_in(browser, site):
    page = sign_in(browser, site, "manager@demo.trellis")
    page.goto(f"{site}/team")
    page.screenshot(path=str(SHOTS / "trellis-team.png"), full_page=True)
    page.locator("table tbody a[href^='/people/']").first.click()  # a person, not a sort
    page.fill("#ci-engagement", "4")
    page.fill("#ci-notes", "Quarterly check-in from the browser")
    page.get_by_role("button", name="Record check-in").click()
    # recorded at once, or (when it closes a plan's quarter) asked to confirm first
    page.wait_for_url(re.compile(r".*(#event-\d+|/check-in#checkin)$"))
    if page.get_by_role("button", name="Yes, record the check-in").count():
        page.get_by_role("button", name="Yes, record the check-in").click()  # closes a quarter
    page.wait_for_url("**#event-*")
    assert page.locator("li.event", has_text="Quarterly check-in from the browser").count() == 1


def test_an_employee_is_refused_someone_elses_pay(browser, site):
    page = sign_in(browser, site, "employee@demo.trellis")
    own = page.get_by_test_id("pay").inner_text()
    assert own != "hidden" and any(ch.isdigit() for ch in own)
    with httpx.Client(base_url=site) as manager:
        signed = manager.post("/api/session", json={"email": "manager@demo.trellis",
                                                    "password": PASSWORD}).json()
    boss = signed["user"]["person"]
    page.goto(f"{site}/people/{boss}")
    assert page.get_by_test_id("pay").inner_text() == "hidden"
    page.screenshot(path=str(SHOTS / "trellis-other.png"), full_page=True)
    api = page.request.get(f"{site}/api/people/{boss}/readiness")
    assert api.status == 403
    profile = page.request.get(f"{site}/api/people/{boss}/profile").json()
    assert profile["profile"]["pay"]["hidden"] is True
