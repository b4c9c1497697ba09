"""A person's timeline: every event in ledger order, classified and described in words."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from trellis.errors import Term

from .days import day_words
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
    Details,
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
from .money import money
from .people import name_of
from .profile import BandUpgrade, order, replay


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """A ledger event, or a band upgrade the fold derived from one (``event`` is None)."""

    on: date
    kind: str
    advance: Advance
    said: Term  # its line: in words, and as the command line says it (``summary``)
    event: Event | None = None
    band_upgrade: BandUpgrade | None = None
    retracted_by: int | None = None
    verified_by: str | None = None  # who vouched for the evidence, when recorded or later
    pending: bool = False  # self-reported, waiting for someone else to verify it

    @property
    def id(self) -> int | None:
        return self.event.id if self.event else None

    @property
    def summary(self) -> str:
        """The line as the command line and the API's timeline say it, with ids."""
        return self.said.command


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
    words: dict[int, tuple[date, str]] = {}  # each event's line in words, for a later one

    def event_named(event_id: int) -> str:
        found = words.get(event_id)
        return f"“{found[1]}” of {day_words(found[0])}" if found else "an earlier event"

    wording = Wording(event=event_named)
    for e in ordered:
        framework = _framework(frameworks, e)
        # A self-reported event names its verifier only as a claim: verified_by says who
        # actually vouched, through a verification event.
        named = None if e.self_reported else e.verifier
        said = line(e.details, framework, evidence=e.evidence, wording=wording)
        words[e.id] = (e.effective_on, said.words)
        entries.append(TimelineEntry(e.effective_on, e.kind.value, advance_of(e.kind),
                                     said, e, None, retracted_by.get(e.id),
                                     named or verified_by.get(e.id), e.id in pending))
        for upgrade in upgrades.get(e.id, ()):
            entries.append(TimelineEntry(upgrade.on, "band_upgrade", Advance.MICRO,
                                         upgrade_line(upgrade, framework, wording),
                                         band_upgrade=upgrade))
    # A band upgrade a verification unlocked is dated on the verification, after its step.
    entries.sort(key=_ON)
    return entries


_ON = attrgetter("on")


def describe_upgrade(u: BandUpgrade, framework: Framework | None) -> str:
    """A band upgrade's line as the command line says it (ids, the event that led to it)."""
    return upgrade_line(u, framework).command


def describe(event: Event, framework: Framework | None) -> str:
    """One line a person can read: "Promoted to Senior Software Engineer (L4), pay 140000",
    as the command line (and the API's summary) says it."""
    return line(event.details, framework, evidence=event.evidence).command


def _an_earlier_event(event_id: int) -> str:
    return "an earlier event"  # words never name an event by its id


@dataclass(frozen=True, slots=True)
class Wording:
    """What a line names beyond the framework, as a page says it: a colleague by name
    (``names``: handle -> name), pay in ``currency``, and another event of the timeline
    (``event``: its id -> what it was and when, "“Coding: mastery 2 → 3” of 2 Mar 2024")."""

    names: Mapping[str, str] = field(default_factory=dict)
    currency: str | None = None
    event: Callable[[int], str] = _an_earlier_event


PLAIN = Wording()


def upgrade_line(u: BandUpgrade, framework: Framework | None,
                 wording: Wording = PLAIN) -> Term:
    """A band upgrade's line: in words its pay with the currency and, after it, the step
    that led to it; on the command line "from event 12"."""
    band = framework.bands.get(u.band) if framework else None
    name = band.name if band else u.band
    level = next((lv.name for lv in band.levels if lv.level == u.to_level), None) \
        if band else None
    named = f" ({level})" if level else ""
    pay = Term("", "")
    if u.pay_after != u.pay_before and u.pay_after is not None:
        pay = Term(f", pay {money(u.pay_after, wording.currency)}", f", pay {u.pay_after:,}")
    return Term(f"Band upgrade: {name} level {u.from_level} → {u.to_level}{named}{pay.words}"
                f", after {wording.event(u.trigger)}",
                f"Band upgrade: {name} level {u.from_level} -> {u.to_level}{named}"
                f"{pay.command}, from event {u.trigger}")


def _framework(frameworks: Mapping[int, Framework], event: Event) -> Framework | None:
    try:
        return frameworks[event.framework_version]
    except KeyError:
        return None


def line(d: Details, framework: Framework | None, *, evidence: str | None = None,
         wording: Wording = PLAIN) -> Term:
    """An event's line in both readings: in words roles by title and level name, criteria by
    their statement, functions by their track's name, people by name, pay with its currency,
    arrows as arrows and another event by what it was; on the command line the ids, as
    ``trellis log`` takes them ("Engineer I (L1)", "(comms.1)", "event 12")."""

    def role(role_id: str) -> Term:
        r = framework.roles.get(role_id) if framework else None
        if r is None:
            return Term(role_id, role_id)
        lv = framework.levels.get(r.level) if framework else None
        return Term(f"{r.title} ({lv.name if lv else r.level})", f"{r.title} ({r.level})")

    def competency(comp_id: str) -> str:
        c = framework.competencies.get(comp_id) if framework else None
        return c.name if c else comp_id

    def criterion(criterion_id: str) -> Term:
        c = framework.criteria.get(criterion_id) if framework else None
        if c is None:
            return Term(criterion_id, criterion_id)
        said = f'"{_one_line(c.text)}"'
        return Term(said, f"{said} ({criterion_id})")

    def pay(amount: int | None) -> Term:
        return Term(f", pay {money(amount, wording.currency)}", f", pay {amount:,}") \
            if amount else Term("", "")

    def same(text: str) -> Term:
        return Term(text, text)

    if isinstance(d, Hire):
        r, p = role(d.role), pay(d.pay)
        return Term(f"Hired as {r.words}{p.words}", f"Hired as {r.command}{p.command}")
    if isinstance(d, Promotion):
        why = f" (override: {d.override_reason})" if d.override_reason else ""
        case = f" (case {d.case})" if d.case else ""  # a page links the case beside it
        r, p = role(d.role), pay(d.pay)
        return Term(f"Promoted to {r.words}{p.words}{why}",
                    f"Promoted to {r.command}{p.command}{case}{why}")
    if isinstance(d, LateralMove):
        r, p = role(d.role), pay(d.pay)
        return Term(f"Moved to {r.words}{p.words}", f"Moved to {r.command}{p.command}")
    if isinstance(d, SkillStep):
        name = competency(d.competency)
        return Term(f"{name}: mastery {d.from_mastery} → {d.to_mastery}",
                    f"{name}: mastery {d.from_mastery} -> {d.to_mastery}")
    if isinstance(d, Demonstrated):
        how = f": {_one_line(evidence)}" if evidence else ""
        c = criterion(d.criterion)
        return Term(f"Demonstrated {c.words}{how}", f"Demonstrated {c.command}{how}")
    if isinstance(d, Assessed):
        scale = framework.criteria_policy.scale if framework else None
        word = scale.describe(d.proficiency).split(":", 1)[0].strip() if scale else ""
        at = f"{d.proficiency} ({word})" if word else str(d.proficiency)
        # who assessed, not their name: an event's author is private to the person's circle
        who = {Assessor.SELF: "self", Assessor.MANAGER: "the manager",
               Assessor.PEER: "a peer"}[d.assessor]
        c = criterion(d.criterion)
        return Term(f"Assessed {c.words} at {at} by {who}",
                    f"Assessed {c.command} at {at} by {who}")
    if isinstance(d, Certification):
        issuer = f" from {d.issuer}" if d.issuer else ""
        return same(f"Certified: {d.certification}{issuer}")
    if isinstance(d, ProjectLeadership):
        team = f" (team of {d.team_size})" if d.team_size else ""
        return same(f"Led project {d.project}{team}")
    if isinstance(d, Responsibility):
        track = framework.tracks.get(d.function) if framework else None
        function = Term(track.name if track else d.function, d.function)
        if d.share == 0:
            return Term(f"Handed back duties in {function.words}",
                        f"Handed back duties in {function.command}")
        what = f": {d.description}" if d.description else ""
        took = f"Took on {d.share:.0%} in "
        return Term(f"{took}{function.words}{what}", f"{took}{function.command}{what}")
    if isinstance(d, Recognition):
        label = d.recognition_kind.value.replace("_", " ").capitalize()
        points = f", {d.points} points" if d.points else ""
        giver = Term("", "")
        if d.giver:
            giver = Term(f" from {name_of(wording.names, d.giver)}", f" from {d.giver}")
        paid = Term(f", {money(d.amount, wording.currency)} paid", f", {d.amount:,} paid") \
            if d.amount else Term("", "")
        return Term(f"{label}{giver.words}: {d.citation}{points}{paid.words}",
                    f"{label}{giver.command}: {d.citation}{points}{paid.command}")
    if isinstance(d, Compensation):
        label = d.compensation_kind.value.capitalize()
        if d.percent is not None:
            return same(f"{label} {d.percent:+.1f}%")
        amount = d.amount or 0
        return Term(f"{label} {'-' if amount < 0 else '+'}"
                    f"{money(abs(amount), wording.currency)}", f"{label} {amount:+,}")
    if isinstance(d, CheckIn):
        mood = f"engagement {d.engagement}/5" if d.engagement else "check-in"
        notes = f": {d.notes}" if d.notes else ""
        return same(f"Check-in, {mood}{notes}")
    if isinstance(d, Departure):
        return same(f"Left ({d.departure_kind.value})" + (f": {d.notes}" if d.notes else ""))
    if isinstance(d, Review):
        label = framework.reviews.rating.label(d.rating) if framework else ""
        return same(f"{d.reviewer_role.value.capitalize()} review in cycle {d.cycle}: rating "
                    f"{d.rating}" + (f" ({label})" if label else ""))
    if isinstance(d, Calibration):
        label = framework.reviews.rating.label(d.to_rating) if framework else ""
        said = (f"Rating in cycle {d.cycle} calibrated from {d.from_rating} to {d.to_rating}"
                + (f" ({label})" if label else ""))
        # the session by name on the command line, which finds sessions by it; a page has
        # it on the calibration page (its default name holds the group's id)
        return Term(f"{said}: {d.reason}", f"{said} in session {d.session}: {d.reason}")
    if isinstance(d, Verification):
        notes = f": {d.notes}" if d.notes else ""
        return Term(f"Verified the evidence of {wording.event(d.verifies)}{notes}",
                    f"Verified the evidence of event {d.verifies}{notes}")
    assert isinstance(d, Retraction)
    return Term(f"Retracted {wording.event(d.retracts)}: {d.reason}",
                f"Retracted event {d.retracts}: {d.reason}")


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
