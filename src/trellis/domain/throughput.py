"""A person's throughput: nano-steps a quarter across all competencies, learned from the
organization's history, and each step's relative difficulty.

**Work shares, not calendar gaps.** People work on several competencies at once, so the
calendar time between two steps in one competency counts the months spent on the others.
A step's *work* is the time its lane (its competency, or its criterion's topic) was open,
from the lane's previous step (or the start of the person's record, below; for a topic,
the start of the level if later) to the step, with each day divided among the lanes open
on it: three lanes open for nine months are three months of work each. The work of a
person's steps adds up to the time at least one lane was open, never more.

**Record.** From the hire, or from the first recorded step if later, which opens the
record and is not counted (its effort came before anything was written down; a baseline
on the hire date likewise). A person with no step has no record: an HR import, or a
journal begun today, says nothing about pace.

**Difficulty.** A step's sample is its work times the person's raw rate (steps a quarter
over their record): the share of their throughput it took, so fast and slow people
measure the same step alike. A step's difficulty is the median of its samples (by
competency and mastery with ``MIN_SAMPLES`` or more, else by mastery, likewise a
criterion, its level, every criterion) over the median of all samples: the median step is
1. Without history: the documented months of ``domain.effort`` over 5 months (the default
for a step to mastery 3, the middle of the scale).

**Throughput** is difficulty-weighted steps a quarter (median steps a quarter). The prior
for *comparable people*, those in the same track at the same level, is learned from every
spell (a stay in one role of at least a quarter) at that track and level: work done over
quarters spent. Fewer than ``MIN_GROUP`` spells there: the level in every track, then the
whole organization, then ``DEFAULT_RATE`` with strength ``DEFAULT_STRENGTH``. The prior is
a gamma distribution fitted by the method of moments for Poisson rates with exposures
(Marshall 1991): mean ``m = sum(work) / sum(quarters)``, the spread of the spells' rates
beyond what chance alone gives, ``v = s2 - m / mean(quarters)``, and strength
``beta = m / v`` *quarters*, held to ``STRENGTH_RANGE``. The person's own record updates it:
``rate = (m * beta + work) / (beta + quarters)``, so their own pace weighs
``quarters / (quarters + beta)``. The group's *focus* is the share of its work that closed
a gap of the next role up the track while two lanes of that role's gaps or more were open
(a plan is drawn up with gaps open; work done once the next role is met aims at nothing),
and its *last focus* the same share while one lane was left: a plan's final steps lie in
one lane, which gets one lane's share of the person's work however focused they were
while many were open (none, where nobody aims beyond their role). More generally the
share grows with the lanes open (fewer lanes, fewer of a person's parallel threads can be
on them): ``lane_focus`` is it while 1, 2, ... ``LANE_CAP`` (or more) lanes were open. The
plan's pace is ``rate`` times the harmonic mean of the shares of the lanes open at each of
its steps, weighted by their work (``Throughput.plan_focus``): its time is the sum of the
parts' times.

**Forecast.** Work arrives as a gamma process: ``k`` events a median step (``dispersion``:
learned from how unevenly work falls in people's quarters; 1 is a Poisson process) at the
pace ``focus * lambda``, where ``lambda`` is gamma with shape ``a = m * beta + work`` and
rate ``b = beta + quarters``. The time ``T`` to finish ``W`` median steps then has
``P(T <= t) = I(x; k W, a)`` with ``x = k focus t / (k focus t + b)``, the regularized
incomplete beta function (the negative binomial's tail), so a plan's milestones and its
P10/P50/P90 come from one distribution, exactly, without simulation.

**Spread.** The posterior does not know how much the share of a person's pace that goes to
one plan's steps varies; ``spread``, fitted by ``fit_spread`` on the organization's own
earlier plans (services.plan_outcomes), is the variance of a factor of mean 1 on the pace
beyond it. The forecast draws the pace from the gamma of the posterior's mean and the
product's squared coefficient of variation (``Throughput.predictive_shape``): the same
closed form with ``a' = 1 / ((1 + 1/a)(1 + spread) - 1)`` for ``a`` and ``b a' / a`` for
``b``.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from sys import intern
from typing import Any

from .effort import (
    DEFAULT_CRITERION_MONTHS,
    MIN_SAMPLES,
    EffortModel,
    Estimate,
    default_months,
)
from .ledger_rows import EventRow

DAYS_PER_QUARTER = 91.3125
MONTHS_PER_QUARTER = 3
MIN_GROUP = 8  # spells a comparable group needs before its own prior is used
MIN_SPELL_QUARTERS = 1.0  # shorter stays say more about chance than about pace
STRENGTH_RANGE = (1.0, 20.0)  # quarters of record the prior is worth
DEFAULT_RATE = 2.0  # median steps a quarter with no history (a 0-5 scale: ~8 steps a year)
DEFAULT_STRENGTH = 2.0  # weak: half a year of the person's own record outweighs it
MIN_RATE = 0.1  # a group that recorded no steps still plans at some pace
MIN_FOCUS = 0.1  # likewise a group whose steps never aimed at the next role
DISPERSION = 1.0  # gamma-process events a median step: 1 is a Poisson process
DISPERSION_RANGE = (0.05, 4.0)
MIDDLE_MONTHS = 5.0  # the default months of a step to mastery 3: difficulty 1 by default
MIN_DIFFICULTY = 0.05
FORECAST_LIMIT = 400.0  # quarters: a forecast past a century says only "not in sight"
SPREAD_MAX = 4.0  # the most spread a held-out fit gives the pace (a coefficient of variation 2)
MIN_HELD_OUT = 8  # decided held-out plans (reached, or late) before a spread is fitted
LANE_CAP = 6  # lanes of gaps open counted apart up to this many; more share the last count


@dataclass(frozen=True, slots=True)
class NanoStep:
    """A live nano-step: a mastery step (``key`` the competency) or a demonstration (``key``
    the criterion, ``level`` its level); ``lane`` is the competency or the topic."""

    on: date
    lane: str
    key: str
    to_mastery: int = 0
    level: str = ""
    # Whether it closed a gap of the next role up the track from the role then held (None:
    # that role was the top of its track, so there was nothing to aim at).
    toward: bool | None = None

    @property
    def is_criterion(self) -> bool:
        return bool(self.level)


@dataclass(frozen=True, slots=True)
class Career:
    """What the throughput model reads of one person: the hire, any departure, the roles
    held (from date, track, level) and the live nano-steps."""

    person_id: int
    hired_on: date
    left_on: date | None
    roles: tuple[tuple[date, str, str], ...]
    steps: tuple[NanoStep, ...]
    # (from date, lanes of the next role's gaps open): competencies below its expectation
    # and topics with a criterion not yet shown; -1 at the top of a track (no next role).
    open_lanes: tuple[tuple[date, int], ...] = ()

    def end(self, until: date) -> date:
        return min(self.left_on, until) if self.left_on is not None else until

    def recording_from(self, until: date) -> date | None:
        """When the person's record of steps begins: the hire, or their first recorded
        step (a baseline on the hire date included) if later. None: no step recorded by
        ``until``, so the ledger says nothing of their pace (an HR import, a journal begun
        today), and the years before a first step are not counted as years without one."""
        first = min((s.on for s in self.steps if s.on <= until), default=None)
        return None if first is None else max(first, self.hired_on)

    def counted(self, until: date) -> list[NanoStep]:
        """Steps that took effort inside the record: after its start (a baseline on the hire
        date, or a first step that opens the record, took its effort before anything was
        written down) and on or before ``until`` and the departure."""
        start = self.recording_from(until)
        if start is None:
            return []
        end = self.end(until)
        return sorted((s for s in self.steps if start < s.on <= end), key=lambda s: s.on)

    def lanes_before(self, on: date) -> int:
        """Lanes of the next role's gaps open just before ``on`` (-1: unknown or none)."""
        found = -1
        for since, n in self.open_lanes:
            if since >= on:
                break
            found = n
        return found

    def role_on(self, on: date) -> tuple[str, str] | None:
        held = None
        for since, track, level in self.roles:
            if since <= on:
                held = (track, level)
        return held


@dataclass(frozen=True, slots=True)
class Rated:
    value: float
    samples: int
    source: str


@dataclass(frozen=True)
class Difficulty:
    """Relative difficulty of a nano-step: the median step is 1."""

    by_step: Mapping[tuple[str, int], Rated] = field(default_factory=dict)
    by_mastery: Mapping[int, Rated] = field(default_factory=dict)
    by_criterion: Mapping[str, Rated] = field(default_factory=dict)
    by_level: Mapping[str, Rated] = field(default_factory=dict)
    criteria: Rated | None = None

    def of_step(self, competency: str, to_mastery: int, scale_max: int = 5) -> Rated:
        found = self.by_step.get((competency, to_mastery)) or self.by_mastery.get(to_mastery)
        if found is not None:
            return found
        return Rated(round(default_months(to_mastery, scale_max) / MIDDLE_MONTHS, 3), 0,
                     "default")

    def of_criterion(self, criterion: str, level: str) -> Rated:
        found = self.by_criterion.get(criterion) or self.by_level.get(level) or self.criteria
        if found is not None:
            return found
        return Rated(round(DEFAULT_CRITERION_MONTHS / MIDDLE_MONTHS, 3), 0, "default")

    def of(self, step: NanoStep) -> float:
        if step.is_criterion:
            return self.of_criterion(step.key, step.level).value
        return self.of_step(step.key, step.to_mastery).value


@dataclass(frozen=True, slots=True)
class Prior:
    """The gamma prior of comparable people's throughput: ``rate`` median steps a quarter,
    worth ``strength`` quarters of a person's own record."""

    rate: float
    strength: float
    spells: int
    group: str  # "track/level", "level", "organization" or "default"
    focus: float = 1.0  # the share of their work that closed a gap of their next role
    # The same share while one lane of gaps was left (``last_focus``); None: too few seen.
    last_focus: float | None = None
    # The share while 1, 2, ... ``LANE_CAP`` (or more) lanes were open (``lane_focus``);
    # None where too few were seen; () in a model stored before it.
    lane_focus: tuple[float | None, ...] = ()


DEFAULT_PRIOR = Prior(DEFAULT_RATE, DEFAULT_STRENGTH, 0, "default")


@dataclass(frozen=True)
class ThroughputModel:
    difficulty: Difficulty = field(default_factory=Difficulty)
    by_role: Mapping[tuple[str, str], Prior] = field(default_factory=dict)  # (track, level)
    by_level: Mapping[str, Prior] = field(default_factory=dict)
    overall: Prior | None = None
    dispersion: float = DISPERSION  # gamma-process events a median step (see ``dispersion``)
    # The squared coefficient of variation of a person's pace on a plan beyond what the
    # gamma posterior gives, fitted on the organization's own earlier plans (``fit_spread``).
    spread: float = 0.0

    def prior(self, track: str | None, level: str | None) -> Prior:
        return (self.by_role.get((track or "", level or "")) or self.by_level.get(level or "")
                or self.overall or DEFAULT_PRIOR)


@dataclass(frozen=True, slots=True)
class Throughput:
    """A person's throughput: gamma with ``shape`` and ``quarters`` (its rate parameter),
    mean ``rate`` median steps a quarter; what the prior and their own record gave."""

    rate: float
    shape: float
    quarters: float
    prior: Prior
    own_work: float
    own_quarters: float
    committed: bool = False  # the rate is a commitment (``--capacity``), not learned
    focus: float = 1.0  # the share of it that goes to the plan's steps
    dispersion: float = DISPERSION  # the organization's (ThroughputModel.dispersion)
    spread: float = 0.0  # the organization's (ThroughputModel.spread)
    last_focus: float | None = None  # the share while one lane is left (Prior.last_focus)
    final_share: float = 0.0  # the share of the plan's work in its final lane (make_plan)
    lane_focus: tuple[float | None, ...] = ()  # by lanes open (Prior.lane_focus)
    # The shares of the plan's work done while 1, 2, ... LANE_CAP (or more) lanes of its
    # gaps are open (make_plan); the rest (refreshes) at ``focus``. (): before it.
    lane_work: tuple[float, ...] = ()

    def focus_at(self, lanes: int) -> float:
        """The share of the pace a gap step gets while ``lanes`` lanes of the plan's gaps
        are open (itself included): the group's share in that state, else ``last_focus``
        for the last lane and ``focus`` for more."""
        if self.committed:
            return self.focus
        k = min(lanes, LANE_CAP) - 1
        found = self.lane_focus[k] if 0 <= k < len(self.lane_focus) else None
        if found is not None:
            return found
        if lanes == 1 and self.last_focus is not None:
            return self.last_focus
        return self.focus

    @property
    def plan_focus(self) -> float:
        """The share of the pace the whole plan gets: each part of its work at the share
        of the lanes open while it is done (``focus_at``), so the time is the sum of the
        parts' (``1 / f_eff = sum(s_n / f_n)``). A plan made before ``lane_work``: its
        final lane's work at ``last_focus``, the rest at ``focus``."""
        if self.lane_work:
            rest = max(0.0, 1.0 - sum(self.lane_work))
            return 1.0 / (rest / self.focus + sum(
                w / self.focus_at(n) for n, w in enumerate(self.lane_work, 1) if w > 0))
        if self.last_focus is None or self.final_share <= 0:
            return self.focus
        return 1.0 / ((1.0 - self.final_share) / self.focus
                      + self.final_share / self.last_focus)

    @property
    def on_plan(self) -> float:
        """Median steps a quarter that go to the plan."""
        return self.rate * self.plan_focus

    @property
    def predictive_shape(self) -> float:
        """The shape of the gamma the forecast draws the pace from: the posterior's, widened
        by ``spread``. A pace ``lambda * Z`` with ``lambda`` the posterior (squared
        coefficient of variation ``1 / shape``) and ``Z`` independent of mean 1 and variance
        ``spread`` has ``cv2 = (1 + 1/shape)(1 + spread) - 1``; the gamma of that mean and
        ``cv2`` keeps the forecast in closed form (its first two moments are exact)."""
        if self.spread <= 0:
            return self.shape
        return 1.0 / ((1.0 + 1.0 / self.shape) * (1.0 + self.spread) - 1.0)

    @property
    def own_rate(self) -> float | None:
        return round(self.own_work / self.own_quarters, 3) if self.own_quarters > 0 else None

    @property
    def weight(self) -> float:
        """The weight of the person's own pace against the prior's."""
        return round(self.own_quarters / (self.own_quarters + self.prior.strength), 3)

    def commit(self, steps_a_quarter: float) -> Throughput:
        """The same uncertainty around a rate the person commits to."""
        return Throughput(float(steps_a_quarter), self.shape, self.shape / steps_a_quarter,
                          self.prior, self.own_work, self.own_quarters, committed=True,
                          focus=1.0, dispersion=self.dispersion, spread=self.spread)


CAREER_KINDS = ("hire", "promotion", "lateral_move", "departure", "skill_step", "demonstrated")


Aim = tuple[Mapping[str, int], frozenset[str]]  # the next role's expectations and criteria


def careers_from_rows(rows: Iterable[EventRow], roles: Mapping[str, tuple[str, str]],
                      criteria: Mapping[str, tuple[str, str]],
                      aims: Mapping[str, Aim] | None = None) -> dict[int, Career]:
    """Careers from live ledger rows of ``CAREER_KINDS`` in ledger order. ``roles`` maps a
    role id to its (track, level), ``criteria`` a criterion id to its (topic, level), and
    ``aims`` a role id to what the next role up its track expects (none: the top); a
    person hired again starts a new career (the latest counts)."""
    aims = aims or {}
    holding: dict[int, str] = {}
    hired: dict[int, date] = {}
    left: dict[int, date | None] = {}
    held: dict[int, list[tuple[date, str, str]]] = {}
    steps: dict[int, list[NanoStep]] = {}
    mastery: dict[int, dict[str, int]] = {}
    shown_by: dict[int, set[str]] = {}
    lanes: dict[int, list[tuple[date, int]]] = {}

    def open_lanes(pid: int) -> int:
        aim = aims.get(holding.get(pid, ""))
        if aim is None:
            return -1
        have = mastery[pid]
        return (sum(have.get(c, 0) < m for c, m in aim[0].items() if m > 0)
                + len({criteria[c][0] for c in aim[1]
                       if c in criteria and c not in shown_by[pid]}))

    for r in rows:
        pid, on, d = r.person_id, r.effective_on, r.details
        if r.kind == "hire":
            hired[pid], left[pid], held[pid], steps[pid] = on, None, [], []
            mastery[pid], shown_by[pid], lanes[pid] = {}, set(), []
        if pid not in hired:
            continue
        aim = aims.get(holding.get(pid, ""))
        if r.kind in ("hire", "promotion", "lateral_move"):
            holding[pid] = str(d.get("role"))
            track, level = roles.get(holding[pid], ("", ""))
            held[pid].append((on, track, level))
        elif r.kind == "departure":
            left[pid] = on
        elif r.kind == "skill_step":
            # lane and key interned: a million steps share a few hundred names
            comp, to = intern(str(d.get("competency"))), int(d.get("to_mastery") or 0)
            mastery[pid][comp] = to
            steps[pid].append(NanoStep(on, intern("competency:" + comp), comp, to, "",
                                       None if aim is None else aim[0].get(comp, 0) >= to))
        elif r.kind == "demonstrated":
            shown = intern(str(d.get("criterion")))
            found = criteria.get(shown)
            shown_by[pid].add(shown)
            if found is not None:
                steps[pid].append(NanoStep(on, intern("topic:" + found[0]), shown, 0,
                                           found[1] or "?",
                                           None if aim is None else shown in aim[1]))
        if r.kind != "departure":
            now = open_lanes(pid)
            if not lanes[pid] or lanes[pid][-1][1] != now:
                if lanes[pid] and lanes[pid][-1][0] == on:
                    lanes[pid][-1] = (on, now)  # the day's last state counts
                else:
                    lanes[pid].append((on, now))
    return {pid: Career(pid, hired[pid], left[pid], tuple(held[pid]), tuple(steps[pid]),
                        tuple(lanes[pid]))
            for pid in hired}


# --- learning --------------------------------------------------------------------------


def work_shares(career: Career, until: date) -> list[tuple[NanoStep, float]]:
    """Each counted step with its work in quarters: its lane's open days, each divided by
    the number of lanes open that day."""
    steps = career.counted(until)
    if not steps:
        return []
    opened = career.recording_from(until) or career.hired_on  # no lane is seen before it
    level_starts = sorted({since for since, _, _ in career.roles} | {career.hired_on})
    last: dict[str, int] = {}
    spans: list[tuple[int, int]] = []
    for s in steps:
        start = opened
        if s.is_criterion:  # a topic opens again with each level
            start = max(opened, max((d for d in level_starts if d < s.on), default=opened))
        begin = max(last.get(s.lane, 0), start.toordinal())
        end = s.on.toordinal()
        last[s.lane] = end
        spans.append((begin, max(begin, end)))
    cuts = sorted({t for span in spans for t in span})
    opening: dict[int, int] = defaultdict(int)
    for b, e in spans:
        if e > b:
            opening[b] += 1
            opening[e] -= 1
    # cumulative share of attention a single open lane got, at each cut
    share_at: dict[int, float] = {}
    open_now, total = 0, 0.0
    for k, t in enumerate(cuts):
        share_at[t] = total
        open_now += opening.get(t, 0)
        if k + 1 < len(cuts) and open_now > 0:
            total += (cuts[k + 1] - t) / open_now
    return [(s, (share_at[e] - share_at[b]) / DAYS_PER_QUARTER)
            for s, (b, e) in zip(steps, spans, strict=True)]


def _tenure(career: Career, until: date) -> float:
    """Quarters of the person's record of steps, up to ``until`` or the departure."""
    since = career.recording_from(until)
    if since is None:
        return 0.0
    return max(0.0, (career.end(until) - since).days / DAYS_PER_QUARTER)


def learn_difficulty(careers: Iterable[Career], until: date) -> Difficulty:
    by_step: dict[tuple[str, int], list[float]] = defaultdict(list)
    by_mastery: dict[int, list[float]] = defaultdict(list)
    by_criterion: dict[str, list[float]] = defaultdict(list)
    by_level: dict[str, list[float]] = defaultdict(list)
    criteria: list[float] = []
    every: list[float] = []
    for career in careers:
        shares = work_shares(career, until)
        tenure = _tenure(career, until)
        if not shares or tenure <= 0:
            continue
        raw_rate = len(shares) / tenure
        for s, work in shares:
            if work <= 0:  # a batch written up on one day says nothing about effort
                continue
            sample = work * raw_rate
            every.append(sample)
            if s.is_criterion:
                by_criterion[s.key].append(sample)
                by_level[s.level].append(sample)
                criteria.append(sample)
            else:
                by_step[(s.key, s.to_mastery)].append(sample)
                by_mastery[s.to_mastery].append(sample)
    if not every:
        return Difficulty()
    unit = statistics.median(every)

    def rated(values: list[float], source: str) -> Rated:
        return Rated(round(max(MIN_DIFFICULTY, statistics.median(values) / unit), 3),
                     len(values), source)

    def table(groups: Mapping[Any, list[float]], source: str) -> dict[Any, Rated]:
        return {k: rated(v, source) for k, v in groups.items() if len(v) >= MIN_SAMPLES}

    return Difficulty(table(by_step, "competency"), table(by_mastery, "mastery"),
                      table(by_criterion, "criterion"), table(by_level, "level"),
                      rated(criteria, "criteria") if len(criteria) >= MIN_SAMPLES else None)


@dataclass(frozen=True, slots=True)
class Spell:
    """A stay in one role: its work, the part of it that aimed at the next role (and the
    part that could: a top role's steps aim at nothing), and its quarters."""

    track: str
    level: str
    work: float
    quarters: float
    toward: float = 0.0
    aimable: float = 0.0
    # The work done while one lane of the next role's gaps was left, and the part of it that
    # closed a gap of that lane.
    last_work: float = 0.0
    last_toward: float = 0.0
    # Likewise while two lanes or more were left.
    many_work: float = 0.0
    many_toward: float = 0.0
    # (work, toward) while 1, 2, ... LANE_CAP (or more) lanes were open.
    by_lanes: tuple[tuple[float, float], ...] = ()


def fit_prior(spells: Sequence[Spell], group: str) -> Prior:
    """The gamma prior from spells by the method of moments, with the group's focus."""
    total_q = sum(s.quarters for s in spells)
    mean = max(MIN_RATE, sum(s.work for s in spells) / total_q)
    s2 = sum(s.quarters * (s.work / s.quarters - mean) ** 2 for s in spells) / total_q
    between = s2 - mean / (total_q / len(spells))
    low, high = STRENGTH_RANGE
    strength = high if between <= 0 else min(high, max(low, mean / between))
    aimable = sum(s.aimable for s in spells)
    focus = sum(s.toward for s in spells) / aimable if aimable > 0 else 1.0
    many = sum(s.many_work for s in spells)
    if many > 0:  # a plan is drawn up with gaps open: the share while lanes were open
        focus = sum(s.many_toward for s in spells) / many
    return Prior(round(mean, 4), round(strength, 3), len(spells), group,
                 round(max(focus, MIN_FOCUS), 4), last_focus(spells), lane_focus(spells))


def lane_focus(spells: Sequence[Spell]) -> tuple[float | None, ...]:
    """The share of work that closed a gap of the next role while 1, 2, ... ``LANE_CAP``
    (or more) lanes of its gaps were open: with fewer lanes open fewer of a person's
    parallel threads of work can be on them (on the demo 0.38, 0.6, 0.7, 0.7, 0.75 and
    0.86 for six or more). None where fewer than ``MIN_GROUP`` spells had work then."""
    out: list[float | None] = []
    for k in range(LANE_CAP):
        seen = [s.by_lanes[k] for s in spells if len(s.by_lanes) > k and s.by_lanes[k][0] > 0]
        if len(seen) < MIN_GROUP:
            out.append(None)
            continue
        share = sum(t for _, t in seen) / sum(w for w, _ in seen)
        out.append(round(max(share, MIN_FOCUS), 4))
    return tuple(out)


def last_focus(spells: Sequence[Spell]) -> float | None:
    """The share of work that closed the last lane of gaps while it was the only one left:
    a plan's final steps lie in one lane, which gets one lane's share of the person's work
    however focused they were while many lanes were open (and none, in a role nobody aims
    beyond). None with fewer than ``MIN_GROUP`` spells that had work in that state."""
    seen = [s for s in spells if s.last_work > 0]
    if len(seen) < MIN_GROUP:
        return None
    share = sum(s.last_toward for s in seen) / sum(s.last_work for s in seen)
    return round(max(share, MIN_FOCUS), 4)


def spells(career: Career, until: date, difficulty: Difficulty) -> list[Spell]:
    """Each stay in one role of at least a quarter, over the person's record."""
    end = career.end(until)
    recording = career.recording_from(until)
    if recording is None:
        return []
    roles = [r for r in career.roles if r[0] <= end]
    steps = career.counted(until)
    out = []
    for k, (since, track, level) in enumerate(roles):
        stop = roles[k + 1][0] if k + 1 < len(roles) else end
        quarters = (stop - max(since, recording)).days / DAYS_PER_QUARTER
        if quarters < MIN_SPELL_QUARTERS:
            continue
        inside = [(s, difficulty.of(s)) for s in steps if since < s.on <= stop]
        lanes = [(s, d, career.lanes_before(s.on)) for s, d in inside]
        last = [(s, d) for s, d, n in lanes if n == 1]
        many = [(s, d) for s, d, n in lanes if n > 1]
        by_lanes = tuple(
            (sum(d for _, d, n in lanes if min(n, LANE_CAP) == k),
             sum(d for s, d, n in lanes if min(n, LANE_CAP) == k and s.toward))
            for k in range(1, LANE_CAP + 1))
        out.append(Spell(track, level, sum(d for _, d in inside), quarters,
                         sum(d for s, d in inside if s.toward),
                         sum(d for s, d in inside if s.toward is not None),
                         sum(d for _, d in last), sum(d for s, d in last if s.toward),
                         sum(d for _, d in many), sum(d for s, d in many if s.toward),
                         by_lanes))
    return out


def dispersion(careers: Iterable[Career], until: date, difficulty: Difficulty) -> float:
    """Gamma-process events a median step, from how unevenly people's work falls in their
    quarters: ``1 / D``, where D is the pooled index of dispersion (variance over mean) of
    each person's work per whole quarter of their record, around their own mean. A Poisson
    process of median steps has D = 1; bursts and lulls make D larger and forecasts wider.
    Fewer than ``MIN_GROUP`` people with two quarters or more: ``DISPERSION``."""
    squares = weights = 0.0
    people = 0
    for career in careers:
        since = career.recording_from(until)
        if since is None:
            continue
        quarters = int((career.end(until) - since).days // DAYS_PER_QUARTER)
        if quarters < 2:
            continue
        bins = [0.0] * quarters
        for s in career.counted(until):
            k = int((s.on - since).days // DAYS_PER_QUARTER)
            if k < quarters:
                bins[k] += difficulty.of(s)
        mean = sum(bins) / quarters
        if mean <= 0:
            continue
        squares += sum((b - mean) ** 2 for b in bins) / mean
        weights += quarters - 1
        people += 1
    if people < MIN_GROUP or weights <= 0 or squares <= 0:
        return DISPERSION
    low, high = DISPERSION_RANGE
    return round(min(high, max(low, weights / squares)), 4)


def learn_throughput(careers: Iterable[Career], until: date) -> ThroughputModel:
    """Difficulty and the comparable groups' priors from the history up to ``until``."""
    careers = [c for c in careers if c.hired_on <= until]
    difficulty = learn_difficulty(careers, until)
    by_role: dict[tuple[str, str], list[Spell]] = defaultdict(list)
    by_level: dict[str, list[Spell]] = defaultdict(list)
    overall: list[Spell] = []
    for career in careers:
        for spell in spells(career, until, difficulty):
            by_role[(spell.track, spell.level)].append(spell)
            by_level[spell.level].append(spell)
            overall.append(spell)
    top = fit_prior(overall, "organization") if len(overall) >= MIN_GROUP else None
    levels = {k: fit_prior(v, k) for k, v in by_level.items() if len(v) >= MIN_GROUP}
    levels = {k: _last_from(p, top) for k, p in levels.items()}
    roles = {k: _last_from(fit_prior(v, f"{k[0]}/{k[1]}"), levels.get(k[1]) or top)
             for k, v in by_role.items() if len(v) >= MIN_GROUP}
    return ThroughputModel(difficulty, roles, levels, top,
                           dispersion(careers, until, difficulty))


def _last_from(prior: Prior, wider: Prior | None) -> Prior:
    """A group too small to have seen its last lanes (or some count of lanes open) takes
    the wider group's share there."""
    if wider is None:
        return prior
    last = prior.last_focus if prior.last_focus is not None else wider.last_focus
    own = prior.lane_focus or (None,) * LANE_CAP
    lanes = tuple(f if f is not None else (wider.lane_focus[k] if k < len(wider.lane_focus)
                                           else None) for k, f in enumerate(own))
    return replace(prior, last_focus=last, lane_focus=lanes)


def person_throughput(model: ThroughputModel, career: Career | None, until: date,
                      track: str | None, level: str | None) -> Throughput:
    """The prior of people comparable to the person (their track and level on ``until``),
    updated by their own record since the hire."""
    prior = model.prior(track, level)
    work = quarters = 0.0
    if career is not None:
        work = sum(model.difficulty.of(s) for s in career.counted(until))
        quarters = _tenure(career, until)
    shape = prior.rate * prior.strength + work
    scale = prior.strength + quarters
    return Throughput(round(shape / scale, 4), shape, scale, prior, round(work, 3),
                      round(quarters, 3), focus=prior.focus, dispersion=model.dispersion,
                      spread=model.spread, last_focus=prior.last_focus,
                      lane_focus=prior.lane_focus)


# --- the forecast ----------------------------------------------------------------------


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    tiny, eps = 1e-300, 1e-13
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 3000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < eps:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def done_by(work: float, quarters: float, throughput: Throughput) -> float:
    """P(``work`` median steps are done within ``quarters``)."""
    if work <= 0:
        return 1.0
    if quarters <= 0:
        return 0.0
    alpha, shape, y = _beta_prime(work, quarters, throughput)
    return incomplete_beta(alpha, shape, y / (1.0 + y))


def _beta_prime(work: float, quarters: float, throughput: Throughput
                ) -> tuple[float, float, float]:
    """``(alpha, beta, y)``: ``P(T <= quarters) = P(Y <= y)`` for ``Y ~ BetaPrime(alpha,
    beta)``, the pace drawn from the predictive gamma (the posterior's mean, ``shape /
    quarters``, times the focus)."""
    shape = throughput.predictive_shape
    k = throughput.dispersion
    mean = throughput.shape / throughput.quarters * throughput.plan_focus
    return k * work, shape, k * quarters * mean / shape


def quantile(work: float, p: float, throughput: Throughput) -> float:
    """The quarters by which ``work`` is done with probability ``p`` (bisection)."""
    if work <= 0:
        return 0.0
    high = max(1.0, work / throughput.on_plan)
    while done_by(work, high, throughput) < p and high < FORECAST_LIMIT:
        high *= 2
    if high >= FORECAST_LIMIT:
        return FORECAST_LIMIT
    low = 0.0
    for _ in range(60):
        mid = (low + high) / 2
        if done_by(work, mid, throughput) < p:
            low = mid
        else:
            high = mid
        if high - low < 1e-4:
            break
    return (low + high) / 2


def expected_done(cumulative: Sequence[float], quarters: float, throughput: Throughput
                  ) -> float:
    """Expected number of steps done within ``quarters``; ``cumulative[i]`` is the work of
    steps 0..i in plan order."""
    return sum(done_by(w, quarters, throughput) for w in cumulative)


# --- the spread, fitted on the organization's own earlier plans ------------------------


@dataclass(frozen=True, slots=True)
class HeldOut:
    """An earlier plan's outcome: its ``work`` (median steps) and ``throughput`` on the
    day it was drawn up, and ``quarters`` later readiness was ``reached``, or not by then
    (censored: the person left, or the history ends)."""

    work: float
    throughput: Throughput
    quarters: float
    reached: bool


def log_likelihood(case: HeldOut, spread: float) -> float:
    """The log density of the readiness time (reached) or of its survival (censored)
    under the forecast with ``spread``: ``Y = k * pace * T / shape ~ BetaPrime(k W,
    shape)``."""
    t = replace(case.throughput, spread=spread)
    alpha, beta, y = _beta_prime(case.work, case.quarters, t)
    if not case.reached:  # P(T > t) = I(1 / (1 + y); beta, alpha)
        return math.log(max(incomplete_beta(beta, alpha, 1.0 / (1.0 + y)), 1e-300))
    log_b = math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta)
    return ((alpha - 1.0) * math.log(y) - (alpha + beta) * math.log1p(y) - log_b
            + math.log(y / case.quarters))


def decided(case: HeldOut) -> bool:
    """Whether an earlier plan's outcome is known on the scale the forecast is scored on:
    readiness reached, or still short past the P90 of the forecast without spread (late).
    A plan censored before its P90 could still have come in on time."""
    if case.reached:
        return True
    return done_by(case.work, case.quarters, replace(case.throughput, spread=0.0)) >= 0.9


def spread_log_likelihood(cases: Sequence[HeldOut], spread: float) -> float:
    """The log likelihood of earlier plans' outcomes under ``spread``: the reached by the
    density of their readiness time, the censored by its survival to the censoring."""
    return sum(log_likelihood(c, spread) for c in cases if c.work > 0 and c.quarters > 0)


def _golden_max(f: Callable[[float], float], low: float, high: float,
                tol: float = 1e-4) -> float:
    golden = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = high - golden * (high - low), low + golden * (high - low)
    fa, fb = f(a), f(b)
    while high - low > tol:
        if fa < fb:
            low, a, fa = a, b, fb
            b = low + golden * (high - low)
            fb = f(b)
        else:
            high, b, fb = b, a, fa
            a = high - golden * (high - low)
            fa = f(a)
    return (low + high) / 2.0


def fit_spread(cases: Sequence[HeldOut]) -> float:
    """The spread that makes earlier plans' outcomes likeliest (maximum likelihood, the
    censored ones by their survival), searched on ``[0, SPREAD_MAX]`` by golden section of
    ``log(1 + spread)``. Fewer than ``MIN_HELD_OUT`` decided plans (reached, or late:
    still short past their P90, ``decided``): 0 (the posterior alone). Late plans count
    as much as reached ones: plans that came in late and are still open are the evidence
    of a spread, and counting only the reached would ignore them."""
    usable = [c for c in cases if c.work > 0 and c.quarters > 0]
    if sum(decided(c) for c in usable) < MIN_HELD_OUT:
        return 0.0

    def total(u: float) -> float:
        return spread_log_likelihood(usable, math.expm1(u))

    best = _golden_max(total, 0.0, math.log1p(SPREAD_MAX))
    if total(0.0) >= total(best):  # the edge: nothing beyond the posterior
        return 0.0
    return round(math.expm1(best), 4)


PROFILE_DROP = 1.92  # half the 95% point of chi-square with 1 degree of freedom


def spread_interval(cases: Sequence[HeldOut], fitted: float) -> tuple[float, float]:
    """The spreads whose log likelihood is within ``PROFILE_DROP`` of the fitted one's
    (a 95% likelihood interval, held to ``[0, SPREAD_MAX]``): how well the earlier plans
    pin the spread down. ``(0, 0)`` when nothing was fitted for lack of decided plans."""
    usable = [c for c in cases if c.work > 0 and c.quarters > 0]
    if sum(decided(c) for c in usable) < MIN_HELD_OUT:
        return 0.0, 0.0
    top = spread_log_likelihood(usable, fitted)

    def edge(lo: float, hi: float) -> float:
        """The spread between lo (inside) and hi (outside) where the drop is reached."""
        for _ in range(40):
            mid = (lo + hi) / 2.0
            if top - spread_log_likelihood(usable, mid) < PROFILE_DROP:
                lo = mid
            else:
                hi = mid
            if abs(hi - lo) < 1e-4:
                break
        return round((lo + hi) / 2.0, 4)

    low = 0.0
    if fitted > 0 and top - spread_log_likelihood(usable, 0.0) >= PROFILE_DROP:
        low = edge(fitted, 0.0)
    high = SPREAD_MAX
    if top - spread_log_likelihood(usable, SPREAD_MAX) >= PROFILE_DROP:
        high = edge(fitted, SPREAD_MAX)
    return low, high


# --- documents -------------------------------------------------------------------------


def _rated_rows(table: Mapping[Any, Rated]) -> list[list[Any]]:
    return [[*(k if isinstance(k, tuple) else (k,)), r.value, r.samples]
            for k, r in sorted(table.items())]


def _prior_row(p: Prior) -> list[Any]:
    return [p.rate, p.strength, p.spells, p.group, p.focus, p.last_focus, list(p.lane_focus)]


def prior_from_row(row: Sequence[Any]) -> Prior:
    """A stored prior (a model stored before ``last_focus`` or ``lane_focus`` lacks them)."""
    rate, strength, spells, group, *rest = row
    return Prior(rate, strength, spells, group, rest[0] if rest else 1.0,
                 rest[1] if len(rest) > 1 else None,
                 tuple(rest[2]) if len(rest) > 2 else ())


def model_to_document(model: ThroughputModel) -> dict[str, Any]:
    d = model.difficulty
    return {
        "difficulty": {"by_step": _rated_rows(d.by_step), "by_mastery": _rated_rows(d.by_mastery),
                       "by_criterion": _rated_rows(d.by_criterion),
                       "by_level": _rated_rows(d.by_level),
                       "criteria": None if d.criteria is None else [d.criteria.value,
                                                                    d.criteria.samples]},
        "by_role": [[t, lv, *_prior_row(p)] for (t, lv), p in sorted(model.by_role.items())],
        "by_level": [[lv, *_prior_row(p)] for lv, p in sorted(model.by_level.items())],
        "overall": None if model.overall is None else _prior_row(model.overall),
        "dispersion": model.dispersion,
        "spread": model.spread,
    }


def model_from_document(doc: Mapping[str, Any]) -> ThroughputModel:
    d = doc["difficulty"]
    crit = d["criteria"]
    return ThroughputModel(
        Difficulty(
            {(c, m): Rated(v, n, "competency") for c, m, v, n in d["by_step"]},
            {m: Rated(v, n, "mastery") for m, v, n in d["by_mastery"]},
            {c: Rated(v, n, "criterion") for c, v, n in d["by_criterion"]},
            {lv: Rated(v, n, "level") for lv, v, n in d["by_level"]},
            None if crit is None else Rated(crit[0], crit[1], "criteria")),
        {(t, lv): prior_from_row(row) for t, lv, *row in doc["by_role"]},
        {lv: prior_from_row(row) for lv, *row in doc["by_level"]},
        None if doc["overall"] is None else prior_from_row(doc["overall"]),
        doc.get("dispersion", DISPERSION), doc.get("spread", 0.0))


@dataclass(frozen=True)
class DifficultyEffort(EffortModel):
    """Effort estimates in months of a person's work: each step's difficulty
    (``Difficulty.of_step``, whose default without history is stretched to the step's
    scale, as ``domain.effort``'s is) times the months a median step takes them."""

    difficulty: Difficulty = field(default_factory=Difficulty)
    months_per_step: float = 1.0

    def _in_months(self, r: Rated) -> Estimate:
        return Estimate(r.value * self.months_per_step, 0.0, r.samples, r.source)

    def estimate(self, competency: str, to_mastery: int, scale_max: int = 5) -> Estimate:
        return self._in_months(self.difficulty.of_step(competency, to_mastery, scale_max))

    def criterion_estimate(self, criterion: str, level: str) -> Estimate:
        return self._in_months(self.difficulty.of_criterion(criterion, level))


def as_effort(difficulty: Difficulty, rate: float) -> EffortModel:
    """Effort estimates in months of the person's work at ``rate`` (median steps a quarter):
    a step's difficulty times the months a median step takes them. Plans draft and order
    their steps with it (domain.plan_steps), so the months they show are the forecast's;
    the lattice prices moves with it (domain.lattice). A step without history takes the
    documented default on its own scale: a 0-7 scale's step to 4 is the default of a 0-5
    scale's step to 3, not to 4 (filling every mastery with the 0-5 default priced the top
    of longer scales too high)."""
    months = MONTHS_PER_QUARTER / max(rate, 1e-6)

    def est(r: Rated) -> Estimate:
        return Estimate(r.value * months, 0.0, r.samples, r.source)

    return DifficultyEffort(
        by_step={k: est(r) for k, r in difficulty.by_step.items()},
        by_mastery={m: est(r) for m, r in difficulty.by_mastery.items()},
        by_criterion={k: est(r) for k, r in difficulty.by_criterion.items()},
        by_criteria_level={k: est(r) for k, r in difficulty.by_level.items()},
        criteria_overall=est(difficulty.of_criterion("", "")),
        difficulty=difficulty, months_per_step=months)
