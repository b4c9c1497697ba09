"""A person's timeline: every event in ledger order, classified and described in words."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from .events import (
    Advance,
    Assessed,
    Assessor,
    Calibration,
    Certification,
    CheckIn,
    Compensation,
    Demonstrated,
    Departure,
    Event,
    Hire,
    LateralMove,
    ProjectLeadership,
    Promotion,
    Recognition,
    Responsibility,
    Retraction,
    Review,
    SkillStep,
    Verification,
    advance_of,
    details_to_mapping,
)
from .framework import Framework
from .profile import BandUpgrade, order, replay


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A ledger event, or a band upgrade the fold derived from one (``event`` is None)."""

    on: date
    kind: str
    advance: Advance
    summary: str
    event: Event | None = None
    band_upgrade: BandUpgrade | None = None
    retracted_by: int | None = None
    verified_by: str | None = None  # who vouched for the evidence, when recorded or later
    pending: bool = False  # self-reported, waiting for someone else to verify it

    @property
    def id(self) -> int | None:
        return self.event.id if self.event else None


def build_timeline(events: Iterable[Event],
                   frameworks: Mapping[int, Framework]) -> list[TimelineEntry]:
    ordered = order(events)
    retracted_by = {
        e.details.retracts: e.id for e in ordered if isinstance(e.details, Retraction)
    }
    verified_by = {
        e.details.verifies: e.author for e in ordered if isinstance(e.details, Verification)
        and e.id not in retracted_by
    }
    upgrades: dict[int, list[BandUpgrade]] = {}
    pending: Collection[int] = ()
    if ordered:
        final = replay(ordered[0].person_id, ordered, frameworks)[0]
        for upgrade in final.band_upgrades:
            upgrades.setdefault(upgrade.trigger, []).append(upgrade)
        pending = final.pending
    entries = []
    for e in ordered:
        framework = _framework(frameworks, e)
        # A self-reported event names its verifier only as a claim: verified_by says who
        # actually vouched, through a verification event.
        named = None if e.self_reported else e.verifier
        entries.append(TimelineEntry(e.effective_on, e.kind.value, advance_of(e.kind),
                                     describe(e, framework), e, None, retracted_by.get(e.id),
                                     named or verified_by.get(e.id), e.id in pending))
        for upgrade in upgrades.get(e.id, ()):
            entries.append(TimelineEntry(upgrade.on, "band_upgrade", Advance.MICRO,
                                         describe_upgrade(upgrade, framework),
                                         band_upgrade=upgrade))
    # A band upgrade a verification unlocked is dated on the verification, after its step.
    entries.sort(key=_ON)
    return entries


_ON = attrgetter("on")


def describe_upgrade(u: BandUpgrade, framework: Framework | None) -> str:
    band = framework.bands.get(u.band) if framework else None
    name = band.name if band else u.band
    level = next((lv.name for lv in band.levels if lv.level == u.to_level), None) \
        if band else None
    pay = ""
    if u.pay_after != u.pay_before and u.pay_after is not None:
        pay = f", pay {u.pay_after:,}"
    return (f"Band upgrade: {name} level {u.from_level} -> {u.to_level}"
            + (f" ({level})" if level else "") + f"{pay}, from event {u.trigger}")


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

    def criterion(criterion_id: str) -> str:
        c = framework.criteria.get(criterion_id) if framework else None
        return f'"{_one_line(c.text)}" ({criterion_id})' if c else criterion_id

    pay = f", pay {d.pay:,}" if isinstance(d, Hire | Promotion | LateralMove) and d.pay else ""
    if isinstance(d, Hire):
        return f"Hired as {role(d.role)}{pay}"
    if isinstance(d, Promotion):
        why = f" (override: {d.override_reason})" if d.override_reason else ""
        case = f" (case {d.case})" if d.case else ""
        return f"Promoted to {role(d.role)}{pay}{case}{why}"
    if isinstance(d, LateralMove):
        return f"Moved to {role(d.role)}{pay}"
    if isinstance(d, SkillStep):
        return f"{competency(d.competency)}: mastery {d.from_mastery} -> {d.to_mastery}"
    if isinstance(d, Demonstrated):
        how = f": {_one_line(event.evidence)}" if event.evidence else ""
        return f"Demonstrated {criterion(d.criterion)}{how}"
    if isinstance(d, Assessed):
        scale = framework.criteria_policy.scale if framework else None
        word = scale.describe(d.proficiency).split(":", 1)[0].strip() if scale else ""
        at = f"{d.proficiency} ({word})" if word else str(d.proficiency)
        # who assessed, not their name: an event's author is private to the person's circle
        who = {Assessor.SELF: "self", Assessor.MANAGER: "the manager",
               Assessor.PEER: "a peer"}[d.assessor]
        return f"Assessed {criterion(d.criterion)} at {at} by {who}"
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
    if isinstance(d, Review):
        label = framework.reviews.rating.label(d.rating) if framework else ""
        return (f"{d.reviewer_role.value.capitalize()} review in cycle {d.cycle}: rating "
                f"{d.rating}" + (f" ({label})" if label else ""))
    if isinstance(d, Calibration):
        label = framework.reviews.rating.label(d.to_rating) if framework else ""
        return (f"Rating in cycle {d.cycle} calibrated from {d.from_rating} to {d.to_rating}"
                + (f" ({label})" if label else "") + f" in session {d.session}: {d.reason}")
    if isinstance(d, Verification):
        notes = f": {d.notes}" if d.notes else ""
        return f"Verified the evidence of event {d.verifies}{notes}"
    assert isinstance(d, Retraction)
    return f"Retracted event {d.retracts}: {d.reason}"


TEXT_SHOWN = 120  # a long criterion or evidence shows its start on the timeline


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TEXT_SHOWN else line[:TEXT_SHOWN - 1].rstrip() + "…"


def entry_document(e: TimelineEntry) -> dict[str, Any]:
    """One timeline entry as stable JSON (docs/ledger.md): derived entries have no id."""
    doc: dict[str, Any] = {
        "id": e.id, "kind": e.kind, "advance": e.advance.value,
        "effective_on": e.on.isoformat(), "summary": e.summary,
        "retracted_by": e.retracted_by, "verified_by": e.verified_by, "derived_from": None,
        "pending": e.pending,
    }
    if e.event is not None:
        doc.update(recorded_at=e.event.recorded_at.isoformat(), author=e.event.author,
                   evidence=e.event.evidence, verifier=e.event.verifier,
                   details=details_to_mapping(e.event.details))
    elif e.band_upgrade is not None:
        u = e.band_upgrade
        doc.update(derived_from=u.trigger, recorded_at=None, author="trellis", evidence=None,
                   verifier=None, details={"band": u.band, "from_level": u.from_level,
                                           "to_level": u.to_level, "pay_before": u.pay_before,
                                           "pay_after": u.pay_after})
    return doc
