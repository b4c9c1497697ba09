"""The backtest's coverage counting the undecided (services.plan_backtest.interval_share)
against lifelines' Kaplan-Meier on the same points."""

from __future__ import annotations

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from trellis.services.plan_backtest import interval_share


def by_lifelines(points: list[tuple[float, bool]], low: float, high: float) -> float:
    km = KaplanMeierFitter().fit([u for u, _ in points], [o for _, o in points])
    at = km.survival_function_at_times
    return float(at(low - 1e-9).iloc[0]) - float(at(high).iloc[0])


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
