"""Every page an employee, a manager and an HR admin reach on the demo site (found by
following links from the menu: site_pages), crawled once per role, with three checks on
each page as it is loaded:

- accessibility: axe-core (the copy axe-playwright-python ships, injected by Playwright)
  finds no critical and no serious violation, at a desktop's width (1280 px) and at a
  phone's (390 px);
- phone width: at 390 px nothing is wider than the screen (tables become a card a row, or
  scroll inside a box that says so); a screenshot of each page goes to
  TRELLIS_E2E_SCREENSHOTS;
- words: the text a person reads (``innerText``, with every ``<details>`` open) has no
  command-line text, file path, event id, handle or id, email as a label or raw long
  decimal (the patterns are test_words_browser's); nor do the refusals the role meets
  (page_words.refusals), which say "you", never the signed-in user's email.

The desktop pass finds the pages and checks each one it loads (axe, then the words, which
open the ``<details>``); the phone pass loads the same pages at 390 px (axe and the width).
Each check is a test of its own per role (and width), failing with the pages, the role and
the check at fault; they share the role's crawl, made by the first of them to run.

The demo site, the browser and signing in come from ``test_browser``; ``.ci/run`` installs
chromium, elsewhere this skips.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from e2e import page_words, site_pages, test_browser, test_words_browser

pytestmark = pytest.mark.skipif(not test_browser.CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium "
                                "(.ci/run installs it)")

site = test_browser.site
BLOCKING = ("critical", "serious")
DESKTOP, PHONE = 1280, 390
FEWEST_PAGES = {"employee": 5, "manager": 9, "hr": 14}
WIDER = """() => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.right > innerWidth + 1 && !e.closest('.scroll');
}).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''))"""


@dataclass
class Crawl:
    """What one role's crawl found, by check."""

    paths: list[str] = field(default_factory=list)
    blocking: dict[int, list[str]] = field(  # axe's critical and serious, by width
        default_factory=lambda: {DESKTOP: [], PHONE: []})
    impacts: dict[int, Counter[str]] = field(  # every violation's impact, by width
        default_factory=lambda: {DESKTOP: Counter(), PHONE: Counter()})
    too_wide: list[str] = field(default_factory=list)  # pages past a phone's edge
    words: list[str] = field(default_factory=list)  # words no page should show


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="module")
def ids(browser, site) -> re.Pattern[str]:
    hr = test_browser.sign_in(browser, site, site_pages.ROLES["hr"])
    return test_words_browser.identifiers(hr, site)


def shot_name(role: str, path: str) -> str:
    return f"trellis-phone-{role}{path}".replace("/", "-").replace("?", "-")[:90] + ".png"


def check_axe(axe, page, found: Crawl, role: str, width: int, path: str) -> None:
    page.wait_for_load_state("load")  # the page's script has run (charts, table labels)
    for v in axe.run(page).response["violations"]:
        found.impacts[width][v["impact"]] += 1
        if v["impact"] in BLOCKING:
            found.blocking[width].append(
                f"{role} at {width}px, {path}: {v['impact']} {v['id']} at "
                f"{v['nodes'][0]['target']}: {v['help']}")


def crawl(browser, site: str, axe, ids: re.Pattern[str], role: str) -> Crawl:
    found = Crawl()
    desktop = test_browser.sign_in(browser, site, site_pages.ROLES[role], width=DESKTOP)
    desktop.set_default_timeout(120_000)  # the evidence page fits models: slow when busy

    def at_desktop(path: str) -> None:
        check_axe(axe, desktop, found, role, DESKTOP, path)
        # after axe: reading opens every <details> and relabels the mailto links
        found.words += test_words_browser.findings(
            f"{role} {path}", test_words_browser.readable(desktop), ids)

    found.paths = site_pages.pages_of(desktop, site, role, visit=at_desktop)
    # the refusals a role meets read in words too, and say "you", never the user's email
    for where, text in page_words.refusals(desktop, site, role):
        found.words += test_words_browser.findings(where, text, ids) + page_words.own_email(
            where, text, site_pages.ROLES[role])
    desktop.context.close()

    phone = test_browser.sign_in(browser, site, site_pages.ROLES[role], width=PHONE)
    phone.set_default_timeout(120_000)
    for path in found.paths:
        response = phone.goto(f"{site}{path}")
        assert response is not None and response.status == 200, \
            f"{role} at {PHONE}px, {path}: {response and response.status}"
        width = phone.evaluate("document.scrollingElement.scrollWidth")
        if width > phone.evaluate("innerWidth"):
            found.too_wide.append(f"{role} {path}: {width}px, past the edge: "
                                  f"{phone.evaluate(WIDER)}")
        check_axe(axe, phone, found, role, PHONE, path)
        phone.screenshot(path=str(test_browser.SHOTS / shot_name(role, path)), full_page=True)
    phone.context.close()
    for width in (DESKTOP, PHONE):
        print(f"axe, {role} at {width}px, {len(found.paths)} pages: "
              f"{dict(found.impacts[width])}")
    return found


@pytest.fixture(scope="module")
def crawl_of(browser, site, axe, ids) -> Callable[[str], Crawl]:
    """A role's crawl, made once for the module's tests (the first to ask makes it)."""
    made: dict[str, Crawl | Exception] = {}

    def of(role: str) -> Crawl:
        if role not in made:
            try:
                made[role] = crawl(browser, site, axe, ids, role)
            except Exception as exc:
                made[role] = exc
                raise
        result = made[role]
        if isinstance(result, Exception):
            pytest.fail(f"the crawl of the {role}'s pages failed (see the first test of "
                        f"the role): {result!r}")
        return result

    return of


ROLES = sorted(site_pages.ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_a_role_reaches_every_kind_of_page(crawl_of, role):
    paths = crawl_of(role).paths
    assert len(paths) >= FEWEST_PAGES[role], paths


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("role", ROLES)
def test_no_page_has_a_critical_or_serious_violation(crawl_of, role, width):
    blocking = crawl_of(role).blocking[width]
    assert blocking == [], "\n".join(blocking)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone(crawl_of, role):
    too_wide = crawl_of(role).too_wide
    assert too_wide == [], "\n".join(too_wide)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reads_in_human_words(crawl_of, role):
    found = crawl_of(role).words
    assert found == [], "\n".join(found)
