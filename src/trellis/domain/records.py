"""Ledger records as they travel in files: people and events, flat, with their line.

One flat shape serves both encodings (CSV and JSON lines): a ``record`` column says
``person`` or ``event``, and each event kind's detail fields are columns of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .events import DETAIL_FIELDS, Details, Event, details_to_mapping
from .people import Person

PERSON_FIELDS = ("handle", "name", "email", "manager")
EVENT_FIELDS = ("id", "person", "kind", "effective_on", "recorded_at", "author", "evidence",
                "verifier", "self_reported")
COLUMNS: tuple[str, ...] = ("record", *dict.fromkeys((*PERSON_FIELDS, *EVENT_FIELDS,
                                                      *DETAIL_FIELDS)))


@dataclass(frozen=True, slots=True)
class PersonRecord:
    line: int
    handle: str
    name: str
    email: str | None = None
    manager: str | None = None


@dataclass(frozen=True, slots=True)
class EventRecord:
    line: int
    person: str
    effective_on: date
    details: Details
    id: int | None = None
    recorded_at: datetime | None = None
    author: str | None = None
    evidence: str | None = None
    verifier: str | None = None
    self_reported: bool = False  # absent from files written before pending verification


def person_record(person: Person, manager: str | None) -> dict[str, Any]:
    return {"record": "person", "handle": person.handle, "name": person.name,
            "email": person.email, "manager": manager}


def event_record(event: Event, handle: str) -> dict[str, Any]:
    return {
        "record": "event", "id": event.id, "person": handle, "kind": event.kind.value,
        "effective_on": event.effective_on.isoformat(),
        "recorded_at": event.recorded_at.isoformat(), "author": event.author,
        "evidence": event.evidence, "verifier": event.verifier,
        "self_reported": True if event.self_reported else None,
        **details_to_mapping(event.details),
    }
