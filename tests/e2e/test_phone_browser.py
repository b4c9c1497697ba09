"""At a phone's width (390 px) every page an employee, a manager or an HR admin reaches fits:
nothing wider than the screen (tables become a card a row, or scroll inside a box that says
so), the menu and the forms inside it. Screenshots of each go to TRELLIS_E2E_SCREENSHOTS.

The demo site, the browser and signing in come from ``test_browser``; ``.ci/run`` installs
chromium, elsewhere this skips.
"""

from __future__ import annotations

import pytest

from e2e import site_pages, test_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site
PHONE = 390
WIDER = """() => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.right > innerWidth + 1 && !e.closest('.scroll');
}).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''))"""


def shot_name(role: str, path: str) -> str:
    return f"trellis-phone-{role}{path}".replace("/", "-").replace("?", "-")[:90] + ".png"


@pytest.mark.parametrize("role", sorted(site_pages.ROLES))
def test_every_page_fits_a_phone(browser, site, role):
    page = test_browser.sign_in(browser, site, site_pages.ROLES[role], width=PHONE)
    paths = site_pages.pages_of(page, site, role)
    too_wide = []
    for path in paths:
        page.goto(f"{site}{path}")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > page.evaluate("innerWidth"):
            too_wide.append(f"{path}: {width}px, past the edge: {page.evaluate(WIDER)}")
        page.screenshot(path=str(test_browser.SHOTS / shot_name(role, path)), full_page=True)
    assert too_wide == [], "\n".join(too_wide)


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
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_the_alerts_read_on_a_phone(browser, site):
    """Each alert is a card: its reasons a list across the card under their label, the
    label beside (not over) each short value."""
    page = test_browser.sign_in(browser, site, "manager@demo.trellis", width=PHONE)
    page.goto(f"{site}/team/alerts")
    assert page.get_by_role("heading", name="Recognition alerts").is_visible()
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
