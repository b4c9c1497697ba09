"""Use cases for people: add (with their hire), change their details, list, and erase on
request."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.domain.events import EventKind, event_text
from trellis.domain.people import Person, check_email, check_handle, check_name
from trellis.domain.profile import replay
from trellis.errors import Conflict, InvalidEvent

from . import audit_trail, clock
from .ledger import append_event, find_person
from .unit_of_work import UnitOfWork


def add_person(
    uow: UnitOfWork,
    handle: str,
    name: str,
    *,
    role: str,
    hired_on: date,
    author: str,
    email: str | None = None,
    manager: str | None = None,
    pay: int | None = None,
    currency: str | None = None,
    evidence: str | None = None,
) -> Person:
    """Add a person and record their hire, in one transaction."""
    check_handle(handle)
    name = check_name(name)
    check_email(email)
    author = event_text(author, "author") or author  # also the person's created_by
    with uow:
        if uow.people.find(handle) is not None:
            raise Conflict(f"a person with handle '{handle}' already exists")
        if email and uow.people.find(email) is not None:
            raise Conflict(f"a person with email '{email}' already exists")
        manager_id = find_person(uow, manager).id if manager else None
        person = uow.people.add(handle, name, email, manager_id, author, clock.now())
        append_event(uow, person, EventKind.HIRE, hired_on,
                     {"role": role, "pay": pay, "currency": currency},
                     author=author, evidence=evidence)
        audit_trail.note(uow, author, "person.add", f"person/{person.handle}",
                         {"role": role, "pay_recorded": pay is not None})
        uow.commit()
        return person


@dataclass(frozen=True, slots=True)
class DetailsChange:
    """A change of a person's details: the person after it, and each changed field's
    value before and after (as the audit entry records them)."""

    person: Person
    changed: dict[str, tuple[str | None, str | None]]


def update_person(uow: UnitOfWork, ref: str, *, author: str, name: str | None = None,
                  email: str | None = None, manager: str | None = None,
                  fields: Collection[str] = ("name", "email", "manager")) -> DetailsChange:
    """Change the ``fields`` of a person's details (name, email, manager; an empty email or
    manager clears it) in one transaction, with an audit entry naming ``author`` and each
    change. A manager must be another person and not someone who reports to them."""
    with uow:
        person = find_person(uow, ref)
        uow.people.lock(person.id)
        before = {"name": person.name, "email": person.email,
                  "manager": _handle_of(uow, person.manager_id)}
        after = dict(before)
        if "name" in fields and name is not None:
            after["name"] = check_name(name)
        if "email" in fields and email is not None:
            after["email"] = check_email(email.strip()) if email.strip() else None
            other = uow.people.find(after["email"]) if after["email"] else None
            if other is not None and other.id != person.id:
                raise Conflict(f"another person already has the email {after['email']}")
        manager_id = person.manager_id
        if "manager" in fields and manager is not None:
            boss = find_person(uow, manager.strip()) if manager.strip() else None
            if boss is not None and boss.id == person.id:
                raise InvalidEvent(f"{person.name} cannot be their own manager")
            if boss is not None and person.id in uow.people.managers(boss.id):
                raise InvalidEvent(f"{boss.name} reports to {person.name}: a manager cannot "
                                   "be someone in their own team")
            manager_id = boss.id if boss else None
            after["manager"] = boss.handle if boss else None
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        if changed:
            uow.people.rename(person.id, str(after["name"]), after["email"])
            if manager_id != person.manager_id:
                uow.people.set_manager(person.id, manager_id)
            uow.audit.add(clock.now(), author, "person.update",
                          f"person/{person.handle}",
                          {k: {"from": old, "to": new} for k, (old, new) in changed.items()})
        uow.commit()
        return DetailsChange(Person(person.id, person.handle, str(after["name"]),
                                    after["email"], manager_id), changed)


def _handle_of(uow: UnitOfWork, person_id: int | None) -> str | None:
    found = uow.people.get(person_id) if person_id is not None else None
    return found.handle if found else None


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A person with their current state, for lists."""

    person: Person
    manager: str | None
    state: dict[str, Any]


# What a list of people shows; the profile JSON column is large and not needed here.
LIST_COLUMNS = ("person_id", "role", "track", "level", "hired_on", "departed_on",
                "promotions", "micro_progressions")


def list_people(uow: UnitOfWork, team: str | None = None,
                include_departed: bool = False) -> list[PersonRow]:
    with uow.reading():
        everyone = uow.people.all()
        people = uow.people.reports(find_person(uow, team).id) if team else everyone
        handles = {p.id: p.handle for p in everyone}
        ids = [p.id for p in people] if len(people) < 900 else None  # else one scan is faster
        states = {r["person_id"]: r for r in uow.state.rows(ids, LIST_COLUMNS)}
        rows = []
        for p in people:
            state = states.get(p.id, {})
            if state.get("departed_on") and not include_departed:
                continue
            rows.append(PersonRow(p, handles.get(p.manager_id) if p.manager_id else None, state))
        return rows


def erase_person(uow: UnitOfWork, ref: str, *, author: str) -> int:
    """Erase a person on request: their events, identity and web accounts go, every mention
    of them elsewhere becomes a placeholder, and an anonymous entry stays.

    Returns the number of events removed. The erasure log keeps only the retired internal
    id, the count and who did it. Recognitions the person gave others stay, with the giver
    blanked; events they recorded for others stay, authored by "erased person #ID". Those
    are the only edits ever made to other people's events.
    """
    with uow:
        person = find_person(uow, ref)
        others = uow.events.forget_giver(person.handle)
        uow.state.remove(person.id)
        uow.plans.remove(person.id)
        uow.calibrations.remove_person(person.id)
        uow.reviews.remove_person(person.id)
        uow.cases.remove_person(person.id)  # before the events: a case links its promotion
        uow.compensation.remove_person(person.id)
        uow.attributes.remove_person(person.id)
        uow.models.clear()  # organization models are fits over everyone, the erased too
        uow.alert_facts.clear()  # the recognitions others were given name the erased
        removed = uow.events.remove_person(person.id)
        logins = uow.erasure.remove_accounts(person.id, person.email)
        uow.people.remove(person.id)
        others |= uow.erasure.forget_mentions((person.handle, person.name, person.email,
                                               *logins), f"erased person #{person.id}")
        for other in sorted(others - {person.id}):  # their projections hold what changed
            builder, checkpoints = replay(other, uow.events.for_person(other),
                                          uow.frameworks.catalog)
            uow.state.write([builder.snapshot(clock.today())])
            uow.state.write_checkpoints(other, checkpoints)
        uow.record_erasure(person.id, removed, author, clock.now())
        uow.commit()
    uow.reclaim()
    return removed
