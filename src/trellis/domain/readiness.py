"""Promotion readiness: a score from 0 to 100, the requirements that must hold, and the gap.

The score counts *nano-steps*: each unit of expected mastery and each expected criterion is
one, counted in full while its evidence is fresh and for ``stale_weight`` once it is older
than ``fresh_months``:

    nano = 100 * (sum_c credit_c + sum_k credit_k) / (sum_c need_c + criteria expected)
    credit_c = min(has_c, need_c) * (1 if fresh_c else stale_weight)
    credit_k = (1 if fresh_k else stale_weight) if criterion k is met else 0

so a gap of two steps weighs twice a gap of one. Where a points rule sets a threshold for the
target level (or a title range for the target role), the points reached count too:
``points = 100 * min(total / least, 1)``, and the score is the mean of the parts the role
asks for. Adding evidence never lowers the score: it raises ``min(has, need)``, meets a
criterion, earns points, and makes evidence newer.

Every rule the framework declares is a **requirement** with its own gap: the expected
mastery and criteria (coverage of the role's criteria at the framework's ``coverage``), the
points threshold and title range, and the gates: must-have competencies, skill-band levels
the role requires, and the least time in level. A person is ready when every requirement
holds and the score reaches ``ready_at``. Readiness supports a promotion decision; it does
not make it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .criteria import met_on
from .events import Assessor
from .framework import Competency, Framework, PointsRule, Role
from .profile import Profile
from .rules import points as points_of
from .rules import points_bars

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True, slots=True)
class Gap:
    competency: str
    name: str
    has: int
    needs: int
    stale: bool  # the evidence is older than the freshness window

    @property
    def steps_missing(self) -> int:
        return max(0, self.needs - self.has)


@dataclass(frozen=True, slots=True)
class Gate:
    name: str
    holds: bool
    detail: str  # as the command line says it: competencies by id
    kind: str = "must_have"  # must_have | band_level | time_in_level
    words: str = ""  # the detail in words, when it names an id: names and level names

    @property
    def in_words(self) -> str:
        return self.words or self.detail


@dataclass(frozen=True, slots=True)
class CriterionGap:
    """An expected criterion not met yet, or met on evidence past the freshness window."""

    criterion: str
    topic: str
    level: str
    text: str
    stale: bool
    self_assessed: int | None  # the latest self and manager assessments, side by side
    manager_assessed: int | None


@dataclass(frozen=True, slots=True)
class Requirement:
    """One rule the target role sets, met or not, with its gap in words."""

    kind: str  # expectations | criteria | points | title | must_have | band_level | time_in_level
    name: str
    met: bool
    detail: str
    has: float | None = None
    needs: float | None = None
    words: str = ""  # the detail in words, when it names an id (see Gate)

    @property
    def in_words(self) -> str:
        return self.words or self.detail


@dataclass(frozen=True, slots=True)
class Readiness:
    target: Role
    score: float  # 0-100
    coverage: float  # 0-100: the score before the freshness discount
    gates: tuple[Gate, ...]
    gaps: tuple[Gap, ...]  # competencies short of the target, or met on stale evidence
    ready_at: float
    requirements: tuple[Requirement, ...] = ()
    # The expected criteria not met, and those met on stale evidence. The gaps in words are
    # built from them on demand: a pipeline of 10,000 people on 300 criteria needs counts.
    unmet_criteria: frozenset[str] = frozenset()
    stale_criteria: frozenset[str] = frozenset()
    context: tuple[Profile, Framework] | None = field(default=None, repr=False,
                                                      compare=False)

    @property
    def gates_hold(self) -> bool:
        """Every gate and every other declared rule holds (see ``blocking``)."""
        return all(g.holds for g in self.gates) and not self.blocking

    @property
    def requirements_hold(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def blocking(self) -> tuple[Requirement, ...]:
        """The declared rules that fail: gates, points, a title's range, criteria coverage.
        They refuse a promotion; the expected mastery only lowers the score."""
        return tuple(r for r in self.requirements if not r.met and r.kind != "expectations")

    @property
    def ready(self) -> bool:
        return self.gates_hold and self.requirements_hold and self.score >= self.ready_at

    @property
    def criteria_missing(self) -> int:
        return len(self.unmet_criteria)

    @property
    def criteria_gaps(self) -> tuple[CriterionGap, ...]:
        """The expected criteria not met, and those met on stale evidence, in the
        framework's order, each with its statement and the latest self and manager
        assessments side by side."""
        if self.context is None or not (self.unmet_criteria or self.stale_criteria):
            return ()
        profile, framework = self.context
        gaps = []
        for criterion_id in self.target.criteria:
            stale = criterion_id in self.stale_criteria
            if not stale and criterion_id not in self.unmet_criteria:
                continue
            c = framework.criteria[criterion_id]
            record = profile.criteria.get(criterion_id)
            said = record.assessments if record else {}
            gaps.append(CriterionGap(
                c.id, c.topic, c.level, c.text, stale,
                said[Assessor.SELF].proficiency if Assessor.SELF in said else None,
                said[Assessor.MANAGER].proficiency if Assessor.MANAGER in said else None))
        return tuple(gaps)

    @property
    def steps_missing(self) -> int:
        return sum(g.steps_missing for g in self.gaps)


def is_fresh(reached_on: date, on: date, fresh_months: float) -> bool:
    return (on - reached_on).days <= fresh_months * DAYS_PER_MONTH


def assess(profile: Profile, target: Role, framework: Framework) -> Readiness:
    """How ready a person is, on their profile's date, for a target role."""
    policy = framework.readiness
    need_total = credit = covered = 0.0
    gaps = []
    for comp, need in target.expects.items():
        if need <= 0:
            continue
        layer = profile.mastery.get(comp)
        has = layer.mastery if layer else 0
        evidence = profile.evidence_on(comp)
        fresh = evidence is not None and is_fresh(evidence, profile.as_of, policy.fresh_months)
        counted = min(has, need)
        need_total += need
        covered += counted
        credit += counted * (1.0 if fresh or counted == 0 else policy.stale_weight)
        if has < need or (counted and not fresh and policy.stale_weight < 1):
            name = framework.competencies[comp].name if comp in framework.competencies else comp
            gaps.append(Gap(comp, name, has, need, stale=bool(counted) and not fresh))
    gaps.sort(key=lambda g: (-g.steps_missing, g.competency))
    requirements = []
    if need_total:
        mastery_met = not any(g.steps_missing for g in gaps)
        requirements.append(Requirement(
            "expectations", "expected mastery", mastery_met,
            "every expected competency at its mastery" if mastery_met else
            _steps_short(sum(g.steps_missing for g in gaps)), covered, need_total))

    unmet, stale_met = [], []
    records, known, cpolicy = profile.criteria, framework.criteria, framework.criteria_policy
    fresh_from = profile.as_of - timedelta(days=policy.fresh_months * DAYS_PER_MONTH)
    for criterion_id in target.criteria:
        record = records.get(criterion_id)
        shown = None if record is None else (
            record.demonstrated_on if not record.assessments  # the common case, inline
            else met_on(record, known[criterion_id], cpolicy))
        if shown is None:
            unmet.append(criterion_id)
        elif shown >= fresh_from:
            credit += 1.0
        else:
            credit += policy.stale_weight
            if policy.stale_weight < 1:
                stale_met.append(criterion_id)
    expected = len(target.criteria)
    met = expected - len(unmet)
    need_total += expected
    covered += met
    if target.criteria:
        share = 100.0 * met / len(target.criteria)
        wanted = framework.criteria_policy.coverage
        requirements.append(Requirement(
            "criteria", "criteria coverage", share >= wanted,
            f"{met} of {len(target.criteria)} criteria met ({share:.0f}%, needs {wanted:g}%)",
            met, len(target.criteria)))

    nano = 100.0 if need_total == 0 else 100.0 * credit / need_total
    nano_covered = 100.0 if need_total == 0 else 100.0 * covered / need_total
    parts, raw_parts = ([nano], [nano_covered]) if need_total else ([], [])
    by_points = _points_requirements(profile, target, framework)
    if by_points:  # one part of the score: the share of the highest bar reached
        requirements.extend(by_points)
        share = min(100.0 * min(1.0, (q.has or 0) / q.needs) for q in by_points if q.needs)
        parts.append(share)
        raw_parts.append(share)
    score = sum(parts) / len(parts) if parts else 100.0
    coverage = sum(raw_parts) / len(raw_parts) if raw_parts else 100.0
    gates = _gates(profile, target, framework)
    requirements.extend(Requirement(g.kind, g.name, g.holds, g.detail, words=g.words)
                        for g in gates)
    return Readiness(target, round(score, 1), round(coverage, 1), gates, tuple(gaps),
                     policy.ready_at, tuple(requirements), frozenset(unmet),
                     frozenset(stale_met), (profile, framework))


def _points_requirements(profile: Profile, target: Role, framework: Framework
                         ) -> list[Requirement]:
    """The points threshold of the target's level, and the target title's point range."""
    mastery = {c: layer.mastery for c, layer in profile.mastery.items()}
    totals: dict[str, float] = {}
    out = []
    for rule, least, kind in points_bars(framework, target):
        total = totals.get(rule.id)
        if total is None:
            total = totals[rule.id] = points_of(rule, framework, mastery).total
        level = framework.levels.get(target.level)
        where = (f"the {level.name if level else target.level} level" if kind == "points"
                 else target.title)
        name = f"{rule.words.capitalize()} points for {where}"
        out.append(Requirement(kind, name, total >= least,
                               _points_detail(rule, framework, mastery, total, least),
                               total, least))
    return out


def _points_detail(rule: PointsRule, framework: Framework, mastery: dict[str, int],
                   total: float, least: float) -> str:
    if total >= least:
        return f"{total:g} points of {least:g}"
    gains = []
    for comp_id, comp in framework.competencies.items():
        has = mastery.get(comp_id, 0)
        if has < comp.scale.max:
            gain = rule.points_for(comp_id, has + 1) - rule.points_for(comp_id, has)
            if gain > 0:
                gains.append((-gain, comp.name, has, comp_id))
    ways = ", ".join(f"{name} {has} -> {has + 1} (+{-gain:g})"
                     for gain, name, has, _ in sorted(gains)[:3])
    return (f"{least - total:g} points short ({total:g} of {least:g})"
            + (f": cheapest ways to get them: {ways}" if ways else ""))


def _gates(profile: Profile, target: Role, framework: Framework) -> tuple[Gate, ...]:
    gates = []
    for comp in target.must_have:
        has, need = profile.mastery_of(comp), target.expects.get(comp, 0)
        known = framework.competencies.get(comp)
        words = "" if known is None else (
            f"{known.name} at mastery {has}{_mastery_name(known, has)}, needs "
            f"{need}{_mastery_name(known, need)}")
        gates.append(Gate(f"must have {comp}", has >= need,
                          f"{comp} at mastery {has}, needs {need}", words=words))
    for band_id, least in target.band_levels.items():
        band = framework.bands[band_id]
        has = profile.bands.get(band_id, 0)
        wanted = next((lv.name for lv in band.levels if lv.level == least), str(least))
        gates.append(Gate(f"{band.name} band level", has >= least,
                          f"{band.name} at band level {has}, needs {least} ({wanted})",
                          "band_level"))
    level = framework.levels[target.level]
    current_rank = profile.level_rank or 0
    if level.min_months is not None and level.rank > current_rank:
        months = profile.months_since_promotion or 0.0
        gates.append(Gate("time in level", months >= level.min_months,
                          f"{months:g} of {level.min_months:g} months in level",
                          "time_in_level"))
    return tuple(gates)


def _mastery_name(competency: Competency, mastery: int) -> str:
    """A mastery's name on the competency's scale, as " (working)" ("" for none)."""
    name = competency.scale.describe(mastery).split(":", 1)[0].strip()
    return f" ({name})" if name else ""


def explain(readiness: Readiness, who: str) -> str:
    """A plain-language paragraph a manager can read out."""
    r, target = readiness, readiness.target
    parts = [f"{who} is {r.score:g}% ready for {target.title} ({target.id})."]
    missing = [g for g in r.gaps if g.steps_missing]
    if missing:
        listed = ", ".join(
            f"{g.name} {g.has} -> {g.needs} ({g.steps_missing} step"
            f"{'s' if g.steps_missing > 1 else ''})" for g in missing)
        parts.append(f"{r.steps_missing} mastery step{'s' if r.steps_missing != 1 else ''} "
                     f"to go: {listed}.")
    elif target.expects:
        parts.append("Every expected competency is at the level the role asks for.")
    missing_criteria = [g for g in r.criteria_gaps if not g.stale]
    if missing_criteria:
        shown = "; ".join(f'"{g.text}"' for g in missing_criteria[:3])
        more = len(missing_criteria) - 3
        parts.append(f"{len(missing_criteria)} criteri{'a' if len(missing_criteria) != 1 else 'on'}"
                     f" to show: {shown}" + (f" and {more} more." if more > 0 else "."))
    elif target.criteria:
        parts.append("Every expected criterion is met.")
    for q in r.requirements:
        if q.kind in ("points", "title") and not q.met:
            parts.append(f"{q.name}: {q.detail}.")
    stale = [g.name for g in r.gaps if g.stale] + [
        f"{g.criterion}" for g in r.criteria_gaps if g.stale]
    if stale:
        parts.append(f"Evidence for {', '.join(stale)} is older than the freshness window "
                     "and counts for less: fresh evidence (a new step or certification) "
                     "restores it.")
    failed = [g for g in r.gates if not g.holds]
    if failed:
        parts.append("Not yet: " + "; ".join(g.detail for g in failed) + ".")
    elif r.gates:
        parts.append("Every gate holds (" + "; ".join(g.detail for g in r.gates) + ").")
    parts.append("Ready for promotion." if r.ready else
                 f"Ready at {r.ready_at:g}% with every gate holding.")
    return " ".join(parts)


def role_to_document(role: Role, framework: Framework) -> dict[str, object]:
    return {"id": role.id, "title": role.title, "track": role.track, "level": role.level,
            "level_rank": framework.levels[role.level].rank}


def readiness_to_document(readiness: Readiness, framework: Framework) -> dict[str, object]:
    """The stable JSON form of a readiness (see docs/readiness.md)."""
    r = readiness
    return {
        "target": role_to_document(r.target, framework),
        "score": r.score,
        "coverage": r.coverage,
        "freshness_discount": round(r.coverage - r.score, 1),
        "ready_at": r.ready_at,
        "ready": r.ready,
        "gates_hold": r.gates_hold,
        "gates": [{"name": g.name, "holds": g.holds, "detail": g.detail} for g in r.gates],
        "steps_missing": r.steps_missing,
        "gaps": [{"competency": g.competency, "name": g.name, "has": g.has, "needs": g.needs,
                  "steps_missing": g.steps_missing, "stale": g.stale} for g in r.gaps],
        "criteria_missing": r.criteria_missing,
        "criteria_gaps": [
            {"criterion": g.criterion, "topic": g.topic, "level": g.level, "text": g.text,
             "stale": g.stale, "assessed": {"self": g.self_assessed,
                                            "manager": g.manager_assessed}}
            for g in r.criteria_gaps],
        "requirements": [
            {"kind": q.kind, "name": q.name, "met": q.met, "detail": q.detail,
             "has": q.has, "needs": q.needs} for q in r.requirements],
    }


def _steps_short(steps: int) -> str:
    return f"{steps} mastery step{'s' if steps != 1 else ''} short"
