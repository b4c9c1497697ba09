"""The people directory: everyone active, searched by name, for every signed-in user.

Each entry goes through ``access.redact_directory_entry``: outside a person's private
circle (themselves, their management chain, HR admins) a viewer sees the name, title,
track and level; inside it also the email, the manager and the hire date. Pay is never in
the directory. An email matches a search only where the viewer may see it, so searching
by email tells an outsider nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.domain import access
from trellis.domain.access import User
from trellis.domain.people import Person

from . import clock
from .frameworks import version_in_force
from .team_list import PAGE_SIZE, page_of
from .unit_of_work import UnitOfWork

_STATE = ("person_id", "role", "hired_on", "departed_on")


@dataclass(frozen=True, slots=True)
class Directory:
    entries: tuple[dict[str, Any], ...]  # the page, redacted for the viewer
    matching: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.entries else 0


def _chain(person: Person, by_id: dict[int, Person]) -> list[int]:
    """A person's managers' ids, nearest first, from the people in memory (a cycle, which
    the ledger refuses, would stop the walk rather than loop)."""
    out: list[int] = []
    manager = person.manager_id
    while manager is not None and manager not in out and manager != person.id:
        out.append(manager)
        above = by_id.get(manager)
        manager = above.manager_id if above else None
    return out


def search(uow: UnitOfWork, user: User, text: str = "", page: int = 1,
           today: date | None = None) -> Directory:
    """One page of the directory: active people whose name (or handle; or email, where
    the viewer may see it) holds every word of ``text``, by name."""
    today = today or clock.today()
    words = text.casefold().split()
    with uow.reading():
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        everyone = uow.people.all()
        states = {r["person_id"]: r for r in uow.state.rows(None, _STATE)}
    by_id = {p.id: p for p in everyone}
    found = []
    for p in everyone:
        s = states.get(p.id)
        if s is None or not s["hired_on"] or s["departed_on"]:
            continue
        chain = _chain(p, by_id)
        private = access.can_view_private(user, p.id, chain)
        shown = (p.email or "") if private else ""  # an outsider's search never reads it
        seen = f"{p.name} {p.handle} {shown}".casefold()
        if not all(w in seen for w in words):
            continue
        found.append((p, s, private))
    found.sort(key=lambda f: (f[0].name.casefold(), f[0].handle))
    on_page, page, pages = page_of(found, page)
    entries = []
    for p, s, private in on_page:
        role = framework.roles.get(s["role"] or "")
        track = framework.tracks.get(role.track) if role else None
        level = framework.levels.get(role.level) if role else None
        manager = by_id.get(p.manager_id) if p.manager_id else None
        entries.append(access.redact_directory_entry({
            "handle": p.handle, "name": p.name, "title": role.title if role else s["role"],
            "track": track.name if track else None, "level": level.name if level else None,
            "id": p.id, "email": p.email, "hired_on": s["hired_on"],
            "manager": {"handle": manager.handle, "name": manager.name} if manager else None,
            "private": private}, private=private))
    return Directory(tuple(entries), len(found), page, pages)
