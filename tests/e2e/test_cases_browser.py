"""A promotion case in a real headless Chromium: the manager proposes from the person page,
an outsider's approval is refused, the skip-level approves, HR approves, and the promotion
shows on the timeline. ``.ci/run`` installs chromium; elsewhere this test skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .sites import CHROMIUM, DemoDatabases, serving
from .test_browser import PASSWORD

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(),
                                reason="needs Debian's chromium at /usr/bin/chromium")


def accounts_for_the_case(db: Path) -> dict[str, str]:
    """Sign-ins for the skip-level of the demo manager and for an outsider, and the
    nominee: the demo employee (a direct report of the manager)."""
    from trellis.bootstrap import open_trellis
    from trellis.domain.access import Role
    from trellis.services import accounts
    from trellis.settings import Settings

    trellis = open_trellis(Settings(database_url=f"sqlite:///{db}", author="e2e"))
    try:
        with trellis.uow() as uow:
            users = {u.email: u for u in uow.accounts.users()}
            manager = uow.people.get(users["manager@demo.trellis"].person_id)
            nominee = uow.people.get(users["employee@demo.trellis"].person_id)
            chain = uow.people.managers(nominee.id)
            skip = uow.people.get(manager.manager_id) if manager.manager_id else None
            linked = {u.person_id: u.email for u in users.values()}
            outsider = next(p for p in uow.people.all() if p.id not in chain
                            and p.id != nominee.id and p.id not in linked
                            and nominee.id not in uow.people.managers(p.id))
        skip_email = linked.get(skip.id) if skip else "hr@demo.trellis"
        if skip is not None and skip_email is None:
            skip_email = "skip@demo.trellis"
            accounts.create_user(trellis.uow(), skip_email, PASSWORD, Role.MANAGER,
                                 person=skip.handle, author="e2e")
        accounts.create_user(trellis.uow(), "outsider@demo.trellis", PASSWORD, Role.EMPLOYEE,
                             person=outsider.handle, author="e2e")
    finally:
        trellis.close()
    return {"nominee": nominee.handle, "skip": skip_email or "hr@demo.trellis"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, demo_databases: DemoDatabases
         ) -> Iterator[tuple[str, dict[str, str]]]:
    db = demo_databases.copy_to(60, tmp_path_factory.mktemp("e2e-cases") / "demo.db")
    who = accounts_for_the_case(db)
    with serving(db) as url:
        yield url, who


CONSOLE_ERRORS: list[str] = []  # CSP violations are console errors


def sign_in(browser, url: str, email: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("console", lambda m: CONSOLE_ERRORS.append(m.text) if m.type == "error" else None)
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(me|team|org)$"))
    return page


def approve(browser, url: str, email: str, case_url: str) -> str:
    page = sign_in(browser, url, email)
    page.goto(case_url)
    page.fill("#override", "ready in practice: covers the role already")
    with page.expect_navigation():  # to the case, or (the last approval) a question first
        page.get_by_role("button", name="Approve").click()
    last = page.get_by_role("button", name="Yes, approve and record the promotion")
    if last.count():  # the last approval records the promotion: it asks first
        last.click()
    page.wait_for_url(case_url)
    assert not [e for e in CONSOLE_ERRORS if "Content Security Policy" in e], CONSOLE_ERRORS
    return page.locator("#case-status").inner_text()


def test_a_case_from_the_person_page_to_the_timeline(browser, site):
    url, who = site
    manager = sign_in(browser, url, "manager@demo.trellis")
    manager.goto(f"{url}/people/{who['nominee']}")
    manager.get_by_role("button", name="Propose a promotion").click()
    manager.wait_for_url(re.compile(r".*/cases/new\?.*"))
    expect(manager.get_by_role("heading", name="Readiness")).to_be_visible()
    assert manager.input_value("#pay") != ""  # prefilled from the band
    manager.fill("#justification", "Leads the team's incident reviews.")
    manager.fill("#pay_reason", "kept in line with the team")
    manager.get_by_role("button", name="Open the case").click()
    manager.wait_for_url(re.compile(r".*/cases/\d+#case-h$"))
    assert "Opened: the case now waits" in manager.locator("#case-h-notice").inner_text()
    case_url = manager.url.split("#")[0]
    assert manager.locator("#case-status").inner_text() == "Open"
    assert manager.locator("#approve-form").count() == 0  # the proposer never signs

    outsider = sign_in(browser, url, "outsider@demo.trellis")
    assert outsider.goto(case_url).status == 404
    csrf = outsider.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = outsider.request.post(f"{case_url}/approve", form={"csrf_token": csrf})
    assert refused.status == 403

    assert approve(browser, url, who["skip"], case_url) == "Open"
    assert approve(browser, url, "hr@demo.trellis", case_url) == "Approved"

    timeline = sign_in(browser, url, "manager@demo.trellis")
    timeline.goto(f"{url}/people/{who['nominee']}")
    number = case_url.rsplit("/", 1)[1]
    entry = timeline.locator("li.event.promotion", has_text=f"(case {number})")
    assert entry.count() == 1
