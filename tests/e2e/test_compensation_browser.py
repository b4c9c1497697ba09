"""End to end in a real headless Chromium: a manager proposes a raise on this year's cycle
page, nothing reaches the ledger; the approver (the HR admin here, who is also the
report's skip level in the demo) approves it on the approvals page; a colleague outside the
chain cannot.

The demo site, the browser and signing in come from ``test_browser`` (a site of its own for
this module); ``.ci/run`` installs chromium, elsewhere this skips.
"""

from __future__ import annotations

import re

import pytest

from e2e import test_browser
from trellis.services import clock

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site  # the fixtures, for this module
SHOTS = test_browser.SHOTS


def test_a_manager_proposes_a_raise_and_the_approver_approves_it(browser, site):
    cycle = f"{clock.today().year} merit"
    page = test_browser.sign_in(browser, site, "manager@demo.trellis")
    page.get_by_role("link", name="Pay", exact=True).click()
    page.get_by_role("link", name=cycle, exact=True).click()
    assert page.get_by_role("heading", name="Budget used").is_visible()
    form = page.locator("form.propose").first
    person = form.locator("input[name=person]").input_value()
    events_before = len([e for e in page.request.get(
        f"{site}/api/people/{person}/timeline").json() if e["kind"] == "compensation"])
    form.get_by_label(f"Raise in percent for {person}").fill("3")
    form.get_by_label(f"Reason for {person}").fill("a strong year, from the browser")
    form.get_by_role("button", name="Propose", exact=True).click()
    page.wait_for_url(re.compile(r".*\?proposed=\d+#people$"))
    pid = int(re.search(r"proposed=(\d+)", page.url).group(1))
    assert page.get_by_role("status").filter(has_text="waiting for its approver").is_visible()
    row_of = f'[id="row-{person}"]'
    assert f"proposed (#{pid})" in page.locator(row_of).inner_text()
    page.screenshot(path=str(SHOTS / "trellis-comp-cycle.png"), full_page=True)

    employee = test_browser.sign_in(browser, site, "employee@demo.trellis")
    csrf = employee.request.post(f"{site}/api/session", data={
        "email": "employee@demo.trellis", "password": test_browser.PASSWORD}).json()
    refused = employee.request.post(f"{site}/api/compensation/proposals/{pid}/approval",
                                    headers={"X-CSRF-Token": csrf["csrf_token"]})
    assert refused.status == 403, refused.text()
    assert refused.json()["detail"].startswith(("employee@demo.trellis cannot approve",
                                                "step 1 (skip_level)"))

    hr = test_browser.sign_in(browser, site, "hr@demo.trellis")
    hr.goto(f"{site}/comp/approvals")
    row = hr.locator(f"#proposal-{pid}")
    assert person in row.inner_text()
    row.get_by_role("button", name="Approve", exact=True).click()
    hr.wait_for_url(re.compile(rf".*/comp/approvals\?done={pid}$"))
    assert hr.get_by_role("status").filter(has_text=f"Proposal {pid} signed").is_visible()
    hr.screenshot(path=str(SHOTS / "trellis-comp-approvals.png"), full_page=True)
    hr.goto(f"{site}/comp/cycles/{cycle}")
    assert f"approved (#{pid})" in hr.locator(row_of).inner_text()
    events_after = len([e for e in hr.request.get(
        f"{site}/api/people/{person}/timeline").json() if e["kind"] == "compensation"])
    assert events_after == events_before  # a cycle's raise waits for the cycle's apply
