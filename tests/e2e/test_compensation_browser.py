"""End to end in a real headless Chromium: a manager proposes a raise on this year's cycle
page, nothing reaches the ledger; the approver (the report's skip level: the HR admin when
the demo manager reports to them, else someone the HR admin gives an account) approves it on
the approvals page; a colleague outside the chain cannot.

The demo site, the browser and signing in come from ``test_browser`` (a site of its own for
this module); ``.ci/run`` installs chromium, elsewhere this skips.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

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
    expect(page.get_by_role("heading", name="Budget used")).to_be_visible()
    form = page.locator("form.propose").first
    person = form.locator("input[name=person]").input_value()
    events_before = len([e for e in page.request.get(
        f"{site}/api/people/{person}/timeline").json() if e["kind"] == "compensation"])
    name = form.locator("select").get_attribute("id")  # labelled by the person's name
    label = page.locator(f'label[for="{name}"]').inner_text().removeprefix("Kind of raise for ")
    assert label and label != person  # the person by name
    form.get_by_label(f"Raise in percent for {label}", exact=True).fill("3")
    form.get_by_label(f"Reason for {label}", exact=True).fill("a strong year, from the browser")
    form.get_by_role("button", name="Propose", exact=True).click()
    page.wait_for_url(re.compile(rf".*#row-{re.escape(person)}$"))
    [pid] = [p["id"] for p in page.request.get(f"{site}/api/compensation/proposals").json()
             if p["person"] == person and p["status"] == "proposed"]
    row_of = f'[id="row-{person}"]'
    notice = page.locator(row_of).get_by_role("status")
    assert "Nothing is recorded until the chain signs" in notice.inner_text()
    assert re.search(r"Proposed \+\D*[\d,]+ \(\+3%\) on \D*\d{1,3}(,\d{3})+ for ",
                     notice.inner_text())
    assert "Awaiting the" in page.locator(row_of).inner_text()
    assert f"#{pid}" not in page.locator(row_of).inner_text()
    page.screenshot(path=str(SHOTS / "trellis-comp-cycle.png"), full_page=True)

    employee = test_browser.sign_in(browser, site, "employee@demo.trellis")
    csrf = employee.request.post(f"{site}/api/session", data={
        "email": "employee@demo.trellis", "password": test_browser.PASSWORD}).json()
    refused = employee.request.post(f"{site}/api/compensation/proposals/{pid}/approval",
                                    headers={"X-CSRF-Token": csrf["csrf_token"]})
    assert refused.status == 403, refused.text()
    assert refused.json()["detail"].startswith(("you cannot approve your own raise",
                                                "step 1 (skip-level manager: "))

    hr = test_browser.sign_in(browser, site, "hr@demo.trellis")
    approver = approver_of(browser, site, hr, page, pid)
    approver.goto(f"{site}/comp/approvals")
    row = approver.locator(f"#proposal-{pid}")
    assert row.locator(f'a[href="/people/{person}"]').count() == 1
    row.get_by_role("button", name="Approve", exact=True).click()
    approver.wait_for_url(re.compile(r".*/comp/approvals#signed$"))
    expect(approver.get_by_role("status").filter(has_text="Approved: +")).to_be_visible()
    approver.screenshot(path=str(SHOTS / "trellis-comp-approvals.png"), full_page=True)
    hr.goto(f"{site}/comp/cycles/{cycle}")
    assert "Approved: recorded when the cycle is applied" in hr.locator(row_of).inner_text()
    events_after = len([e for e in hr.request.get(
        f"{site}/api/people/{person}/timeline").json() if e["kind"] == "compensation"])
    assert events_after == events_before  # a cycle's raise waits for the cycle's apply


def approver_of(browser, site: str, hr, manager, pid: int):
    """A signed-in page of whoever signs proposal ``pid`` now: the HR admin when the demo
    manager reports to them (the top of the tree), else the skip level, whom the HR admin
    gives an account first (which of the two depends on who is employed on the demo's day).
    """
    [proposal] = [p for p in manager.request.get(f"{site}/api/compensation/proposals").json()
                  if p["id"] == pid]
    me = hr.request.get(f"{site}/api/me").json()
    if proposal["signer"] in (None, me.get("person")):
        return hr
    email, given = f"{proposal['signer']}@skip.demo.trellis", "a password given by HR"
    csrf = hr.request.post(f"{site}/api/session", data={
        "email": "hr@demo.trellis", "password": test_browser.PASSWORD}).json()["csrf_token"]
    made = hr.request.post(f"{site}/api/users", headers={"X-CSRF-Token": csrf}, data={
        "email": email, "password": given, "role": "manager", "person": proposal["signer"]})
    assert made.status == 201, made.text()
    page = test_browser.sign_in(browser, site, email, password=given,
                                lands="/account/password")  # a given password lets in once
    page.get_by_label("The password you were given").fill(given)
    page.get_by_label("New password", exact=True).fill("the skip level's own")
    page.get_by_label("The new password again").fill("the skip level's own")
    page.get_by_role("button", name="Save my password").click()
    expect(page.get_by_role("status").filter(has_text="Your password is changed")).to_be_visible()
    return page


def test_hr_opens_a_cycle_from_the_pay_page(browser, site):
    hr = test_browser.sign_in(browser, site, "hr@demo.trellis")
    hr.goto(f"{site}/comp")
    form = hr.locator("#open-cycle form")
    form.get_by_label("Name").fill("browser cycle")
    form.get_by_label("Effective date").fill(f"{clock.today().year + 1}-01-01")
    form.get_by_label("Budget, % of payroll").fill("150")  # above the maximum, 100
    form.get_by_role("button", name="Open cycle").click()
    alert = hr.locator("#open-cycle").get_by_role("alert")
    assert "Not opened: the budget is a percentage" in alert.inner_text()
    assert hr.locator("#open-cycle form").get_by_label("Name").input_value() == "browser cycle"
    hr.locator("#open-cycle form").get_by_label("Budget, % of payroll").fill("2")
    hr.locator("#open-cycle form").get_by_role("button", name="Open cycle").click()
    hr.wait_for_url(re.compile(r".*/comp/cycles/browser%20cycle#cycle$"))
    assert "Opened browser cycle: " in hr.get_by_role("status").inner_text()
    hr.screenshot(path=str(SHOTS / "trellis-comp-opened.png"), full_page=True)
