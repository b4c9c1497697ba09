"""Promotion readiness: a score from 0 to 100, the gates that must hold, and the gap.

The score is the share of the target role's expected mastery a person has, each unit of
mastery counted in full while its evidence is fresh and for ``stale_weight`` once the
competency's latest step is older than ``fresh_months``:

    score = 100 * sum_c credit_c / sum_c need_c
    credit_c = min(has_c, need_c) * (1 if fresh_c else stale_weight)

so a gap of two steps weighs twice a gap of one. Adding mastery never lowers the score: it
raises ``min(has, need)`` and makes the competency's evidence newer. Gates are separate
and must all hold: every must-have competency at its expected mastery, and the minimum
time in level the target level sets. Readiness supports a promotion decision; it does not
make it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .framework import Framework, Role
from .profile import Profile

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
    detail: str


@dataclass(frozen=True, slots=True)
class Readiness:
    target: Role
    score: float  # 0-100
    coverage: float  # 0-100: the score before the freshness discount
    gates: tuple[Gate, ...]
    gaps: tuple[Gap, ...]  # competencies short of the target, or met on stale evidence
    ready_at: float

    @property
    def gates_hold(self) -> bool:
        return all(g.holds for g in self.gates)

    @property
    def ready(self) -> bool:
        return self.gates_hold and self.score >= self.ready_at

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
    score = 100.0 if need_total == 0 else 100.0 * credit / need_total
    coverage = 100.0 if need_total == 0 else 100.0 * covered / need_total
    gaps.sort(key=lambda g: (-g.steps_missing, g.competency))
    return Readiness(target, round(score, 1), round(coverage, 1),
                     _gates(profile, target, framework), tuple(gaps), policy.ready_at)


def _gates(profile: Profile, target: Role, framework: Framework) -> tuple[Gate, ...]:
    gates = []
    for comp in target.must_have:
        has, need = profile.mastery_of(comp), target.expects.get(comp, 0)
        gates.append(Gate(f"must have {comp}", has >= need,
                          f"{comp} at mastery {has}, needs {need}"))
    level = framework.levels[target.level]
    current_rank = profile.level_rank or 0
    if level.min_months is not None and level.rank > current_rank:
        months = profile.months_since_promotion or 0.0
        gates.append(Gate("time in level", months >= level.min_months,
                          f"{months:g} of {level.min_months:g} months in level"))
    return tuple(gates)


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
    else:
        parts.append("Every expected competency is at the level the role asks for.")
    stale = [g.name for g in r.gaps if g.stale]
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
    }
