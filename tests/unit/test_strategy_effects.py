"""Frequent against rare micro-progressors, compared at the same time in level."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tenure_ledger import END, FREQUENT_YEARS, RARE_YEARS, tenure_ledger
from trellis.analytics.compare import Roles
from trellis.analytics.strategy_effects import compare_rates, strategy_effects
from trellis.domain.career_stage import DEFAULT_THRESHOLDS
from trellis.domain.ledger_rows import EventRow

ROLES = Roles({"eng1": 1, "eng2": 2}, {"eng1": "eng", "eng2": "eng"}, {"eng": "structured"})


def rows_of_tenure_ledger() -> list[EventRow]:
    people, events = tenure_ledger()
    ids = {p.handle: i + 1 for i, p in enumerate(people)}
    rows = [EventRow(n, ids[e.person], e.details.kind.value, e.effective_on,
                     {k: getattr(e.details, k) for k in e.details.__dataclass_fields__})
            for n, e in enumerate(events, 1)]
    return sorted(rows, key=lambda r: (r.effective_on, r.id))


def test_a_difference_explained_by_tenure_is_not_a_difference() -> None:
    rows = rows_of_tenure_ledger()
    found = strategy_effects(rows, ROLES, end=END, people=range(1, 81),
                             thresholds=DEFAULT_THRESHOLDS).of("early", "structured")
    assert found is not None and found.people == 80 and found.threshold == 0.0
    p = found.promotion
    assert p is not None
    assert (p.frequent_events, p.rare_events) == (6, 2)
    assert p.frequent_years == FREQUENT_YEARS and p.rare_years == RARE_YEARS
    assert p.frequent_rate == pytest.approx(6 / 97.5)
    assert p.rare_rate == pytest.approx(2 / 162.5)
    assert p.frequent_rate / p.rare_rate == pytest.approx(5.0)  # crude: five times as often
    assert p.difference == pytest.approx(0.0, abs=1e-12)  # the same at equal time in level
    assert p.ci_low < 0 < p.ci_high and not p.decided
    assert (p.frequent_people, p.rare_people) == (50, 60)  # the 30 were rare until 2019


def test_the_interval_matches_a_direct_poisson_computation() -> None:
    # columns: stage, structured, frac, stratum, rate, promoted, departed, year
    rng = np.random.default_rng(3)
    n = 4_000
    band = rng.integers(0, 4, n)
    rate = rng.poisson(1 + band, n).astype(float)
    promoted = (rng.random(n) < 0.02 + 0.02 * band).astype(float)
    c = np.column_stack([np.zeros(n), np.ones(n), np.ones(n), band, rate, promoted,
                         np.zeros(n), np.full(n, 2021)])
    frequent = rate > np.median(rate)
    got = compare_rates("promotion", promoted, c, np.arange(n), frequent)
    assert got is not None
    diff = var = weight = 0.0
    for b in range(4):
        f, r = (band == b) & frequent, (band == b) & ~frequent
        yf, yr = f.sum() / 4, r.sum() / 4
        ef, er = promoted[f].sum(), promoted[r].sum()
        w = yf + yr
        diff += w * (ef / yf - er / yr)
        var += w ** 2 * ((ef + 0.5) / yf ** 2 + (er + 0.5) / yr ** 2)
        weight += w
    assert got.difference == pytest.approx(diff / weight)
    half = 1.959964 * math.sqrt(var) / weight
    assert got.ci_low == pytest.approx(diff / weight - half)
    assert got.ci_high == pytest.approx(diff / weight + half)
    assert got.bands == 4
    # promotion depends on the band only: the crude rates differ, the adjusted ones barely
    crude = promoted[frequent].mean() - promoted[~frequent].mean()
    assert abs(got.difference) < abs(4 * crude)


def test_one_group_alone_compares_nothing() -> None:
    c = np.column_stack([np.zeros(8), np.ones(8), np.ones(8), np.zeros(8), np.ones(8),
                         np.zeros(8), np.zeros(8), np.zeros(8)])
    assert compare_rates("promotion", c[:, 5], c, np.arange(8), np.ones(8, bool)) is None


def test_the_interval_never_asks_the_frequent_group_for_a_negative_rate() -> None:
    # two person-years a group in one stratum: 3 departures among the rare, 0 among the
    # frequent; the normal interval would run to about -4.5 a year, below -1.5
    n = 16
    frequent = np.arange(n) < 8
    departed = np.zeros(n)
    departed[[8, 9, 10]] = 1
    c = np.column_stack([np.zeros(n), np.ones(n), np.ones(n), np.zeros(n), np.ones(n),
                         np.zeros(n), departed, np.zeros(n)])
    got = compare_rates("departure", departed, c, np.arange(n), frequent)
    assert got is not None
    assert got.difference == pytest.approx(0 / 2 - 3 / 2)
    assert got.rare_standardized == pytest.approx(1.5)
    assert got.ci_low == pytest.approx(-1.5)  # the frequent rate at 0, not below
    half = 1.959964 * math.sqrt(4 ** 2 * (0.5 / 2 ** 2 + 3.5 / 2 ** 2)) / 4
    assert got.ci_high == pytest.approx(-1.5 + half) and not got.decided


def test_only_voluntary_departures_are_leaving() -> None:
    """An involuntary departure ends the person's quarters without being an event (as the
    Cox model of analytics.evidence censors it); a voluntary one is the event."""
    from datetime import date

    def person(pid: int, kind: str, micro: int) -> list[EventRow]:
        rows = [EventRow(pid * 100, pid, "hire", date(2020, 1, 1), {"role": "eng1"})]
        rows += [EventRow(pid * 100 + k + 1, pid, "recognition", date(2020, 2 + k, 10), {})
                 for k in range(micro)]
        rows.append(EventRow(pid * 100 + 50, pid, "departure", date(2020, 8, 1),
                             {"departure_kind": kind}))
        return rows

    rows = [r for pid in range(1, 21) for r in person(
        pid, "voluntary" if pid % 2 else "involuntary", 3 if pid <= 10 else 0)]
    found = strategy_effects(rows, ROLES, end=date(2021, 1, 1), people=range(1, 21),
                             thresholds=DEFAULT_THRESHOLDS).of("early", "structured")
    assert found is not None
    d = found.departure
    assert d is not None
    # half of each group left voluntarily (every one of them left: all counted as leaving,
    # 10 and 10); every one's quarters up to the departure count, the second and the
    # third (holding the departure, in full): half a year each
    assert (d.frequent_events, d.rare_events) == (5, 5)
    assert (d.frequent_people, d.rare_people) == (10, 10)
    assert (d.frequent_years, d.rare_years) == (5.0, 5.0)
