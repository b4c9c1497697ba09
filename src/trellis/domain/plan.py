"""Micro-promotion maps: the gap to a target decomposed into ordered, dated nano-steps.

A plan takes a person's profile, a target (a role, a skill band level, or a set of
competencies at a mastery), the organization's effort estimates and the person's pace, and
returns:

- **nano-steps** (domain.plan_steps): one mastery step in one competency, or one criterion
  to demonstrate, each; they close every rule the target declares: its expected mastery,
  the skill-band levels it requires, its points threshold (the most points per month of
  effort first) and its criteria, plus a *refresh* for evidence that has gone stale (a
  new step one above it, a new demonstration, or at the top of the scale a certification);
- an **order**: lower mastery before higher, a competency's prerequisite's step to m
  before its own step to m (when the plan has one), a topic's lower-level criteria before
  its higher ones, and otherwise, greedily, the step that raises readiness most per month
  of effort first;
- **milestones**: quarters holding the steps whose median finish falls in them: the count
  of steps due by the end of quarter q is the forecast's median count done by then, so the
  last step's quarter is the one the forecast's P50 falls in;
- a **forecast** from the person's throughput (domain.throughput): median steps a quarter,
  learned from comparable people and shrunk toward the person's own pace, with each step's
  relative difficulty; its P10, P50 and P90 readiness dates come from the same
  distribution as the milestones, so the two never disagree.

Every target is scored as readiness is (domain.readiness): a band level or a competency
set becomes equivalent *target expectations* (assessed without the points rules, which
belong to levels and titles), so executing the plan's steps in order always ends at
readiness 100 for its target, with every requirement met but the time in level.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from itertools import accumulate
from typing import Any

from trellis.errors import NotFound, PlanRejected, Term, listed

from .criteria import met_on
from .days import day_term
from .events import given
from .framework import Framework, Role, SkillBand
from .plan_steps import Draft, Scorer, band_picks, draft_steps
from .plan_steps import StepKind as StepKind  # re-exported
from .profile import Profile
from .readiness import DAYS_PER_MONTH, Readiness, assess, is_fresh
from .throughput import (
    FORECAST_LIMIT,
    LANE_CAP,
    Prior,
    Throughput,
    ThroughputModel,
    as_effort,
    done_by,
    person_throughput,
    quantile,
)

DEFAULT_CAPACITY = 3  # the web form's suggestion for a committed pace
MAX_CAPACITY = 12  # one a week: beyond that a "plan" is a wish list
TEXT_SHOWN = 200  # characters of a criterion's statement a step carries
MONTHS_PER_QUARTER = 3
MAX_QUARTERS = int(FORECAST_LIMIT)  # milestones past this hold whatever is left
SETTLED = 1e-9  # a step this sure (or unsure) to be done by a date is counted as 1 (or 0)


class TargetKind(StrEnum):
    ROLE = "role"
    BAND = "band"
    COMPETENCIES = "competencies"


@dataclass(frozen=True, slots=True)
class Target:
    """What a plan aims at, and the expectations (competency -> mastery) that stand for it;
    a role target also keeps the criteria and the band levels the role expects."""

    kind: TargetKind
    expects: Mapping[str, int]
    role: str | None = None
    band: str | None = None
    band_level: int | None = None
    criteria: tuple[str, ...] = ()
    band_levels: Mapping[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.kind is TargetKind.ROLE:
            return f"role {self.role}"
        if self.kind is TargetKind.BAND:
            return f"band {self.band} level {self.band_level}"
        return "competencies " + ", ".join(f"{c}={m}" for c, m in self.expects.items())

    def term(self, framework: Framework) -> Term:
        """The target in a message: a role's title, a band's and a competency's name in
        words; its label (ids) on the command line."""
        if self.kind is TargetKind.ROLE:
            role = framework.roles.get(self.role or "")
            return Term(role.title if role else str(self.role), self.label)
        if self.kind is TargetKind.BAND:
            band = framework.bands.get(self.band or "")
            return Term(f"the {band.name if band else self.band} band at level "
                        f"{self.band_level}", self.label)
        named = [f"{c.name if (c := framework.competencies.get(k)) else k} at {m}"
                 for k, m in self.expects.items()]
        return Term(", ".join(named), self.label)

    def as_role(self, framework: Framework, profile: Profile) -> Role:
        """A role to assess readiness against: the role itself, or one standing for it."""
        if self.kind is TargetKind.ROLE and self.role is not None \
                and self.role in framework.roles:
            return replace(framework.roles[self.role], expects=dict(self.expects),
                           criteria=tuple(c for c in self.criteria if c in framework.criteria),
                           band_levels={b: lv for b, lv in self.band_levels.items()
                                        if b in framework.bands})
        level = profile.level
        if level is None or level not in framework.levels:
            level = min(framework.levels.values(), key=lambda lv: lv.rank).id
        return Role(id=self.label, track=profile.track or "", level=level, title=self.label,
                    expects=dict(self.expects))


    def assessed_with(self, framework: Framework) -> Framework:
        """The framework its readiness is assessed on: points rules decide a role's level
        and title, not a band level or a set of competencies."""
        if self.kind is TargetKind.ROLE or not framework.points_rules:
            return framework
        return replace(framework, points_rules=())


def target_readiness(profile: Profile, framework: Framework, target: Target) -> Readiness:
    """Readiness on ``profile``'s date for the plan's target, as the plan scores it."""
    return assess(profile, target.as_role(framework, profile), target.assessed_with(framework))


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A mastery step (``competency`` from -> to), or a criterion to demonstrate
    (``criterion`` with its topic, level and statement; competency "" and mastery 0)."""

    competency: str
    from_mastery: int
    to_mastery: int
    kind: StepKind
    quarter: int
    months: float  # months of the person's work at their throughput's mean
    difficulty: float  # relative to the organization's median step (1)
    source: str  # where the difficulty came from: competency, mastery, criterion, level, ...
    gain: float  # readiness points this step adds
    after: tuple[int, ...]  # indices of the steps it waits for
    reason: str
    criterion: str | None = None
    topic: str = ""
    level: str = ""
    text: str = ""  # the statement (its first TEXT_SHOWN characters)

    @property
    def label(self) -> str:
        if self.criterion is not None:
            return f"demonstrate {self.criterion}" + (" again" if self.kind is
                                                      StepKind.REFRESH else "")
        if self.to_mastery == self.from_mastery:
            return f"{self.competency} refresh (certification)"
        return f"{self.competency} {self.from_mastery}->{self.to_mastery}"


@dataclass(frozen=True, slots=True)
class Milestone:
    quarter: int
    starts: date
    ends: date
    steps: tuple[int, ...]  # indices into the plan's steps
    readiness: float  # projected readiness once this quarter's steps (and earlier) are done
    forecast_p50: date | None = None  # the median date its steps (and earlier) are done
    expected: float = 0.0  # the mean count of steps done by its end (from the start)
    likely: tuple[int, int] = (0, 0)  # P10 and P90 of that count; (0, 0): stored before


@dataclass(frozen=True, slots=True)
class Due:
    """The forecast's count of a plan's steps done by a quarter's end: its mean and its
    P10, median and P90."""

    mean: float
    low: int
    median: int
    high: int


@dataclass(frozen=True, slots=True)
class Forecast:
    months: tuple[float, float, float]  # P10, P50, P90 months from the start
    dates: tuple[date, date, date]
    work: float = 0.0  # the plan's steps in median steps (their difficulties summed)


@dataclass(frozen=True, slots=True)
class CheckInRecord:
    """A closed quarter: what was done, missed, or done ahead of time."""

    on: date
    quarter: int
    plan_version: int
    done: tuple[str, ...]
    missed: tuple[str, ...]
    ahead: tuple[str, ...]
    notes: str
    engagement: int | None
    event_id: int


NO_NOTE = Term("", "")


@dataclass(frozen=True, slots=True)
class Plan:
    person_id: int
    start: date
    target: Target
    capacity: int | None  # a committed pace in median steps a quarter (None: learned)
    horizon: int | None  # the last quarter the plan may use (None: no limit)
    first_quarter: int
    steps: tuple[PlannedStep, ...]
    milestones: tuple[Milestone, ...]
    forecast: Forecast | None
    throughput: Throughput | None
    readiness: float  # at the start
    framework_version: int | None = None
    checkins: tuple[CheckInRecord, ...] = ()
    # why a re-plan is as it is, in words (titles, days) and as the command line says it
    # (ids, ISO days)
    note: Term = NO_NOTE

    @property
    def complete(self) -> bool:
        return not self.steps


@dataclass(frozen=True, slots=True)
class PlanVersion:
    """A stored plan: every re-plan is a new version; older ones are kept, superseded."""

    id: int
    person_id: int
    version: int
    created_at: Any  # datetime
    author: str
    status: str  # active | superseded
    plan: Plan = field(repr=False)


# --- targets -------------------------------------------------------------------------


def resolve_target(framework: Framework, profile: Profile, *, role: str | None = None,
                   band: str | None = None, band_level: str | int | None = None,
                   competencies: Mapping[str, int] | None = None) -> Target:
    """The target from the user's choice (default: the next role up the person's track)."""
    chosen = sum(x is not None for x in (role, band, competencies))
    if chosen > 1:
        raise PlanRejected("give one target: a role, a band with a level, or competencies")
    if band is not None:
        return _band_target(framework, profile, band, band_level)
    if band_level is not None:
        raise PlanRejected("a band level needs its band: give {band} with {level}",
                           band="a band", level="the level")
    if competencies is not None:
        return _competency_target(framework, profile, competencies)
    if role is None:
        current = profile.role
        nxt = framework.next_role(current) if current in framework.roles and current else None
        if nxt is None:
            raise PlanRejected("no role above the current one in this track: give a target")
        role = nxt.id
    if role not in framework.roles:
        raise NotFound("unknown role {given}", given=given(role))
    if profile.role is not None and profile.role in framework.roles and \
            framework.rank_of(role) < framework.rank_of(profile.role):
        aimed, held = framework.roles[role], framework.roles[profile.role]
        raise PlanRejected("{role} ({level}) is below the current level {current}",
                           role=Term(aimed.title, f"role '{role}'"),
                           level=Term(f"level {framework.levels[aimed.level].name}",
                                      f"level {aimed.level}"),
                           current=framework.levels[held.level].term)
    aimed = framework.roles[role]
    expects = {c: m for c, m in aimed.expects.items() if m > 0}
    return Target(TargetKind.ROLE, expects, role=role, criteria=aimed.criteria,
                  band_levels=dict(aimed.band_levels))


def _band_target(framework: Framework, profile: Profile, band_id: str,
                 level_ref: str | int | None) -> Target:
    band = framework.bands.get(band_id)
    if band is None:
        raise NotFound(f"unknown band '{band_id}'")
    named = Term(f"the {band.name} band", f"band '{band_id}'")
    if not band.levels:
        raise PlanRejected("{band} has no levels to aim at", band=named)
    if level_ref is None:
        raise PlanRejected("a band target needs {level}", level="a level")
    level = _band_level(band, level_ref, named)
    mastery = {c: profile.mastery_of(c) for c in band.competencies}
    current = band.level_of(mastery)
    if level.level < current:
        raise PlanRejected(f"{{band}} level {level.level} is below the current level "
                           f"{current}", band=named)
    if level.level == current:
        raise PlanRejected(f"already at {{band}} level {level.level}", band=named)
    # By steps, not by effort (a target is resolved before any estimate): the k closest to
    # the band's mastery, or the lowest raised first for an average.
    expects = band_picks(framework, band, level, mastery, lambda c, m: float(m))
    if expects is None:
        raise PlanRejected(f"{{band}} level {level.level} is out of reach", band=named)
    return Target(TargetKind.BAND, expects, band=band_id, band_level=level.level)


def _band_level(band: SkillBand, ref: str | int, named: Term) -> Any:
    for lv in band.levels:
        if str(lv.level) == str(ref).strip() or lv.name.lower() == str(ref).strip().lower():
            return lv
    top = max(lv.level for lv in band.levels)
    raise PlanRejected(f"{{band}} has levels 1-{top}, not '{ref}'", band=named)


def _competency_target(framework: Framework, profile: Profile,
                       competencies: Mapping[str, int]) -> Target:
    if not competencies:
        raise PlanRejected("give at least one competency=mastery")
    for c, m in competencies.items():
        comp = framework.competencies.get(c)
        if comp is None:
            raise NotFound(f"unknown competency '{c}'")
        if not 1 <= m <= comp.scale.max:
            raise PlanRejected(f"mastery {m} for {{competency}} is outside its scale "
                               f"1-{comp.scale.max}", competency=Term(comp.name, f"'{c}'"))
        if m < profile.mastery_of(c):
            raise PlanRejected(f"{{competency}} is at mastery {profile.mastery_of(c)}, above "
                               f"the target {m}", competency=Term(comp.name, f"'{c}'"))
    return Target(TargetKind.COMPETENCIES, dict(competencies))


# --- steps and their order -----------------------------------------------------------


def _order(drafts: Sequence[Draft]) -> list[int]:
    """Greedy: of the steps whose dependencies are placed, the most readiness per month."""
    waiting = [len(d.after) for d in drafts]
    unlocks: list[list[int]] = [[] for _ in drafts]
    for i, d in enumerate(drafts):
        for j in d.after:
            unlocks[j].append(i)

    def key(i: int) -> tuple[float, int, int]:
        d = drafts[i]
        return (-round(d.value / max(d.months, 0.1), 9), d.rank, i)

    ready = [key(i) for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    out: list[int] = []
    while ready:
        i = heapq.heappop(ready)[2]
        out.append(i)
        for j in unlocks[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, key(j))
    assert len(out) == len(drafts), "prerequisite cycle"  # frameworks reject cycles
    return out


# --- the plan ------------------------------------------------------------------------


def make_plan(profile: Profile, framework: Framework, target: Target,
              model: ThroughputModel, throughput: Throughput | None = None, *,
              capacity: int | None = None, horizon: int | None = None,
              start: date | None = None, first_quarter: int = 1, strict: bool = True,
              framework_version: int | None = None,
              checkins: tuple[CheckInRecord, ...] = ()) -> Plan:
    """Plan the steps from ``profile`` to ``target`` at the person's ``throughput``
    (``capacity``: a pace the person commits to instead, in median steps a quarter).

    ``strict`` (a new plan) refuses a target already met and a plan that does not fit
    before ``horizon``; a re-plan (``strict=False``) keeps going and says so in ``note``.
    Without ``throughput``: comparable people's prior alone (no record of the person's own).
    """
    if throughput is None:
        throughput = person_throughput(model, None, start or profile.as_of, profile.track,
                                       profile.level)
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise PlanRejected(f"capacity must be 1-{MAX_CAPACITY} nano-steps a quarter, "
                           f"not {capacity}")
    if strict and horizon is not None and horizon < first_quarter:
        raise PlanRejected(f"{{quarters}} must be at least 1, not "
                           f"{horizon - first_quarter + 1}", quarters="the quarters planned")
    if capacity is not None:
        throughput = throughput.commit(capacity)
    start = start or profile.as_of
    role = target.as_role(framework, profile)
    rules = target.assessed_with(framework)
    now = replace(profile, as_of=start)
    readiness = assess(now, role, rules)
    score = readiness.score
    effort = as_effort(model.difficulty, throughput.on_plan)
    drafted = draft_steps(now, rules, role, effort, start)
    drafts = drafted.steps
    if drafted.short and strict:
        raise PlanRejected("{target}: {short}", target=target.term(framework),
                           short=Term(drafted.short, drafted.short))
    if not drafts and strict:
        raise PlanRejected(f"already meets {{target}} (readiness {score:g})",
                           target=target.term(framework))
    values = Scorer(now, rules, role, start, capped=False)
    for d in drafts:  # what each step is worth on its own, for the order
        d.value = values.apply(d)
    placed = _order(drafts)
    position = {old: new for new, old in enumerate(placed)}
    per_month = throughput.on_plan / MONTHS_PER_QUARTER
    difficulties = [drafts[i].months * per_month for i in placed]
    # Each gap step is worked at the share of the pace the lanes still open then get
    # (Throughput.focus_at, learned from the history: fewer lanes, fewer parallel threads
    # on them); the plan's pace follows from all the parts.
    lanes = [_lane(drafts[i], rules) for i in placed]
    kinds = [drafts[i].kind for i in placed]
    final = _final_lane(lanes, kinds)
    open_lanes = lanes_open(lanes, kinds)
    total = sum(difficulties)
    if not throughput.committed and total > 0:
        throughput = replace(throughput, final_share=sum(
            w for w, f in zip(difficulties, final, strict=True) if f) / total,
            lane_work=tuple(sum(w for w, n in zip(difficulties, open_lanes, strict=True)
                                if min(n, LANE_CAP) == k) / total
                            for k in range(1, LANE_CAP + 1)))
    quarters, dues = schedule(difficulties, throughput)
    notes = [Term(drafted.short, drafted.short)] if drafted.short else []
    needed = max(quarters, default=0)
    if horizon is not None and first_quarter + needed - 1 > horizon:
        allowed = max(0, horizon - first_quarter + 1)
        work = sum(difficulties)
        message = (f"{len(drafts)} nano-steps ({work:.1f} median steps) at "
                   f"{throughput.on_plan:.2g} a quarter need {needed} quarters, more than the "
                   f"{allowed} allowed")
        if strict:
            more = math.ceil(work / allowed) if allowed else MAX_CAPACITY + 1
            raise PlanRejected(message + ": give {quarters}" + (
                " or {capacity}" if more <= MAX_CAPACITY else ""),
                quarters=Term(f"{needed} quarters", f"--quarters {needed}"),
                capacity=Term(f"{more} steps a quarter", f"--capacity {more}"))
        notes.append(Term(message, message))
    waiting = _time_in_level(readiness, now, rules, role)
    if waiting:
        notes.append(waiting)
    scorer = Scorer(now, rules, role, start)  # exact gains, in plan order
    steps, scores = [], []
    for n, i in enumerate(placed):
        d = drafts[i]
        gain = scorer.apply(d)
        scores.append(scorer.score())
        crit = rules.criteria.get(d.criterion) if d.criterion is not None else None
        share = throughput.focus_at(open_lanes[n]) if open_lanes[n] else throughput.focus
        months = difficulties[n] * MONTHS_PER_QUARTER / max(throughput.rate * share, 1e-6)
        steps.append(PlannedStep(
            d.competency, d.from_mastery, d.to_mastery, d.kind,
            first_quarter + quarters[n] - 1, round(months, 2), round(difficulties[n], 3),
            d.source, round(gain, 2), tuple(sorted(position[j] for j in d.after)), d.reason,
            d.criterion, crit.topic if crit else "", crit.level if crit else "",
            crit.text[:TEXT_SHOWN] if crit else ""))
    cumulative = list(accumulate(difficulties))
    milestones = _milestones(steps, start, first_quarter, scores, cumulative, dues,
                             throughput)
    forecast = forecast_of(cumulative[-1], start, throughput) if steps else None
    return Plan(profile.person_id, start, target, capacity, horizon, first_quarter,
                tuple(steps), tuple(milestones), forecast, throughput, score,
                framework_version, checkins, listed(notes, "; "))


def _lane(d: Draft, rules: Any) -> str:
    if d.criterion is not None:
        crit = rules.criteria.get(d.criterion)
        return "topic:" + (crit.topic if crit else d.criterion)
    return "competency:" + d.competency


def lanes_open(lanes: Sequence[str], kinds: Sequence[StepKind]) -> list[int]:
    """For each step in plan order, the lanes of gaps still open when it is worked: those
    with a gap step at or after it (0 for a refresh, which is not a gap)."""
    out = [0] * len(lanes)
    seen: set[str] = set()
    for k in range(len(lanes) - 1, -1, -1):
        if kinds[k] is not StepKind.REFRESH:
            seen.add(lanes[k])
            out[k] = len(seen)
    return out


def _final_lane(lanes: Sequence[str], kinds: Sequence[StepKind]) -> list[bool]:
    """Which steps, in plan order, are worked when one lane of gaps is left: the last gap
    step's lane from the last gap step of any other lane on (refreshes are not gaps)."""
    gaps = [k for k, kind in enumerate(kinds) if kind is not StepKind.REFRESH]
    if not gaps:
        return [False] * len(lanes)
    last = lanes[gaps[-1]]
    others = [k for k in gaps if lanes[k] != last]
    begin = others[-1] + 1 if others else 0
    return [k >= begin and lanes[k] == last and kinds[k] is not StepKind.REFRESH
            for k in range(len(lanes))]


def schedule(difficulties: Sequence[float], throughput: Throughput
             ) -> tuple[list[int], list[Due]]:
    """Each step's quarter (1 = the plan's first), and for each quarter what the forecast
    says of the steps done by its end (``Due``). Quarter q holds the steps whose median
    finish falls in it: the median count done by its end is the last step i with
    ``P(T_i <= q) >= 1/2``, as the steps finish in plan order (``T_i`` rises with i). So
    the last step's quarter is the one the forecast's P50 falls in."""
    cumulative = list(accumulate(difficulties))
    n = len(cumulative)
    quarter_of = [0] * n
    dues: list[Due] = []
    placed = sure = 0  # steps placed; steps (a prefix) all but certainly done already
    q = 0
    while placed < n:
        q += 1
        chances = [1.0] * sure
        for i in range(sure, n):
            p = done_by(cumulative[i], q, throughput)
            if p < SETTLED:
                break  # later steps need more work: less likely still
            if p > 1 - SETTLED and i == sure:
                sure += 1
            chances.append(p)
        due = Due(sum(chances), sum(p >= 0.9 for p in chances),
                  sum(p >= 0.5 for p in chances), sum(p >= 0.1 for p in chances))
        dues.append(due)
        reached = n if q >= MAX_QUARTERS else due.median
        for i in range(placed, reached):
            quarter_of[i] = q
        placed = max(placed, reached)
    return quarter_of, dues


def forecast_of(work: float, start: date, throughput: Throughput) -> Forecast:
    """P10, P50 and P90 of the date the plan's ``work`` is done."""
    q = [quantile(work, p, throughput) for p in (0.1, 0.5, 0.9)]
    months = tuple(round(x * MONTHS_PER_QUARTER, 1) for x in q)
    return Forecast((months[0], months[1], months[2]),
                    (_after(start, q[0] * MONTHS_PER_QUARTER),
                     _after(start, q[1] * MONTHS_PER_QUARTER),
                     _after(start, q[2] * MONTHS_PER_QUARTER)), round(work, 3))


def _time_in_level(readiness: Readiness, profile: Profile, framework: Framework,
                   role: Role) -> Term | None:
    """The time-in-level gate, when it does not hold yet: no step makes it hold sooner."""
    gate = next((g for g in readiness.gates if g.kind == "time_in_level" and not g.holds),
                None)
    least = framework.levels[role.level].min_months
    if gate is None or least is None:
        return None
    months = profile.months_since_promotion or 0.0
    holds_on = day_term(_after(profile.as_of, least - months))
    said = f"time in level: {gate.detail}; no step speeds it up: it holds from "
    return Term(said + holds_on.words, said + holds_on.command)


def add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def quarter_dates(start: date, first_quarter: int, quarter: int) -> tuple[date, date]:
    k = quarter - first_quarter
    return (add_months(start, k * MONTHS_PER_QUARTER),
            add_months(start, (k + 1) * MONTHS_PER_QUARTER) - timedelta(days=1))


def _milestones(steps: Sequence[PlannedStep], start: date, first_quarter: int,
                scores: Sequence[float], cumulative: Sequence[float],
                dues: Sequence[Due], throughput: Throughput) -> list[Milestone]:
    """Quarters of steps, each with the score once its steps and those before are done
    (``scores[i]``: the score after step i, unrounded, so no rounding drifts), the median
    date of that and the forecast's count of steps done by its end."""
    out: list[Milestone] = []
    by_quarter: dict[int, list[int]] = {}
    for i, s in enumerate(steps):
        by_quarter.setdefault(s.quarter, []).append(i)
    last = max(by_quarter, default=0)
    for q, members in sorted(by_quarter.items()):
        starts, ends = quarter_dates(start, first_quarter, q)
        reached = 100.0 if q == last else min(100.0, round(scores[members[-1]], 1))
        p50 = quantile(cumulative[members[-1]], 0.5, throughput)
        due = dues[q - first_quarter]
        out.append(Milestone(q, starts, ends, tuple(members), reached,
                             _after(start, p50 * MONTHS_PER_QUARTER), due.mean,
                             (due.low, due.high)))
    return out


def _after(start: date, months: float) -> date:
    return start + timedelta(days=round(months * DAYS_PER_MONTH))


# --- progress and check-ins ----------------------------------------------------------


class StepStatus(StrEnum):
    DONE = "done"
    MISSED = "missed"  # its quarter has ended and it is not done
    DUE = "due"  # in the current quarter
    UPCOMING = "upcoming"


def step_done(step: PlannedStep, profile: Profile, framework: Framework,
              certified: Collection[str] = ()) -> bool:
    """Progress is derived from the ledger: a step is done once the mastery it aims at is
    reached; a refresh at the top of the scale once a certification names the competency
    (``certified``: competencies certified since the plan started); a criterion once it is
    met (domain.criteria.met_on), and a criterion's refresh once it is met on fresh
    evidence."""
    if step.criterion is not None:
        criterion = framework.criteria.get(step.criterion)
        if criterion is None:  # gone from the framework: nothing can meet it
            return False
        met = met_on(profile.criteria.get(step.criterion), criterion,
                     framework.criteria_policy)
        if met is None:
            return False
        return step.kind is not StepKind.REFRESH or is_fresh(
            met, profile.as_of, framework.readiness.fresh_months)
    if step.to_mastery > step.from_mastery:
        return profile.mastery_of(step.competency) >= step.to_mastery
    return step.competency in certified


def progress(plan: Plan, profile: Profile, framework: Framework,
             certified: Collection[str] = ()) -> list[StepStatus]:
    out = []
    for s in plan.steps:
        starts, ends = quarter_dates(plan.start, plan.first_quarter, s.quarter)
        if step_done(s, profile, framework, certified):
            out.append(StepStatus.DONE)
        elif ends < profile.as_of:
            out.append(StepStatus.MISSED)
        elif starts <= profile.as_of:
            out.append(StepStatus.DUE)
        else:
            out.append(StepStatus.UPCOMING)
    return out


def closable_quarter(plan: Plan, on: date, *, early: bool = False) -> int | None:
    """The quarter a check-in on ``on`` closes: the latest of the plan's quarters that has
    ended by then; with ``early``, the one ``on`` falls in. None: no quarter to close (a
    check-in on the day a plan was made closes nothing unless told to)."""
    if not plan.milestones:
        return None
    last = plan.milestones[-1].quarter
    closed = None
    for q in range(plan.first_quarter, last + 1):
        starts, ends = quarter_dates(plan.start, plan.first_quarter, q)
        if ends < on or (early and starts <= on):
            closed = q
    return closed


def close_quarter(plan: Plan, version: int, profile: Profile, framework: Framework,
                  certified: Collection[str], *, on: date, notes: str, engagement: int | None,
                  event_id: int, early: bool = False) -> CheckInRecord | None:
    """Close the plan's ended quarter (``closable_quarter``): the steps due by its end done
    or missed, and any later ones done early. None: no quarter has ended."""
    quarter = closable_quarter(plan, on, early=early)
    if quarter is None:
        return None
    done: list[str] = []
    missed: list[str] = []
    ahead: list[str] = []
    for s in plan.steps:
        finished = step_done(s, profile, framework, certified)
        if s.quarter <= quarter:
            (done if finished else missed).append(s.label)
        elif finished:
            ahead.append(s.label)
    return CheckInRecord(on, quarter, version, tuple(done), tuple(missed),
                         tuple(ahead), notes, engagement, event_id)


# --- documents -----------------------------------------------------------------------


def plan_to_document(plan: Plan) -> dict[str, Any]:
    """The stable JSON document of a plan (dates as ISO text)."""
    t = plan.target
    f = plan.forecast
    return {
        "person_id": plan.person_id,
        "start": plan.start.isoformat(),
        "target": {"kind": t.kind.value, "role": t.role, "band": t.band,
                   "band_level": t.band_level, "label": t.label, "expects": dict(t.expects),
                   "criteria": list(t.criteria), "band_levels": dict(t.band_levels)},
        "capacity": plan.capacity,
        "horizon": plan.horizon,
        "first_quarter": plan.first_quarter,
        "throughput": None if plan.throughput is None else throughput_document(
            plan.throughput),
        "readiness": plan.readiness,
        "framework_version": plan.framework_version,
        "note": plan.note.command,
        "note_words": plan.note.words,
        "steps": [_step_document(s) for s in plan.steps],
        "milestones": [{"quarter": m.quarter, "starts": m.starts.isoformat(),
                        "ends": m.ends.isoformat(), "steps": list(m.steps),
                        "readiness": m.readiness,
                        "forecast_p50": m.forecast_p50.isoformat() if m.forecast_p50 else None,
                        "expected_done": m.expected, "likely_done": list(m.likely)}
                       for m in plan.milestones],
        "forecast": None if f is None else {
            "work": f.work, "months": {"p10": f.months[0], "p50": f.months[1],
                                       "p90": f.months[2]},
            "dates": {"p10": f.dates[0].isoformat(), "p50": f.dates[1].isoformat(),
                      "p90": f.dates[2].isoformat()}},
        "checkins": [{"on": c.on.isoformat(), "quarter": c.quarter,
                      "plan_version": c.plan_version, "done": list(c.done),
                      "missed": list(c.missed), "ahead": list(c.ahead), "notes": c.notes,
                      "engagement": c.engagement, "event_id": c.event_id}
                     for c in plan.checkins],
    }


def plan_from_document(doc: Mapping[str, Any]) -> Plan:
    t, f = doc["target"], doc["forecast"]
    iso = date.fromisoformat
    return Plan(
        person_id=doc["person_id"],
        start=iso(doc["start"]),
        target=Target(TargetKind(t["kind"]), dict(t["expects"]), t["role"], t["band"],
                      t["band_level"], tuple(t.get("criteria", ())),
                      dict(t.get("band_levels", {}))),
        capacity=doc["capacity"],
        horizon=doc["horizon"],
        first_quarter=doc["first_quarter"],
        steps=tuple(_step_from_document(s) for s in doc["steps"]),
        milestones=tuple(Milestone(m["quarter"], iso(m["starts"]), iso(m["ends"]),
                                   tuple(m["steps"]), m["readiness"],
                                   iso(m["forecast_p50"]) if m["forecast_p50"] else None,
                                   m.get("expected_done", 0.0),
                                   tuple(m.get("likely_done", (0, 0))))
                         for m in doc["milestones"]),
        forecast=None if f is None else Forecast(
            (f["months"]["p10"], f["months"]["p50"], f["months"]["p90"]),
            (iso(f["dates"]["p10"]), iso(f["dates"]["p50"]), iso(f["dates"]["p90"])),
            f.get("work", 0.0)),
        throughput=_throughput_from(doc.get("throughput")),
        readiness=doc["readiness"],
        framework_version=doc["framework_version"],
        checkins=tuple(CheckInRecord(iso(c["on"]), c["quarter"], c["plan_version"],
                                     tuple(c["done"]), tuple(c["missed"]), tuple(c["ahead"]),
                                     c["notes"], c["engagement"], c["event_id"])
                       for c in doc["checkins"]),
        # a document stored before notes had a words reading: its note in both
        note=Term(doc.get("note_words", doc["note"]), doc["note"]),
    )


def _step_document(s: PlannedStep) -> dict[str, Any]:
    """A mastery step names its competency, from and to; a criterion step its criterion,
    topic, level and statement."""
    what: dict[str, Any] = {"competency": s.competency, "from": s.from_mastery,
                            "to": s.to_mastery} if s.criterion is None else {
        "criterion": s.criterion, "topic": s.topic, "level": s.level, "text": s.text}
    return {"kind": s.kind.value, "label": s.label, **what, "quarter": s.quarter,
            "months": s.months, "difficulty": s.difficulty, "source": s.source, "gain": s.gain,
            "after": list(s.after), "reason": s.reason}


def _step_from_document(s: Mapping[str, Any]) -> PlannedStep:
    if "criterion" in s:
        return PlannedStep("", 0, 0, StepKind(s["kind"]), s["quarter"], s["months"],
                           s.get("difficulty", 0.0), s["source"], s["gain"], tuple(s["after"]),
                           s["reason"], s["criterion"], s["topic"], s["level"], s["text"])
    return PlannedStep(s["competency"], s["from"], s["to"], StepKind(s["kind"]), s["quarter"],
                       s["months"], s.get("difficulty", 0.0), s["source"], s["gain"],
                       tuple(s["after"]), s["reason"])


def throughput_document(t: Throughput) -> dict[str, Any]:
    p = t.prior
    return {"rate": t.rate, "focus": t.focus, "on_plan": round(t.on_plan, 4),
            "dispersion": t.dispersion, "spread": t.spread, "last_focus": t.last_focus,
            "final_share": t.final_share, "plan_focus": round(t.plan_focus, 4),
            "lane_focus": list(t.lane_focus), "lane_work": list(t.lane_work),
            "shape": round(t.shape, 4), "quarters": round(t.quarters, 4),
            "committed": t.committed, "own_rate": t.own_rate, "own_work": t.own_work,
            "own_quarters": t.own_quarters, "weight": t.weight,
            "prior": {"rate": p.rate, "strength": p.strength, "spells": p.spells,
                      "group": p.group, "focus": p.focus, "last_focus": p.last_focus}}


def _throughput_from(doc: Mapping[str, Any] | None) -> Throughput | None:
    """A stored plan's throughput (a plan stored before throughput had none)."""
    if doc is None:
        return None
    p = doc["prior"]
    return Throughput(doc["rate"], doc["shape"], doc["quarters"],
                      Prior(p["rate"], p["strength"], p["spells"], p["group"],
                            p.get("focus", 1.0), p.get("last_focus")),
                      doc["own_work"], doc["own_quarters"], doc["committed"],
                      doc.get("focus", 1.0), doc.get("dispersion", 1.0),
                      doc.get("spread", 0.0), doc.get("last_focus"),
                      doc.get("final_share", 0.0), tuple(doc.get("lane_focus", ())),
                      tuple(doc.get("lane_work", ())))
