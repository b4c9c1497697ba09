"""At a phone's width (390 px) a wide table is a card a row, the menu fits in two lines and
the alerts read as cards. (That every page each role reaches fits a phone, with a
screenshot of each in TRELLIS_E2E_SCREENSHOTS, is in test_crawl_browser.)

The demo site, the browser and signing in come from ``test_browser``; ``.ci/run`` installs
chromium, elsewhere this skips.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e import test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site
PHONE = 390

def test_a_wide_table_is_a_card_a_row_on_a_phone(browser, site):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis", width=PHONE)
    page.goto(f"{site}/team")
    table = page.locator("table.stack").first
    cell = table.locator("tbody tr").first.locator("td").nth(1)
    header = table.locator("thead th").nth(1).inner_text()
    assert cell.get_attribute("data-label") == header
    assert cell.evaluate("e => getComputedStyle(e).display") == "flex"
    label = cell.evaluate("e => getComputedStyle(e, '::before').content")
    assert label == f'"{header}"'
    # the label takes its own room beside the value (an absolute one once sat on top of it)
    assert cell.evaluate("e => getComputedStyle(e, '::before').position") == "static"
    row = table.locator("tbody tr").first.bounding_box()
    assert row is not None and row["width"] <= PHONE
    wide = test_browser.sign_in(browser, site, "hr@demo.trellis")  # a desktop keeps its table
    wide.goto(f"{site}/team")
    assert wide.locator("table.stack thead").first.evaluate(
        "e => getComputedStyle(e).position") != "absolute"


def test_the_menu_fits_in_two_lines_with_every_link(browser, site):
    page = test_browser.sign_in(browser, site, "hr@demo.trellis", width=PHONE)
    header = page.locator("header.top").bounding_box()
    assert header is not None and header["height"] < 140
    for link in page.locator("header nav a").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_alerts_read_on_a_phone(browser, site):
    """Each alert is a card: its reasons a list across the card under their label, the
    label beside (not over) each short value."""
    page = test_browser.sign_in(browser, site, "manager@demo.trellis", width=PHONE)
    page.goto(f"{site}/team/alerts")
    expect(page.get_by_role("heading", name="Recognition alerts")).to_be_visible()
    rows = page.locator("table.stack.alerts tbody tr")
    assert rows.count() >= 1
    row = rows.first
    card = row.bounding_box()
    reasons = row.locator("ul.reasons").first.bounding_box()
    assert card is not None and reasons is not None
    assert card["x"] + card["width"] <= PHONE and reasons["width"] > card["width"] * 0.7
    for cell in row.locator("td[data-label]").all():
        assert cell.evaluate("e => getComputedStyle(e, '::before').position") == "static"
    page.screenshot(path=str(test_browser.SHOTS / "trellis-phone-alerts.png"), full_page=True)
