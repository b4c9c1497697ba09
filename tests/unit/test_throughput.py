"""Throughput and difficulty (domain.throughput) against hand computations, and a plan's
milestones and forecast against the distribution computed independently (scipy, numpy)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from test_plan import FRESH, START, TINY_FW, person

from trellis.domain.effort import DEFAULT_MONTHS
from trellis.domain.ledger_rows import EventRow
from trellis.domain.plan import make_plan, resolve_target
from trellis.domain.throughput import (
    DAYS_PER_QUARTER,
    DEFAULT_PRIOR,
    MIN_HELD_OUT,
    Career,
    Difficulty,
    HeldOut,
    NanoStep,
    Prior,
    Rated,
    Spell,
    Throughput,
    ThroughputModel,
    as_effort,
    careers_from_rows,
    decided,
    dispersion,
    done_by,
    fit_prior,
    fit_spread,
    incomplete_beta,
    learn_difficulty,
    learn_throughput,
    log_likelihood,
    model_from_document,
    model_to_document,
    person_throughput,
    quantile,
    spread_interval,
    work_shares,
)

DAY0 = date(2024, 1, 1)


def step(days: int, competency: str, to: int = 1) -> NanoStep:
    return NanoStep(DAY0 + timedelta(days=days), "competency:" + competency, competency, to)


def career(pid: int, steps: list[NanoStep], *, left: date | None = None,
           roles: tuple[tuple[date, str, str], ...] = ((DAY0, "eng", "L1"),)) -> Career:
    return Career(pid, DAY0, left, roles, tuple(steps))


# --- work shares: each day divided among the lanes open on it


def test_work_shares_divide_each_day_among_open_lanes():
    # a opens at the hire and closes on day 91, b closes on day 182: for 91 days both are
    # open (45.5 days each), then b alone for 91. Calendar gaps would say 91 and 182.
    c = career(1, [step(0, "z"), step(91, "a"), step(182, "b")])  # a baseline, then two
    (a, wa), (b, wb) = work_shares(c, date(2025, 1, 1))
    assert (a.key, b.key) == ("a", "b")
    assert wa == pytest.approx(45.5 / DAYS_PER_QUARTER)
    assert wb == pytest.approx((45.5 + 91) / DAYS_PER_QUARTER)
    assert wa + wb == pytest.approx(182 / DAYS_PER_QUARTER)  # never more than the time


def test_a_baseline_on_the_hire_date_and_steps_after_until_take_no_work():
    c = career(1, [step(0, "a", 3), step(50, "a", 4), step(400, "a", 5)])
    shares = work_shares(c, DAY0 + timedelta(days=100))
    assert [(s.to_mastery, round(w * DAYS_PER_QUARTER, 6)) for s, w in shares] == [(4, 50)]


def test_difficulty_is_the_median_share_of_throughput_over_the_median_step():
    # Both lanes open at the hire (a baseline opens the record); a closes on day 30 (15 days
    # of work: two lanes open), b on day 90 (15 + 60). Raw rate: 2 steps over 90 days.
    people = [career(i, [step(0, "z", 1), step(30, "a"), step(90, "b")]) for i in range(5)]
    until = DAY0 + timedelta(days=90)
    d = learn_difficulty(people, until)
    rate = 2 / (90 / DAYS_PER_QUARTER)
    samples = [15 / DAYS_PER_QUARTER * rate, 75 / DAYS_PER_QUARTER * rate]
    unit = float(np.median(samples * 5))
    assert d.of_step("a", 1).value == pytest.approx(samples[0] / unit, abs=1e-3)
    assert d.of_step("b", 1).value == pytest.approx(samples[1] / unit, abs=1e-3)
    assert d.of_step("a", 1).source == "competency"
    assert d.of_step("y", 1).source == "mastery"  # mastery 1 has 10 samples
    assert d.of_step("z", 4).source == "default" and d.of_step("z", 4).value == 1.6


# --- the prior and the shrinkage


SPELLS = [Spell("eng", "L1", w, q) for w, q in [(2, 4), (6, 4), (10, 4), (14, 4)] * 2]


def test_fit_prior_by_the_method_of_moments_by_hand():
    # rates 0.5, 1.5, 2.5, 3.5 over 4 quarters each (twice): m = 64 / 32 = 2; the spread of
    # the rates s2 = (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25, of which chance explains
    # m / mean(quarters) = 0.5: v = 0.75 and the strength m / v = 8 / 3 quarters.
    prior = fit_prior(SPELLS, "eng/L1")
    assert (prior.rate, prior.strength, prior.spells) == (2.0, pytest.approx(8 / 3, abs=1e-3),
                                                          8)
    # the same by numpy, the textbook way
    w = np.array([s.work for s in SPELLS])
    q = np.array([s.quarters for s in SPELLS])
    m = w.sum() / q.sum()
    v = np.average((w / q - m) ** 2, weights=q) - m / q.mean()
    assert prior.strength == pytest.approx(m / v, abs=1e-3)


def test_no_spread_beyond_chance_gives_the_strongest_prior():
    same = [Spell("eng", "L1", 4, 4)] * 8  # every rate is 1: chance alone explains it
    assert fit_prior(same, "g").strength == 20.0


def test_a_persons_rate_is_shrunk_toward_comparable_people_by_hand():
    prior = Prior(2.0, 8 / 3, 8, "eng/L1")
    model = ThroughputModel(by_role={("eng", "L1"): prior})
    # their own record: 3 median steps (steps to mastery 2: 0.6 each by default) over one
    # quarter after a baseline on the hire date
    own = career(1, [step(0, "a", 1), step(30, "a", 2), step(60, "b", 2), step(91, "c", 2),
                     step(91, "d", 2), step(91, "e", 2)])
    until = DAY0 + timedelta(days=91)
    t = person_throughput(model, own, until, "eng", "L1")
    work, quarters = 5 * 0.6, 91 / DAYS_PER_QUARTER
    assert t.own_work == pytest.approx(work) and t.own_quarters == pytest.approx(quarters,
                                                                               abs=1e-3)
    expected = (2.0 * 8 / 3 + work) / (8 / 3 + quarters)  # (m beta + work) / (beta + q)
    assert t.rate == pytest.approx(expected, abs=1e-4)
    assert t.weight == pytest.approx(quarters / (quarters + 8 / 3), abs=1e-3)
    assert (t.shape, t.quarters) == (pytest.approx(2.0 * 8 / 3 + work),
                                     pytest.approx(8 / 3 + quarters))


def test_comparable_people_fall_back_from_track_and_level_to_level_to_everyone():
    until = date(2026, 1, 1)
    eng = [career(i, [step(0, "a"), step(100, "a", 2), step(300, "b")]) for i in range(8)]
    design = [career(10 + i, [step(0, "a"), step(200, "b")],
                     roles=((DAY0, "design", "L1"),)) for i in range(3)]
    model = learn_throughput(eng + design, until)
    assert model.prior("eng", "L1").group == "eng/L1"
    assert model.prior("design", "L1").group == "L1"  # 3 spells: too few for their own
    assert model.prior("design", "L9").group == "organization"
    assert ThroughputModel().prior("eng", "L1") == DEFAULT_PRIOR
    nobody = person_throughput(model, None, until, "eng", "L1")
    assert nobody.rate == model.prior("eng", "L1").rate and nobody.own_rate is None
    back = model_from_document(model_to_document(model))
    assert back == model


def test_a_career_without_any_recorded_step_has_no_record_of_its_own():
    t = person_throughput(ThroughputModel(), career(1, []), date(2027, 1, 1), "eng", "L1")
    assert t.own_quarters == 0 and t.rate == DEFAULT_PRIOR.rate


def test_a_first_step_after_the_hire_opens_the_record():
    # a journal begun two years after the hire: the record runs from its first step, which
    # is not counted; the next, 91 days later, is (0.6 median steps over one quarter)
    journal = career(1, [step(730, "a", 2), step(821, "b", 2)])
    t = person_throughput(ThroughputModel(), journal, DAY0 + timedelta(days=821), "eng", "L1")
    assert (t.own_work, t.own_quarters) == (0.6, pytest.approx(91 / DAYS_PER_QUARTER,
                                                               abs=1e-3))
    today = person_throughput(ThroughputModel(), career(2, [step(730, "a", 2)]),
                              DAY0 + timedelta(days=730), "eng", "L1")
    assert (today.own_work, today.own_quarters, today.rate) == (0, 0, DEFAULT_PRIOR.rate)


def test_careers_from_rows_mark_what_aimed_at_the_next_role():
    def row(i: int, kind: str, on: date, **details: object) -> EventRow:
        return EventRow(i, 1, kind, on, details)

    rows = [row(1, "hire", DAY0, role="eng1"),
            row(2, "skill_step", date(2024, 3, 1), competency="coding", to_mastery=2),
            row(3, "skill_step", date(2024, 4, 1), competency="mentoring", to_mastery=1),
            row(4, "promotion", date(2024, 6, 1), role="eng3"),
            row(5, "skill_step", date(2024, 7, 1), competency="coding", to_mastery=4),
            row(6, "departure", date(2024, 9, 1))]
    roles = {r.id: (r.track, r.level) for r in TINY_FW.roles.values()}
    aims = {"eng1": ({"coding": 2, "communication": 1}, frozenset())}
    (c,) = careers_from_rows(rows, roles, {}, aims).values()
    assert c.left_on == date(2024, 9, 1)
    assert [s[1:] for s in c.roles] == [("eng", "L1"), ("eng", "L3")]
    assert [s.toward for s in c.steps] == [True, False, None]  # eng3 is the top
    # lanes of eng1's next-role gaps open: coding and communication, then communication,
    # then none to aim at (eng3 is the top)
    assert c.open_lanes == ((DAY0, 2), (date(2024, 3, 1), 1), (date(2024, 6, 1), -1))
    assert [c.lanes_before(s.on) for s in c.steps] == [2, 1, -1]


def test_focus_while_lanes_are_open_and_on_the_last_lane():
    # half the spells: 4 median steps with 2+ lanes open (3 toward), 3 with one left (1
    # toward); the others 2 with 2+ open (2 toward), 3 with one left (0 toward)
    spells = [Spell("eng", "L1", 9, 4, 5, 9, last_work=3, last_toward=1, many_work=4,
                    many_toward=3)] * 4 + \
        [Spell("eng", "L1", 5, 4, 2, 5, last_work=3, last_toward=0, many_work=2,
               many_toward=2)] * 4
    prior = fit_prior(spells, "g")
    assert prior.focus == pytest.approx(20 / 24, abs=1e-4)
    assert prior.last_focus == pytest.approx(4 / 24, abs=1e-4)
    assert fit_prior(spells[:7], "g").last_focus is None  # fewer than MIN_GROUP seen


def test_the_final_lane_takes_its_own_share_of_the_pace():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    t = Throughput(1.2, 5.0, 5.0 / 1.2, DEFAULT_PRIOR, 0, 0, focus=0.75, dispersion=0.6,
                   last_focus=0.25)
    plan = make_plan(p, TINY_FW, resolve_target(TINY_FW, p, role="eng3"), ThroughputModel(),
                     t, start=START)
    assert plan.forecast is not None and plan.throughput is not None
    lanes = [s.competency for s in plan.steps]
    others = [k for k, c in enumerate(lanes) if c != lanes[-1]]
    final = [k > others[-1] for k in range(len(lanes))]
    assert any(final) and not all(final)
    worked = 0.0  # each step's work over its share: the plan's pace is their harmonic mean
    for s, f in zip(plan.steps, final, strict=True):
        share = 0.25 if f else 0.75
        assert s.months == pytest.approx(s.difficulty * 3 / (1.2 * share), abs=0.01)
        worked += s.difficulty / share
    total = sum(s.difficulty for s in plan.steps)
    scale = 0.6 * (total / worked) / t.quarters
    for k, p_ in enumerate((0.1, 0.5, 0.9)):
        months = 3 * stats.betaprime.ppf(p_, 0.6 * total, 5.0) / scale
        assert plan.forecast.months[k] == pytest.approx(months, abs=0.06)


def test_focus_is_the_share_of_aimable_work_that_aimed_at_the_next_role():
    spells = [Spell("eng", "L1", 4, 4, toward=3, aimable=4)] * 4 + \
        [Spell("eng", "L1", 2, 4, toward=0, aimable=2)] * 4
    assert fit_prior(spells, "g").focus == pytest.approx(12 / 24)


def test_dispersion_is_one_over_the_pooled_index_of_dispersion():
    # 8 people, each with a baseline on the hire date then steps to mastery 1 (0.3 median
    # steps each, no history) in their quarters: 1, 5, 1, 5 steps.
    def bursty(pid: int) -> Career:
        days = [10, 100, 110, 120, 130, 140, 190, 280, 290, 300, 310, 320]
        return career(pid, [step(0, "z", 1)] + [step(d, f"c{k}") for k, d in enumerate(days)])
    until = DAY0 + timedelta(days=366)
    people = [bursty(i) for i in range(8)]
    k = dispersion(people, until, Difficulty())
    bins = np.array([1, 5, 1, 5]) * 0.3
    index = ((bins - bins.mean()) ** 2).sum() / bins.mean() / (len(bins) - 1)
    assert k == pytest.approx(1 / index, abs=1e-3)


# --- the forecast: one distribution, checked against scipy


def test_the_incomplete_beta_function_matches_scipy():
    from scipy.special import betainc
    for a, b, x in [(0.5, 3.0, 0.2), (4.2, 40.0, 0.07), (30.0, 2.5, 0.93), (1.0, 1.0, 0.5)]:
        assert incomplete_beta(a, b, x) == pytest.approx(float(betainc(a, b, x)), abs=1e-10)


@given(st.floats(0.2, 30), st.floats(0.5, 60), st.floats(0.3, 40), st.floats(0.05, 5),
       st.floats(0.1, 1.0))
@settings(max_examples=200, deadline=None)
def test_done_by_is_the_beta_prime_law_of_work_over_a_gamma_throughput(
        work, shape, quarters, k, focus):
    # lambda ~ Gamma(shape, rate b); T | lambda ~ Gamma(k W, rate k focus lambda), so
    # (k focus / b) T ~ BetaPrime(k W, shape).
    t = Throughput(shape / quarters, shape, quarters, DEFAULT_PRIOR, 0, 0, focus=focus,
                   dispersion=k)
    for horizon in (0.5, 2.0, 8.0):
        expected = stats.betaprime.cdf(k * focus * horizon / quarters, k * work, shape)
        assert done_by(work, horizon, t) == pytest.approx(float(expected), abs=1e-7)


def test_done_by_against_a_simulation():
    rng = np.random.default_rng(7)
    t = Throughput(1.5, 6.0, 4.0, DEFAULT_PRIOR, 0, 0, focus=0.8, dispersion=0.7)
    lam = rng.gamma(6.0, 1 / 4.0, 400_000)
    times = rng.gamma(0.7 * 3.0, 1 / (0.7 * 0.8 * lam))
    for q in (1.0, 2.5, 4.0):
        assert done_by(3.0, q, t) == pytest.approx(float((times <= q).mean()), abs=0.004)
    assert quantile(3.0, 0.5, t) == pytest.approx(float(np.median(times)), rel=0.01)


def test_milestones_hold_the_median_count_and_the_forecast_follows():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    t = Throughput(1.2, 5.0, 5.0 / 1.2, DEFAULT_PRIOR, 0, 0, focus=0.75, dispersion=0.6)
    plan = make_plan(p, TINY_FW, resolve_target(TINY_FW, p, role="eng3"), ThroughputModel(),
                     t, start=START)
    assert plan.forecast is not None and len(plan.steps) == 8
    cumulative = np.cumsum([s.difficulty for s in plan.steps])
    scale = 0.6 * 0.75 / t.quarters

    for m in plan.milestones:  # each step's chance to be done by the quarter's end, scipy's
        chances = stats.betaprime.cdf(scale * m.quarter, 0.6 * cumulative, 5.0)
        due = sum(s.quarter <= m.quarter for s in plan.steps)
        assert m.expected == pytest.approx(chances.sum(), abs=2e-3)  # the mean count
        assert due == (chances >= 0.5).sum()  # the median count: steps done in plan order
        assert m.likely == ((chances >= 0.9).sum(), (chances >= 0.1).sum())  # P10, P90
    total = cumulative[-1]
    assert plan.forecast.work == pytest.approx(total, abs=1e-3)
    for k, p_ in enumerate((0.1, 0.5, 0.9)):  # P10/P50/P90 of the whole plan's work
        months = 3 * stats.betaprime.ppf(p_, 0.6 * total, 5.0) / scale
        assert plan.forecast.months[k] == pytest.approx(months, abs=0.06)
    # the forecast's median date falls in the last milestone: a plan of 8 steps in Q1-Q3
    # beside a 7-year median cannot happen, nor a last step due years after the median
    assert plan.milestones[-1].starts <= plan.forecast.dates[1] <= plan.milestones[-1].ends
    for s in plan.steps:  # months of work at the pace on the plan
        assert s.months == pytest.approx(s.difficulty * 3 / (1.2 * 0.75), abs=0.01)


# --- the spread: the pace's variance beyond the posterior, fitted on earlier plans


def spread_throughput(spread: float) -> Throughput:
    return Throughput(1.5, 30.0, 20.0, DEFAULT_PRIOR, 0, 0, focus=0.8, dispersion=1.2,
                      spread=spread)


def test_the_predictive_shape_has_the_product_s_first_two_moments_by_simulation():
    # the pace lambda * D, lambda ~ Gamma(30, rate 20) and D ~ Gamma(1/s, scale s) (mean 1,
    # variance s) independent: its squared coefficient of variation is the gamma's 1/shape
    rng = np.random.default_rng(11)
    for s in (0.1, 0.4, 1.5):
        pace = rng.gamma(30.0, 1 / 20.0, 1_000_000) * rng.gamma(1 / s, s, 1_000_000)
        cv2 = float(pace.var() / pace.mean() ** 2)
        assert 1 / spread_throughput(s).predictive_shape == pytest.approx(cv2, rel=0.02)
    assert spread_throughput(0.0).predictive_shape == 30.0


@pytest.mark.parametrize("spread", [0.0, 0.25, 1.0])
def test_done_by_with_a_spread_is_the_gamma_poisson_of_the_widened_pace(spread):
    # pace ~ Gamma(a', mean 1.5 * 0.8), T | pace ~ Gamma(k W, rate k pace): a Monte Carlo
    # of the model, and the beta prime quantiles by scipy
    t = spread_throughput(spread)
    a = t.predictive_shape
    rng = np.random.default_rng(5)
    pace = rng.gamma(a, 1.5 * 0.8 / a, 400_000)
    times = rng.gamma(1.2 * 4.0, 1 / (1.2 * pace))
    for q in (1.5, 3.3, 6.0):
        assert done_by(4.0, q, t) == pytest.approx(float((times <= q).mean()), abs=0.004)
    for p_ in (0.1, 0.5, 0.9):
        by_scipy = stats.betaprime.ppf(p_, 1.2 * 4.0, a) * a / (1.2 * 1.5 * 0.8)
        assert quantile(4.0, p_, t) == pytest.approx(float(by_scipy), abs=2e-3)


def test_a_spread_widens_the_interval_on_both_sides():
    narrow, wide = spread_throughput(0.0), spread_throughput(0.5)
    assert quantile(6.0, 0.1, wide) < quantile(6.0, 0.1, narrow)
    assert quantile(6.0, 0.9, wide) > quantile(6.0, 0.9, narrow)


def test_log_likelihood_is_scipy_s_beta_prime_density_and_survival():
    t = spread_throughput(0.3)
    a = t.predictive_shape
    scale = 1.2 * 1.5 * 0.8 / a  # Y = scale * T
    for work, q in [(2.0, 1.1), (7.5, 4.0), (0.6, 0.2)]:
        reached = HeldOut(work, spread_throughput(0.0), q, True)
        censored = HeldOut(work, spread_throughput(0.0), q, False)
        pdf = stats.betaprime.logpdf(scale * q, 1.2 * work, a) + np.log(scale)
        sf = stats.betaprime.logsf(scale * q, 1.2 * work, a)
        assert log_likelihood(reached, 0.3) == pytest.approx(float(pdf), abs=1e-8)
        assert log_likelihood(censored, 0.3) == pytest.approx(float(sf), abs=1e-8)


def simulated_plans(spread: float, n: int, seed: int) -> list[HeldOut]:
    """Plans drawn from the forecast's own law with ``spread``, censored at random."""
    rng = np.random.default_rng(seed)
    t = spread_throughput(spread)
    a = t.predictive_shape
    out = []
    for _ in range(n):
        work = float(rng.uniform(0.5, 10.0))
        pace = rng.gamma(a, 1.5 * 0.8 / a)
        done = float(rng.gamma(1.2 * work, 1 / (1.2 * pace)))
        censor = float(rng.uniform(0.5, 8.0))
        out.append(HeldOut(work, spread_throughput(0.0), min(done, censor), done <= censor))
    return out


@pytest.mark.parametrize("spread", [0.15, 0.4, 1.0])
def test_fit_spread_recovers_the_spread_plans_were_drawn_with(spread):
    fitted = fit_spread(simulated_plans(spread, 2000, seed=int(spread * 100)))
    assert fitted == pytest.approx(spread, abs=0.3 * spread + 0.03)


def test_plans_drawn_without_spread_fit_none_or_little():
    assert fit_spread(simulated_plans(0.0, 2000, seed=1)) < 0.03


def test_fit_spread_needs_enough_decided_plans():
    # 7 quarters is before the P90 of 6 median steps at 1.2 a quarter: undecided
    t = spread_throughput(0.0)
    assert quantile(6.0, 0.9, t) > 7.0
    few = [HeldOut(6.0, t, 7.0, k < MIN_HELD_OUT - 1) for k in range(40)]
    assert sum(decided(c) for c in few) == MIN_HELD_OUT - 1
    assert fit_spread(few) == 0.0
    assert spread_interval(few, 0.0) == (0.0, 0.0)
    assert fit_spread([]) == 0.0


def scipy_log_likelihood(cases: list[HeldOut], spread: float) -> float:
    """The same censored likelihood written from scipy's beta prime: the pace ~ Gamma(a',
    mean m), T | pace ~ Gamma(k W, rate k pace), so k m T / a' ~ BetaPrime(k W, a') with
    a' = 1 / ((1 + 1/a)(1 + spread) - 1) (spread_throughput: a 30, b 20, focus 0.8, k 1.2)."""
    a = 1 / ((1 + 1 / 30.0) * (1 + spread) - 1)
    scale = 1.2 * (30.0 / 20.0 * 0.8) / a
    total = 0.0
    for c in cases:
        if c.reached:
            total += float(stats.betaprime.logpdf(scale * c.quarters, 1.2 * c.work, a)
                           + np.log(scale))
        else:
            total += float(stats.betaprime.logsf(scale * c.quarters, 1.2 * c.work, a))
    return total


def scipy_fit(cases: list[HeldOut]) -> float:
    found = optimize.minimize_scalar(lambda s: -scipy_log_likelihood(cases, s),
                                     bounds=(0.0, 4.0), method="bounded",
                                     options={"xatol": 1e-6})
    return float(found.x)


@pytest.mark.parametrize("spread, seed", [(0.3, 2), (0.8, 3), (1.5, 4)])
def test_fit_spread_is_the_censored_mle_found_by_scipy_optimize(spread, seed):
    # a small data set (60 plans, many censored) fitted both ways
    cases = simulated_plans(spread, 60, seed=seed)
    assert sum(not c.reached for c in cases) > 5 and sum(c.reached for c in cases) > 8
    assert fit_spread(cases) == pytest.approx(scipy_fit(cases), abs=2e-3)


def test_a_spread_at_the_edge_is_zero_as_scipy_finds_it():
    cases = simulated_plans(0.0, 60, seed=12)
    by_scipy = scipy_fit(cases)
    assert by_scipy < 1e-3
    assert fit_spread(cases) == 0.0


def test_late_plans_still_open_fit_a_spread_without_enough_reached_ones():
    # five plans reached on time and thirty still short at three times their P90: counting
    # only the reached ones would keep the spread at 0; the censored likelihood does not
    t = spread_throughput(0.0)
    p50, p90 = quantile(2.0, 0.5, t), quantile(2.0, 0.9, t)
    cases = ([HeldOut(2.0, t, p50, True) for _ in range(5)]
             + [HeldOut(2.0, t, 3 * p90, False) for _ in range(30)])
    assert all(decided(c) for c in cases)
    fitted = fit_spread(cases)
    assert fitted > 0.5
    assert fitted == pytest.approx(scipy_fit(cases), abs=2e-3)


def test_the_spread_interval_is_where_scipy_s_likelihood_drops_by_1_92():
    cases = simulated_plans(0.6, 120, seed=6)
    fitted = fit_spread(cases)
    low, high = spread_interval(cases, fitted)
    assert 0 < low < fitted < high < 4.0
    top = scipy_log_likelihood(cases, fitted)
    for edge in (low, high):
        assert top - scipy_log_likelihood(cases, edge) == pytest.approx(1.92, abs=0.02)
    # and an edge fit's interval starts at 0
    flat = simulated_plans(0.0, 60, seed=12)
    assert spread_interval(flat, fit_spread(flat))[0] == 0.0


def test_the_spread_round_trips_through_documents_and_reaches_the_person():
    model = ThroughputModel(spread=0.2)
    assert model_from_document(model_to_document(model)).spread == 0.2
    doc = model_to_document(model)
    del doc["spread"]  # a model stored before the spread reads as none
    assert model_from_document(doc).spread == 0.0
    assert person_throughput(model, None, DAY0, "eng", "L1").spread == 0.2
    assert person_throughput(model, None, DAY0, "eng", "L1").commit(3.0).spread == 0.2


def test_milestones_follow_the_widened_forecast():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    t = Throughput(1.2, 5.0, 5.0 / 1.2, DEFAULT_PRIOR, 0, 0, focus=0.75, dispersion=0.6,
                   spread=0.4)
    plan = make_plan(p, TINY_FW, resolve_target(TINY_FW, p, role="eng3"), ThroughputModel(),
                     t, start=START)
    assert plan.forecast is not None
    a = 1 / ((1 + 1 / 5.0) * 1.4 - 1)
    scale = 0.6 * 1.2 * 0.75 / a
    cumulative = np.cumsum([s.difficulty for s in plan.steps])
    for m in plan.milestones:
        chances = stats.betaprime.cdf(scale * m.quarter, 0.6 * cumulative, a)
        assert m.expected == pytest.approx(chances.sum(), abs=2e-3)
        assert sum(s.quarter <= m.quarter for s in plan.steps) == (chances >= 0.5).sum()
    for k, p_ in enumerate((0.1, 0.5, 0.9)):
        months = 3 * stats.betaprime.ppf(p_, 0.6 * cumulative[-1], a) / scale
        assert plan.forecast.months[k] == pytest.approx(months, abs=0.06)


def test_as_effort_stretches_the_default_to_the_steps_scale():
    """A step without history takes the documented months on its own scale (domain.effort's
    default_months), over the middle step's, at the person's months per median step: on a
    0-7 scale (O*NET's) the step to 4 is a 0-5 scale's step to 3, the step to 7 its top."""
    rate = 1.5  # median steps a quarter: a median step takes 2 months
    learned = Difficulty(by_mastery={2: Rated(0.7, 9, "mastery")})
    effort = as_effort(learned, rate)
    per_step = 3 / rate
    assert effort.months("x", 4, 7) == pytest.approx(DEFAULT_MONTHS[3] / 5.0 * per_step)
    assert effort.months("x", 7, 7) == pytest.approx(DEFAULT_MONTHS[5] / 5.0 * per_step)
    assert effort.months("x", 4, 5) == pytest.approx(DEFAULT_MONTHS[4] / 5.0 * per_step)
    assert effort.months("x", 2, 7) == pytest.approx(0.7 * per_step)  # learned: any scale
    assert effort.criterion_estimate("k", "L1").months == pytest.approx(2.0 / 5.0 * per_step)
