"""The recommended mix and its reasons, from plain figures."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trellis.domain.advice import (
    RateComparison,
    SimulatedStrategy,
    next_actions,
    recommend,
    routine_actions,
    strategy_name,
)


def compared(outcome: str, frequent: float, rare: float, *, half_width: float,
             people: int = 40, years: float = 120.0) -> RateComparison:
    d = frequent - rare
    return RateComparison(outcome, frequent, rare, round(frequent * years),
                          round(rare * years), years, years, people, people, d,
                          d - half_width, d + half_width, rare, 4)


def test_stage_and_role_type_set_the_starting_mix() -> None:
    early = recommend("early", "dynamic")
    assert early.promotion_effort == 0.25 and early.strategy == "micro-progression"
    mid = recommend("mid", "structured")
    assert mid.promotion_effort == 0.65 and mid.strategy == "promotion-focused"
    assert any("Too few" in r for r in mid.reasons)


def test_a_decided_difference_moves_the_mix_and_is_quoted_with_its_sample() -> None:
    base = recommend("mid", "structured").promotion_effort
    found = recommend("mid", "structured",
                      promotion=compared("promotion", 0.18, 0.10, half_width=0.03),
                      departure=compared("departure", 0.05, 0.10, half_width=0.02))
    assert found.promotion_effort == round(base - 0.10 - 0.05, 2)
    odds = next(r for r in found.reasons if "were promoted" in r)
    assert "18.0%" in odds and "10.0%" in odds and "40 people" in odds
    assert "22 promotions in 120 person-years" in odds  # 0.18 * 120 = 21.6
    assert "+8.0 points a year (95% interval +5.0 points to +11.0 points)" in odds
    assert "micro-progressions lead to promotions" in odds
    leave = next(r for r in found.reasons if r.startswith("Leaving"))
    assert "5.0%" in leave and "10.0%" in leave and "steady progress goes with staying" in leave
    against = recommend("mid", "structured",
                        promotion=compared("promotion", 0.10, 0.20, half_width=0.05))
    assert against.promotion_effort == round(base + 0.10, 2)


def test_an_interval_holding_zero_says_the_data_does_not_decide() -> None:
    base = recommend("mid", "structured").promotion_effort
    found = recommend("mid", "structured",
                      promotion=compared("promotion", 0.004, 0.003, half_width=0.002,
                                         years=1_500),
                      departure=compared("departure", 0.0, 0.2, half_width=0.25))
    assert found.promotion_effort == base
    assert any("the data does not decide whether micro-progressions lead to promotions" in r
               for r in found.reasons)
    assert any("the data does not decide whether steady progress goes with staying" in r
               for r in found.reasons)
    assert not any("lead to promotions here." in r and "does not decide" not in r
                   for r in found.reasons)


def test_the_rates_quoted_are_the_ones_compared_and_a_crude_pair_the_other_way_is_explained(
        ) -> None:
    # frequent progressors promoted 14.5% a year all told against 0.7% for rare ones, but
    # 3.0% against 14.5% at the same time in level: the crude pair says the opposite
    c = RateComparison("promotion", 0.145, 0.007, 48, 40, 332.0, 6_038.0, 332, 1_134,
                       -0.115, -0.211, -0.018, 0.145, 9)
    assert c.frequent_standardized == pytest.approx(0.030)
    found = recommend("early", "structured", promotion=c, split="any micro-progression")
    odds = next(r for r in found.reasons if "were promoted" in r)
    assert odds.startswith("Among people like you, frequent micro-progressors (any "
                           "micro-progression) were promoted 3.0% a person-year against "
                           "14.5% for rare ones, compared at the same time in level")
    assert "a difference of -11.5 points a year (95% interval -21.1 points to -1.8 points)"\
        in odds
    assert "48 promotions in 332 person-years (332 people) and 40 in 6,038 (1,134 people)" \
        in odds
    assert "unweighted, the rates are 14.5% and 0.7%, the other way round" in odds
    assert odds.endswith("promotions do not follow micro-progressions, so aim more directly.")
    # the same sign all told: no unweighted pair to explain
    same = RateComparison("promotion", 0.02, 0.20, 7, 1_200, 332.0, 6_038.0, 332, 1_134,
                          -0.115, -0.211, -0.018, 0.145, 9)
    assert "unweighted" not in next(r for r in recommend("early", "structured",
                                                         promotion=same).reasons
                                    if "were promoted" in r)


def test_no_event_in_either_group_is_nothing_to_compare() -> None:
    none = RateComparison("promotion", 0.0, 0.0, 0, 0, 950.0, 1_366.0, 1_550, 2_025,
                          0.0, 0.0, 0.003, 0.0, 6)
    found = recommend("early", "structured", promotion=none,
                      departure=dataclasses.replace(none, outcome="departure"),
                      split="any micro-progression")
    odds = next(r for r in found.reasons if "promoted" in r and "No one" in r)
    assert odds == ("No one among people like you was promoted in 2,316 person-years, "
                    "frequent micro-progressors (any micro-progression) or rare, so the data "
                    "cannot tell whether micro-progressions lead to promotions here.")
    assert any(r.startswith("Leaving: No one among people like you was seen to leave")
               for r in found.reasons)
    assert not any("0.0%" in r or "points" in r for r in found.reasons)
    assert found.promotion_effort == recommend("early", "structured").promotion_effort


@given(st.floats(0, 0.5), st.floats(0.001, 0.5), st.floats(0.0001, 0.3))
def test_only_an_interval_clear_of_zero_moves_the_mix(frequent: float, rare: float,
                                                      half: float) -> None:
    c = compared("promotion", frequent, rare, half_width=half)
    found = recommend("mid", "structured", promotion=c)
    moved = found.promotion_effort != recommend("mid", "structured").promotion_effort
    assert not moved or c.ci_low > 0 or c.ci_high < 0


def test_small_groups_do_not_count() -> None:
    found = recommend("mid", "structured",
                      promotion=compared("promotion", 0.5, 0.1, half_width=0.01, people=9))
    assert any("Too few" in r for r in found.reasons)
    assert not any("were promoted" in r for r in found.reasons)


def test_a_leading_simulated_strategy_pulls_the_mix() -> None:
    sims = [SimulatedStrategy("promotion", 0.8, 120_000, 0.6, 0.9),
            SimulatedStrategy("balanced", 0.5, 110_000, 0.6, 0.9),
            SimulatedStrategy("micro", 0.2, 105_000, 0.6, 0.9)]
    found = recommend("late", "dynamic", simulated=sims, departure_sample=(4_698, 149, 12),
                      currency="EUR")
    assert found.promotion_effort == round(0.30 - 0.10 + 0.10, 2)
    pay = next(r for r in found.reasons if "median pay" in r)
    assert pay == ("Simulated median pay after 5 years: promotion €120,000, balanced "
                   "€110,000, micro €105,000; promotion leads.")
    stay = next(r for r in found.reasons if "still employed" in r)
    assert "4,698 person-quarters, 149 voluntary departures and 12 others" in stay
    assert "no difference in leaving" in stay  # no leaving effect applied
    assert "balanced 90% and 60%" in stay
    assert recommend("late", "dynamic").promotion_effort == 0.2


def test_no_pay_recorded_says_so_instead_of_a_median_of_zero() -> None:
    sims = [SimulatedStrategy("promotion", 0.8, None, 0.6, 0.9),
            SimulatedStrategy("balanced", 0.5, None, 0.6, 0.9)]
    found = recommend("late", "dynamic", simulated=sims)
    pay = next(r for r in found.reasons if "median pay" in r)
    assert "no pay data" in pay and " 0" not in pay
    assert found.promotion_effort == recommend("late", "dynamic").promotion_effort
    stay = next(r for r in found.reasons if "still employed" in r)
    assert "no departures on the ledger to learn from" in stay  # nor a sample to quote


def test_mix_is_clamped_and_named() -> None:
    assert strategy_name(0.8) == "promotion-focused" and strategy_name(0.5) == "balanced"
    low = recommend("early", "dynamic",
                    promotion=compared("promotion", 0.5, 0.05, half_width=0.05),
                    departure=compared("departure", 0.01, 0.2, half_width=0.05),
                    simulated=[SimulatedStrategy("balanced", 0.5, 100, 1, 1),
                               SimulatedStrategy("micro", 0.2, 200, 1, 1)])
    assert low.promotion_effort == 0.1


def test_next_actions_take_one_from_each_source_first() -> None:
    actions = next_actions({"plan": ["p1", "p2", "p3"], "recognition": ["ask"],
                            "lattice": ["move"]})
    assert [a.text for a in actions] == ["p1", "ask", "move"]
    assert [a.text for a in next_actions({"readiness": ["g1", "g2", "g3", "g4"]})] == \
        ["g1", "g2", "g3"]
    assert next_actions({}) == ()


def test_routine_actions_fill_in_when_nothing_else_answers() -> None:
    today = date(2024, 6, 30)
    quiet = routine_actions("ana", today, last_check_in=date(2024, 1, 15),
                            last_micro=None, has_plan=False)
    # 16 days of January, then 29 + 31 + 30 + 31 + 30 (2024 is a leap year): 167
    assert "167 days ago, on 2024-01-15" in quiet["check_in"][0].text
    assert quiet["check_in"][0].command == "trellis checkin ana"
    assert "none is on the ledger" in quiet["evidence"][0].text
    assert quiet["routine"][0].command == "trellis plan new ana"
    assert not any("`" in a.text or "--" in a.text for acts in quiet.values()
                   for a in acts)
    actions = next_actions(quiet)  # no plan, readiness, recognition or lattice
    assert [a.source for a in actions] == ["check_in", "evidence", "routine"]
    assert "check-in" in actions[0].text and "Log evidence" in actions[1].text


def test_recent_activity_needs_no_reminder_yet_three_actions_remain() -> None:
    today = date(2024, 6, 30)
    busy = routine_actions("ana", today, last_check_in=date(2024, 5, 1),
                           last_micro=date(2024, 4, 1), has_plan=True)
    assert set(busy) == {"routine"}  # within the last quarter (91 days): no reminder
    assert not any(a.command and "plan new" in a.command for a in busy["routine"])
    actions = next_actions(busy)
    assert len(actions) == 3 and {a.source for a in actions} == {"routine"}
    edge = routine_actions("ana", today, last_check_in=today - timedelta(days=92),
                           last_micro=today - timedelta(days=91), has_plan=True)
    assert "check_in" in edge and "evidence" not in edge
    # a source with an answer still comes first
    mixed = next_actions({"readiness": ["gap"], **busy})
    assert [a.source for a in mixed] == ["readiness", "routine", "routine"]
