"""The use case behind ``trellis advise``: a strategy mix for one person, reasons drawn from
the organization's own figures, and the next three concrete actions.

"People like them" are everyone ever hired whose career stage (today, or when they left)
and role type (of their latest role's track) match the person's. Their promotion odds and
retention per year, for frequent against rare micro-progressors (``analytics.compare``),
and a short simulation from the person's own profile feed ``domain.advice.recommend``.

Actions come from the active plan (its first open steps) or, without one, the biggest
readiness gaps for the next role; a recognition gap past the threshold; a well-fitting lateral
move within a year; then the fallbacks of ``domain.advice.routine_actions`` (a check-in
when none was held in the last quarter, evidence when no micro-progression was logged in
it, and standing steps), so every person in a role gets three. Each source that cannot
answer is skipped with a note: advice fails soft.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.analytics.compare import MICRO_KINDS, cohort_figures
from trellis.domain.advice import (
    Action,
    CohortGroup,
    Recommendation,
    SimulatedStrategy,
    next_actions,
    recommend,
    routine_actions,
)
from trellis.domain.career_stage import DEFAULT_THRESHOLDS, StageThresholds, career_stage
from trellis.domain.events import EventKind
from trellis.domain.framework import MoveKind
from trellis.domain.plan import StepStatus
from trellis.domain.recognition import RecognitionRules, alerts, cadence
from trellis.errors import NotApplicable, TrellisError

from . import clock
from .compare import roles_of
from .lattice import explore
from .ledger import find_person
from .plans import show_plan
from .readiness import readiness_for
from .simulation import simulate
from .unit_of_work import UnitOfWork

SIM_YEARS = 5
SIM_RUNS = 5_000
ADVISED_FIT = 0.3  # the least fit of a lateral move worth suggesting (see docs/lattice.md)
ADVANCE_KINDS = tuple(k for k in MICRO_KINDS if k != "band_upgrade")  # ledger event kinds
COHORT_KINDS = ("hire", "promotion", "departure", *ADVANCE_KINDS)


@dataclass(frozen=True, slots=True)
class Advice:
    as_of: date
    handle: str
    role: str
    stage: str
    role_type: str
    cohort: dict[str, Any]  # rare / frequent figures for people like them
    simulated: tuple[SimulatedStrategy, ...]
    recommendation: Recommendation
    actions: tuple[Action, ...]
    notes: tuple[str, ...]  # the sources that were skipped, and why

    def to_document(self) -> dict[str, Any]:
        r = self.recommendation
        return {
            "as_of": self.as_of, "person": self.handle, "role": self.role,
            "stage": self.stage, "role_type": self.role_type,
            "recommendation": {"promotion_effort": r.promotion_effort,
                               "strategy": r.strategy, "reasons": list(r.reasons)},
            "cohort": self.cohort,
            "simulation": [{"strategy": s.name, "promotion_effort": s.promotion_effort,
                            "pay_p50": round(s.pay_p50, 2),
                            "still_employed": round(s.still_employed, 4)}
                           for s in self.simulated],
            "actions": [{"source": a.source, "text": a.text} for a in self.actions],
            "notes": list(self.notes),
        }


def _years(since: date | None, until: date) -> float:
    return max(0.0, (until - since).days / 365.25) if since else 0.0


def advise(uow: UnitOfWork, person: str, *, simulate_runs: int = SIM_RUNS,
           thresholds: StageThresholds = DEFAULT_THRESHOLDS) -> Advice:
    today = clock.today()
    with uow:
        found = find_person(uow, person)
        profile = uow.state.current(found.id)
        if profile is None or not profile.active or profile.role is None:
            raise NotApplicable(f"{found.handle} is not employed here: advice is for people "
                                "in a role")
        roles = roles_of(uow)
        states = uow.state.rows(None, ["person_id", "role", "level_rank", "hired_on",
                                       "departed_on"])
        rows = uow.events.of_kinds(COHORT_KINDS)
    role_type = roles.role_type.get(roles.track.get(profile.role, ""), "structured")
    stage = career_stage(_years(profile.hired_on, today), profile.level_rank, thresholds).value
    like = [s["person_id"] for s in states if s["hired_on"] and s["role"]
            and roles.role_type.get(roles.track.get(s["role"], ""), "structured") == role_type
            and career_stage(_years(s["hired_on"], s["departed_on"] or today),
                             s["level_rank"], thresholds).value == stage]
    figures = cohort_figures(rows, end=today, people=like)
    groups = {name: CohortGroup(int(f["people"]), float(f["person_years"]),
                                int(f["promotions"]), float(f["promotions_per_year"]),
                                float(f["retention_per_year"]))
              for name, f in figures.items()}
    notes: list[str] = []
    simulated: tuple[SimulatedStrategy, ...] = ()
    if simulate_runs:
        try:
            sim = simulate(uow, person=found.handle, strategy="promotion,balanced,micro",
                           years=SIM_YEARS, runs=simulate_runs, seed=found.id)
            simulated = tuple(SimulatedStrategy(o.strategy.name, o.strategy.promotion_effort,
                                                o.horizon["pay"][1], float(o.survival[-1]))
                              for o in sim.outcomes)
        except TrellisError as exc:
            notes.append(f"simulation skipped: {exc}")
    cohort_words = f"{stage}-career people on {role_type} tracks"
    recommendation = recommend(stage, role_type, rare=groups.get("rare"),
                               frequent=groups.get("frequent"), simulated=simulated,
                               horizon_years=SIM_YEARS, cohort=cohort_words)
    candidates = _candidates(uow, found.handle, profile.hired_on, today, notes)
    return Advice(today, found.handle, profile.role, stage, role_type,
                  {"people": len(like), "description": cohort_words, **figures},
                  simulated, recommendation, next_actions(candidates), tuple(notes))


def _candidates(uow: UnitOfWork, handle: str, hired_on: date | None, today: date,
                notes: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    has_plan = False
    try:
        view = show_plan(uow, handle)
        has_plan = True
        open_steps = [s for s, status in zip(view.stored.plan.steps, view.statuses, strict=True)
                      if status is not StepStatus.DONE]
        out["plan"] = [f"Plan step: {s.label} (quarter {s.quarter}, about {s.months:.0f} "
                       f"months; {s.reason})" for s in open_steps[:3]]
        if not open_steps:
            notes.append("the active plan has no open steps")
    except TrellisError as exc:
        notes.append(f"plan: {exc}")
    if not out.get("plan"):  # no plan, or nothing left in it: the next role's biggest gaps
        try:
            r = readiness_for(uow, handle).readiness
            gaps = sorted(r.gaps, key=lambda g: (-g.steps_missing, g.name))
            out["readiness"] = [
                (f"Raise {g.name} from {g.has} to {g.needs} for {r.target.title} "
                 f"(readiness {r.score:.0f}/100)") if g.steps_missing else
                f"Refresh the evidence of {g.name} for {r.target.title} (it is stale)"
                for g in gaps[:3]]
        except TrellisError as exc:
            notes.append(f"readiness: {exc}")
    try:
        with uow:
            person = find_person(uow, handle)
            rows = uow.events.of_kinds([EventKind.RECOGNITION], [person.id])
        rules = RecognitionRules()
        c = cadence(person.id, [(r.effective_on, int(r.details.get("points") or 0))
                                for r in rows if r.effective_on <= today], hired_on, today)
        if alerts(c, None, rules):
            since = "since the last recognition" if c.last_on else "since the hire"
            out["recognition"] = [
                f"Ask for recognition of recent work: {c.gap_days} days {since}, past the "
                f"{rules.threshold_days}-day threshold (your manager should recognize it)"]
    except TrellisError as exc:
        notes.append(f"recognition: {exc}")
    try:
        found = explore(uow, person=handle, limit=5)
        fitting = [d for d in found.of(MoveKind.LATERAL) if d.fit.score >= ADVISED_FIT]
        if fitting:
            d = fitting[0]
            why = "; ".join(d.fit.reasons[:2])
            out["lattice"] = [f"Consider a lateral move to {d.role.title} ({d.role.id}): "
                              f"fit {d.fit.score:.2f} ({why}), about {d.months:.0f} months "
                              "of preparation"]
        else:
            notes.append("lattice: no well-fitting lateral move within a year")
    except TrellisError as exc:
        notes.append(f"lattice: {exc}")
    last_check_in, last_micro = _last_activity(uow, handle, hired_on, today)
    out.update(routine_actions(handle, today, last_check_in=last_check_in,
                               last_micro=last_micro, has_plan=has_plan))
    return out


def _last_activity(uow: UnitOfWork, handle: str, hired_on: date | None, today: date
                   ) -> tuple[date | None, date | None]:
    """The dates of the person's latest check-in and latest micro-progression (hire-day
    baselines and ended duties are not progress)."""
    with uow:
        person = find_person(uow, handle)
        rows = uow.events.of_kinds([EventKind.CHECK_IN, *ADVANCE_KINDS], [person.id])
    check_ins = [r.effective_on for r in rows
                 if r.kind == EventKind.CHECK_IN and r.effective_on <= today]
    advances = [r.effective_on for r in rows
                if r.kind != EventKind.CHECK_IN and r.effective_on <= today
                and r.effective_on != hired_on
                and (r.kind != EventKind.RESPONSIBILITY or r.details.get("share"))]
    return max(check_ins, default=None), max(advances, default=None)
