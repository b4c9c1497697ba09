"""Each person's alert facts as a stored projection: what their events say for the team
alerts on every day (domain.alert_facts), kept in ``alert_facts`` with the ledger position
they were read at, so that the alerts of a new day put the day to stored facts instead of
reading and folding everyone's history again.

A row answers while it was written by this code and the person still has as many events
as it was read from (a person's events only accumulate: a new event, a correction and a
verification each add one), with the same newest framework version (the track of a role)
and erasure (an erasure edits others' recognitions, and clears the table). One grouped
count over the events' (person, date, id) index tells which rows still answer; the people
whose row does not are read from the ledger alone, and their rows written again. Writes
to the ledger do nothing here: the first read after them does it, for those people only.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson

from trellis.domain.alert_facts import PersonFacts, StoredFacts, from_document, to_document
from trellis.domain.events import EventKind
from trellis.domain.fragmentation import FragmentationRules
from trellis.domain.ledger_rows import EventRow
from trellis.errors import Busy, Conflict

from .code_digest import code_digest
from .fragmentation import KINDS, duty_facts_of
from .projections import PROJECTION_FORMAT
from .recognition import recognition_facts
from .teams import active_people
from .unit_of_work import UnitOfWork

FORMAT = 1  # raise it when the facts change meaning without their code changing
READ = frozenset({*(str(k) for k in KINDS), EventKind.RECOGNITION.value})
RULES = FragmentationRules()  # the facts stored are those of the default rules
# The code whose every change makes stored facts obsolete (digested).
MODULES = ("trellis.domain.alert_facts", "trellis.domain.fragmentation",
           "trellis.domain.recognition", "trellis.services.alert_facts",
           "trellis.services.fragmentation", "trellis.services.recognition")


@cache
def code_format() -> str:
    """``FORMAT``, the stored profiles' format (band upgrades come from them) and a digest
    of the code that reads the facts."""
    return f"{FORMAT}-{code_digest(f'{FORMAT}/{PROJECTION_FORMAT}', MODULES)}"


def events_of(uow: UnitOfWork, people: Collection[int]) -> dict[int, list[EventRow]]:
    """These people's live events of the kinds the alerts read, in ledger order."""
    by_person: dict[int, list[EventRow]] = {}
    for row in uow.events.of_kinds(READ, people):
        by_person.setdefault(row.person_id, []).append(row)
    return by_person


def read_facts(uow: UnitOfWork, people: Sequence[int], *, again: bool = False
               ) -> tuple[dict[int, PersonFacts], dict[int, StoredFacts]]:
    """Inside an open unit of work: each person's facts, from their stored row where it
    still answers (unless ``again``), else from their events; and the rows to store for
    the latter (``store``)."""
    fmt = code_format()
    # The positions before the events: an event recorded meanwhile leaves the row written
    # from them stale (read again next time), never falsely current.
    position = uow.models.position()
    counts = uow.events.counts(people)
    stored = uow.alert_facts.read(people) if not again else {}
    found: dict[int, PersonFacts] = {}
    for i in people:
        row = stored.get(i)
        if row is None or (row.format, row.events, row.framework_version,
                           row.last_erasure_id) != (fmt, counts.get(i, 0),
                                                    position.framework_version,
                                                    position.last_erasure):
            continue
        try:
            found[i] = from_document(orjson.loads(row.facts))
        except (KeyError, TypeError, ValueError):
            continue  # read again from the ledger, which is the truth
    stale = [i for i in people if i not in found]
    rows: dict[int, StoredFacts] = {}
    if stale:
        events = events_of(uow, stale)
        duties = duty_facts_of(uow, stale, events, rules=RULES)
        for i in stale:
            found[i] = facts = PersonFacts(duties[i], recognition_facts(events.get(i, ())))
            rows[i] = StoredFacts(fmt, counts.get(i, 0), position.framework_version,
                                  position.last_erasure,
                                  orjson.dumps(to_document(facts)).decode())
    return found, rows


def store(uow: UnitOfWork, rows: dict[int, StoredFacts]) -> bool:
    """Write these rows (outside a unit of work: it opens its own); False when another
    writer held the database, or wrote them first: the facts are still good for this
    answer, and the next read writes them."""
    if not rows:
        return True
    try:
        with uow:
            # An erasure since the read cleared the table: rows read before it may name
            # the erased (as a giver), and are not written.
            erasure = uow.models.position().last_erasure
            if any(row.last_erasure_id != erasure for row in rows.values()):
                return False
            uow.alert_facts.put(rows)
            uow.commit()
    except (Busy, Conflict):
        return False
    return True


@dataclass(frozen=True, slots=True)
class FactsRefreshed:
    people: int  # active people
    read_again: int  # of them, read from their events (their stored row did not answer)
    stored: bool  # the rows read again were written (False: another writer held them)
    seconds: float

    def to_document(self) -> dict[str, Any]:
        return {"people": self.people, "read_again": self.read_again, "stored": self.stored,
                "seconds": round(self.seconds, 3)}


def refresh(uow: UnitOfWork, *, force: bool = False) -> FactsRefreshed:
    """Bring every active person's stored facts up to date (every one with ``force``), for
    ``trellis refresh``: the alerts of the next day then read no event."""
    started = time.perf_counter()
    with uow.reading():
        people = [p.id for p in active_people(uow).people]
        _, rows = read_facts(uow, people, again=force)
    written = store(uow, rows)
    return FactsRefreshed(len(people), len(rows), written, time.perf_counter() - started)
