"""Carry a person's evidence from a framework version to the next, along ``replaces``.

Evidence is never moved or rewritten: what the person did stays in the ledger under the
version it was recorded in. Carrying adds *derived* events in the new version, dated on
the day it takes effect (and on each later day that brought evidence on a replaced item,
for a version that took effect in the past), each naming the events it comes from:

- a competency: a skill step from the person's mastery in the new item to the highest
  mastery of the items it replaces (a merge keeps the highest; a split copies to each);
- a criterion: a demonstration carrying the latest demonstration of the items it replaces,
  and per kind of assessor (self, manager, peer: never mixed) the highest latest assessment.

A new item that also existed before (``a`` replaces ``b``, keeping ``a``) keeps its own
evidence where it is better: a higher mastery, a later demonstration, a higher assessment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from .events import Assessed, Assessor, Demonstrated, Event, SkillStep
from .framework import Framework
from .framework_diff import EvidenceMap
from .profile import Assessment, ProfileBuilder, live_events, order

CarriedDetails = SkillStep | Demonstrated | Assessed


@dataclass(frozen=True, slots=True)
class Carried:
    """A derived event to record: what it says, on which day, and what it comes from."""

    on: date
    details: CarriedDetails
    evidence: str
    sources: tuple[int, ...]  # the ids of the events it carries


def carried_author(previous: str) -> str:
    return f"trellis (carried from {previous})"


def touches(event: Event, competencies: EvidenceMap, criteria: EvidenceMap) -> bool:
    """Whether an event is evidence on an item that a new version replaces."""
    d = event.details
    if isinstance(d, SkillStep):
        return d.competency in competencies.targets
    if isinstance(d, Demonstrated | Assessed):
        return d.criterion in criteria.targets
    return False


def carry_forward(
    person_id: int,
    events: Iterable[Event],
    frameworks: Mapping[int, Framework],
    *,
    new_version: int,
    effective: date,
    competencies: EvidenceMap,
    criteria: EvidenceMap,
    previous: str,
) -> list[Carried]:
    """The derived events that carry one person's evidence into ``new_version`` (held in
    ``frameworks``), in ledger order. ``previous`` names the version carried from, in the
    evidence ("software-company v1")."""
    ordered = order(live_events(events))
    later = sorted({e.effective_on for e in ordered
                    if e.effective_on > effective and touches(e, competencies, criteria)})
    new = frameworks[new_version]
    carry = _Carry(ProfileBuilder(person_id, frameworks), new, competencies, criteria,
                   previous)
    out: list[Carried] = []
    i = 0
    for day in [effective, *later]:
        while i < len(ordered) and ordered[i].effective_on <= day:
            carry.builder.apply(ordered[i])
            i += 1
        b = carry.builder
        if b.hired_on is None or b.departed_on is not None:
            continue  # not employed that day: the evidence stays where it is
        for found in carry.due(day):
            out.append(found)
            carry.builder.apply(Event(-len(out), person_id, day, found.details,
                                      datetime.min, "", found.evidence,
                                      framework_version=new_version))
    return out


@dataclass
class _Carry:
    builder: ProfileBuilder
    new: Framework
    competencies: EvidenceMap
    criteria: EvidenceMap
    previous: str
    carried: dict[tuple[str, str], int] = field(default_factory=dict)  # (item, kind): source

    def due(self, day: date) -> list[Carried]:
        """What to carry on a day, judged on the evidence before any of it is carried (so
        ``a`` replacing ``b`` replacing ``c`` never carries ``c`` on to ``a``). Derived
        events of this run have negative ids: they are never a source."""
        return [*self._mastery(day), *self._criteria(day)]

    def _mastery(self, day: date) -> list[Carried]:
        out = []
        for target in self.competencies.new_items:
            comp = self.new.competencies.get(target)
            if comp is None:
                continue
            reached = [(own[-1].to_mastery, own[-1].on, old, own[-1].event_id)
                       for old in self.competencies.sources(target)
                       if (own := [s for s in self.builder.steps.get(old, ()) if s.event_id > 0])]
            if not reached:
                continue
            mastery, _, old, source = max(reached)
            steps = self.builder.steps.get(target)
            current = steps[-1].to_mastery if steps else 0
            mastery = min(mastery, comp.scale.max)
            if mastery > current:
                out.append(Carried(day, SkillStep(target, current, mastery),
                                   f"carried from {self.previous}: '{old}' at mastery "
                                   f"{mastery} (event {source})", (source,)))
        return out

    def _criteria(self, day: date) -> list[Carried]:
        out = []
        records = self.builder.criteria
        for target in self.criteria.new_items:
            if target not in self.new.criteria:
                continue
            sources = [records[old] for old in self.criteria.sources(target) if old in records]
            own = records.get(target)
            shown = [(r.demonstrated_on, r.criterion, r.demonstrated_event) for r in sources
                     if r.demonstrated_on is not None and (r.demonstrated_event or 0) > 0]
            if shown:
                on, old, event = max(shown)
                if own is None or own.demonstrated_on is None or own.demonstrated_on < on:
                    out.append(Carried(day, Demonstrated(target),
                                       f"carried from {self.previous}: '{old}' demonstrated "
                                       f"on {on} (event {event})", (event or 0,)))
            for kind in dict.fromkeys(k for r in sources for k in r.assessments):
                assessed = [(a.proficiency, a.on, r.criterion, a.event_id) for r in sources
                            if (a := r.assessments.get(kind)) is not None and a.event_id > 0]
                if not assessed:
                    continue
                proficiency, on, old, source = max(assessed)
                mine: Assessment | None = own.assessments.get(kind) if own else None
                if mine is not None and (
                        self.carried.get((target, kind)) == source if mine.event_id < 0
                        else mine.proficiency >= proficiency):
                    continue  # carried already, or the item's own is as high: a merge keeps it
                self.carried[(target, kind)] = source
                out.append(Carried(day, Assessed(target, proficiency, Assessor(kind)),
                                   f"carried from {self.previous}: '{old}' assessed "
                                   f"{proficiency} by {kind} on {on} (event {source})",
                                   (source,)))
        return out
