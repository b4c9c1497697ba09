"""The simulator's leaving effect of frequent micro-progression (``LeavingEffect``): a
hand-made calibration with a known effect, read back from the simulated departures within
the Monte Carlo error of the run count."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from trellis.analytics.calibration import (
    Calibration,
    DepartureModel,
    PromotionModel,
    default_calibration,
)
from trellis.analytics.simulator import LeavingEffect, Start, Strategy, simulate

HAZARD = 0.05  # voluntary departures a quarter
EFFECT = LeavingEffect(threshold=5.0, ratio=2.0, frequent_share=0.5)
RUNS = 200_000
QUARTERS = 6
MICRO = ("skill_steps", "recognitions", "certifications", "projects", "lateral_moves",
         "band_upgrades")


def calibration(frequent_stages: set[str]) -> Calibration:
    """No promotion; a constant voluntary hazard; the stages in ``frequent_stages`` draw
    20 recognitions a quarter (always above the threshold), the others no
    micro-progression at all (a merit raise a year stays below it)."""
    cal = default_calibration()
    stages = {s: {name: (replace(e, value=20.0 if name == "recognitions" and s in
                                 frequent_stages else 0.0) if name in MICRO else e)
                  for name, e in rates.items()} for s, rates in cal.stages.items()}
    return replace(cal, stages=stages,
                   promotion=PromotionModel(-50.0, 0, 0, 0, 0, 0, 0, "test"),
                   departure=DepartureModel(HAZARD, 0.0, HAZARD, 0, 0, "test"))


def departures(cal: Calibration, start: Start, leaving: dict | None, seed: int = 3
               ) -> tuple[float, float, np.ndarray]:
    """Departures and person-quarters at risk over quarters 1 on (quarter 0 has no
    simulated history, so no effect), and the survival curve."""
    out = simulate(cal, start, Strategy("balanced", 0.5), quarters=QUARTERS, runs=RUNS,
                   rng=np.random.default_rng(seed), bands=False, leaving=leaving)
    s = out.survival
    return RUNS * (s[1] - s[-1]), RUNS * float(s[1:-1].sum()), s


def test_a_known_leaving_effect_is_reproduced_within_monte_carlo_error() -> None:
    start = Start.of(rank=np.array([1]), top_rank=1, pay=100_000.0, readiness=0.0,
                     quarters_in_level=4, quarters_since=4, years=0.0, engagement=3.8)
    effect = {("early", "structured"): EFFECT}
    d_f, e_f, s_f = departures(calibration({"early"}), start, effect)
    d_r, e_r, s_r = departures(calibration(set()), start, effect)
    rare, frequent = EFFECT.factors()
    assert (rare, frequent) == pytest.approx((1 / 1.5, 2 / 1.5))
    # quarter 0: the calibrated hazard for both (binomial error of RUNS draws)
    sd0 = math.sqrt(HAZARD * (1 - HAZARD) / RUNS)
    for s in (s_f, s_r):
        assert abs((1 - s[1]) - HAZARD) < 4 * sd0
    # each group's hazard, and their ratio: Poisson error of the departures counted
    for d, e, factor in ((d_f, e_f, frequent), (d_r, e_r, rare)):
        assert abs(d / e - HAZARD * factor) < 4 * HAZARD * factor / math.sqrt(d)
    log_ratio = math.log((d_f / e_f) / (d_r / e_r))
    assert abs(log_ratio - math.log(EFFECT.ratio)) < 4 * math.sqrt(1 / d_f + 1 / d_r)
    # without the effect, both leave at the calibrated rate
    d_n, e_n, _ = departures(calibration({"early"}), start, None)
    assert abs(d_n / e_n - HAZARD) < 4 * HAZARD / math.sqrt(d_n)


def test_the_observed_mix_keeps_the_calibrated_rate() -> None:
    """Half the trajectories frequent (early stage), half rare (mid, by rank), the effect's
    frequent share 0.5: their first quarter with the effect averages the calibrated rate,
    the two groups at ``ratio`` to each other."""
    start = Start.of(rank=np.array([1, 3]), top_rank=np.array([1, 3]), pay=100_000.0,
                     readiness=0.0, quarters_in_level=4, quarters_since=4, years=0.0,
                     engagement=3.8)
    effect = {("early", "structured"): EFFECT, ("mid", "structured"): EFFECT}
    out = simulate(calibration({"early"}), start, Strategy("balanced", 0.5), quarters=2,
                   runs=RUNS, rng=np.random.default_rng(11), bands=False, leaving=effect)
    s = out.survival
    at_risk = RUNS * s[1]
    hazard = (s[1] - s[2]) / s[1]
    assert abs(hazard - HAZARD) < 4 * math.sqrt(HAZARD * (1 - HAZARD) / at_risk)


def test_a_dynamic_track_reads_its_own_cohort() -> None:
    """The effect of (early, dynamic) applies to trajectories on dynamic tracks only."""
    start = Start.of(rank=np.array([1]), top_rank=1, pay=100_000.0, readiness=0.0,
                     quarters_in_level=4, quarters_since=4, years=0.0, engagement=3.8,
                     structured=np.array([False]))
    dynamic = {("early", "dynamic"): EFFECT}
    d, e, _ = departures(calibration({"early"}), start, dynamic)
    frequent = HAZARD * EFFECT.factors()[1]
    assert abs(d / e - frequent) < 4 * frequent / math.sqrt(d)
    d, e, _ = departures(calibration({"early"}), start, {("early", "structured"): EFFECT})
    assert abs(d / e - HAZARD) < 4 * HAZARD / math.sqrt(d)


def test_other_departures_are_added_and_untouched_by_the_effect() -> None:
    start = Start.of(rank=np.array([1]), top_rank=1, pay=100_000.0, readiness=0.0,
                     quarters_in_level=4, quarters_since=4, years=0.0, engagement=3.8)
    cal = calibration({"early"})
    cal = replace(cal, departure=replace(cal.departure, others=(0.02,), other_events=1))
    d, e, _ = departures(cal, start, {("early", "structured"): EFFECT})
    expected = HAZARD * EFFECT.factors()[1] + 0.02
    assert abs(d / e - expected) < 4 * expected / math.sqrt(d)


@pytest.mark.parametrize("ratio", [0.5, 2.0])
def test_strategies_move_retention_the_way_the_effect_points(ratio: float) -> None:
    """Frequent micro-progressors leaving more (ratio 2) or less (0.5): the micro-progression
    strategy, which draws more micro-progressions, keeps fewer or more people than the
    promotion-focused one (nothing else differs: no promotions, a constant hazard)."""
    cal = replace(default_calibration(),
                  promotion=PromotionModel(-50.0, 0, 0, 0, 0, 0, 0, "test"),
                  departure=DepartureModel(HAZARD, 0.0, HAZARD, 0, 0, "test"))
    start = Start.of(rank=np.array([1]), top_rank=2, pay=100_000.0, readiness=0.0,
                     quarters_in_level=4, quarters_since=4, years=0.0, engagement=3.8)
    effect = {("early", "structured"): LeavingEffect(2.0, ratio, 0.5)}
    kept = {name: simulate(cal, start, Strategy(name, e), quarters=12, runs=20_000,
                           rng=np.random.default_rng(5), bands=False,
                           leaving=effect).survival[-1]
            for name, e in (("promotion", 0.8), ("micro", 0.2))}
    error = 4 * math.sqrt(2 * 0.5 * 0.5 / 20_000)  # two shares' binomial error, at most
    if ratio > 1:
        assert kept["micro"] < kept["promotion"] - error
    else:
        assert kept["micro"] > kept["promotion"] + error
