"""Recognition cadence, gaps, alerts and the Gini coefficient, against hand computations."""

from __future__ import annotations

from datetime import date

import pytest

from trellis.domain.recognition import (
    RecognitionRules,
    alerts,
    cadence,
    gini,
    median_gap,
    severity,
    team_median,
)


def test_gini_of_0_0_1_3_by_hand():
    # Mean absolute difference: ordered pairs |xi - xj| sum to 20; G = 20 / (2 n^2 mean)
    # = 20 / (2 * 16 * 1) = 0.625. The sorted formula: 2 * (3*1 + 4*3) / (4*4) - 5/4.
    pairs = sum(abs(a - b) for a in (0, 0, 1, 3) for b in (0, 0, 1, 3))
    assert pairs == 20
    assert gini([3, 0, 1, 0]) == pytest.approx(pairs / (2 * 4**2 * 1)) == pytest.approx(0.625)


def test_gini_edge_cases():
    assert gini([]) == 0.0
    assert gini([0, 0, 0]) == 0.0  # nobody recognized: no inequality to speak of
    assert gini([2, 2, 2, 2]) == 0.0
    assert gini([0, 0, 0, 5]) == pytest.approx(0.75)  # (n - 1) / n: one person has all
    with pytest.raises(ValueError):
        gini([-1, 2])


def test_cadence_is_the_median_gap_and_the_gap_runs_from_the_last_or_the_hire():
    dates = [date(2024, 1, 1), date(2024, 1, 11), date(2024, 3, 1), date(2024, 3, 31)]
    assert median_gap(dates) == 30.0  # gaps 10, 50, 30 -> 30
    assert median_gap(dates[:3]) == 30.0  # gaps 10, 50 -> 30
    assert median_gap(dates[:1]) is None
    c = cadence(7, [(d, 10) for d in reversed(dates)], date(2023, 6, 1), date(2024, 5, 10))
    assert (c.count, c.points, c.last_on, c.cadence_days, c.gap_days) == (
        4, 40, date(2024, 3, 31), 30.0, 40)
    none = cadence(8, [], date(2024, 1, 1), date(2024, 5, 10))
    assert none.gap_days == 130 and none.gap_since == date(2024, 1, 1)
    assert none.cadence_days is None


def test_alerts_past_the_threshold_or_twice_the_team_median():
    rules = RecognitionRules(threshold_days=90)
    c = cadence(1, [(date(2024, 1, 1), 5), (date(2024, 2, 1), 5)], date(2023, 1, 1),
                date(2024, 4, 1))  # gap 60, cadence 31
    assert alerts(c, None, rules) == ()
    assert alerts(c, 40.0, rules) == ()  # 60 is not over 2 * 40
    (why,) = alerts(c, 25.0, rules)
    assert "over 2 times the team's median cadence of 25 days" in why
    assert severity(c, (why,), rules) == "lapse"  # usually recognized every 31 days
    late = cadence(2, [], date(2023, 1, 1), date(2024, 4, 1))
    (why,) = alerts(late, None, rules)
    assert "since the hire, past the 90-day threshold" in why
    assert severity(late, (why,), rules) == "chronic"
    assert severity(c, (), rules) == "none"
    assert team_median([None, 30.0, 50.0, 70.0]) == 50.0 and team_median([None]) is None
