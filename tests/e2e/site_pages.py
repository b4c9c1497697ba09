"""Every page a role reaches on the demo site, for the browser test that visits them all
(test_crawl_browser: accessibility, phone width, words): the menu's pages, then one page of
each kind they link to
(a person, a case, a cycle, a calibration session, a review form...), found by following
links as a person would, so a new page is visited without being listed here."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

ROLES = {"employee": "employee@demo.trellis", "manager": "manager@demo.trellis",
         "hr": "hr@demo.trellis"}
WORDS = {"me", "people", "advice", "reviews", "progress", "write", "cycles", "team", "org",
         "compare", "evidence", "import", "calibration", "simulate", "cases", "new", "comp",
         "approvals"}
NOT_PAGES = re.compile(r"^/(api|static|docs|openapi\.json|logout)|/export$|\.csv$")
EXTRA = {"hr": ["/simulate?run=1&runs=100&years=2"]}  # a simulation's result and its chart
LIMIT = 40  # pages a role: far more kinds than the site has


def shape(path: str) -> tuple[str, ...]:
    """A page's kind: /people/ada/advice and /people/bob/advice are one."""
    return tuple(part if part in WORDS else "*" for part in path.strip("/").split("/"))


def links(page, site: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != site:
            continue
        if parts.path.startswith("/") and not NOT_PAGES.search(parts.path):
            found.append(parts.path)
    return found


def pages_of(page, site: str, role: str,
             visit: Callable[[str], None] | None = None) -> list[str]:
    """The paths a signed-in ``page`` of ``role`` reaches: the menu's first, then one of
    each kind linked from them (and from those), in the order found.

    ``visit(path)``, when given, is called on each page as it is found, while ``page`` shows
    it (its links already read), so a check needs no second load of it."""
    page.goto(f"{site}/me")
    menu = [href for href in page.eval_on_selector_all(
        "header nav a[href]", "els => els.map(a => a.getAttribute('href'))")]
    queue, seen, paths = [*menu, *EXTRA.get(role, [])], set(), []
    while queue and len(paths) < LIMIT:
        path = queue.pop(0)
        kind = shape(path.split("?")[0]) + (("?",) if "?" in path else ())
        if kind in seen:
            continue
        seen.add(kind)
        response = page.goto(f"{site}{path}")
        if response is None or response.status != 200:
            continue
        paths.append(path)
        queue += links(page, site)
        if visit is not None:
            visit(path)
    return paths
