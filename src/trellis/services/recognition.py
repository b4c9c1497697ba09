"""Continuous recognition increments: recognize someone, and the recognition report
(cadence, gaps and alerts per person; how evenly a team shares it; rules in
domain.recognition).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from trellis.domain.events import Event, EventKind
from trellis.domain.ledger_rows import EventRow
from trellis.domain.people import Person
from trellis.domain.recognition import (
    Cadence,
    RecognitionFacts,
    RecognitionRules,
    alerts,
    cadence_on,
    gini,
    received_summary,
    severity,
    team_median,
)
from trellis.errors import LedgerRuleBroken, NotFound

from . import audit_trail, clock
from .collection import collector_paused
from .ledger import append_event, find_person
from .teams import Selection, TeamHistory, team_history
from .unit_of_work import UnitOfWork

TOP = 5  # givers and receivers listed
_RANK = {"chronic": 0, "lapse": 1, "none": 2}


@dataclass(frozen=True, slots=True)
class Recognized:
    event: Event
    handle: str
    previous_on: date | None  # the recognition before this one (None: the first)


def recognize(uow: UnitOfWork, person: str, citation: str, *, kind: str = "kudos",
              points: int | None = None, giver: str | None = None, author: str,
              on: date | None = None) -> Recognized:
    """Record a recognition (one transaction); the giver, if any, must be someone else."""
    with uow:
        receiver = find_person(uow, person)
        current = uow.state.current(receiver.id)
        previous = current.last_recognition_on if current else None
        fields: dict[str, object] = {"citation": citation, "recognition_kind": kind,
                                     "points": points}
        if giver:
            found = uow.people.find(giver.strip())
            if found is None:
                raise NotFound(f"unknown giver '{giver}'")
            if found.id == receiver.id:
                raise LedgerRuleBroken("{person} cannot recognize themselves",
                                       person=receiver.term)
            fields["giver"] = found.handle
        event = append_event(uow, receiver, EventKind.RECOGNITION, on or clock.today(), fields,
                             author=author)
        audit_trail.note(uow, author, "recognition",
                         f"person/{receiver.handle}/events/{event.id}", {"kind": kind})
        uow.commit()
        return Recognized(event, receiver.handle, previous)


@dataclass(frozen=True, slots=True)
class RecognitionLine:
    person: Person
    manager: str | None
    cadence: Cadence
    team_median: float | None  # the median cadence of the person's team (same manager)
    alerts: tuple[str, ...]
    severity: str  # chronic, lapse or none
    period_count: int  # recognitions received in the spread period
    period_points: int


@dataclass(frozen=True, slots=True)
class Spread:
    """How recognition was shared in the period, among the people of the report."""

    since: date
    people: int
    recognitions: int
    gini_counts: float
    gini_points: float
    top_givers: Sequence[tuple[str, int]]  # handle, recognitions given (to these people)
    top_receivers: Sequence[tuple[str, int, int]]  # handle, recognitions, points
    none_in_period: int  # people who received nothing in the period
    never_recognized: Sequence[str]  # handles of people never recognized at all


@dataclass(frozen=True, slots=True)
class RecognitionReport:
    as_of: date
    team: str | None
    rules: RecognitionRules
    lines: Sequence[RecognitionLine]  # chronic, lapse, none; then the longest gap first
    spread: Spread


@collector_paused()
def recognition_report(uow: UnitOfWork, team: str | None = None, *,
                       rules: RecognitionRules | None = None, months: int = 12,
                       today: date | None = None, history: TeamHistory | None = None
                       ) -> RecognitionReport:
    """``history`` (teams.team_history with recognitions) is the team's, already read."""
    today = today or clock.today()
    rules = rules or RecognitionRules()
    since = period_start(today, months)
    if history is None:
        with uow.reading():
            history = team_history(uow, team, [EventKind.RECOGNITION])
    history.require([EventKind.RECOGNITION])
    selection = history.selection
    received = received_by({p.id: selection.states[p.id]["hired_on"] for p in selection.people},
                           history.events, today=today, since=since)
    return assemble(selection, received, rules, today=today, since=since)


def period_start(today: date, months: int) -> date:
    """The spread period's start: ``months`` before ``today`` (the day itself left out)."""
    return today - timedelta(days=round(months * 30.4375))


@dataclass(frozen=True, slots=True)
class Received:
    """One person's recognitions as the report reads them: their cadence, what they
    received in the spread period, and from whom (giver -> recognitions given them in the
    period, and the ledger position (date, id) of the first: ties among givers are broken
    by who gave first)."""

    cadence: Cadence
    period_count: int
    period_points: int
    givers: Mapping[str, tuple[int, tuple[date, int]]]


def recognition_facts(rows: Sequence[EventRow]) -> RecognitionFacts:
    """From a person's events in ledger order (other kinds ignored)."""
    recognition = EventKind.RECOGNITION.value
    mine = [r for r in rows if r.kind == recognition]
    points = tuple(int(r.details.get("points") or 0) for r in mine)
    dates = tuple(r.effective_on for r in mine)
    return RecognitionFacts(received_summary(list(zip(dates, points, strict=True))), dates,
                            points, tuple(str(g) if (g := r.details.get("giver")) else None
                                          for r in mine), tuple(r.id for r in mine))


def received_on(person_id: int, facts: RecognitionFacts, hired_on: date | None, *,
                today: date, since: date) -> Received:
    """What the report reads of one person on ``today``, the period from after ``since``."""
    first, last = bisect_right(facts.dates, since), bisect_right(facts.dates, today)
    givers: dict[str, tuple[int, tuple[date, int]]] = {}
    for k in range(first, last):
        giver = facts.givers[k]
        if giver:
            n, earliest = givers.get(giver, (0, (facts.dates[k], facts.ids[k])))
            givers[giver] = (n + 1, earliest)
    return Received(cadence_on(person_id, facts.summary, hired_on, today), last - first,
                    sum(facts.points[first:last]), givers)


def received_by(hired: Mapping[int, date | None], events: Mapping[int, Sequence[EventRow]],
                *, today: date, since: date) -> dict[int, Received]:
    """Each person's recognitions (``hired``: person id -> hire date) from their events in
    ledger order (other kinds ignored)."""
    return {i: received_on(i, recognition_facts(events.get(i, ())), hired_on, today=today,
                           since=since) for i, hired_on in hired.items()}


def assemble(selection: Selection, received: Mapping[int, Received],
             rules: RecognitionRules, *, today: date, since: date) -> RecognitionReport:
    """The report of ``selection`` from each person's recognitions (``received_by``)."""
    ids = [p.id for p in selection.people]
    cadences = {i: received[i].cadence for i in ids}
    period_count = {i: received[i].period_count for i in ids}
    period_points = {i: received[i].period_points for i in ids}
    teams: dict[int | None, list[float | None]] = {}
    for p in selection.people:
        teams.setdefault(p.manager_id, []).append(cadences[p.id].cadence_days)
    medians = {m: team_median(c) for m, c in teams.items()}
    lines = []
    for p in selection.people:
        c, median = cadences[p.id], medians[p.manager_id]
        alerted = alerts(c, median, rules)
        lines.append(RecognitionLine(
            p, selection.handles.get(p.manager_id) if p.manager_id else None, c, median,
            alerted, severity(c, alerted, rules), period_count[p.id], period_points[p.id]))
    lines.sort(key=lambda x: (_RANK[x.severity], -x.cadence.gap_days, x.person.handle))
    givers: dict[str, tuple[int, tuple[date, int]]] = {}
    for i in ids:
        for giver, (n, first) in received[i].givers.items():
            total, earliest = givers.get(giver, (0, first))
            givers[giver] = (total + n, min(earliest, first))
    handle = {p.id: p.handle for p in selection.people}
    spread = Spread(
        since=since, people=len(ids), recognitions=sum(period_count.values()),
        gini_counts=round(gini([period_count[i] for i in ids]), 4),
        gini_points=round(gini([period_points[i] for i in ids]), 4),
        top_givers=[(g, n) for g, (n, _) in sorted(
            givers.items(), key=lambda x: (-x[1][0], x[1][1]))[:TOP]],
        top_receivers=[(handle[i], n, period_points[i]) for i, n in sorted(
            ((i, n) for i, n in period_count.items() if n),
            key=lambda x: (-x[1], -period_points[x[0]], handle[x[0]]))[:TOP]],
        none_in_period=sum(1 for i in ids if not period_count[i]),
        never_recognized=sorted(handle[i] for i in ids if not cadences[i].count),
    )
    return RecognitionReport(today, selection.team, rules, lines, spread)


def report_document(report: RecognitionReport, *, everyone: bool = False) -> dict[str, Any]:
    """The JSON document of ``trellis recognition --json`` (see docs/reports.md)."""
    s = report.spread
    return {
        "as_of": report.as_of,
        "team": report.team,
        "threshold_days": report.rules.threshold_days,
        "team_factor": report.rules.team_factor,
        "people": [line_document(x) for x in report.lines if everyone or x.alerts],
        "spread": {
            "since": s.since, "people": s.people, "recognitions": s.recognitions,
            "gini_counts": s.gini_counts, "gini_points": s.gini_points,
            "top_givers": [{"handle": h, "given": n} for h, n in s.top_givers],
            "top_receivers": [{"handle": h, "received": n, "points": p}
                              for h, n, p in s.top_receivers],
            "none_in_period": s.none_in_period,
            "never_recognized": list(s.never_recognized),
        },
    }


def line_document(x: RecognitionLine) -> dict[str, Any]:
    """One person's entry of the report's document."""
    return {"id": x.person.id, "handle": x.person.handle, "name": x.person.name,
            "manager": x.manager, "count": x.cadence.count, "points": x.cadence.points,
            "last_on": x.cadence.last_on, "cadence_days": x.cadence.cadence_days,
            "gap_days": x.cadence.gap_days, "gap_since": x.cadence.gap_since,
            "team_median_days": x.team_median, "severity": x.severity,
            "alerts": list(x.alerts), "period_count": x.period_count,
            "period_points": x.period_points}
