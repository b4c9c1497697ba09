"""End to end in a real headless Chromium: the demo employee logs a skill step and sees it
pending verification (their mastery unchanged); their manager verifies it from the
person page; it counts.

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


def mastery(page, site: str, handle: str) -> dict[str, int]:
    doc = page.request.get(f"{site}/api/people/{handle}/profile").json()["profile"]
    return {c: v["mastery"] for c, v in doc["competencies"].items()}


def test_an_own_step_is_pending_until_the_manager_verifies_it(browser, site):
    page = test_browser.sign_in(browser, site, "employee@demo.trellis")
    handle = page.request.get(f"{site}/api/me").json()["person"]
    # the demo already holds two of the employee's own advances, waiting for the manager
    assert page.locator("#pending li").count() == 2
    before = mastery(page, site, handle)
    page.get_by_text("Log progress").click()
    page.select_option("#kind", "skill_step")
    options = page.locator("#competency option[data-mastery]")
    chosen = next(options.nth(i).get_attribute("value") for i in range(options.count())
                  if int(options.nth(i).get_attribute("data-mastery") or 0) < 5
                  and "pending" not in options.nth(i).inner_text())
    page.select_option("#competency", chosen)  # fills from/to with the next level
    start = int(page.locator("#from_mastery").input_value())
    assert page.locator("#to_mastery").input_value() == str(start + 1)
    page.fill("#evidence", "https://example.org/pr/77")
    page.get_by_role("button", name="Record", exact=True).click()
    page.wait_for_url(re.compile(r".*\?event=\d+#event-\d+$"))
    event_id = int(re.search(r"event=(\d+)", page.url).group(1))
    assert page.get_by_test_id(f"pending-{event_id}").inner_text() == "pending verification"
    expect(page.locator(f'#pending li[data-pending-id="{event_id}"]')).to_be_visible()
    assert mastery(page, site, handle) == before  # nothing moved
    page.screenshot(path=str(SHOTS / "trellis-pending.png"), full_page=True)

    boss = test_browser.sign_in(browser, site, "manager@demo.trellis")
    boss.goto(f"{site}/people/{handle}")
    item = boss.locator(f'#pending li[data-pending-id="{event_id}"]')
    item.get_by_role("button", name=re.compile("^Verify Skill step")).click()
    boss.wait_for_url(re.compile(rf".*\?event={event_id}#event-{event_id}$"))
    assert boss.locator(f"#event-{event_id}").get_by_role("status").inner_text() == \
        "Verified: it now counts."
    assert boss.locator(f'#pending li[data-pending-id="{event_id}"]').count() == 0
    assert boss.get_by_test_id(f"pending-{event_id}").count() == 0
    after = mastery(boss, site, handle)
    assert after == {**before, chosen: start + 1}  # it counts now
