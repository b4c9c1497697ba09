"""The comparison table on small hand-built ledgers."""

from __future__ import annotations

from datetime import date
from itertools import count

import numpy as np
import pandas as pd
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times
from scipy import stats

from trellis.analytics.compare import (
    FEW,
    MANY,
    MICRO,
    PROMOTION,
    BandStep,
    Roles,
    build_table,
    km_median,
    km_median_interval,
    mean_cell,
    median_cell,
    rate_cell,
)
from trellis.domain.ledger_rows import EventRow

ROLES = Roles(rank={"a1": 1, "a2": 2, "a3": 3, "b1": 1},
              track={"a1": "a", "a2": "a", "a3": "a", "b1": "b"},
              role_type={"a": "structured", "b": "dynamic"})
END = date(2024, 1, 1)
_ids = count(1)


def row(pid: int, kind: str, on: str, **details: object) -> EventRow:
    return EventRow(next(_ids), pid, kind, date.fromisoformat(on), details)


def ledger() -> list[EventRow]:
    """Two people hired on 2020-01-01, employed four years each: 8 person-years."""
    rows = []
    for pid in (1, 2):
        rows += [row(pid, "hire", "2020-01-01", role="a1", pay=100_000),
                 row(pid, "skill_step", "2020-01-01", competency="x", from_mastery=0,
                     to_mastery=2),  # a hire-day baseline: not counted
                 row(pid, "compensation", "2020-04-01", compensation_kind="merit", percent=3.0),
                 row(pid, "promotion", "2021-01-01", role="a2", pay=113_300),
                 row(pid, "skill_step", "2021-06-01", competency="x", from_mastery=2,
                     to_mastery=3),
                 row(pid, "recognition", "2021-07-01", citation="c", points=10),
                 row(pid, "compensation", "2022-04-01", compensation_kind="bonus",
                     amount=5_000)]
    return rows


def test_counts_frequency_and_pay_changes() -> None:
    t = build_table(ledger(), ROLES, end=END, min_n=1)
    assert t.people == 2
    assert t.person_years == pytest.approx(2 * 1461 / 365.25)  # 8 years
    events = t.feature("definition").measure("events").cells
    assert events[PROMOTION].value == 2 and events[MICRO].value == 8
    kinds = t.feature("definition").detail["kinds"][MICRO]
    assert kinds["skill_step"] == 2 and kinds["compensation"] == 4 and kinds["recognition"] == 2
    freq = t.feature("frequency").measure("per_person_year").cells
    assert freq[PROMOTION].value == pytest.approx(2 / t.person_years, abs=1e-3)
    assert freq[MICRO].value == pytest.approx(8 / t.person_years, abs=1e-3)
    salary = t.feature("salary")
    # promotion: 113,300 over 103,000 (the merit raise is in the pay before)
    assert salary.measure("median_pay_change").cells[PROMOTION].value == pytest.approx(10.0)
    assert salary.measure("median_pay_change").cells[MICRO].value == pytest.approx(3.0)
    share = salary.measure("share_of_growth").cells
    assert share[PROMOTION].value == pytest.approx(10_300 / 13_300, abs=1e-3)
    assert share[PROMOTION].value + share[MICRO].value == pytest.approx(1.0)
    assert salary.detail["bonus"]["median_amount"]["value"] == 5_000
    role = t.feature("role")
    assert role.measure("levels_per_event").cells[PROMOTION].value == 1.0
    assert role.measure("track_changes").cells[PROMOTION].value == 0.0


def test_small_samples_say_insufficient_data() -> None:
    t = build_table(ledger(), ROLES, end=END)  # the default minimum of 10
    cellp = t.feature("salary").measure("median_pay_change").cells[PROMOTION]
    assert cellp.value is None and cellp.n == 2
    assert cellp.to_document() == {"value": None, "n": 2, "status": "insufficient data (n=2)",
                                   "ci95": None}
    months = t.feature("growth").measure("months_to_promotion").cells
    assert set(months) == {FEW, MANY}
    assert all(c.value is None for c in months.values())


def test_since_and_band_upgrades_and_role_types() -> None:
    rows = [*ledger(), row(3, "hire", "2020-01-01", role="b1", pay=90_000),
            row(3, "skill_step", "2022-02-01", competency="y", from_mastery=1, to_mastery=2)]
    steps = {3: [BandStep(date(2022, 2, 1), 90_000, 92_700)]}
    t = build_table(rows, ROLES, end=END, since=date(2022, 1, 1), band_steps=steps, min_n=1)
    events = t.feature("definition").measure("events").cells
    assert events[PROMOTION].value == 0  # the promotions were before --since
    assert t.feature("definition").detail["kinds"][MICRO]["band_upgrade"] == 1
    assert t.person_years == pytest.approx(3 * 730 / 365.25, abs=1e-2)
    assert t.feature("salary").detail["band_upgrade"]["median_pct"]["value"] == \
        pytest.approx(3.0)
    assert t.by_role_type["dynamic"].people == 1 and t.by_role_type["structured"].people == 2


def test_motivation_brackets_events_with_check_ins() -> None:
    rows = [row(1, "hire", "2020-01-01", role="a1", pay=100)]
    for on, eng in (("2020-03-30", 3), ("2020-06-29", 3), ("2020-09-29", 5),
                                   ("2020-12-29", 5), ("2021-03-30", 4)):
        rows.append(row(1, "check_in", on, engagement=eng))
    rows += [row(1, "promotion", "2020-08-01", role="a2", pay=110),
             row(1, "recognition", "2020-05-01", citation="x", points=0)]
    t = build_table(rows, ROLES, end=END, min_n=1, by_role_type=False)
    m = t.feature("motivation")
    assert m.measure("engagement_change").cells[PROMOTION].value == 2.0
    assert m.measure("engagement_change").cells[MICRO].value == 0.0
    assert m.measure("change_after_1q").cells[PROMOTION].value == 2.0  # 2020-10-31 ~ 09-29
    assert m.measure("change_after_2q").cells[PROMOTION].value == 2.0


def test_kaplan_meier_median() -> None:
    assert km_median(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 1, 1, 1])) == 2.0
    assert km_median(np.array([1.0, 2.0]), np.array([0, 0])) is None
    assert km_median(np.array([]), np.array([])) is None


def test_every_estimate_carries_its_95_interval() -> None:
    rng = np.random.default_rng(5)
    x = pd.Series(rng.normal(3.0, 1.5, 40))
    mean = mean_cell(x, 10)  # Student's t, as scipy has it
    low, high = stats.t.interval(0.95, 39, loc=x.mean(), scale=stats.sem(x))
    assert mean.ci == (round(low, 3), round(high, 3)) and mean.n == 40
    # the median's order statistics: ranks 2 and 9 of 10, 40 and 61 of 100 (the tables')
    assert median_cell(pd.Series(np.arange(1.0, 11.0)), 10).ci == (2.0, 9.0)
    assert median_cell(pd.Series(np.arange(1.0, 101.0)), 10).ci == (40.0, 61.0)
    # Garwood's exact Poisson interval for 10 events: 4.795 to 18.390 (over 2 years)
    rate = rate_cell(10, 2.0, 10, 10)
    assert rate.value == 5.0 and rate.ci == (round(4.7954 / 2, 3), round(18.3904 / 2, 3))
    assert rate.text("{:.2f}") == "5.00 (95% CI 2.40 to 9.20, n=10)"
    assert mean_cell(x[:5], 10).ci is None  # below the least n: no value, no interval


def test_the_kaplan_meier_median_interval_is_lifelines() -> None:
    rng = np.random.default_rng(8)
    for n in (30, 200):
        months = np.round(rng.exponential(20.0, n), 1)
        events = rng.random(n) < 0.7
        km = KaplanMeierFitter().fit(months, events)
        band = median_survival_times(km.confidence_interval_)
        median, low, high = km_median_interval(months, events)
        assert median == pytest.approx(km.median_survival_time_)
        assert low == pytest.approx(float(band.iloc[0, 0]))
        expected = float(band.iloc[0, 1])
        assert (high is None) if np.isinf(expected) else high == pytest.approx(expected)


def criteria_ledger() -> list[EventRow]:
    """A criteria framework's ledger: no skill steps, no pay. Two people, four years each;
    person 1 demonstrates three criteria and is promoted, person 2 demonstrates one; each
    is assessed twice (an assessment is evidence, not an advance)."""
    rows = []
    for pid, shown in ((1, ("2020-06-01", "2021-03-01", "2022-01-01")), (2, ("2021-01-01",))):
        rows += [row(pid, "hire", "2020-01-01", role="a1"),
                 row(pid, "assessed", "2020-03-01", criterion="c.1", proficiency=1,
                     assessor="self"),
                 row(pid, "assessed", "2020-04-01", criterion="c.1", proficiency=2,
                     assessor="manager")]
        rows += [row(pid, "demonstrated", on, criterion=f"c.{i}")
                 for i, on in enumerate(shown, start=1)]
    rows.append(row(1, "promotion", "2022-06-01", role="a2"))
    return rows


def test_criteria_demonstrated_are_micro_progressions_and_the_table_holds_without_steps(
) -> None:
    t = build_table(criteria_ledger(), ROLES, end=END, min_n=1)
    years = t.person_years
    assert years == pytest.approx(8.0, abs=0.01)
    events = t.feature("definition").measure("events").cells
    assert events[PROMOTION].value == 1 and events[MICRO].value == 4  # assessments left out
    assert t.feature("definition").detail["kinds"][MICRO]["demonstrated"] == 4
    assert t.feature("role").measure("criteria").cells[MICRO].value == pytest.approx(
        4 / years, abs=1e-3)
    # no skill steps and no pay: those cells say so instead of dividing by zero
    steps = t.feature("role").measure("mastery_steps").cells[MICRO]
    assert steps.value is None and steps.note == "insufficient data (n=0)"
    salary = t.feature("salary").measure("median_pay_change").cells
    assert salary[MICRO].value is None and salary[MICRO].note == "insufficient data (n=0)"
    assert t.feature("salary").measure("share_of_growth").cells[MICRO].value is None
    growth = t.feature("growth")
    # split at the median rate (0.75 and 0.25 a year, median 0.5): person 1 has many
    many, few = (growth.measure("criteria").cells[g] for g in (MANY, FEW))
    assert many.value == pytest.approx(3 / 4, abs=1e-3) and few.value == pytest.approx(
        1 / 4, abs=1e-3)
    assert growth.measure("mastery_steps").cells[MANY].note == "insufficient data (n=0)"
    gaps = t.feature("frequency").measure("months_between").cells[MICRO]
    assert gaps.n == 2  # person 1's three demonstrations: two gaps
