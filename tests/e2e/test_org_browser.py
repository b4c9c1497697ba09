"""End to end in headless Chromium: a deep link that comes back after signing in, the team
list sorted and filtered with the page's own controls, the people directory searched, and
the team, organization, directory and accounts pages at desktop and phone width (no
sideways scrolling of the page at 390 px).

The demo site, the browser and signing in come from ``test_browser``; screenshots go to
TRELLIS_E2E_SCREENSHOTS (default /tmp).
"""

from __future__ import annotations

import math
import re

import pytest
from playwright.sync_api import expect

from e2e import test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site
SHOTS = test_browser.SHOTS


def test_a_deep_link_returns_to_the_sorted_team_list_after_signing_in(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site}/team?sort=level&dir=desc")
    assert "/login?next=" in page.url
    back = page.get_by_text("After signing in you go back to the page you asked for")
    expect(back).to_be_visible()
    page.get_by_label("Email").fill("manager@demo.trellis")
    page.get_by_label("Password").fill(test_browser.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site}/team?sort=level&dir=desc")
    level = page.get_by_role("columnheader", name=re.compile("^Level"))
    assert level.get_attribute("aria-sort") == "descending"


def test_hr_sorts_and_filters_the_team_list(browser, site):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis")
    page.goto(f"{site}/team")
    expect(page.get_by_role("heading", name="Everyone in the organization")).to_be_visible()
    page.get_by_role("link", name="Readiness for the next role").click()
    page.wait_for_url(re.compile(r".*sort=readiness.*"))
    header = page.get_by_role("columnheader", name=re.compile("^Readiness"))
    assert header.get_attribute("aria-sort") == "ascending"
    page.get_by_role("link", name=re.compile("^Readiness for the next role")).click()
    page.wait_for_url(re.compile(r".*sort=readiness&dir=desc.*"))
    scores = [float(s) for s in re.findall(r"(\d+)% for ", page.locator(
        "table.team-list tbody").inner_text())]
    assert scores and scores == sorted(scores, reverse=True)
    page.get_by_label("a requirement fails").check()
    page.get_by_label("Track").select_option(index=1)
    track = page.get_by_label("Track").locator("option:checked").inner_text()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r".*failing=1.*"))
    body = page.locator("table.team-list tbody tr")
    assert body.count() >= 1
    for i in range(body.count()):
        row = body.nth(i)
        assert row.locator("ul.reasons li").count() >= 1  # the reason, in words
    assert track in page.get_by_label("Track").locator("option:checked").inner_text()
    page.screenshot(path=str(SHOTS / "trellis-team-filtered.png"), full_page=True)


def test_the_directory_finds_a_person_and_hides_an_outsiders_contact(browser, site):
    page = test_browser.sign_in(browser, site, "employee@demo.trellis")
    page.goto(f"{site}/people")
    first = page.locator(".directory-entry .directory-name").first.inner_text()
    page.get_by_label("Find a person by name").fill(first.split()[0])
    page.get_by_label("Find a person by name").press("Enter")
    page.wait_for_url(re.compile(r".*/people\?q=.*"))
    entries = page.locator(".directory-entry")
    assert entries.count() >= 1
    assert first in page.locator(".directory-list").inner_text()
    me = page.request.get(f"{site}/api/me").json()
    others = [e for e in page.locator(".directory-entry").all()
              if me["person"] not in (e.locator("a").first.get_attribute("href") or "")]
    for e in others:  # an employee sees no one else's email
        assert "@" not in e.inner_text()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pages_fit_desktop_and_phone(browser, site, width):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis", width=width)
    for path, name in (("/team", "team"), ("/org", "org"), ("/people", "directory"),
                       ("/admin/accounts", "accounts")):
        page.goto(f"{site}{path}")
        if path == "/org":
            page.wait_for_function("document.querySelectorAll('.chart.ready').length === 4")
        if width < 500:
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 10, path
        page.screenshot(path=str(SHOTS / f"trellis-{name}-{width}.png"), full_page=True)


def test_hr_creates_an_account_and_disables_it_after_confirming(browser, site):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis")
    page.goto(f"{site}/admin/accounts")
    page.get_by_label("Email (their sign-in)").fill("newcomer@demo.trellis")
    page.get_by_label("Role").select_option("manager")
    page.get_by_role("button", name="Create the account").click()
    password = page.get_by_test_id("new-password").inner_text()
    assert len(password) >= 10
    assert page.url.endswith("/admin/accounts#new-account")  # landed on the message
    expect(page.locator("#new-account").get_by_role("status").filter(
        has_text="newcomer@demo.trellis can now sign in").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "trellis-accounts-created.png"), full_page=True)
    row = page.locator("tr", has_text="newcomer@demo.trellis")
    row.get_by_role("button", name="Disable newcomer@demo.trellis…").click()
    page.wait_for_url(re.compile(r".*/admin/accounts/\d+/disable#account-\d+$"))
    expect(page.get_by_role("heading", name="Disable newcomer@demo.trellis?")).to_be_visible()
    page.screenshot(path=str(SHOTS / "trellis-accounts-confirm-disable.png"), full_page=True)
    page.get_by_role("button", name="Yes, disable newcomer@demo.trellis").click()
    page.wait_for_url(re.compile(r".*/admin/accounts#account-\d+$"))
    row = page.locator("tr", has_text="newcomer@demo.trellis")
    expect(row.get_by_role("status").filter(has_text="newcomer@demo.trellis is disabled"
                                            )).to_be_visible()
    assert "disabled" in row.inner_text()
    assert page.evaluate("document.querySelector(location.hash).getBoundingClientRect().top"
                         ) < 900  # scrolled to the row
    page.screenshot(path=str(SHOTS / "trellis-accounts-disabled.png"), full_page=True)
    stranger = browser.new_page()
    stranger.goto(f"{site}/login")
    stranger.get_by_label("Email").fill("newcomer@demo.trellis")
    stranger.get_by_label("Password").fill(password)
    stranger.get_by_role("button", name="Sign in").click()
    expect(stranger.get_by_role("alert").filter(has_text="wrong email or password")).to_be_visible()
    row.get_by_role("button", name="Enable newcomer@demo.trellis").click()
    page.wait_for_url(re.compile(r".*/admin/accounts#account-\d+$"))
    expect(page.locator("tr", has_text="newcomer@demo.trellis").get_by_role("status").filter(
        has_text="can sign in again")).to_be_visible()
    stranger.get_by_label("Email").fill("newcomer@demo.trellis")
    stranger.get_by_label("Password").fill(password)
    stranger.get_by_role("button", name="Sign in").click()
    stranger.wait_for_url(re.compile(r".*/account/password$"))  # the given one lets in once
    expect(stranger.get_by_role("heading", name="Choose your own password")).to_be_visible()
    stranger.get_by_label("The password you were given").fill(password)
    stranger.get_by_label("New password", exact=True).fill("newcomer's own secret")
    stranger.get_by_label("The new password again").fill("newcomer's own secret")
    stranger.get_by_role("button", name="Save my password").click()
    stranger.wait_for_url(re.compile(r".*/team#main$"))  # a manager with no person: no Me page
    expect(stranger.get_by_role("status").filter(has_text="Your password is changed"
                                                 )).to_be_visible()
    expect(stranger.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_a_new_password_is_asked_for_on_its_confirmation(browser, site, width):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis", width=width)
    page.goto(f"{site}/admin/accounts")
    row = page.locator("tr", has_text="employee@demo.trellis")
    row.get_by_role("button", name="New password for employee@demo.trellis…").click()
    expect(page.get_by_role("heading", name="Give employee@demo.trellis a new password?"
                            )).to_be_visible()
    page.get_by_label("New password (optional)").fill("short")
    page.evaluate("document.querySelector('#ask-password').removeAttribute('minlength')")
    page.get_by_role("button", name="Yes, give a new password").click()
    expect(page.get_by_role("alert").filter(has_text="at least 10 characters")).to_be_visible()
    if width < 500:
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 10
    page.screenshot(path=str(SHOTS / f"trellis-accounts-new-password-{width}.png"),
                    full_page=True)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(re.compile(r".*/admin/accounts#account-\d+$"))


def test_the_time_in_level_chart_says_each_groups_fitted_median(browser, site):
    # the curve's last step falls to 0 when the last person followed is promoted: the words
    # give the fitted median instead, never "100% promoted"
    page = test_browser.sign_in(browser, site, "hr@demo.trellis")
    groups = page.request.get(f"{site}/api/evidence").json()["document"]["time_in_level"][
        "groups"]
    page.goto(f"{site}/org/evidence")
    page.wait_for_selector("#km-chart.ready")
    summary = page.locator("#km-chart-summary").inner_text()
    assert "100% promoted" not in summary
    for g in groups:
        if g["status"] != "ok":
            continue
        median = g["median_months"]
        said = (f"half promoted by month {math.floor(median + 0.5)}" if median is not None
                else "fewer than half promoted in the months followed")
        assert f"{g['group']}: {said}" in summary, summary


def test_a_phone_cards_labels_are_the_columns_the_cells_sit_in(browser, site):
    # the labels a phone's cards show (data-label) must name the column each cell stands in
    # on a wide screen, rows under a spanning cell too (the comparison's features span
    # their measures)
    page = test_browser.sign_in(browser, site, "hr@demo.trellis")
    page.goto(f"{site}/org/compare")
    page.wait_for_selector("table.compare td[data-label]")
    misplaced = page.evaluate("""() => {
      const table = document.querySelector("table.compare");
      const heads = [...table.tHead.rows[0].cells].map(th => {
        const box = th.getBoundingClientRect();
        return {text: th.textContent.trim(), left: box.left, right: box.right};
      });
      const wrong = [];
      table.querySelectorAll("tbody [data-label]").forEach(cell => {
        const box = cell.getBoundingClientRect(), middle = (box.left + box.right) / 2;
        const head = heads.find(h => h.left <= middle && middle <= h.right);
        if (!head || head.text !== cell.dataset.label)
          wrong.push(cell.dataset.label + " over " + (head ? head.text : "nothing"));
      });
      return wrong;
    }""")
    assert misplaced == []


def test_the_simulators_chart_says_each_strategys_median_pay_as_the_table_does(browser, site):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis")
    page.goto(f"{site}/simulate?run=1&runs=100&years=2")
    page.wait_for_selector("#fan-chart.ready")
    summary = page.locator("#fan-chart-summary").inner_text()
    medians = page.locator("td[data-label='Pay, median']").all_inner_texts()
    assert medians and all(m.startswith("$") for m in medians), medians
    for median in medians:
        assert f" {median} (" in summary, summary
