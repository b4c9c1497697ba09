"""End to end in a real headless Chromium: this year's demo review cycle walked by hand. The
employee writes their self review, their manager writes the manager review, and the
person's reviews page shows both side by side; someone outside the person's circle is
refused their reviews and refused writing one.

The demo site, the browser and signing in come from ``test_browser`` (a site of its own for
this module); ``.ci/run`` installs chromium, elsewhere this skips.
"""

from __future__ import annotations

import pytest

from e2e import test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site  # the fixtures, for this module
browser = test_browser.browser
SHOTS = test_browser.SHOTS


def test_a_self_and_a_manager_review_side_by_side_and_an_outsider_refused(browser, site):
    page = test_browser.sign_in(browser, site, "employee@demo.trellis")
    me = page.request.get(f"{site}/api/me").json()["person"]
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    page.wait_for_url(f"{site}/reviews")
    todo = page.get_by_test_id("to-write")
    row = todo.locator("tr", has_text="Self review")
    assert "overdue" in row.inner_text().lower()  # the demo's self reviews were due a week ago
    row.get_by_role("link", name="Write").click()
    page.get_by_label("Overall rating").select_option("4")
    page.get_by_label("Goal or KPI 1").fill("ship the billing API")
    page.get_by_label("Result of goal 1").select_option("met")
    page.get_by_label("Figure for goal 1 (optional)").fill("98.5")
    page.get_by_label("Comment").fill("Shipped billing on time")
    page.get_by_role("button", name="Submit review").click()
    page.wait_for_url(f"**/people/{me}/reviews?written=*")
    assert page.get_by_test_id("overall-self").first.inner_text() == "4 exceeds"

    boss = test_browser.sign_in(browser, site, "manager@demo.trellis")
    boss.goto(f"{site}/reviews")
    boss.locator(f"a[href$='/write/{me}/manager']").click()
    boss.get_by_label("Overall rating").select_option("3")
    boss.get_by_label("Comment").fill("Good year, on track")
    boss.get_by_role("button", name="Submit review").click()
    boss.wait_for_url(f"**/people/{me}/reviews?written=*")
    cycle = boss.locator("section[data-cycle]").first
    assert cycle.get_by_test_id("overall-self").inner_text() == "4 exceeds"
    assert cycle.get_by_test_id("overall-manager").inner_text() == "3 meets"
    assert "Shipped billing on time" in cycle.inner_text()
    assert "Met (98.5)" in cycle.inner_text()
    boss.screenshot(path=str(SHOTS / "trellis-reviews.png"), full_page=True)

    page.reload()  # the employee sees their manager's review beside their own
    assert page.get_by_test_id("overall-manager").first.inner_text() == "3 meets"
    phone = test_browser.sign_in(browser, site, "employee@demo.trellis", width=390)
    phone.goto(f"{site}/people/{me}/reviews")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400
    phone.goto(f"{site}/reviews")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 400

    # Outside the circle: the employee and their manager's own manager's reviews.
    manager = boss.request.get(f"{site}/api/me").json()["person"]
    above = page.request.get(f"{site}/api/people/{manager}").json()["manager"]
    assert above is None  # the directory hides it outside the circle: ask as the manager
    above = boss.request.get(f"{site}/api/people/{manager}").json()["manager"]
    response = page.goto(f"{site}/people/{above}/reviews")
    assert response is not None and response.status == 403
    current = boss.request.get(f"{site}/api/review-cycles").json()[-1]["name"]
    refused = page.request.post(f"{site}/api/review-cycles/{current}/reviews",
                                data={"person": above, "form": "manager", "rating": 1},
                                headers={"X-CSRF-Token": _csrf(page, site)})
    assert refused.status == 403
    timeline = boss.request.get(f"{site}/api/people/{me}/timeline").json()
    assert sum(1 for e in timeline if e["kind"] == "review"
               and (e["details"] or {}).get("cycle") == current) == 2


def _csrf(page, site: str) -> str:
    """The session's CSRF token, as the page's forms carry it."""
    page.goto(f"{site}/reviews")
    return page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
