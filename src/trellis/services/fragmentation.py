"""The role-fragmentation report: who has duties scattered across functions, and whose
expansions went unacknowledged (rules in domain.fragmentation).

Org-scale: one query for the active people's events that matter (hires, moves, duties,
recognition and pay changes), one for their current-state rows, and the band upgrades
(from their stored profiles) of only the people with an expansion to judge; nothing is
refolded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.domain.events import EventKind
from trellis.domain.fragmentation import (
    DutyFacts,
    Fragmentation,
    FragmentationRules,
    duty_facts,
    judge,
)
from trellis.domain.ledger_rows import EventRow
from trellis.domain.people import Person

from . import clock
from .collection import collector_paused
from .frameworks import version_in_force
from .teams import Selection, TeamHistory, team_history
from .unit_of_work import UnitOfWork

KINDS = (EventKind.HIRE, EventKind.PROMOTION, EventKind.LATERAL_MOVE, EventKind.RESPONSIBILITY,
         EventKind.RECOGNITION, EventKind.COMPENSATION)
ACKNOWLEDGING = frozenset({EventKind.RECOGNITION.value, EventKind.COMPENSATION.value})
_FOLDED = frozenset(str(k) for k in KINDS) - ACKNOWLEDGING  # read by the first pass


@dataclass(frozen=True, slots=True)
class FragmentationLine:
    person: Person
    manager: str | None
    role: str | None
    assessment: Fragmentation


@dataclass(frozen=True, slots=True)
class FragmentationReport:
    as_of: date
    team: str | None
    rules: FragmentationRules
    functions: tuple[str, ...]  # the framework's tracks: the index's N
    assessed: int  # active people looked at
    lines: Sequence[FragmentationLine]  # by risk, highest first


@collector_paused()
def fragmentation_report(uow: UnitOfWork, team: str | None = None, *,
                         rules: FragmentationRules | None = None,
                         today: date | None = None, everyone: bool = False,
                         history: TeamHistory | None = None) -> FragmentationReport:
    """Assess every active person (of a team); keep those at some risk unless ``everyone``.
    ``history`` (teams.team_history with at least ``KINDS``) is the team's, already read."""
    today = today or clock.today()
    rules = rules or FragmentationRules()
    with uow.reading():
        history = history or team_history(uow, team, KINDS)
        history.require(KINDS)
        found = assess_people(uow, [p.id for p in history.selection.people], history.events,
                              today=today, rules=rules)
        functions = framework_functions(uow, today)
    return assemble(history.selection, found, functions, today=today, rules=rules,
                    everyone=everyone)


def framework_functions(uow: UnitOfWork, today: date) -> tuple[str, ...]:
    """The tracks of the framework in force (the index's N), inside an open unit of work."""
    return tuple(uow.frameworks.catalog[version_in_force(uow, today).id].tracks)


def assess_people(uow: UnitOfWork, people: Sequence[int],
                  events: Mapping[int, Sequence[EventRow]], *, today: date,
                  rules: FragmentationRules) -> dict[int, Fragmentation]:
    """Inside an open unit of work: each person's assessment from their events of at
    least ``KINDS`` (in ledger order, other kinds ignored) and their band upgrades."""
    functions = len(framework_functions(uow, today))
    return {i: judge(i, f, functions=functions, today=today, rules=rules)
            for i, f in duty_facts_of(uow, people, events, rules=rules).items()}


def duty_facts_of(uow: UnitOfWork, people: Sequence[int],
                  events: Mapping[int, Sequence[EventRow]], *,
                  rules: FragmentationRules) -> dict[int, DutyFacts]:
    """Inside an open unit of work: what ``assess_people`` reads of each person's events
    and band upgrades, before it puts a day to it (domain.fragmentation.judge)."""
    catalog = uow.frameworks.catalog
    track_of_role: dict[str, str] = {}
    for v in uow.frameworks.versions():  # roles of older versions keep their track
        track_of_role.update({r.id: r.track for r in catalog[v.id].roles.values()})
    # Recognitions, pay changes and band upgrades only acknowledge expansions: first
    # everyone without them (the same facts for whoever has no expansion), then the
    # people with an expansion again with all of them, band upgrades read (by the
    # database's JSON functions) from their profiles only.
    found = {i: duty_facts([r for r in events.get(i, ()) if r.kind in _FOLDED],
                           track_of_role=track_of_role, rules=rules) for i in people}
    expanded = [i for i, f in found.items() if f.raised]
    for i, upgrades in uow.state.band_upgrade_dates(expanded).items():
        found[i] = duty_facts(events.get(i, ()), track_of_role=track_of_role,
                              band_upgrades=upgrades, rules=rules)
    return found


def assemble(selection: Selection, found: Mapping[int, Fragmentation],
             functions: tuple[str, ...], *, today: date, rules: FragmentationRules,
             everyone: bool = False) -> FragmentationReport:
    """The report of ``selection`` from each person's assessment (``assess_people``)."""
    lines = []
    for p in selection.people:
        if everyone or found[p.id].level != "none":
            manager = selection.handles.get(p.manager_id) if p.manager_id else None
            lines.append(FragmentationLine(p, manager, selection.states[p.id].get("role"),
                                           found[p.id]))
    lines.sort(key=lambda x: (-x.assessment.risk, x.person.handle))
    return FragmentationReport(today, selection.team, rules, functions,
                               len(selection.people), lines)


def report_document(report: FragmentationReport) -> dict[str, Any]:
    """The JSON document of ``trellis fragmentation --json`` (see docs/reports.md)."""
    return {
        "as_of": report.as_of,
        "team": report.team,
        "window_months": report.rules.window_months,
        "functions": list(report.functions),
        "assessed": report.assessed,
        "people": [line_document(x) for x in report.lines],
    }


def line_document(x: FragmentationLine) -> dict[str, Any]:
    """One person's entry of the report's document."""
    return {"id": x.person.id, "handle": x.person.handle, "name": x.person.name,
            "manager": x.manager, "role": x.role, "track": x.assessment.track,
            "index": x.assessment.index, "risk": x.assessment.risk,
            "level": x.assessment.level,
            "shares": {f: round(s, 4) for f, s in sorted(x.assessment.shares.items())},
            "duties": [{"function": d.function, "share": d.share, "since": d.since}
                       for d in x.assessment.duties],
            "expansions": [{"function": e.function, "on": e.on, "share": e.share,
                            "status": e.status.value, "acknowledged_by": e.acknowledged_by}
                           for e in x.assessment.expansions],
            "action": x.assessment.action.value,
            "reasons": list(x.assessment.reasons)}
