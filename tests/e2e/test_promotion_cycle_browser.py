"""The promotion decision walked end to end in a real headless Chromium, as an organization
makes it: in this year's demo review cycle the employee writes a self review and their
manager the manager review; HR calibrates the manager's rating with a reason; the manager
proposes a promotion, an outsider's approval is refused, the skip-level and HR approve;
the promotion shows on the timeline, linked to its case, and the case's packet carries the
calibrated rating.

The site (a demo with a skip-level and an outsider account), the browser and signing in
come from ``test_cases_browser``; ``.ci/run`` installs chromium, elsewhere this skips.
"""

from __future__ import annotations

import re

import pytest

from e2e import test_cases_browser as cases
from e2e.test_browser import CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = cases.site  # the fixtures, for this module


def csrf(page, url: str) -> str:
    page.goto(f"{url}/reviews")
    return page.locator("input[name=csrf_token]").first.get_attribute("value") or ""


def test_review_calibration_case_and_promotion(browser, site):
    url, who = site
    me = who["nominee"]

    # 1. Reviews: the employee's own, then their manager's.
    employee = cases.sign_in(browser, url, "employee@demo.trellis")
    employee.goto(f"{url}/reviews")
    employee.get_by_test_id("to-write").locator("tr", has_text="Self review") \
        .get_by_role("link", name="Write").click()
    employee.get_by_label("Overall rating").select_option("5")
    employee.get_by_label("Comment").fill("Led the incident reviews all year")
    employee.get_by_role("button", name="Submit review").click()
    employee.wait_for_url(f"**/people/{me}/reviews?written=*")

    manager = cases.sign_in(browser, url, "manager@demo.trellis")
    manager.goto(f"{url}/reviews")
    manager.locator(f"a[href$='/write/{me}/manager']").click()
    manager.get_by_label("Overall rating").select_option("5")
    manager.get_by_role("button", name="Submit review").click()
    manager.wait_for_url(f"**/people/{me}/reviews?written=*")
    current = manager.request.get(f"{url}/api/review-cycles").json()[-1]["name"]
    boss = manager.request.get(f"{url}/api/me").json()["person"]

    # 2. Calibration: HR opens a session for the manager's team and lowers the rating.
    hr = cases.sign_in(browser, url, "hr@demo.trellis")
    opened = hr.request.post(f"{url}/api/calibration",
                             data={"cycle": current, "team": boss, "name": "walk"},
                             headers={"X-CSRF-Token": csrf(hr, url)})
    assert opened.status == 201, opened.text()
    hr.goto(f"{url}/org/calibration/{opened.json()['document']['id']}")
    row = hr.locator(f"#m-{re.escape(me)}")
    assert row.locator("td.rating").inner_text() == "5"
    row.get_by_label("Rating").select_option("4")
    row.get_by_label("Reason").fill("a strong year, held to the team's bar")
    row.get_by_role("button", name="Change").click()
    hr.wait_for_url(re.compile(r".*\?changed=.*#list$"))
    assert row.locator("td.rating").inner_text() == "4"

    # 3. The case: proposed by the manager, refused to an outsider, signed by the chain.
    manager.goto(f"{url}/people/{me}")
    manager.get_by_role("button", name="Propose a promotion").click()
    manager.wait_for_url(re.compile(r".*/cases/new\?.*"))
    manager.fill("#justification", "Leads the team's incident reviews.")
    manager.fill("#pay_reason", "kept in line with the team")
    manager.get_by_role("button", name="Open the case").click()
    manager.wait_for_url(re.compile(r".*/cases/\d+#case-h$"))
    case_url = manager.url.split("#")[0]
    packet = manager.content()
    assert f"{current}" in packet and "calibrated to 4" in packet  # the packet's ratings

    outsider = cases.sign_in(browser, url, "outsider@demo.trellis")
    token = outsider.locator("input[name=csrf_token]").first.get_attribute("value")
    assert outsider.request.post(f"{case_url}/approve",
                                 form={"csrf_token": token or ""}).status == 403
    assert cases.approve(browser, url, who["skip"], case_url) == "Open"
    assert cases.approve(browser, url, "hr@demo.trellis", case_url) == "Approved"

    # 4. The promotion is on the timeline, linked to its case; the review still shows the
    # manager's own rating beside the calibrated one.
    manager.goto(f"{url}/people/{me}")
    number = case_url.rsplit("/", 1)[1]
    assert manager.locator("li.event.promotion", has_text=f"(case {number})").count() == 1
    profile = employee.request.get(f"{url}/api/people/{me}/profile").json()["profile"]
    [record] = profile["reviews"][current]["manager"]
    assert (record["rating"], record["calibrated"]) == (5, 4)
