"""How long a nano-step takes: effort estimates learned from the organization's history.

A sample is the time one person took to go from mastery m-1 to m in one competency: the
days between the two steps, or between the hire and a first step. Steps recorded on the
hire date itself (a baseline assessment) say nothing about effort and are skipped.

The estimate for (competency, m) is the median of its samples when there are at least
``MIN_SAMPLES``; otherwise the median for mastery m across all competencies; otherwise a
documented default (``DEFAULT_MONTHS``, by the step's place on its scale). Plans and the
lattice use the same estimates.

A criterion (a behaviour statement of a criteria framework) is one nano-step too. A topic's
criteria are a person's lane as a competency's steps are: a sample is the time from the
person's previous demonstration in the same topic, at the same level, to the next one. The
first demonstration in a topic after a hire or a promotion says when the person began
writing evidence down, not how long a criterion takes, and demonstrations on the same day as
the one before (a batch written up after a review) say nothing about effort: both are
skipped, so a journal caught up in one sitting leaves the estimates alone. The estimate
for a criterion is the median of its own samples (``MIN_SAMPLES`` or more), else of its
level's criteria, else of every criterion, else the prior ``DEFAULT_CRITERION_MONTHS``.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

DAYS_PER_MONTH = 30.4375
MIN_SAMPLES = 5
# Months for a step to mastery m on a 0-5 scale, from the usual shape of skill growth:
# early steps come in weeks, the top steps take a year or more.
DEFAULT_MONTHS = {1: 1.5, 2: 3.0, 3: 5.0, 4: 8.0, 5: 12.0}
# A criterion without history: published frameworks add 10-30 statements a level and a level
# takes one to two years; a plan works on three at a time, so two months each puts a
# level's new criteria at 7-20 months, the usual time in level.
DEFAULT_CRITERION_MONTHS = 2.0
DEFAULT_SPREAD = 0.5  # the log-scale spread of a step's duration when history is thin
PACE_PRIOR = 5.0  # samples of weight the organization's pace gets against a person's own


@dataclass(frozen=True, slots=True)
class StepSample:
    person_id: int
    competency: str
    to_mastery: int
    months: float


@dataclass(frozen=True, slots=True)
class CriterionSample:
    person_id: int
    criterion: str
    level: str  # the criterion's level (a level id of the framework)
    months: float


def default_months(to_mastery: int, scale_max: int = 5) -> float:
    """The documented default, stretched to scales other than 0-5."""
    position = max(1, min(5, math.ceil(to_mastery * 5 / max(scale_max, 1))))
    return DEFAULT_MONTHS[position]


@dataclass(frozen=True, slots=True)
class Estimate:
    months: float  # the median
    spread: float  # log-scale spread (for forecasts)
    samples: int
    source: str  # "competency", "mastery", "criterion", "level", "criteria" or "default"


@dataclass(frozen=True)
class EffortModel:
    by_step: Mapping[tuple[str, int], Estimate] = field(default_factory=dict)
    by_mastery: Mapping[int, Estimate] = field(default_factory=dict)
    by_criterion: Mapping[str, Estimate] = field(default_factory=dict)
    by_criteria_level: Mapping[str, Estimate] = field(default_factory=dict)
    criteria_overall: Estimate | None = None

    def criterion_estimate(self, criterion: str, level: str) -> Estimate:
        found = self.by_criterion.get(criterion) or self.by_criteria_level.get(level) \
            or self.criteria_overall
        if found is not None:
            return found
        return Estimate(DEFAULT_CRITERION_MONTHS, DEFAULT_SPREAD, 0, "default")

    def estimate(self, competency: str, to_mastery: int, scale_max: int = 5) -> Estimate:
        found = self.by_step.get((competency, to_mastery))
        if found is not None:
            return found
        general = self.by_mastery.get(to_mastery)
        if general is not None:
            return general
        return Estimate(default_months(to_mastery, scale_max), DEFAULT_SPREAD, 0, "default")

    def months(self, competency: str, to_mastery: int, scale_max: int = 5) -> float:
        return self.estimate(competency, to_mastery, scale_max).months


def _estimate(values: list[float], source: str) -> Estimate:
    logs = [math.log(max(v, 0.25)) for v in values]
    spread = statistics.pstdev(logs) if len(logs) > 1 else DEFAULT_SPREAD
    return Estimate(round(statistics.median(values), 2), round(max(spread, 0.1), 3),
                    len(values), source)


def learn_efforts(samples: Iterable[StepSample],
                  criteria: Iterable[CriterionSample] = ()) -> EffortModel:
    by_step: dict[tuple[str, int], list[float]] = defaultdict(list)
    by_mastery: dict[int, list[float]] = defaultdict(list)
    for s in samples:
        by_step[(s.competency, s.to_mastery)].append(s.months)
        by_mastery[s.to_mastery].append(s.months)
    by_criterion: dict[str, list[float]] = defaultdict(list)
    by_level: dict[str, list[float]] = defaultdict(list)
    overall: list[float] = []
    for c in criteria:
        by_criterion[c.criterion].append(c.months)
        by_level[c.level].append(c.months)
        overall.append(c.months)
    return EffortModel(
        by_step={k: _estimate(v, "competency") for k, v in by_step.items()
                 if len(v) >= MIN_SAMPLES},
        by_mastery={k: _estimate(v, "mastery") for k, v in by_mastery.items()
                    if len(v) >= MIN_SAMPLES},
        by_criterion={k: _estimate(v, "criterion") for k, v in by_criterion.items()
                      if len(v) >= MIN_SAMPLES},
        by_criteria_level={k: _estimate(v, "level") for k, v in by_level.items()
                           if len(v) >= MIN_SAMPLES},
        criteria_overall=_estimate(overall, "criteria") if len(overall) >= MIN_SAMPLES
        else None,
    )


def step_samples(person_id: int, hired_on: date | None,
                 steps: Iterable[tuple[date, str, int]]) -> list[StepSample]:
    """Samples from one person's live skill steps: (date, competency, to_mastery)."""
    last: dict[str, date] = {}
    out = []
    for on, competency, to_mastery in sorted(steps):
        start = last.get(competency, hired_on)
        last[competency] = on
        if start is None or on <= start:
            continue  # a baseline on the hire date, or a step with nothing before it
        out.append(StepSample(person_id, competency, to_mastery,
                              (on - start).days / DAYS_PER_MONTH))
    return out


def criterion_samples(person_id: int, events: Iterable[tuple[date, str, str]],
                      criteria: Mapping[str, tuple[str, str]]) -> list[CriterionSample]:
    """Samples from one person's live events, in ledger order: (date, kind, criterion),
    where kind is ``level`` (a hire or a promotion: a new level starts) or ``demonstrated``.
    ``criteria`` maps a criterion id to its (topic, level); unknown ones are skipped."""
    level_start: date | None = None
    last: dict[str, date] = {}  # topic -> the person's latest demonstration in it
    out = []
    for on, kind, criterion in sorted(events, key=lambda e: e[0]):
        if kind == "level":
            level_start = on
            continue
        found = criteria.get(criterion)
        if found is None:
            continue
        topic, level = found
        start = last.get(topic)
        last[topic] = on
        if start is None or on <= start or (level_start is not None and start < level_start):
            continue
        out.append(CriterionSample(person_id, criterion, level,
                                   (on - start).days / DAYS_PER_MONTH))
    return out


def personal_pace(model: EffortModel, samples: Iterable[StepSample],
                  criteria: Iterable[CriterionSample] = ()) -> float:
    """How fast a person moves against the organization: 1.0 is typical, 0.5 twice as fast.

    The geometric mean of their own step (and criterion) times over the estimates, shrunk
    toward 1 by ``PACE_PRIOR`` samples' worth of the organization's pace.
    """
    logs = [math.log(max(s.months, 0.25) / model.months(s.competency, s.to_mastery))
            for s in samples]
    logs += [math.log(max(c.months, 0.25)
                      / model.criterion_estimate(c.criterion, c.level).months)
             for c in criteria]
    if not logs:
        return 1.0
    weight = len(logs) / (len(logs) + PACE_PRIOR)
    return round(math.exp(weight * sum(logs) / len(logs)), 3)


def model_to_document(model: EffortModel) -> dict[str, list[list[Any]]]:
    overall = model.criteria_overall
    return {
        "by_step": [[c, m, e.months, e.spread, e.samples] for (c, m), e in
                    sorted(model.by_step.items())],
        "by_mastery": [[m, e.months, e.spread, e.samples] for m, e in
                       sorted(model.by_mastery.items())],
        "by_criterion": [[c, e.months, e.spread, e.samples] for c, e in
                         sorted(model.by_criterion.items())],
        "by_criteria_level": [[lv, e.months, e.spread, e.samples] for lv, e in
                              sorted(model.by_criteria_level.items())],
        "criteria": [] if overall is None else [[overall.months, overall.spread,
                                                 overall.samples]],
    }


def model_from_document(doc: Mapping[str, list[list[Any]]]) -> EffortModel:
    """The model back (a document from before criteria had no criteria keys)."""
    overall = doc.get("criteria") or []
    return EffortModel(
        by_step={(c, m): Estimate(mo, sp, n, "competency") for c, m, mo, sp, n in doc["by_step"]},
        by_mastery={m: Estimate(mo, sp, n, "mastery") for m, mo, sp, n in doc["by_mastery"]},
        by_criterion={c: Estimate(mo, sp, n, "criterion")
                      for c, mo, sp, n in doc.get("by_criterion", [])},
        by_criteria_level={lv: Estimate(mo, sp, n, "level")
                           for lv, mo, sp, n in doc.get("by_criteria_level", [])},
        criteria_overall=Estimate(overall[0][0], overall[0][1], overall[0][2], "criteria")
        if overall else None,
    )
