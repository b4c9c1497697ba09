"""The use case behind ``trellis advise``: a strategy mix for one person, reasons drawn from
the organization's own figures, and the next three concrete actions.

"People like them" are the individual contributors whose career stage and role type (of
the role held) match the person's, quarter by quarter. Frequent against rare
micro-progressors among them, promoted and leaving, compared at the same time in level
(``analytics.strategy_effects``), and a short simulation from the person's own profile feed
``domain.advice.recommend``. Both figures come from organization models
(services.org_models) fitted once per state of the ledger: a request reads them and never
refits the organization; the simulation runs on the stored calibration, and how many stay
is quoted only from it, so the advice cannot say one thing about retention and simulate
another.

Actions come from the active plan (its first open steps) or, without one, the biggest
readiness gaps for the next role; a recognition gap past the threshold; a well-fitting lateral
move within a year; then the fallbacks of ``domain.advice.routine_actions`` (a check-in
when none was held in the last quarter, evidence when no micro-progression was logged in
it, and standing steps), so every person in a role gets three. Each source that cannot
answer is skipped with a note: advice fails soft.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.analytics.compare import MICRO_KINDS
from trellis.domain.advice import (
    Action,
    Recommendation,
    SimulatedStrategy,
    next_actions,
    recommend,
    routine_actions,
)
from trellis.domain.career_stage import DEFAULT_THRESHOLDS, StageThresholds, career_stage
from trellis.domain.events import Event, EventKind, Retraction
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
from .simulation import effects_model, simulate
from .unit_of_work import UnitOfWork

SIM_YEARS = 5
SIM_RUNS = 2_000  # per strategy: the shares still employed within about a point
ADVISED_FIT = 0.3  # the least fit of a lateral move worth suggesting (see docs/lattice.md)
ADVANCE_KINDS = tuple(k for k in MICRO_KINDS if k != "band_upgrade")  # ledger event kinds


@dataclass(frozen=True, slots=True)
class Advice:
    as_of: date
    handle: str
    role: str
    stage: str
    role_type: str
    cohort: dict[str, Any]  # frequent against rare micro-progressors like them
    simulated: tuple[SimulatedStrategy, ...]
    recommendation: Recommendation
    actions: tuple[Action, ...]
    notes: tuple[str, ...]  # the sources that were skipped, and why; stale models
    models: tuple[dict[str, Any], ...] = ()  # the organization models read, with their dates
    # frequent micro-progressors' leaving rate over rare ones' that the simulation applied
    # for the person's cohort (None: none, the comparison does not decide)
    leaving_ratio: float | None = None

    def to_document(self) -> dict[str, Any]:
        r = self.recommendation
        return {
            "as_of": self.as_of, "person": self.handle, "role": self.role,
            "stage": self.stage, "role_type": self.role_type,
            "recommendation": {"promotion_effort": r.promotion_effort,
                               "strategy": r.strategy, "reasons": list(r.reasons)},
            "cohort": self.cohort,
            "simulation": [{"strategy": s.name, "promotion_effort": s.promotion_effort,
                            "pay_p50": None if s.pay_p50 is None else round(s.pay_p50, 2),
                            "still_employed_1y": round(s.still_employed_1y, 4),
                            "still_employed": round(s.still_employed, 4)}
                           for s in self.simulated],
            "simulation_leaving_ratio": (None if self.leaving_ratio is None
                                         else round(self.leaving_ratio, 4)),
            "actions": [{"source": a.source, "text": a.text, "command": a.command}
                        for a in self.actions],
            "notes": list(self.notes),
            "models": list(self.models),
        }


def _years(since: date | None, until: date) -> float:
    return max(0.0, (until - since).days / 365.25) if since else 0.0


def advise(uow: UnitOfWork, person: str, *, simulate_runs: int = SIM_RUNS,
           thresholds: StageThresholds = DEFAULT_THRESHOLDS) -> Advice:
    today = clock.today()
    with uow.reading():
        found = find_person(uow, person)
        profile = uow.state.current(found.id)
        if profile is None or not profile.active or profile.role is None:
            raise NotApplicable("{person} is not employed here: advice is for people in a "
                                "role", person=found.term)
        roles = roles_of(uow)
    role_type = roles.role_type.get(roles.track.get(profile.role, ""), "structured")
    stage = career_stage(_years(profile.hired_on, today), profile.level_rank, thresholds).value
    fitted = effects_model(uow, thresholds)
    effects = fitted.value.of(stage, role_type)
    notes: list[str] = [n for n in (fitted.note(),) if n]
    models = [fitted.to_document()]
    simulated: tuple[SimulatedStrategy, ...] = ()
    departure_sample: tuple[float, int, int] | None = None
    leaving_ratio: float | None = None
    if simulate_runs:
        try:
            sim = simulate(uow, person=found.handle, strategy="promotion,balanced,micro",
                           years=SIM_YEARS, runs=simulate_runs, seed=found.id,
                           thresholds=thresholds, bands=False)
            simulated = tuple(SimulatedStrategy(
                o.strategy.name, o.strategy.promotion_effort,
                o.horizon["pay"][1] if math.isfinite(o.horizon["pay"][1]) else None,
                float(o.survival[-1]), float(o.survival[min(4, len(o.survival) - 1)]))
                for o in sim.outcomes)
            d = sim.calibration.departure
            departure_sample = (d.n, d.events, d.other_events) if d.n else None
            applied = sim.leaving.get((stage, role_type))
            leaving_ratio = applied.ratio if applied is not None else None
            if sim.model is not None:
                models.append(sim.model.to_document())
                notes += [n for n in (sim.model.note(),) if n]
        except TrellisError as exc:
            notes.append(f"No simulation: {exc}")
    cohort_words = f"{stage}-career people on {role_type} tracks"
    split = "" if effects is None or effects.threshold is None else (
        "any micro-progression over the previous year" if effects.threshold == 0 else
        f"more than {effects.threshold:.1f} micro-progressions a quarter over the previous "
        "year")
    recommendation = recommend(
        stage, role_type, promotion=effects.promotion if effects else None,
        departure=effects.departure if effects else None, split=split,
        simulated=simulated, horizon_years=SIM_YEARS, departure_sample=departure_sample,
        cohort=cohort_words, currency=profile.currency, leaving_ratio=leaving_ratio)
    cohort: dict[str, Any] = {
        "description": cohort_words,
        "people": effects.people if effects else 0,
        "person_years": effects.person_years if effects else 0.0,
        "split_micro_per_quarter": effects.threshold if effects else None,
        "promotion": effects.promotion.to_document() if effects and effects.promotion
        else None,
        "departure": effects.departure.to_document() if effects and effects.departure
        else None}
    candidates = _candidates(uow, found.handle, profile.hired_on, today, notes)
    return Advice(today, found.handle, profile.role, stage, role_type, cohort, simulated,
                  recommendation, next_actions(candidates), tuple(notes), tuple(models),
                  leaving_ratio)


def _candidates(uow: UnitOfWork, handle: str, hired_on: date | None, today: date,
                notes: list[str]) -> dict[str, list[str | Action]]:
    out: dict[str, list[str | Action]] = {}
    has_plan = False
    try:
        view = show_plan(uow, handle)
        has_plan = True
        open_steps = [s for s, status in zip(view.stored.plan.steps, view.statuses, strict=True)
                      if status is not StepStatus.DONE]
        out["plan"] = [f"Plan step: {s.label} (quarter {s.quarter}, about {s.months:.0f} "
                       f"months; {s.reason})" for s in open_steps[:3]]
        if not open_steps:
            notes.append("The active plan has no open steps.")
    except TrellisError as exc:
        notes.append(f"No plan steps among the actions: {exc}")
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
            notes.append(f"No readiness gaps among the actions: {exc}")
    try:
        with uow.reading():
            person = find_person(uow, handle)
            rows = _own_events(uow, person.id, {EventKind.RECOGNITION})
        rules = RecognitionRules()
        c = cadence(person.id, [(r.effective_on, int(getattr(r.details, "points", 0) or 0))
                                for r in rows if r.effective_on <= today], hired_on, today)
        if alerts(c, None, rules):
            since = "since the last recognition" if c.last_on else "since the hire"
            out["recognition"] = [
                f"Ask for recognition of recent work: {c.gap_days} days {since}, past the "
                f"{rules.threshold_days}-day threshold (your manager should recognize it)"]
    except TrellisError as exc:
        notes.append(f"No recognition check: {exc}")
    try:
        found = explore(uow, person=handle, limit=5)
        fitting = [d for d in found.of(MoveKind.LATERAL) if d.fit.score >= ADVISED_FIT]
        if fitting:
            d = fitting[0]
            why = "; ".join(d.fit.reasons[:2])
            out["lattice"] = [f"Consider a lateral move to {d.role.title} ({d.role.id}): "
                              f"{d.fit.score:.0%} fit ({why}), about {d.months:.0f} months "
                              "of preparation"]
        else:
            notes.append("No lateral move fits well within a year.")
    except TrellisError as exc:
        notes.append(f"No lateral moves among the actions: {exc}")
    last_check_in, last_micro = _last_activity(uow, handle, hired_on, today)
    for source, actions in routine_actions(handle, today, last_check_in=last_check_in,
                                           last_micro=last_micro, has_plan=has_plan).items():
        out[source] = list(actions)
    return out


def _own_events(uow: UnitOfWork, person_id: int, kinds: set[EventKind]) -> list[Event]:
    """The person's live events of these kinds, read through the person's index (a read
    by kind would scan the whole organization's events of those kinds)."""
    events = uow.events.for_person(person_id)
    retracted = {e.details.retracts for e in events if isinstance(e.details, Retraction)}
    return [e for e in events if e.kind in kinds and e.id not in retracted]


def _last_activity(uow: UnitOfWork, handle: str, hired_on: date | None, today: date
                   ) -> tuple[date | None, date | None]:
    """The dates of the person's latest check-in and latest micro-progression (hire-day
    baselines and ended duties are not progress)."""
    with uow.reading():
        person = find_person(uow, handle)
        rows = _own_events(uow, person.id,
                           {EventKind.CHECK_IN, *(EventKind(k) for k in ADVANCE_KINDS)})
    check_ins = [r.effective_on for r in rows
                 if r.kind == EventKind.CHECK_IN and r.effective_on <= today]
    advances = [r.effective_on for r in rows
                if r.kind != EventKind.CHECK_IN and r.effective_on <= today
                and r.effective_on != hired_on
                and (r.kind != EventKind.RESPONSIBILITY or bool(getattr(r.details, "share", 0)))]
    return max(check_ins, default=None), max(advances, default=None)
