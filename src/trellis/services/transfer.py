"""Import and export the ledger: all or nothing, with every bad row reported.

An import is checked in full before anything is written: each row on its own, then the
people and references, then every affected person's history replayed through the
domain's rules together with what the database already holds. One bad row refuses the
whole file, listing every bad row by line.

A long import reports how far it has come (``ImportProgress``) to a callback its caller
passes in, phase by phase: ``reading`` the file's lines (reported by whoever parses it),
``checking`` its rows (people and events), ``replaying`` the affected careers, ``writing``
the events and ``rebuilding`` the profiles. A refused file stops after ``replaying``.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.bulk import paused_gc
from trellis.domain import limits, profile
from trellis.domain.events import Event, EventKind, Recognition, Retraction, Review
from trellis.domain.framework import ReviewForm
from trellis.domain.people import Person, check_email, check_handle
from trellis.domain.profile import ProfileBuilder, live_events, order, replay
from trellis.domain.records import EventRecord, PersonRecord, event_record, person_record
from trellis.errors import ImportRejected, InvalidEvent, LedgerRuleBroken, Problem

from . import audit_trail, clock
from .frameworks import ACTIVE
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """``done`` of ``total`` in one phase of an import."""

    phase: str
    done: int
    total: int


ReportProgress = Callable[[ImportProgress], None]
PROFILES_AT_ONCE = 2_000  # profiles rebuilt and written between two progress reports


class PhaseMeter:
    """Reports one phase about a hundred times whatever its size: a million-row import must
    not make a million calls, each of which may cross threads."""

    def __init__(self, report: ReportProgress | None, phase: str, total: int) -> None:
        self._report, self._phase, self._total = report, phase, total
        self._step = max(1, total // 100)
        self._next = 0
        self.at(0)

    def at(self, done: int) -> None:
        if self._report is not None and self._next <= done < self._total:
            self._next = done + self._step
            self._report(ImportProgress(self._phase, done, self._total))

    def finish(self) -> None:
        if self._report is not None:
            self._report(ImportProgress(self._phase, self._total, self._total))


@dataclass(frozen=True, slots=True)
class ImportSummary:
    people: int
    events: int
    profiles: int


def import_ledger(
    uow: UnitOfWork,
    people: Sequence[PersonRecord],
    records: Sequence[EventRecord],
    *,
    author: str,
    source: str = "",
    problems: Sequence[Problem] = (),
    on_progress: ReportProgress | None = None,
) -> ImportSummary:
    """Add people and events from a file in one transaction, or nothing at all.

    ``on_progress`` is called in the transaction (an exception from it rolls back)."""
    with paused_gc():
        return _import(uow, people, records, author=author, source=source,
                       problems=problems, on_progress=on_progress)


def _import(
    uow: UnitOfWork,
    people: Sequence[PersonRecord],
    records: Sequence[EventRecord],
    *,
    author: str,
    source: str,
    problems: Sequence[Problem],
    on_progress: ReportProgress | None,
) -> ImportSummary:
    found = list(problems)

    def bad(line: int, message: str) -> None:
        found.append(Problem("", message, line, source or None))

    now = clock.now()
    today = now.date()
    with uow.importing():
        versions = _version_lookup(uow)
        if versions is None:
            raise ImportRejected([Problem("", "no framework is loaded: load one before "
                                          "importing", None, source or None)])

        # Ids come from the database before anything is locked or written, so that writes
        # running beside the import (PostgreSQL) are never given one of them, nor one of the
        # file's own event ids. The people are read after: anyone added meanwhile is known.
        explicit = [r.id for r in records if r.id is not None]
        unnumbered = len(records) - len(explicit)
        if unnumbered and max(explicit, default=0) > limits.EVENT_ID_MAX - unnumbered:
            raise ImportRejected([Problem("", f"the file's event ids go up to "
                                          f"{max(explicit):,}, leaving no room for its "
                                          f"{unnumbered:,} events without an id", None,
                                          source or None)], source or None)
        next_person = uow.people.reserve_ids(len(people))
        next_event = uow.events.reserve_ids(unnumbered,
                                            above=max(explicit, default=0))
        by_handle: dict[str, Person] = {p.handle: p for p in uow.people.all()}
        emails = {p.email for p in by_handle.values() if p.email}

        # People: new handles and emails, and managers that exist somewhere.
        new_people: list[tuple[PersonRecord, Person]] = []
        checking = PhaseMeter(on_progress, "checking", len(people) + len(records))
        for checked, rec in enumerate(people):
            checking.at(checked)
            problem = None
            try:
                check_handle(rec.handle)
                check_email(rec.email)
            except InvalidEvent as exc:
                problem = str(exc)
            if rec.handle in by_handle:
                bad(rec.line, f"a person with handle '{rec.handle}' already exists")
                continue
            if problem is None and rec.email and rec.email in emails:
                problem = f"a person with email '{rec.email}' already exists"
            person = Person(next_person, rec.handle, rec.name, rec.email)
            next_person += 1
            # a refused person still owns the file's events for them, which are checked as
            # well: one upload names every problem, not "unknown person" on the next
            by_handle[rec.handle] = person
            if problem is not None:
                bad(rec.line, problem)
                continue
            if rec.email:
                emails.add(rec.email)
            new_people.append((rec, person))
        new_ids = {person.id for _, person in new_people}
        resolved_people = []
        for rec, person in new_people:
            manager_id = None
            if rec.manager:
                manager = by_handle.get(rec.manager)
                if manager is None:
                    bad(rec.line, f"unknown manager '{rec.manager}'")
                    continue
                manager_id = manager.id
            resolved_people.append(Person(person.id, person.handle, person.name, person.email,
                                          manager_id))
        _check_manager_cycles(resolved_people, new_people, bad)

        # Events: known people, unique ids, dates not in the future.
        taken_ids = _existing_ids(uow, explicit)
        events: list[Event] = []
        lines: dict[int, int] = {}
        for checked, record in enumerate(records, start=len(people)):
            checking.at(checked)
            owner = by_handle.get(record.person)
            if owner is None:
                bad(record.line, f"unknown person '{record.person}'")
                continue
            if record.effective_on > today:
                bad(record.line, f"{record.details.kind} on {record.effective_on}: the date "
                    "is in the future")
                continue
            details = record.details
            if isinstance(details, Recognition) and details.giver and \
                    details.giver not in by_handle:
                bad(record.line, f"unknown giver '{details.giver}'")
                continue
            if record.id is None:
                event_id = next_event
                next_event += 1
            elif record.id in taken_ids:
                bad(record.line, f"event id {record.id} already exists")
                continue
            else:
                event_id = record.id
                taken_ids.add(event_id)
            lines[event_id] = record.line
            events.append(Event(event_id, owner.id, record.effective_on, details,
                                record.recorded_at or now, record.author or author,
                                record.evidence, record.verifier,
                                versions(record.effective_on), record.self_reported))
        checking.finish()

        # Histories: replay each affected person, old events and new together. The careers
        # the file extends are locked first, so that a write to one of them waits for the
        # import and then replays what it wrote (PostgreSQL; SQLite has one writer).
        by_person: dict[int, list[Event]] = defaultdict(list)
        for event in events:
            by_person[event.person_id].append(event)
        uow.people.lock_many([p for p in by_person if p not in new_ids])
        builders: list[ProfileBuilder] = []
        replaying = PhaseMeter(on_progress, "replaying", len(by_person))
        for done, (person_id, new_events) in enumerate(by_person.items(), start=1):
            existing = [] if person_id in new_ids else uow.events.for_person(person_id)
            builder = _replay(person_id, [*existing, *new_events], lines, bad,
                              uow.frameworks.catalog, source)
            if builder is not None:
                builders.append(builder)
            replaying.at(done)
        replaying.finish()
        if found:
            raise ImportRejected(sorted(found, key=lambda p: p.line or 0), source or None)

        writing = PhaseMeter(on_progress, "writing", len(events))  # one bulk insert
        uow.people.add_many(resolved_people, author, now)
        for person in resolved_people:
            if person.manager_id is not None:
                uow.people.set_manager(person.id, person.manager_id)
        uow.events.add_many(events)
        writing.finish()
        rebuilding = PhaseMeter(on_progress, "rebuilding", len(builders))
        for person_id, person_events in by_person.items():
            if len(person_events) >= profile.CHECKPOINT_EVERY:  # only long careers have them
                new = person_id in new_ids
                existing = [] if new else uow.events.for_person(person_id)
                _, checkpoints = replay(person_id, [*existing, *person_events],
                                        uow.frameworks.catalog)
                uow.state.write_checkpoints(person_id, checkpoints, new=new)
        # Profiles in slices, so that progress moves while they are written.
        for start in range(0, len(builders), PROFILES_AT_ONCE):
            snapshots = [b.snapshot(today) for b in builders[start:start + PROFILES_AT_ONCE]]
            uow.state.write([p for p in snapshots if p.person_id not in new_ids])
            uow.state.write([p for p in snapshots if p.person_id in new_ids], new=True)
            rebuilding.at(start + len(snapshots))
        rebuilding.finish()
        audit_trail.note(uow, author, "ledger.import", f"import/{source}",
                         {"people": len(resolved_people), "events": len(events)})
        uow.commit()
        return ImportSummary(len(resolved_people), len(events), len(builders))


def _check_manager_cycles(people: list[Person], records: list[tuple[PersonRecord, Person]],
                          bad: Callable[[int, str], None]) -> None:
    manager_of = {p.id: p.manager_id for p in people}
    line_of = {person.id: rec.line for rec, person in records}
    for p in people:
        seen, current = {p.id}, p.manager_id
        while current is not None and current in manager_of:
            if current in seen:
                bad(line_of[p.id], f"'{p.handle}' is in a cycle of managers")
                break
            seen.add(current)
            current = manager_of[current]


def _existing_ids(uow: UnitOfWork, ids: list[int]) -> set[int]:
    """The ones of ``ids`` the ledger already holds."""
    wanted = set(ids)
    if not wanted or uow.events.max_id() < min(wanted):
        return set()
    return {i for i in wanted if uow.events.get(i) is not None}


def _replay(person_id: int, events: list[Event], lines: dict[int, int],
            bad: Callable[[int, str], None], catalog: Any, source: str
            ) -> ProfileBuilder | None:
    """The person's profile from their events, or None after reporting every event that
    breaks a rule. A bad event is reported and left out, and the replay goes on, so one
    upload lists all of a career's problems (each later one judged as if the bad lines were
    left out); only a career without its hire stops, as everything after it would fail."""
    known = {e.id: e for e in events}
    retracted: dict[int, int] = {}
    refused: set[int] = set()  # retractions that cannot be: left out of the replay
    for e in events:
        if isinstance(e.details, Retraction):
            target = known.get(e.details.retracts)
            if target is None:
                bad(lines.get(e.id, 0), f"unknown event {e.details.retracts} (retraction "
                    "targets must belong to the same person)")
            elif target.kind is EventKind.RETRACTION:
                bad(lines.get(e.id, 0), f"event {target.id} is a retraction and cannot be "
                    "retracted")
            elif target.id in retracted:
                bad(lines.get(e.id, 0), f"event {target.id} was already retracted by event "
                    f"{retracted[target.id]}")
            else:
                retracted[target.id] = e.id
                continue
            refused.add(e.id)
    ok = not refused
    builder = ProfileBuilder(person_id, catalog)
    for e in order(live_events(e for e in events if e.id not in refused)):
        try:
            builder.apply(e)
        except LedgerRuleBroken as exc:  # a row of the file, in the file's own ids and dates
            bad(lines.get(e.id, 0), exc.on_command_line())
            ok = False
            if builder.hired_on is None:  # no career to check the rest against
                return None
    return builder if ok else None


def _version_lookup(uow: UnitOfWork) -> Callable[[date], int] | None:
    """A fast ``date -> framework version id`` for the active framework."""
    key = uow.frameworks.get_meta(ACTIVE)
    versions = list(uow.frameworks.versions(key)) if key else []
    if not versions:
        return None
    starts = [v.effective_from or date.min for v in versions]
    ids = [v.id for v in versions]

    def lookup(on: date) -> int:
        index = bisect.bisect_right(starts, on) - 1
        return ids[max(index, 0)]

    return lookup


def export_records(uow: UnitOfWork, *, upward_reviews: bool = True,
                   left_out: list[int] | None = None) -> Iterator[dict[str, Any]]:
    """Every person, then every event, as flat records (see adapters.ledger_files).
    Without ``upward_reviews``, the upward reviews and their retractions are left out (their
    reviewer, author and date say who wrote them: domain.upward), their ids appended to
    ``left_out``."""
    with uow:
        everyone = uow.people.all()
        handles = {p.id: p.handle for p in everyone}
        for person in everyone:
            yield person_record(person, handles.get(person.manager_id or -1))
        upward_ids: set[int] = set()
        for event in uow.events.stream():
            if not upward_reviews and _is_upward(event, upward_ids):
                if left_out is not None:
                    left_out.append(event.id)
                continue
            yield event_record(event, handles[event.person_id])


def _is_upward(event: Event, seen: set[int]) -> bool:
    """An upward review, or the retraction of one already met (a retraction comes after
    the event it retracts in the ledger's order); ``seen`` collects them."""
    d = event.details
    if (isinstance(d, Review) and d.reviewer_role is ReviewForm.UPWARD) or (
            isinstance(d, Retraction) and d.retracts in seen):
        seen.add(event.id)
        return True
    return False
