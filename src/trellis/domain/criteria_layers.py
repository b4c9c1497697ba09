"""Criteria layering: the criteria a person has met, per topic, and when.

The mastery layers of a competency are its dated steps; on a criteria framework the layers
are the criteria met, per topic, on the same grid of quarters. A criterion is met from the
evidence that meets it (domain.criteria.met_on) and can stop being met (a later manager
assessment below its proficiency, a retracted demonstration), so each criterion keeps the
dates its standing changed, replayed from the ledger by ``criteria_changes``. A topic's
count in a period is how many of its criteria were met at the period's end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from .criteria import met_on
from .events import Assessed, Demonstrated, Event
from .framework import Framework
from .profile import Assessment, CriterionRecord, ProfileBuilder, live_events, order

OTHER_TOPIC = "other"  # criteria the framework version no longer has

Change = tuple[date, bool]  # on this date the criterion became met (True) or stopped


@dataclass(frozen=True, slots=True)
class CriterionLayer:
    criterion: str
    text: str
    level: str | None
    met_on: date | None  # the latest evidence that meets it on the profile's date
    demonstrated_on: date | None
    demonstrations: int
    assessments: Mapping[str, Assessment]  # by assessor (self, manager, peer), kept apart
    expected: bool  # the person's current role expects it
    changes: tuple[Change, ...] = ()

    @property
    def met(self) -> bool:
        return self.met_on is not None

    def met_at(self, on: date) -> bool:
        """Whether it was met on a date: the last change on or before it."""
        held = False
        for when, met in self.changes:
            if when > on:
                break
            held = met
        return held


@dataclass(frozen=True, slots=True)
class TopicLayers:
    topic: str
    name: str
    expected: int  # the criteria of this topic the current role expects
    criteria: tuple[CriterionLayer, ...]  # those with evidence (and the role's, when asked)
    held: tuple[int, ...] = ()  # criteria met at the end of each period of the grid

    @property
    def met(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    @property
    def met_expected(self) -> int:
        return sum(1 for c in self.criteria if c.met and c.expected)


def criteria_changes(events: Iterable[Event], frameworks: Mapping[int, Framework],
                     person_id: int, at: date) -> dict[str, tuple[Change, ...]]:
    """When each criterion became met or stopped being met, up to ``at``.

    The events are replayed through the same fold as the profile, so every rule (and every
    retraction) counts as it does there.
    """
    builder = ProfileBuilder(person_id, frameworks)
    out: dict[str, list[Change]] = {}
    for event in order(live_events(events)):
        if event.effective_on > at:
            break
        builder.apply(event)
        # A verification that releases a pending demonstration changes its criterion then.
        source = builder.released or event
        d = source.details
        if not isinstance(d, Demonstrated | Assessed):
            continue
        version = source.framework_version
        framework = frameworks.get(version) if version is not None else None
        criterion = framework.criteria.get(d.criterion) if framework else None
        if framework is None or criterion is None:
            continue
        met = met_on(builder.criteria.get(d.criterion), criterion,
                     framework.criteria_policy) is not None
        changes = out.setdefault(d.criterion, [])
        if (changes[-1][1] if changes else False) != met:
            changes.append((event.effective_on, met))
    return {c: tuple(v) for c, v in out.items() if v}


def topic_layers(records: Mapping[str, CriterionRecord], framework: Framework | None,
                 role_criteria: Iterable[str], track: str | None, *,
                 every: bool = False,
                 changes: Mapping[str, tuple[Change, ...]] | None = None,
                 period_ends: Iterable[date] = ()) -> tuple[TopicLayers, ...]:
    """The criteria of a profile by topic, in the framework's order.

    ``records`` are ``Profile.criteria``; ``every`` adds every criterion the role
    expects and every topic of the person's track, met or not. ``changes`` (from
    ``criteria_changes``; None: each met criterion met since its latest evidence) date
    them on the grid ending at ``period_ends``.
    """
    expected = set(role_criteria)
    ends = tuple(period_ends)
    policy = framework.criteria_policy if framework else None
    rows: dict[str, list[CriterionLayer]] = {}

    def layer(criterion_id: str) -> CriterionLayer:
        record = records.get(criterion_id)
        c = framework.criteria.get(criterion_id) if framework else None
        met = met_on(record, c, policy) if c is not None and policy is not None else None
        if changes is not None:
            dated = changes.get(criterion_id, ())
        else:
            dated = ((met, True),) if met else ()
        return CriterionLayer(
            criterion_id, c.text if c else criterion_id, c.level if c else None, met,
            record.demonstrated_on if record else None,
            record.demonstrations if record else 0,
            dict(sorted(record.assessments.items())) if record else {},
            criterion_id in expected, tuple(dated))

    topics = framework.topics.values() if framework else ()
    out = []
    seen: set[str] = set()
    for topic in topics:
        seen.update(topic.criteria)
        shown = [c for c in topic.criteria if c in records or (every and c in expected)]
        applies = track is not None and topic.applies_to(track)
        if not shown and not (every and applies):
            continue
        rows[topic.id] = [layer(c) for c in shown]
        out.append((topic.id, topic.name, sum(1 for c in topic.criteria if c in expected)))
    others = sorted(c for c in records if c not in seen)
    if others:
        rows[OTHER_TOPIC] = [layer(c) for c in others]
        out.append((OTHER_TOPIC, "Other (not in the framework)", 0))
    return tuple(
        TopicLayers(topic, name, wanted, tuple(rows[topic]),
                    tuple(sum(1 for c in rows[topic] if c.met_at(end)) for end in ends))
        for topic, name, wanted in out)
