"""The nano-steps of a plan, drafted from every rule the target role declares.

A plan's steps close each requirement readiness checks (domain.readiness), in this order,
each on the mastery the earlier ones leave (``projected``):

1. **expectations**: one mastery step per level from the current mastery up to the
   expected one; a *refresh* for a competency met only on stale evidence;
2. **band levels** the role requires (``Role.band_levels``): the cheapest competencies,
   by the effort estimates, that reach the band's ``k of n at m`` or its average;
3. **points**: while a points rule's threshold for the target level (or the title's least
   points) is not reached, the raise (one competency up one or more steps) that earns the
   most points per month of effort (see ``points_steps``);
4. **criteria**: one step per expected criterion not met, or met on stale evidence (a new
   demonstration restores full credit).

``Scorer`` mirrors readiness's score, so a plan can say what each step adds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import pairwise

from .criteria import met_on
from .effort import EffortModel
from .events import Assessor
from .framework import BandLevel, Framework, PointsRule, Role, SkillBand
from .profile import Profile
from .readiness import is_fresh
from .rules import points as points_of
from .rules import points_bars

REFRESH_BY_CERTIFICATION = 0.25  # a certification takes this share of the top step's effort
WHY_CHOSEN = {"ratio": "the most points a month",
              "cover": "the cheapest raise that closes the gap",
              "unlock": "no step earns points yet: the cheapest one"}


class StepKind(StrEnum):
    STEP = "step"  # one mastery step toward the target
    REFRESH = "refresh"  # fresh evidence for a competency or criterion met on stale evidence
    CRITERION = "criterion"  # one criterion to demonstrate


@dataclass(slots=True)
class Draft:
    competency: str  # "" for a criterion
    from_mastery: int
    to_mastery: int
    kind: StepKind
    months: float
    spread: float
    source: str
    reason: str
    criterion: str | None = None
    rank: int = 0  # ties in the order: the mastery a step reaches, a criterion's level rank
    value: float = 0.0  # readiness it adds on its own, for the order
    after: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Drafted:
    steps: list[Draft]
    short: str  # "" or why a rule stays out of reach (no step left to take)


def band_picks(framework: Framework, band: SkillBand, level: BandLevel,
               mastery: Mapping[str, int], months: Callable[[str, int], float]
               ) -> dict[str, int] | None:
    """The competencies (-> mastery) that reach a band level most cheaply by ``months``
    (None: out of reach). ``k of n at m``: the k whose steps up to m cost least (ties: the
    highest mastery, then the band's order). ``average``: one step at a time, the cheapest
    next step of the band, until its total reaches ``ceil(average * n)``."""
    order = {c: i for i, c in enumerate(band.competencies)}
    current = {c: mastery.get(c, 0) for c in band.competencies}
    top = {c: framework.competencies[c].scale.max for c in band.competencies}
    if level.average is not None:
        deficit = math.ceil(level.average * len(current) - 1e-9) - sum(current.values())
        raised = dict(current)
        while deficit > 0:
            room = [c for c in band.competencies if raised[c] < top[c]]
            if not room:
                return None
            low = min(room, key=lambda c: (months(c, raised[c] + 1), raised[c], order[c]))
            raised[low] += 1
            deficit -= 1
        return {c: m for c, m in raised.items() if m > current[c]}
    assert level.k is not None and level.mastery is not None
    m = level.mastery
    reachable = [c for c in band.competencies if current[c] >= m or top[c] >= m]
    if len(reachable) < level.k:
        return None
    closest = sorted(reachable, key=lambda c: (
        sum(months(c, x) for x in range(current[c] + 1, m + 1)), -current[c], order[c]))
    return {c: m for c in closest[:level.k] if current[c] < m}


def points_steps(framework: Framework, role: Role, projected: dict[str, int],
                 effort: EffortModel) -> tuple[list[tuple[str, int, str]], str]:
    """The mastery steps (competency, to, why) that reach the role's points, and "" or why
    not; ``why`` says how the step was chosen (see ``WHY_CHOSEN``).

    Greedy by points per month of effort over *raises*: one competency from its current
    (or planned) mastery up one or more steps, each within its scale and with the
    competency's prerequisites already (or planned) at the mastery it steps to. A raise of
    several steps counts so that a cheap step that opens a rich one is seen (0/1/3/6/12/20
    points pay most a month at 3 -> 4). Covering a points gap at least cost is a knapsack;
    the best ratio first is the usual good answer, and each pick can be explained on its
    own. One fix keeps it from overshooting: at every pick the cheapest single raise that
    would close the whole gap is remembered, and used instead of the greedy tail when it
    costs fewer months. ``projected`` is raised by the chosen steps.
    """
    bars = points_bars(framework, role)
    if not bars:
        return [], ""
    goal: dict[int, tuple[PointsRule, float]] = {}
    for rule, least, _ in bars:  # per rule, its highest bar
        if id(rule) not in goal or goal[id(rule)][1] < least:
            goal[id(rule)] = (rule, least)
    order = {c: i for i, c in enumerate(framework.competencies)}
    base = dict(projected)
    picks: list[tuple[str, int, int, str]] = []  # competency, from, to, why
    spent = 0.0
    best_cover: tuple[float, int, str, int, int] | None = None  # months, kept, raise

    def deficits() -> dict[int, float]:
        out = {}
        for key, (rule, least) in goal.items():
            short = least - points_of(rule, framework, projected).total
            if short > 1e-9:
                out[key] = short
        return out

    while short := deficits():
        raises = []  # (value, months, covers, to, order, competency, from)
        for c, comp in framework.competencies.items():
            h = projected.get(c, 0)
            gains = dict.fromkeys(short, 0.0)
            months = 0.0
            for m in range(h + 1, comp.scale.max + 1):
                if any(projected.get(p, 0) < m for p in comp.prerequisites):
                    break
                for k in short:
                    gains[k] += goal[k][0].points_for(c, m) - goal[k][0].points_for(c, m - 1)
                months += effort.months(c, m, comp.scale.max)
                value = sum(min(g, short[k]) for k, g in gains.items())
                covers = all(g >= short[k] - 1e-9 for k, g in gains.items())
                raises.append((value, months, covers, m, order[c], c, h))
        if not raises:
            rule, least = goal[next(iter(short))]
            return ([(c, m, why) for c, h, to, why in picks for m in range(h + 1, to + 1)],
                    f"{rule.words} points for {role.level}: {short[next(iter(short))]:g} short "
                    f"of {least:g} with every competency at its top")
        covering = [x for x in raises if x[2]]
        if covering:
            cover = min(covering, key=lambda x: (x[1], x[4]))
            if best_cover is None or spent + cover[1] < best_cover[0]:
                best_cover = (spent + cover[1], len(picks), cover[5], cover[6], cover[3])
        paying = [x for x in raises if x[0] > 0]
        if paying:  # the most points a month; ties: the shorter raise, the framework's order
            _, months, _, m, _, c, h = max(paying, key=lambda x: (
                round(x[0] / max(x[1], 0.01), 9), -x[3], -x[4]))  # ties survive float noise
            why = "ratio"
        else:  # nothing pays yet (a flat stretch of the table): the cheapest step
            _, months, _, m, _, c, h = min(raises, key=lambda x: (x[1], x[3], x[4]))
            why = "unlock"
        picks.append((c, h, m, why))
        projected[c] = m
        spent += months
    if best_cover is not None and best_cover[0] < spent - 1e-9:
        _, kept, c, h, m = best_cover
        picks = [*picks[:kept], (c, h, m, "cover")]
        projected.clear()
        projected.update(base)
        for c, _, m, _ in picks:
            projected[c] = m
    return [(c, m, why) for c, h, to, why in picks for m in range(h + 1, to + 1)], ""


def draft_steps(profile: Profile, framework: Framework, role: Role, effort: EffortModel,
                on: date) -> Drafted:
    """Every step toward ``role`` (see the module docstring), in drafting order."""
    policy = framework.readiness
    order = {c: i for i, c in enumerate(framework.competencies)}
    projected = {c: layer.mastery for c, layer in profile.mastery.items()}
    drafts: list[Draft] = []

    def step(c: str, m: int, kind: StepKind, reason: str) -> None:
        comp = framework.competencies[c]
        est = effort.estimate(c, m, comp.scale.max)
        drafts.append(Draft(c, m - 1, m, kind, est.months, est.spread, est.source, reason,
                            rank=m))
        projected[c] = max(projected.get(c, 0), m)

    for c in sorted(role.expects, key=lambda c: order.get(c, len(order))):
        need, comp = role.expects[c], framework.competencies.get(c)
        if need <= 0 or comp is None:
            continue
        layer = profile.mastery.get(c)
        has = layer.mastery if layer else 0
        evidence = profile.evidence_on(c)
        fresh = evidence is None or is_fresh(evidence, on, policy.fresh_months)
        if has < need:
            for m in range(has + 1, need + 1):
                step(c, m, StepKind.STEP, f"{comp.name} {m - 1} -> {m} of the {need} needed")
        elif not fresh and policy.stale_weight < 1:
            if has < comp.scale.max:
                step(c, has + 1, StepKind.REFRESH, f"{comp.name} evidence from {evidence} "
                     "is stale: a new step restores full credit")
            else:
                est = effort.estimate(c, has, comp.scale.max)
                drafts.append(Draft(c, has, has, StepKind.REFRESH,
                                    round(est.months * REFRESH_BY_CERTIFICATION, 2),
                                    est.spread, est.source,
                                    f"{comp.name} evidence from {evidence} is stale: log a "
                                    "certification naming it", rank=has))

    short = []
    for band_id, least in role.band_levels.items():
        band = framework.bands.get(band_id)
        level = next((lv for lv in band.levels if lv.level == least), None) if band else None
        if band is None or level is None or band.level_of(projected) >= least:
            continue
        picks = band_picks(framework, band, level, projected, lambda c, m: effort.months(
            c, m, framework.competencies[c].scale.max))
        if picks is None:
            short.append(f"{band.name} band level {least} is out of reach")
            continue
        for c, m in sorted(picks.items(), key=lambda p: order[p[0]]):
            for k in range(projected.get(c, 0) + 1, m + 1):
                step(c, k, StepKind.STEP, f"{framework.competencies[c].name} {k - 1} -> {k} "
                     f"toward the {band.name} band level {least} ({level.name}) the role "
                     "requires")

    chosen, missing = points_steps(framework, role, dict(projected), effort)
    if missing:
        short.append(missing)
    highest: dict[str, tuple[PointsRule, float]] = {}
    for rule, bar, _ in points_bars(framework, role):
        if rule.id not in highest or highest[rule.id][1] < bar:
            highest[rule.id] = (rule, bar)
    for c, m, why in chosen:
        toward = ", ".join(
            f"+{rule.points_for(c, m) - rule.points_for(c, m - 1):g} of the {bar:g} "
            f"{rule.words} points" for rule, bar in highest.values())
        step(c, m, StepKind.STEP, f"{framework.competencies[c].name} {m - 1} -> {m}: "
             f"{toward} {role.title} needs ({WHY_CHOSEN[why]})")

    drafts.extend(_criteria_steps(profile, framework, role, effort, on))
    _link(drafts, framework)
    return Drafted(drafts, "; ".join(short))


def _criteria_steps(profile: Profile, framework: Framework, role: Role,
                    effort: EffortModel, on: date) -> list[Draft]:
    policy, fresh_months = framework.criteria_policy, framework.readiness.fresh_months
    stale_counts = framework.readiness.stale_weight < 1
    ranks = {lv.id: lv.rank for lv in framework.levels.values()}
    out = []
    for cid in role.criteria:
        crit = framework.criteria.get(cid)
        if crit is None:
            continue
        record = profile.criteria.get(cid)
        met = met_on(record, crit, policy)
        topic = framework.topics[crit.topic].name if crit.topic in framework.topics \
            else crit.topic
        level = framework.levels[crit.level].name if crit.level in framework.levels \
            else crit.level
        if met is None:
            kind, reason = StepKind.CRITERION, f"{topic}, {level}: not met yet"
            if record is not None:
                seen = [f"{who} {a.proficiency}" for who, a in record.assessments.items()
                        if who != Assessor.SELF or policy.self_assessment_counts]
                if seen:
                    reason += f" (assessed {', '.join(seen)}; needs {policy.meets(crit)})"
        elif stale_counts and not is_fresh(met, on, fresh_months):
            kind = StepKind.REFRESH
            reason = f"{topic}, {level}: evidence from {met} is stale: demonstrate it again"
        else:
            continue
        est = effort.criterion_estimate(cid, crit.level)
        out.append(Draft("", 0, 0, kind, est.months, est.spread, est.source, reason,
                         criterion=cid, rank=ranks.get(crit.level, 0)))
    return out


def _link(drafts: list[Draft], framework: Framework) -> None:
    """Dependencies: the step below in the same competency and each prerequisite's step to
    the same mastery when the plan has one; a criterion waits for the plan's criteria of
    its topic at the level just below its own (lower-level criteria first)."""
    index = {(d.competency, d.to_mastery): i for i, d in enumerate(drafts) if not d.criterion}
    by_topic: dict[str, dict[int, list[int]]] = {}
    for i, d in enumerate(drafts):
        if d.criterion is not None:
            topic = framework.criteria[d.criterion].topic
            by_topic.setdefault(topic, {}).setdefault(d.rank, []).append(i)
            continue
        below = index.get((d.competency, d.to_mastery - 1))
        if below is not None and below != i:
            d.after.append(below)
        for p in framework.competencies[d.competency].prerequisites:
            j = index.get((p, d.to_mastery))
            if j is not None:
                d.after.append(j)
                d.reason += f", after {framework.competencies[p].name} {d.to_mastery} " \
                            "(a prerequisite)"
    for levels in by_topic.values():
        ranks = sorted(levels)
        for lower, upper in pairwise(ranks):
            for i in levels[upper]:
                drafts[i].after.extend(levels[lower])


class Scorer:
    """Readiness's score for ``role`` (domain.readiness.assess), kept up to date step by
    step: the nano-step part (expected mastery and criteria, fresh or stale) and the
    points part (the share of the highest points bar reached), averaged. ``capped=False``
    lets the points part run past 100: what a step is worth on its own, for the order."""

    def __init__(self, profile: Profile, framework: Framework, role: Role, on: date,
                 *, capped: bool = True) -> None:
        policy = framework.readiness
        self.framework, self.capped, self.stale = framework, capped, policy.stale_weight
        self.need = {c: n for c, n in role.expects.items() if n > 0}
        self.mastery = {c: layer.mastery for c, layer in profile.mastery.items()}
        self.credit: dict[str, float] = {}
        for c, need in self.need.items():
            counted = min(self.mastery.get(c, 0), need)
            evidence = profile.evidence_on(c)
            fresh = evidence is not None and is_fresh(evidence, on, policy.fresh_months)
            self.credit[c] = counted * (1.0 if fresh or counted == 0 else policy.stale_weight)
        for cid in role.criteria:
            crit = framework.criteria.get(cid)
            if crit is None:
                continue
            met = met_on(profile.criteria.get(cid), crit, framework.criteria_policy)
            self.credit["\0" + cid] = 0.0 if met is None else (
                1.0 if is_fresh(met, on, policy.fresh_months) else policy.stale_weight)
        self.total_need = sum(self.need.values()) + sum(1 for k in self.credit
                                                        if k.startswith("\0"))
        self.sum_credit = sum(self.credit.values())
        self.bars = points_bars(framework, role)
        self.points = [points_of(rule, framework, self.mastery).total for rule, _, _ in self.bars]

    def score(self) -> float:
        parts = []
        if self.total_need:
            parts.append(100.0 * self.sum_credit / self.total_need)
        if self.bars:
            shares = [total / least for total, (_, least, _) in zip(self.points, self.bars,
                                                                 strict=True)]
            parts.append(100.0 * (min(1.0, min(shares)) if self.capped else min(shares)))
        return sum(parts) / len(parts) if parts else 100.0

    def apply(self, d: Draft) -> float:
        """Take the step; what it added to the score."""
        before = self.score()
        if d.criterion is not None:
            self._credit("\0" + d.criterion, 1.0)
        elif d.to_mastery > d.from_mastery:
            c, m = d.competency, d.to_mastery
            for k, (rule, _, _) in enumerate(self.bars):
                self.points[k] += rule.points_for(c, m) - rule.points_for(c, d.from_mastery)
            self.mastery[c] = m
            if c in self.need:
                self._credit(c, float(min(m, self.need[c])))
        elif d.competency in self.need:  # a certification refreshes the top of the scale
            self._credit(d.competency, float(self.need[d.competency]))
        return self.score() - before

    def _credit(self, key: str, value: float) -> None:
        if key in self.credit:
            self.sum_credit += value - self.credit[key]
            self.credit[key] = value
