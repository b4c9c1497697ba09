"""Who a team report covers: everyone (or a manager's reports, transitively), still active;
and their history of a few kinds of events, read once for several reports."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from trellis.domain.events import EventKind
from trellis.domain.ledger_rows import EventRow
from trellis.domain.people import Person

from .ledger import find_person
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Selection:
    people: Sequence[Person]  # active people, by id
    states: dict[int, dict[str, Any]]  # person id -> their person_state row
    handles: dict[int, str]  # every person id -> handle (managers and givers included)
    team: str | None  # the manager's handle, when a team was asked for


STATE = ("person_id", "role", "track", "hired_on", "departed_on")


def active_people(uow: UnitOfWork, team: str | None = None,
                  columns: Sequence[str] = STATE) -> Selection:
    """Inside an open unit of work: the people a report covers, with their current state
    (``columns`` of it: the whole profile document is large, so only on request)."""
    everyone = uow.people.all()
    manager = find_person(uow, team) if team else None
    people = uow.people.reports(manager.id) if manager else everyone
    ids = [p.id for p in people]
    columns = list(dict.fromkeys(("person_id", "hired_on", "departed_on", *columns)))
    rows = uow.state.rows(ids, columns) if len(ids) < 900 else uow.state.rows(None, columns)
    states = {r["person_id"]: r for r in rows}
    active = sorted((p for p in people
                     if (s := states.get(p.id)) and s.get("hired_on") and not s.get("departed_on")),
                    key=lambda p: p.id)
    return Selection(active, states, {p.id: p.handle for p in everyone},
                     manager.handle if manager else None)


@dataclass(frozen=True, slots=True)
class TeamHistory:
    """The people a report covers and their live events of ``kinds``, in ledger order:
    what the fragmentation and recognition reports read, so a page showing both reads the
    ledger once."""

    selection: Selection
    kinds: frozenset[str]
    events: dict[int, list[EventRow]]  # active person id -> their rows

    def require(self, kinds: Collection[EventKind | str]) -> None:
        missing = {str(k) for k in kinds} - self.kinds
        if missing:
            raise ValueError(f"the history read has no {', '.join(sorted(missing))} events")


def team_history(uow: UnitOfWork, team: str | None,
                 kinds: Collection[EventKind | str]) -> TeamHistory:
    """Inside an open unit of work: the active people of ``team`` (everyone when None) and
    their events of ``kinds``; a departed person's events are not parsed."""
    selection = active_people(uow, team)
    by_person: dict[int, list[EventRow]] = {}
    for row in uow.events.of_kinds(kinds, [p.id for p in selection.people]):
        by_person.setdefault(row.person_id, []).append(row)
    return TeamHistory(selection, frozenset(str(k) for k in kinds), by_person)
