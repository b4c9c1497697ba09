"""The backtest's coverage counting the undecided (services.plan_backtest.interval_share)
against lifelines' Kaplan-Meier on the same points, and what a calibrated forecast would
score given the follow-up (calibrated_shares_of) against a simulation of the scoring."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from trellis.services.plan_backtest import (
    Case,
    calibrated_shares_of,
    interval_share,
    pit_histogram,
)


def by_lifelines(points: list[tuple[float, bool]], low: float, high: float) -> float:
    km = KaplanMeierFitter().fit([u for u, _ in points], [o for _, o in points])
    at = km.survival_function_at_times
    return float(at(low - 1e-9).iloc[0]) - float(at(high).iloc[0])


def survival(points: list[tuple[float, bool]], at: float) -> float:
    km = KaplanMeierFitter().fit([u for u, _ in points], [o for _, o in points])
    return float(km.survival_function_at_times(at).iloc[0])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interval_share_is_kaplan_meier_s(seed):
    rng = np.random.default_rng(seed)
    u = rng.uniform(0, 1, 80)
    censor = rng.uniform(0, 1.3, 80)
    points = [(float(min(a, c)), bool(a <= c)) for a, c in zip(u, censor, strict=True)]
    points += [(0.5, True), (0.5, False), (0.05, True), (0.95, False)]  # ties and edges
    assert interval_share(points) == pytest.approx(by_lifelines(points, 0.1, 0.9), abs=1e-9)


def test_without_censoring_it_is_the_plain_share():
    points = [(u, True) for u in (0.05, 0.2, 0.5, 0.7, 0.85, 0.95, 0.99, 0.3)]
    assert interval_share(points) == pytest.approx(5 / 8)


def test_a_calibrated_forecast_scores_near_80_percent_under_heavy_censoring():
    # percentiles of a calibrated forecast are uniform, censored at random
    rng = np.random.default_rng(4)
    u = rng.uniform(0, 1, 4000)
    censor = rng.uniform(0, 1.2, 4000)
    points = [(float(min(a, c)), bool(a <= c)) for a, c in zip(u, censor, strict=True)]
    assert interval_share(points) == pytest.approx(0.8, abs=0.03)


def test_the_pit_histogram_is_the_plain_histogram_without_censoring():
    rng = np.random.default_rng(8)
    u = rng.uniform(0, 1, 500) ** 1.5  # a forecast too late: percentiles pile up low
    found = pit_histogram([(float(x), True) for x in u])
    plain, _ = np.histogram(u, bins=10, range=(0, 1))
    assert found == pytest.approx(tuple(plain / 500), abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_pit_histogram_is_kaplan_meier_s_masses_by_tenth(seed):
    rng = np.random.default_rng(seed)
    u = rng.uniform(0, 1, 120)
    censor = rng.uniform(0, 1.5, 120)
    points = [(float(min(a, c)), bool(a <= c)) for a, c in zip(u, censor, strict=True)]
    found = pit_histogram(points)
    assert sum(found) == pytest.approx(1.0, abs=1e-9)
    last = max(x for x, observed in points if observed)
    for k in range(10):
        if (k + 1) / 10 <= last:  # below the last event: lifelines' masses exactly
            expected = (by_lifelines(points, k / 10, (k + 1) / 10) if k else
                        1.0 - survival(points, 0.1))  # S(0-) = 1
            assert found[k] == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_calibrated_shares_are_what_a_calibrated_forecast_scores_with_that_follow_up(seed):
    # Simulate the scoring itself: a calibrated forecast's percentile U is uniform; the
    # follow-up ends at percentile f. Reached (U <= f): early below 0.1, late above 0.9;
    # not reached: late if the follow-up ran past P90, else undecided.
    rng = np.random.default_rng(seed)
    follow = rng.uniform(0, 1.3, 60).clip(max=1.0)
    cases = [Case(0, "p", "t", 1, 1.0, date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3),
                  None, date(2025, 1, 1), "ledger end", followed=float(f)) for f in follow]
    draws = 20_000
    u = rng.uniform(0, 1, (draws, len(follow)))
    reached = u <= follow
    early = reached & (u < 0.1)
    late = (reached & (u > 0.9)) | (~reached & (follow > 0.9))
    scored = reached | (follow > 0.9)
    found = calibrated_shares_of(cases)
    assert found is not None
    simulated = (early.sum() / scored.sum(), (scored & ~early & ~late).sum() / scored.sum(),
                 late.sum() / scored.sum())
    assert found == pytest.approx(simulated, abs=0.004)
    assert found[0] > 0.1  # the follow-up's end hides the late, not the early


def test_followed_past_p90_everyone_scores_ten_eighty_ten():
    cases = [Case(0, "p", "t", 1, 1.0, date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 3),
                  date(2025, 1, 2), None, "", followed=0.95)] * 3
    assert calibrated_shares_of(cases) == pytest.approx((0.1, 0.8, 0.1))
    assert calibrated_shares_of([]) is None
