"""A recommended strategy mix for one person, and the reasons for it, from plain figures.

The mix is the share of effort aimed at promotion (as the simulator's strategies: 0.8 is
promotion-focused, 0.5 balanced, 0.2 micro-progression). It starts from the person's
career stage and role type and moves with the organization's own figures for people like
them (same stage and role type):

    base by stage:            early 0.35, mid 0.55, late 0.30
    role type:                structured +0.10, dynamic -0.10
    promotion odds:           frequent micro-progressors promoted >= 1.2x as often: -0.10
                              (micro-progressions lead to promotions here); <= 0.8x: +0.10
    retention:                frequent micro-progressors keep >= 3 points more a year: -0.05
    simulation (if run):      the strategy with the highest median pay after the horizon,
                              if 3% or more above balanced: 0.10 toward it
    clamped to [0.1, 0.9]

Every reason is a sentence quoting the figure behind it, with its sample.

The next actions come from sources in this order, one from each first (``next_actions``):
the active plan's open steps; the biggest readiness gaps for the next role; a recognition
gap; a well-fitting lateral move; then the routine fallbacks of ``routine_actions``: a check-in
when none was held in the last quarter, evidence of recent work when no micro-progression
was logged in the last quarter, and standing steps (make a plan, one mastery step, one
project or duty) that always apply, so every person in a role gets three actions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

BASE = {"early": 0.35, "mid": 0.55, "late": 0.30}
ROLE_SHIFT = {"structured": 0.10, "dynamic": -0.10}
ODDS_RATIO = 1.2
RETENTION_POINTS = 0.03
PAY_EDGE = 0.03
STEP = 0.10
MIN_PEOPLE = 10  # people in each half before the cohort's figures count
QUARTER_DAYS = 91  # "the last quarter" for the check-in and evidence fallbacks
ACTION_SOURCES = ("plan", "readiness", "recognition", "lattice", "check_in", "evidence",
                  "routine")


@dataclass(frozen=True, slots=True)
class CohortGroup:
    people: int
    person_years: float
    promotions: int
    promotions_per_year: float
    retention_per_year: float


@dataclass(frozen=True, slots=True)
class SimulatedStrategy:
    name: str  # promotion, balanced, micro
    promotion_effort: float
    pay_p50: float
    still_employed: float


@dataclass(frozen=True, slots=True)
class Recommendation:
    promotion_effort: float
    strategy: str  # promotion-focused, balanced or micro-progression
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    source: str  # one of ACTION_SOURCES
    text: str


def strategy_name(effort: float) -> str:
    if effort >= 0.65:
        return "promotion-focused"
    if effort <= 0.35:
        return "micro-progression"
    return "balanced"


def recommend(stage: str, role_type: str, *, rare: CohortGroup | None = None,
              frequent: CohortGroup | None = None,
              simulated: Sequence[SimulatedStrategy] = (), horizon_years: int = 5,
              cohort: str = "people like you") -> Recommendation:
    effort = BASE.get(stage, 0.5)
    reasons = [f"As a {stage}-career person, the starting point is {BASE.get(stage, 0.5):.0%} "
               "of effort toward promotion"
               + (" (build skills and visible scope first)." if stage == "early" else
                  " (the years when a level step pays most)." if stage == "mid" else
                  " (fewer rungs are left; scope, recognition and mastery carry more).")]
    shift = ROLE_SHIFT.get(role_type, 0.0)
    effort += shift
    reasons.append(f"Your track is {role_type}: "
                   + ("a ladder of titles rewards the formal step, so more toward promotion."
                      if shift > 0 else "scope grows without fixed rungs, so more toward "
                      "micro-progressions."))
    if rare and frequent and min(rare.people, frequent.people) >= MIN_PEOPLE:
        if rare.promotions_per_year > 0:
            ratio = frequent.promotions_per_year / rare.promotions_per_year
        else:
            ratio = float("inf") if frequent.promotions_per_year > 0 else 1.0
        odds = (f"Among {cohort}, those with frequent micro-progressions were promoted "
                f"{frequent.promotions_per_year:.1%} a year ({frequent.promotions} promotions in "
                f"{frequent.person_years:,.0f} person-years, {frequent.people} people) against "
                f"{rare.promotions_per_year:.1%} for those with rare ones ({rare.promotions} in "
                f"{rare.person_years:,.0f}, {rare.people} people)")
        if ratio >= ODDS_RATIO:
            effort -= STEP
            reasons.append(odds + ": here, micro-progressions lead to promotions.")
        elif ratio <= 1 / ODDS_RATIO:
            effort += STEP
            reasons.append(odds + ": here, promotions do not follow micro-progressions, so aim "
                           "more directly.")
        else:
            reasons.append(odds + ": no clear difference.")
        gap = frequent.retention_per_year - rare.retention_per_year
        stay = (f"{frequent.retention_per_year:.1%} of frequent micro-progressors stay a year "
                f"against {rare.retention_per_year:.1%} of rare ones")
        if gap >= RETENTION_POINTS:
            effort -= STEP / 2
            reasons.append(f"Retention: {stay}; steady progress goes with staying.")
        else:
            reasons.append(f"Retention: {stay}.")
    else:
        reasons.append(f"Too few {cohort} to compare frequent and rare micro-progressors "
                       f"(needs {MIN_PEOPLE} in each half); the stage and role type decide.")
    by_name = {s.name: s for s in simulated}
    balanced = by_name.get("balanced")
    if balanced and len(simulated) > 1:
        best = max(simulated, key=lambda s: s.pay_p50)
        parts = ", ".join(f"{s.name} {s.pay_p50:,.0f} ({s.still_employed:.0%} still employed)"
                          for s in simulated)
        sentence = (f"Simulated {horizon_years} years from your profile, median pay: {parts}")
        if best.name != "balanced" and balanced.pay_p50 > 0 and \
                best.pay_p50 >= balanced.pay_p50 * (1 + PAY_EDGE):
            effort += STEP if best.promotion_effort > 0.5 else -STEP
            reasons.append(sentence + f"; {best.name} leads.")
        else:
            reasons.append(sentence + "; no strategy leads by 3% or more.")
    effort = round(min(0.9, max(0.1, effort)), 2)
    return Recommendation(effort, strategy_name(effort), tuple(reasons))


def routine_actions(handle: str, today: date, *, last_check_in: date | None,
                    last_micro: date | None, has_plan: bool) -> dict[str, list[str]]:
    """Fallback actions that need no plan, readiness target or lateral role.

    ``check_in`` when no check-in fell in the last quarter, ``evidence`` when no
    micro-progression did, and ``routine``: standing steps that always apply (at least
    three, so ``next_actions`` can always fill its three).
    """
    out: dict[str, list[str]] = {}
    if last_check_in is None or (today - last_check_in).days > QUARTER_DAYS:
        when = (f"the last was {(today - last_check_in).days} days ago, on {last_check_in}"
                if last_check_in else "there has been none")
        out["check_in"] = [f"Ask your manager for a check-in: {when}; review progress and "
                           f"agree this quarter's steps (`trellis checkin {handle}`)"]
    if last_micro is None or (today - last_micro).days > QUARTER_DAYS:
        when = (f"the last was on {last_micro}" if last_micro
                else "none is on the ledger since the hire")
        out["evidence"] = [f"Log evidence of recent work (a skill step, a project led, a duty "
                           f"taken on) with `trellis log ... {handle} --evidence`: no "
                           f"micro-progression in the last quarter ({when})"]
    routine = [] if has_plan else [
        f"Make a plan of small steps: `trellis plan new {handle}` (the next role; --band and "
        "--level, or --competencies, aim at a skill band or competencies instead)"]
    routine += ["Agree one mastery step in a competency of your role with your manager for "
                "this quarter, and log it with evidence when done",
                "Lead a project or take on a responsibility this quarter, and log it with "
                "evidence",
                "Ask a colleague or your manager for feedback on recent work, and record any "
                "recognition it leads to"]
    out["routine"] = routine
    return out


def next_actions(candidates: Mapping[str, Sequence[str]],
                 order: Sequence[str] = ACTION_SOURCES, limit: int = 3
                 ) -> tuple[Action, ...]:
    """The first ``limit`` actions, one from each source in ``order`` first, then the rest."""
    picked: list[Action] = []
    for source in order:
        items = candidates.get(source, ())
        if items and len(picked) < limit:
            picked.append(Action(source, items[0]))
    for source in order:
        for text in list(candidates.get(source, ()))[1:]:
            if len(picked) < limit:
                picked.append(Action(source, text))
    return tuple(picked)
