"""Use cases of person attributes (HR-only fields for the fairness audit): set, unset,
import a CSV, list. Each write says who made it; an import is one transaction, all or
nothing. No score reads these (see domain.attributes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from trellis.domain.attributes import check_bounds, check_name, check_value
from trellis.domain.events import event_text
from trellis.errors import ImportRejected, InvalidEvent, NotFound, Problem

from . import audit_trail, clock
from .ledger import find_person
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class AttributeEntry:
    handle: str
    name: str
    value: str
    set_by: str
    set_at: datetime


class RowLike(Protocol):
    """A row of an attribute file (adapters.attribute_files.AttributeRow)."""

    @property
    def line(self) -> int: ...
    @property
    def handle(self) -> str: ...
    @property
    def values(self) -> dict[str, tuple[int, str]]: ...


def _bounded(uow: UnitOfWork, values: Sequence[tuple[int, str, str]]) -> None:
    """Refuse what would take an attribute past its bounds, counting what is stored."""
    stored = {(a.person_id, a.name): a.value for a in uow.attributes.all(
        sorted({n for _, n, _ in values}))}
    stored.update({(p, n): v for p, n, v in values})
    by_name: dict[str, list[str]] = {}
    for (_, name), value in stored.items():
        by_name.setdefault(name, []).append(value)
    for name, found in uow.attributes.values().items():
        by_name.setdefault(name, list(found))
    check_bounds(by_name)


def set_attribute(uow: UnitOfWork, person_ref: str, name: str, value: str, *,
                  author: str) -> AttributeEntry:
    name = check_name(name)
    value = check_value(value, name)
    author = event_text(author, "author") or author
    with uow:
        person = find_person(uow, person_ref)
        _bounded(uow, [(person.id, name, value)])
        now = clock.now()
        uow.attributes.set_many([(person.id, name, value)], author, now)
        audit_trail.note(uow, author, "attribute.set", f"person/{person.handle}/attributes/{name}")
        uow.commit()
    return AttributeEntry(person.handle, name, value, author, now)


def unset_attribute(uow: UnitOfWork, person_ref: str, name: str, *, author: str) -> str:
    """Remove one attribute of a person; returns their handle."""
    name = check_name(name)
    with uow:
        person = find_person(uow, person_ref)
        if not uow.attributes.unset(person.id, name):
            raise NotFound(f"{{person}} has no attribute '{name}'", person=person.term)
        audit_trail.note(uow, author, "attribute.unset",
                         f"person/{person.handle}/attributes/{name}")
        uow.commit()
    return person.handle


def import_attributes(uow: UnitOfWork, rows: Sequence[RowLike], *, source: str,
                      author: str, problems: Sequence[Problem] = ()) -> int:
    """Set every value of the rows (``adapters.attribute_files``) in one transaction;
    ``problems`` found while reading, or an unknown person or a handle given twice, refuse
    the whole file (ImportRejected, every problem located). Returns the values set."""
    found = list(problems)
    author = event_text(author, "author") or author
    with uow:
        values: list[tuple[int, str, str]] = []
        seen: dict[int, int] = {}
        for row in rows:
            person = uow.people.find(row.handle)
            if person is None:
                found.append(Problem("", f"unknown person '{row.handle}'",
                                     source=f"{source}:{row.line}:1"))
                continue
            if person.id in seen:
                found.append(Problem("", f"{row.handle} is also on line {seen[person.id]}",
                                     source=f"{source}:{row.line}:1"))
                continue
            seen[person.id] = row.line
            values += [(person.id, name, value) for name, (_, value) in row.values.items()]
        if found:
            raise ImportRejected(found, source)
        try:
            _bounded(uow, values)
        except InvalidEvent as exc:
            raise ImportRejected([Problem("", str(exc), source=source)], source) from None
        uow.attributes.set_many(values, author, clock.now())
        audit_trail.note(uow, author, "attributes.import", f"import/{source}",
                         {"values": len(values), "people": len({v[0] for v in values})})
        uow.commit()
    return len(values)


def list_attributes(uow: UnitOfWork, person_ref: str | None = None) -> list[AttributeEntry]:
    """Every person's attributes (or one person's), by handle then name."""
    with uow.reading():
        if person_ref is not None:
            person = find_person(uow, person_ref)
            handles = {person.id: person.handle}
            found = uow.attributes.for_person(person.id)
        else:
            handles = {p.id: p.handle for p in uow.people.all()}
            found = uow.attributes.all()
    entries = [AttributeEntry(handles[a.person_id], a.name, a.value, a.set_by, a.set_at)
               for a in found if a.person_id in handles]
    return sorted(entries, key=lambda e: (e.handle, e.name))


# The demo organization's attributes: drawn at random, independent of every outcome, so the
# audit of the demo shows what no bias looks like (ratios near 1, apart from chance).
DEMO_ATTRIBUTES = {
    "gender": (("F", 0.47), ("M", 0.49), ("X", 0.04)),
    "location": (("London", 0.4), ("Lisbon", 0.3), ("Toronto", 0.25), ("Remote", 0.05)),
}


def demo_attributes(uow: UnitOfWork, *, seed: int, author: str) -> int:
    """Give every person of the demo organization a gender and a location; returns how many
    values were set."""
    import random

    rng = random.Random(seed)
    with uow:
        ids = [p.id for p in uow.people.all()]
        values = []
        for name, choices in DEMO_ATTRIBUTES.items():
            labels = [c for c, _ in choices]
            weights = [w for _, w in choices]
            values += [(pid, name, v) for pid, v in zip(
                ids, rng.choices(labels, weights, k=len(ids)), strict=True)]
        uow.attributes.set_many(values, author, clock.now())
        audit_trail.note(uow, author, "attributes.import", "import/demo",
                         {"values": len(values), "people": len({v[0] for v in values})})
        uow.commit()
    return len(values)
