"""Continuous recognition increments: recognize someone, and the recognition report
(cadence, gaps and alerts per person; how evenly a team shares it; rules in
domain.recognition).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from trellis.domain.events import Event, EventKind
from trellis.domain.people import Person
from trellis.domain.recognition import (
    Cadence,
    RecognitionRules,
    alerts,
    cadence,
    gini,
    severity,
    team_median,
)
from trellis.errors import LedgerRuleBroken, NotFound

from . import clock
from .collection import collector_paused
from .ledger import append_event, find_person
from .teams import TeamHistory, team_history
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
                raise LedgerRuleBroken(f"{receiver.handle} cannot recognize themselves")
            fields["giver"] = found.handle
        event = append_event(uow, receiver, EventKind.RECOGNITION, on or clock.today(), fields,
                             author=author)
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
    since = today - timedelta(days=round(months * 30.4375))
    if history is None:
        with uow.reading():
            history = team_history(uow, team, [EventKind.RECOGNITION])
    history.require([EventKind.RECOGNITION])
    selection = history.selection
    ids = [p.id for p in selection.people]
    received: dict[int, list[tuple[date, int]]] = {}
    givers: Counter[str] = Counter()
    period_count: Counter[int] = Counter()
    period_points: Counter[int] = Counter()
    recognition = EventKind.RECOGNITION.value
    rows = [row for i in ids for row in history.events.get(i, ()) if row.kind == recognition]
    rows.sort(key=lambda r: (r.effective_on, r.id))  # ledger order: ties among givers
    for row in rows:
        points = int(row.details.get("points") or 0)
        received.setdefault(row.person_id, []).append((row.effective_on, points))
        if since < row.effective_on <= today:
            period_count[row.person_id] += 1
            period_points[row.person_id] += points
            giver = row.details.get("giver")
            if giver:
                givers[str(giver)] += 1
    cadences = {p.id: cadence(p.id, received.get(p.id, ()), selection.states[p.id]["hired_on"],
                              today) for p in selection.people}
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
    handle = {p.id: p.handle for p in selection.people}
    spread = Spread(
        since=since, people=len(ids), recognitions=sum(period_count.values()),
        gini_counts=round(gini([period_count[i] for i in ids]), 4),
        gini_points=round(gini([period_points[i] for i in ids]), 4),
        top_givers=givers.most_common(TOP),
        top_receivers=[(handle[i], n, period_points[i]) for i, n in sorted(
            period_count.items(), key=lambda x: (-x[1], -period_points[x[0]], handle[x[0]]))
            [:TOP]],
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
        "people": [
            {"id": x.person.id, "handle": x.person.handle, "name": x.person.name,
             "manager": x.manager, "count": x.cadence.count, "points": x.cadence.points,
             "last_on": x.cadence.last_on, "cadence_days": x.cadence.cadence_days,
             "gap_days": x.cadence.gap_days, "gap_since": x.cadence.gap_since,
             "team_median_days": x.team_median, "severity": x.severity,
             "alerts": list(x.alerts), "period_count": x.period_count,
             "period_points": x.period_points}
            for x in report.lines if everyone or x.alerts
        ],
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
