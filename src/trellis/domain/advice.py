"""A recommended strategy mix for one person, and the reasons for it, from plain figures.

The mix is the share of effort aimed at promotion (as the simulator's strategies: 0.8 is
promotion-focused, 0.5 balanced, 0.2 micro-progression). It starts from the person's
career stage and role type and moves with the organization's own figures for people like
them (same stage and role type), frequent against rare micro-progressors compared at the
same time in level (``RateComparison``, from analytics.strategy_effects):

    base by stage:            early 0.35, mid 0.55, late 0.30
    role type:                structured +0.10, dynamic -0.10
    promotions:               frequent micro-progressors promoted more, the difference's
                              95% interval above 0 and 1.2x or more: -0.10 (micro-
                              progressions lead to promotions here); below 0 and 1/1.2x
                              or less: +0.10
    departures:               frequent micro-progressors leave 3 points a year less, the
                              interval below 0: -0.05
    simulation (if run):      the strategy with the highest median pay after the horizon,
                              if 3% or more above balanced: 0.10 toward it (only when the
                              person has pay recorded: otherwise "no pay data")
    clamped to [0.1, 0.9]

A difference whose interval holds 0 moves nothing and is said to be undecided by the data.
Every reason quotes the figure behind it with its sample; how many stay is quoted only
from the simulation (its departure model), never from a second retention figure. Leaving
is a voluntary departure on both sides. The simulation carries the leaving comparison
itself (``leaving_ratio``: frequent micro-progressors' rate over rare ones', applied where
the comparison decides and not otherwise), and both reasons say so; it does not carry the
promotion comparison, whose channel the simulator's promotion model already holds
(readiness from skill steps toward the next role), and the promotion reason says that too.

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
from typing import Any

from .money import money

BASE = {"early": 0.35, "mid": 0.55, "late": 0.30}
ROLE_SHIFT = {"structured": 0.10, "dynamic": -0.10}
ODDS_RATIO = 1.2
RETENTION_POINTS = 0.03
PAY_EDGE = 0.03
STEP = 0.10
MIN_PEOPLE = 10  # people in each group before the cohort's figures count
QUARTER_DAYS = 91  # "the last quarter" for the check-in and evidence fallbacks
ACTION_SOURCES = ("plan", "readiness", "recognition", "lattice", "check_in", "evidence",
                  "routine")


@dataclass(frozen=True, slots=True)
class RateComparison:
    """Frequent against rare micro-progressors: an outcome's rate per person-year (crude),
    and the difference at the same time in level with its 95% interval."""

    outcome: str  # "promotion" or "departure"
    frequent_rate: float
    rare_rate: float
    frequent_events: int
    rare_events: int
    frequent_years: float
    rare_years: float
    frequent_people: int
    rare_people: int
    difference: float  # frequent - rare, per person-year, standardized over the bands
    ci_low: float
    ci_high: float
    rare_standardized: float  # the rare group's rate over the same bands
    bands: int  # strata compared: bands of time in level, each calendar year

    @property
    def decided(self) -> bool:
        """Whether the interval excludes 0: only then is the difference a difference."""
        return self.ci_low > 0 or self.ci_high < 0

    @property
    def enough(self) -> bool:
        return min(self.frequent_people, self.rare_people) >= MIN_PEOPLE

    @property
    def frequent_standardized(self) -> float:
        """The frequent group's rate over the same strata as ``rare_standardized``."""
        return self.rare_standardized + self.difference

    @property
    def none_happened(self) -> bool:
        """No one in either group was promoted (or left): nothing to compare."""
        return self.frequent_events + self.rare_events == 0

    @property
    def ratio(self) -> float:
        if self.rare_standardized <= 0:
            return float("inf") if self.difference > 0 else 1.0
        return (self.rare_standardized + self.difference) / self.rare_standardized

    def to_document(self) -> dict[str, Any]:
        return {"outcome": self.outcome,
                "frequent": {"rate_per_year": round(self.frequent_rate, 5),
                             "events": self.frequent_events,
                             "person_years": self.frequent_years,
                             "people": self.frequent_people},
                "rare": {"rate_per_year": round(self.rare_rate, 5),
                         "events": self.rare_events, "person_years": self.rare_years,
                         "people": self.rare_people},
                "at_same_time_in_level": {
                    "frequent": round(self.frequent_standardized, 5),
                    "rare": round(self.rare_standardized, 5)},
                "difference_at_same_time_in_level": round(self.difference, 5),
                "ci95": [round(self.ci_low, 5), round(self.ci_high, 5)],
                "bands": self.bands, "decided": self.decided}


@dataclass(frozen=True, slots=True)
class SimulatedStrategy:
    name: str  # promotion, balanced, micro
    promotion_effort: float
    pay_p50: float | None  # None: no pay is recorded for the person
    still_employed: float  # after the horizon
    still_employed_1y: float  # after four quarters, from the same runs


@dataclass(frozen=True, slots=True)
class Recommendation:
    promotion_effort: float
    strategy: str  # promotion-focused, balanced or micro-progression
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Action:
    source: str  # one of ACTION_SOURCES
    text: str  # in words, for a page as well as the command line
    command: str | None = None  # the command that does it, for the command line


def strategy_name(effort: float) -> str:
    if effort >= 0.65:
        return "promotion-focused"
    if effort <= 0.35:
        return "micro-progression"
    return "balanced"


def _points(value: float) -> str:
    return f"{100 * value:+.1f} points"


def _compared(c: RateComparison, verb: str, events: str) -> str:
    """The rates at the same time in level and year (what the advice decides on), then the
    counts behind them, and the unweighted rates when they point the other way: a crude
    pair that disagrees with the comparison would read as a contradiction if left bare."""
    said = (f"{verb} {c.frequent_standardized:.1%} a person-year against "
            f"{c.rare_standardized:.1%} for rare ones, compared at the same time in level "
            f"and in the same year: a difference of {_points(c.difference)} a year (95% "
            f"interval {_points(c.ci_low)} to {_points(c.ci_high)}), from "
            f"{c.frequent_events:,} {events} in {c.frequent_years:,.0f} person-years "
            f"({c.frequent_people:,} people) and {c.rare_events:,} in {c.rare_years:,.0f} "
            f"({c.rare_people:,} people)")
    crude = c.frequent_rate - c.rare_rate
    if c.decided and crude * c.difference < 0:
        said += (f"; unweighted, the rates are {c.frequent_rate:.1%} and {c.rare_rate:.1%}, "
                 "the other way round, because the two groups' years fall at different "
                 "times in level and in different years")
    return said


def _nothing_to_compare(c: RateComparison, cohort: str, split: str, events: str) -> str:
    return (f"No one among {cohort} was {events} in {c.frequent_years + c.rare_years:,.0f} "
            f"person-years, frequent micro-progressors ({split}) or rare, so the data cannot "
            "tell")


PROMOTIONS_SIMULATED = (" The simulation below does not add this difference: its promotions "
                        "follow readiness, which the steps toward the next role build.")


def _promotion_reason(c: RateComparison, cohort: str, split: str, simulated: bool
                      ) -> tuple[float, str]:
    tail = PROMOTIONS_SIMULATED if simulated else ""
    if c.none_happened:
        return 0.0, (_nothing_to_compare(c, cohort, split, "promoted")
                     + " whether micro-progressions lead to promotions here.")
    said = (f"Among {cohort}, frequent micro-progressors ({split}) were "
            + _compared(c, "promoted", "promotions"))
    if not c.decided:
        return 0.0, said + (": the data does not decide whether micro-progressions lead to "
                            "promotions here." + tail)
    if c.ratio >= ODDS_RATIO:
        return -STEP, said + ": here, micro-progressions lead to promotions." + tail
    if c.ratio <= 1 / ODDS_RATIO:
        return STEP, said + (": here, promotions do not follow micro-progressions, so aim "
                             "more directly." + tail)
    return 0.0, said + ": a difference, but under 20%, too small to move the mix." + tail


def _leaving_in_simulation(ratio: float | None) -> str:
    """What the simulation does with the comparison, in words."""
    if ratio is None:
        return (" The simulation below assumes no difference in leaving between frequent "
                "and rare micro-progressors.")
    return (f" The simulation below applies it: frequent micro-progressors leave at "
            f"{ratio:.2f} times the rate of rare ones.")


def _departure_reason(c: RateComparison, cohort: str, split: str, simulated: bool,
                      ratio: float | None) -> tuple[float, str]:
    tail = _leaving_in_simulation(ratio) if simulated else ""
    if c.none_happened:
        return 0.0, ("Leaving: " + _nothing_to_compare(c, cohort, split,
                                                        "seen to leave voluntarily")
                     + " whether steady progress goes with staying." + tail)
    said = (f"Leaving (voluntary departures; other departures end a person's years "
            f"without counting): among {cohort}, frequent micro-progressors "
            + _compared(c, "left at", "voluntary departures"))
    if not c.decided:
        return 0.0, said + (": the data does not decide whether steady progress goes with "
                            "staying." + tail)
    if c.difference <= -RETENTION_POINTS:
        return -STEP / 2, said + ": steady progress goes with staying." + tail
    if c.difference >= RETENTION_POINTS:
        return 0.0, said + ": here, frequent micro-progressors leave more often." + tail
    return 0.0, said + ": a difference, but under 3 points, too small to move the mix." + tail


def recommend(stage: str, role_type: str, *, promotion: RateComparison | None = None,
              departure: RateComparison | None = None, split: str = "",
              simulated: Sequence[SimulatedStrategy] = (), horizon_years: int = 5,
              departure_sample: tuple[float, int, int] | None = None,
              cohort: str = "people like you", currency: str | None = None,
              leaving_ratio: float | None = None) -> Recommendation:
    """``departure_sample``: the person-quarters, voluntary and other departures behind
    the simulation's departure model, quoted beside how many stay (None: the model is the
    default). ``leaving_ratio``: frequent micro-progressors' leaving rate over rare ones'
    that the simulation applies for the person's cohort (None: it applies none)."""
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
    compared = [c for c in (promotion, departure) if c is not None and c.enough]
    if promotion is not None and promotion.enough:
        move, said = _promotion_reason(promotion, cohort, split, bool(simulated))
        effort += move
        reasons.append(said)
    if departure is not None and departure.enough:
        move, said = _departure_reason(departure, cohort, split, bool(simulated),
                                       leaving_ratio)
        effort += move
        reasons.append(said)
    if not compared:
        reasons.append(f"Too few {cohort} to compare frequent and rare micro-progressors "
                       f"(needs {MIN_PEOPLE} people in each group); the stage and role type "
                       "decide.")
    by_name = {s.name: s for s in simulated}
    balanced = by_name.get("balanced")
    if simulated:
        basis = (f" (its departure model: {departure_sample[0]:,.0f} person-quarters, "
                 f"{departure_sample[1]:,} voluntary departures and {departure_sample[2]:,} "
                 "others" if departure_sample else
                 " (with no departures on the ledger to learn from, it assumes Trellis's "
                 "default rate of leaving")
        basis += ("; frequent micro-progressors leave voluntarily at "
                  f"{leaving_ratio:.2f} times the rate of rare ones, as measured above, each "
                  "later career stage with its own figure)" if leaving_ratio is not None
                  else "; no difference in leaving between frequent and rare "
                  "micro-progressors for people like you)")
        stay = ", ".join(f"{s.name} {s.still_employed_1y:.0%} and {s.still_employed:.0%}"
                         for s in simulated)
        reasons.append(f"Simulated {horizon_years} years from your profile{basis}, still "
                       f"employed after 1 year and after {horizon_years}: {stay}.")
    if balanced and len(simulated) > 1:
        if any(s.pay_p50 is None for s in simulated):
            reasons.append(f"Simulated median pay after {horizon_years} years: no pay data "
                           "(no pay is recorded for you).")
        else:
            best = max(simulated, key=lambda s: s.pay_p50 or 0.0)
            parts = ", ".join(f"{s.name} {money(s.pay_p50 or 0, currency)}"
                              for s in simulated)
            sentence = f"Simulated median pay after {horizon_years} years: {parts}"
            if best.name != "balanced" and (balanced.pay_p50 or 0) > 0 and \
                    (best.pay_p50 or 0) >= (balanced.pay_p50 or 0) * (1 + PAY_EDGE):
                effort += STEP if best.promotion_effort > 0.5 else -STEP
                reasons.append(sentence + f"; {best.name} leads.")
            else:
                reasons.append(sentence + "; no strategy leads by 3% or more.")
    effort = round(min(0.9, max(0.1, effort)), 2)
    return Recommendation(effort, strategy_name(effort), tuple(reasons))


def routine_actions(handle: str, today: date, *, last_check_in: date | None,
                    last_micro: date | None, has_plan: bool) -> dict[str, list[Action]]:
    """Fallback actions that need no plan, readiness target or lateral role.

    ``check_in`` when no check-in fell in the last quarter, ``evidence`` when no
    micro-progression did, and ``routine``: standing steps that always apply (at least
    three, so ``next_actions`` can always fill its three).
    """
    out: dict[str, list[Action]] = {}
    if last_check_in is None or (today - last_check_in).days > QUARTER_DAYS:
        when = (f"the last was {(today - last_check_in).days} days ago, on {last_check_in}"
                if last_check_in else "there has been none")
        out["check_in"] = [Action(
            "check_in", f"Ask your manager for a check-in: {when}; review progress and agree "
            "this quarter's steps", f"trellis checkin {handle}")]
    if last_micro is None or (today - last_micro).days > QUARTER_DAYS:
        when = (f"the last was on {last_micro}" if last_micro
                else "none is on the ledger since the hire")
        out["evidence"] = [Action(
            "evidence", "Log evidence of recent work (a skill step, a project led, a duty "
            f"taken on): no micro-progression in the last quarter ({when})",
            f"trellis log KIND {handle} --evidence TEXT")]
    routine = [] if has_plan else [Action(
        "routine", "Make a plan of small steps toward the next role (or a skill band, or "
        "chosen competencies)", f"trellis plan new {handle}")]
    routine += [Action("routine", text) for text in (
        "Agree one mastery step in a competency of your role with your manager for this "
        "quarter, and log it with evidence when done",
        "Lead a project or take on a responsibility this quarter, and log it with evidence",
        "Ask a colleague or your manager for feedback on recent work, and record any "
        "recognition it leads to")]
    out["routine"] = routine
    return out


def next_actions(candidates: Mapping[str, Sequence[str | Action]],
                 order: Sequence[str] = ACTION_SOURCES, limit: int = 3
                 ) -> tuple[Action, ...]:
    """The first ``limit`` actions, one from each source in ``order`` first, then the rest
    (a bare text is an action of its source with no command)."""
    def action(source: str, item: str | Action) -> Action:
        return item if isinstance(item, Action) else Action(source, item)

    picked: list[Action] = []
    for source in order:
        items = candidates.get(source, ())
        if items and len(picked) < limit:
            picked.append(action(source, items[0]))
    for source in order:
        for item in list(candidates.get(source, ()))[1:]:
            if len(picked) < limit:
                picked.append(action(source, item))
    return tuple(picked)
