"""The backtest's noise figures (domain.coverage_noise) against statsmodels' Wilson interval
and scipy's binomial distribution, and one interval by hand."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binom
from statsmodels.stats.proportion import proportion_confint

from trellis.domain.coverage_noise import chance_in_band, in_band, wilson_interval


def test_wilson_by_hand():
    # 8 of 10: p = 0.8, z = 1.96, z2 = 3.8416; centre (0.8 + 0.19208) / 1.38416 = 0.71674;
    # half 1.96 / 1.38416 * sqrt(0.016 + 0.009604) = 0.22658
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.49016, abs=2e-4)
    assert high == pytest.approx(0.94332, abs=2e-4)


@pytest.mark.parametrize(("k", "n"), [(0, 5), (5, 5), (44, 53), (27, 37), (713, 885), (1, 2)])
def test_wilson_is_statsmodels(k, n):
    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    assert wilson_interval(k, n) == pytest.approx((low, high), abs=1e-9)


def test_nothing_observed_says_nothing():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert chance_in_band(0) == 0.0
    assert not in_band(0, 0)


@pytest.mark.parametrize("n", [1, 7, 20, 21, 36, 40, 59, 150, 1000])
def test_chance_in_band_is_the_binomial_mass_within_five_points(n):
    low, high = math.ceil(0.75 * n - 1e-9), math.floor(0.85 * n + 1e-9)
    expected = binom.cdf(high, n, 0.8) - binom.cdf(low - 1, n, 0.8)
    assert chance_in_band(n) == pytest.approx(expected, abs=1e-9)


def test_the_band_edges_count_as_inside():
    assert in_band(15, 20) and in_band(17, 20)  # 75% and 85% exactly
    assert not in_band(14, 20) and not in_band(18, 20)
    assert chance_in_band(20) == pytest.approx(binom.pmf([15, 16, 17], 20, 0.8).sum())
