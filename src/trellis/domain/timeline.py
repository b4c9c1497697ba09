"""A person's timeline: every event in ledger order, classified and described in words."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .events import (
    Advance,
    Certification,
    CheckIn,
    Compensation,
    Departure,
    Event,
    Hire,
    LateralMove,
    ProjectLeadership,
    Promotion,
    Recognition,
    Responsibility,
    Retraction,
    SkillStep,
    advance_of,
)
from .framework import Framework
from .profile import order


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    event: Event
    advance: Advance
    summary: str
    retracted_by: int | None = None


def build_timeline(events: Iterable[Event],
                   frameworks: Mapping[int, Framework]) -> list[TimelineEntry]:
    ordered = order(events)
    retracted_by = {
        e.details.retracts: e.id for e in ordered if isinstance(e.details, Retraction)
    }
    return [
        TimelineEntry(e, advance_of(e.kind), describe(e, _framework(frameworks, e)),
                      retracted_by.get(e.id))
        for e in ordered
    ]


def _framework(frameworks: Mapping[int, Framework], event: Event) -> Framework | None:
    try:
        return frameworks[event.framework_version]
    except KeyError:
        return None


def describe(event: Event, framework: Framework | None) -> str:
    """One line a person can read: "Promoted to Senior Software Engineer (L4), pay 140000"."""
    d = event.details

    def role(role_id: str) -> str:
        r = framework.roles.get(role_id) if framework else None
        return f"{r.title} ({r.level})" if r else role_id

    def competency(comp_id: str) -> str:
        c = framework.competencies.get(comp_id) if framework else None
        return c.name if c else comp_id

    pay = f", pay {d.pay:,}" if isinstance(d, Hire | Promotion | LateralMove) and d.pay else ""
    if isinstance(d, Hire):
        return f"Hired as {role(d.role)}{pay}"
    if isinstance(d, Promotion):
        why = f" (override: {d.override_reason})" if d.override_reason else ""
        return f"Promoted to {role(d.role)}{pay}{why}"
    if isinstance(d, LateralMove):
        return f"Moved to {role(d.role)}{pay}"
    if isinstance(d, SkillStep):
        return f"{competency(d.competency)}: mastery {d.from_mastery} -> {d.to_mastery}"
    if isinstance(d, Certification):
        issuer = f" from {d.issuer}" if d.issuer else ""
        return f"Certified: {d.certification}{issuer}"
    if isinstance(d, ProjectLeadership):
        team = f" (team of {d.team_size})" if d.team_size else ""
        return f"Led project {d.project}{team}"
    if isinstance(d, Responsibility):
        if d.share == 0:
            return f"Handed back duties in {d.function}"
        what = f": {d.description}" if d.description else ""
        return f"Took on {d.share:.0%} in {d.function}{what}"
    if isinstance(d, Recognition):
        giver = f" from {d.giver}" if d.giver else ""
        points = f", {d.points} points" if d.points else ""
        amount = f", {d.amount:,} paid" if d.amount else ""
        return f"{d.recognition_kind.value.replace('_', ' ').capitalize()}{giver}: " \
               f"{d.citation}{points}{amount}"
    if isinstance(d, Compensation):
        change = f"{d.percent:+.1f}%" if d.percent is not None else f"{d.amount:+,}"
        return f"{d.compensation_kind.value.capitalize()} {change}"
    if isinstance(d, CheckIn):
        mood = f"engagement {d.engagement}/5" if d.engagement else "check-in"
        notes = f": {d.notes}" if d.notes else ""
        return f"Check-in, {mood}{notes}"
    if isinstance(d, Departure):
        return f"Left ({d.departure_kind.value})" + (f": {d.notes}" if d.notes else "")
    assert isinstance(d, Retraction)
    return f"Retracted event {d.retracts}: {d.reason}"
