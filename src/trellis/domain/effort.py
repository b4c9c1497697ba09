"""How long a nano-step takes: effort estimates learned from the organization's history.

A sample is the time one person took to go from mastery m-1 to m in one competency: the
days between the two steps, or between the hire and a first step. Steps recorded on the
hire date itself (a baseline assessment) say nothing about effort and are skipped.

The estimate for (competency, m) is the median of its samples when there are at least
``MIN_SAMPLES``; otherwise the median for mastery m across all competencies; otherwise a
documented default (``DEFAULT_MONTHS``, by the step's place on its scale). Plans and the
lattice use the same estimates.
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
DEFAULT_SPREAD = 0.5  # the log-scale spread of a step's duration when history is thin
PACE_PRIOR = 5.0  # samples of weight the organization's pace gets against a person's own


@dataclass(frozen=True, slots=True)
class StepSample:
    person_id: int
    competency: str
    to_mastery: int
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
    source: str  # "competency", "mastery" or "default"


@dataclass(frozen=True)
class EffortModel:
    by_step: Mapping[tuple[str, int], Estimate] = field(default_factory=dict)
    by_mastery: Mapping[int, Estimate] = field(default_factory=dict)

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


def learn_efforts(samples: Iterable[StepSample]) -> EffortModel:
    by_step: dict[tuple[str, int], list[float]] = defaultdict(list)
    by_mastery: dict[int, list[float]] = defaultdict(list)
    for s in samples:
        by_step[(s.competency, s.to_mastery)].append(s.months)
        by_mastery[s.to_mastery].append(s.months)
    return EffortModel(
        by_step={k: _estimate(v, "competency") for k, v in by_step.items()
                 if len(v) >= MIN_SAMPLES},
        by_mastery={k: _estimate(v, "mastery") for k, v in by_mastery.items()
                    if len(v) >= MIN_SAMPLES},
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


def personal_pace(model: EffortModel, samples: Iterable[StepSample]) -> float:
    """How fast a person moves against the organization: 1.0 is typical, 0.5 twice as fast.

    The geometric mean of their own step times over the estimates, shrunk toward 1 by
    ``PACE_PRIOR`` samples' worth of the organization's pace.
    """
    logs = [math.log(max(s.months, 0.25) / model.months(s.competency, s.to_mastery))
            for s in samples]
    if not logs:
        return 1.0
    weight = len(logs) / (len(logs) + PACE_PRIOR)
    return round(math.exp(weight * sum(logs) / len(logs)), 3)


def model_to_document(model: EffortModel) -> dict[str, list[list[Any]]]:
    return {
        "by_step": [[c, m, e.months, e.spread, e.samples] for (c, m), e in
                    sorted(model.by_step.items())],
        "by_mastery": [[m, e.months, e.spread, e.samples] for m, e in
                       sorted(model.by_mastery.items())],
    }


def model_from_document(doc: Mapping[str, list[list[Any]]]) -> EffortModel:
    return EffortModel(
        by_step={(c, m): Estimate(mo, sp, n, "competency") for c, m, mo, sp, n in doc["by_step"]},
        by_mastery={m: Estimate(mo, sp, n, "mastery") for m, mo, sp, n in doc["by_mastery"]},
    )
