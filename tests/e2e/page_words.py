"""Permission refusals on the demo site, for the browser words crawl to read: what a role
may not see or do, asked for as a person would (a link typed by hand, a form sent), so the
refusal a page shows is checked like every other page's text.

A refusal names people by name and the signed-in user as "you": never a handle, an email
or a role's id (``hr_admin``). The crawl calls, for each role's signed-in page::

    for where, text in page_words.refusals(page, site, role):
        found += findings(where, text, ids)

(``findings`` and ``ids`` of ``test_words_browser``), and fails on what ``findings`` finds;
``own_email`` adds the one check ``findings`` leaves to a mailto link: the signed-in
user's own address never labels them in a refusal.
"""

from __future__ import annotations

from collections.abc import Iterator

TRIES = 12  # people asked about before a role's refusal is given up on (a demo has many)


def alert_text(page) -> str:
    """The text of the refusal on the page shown (its alerts), or "" when none."""
    alerts = page.locator("[role=alert]")
    return "\n".join(alerts.all_inner_texts()) if alerts.count() else ""


def handles(page, site: str) -> list[str]:
    """Handles to ask about, managers first: the people the API lists the signed-in user
    (a manager: their own team), and the managers of those (the manager's own manager
    is outside their team)."""
    people = [p for p in page.request.get(f"{site}/api/people?limit={TRIES * 4}").json()
              if isinstance(p, dict)]
    found = [p["manager"] for p in people if p.get("manager")]
    found += [p["handle"] for p in people if p.get("handle")]
    return list(dict.fromkeys(found))


def refusals(page, site: str, role: str) -> Iterator[tuple[str, str]]:
    """(where, text) of each permission refusal ``page`` (signed in as ``role``) meets:

    - an employee opens the team page and the team comparison: "this needs the manager or
      HR admin role";
    - a manager compares the team of someone outside their own: "<name> is not in your
      team" (the first person the comparison refuses);
    - an HR admin may do all of it: nothing is refused, nothing is yielded.
    """
    if role == "employee":
        for path in ("/team", "/org/compare"):
            response = page.goto(f"{site}{path}")
            if response is not None and response.status == 403:
                yield f"{role} {path} (refused)", alert_text(page) or page.inner_text("main")
    elif role == "manager":
        for handle in handles(page, site)[:TRIES]:
            path = f"/org/compare?team={handle}"
            response = page.goto(f"{site}{path}")
            if response is not None and response.status == 403:
                yield f"{role} {path} (refused)", alert_text(page)
                return


def own_email(where: str, text: str, email: str) -> list[str]:
    """The signed-in user's address in a refusal: they read "you" instead."""
    if email.casefold() in text.casefold():
        return [f"{where}: the signed-in user's email {email!r} in “{' '.join(text.split())}”"]
    return []
