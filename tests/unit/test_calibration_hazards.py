"""The simulator's calibrated hazards against independent computations on small ledgers:
departures a quarter since the hire against lifelines' Kaplan-Meier estimate, the quarter
the calibration's end cuts short left out, the merit cycle counted by hand, the start's
clock against the panel's calendar count, and readiness after a promotion by the stage the
promotion leads to."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from conftest import TINY
from trellis.adapters.framework_files import read_framework_file
from trellis.analytics.calibration import (
    DepartureModel,
    Estimate,
    PromotionModel,
    calibrate,
    default_calibration,
    quarters_in_role,
)
from trellis.analytics.simulator import Start, Strategy, simulate
from trellis.domain.ledger_rows import EventRow

FRAMEWORK, _ = read_framework_file(TINY)
HIRED = date(2020, 1, 1)  # a quarter's first day: quarters since the hire are calendar ones
QUARTER_STARTS = [date(2020 + k // 4, k % 4 * 3 + 1, 1) for k in range(10)]
HAZARDS = (0.04, 0.09, 0.15, 0.21, 0.1, 0.1, 0.1, 0.1)  # rising through the first year


class Ledger:
    def __init__(self) -> None:
        self.rows: list[EventRow] = []

    def add(self, person: int, kind: str, on: date, **details: object) -> None:
        self.rows.append(EventRow(len(self.rows) + 1, person, kind, on, details))

    def sorted(self) -> list[EventRow]:
        return sorted(self.rows, key=lambda r: (r.effective_on, r.id))


def leavers_ledger(people: int = 1000, lumped: int = 0) -> tuple[list[EventRow], list[int]]:
    """Everyone hired on HIRED; in quarter k a share HAZARDS[k] of those still employed
    leaves on days spread through it; ``lumped`` more leave on the first day of quarter 8.
    Returns the rows and each person's days employed (None: still employed)."""
    ledger = Ledger()
    employed = list(range(1, people + 1))
    for p in employed:
        ledger.add(p, "hire", HIRED, role="eng1", pay=45_000)
    days: dict[int, int] = {}
    for k, hazard in enumerate(HAZARDS):
        leaving = employed[:round(hazard * len(employed))]
        for i, p in enumerate(leaving):
            on = QUARTER_STARTS[k] + timedelta(days=5 + i % 80)
            ledger.add(p, "departure", on, departure_kind="voluntary")
            days[p] = (on - HIRED).days
        employed = employed[len(leaving):]
    for p in employed[:lumped]:
        ledger.add(p, "departure", QUARTER_STARTS[8], departure_kind="voluntary")
        days[p] = (QUARTER_STARTS[8] - HIRED).days
    return ledger.sorted(), [days.get(p, -1) for p in range(1, people + 1)]


def kaplan_meier_rates(days: list[int], censored_at: int) -> list[float]:
    """From lifelines' Kaplan-Meier fit: each first-year quarter's share leaving among
    those employed at its start, then the second year's departures over the person-quarters
    employed at each quarter's start (the calibration's band of quarters 4-7)."""
    durations = [d if d >= 0 else censored_at for d in days]
    kmf = KaplanMeierFitter().fit(durations, [d >= 0 for d in days])
    bounds = [(s - HIRED).days for s in QUARTER_STARTS[:9]]
    survival = [1.0, *kmf.survival_function_at_times([b - 1 for b in bounds[1:]]).to_list()]
    hazards = [1 - survival[k + 1] / survival[k] for k in range(8)]
    hazards[0] *= 91 / 90  # the hire day is not at risk: 90 of the first quarter's 91 days
    at_risk = survival[4:8]
    year_two = sum(n * h for n, h in zip(at_risk, hazards[4:8], strict=True)) / sum(at_risk)
    return [*hazards[:4], *[year_two] * 4]


def test_departures_a_quarter_since_the_hire_reproduce_kaplan_meier() -> None:
    rows, days = leavers_ledger()
    end = QUARTER_STARTS[8] - timedelta(days=1)  # two whole years
    model = calibrate(FRAMEWORK, rows, end=end).departure
    assert model.by_quarter[:8] == pytest.approx(
        kaplan_meier_rates(days, (end - HIRED).days + 1), abs=1e-5)
    # each first-year quarter has its own rate: pooled over the year they would all be one
    assert len(set(model.by_quarter[:4])) == 4
    assert model.by_quarter[0] < model.by_quarter[3] / 4


def test_the_quarter_the_end_cuts_short_sets_no_rate_and_the_last_one_seen_carries_on() -> None:
    # 150 departures on the first day of the quarter holding the end (two days of it seen)
    rows, days = leavers_ledger(lumped=150)
    end = QUARTER_STARTS[8] + timedelta(days=1)
    model = calibrate(FRAMEWORK, rows, end=end).departure
    assert model.by_quarter[:8] == pytest.approx(
        kaplan_meier_rates(days, (end - HIRED).days + 1), abs=1e-5)
    assert model.events == sum(1 for d in days if 0 <= d < (QUARTER_STARTS[8] - HIRED).days)
    # past the last whole quarter, its band's rate: not the lumped days, not a line
    assert set(model.by_quarter[8:]) == {model.by_quarter[7]}
    assert model.hazard(40) == model.by_quarter[7]


def test_merits_a_year_count_only_years_employed_in_full() -> None:
    ledger = Ledger()
    for p in range(1, 51):  # 2019-2021 in full; four in five get a merit every March
        ledger.add(p, "hire", date(2019, 1, 1), role="eng1", pay=45_000)
        for year in (2019, 2020, 2021):
            if p % 5:
                ledger.add(p, "compensation", date(year, 3, 15), compensation_kind="merit",
                           percent=3.0)
    for p in range(51, 81):  # hired mid-2019: a merit that autumn, then 2020-2021 in full
        ledger.add(p, "hire", date(2019, 7, 1), role="eng1", pay=45_000)
        ledger.add(p, "compensation", date(2019, 9, 15), compensation_kind="merit", percent=3.0)
        for year in (2020, 2021):
            if p % 3:
                ledger.add(p, "compensation", date(year, 3, 15), compensation_kind="merit",
                           percent=3.0)
    for p in range(81, 101):  # 2019 in full, then a merit and a departure in mid-2020
        ledger.add(p, "hire", date(2019, 1, 1), role="eng1", pay=45_000)
        for year in (2019, 2020):
            ledger.add(p, "compensation", date(year, 3, 15), compensation_kind="merit",
                       percent=3.0)
        ledger.add(p, "departure", date(2020, 6, 30), departure_kind="voluntary")
    cal = calibrate(FRAMEWORK, ledger.sorted(), end=date(2021, 12, 31))
    # full years: 50 x 3 + 30 x 2 + 20 x 1 = 230; with a merit: 40 x 3 + 20 x 2 + 20 = 180
    assert cal.pay["merits_per_year"].value == round(180 / 230, 4)
    assert cal.pay["merits_per_year"].n == 230
    assert cal.pay["merit_raise_mean"].value == 3.0


@pytest.mark.parametrize(("since", "today", "quarters"), [
    (date(2024, 10, 5), date(2024, 12, 1), 1),  # Q4 -> the quarter holding 15 January: Q1
    (date(2024, 11, 30), date(2024, 12, 1), 1),  # a day in the role: still the next quarter
    (date(2024, 9, 20), date(2024, 12, 1), 2),  # Q3 -> Q1
    (date(2024, 7, 1), date(2024, 7, 2), 0),  # the simulated quarter is the role's own
    (date(2020, 1, 1), date(2020, 7, 2), 2),
    (date(2025, 1, 10), date(2024, 12, 1), 0),  # not begun: never negative
])
def test_the_starts_clock_is_the_panels_calendar_count(since: date, today: date,
                                                       quarters: int) -> None:
    assert quarters_in_role(since, today) == quarters


def test_a_promoted_trajectory_takes_the_readiness_after_promotion_of_its_new_stage() -> None:
    base = default_calibration()
    stages = {s: {**rates, "skill_steps": Estimate(0.0, 1, "test")}
              for s, rates in base.stages.items()}
    stages["early"]["readiness_after_promotion"] = Estimate(0.1, 1, "test")
    stages["mid"]["readiness_after_promotion"] = Estimate(0.9, 1, "test")
    # promoted for sure from readiness 0.9, never from 0.1
    cal = replace(base, stages=stages,
                  promotion=PromotionModel(-20.0, 40.0, 0, 0, 0, 0, 0, "test"),
                  departure=DepartureModel(0, 0, 0, 0, 0, "test"))
    start = Start.of(rank=np.array([2]), top_rank=5, pay=100_000.0, readiness=1.0,
                     quarters_in_level=4, quarters_since=4, years=1.0, engagement=3.0)
    outcome = simulate(cal, start, Strategy("balanced", 0.5), quarters=4, runs=200,
                       rng=np.random.default_rng(1))
    # rank 2 -> 3 makes the trajectory mid-career: mid's 0.9 after it, so it climbs on
    assert list(outcome.bands["level"].p50) == [2, 3, 4, 5, 5]


def test_the_quarter_after_a_simulated_promotion_is_the_new_roles_first() -> None:
    """The panel counts the quarter after a promotion as quarter 1 in the level and since
    the progression; the simulator must too, or every later promotion waits a quarter more
    and the new role's departure risk is read a quarter early."""
    # certain promotions from two quarters in level; leaving for sure in a promoted
    # role's quarter 1 (and never otherwise)
    cal = replace(default_calibration(),
                  promotion=PromotionModel(50.0, 0, 0, 0, 2, 0, 0, "test"),
                  departure=DepartureModel(0, 0, 0, 0, 0, "test", (0.0,), (0.0, 1.0, 0.0)))
    start = Start.of(rank=np.array([1]), top_rank=9, pay=100_000.0, readiness=0.0,
                     quarters_in_level=2, quarters_since=2, years=0.0, engagement=3.0)
    stay = replace(cal, departure=DepartureModel(0, 0, 0, 0, 0, "test"))
    climb = simulate(stay, start, Strategy("balanced", 0.5), quarters=5, runs=100,
                     rng=np.random.default_rng(1))
    assert list(climb.bands["level"].p50) == [1, 2, 2, 3, 3, 4]  # every second quarter
    leave = simulate(cal, start, Strategy("balanced", 0.5), quarters=3, runs=100,
                     rng=np.random.default_rng(1))
    assert list(leave.survival) == [1.0, 1.0, 0.0, 0.0]  # promoted in 0, gone after 1


def test_no_promotion_where_the_published_rate_expects_many_is_the_ledgers_rate() -> None:
    def stayers(people: int) -> list[EventRow]:
        ledger = Ledger()
        for p in range(1, people + 1):
            ledger.add(p, "hire", HIRED, role="eng1", pay=45_000)
        return ledger.sorted()

    # 300 people two years in level 1 and nobody promoted: 300 x 6 quarters from the
    # default's gate of 2, where the published rate expects about 23 promotions
    model = calibrate(FRAMEWORK, stayers(300),
                      end=date(2021, 12, 31)).promotion
    assert (model.n, model.events) == (300 * 6, 0)
    assert model.probability(0.0, 5, 1) == pytest.approx(0.5 / (300 * 6 + 1), rel=1e-4)
    # 20 people for a year: the default would expect about one; the ledger cannot say
    small = calibrate(FRAMEWORK, stayers(20),
                      end=date(2020, 12, 31)).promotion
    assert small == PromotionModel.default()


def ladder_ledger(designers: int) -> list[EventRow]:
    """200 engineers hired on HIRED, each promoted to eng2 in one quarter from the third
    to the tenth in level; ``designers`` designers hired with them and never promoted."""
    ledger = Ledger()
    for p in range(1, 201):
        ledger.add(p, "hire", HIRED, role="eng1", pay=45_000)
        ledger.add(p, "promotion", QUARTER_STARTS[3 + p % 7] + timedelta(days=20), role="eng2")
    for p in range(201, 201 + designers):
        ledger.add(p, "hire", HIRED, role="des1", pay=45_000)
    return ledger.sorted()


def test_a_role_nobody_is_promoted_from_where_many_would_be_is_closed() -> None:
    end = QUARTER_STARTS[8] + timedelta(days=364)  # three whole years
    cal = calibrate(FRAMEWORK, ladder_ledger(100), end=end)
    model = cal.promotion
    assert model.source == "ledger" and model.events == 200
    # the designers' whole quarters from the gate, one person's path times 100 people
    expected = 100 * sum(model.probability(0.0, q, 1) for q in range(model.min_quarters, 12))
    assert expected >= 5
    assert "des1" in cal.closed_roles and "eng1" not in cal.closed_roles
    # one designer: the model would expect too few promotions for their absence to say
    few = calibrate(FRAMEWORK, ladder_ledger(1), end=end)
    assert sum(few.promotion.probability(0.0, q, 1)
                   for q in range(few.promotion.min_quarters, 12)) < 5
    assert "des1" not in few.closed_roles
