"""The strategy simulator on hand-set parameters: reproducible, and doing what it says."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from trellis.analytics.calibration import (
    DepartureModel,
    Estimate,
    PromotionModel,
    default_calibration,
)
from trellis.analytics.simulator import Start, Strategy, parse_strategies, simulate
from trellis.domain.career_stage import CareerStage, StageThresholds, career_stage
from trellis.errors import TrellisError

START = Start.of(rank=np.array([1, 2, 3]), top_rank=6, pay=100_000.0, readiness=0.3,
                 quarters_in_level=2, quarters_since=2, years=1.0, engagement=3.8)
BALANCED = Strategy("balanced", 0.5)


def run(calibration=None, strategy=BALANCED, start=START, quarters=12, runs=4_000, seed=7):
    return simulate(calibration or default_calibration(), start, strategy, quarters=quarters,
                    runs=runs, rng=np.random.default_rng(seed))


def test_the_same_seed_gives_the_same_results():
    a, b = run(), run()
    assert a.horizon == b.horizon
    assert np.array_equal(a.survival, b.survival)
    assert run(seed=8).horizon != a.horizon


def test_without_bands_the_horizon_and_survival_are_the_same_to_the_bit():
    # advice reads the horizon and survival only: skipping the bands must not move a draw
    start = Start.of(rank=np.array([1, 2, 3, 2, 1]), top_rank=6,
                     pay=np.array([90_000.0, np.nan, 110_000.0, 95_000.0, 70_000.0]),
                     readiness=0.3, quarters_in_level=2, quarters_since=2, years=1.0,
                     engagement=3.8)
    for runs, sample in ((4_000, 20_000), (4_000, 3)):  # a band sample shuffles the start
        def go(bands, runs=runs, sample=sample):
            return simulate(default_calibration(), start, BALANCED, quarters=12, runs=runs,
                            rng=np.random.default_rng(5), band_sample=sample, bands=bands)

        full, bare = go(True), go(False)
        assert bare.bands == {} and set(full.bands) == {"pay", "level", "steps", "engagement"}
        assert bare.horizon == full.horizon
        assert np.array_equal(bare.survival, full.survival)
        assert (bare.promotions, bare.micro_progressions) == (full.promotions,
                                                              full.micro_progressions)


def test_without_departure_hazard_everyone_stays():
    cal = replace(default_calibration(), departure=DepartureModel(0, 0, 0, 0, 0, "test"))
    outcome = run(cal)
    assert np.all(outcome.survival == 1.0)


def test_certain_promotion_climbs_one_level_a_quarter_up_to_the_top():
    sure = PromotionModel(50.0, 0, 0, 0, 0, 0, 0, "test")
    cal = replace(default_calibration(), promotion=sure,
                  departure=DepartureModel(0, 0, 0, 0, 0, "test"))
    start = Start.of(rank=np.array([1]), top_rank=5, pay=100_000.0, readiness=0.0,
                     quarters_in_level=0, quarters_since=0, years=0.0, engagement=3.0)
    outcome = run(cal, start=start, quarters=8, runs=500)
    assert list(outcome.bands["level"].p10) == [1, 2, 3, 4, 5, 5, 5, 5, 5]
    assert list(outcome.bands["level"].p90) == [1, 2, 3, 4, 5, 5, 5, 5, 5]
    assert outcome.promotions == 4


def test_percentiles_are_ordered():
    outcome = run()
    for metric, (p10, p50, p90) in outcome.horizon.items():
        assert p10 <= p50 <= p90, metric
    for band in outcome.bands.values():
        assert np.all(band.p10 <= band.p50) and np.all(band.p50 <= band.p90)
    assert np.all(np.diff(outcome.survival) <= 0)


def test_promotion_focus_promotes_more_and_micro_focus_collects_more_micro_progressions():
    promotion = run(strategy=Strategy("promotion", 0.8), quarters=20)
    micro = run(strategy=Strategy("micro", 0.2), quarters=20)
    assert promotion.promotions > 1.2 * micro.promotions
    assert micro.micro_progressions > 1.1 * promotion.micro_progressions


def test_merit_raises_follow_the_calibrated_mean():
    cal = default_calibration()
    none = PromotionModel(-50.0, 0, 0, 0, 0, 0, 0, "test")
    cal = replace(cal, promotion=none, pay={**cal.pay, "band_pay_step": replace(
        cal.pay["band_pay_step"], value=0.0)})
    outcome = run(cal, quarters=4, runs=20_000)
    assert outcome.horizon["pay"][1] == pytest.approx(100_000 * 1.033, rel=0.003)


def test_no_recorded_pay_gives_no_pay_figure_not_zero_nor_a_default():
    """A trajectory started without pay (NaN) stays without: its pay figures are NaN in the
    outcome and null in the document, never 0 or a pay grown from nothing."""
    start = replace(START, pay=np.full(3, np.nan))
    outcome = run(start=start, quarters=8, runs=600)
    assert all(np.isnan(v) for v in outcome.horizon["pay"])
    assert np.isnan(outcome.bands["pay"].p50).all()
    assert outcome.to_document()["horizon"]["pay"] == {"p10": None, "p50": None, "p90": None}
    assert outcome.to_document()["over_time"]["pay"]["p50"] == [None] * 9
    assert outcome.horizon["level"][1] >= 1  # the rest of the simulation runs as before


def test_pay_percentiles_count_only_the_trajectories_with_pay():
    """One of three people has pay: the pay figures are that person's trajectories' (an
    independent computation: numpy's percentiles over them alone), not diluted by NaN."""
    cal = default_calibration()
    none = PromotionModel(-50.0, 0, 0, 0, 0, 0, 0, "test")
    cal = replace(cal, promotion=none, departure=DepartureModel(0, 0, 0, 0, 0, "test"),
                  pay={**cal.pay, "band_pay_step": replace(cal.pay["band_pay_step"],
                                                           value=0.0)})
    start = replace(START, pay=np.array([np.nan, 80_000.0, np.nan]))
    outcome = run(cal, start=start, quarters=4, runs=30_000)
    assert outcome.horizon["pay"][1] == pytest.approx(80_000 * 1.033, rel=0.003)
    assert outcome.bands["pay"].p50[0] == pytest.approx(80_000)


def test_parse_strategies():
    assert [s.name for s in parse_strategies("all")] == ["promotion", "balanced", "micro"]
    mix = parse_strategies("0.3,micro")
    assert mix[0].promotion_effort == 0.3 and mix[1].name == "micro"
    for bad in ("fast", "1.5", "-0.1", ""):
        with pytest.raises(TrellisError, match="unknown strategy"):
            parse_strategies(bad)


def test_strategy_effects_are_neutral_at_balanced():
    s = Strategy("balanced", 0.5)
    assert s.promotion_factor == s.micro_factor == 1.0
    assert s.directed_share(0.7) == pytest.approx(0.7)
    assert Strategy("x", 1.0).directed_share(0.7) == 1.0
    assert Strategy("x", 0.0).directed_share(0.7) == 0.0


@pytest.mark.parametrize(("years", "rank", "stage"), [
    (0, 1, CareerStage.EARLY), (2, 2, CareerStage.EARLY), (1, 3, CareerStage.MID),
    (7, 1, CareerStage.MID), (0, 5, CareerStage.LATE), (16, 2, CareerStage.LATE),
    (None, None, CareerStage.EARLY)])
def test_career_stage(years, rank, stage):
    assert career_stage(years, rank) is stage


def test_career_stage_thresholds_are_configurable():
    assert career_stage(1, 2, StageThresholds(mid_rank=2)) is CareerStage.MID


def test_banded_departures_follow_each_band_in_the_simulation():
    """A hazard of 0 in a new role's first four quarters and 20% after: nobody leaves for a
    year, then survival falls by 0.8 a quarter (within sampling error)."""
    banded = DepartureModel(0.1, 0.0, 0.1, 0, 0, "test", (0.0,) * 4 + (0.2,))
    assert [banded.hazard(q) for q in (0, 3, 4, 40)] == [0.0, 0.0, 0.2, 0.2]
    start = Start.of(rank=np.array([1]), top_rank=1, pay=100_000.0, readiness=0.0,
                     quarters_in_level=0, quarters_since=0, years=0.0, engagement=3.0)
    cal = default_calibration()
    still = {s: {**rates, "lateral_moves": Estimate(0.0, 0, "test")}  # a move resets it
             for s, rates in cal.stages.items()}
    outcome = run(replace(cal, departure=banded, stages=still), start=start, quarters=8,
                  runs=20_000)
    assert list(outcome.survival[:5]) == [1.0] * 5
    expected = 0.8 ** np.arange(1, 5)
    assert np.allclose(outcome.survival[5:], expected, atol=0.01)  # 3 sd of 20,000 runs


def test_departure_bands_are_departures_over_exposure_and_thin_bands_take_the_line():
    import pandas as pd

    from trellis.analytics.calibration import _departure

    # 400 person-quarters at quarters since 0-3 with 40 departures; 400 at 8-11 with 20;
    # 100 at 16-23 with 2 (too few: the fitted line instead)
    rows = ([(q % 4, 1.0, int(i < 40)) for i, q in enumerate(range(400))]
            + [(8 + q % 4, 1.0, int(i < 20)) for i, q in enumerate(range(400))]
            + [(16 + q % 8, 1.0, int(i < 2)) for i, q in enumerate(range(100))])
    df = pd.DataFrame(rows, columns=["quarters_since", "frac", "departed"])
    model = _departure(df)
    assert model.hazard(0) == pytest.approx(40 / 400)
    assert model.hazard(9) == pytest.approx(20 / 400)
    line = min(model.max_hazard, model.base + model.slope * (16 + 24) / 2)
    assert model.hazard(20) == pytest.approx(line, abs=1e-5)
    assert model.hazard(4) == pytest.approx(
        min(model.max_hazard, model.base + model.slope * 6), abs=1e-5)  # no data: the line


def test_the_poisson_lanes_are_numpys_inverse_cdf_lookup():
    """The lookup counted from the cdf's side equals ``searchsorted`` of every lane."""
    import math

    from trellis.analytics.simulator import LANE, poisson_table

    u = (np.arange(LANE) + 0.5) / LANE
    means = [0.0, 1e-9, 0.07, 0.5, 1.3, 3.0, 7.7, 20.0, 40.0]
    for mean in means:
        k = np.arange(64)
        pmf = np.exp(-mean + k * math.log(mean) - np.array([math.lgamma(i + 1) for i in k])) \
            if mean > 0 else (k == 0).astype(float)
        expected = np.searchsorted(np.cumsum(pmf), u, side="right").astype(np.int8)
        assert np.array_equal(poisson_table(np.array([mean])), expected), mean
    both = poisson_table(np.array([0.5, 3.0]))
    assert np.array_equal(both[LANE:], poisson_table(np.array([3.0])))


def test_percentiles_taken_together_are_each_metrics_own_to_the_bit():
    from trellis.analytics.simulator import _stacked_percentiles

    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 999, 2_000):
        values = {"pay": rng.normal(60_000, 9_000, n).astype(np.float32),
                  "level": rng.integers(1, 9, n).astype(np.int8),
                  "steps": rng.integers(0, 400, n).astype(np.int16),
                  "engagement": rng.uniform(1, 5, n).astype(np.float32)}
        mask = rng.random(n) < 0.8
        got = _stacked_percentiles(values, mask)
        assert list(got) == list(values)
        for metric, v in values.items():
            chosen = v[mask]
            want = tuple(float(x) for x in np.percentile(chosen, (10, 50, 90))) \
                if chosen.size else None
            assert (got[metric] == want) if want else all(x != x for x in got[metric])
