"""The recommended mix and its reasons, from plain figures."""

from __future__ import annotations

from datetime import date, timedelta

from trellis.domain.advice import (
    CohortGroup,
    SimulatedStrategy,
    next_actions,
    recommend,
    routine_actions,
    strategy_name,
)


def group(people: int, promotions_per_year: float, retention: float) -> CohortGroup:
    return CohortGroup(people, people * 3.0, round(people * 3 * promotions_per_year),
                       promotions_per_year, retention)


def test_stage_and_role_type_set_the_starting_mix() -> None:
    early = recommend("early", "dynamic")
    assert early.promotion_effort == 0.25 and early.strategy == "micro-progression"
    mid = recommend("mid", "structured")
    assert mid.promotion_effort == 0.65 and mid.strategy == "promotion-focused"
    assert any("Too few" in r for r in mid.reasons)


def test_the_organizations_figures_move_the_mix_and_are_quoted() -> None:
    base = recommend("mid", "structured").promotion_effort
    found = recommend("mid", "structured", rare=group(40, 0.10, 0.90),
                      frequent=group(40, 0.18, 0.95))
    assert found.promotion_effort == round(base - 0.10 - 0.05, 2)
    odds = next(r for r in found.reasons if "were promoted" in r)
    assert "18.0%" in odds and "10.0%" in odds and "40 people" in odds
    assert any("95.0%" in r and "90.0%" in r for r in found.reasons)
    against = recommend("mid", "structured", rare=group(40, 0.20, 0.9),
                        frequent=group(40, 0.10, 0.9))
    assert against.promotion_effort == round(base + 0.10, 2)


def test_a_leading_simulated_strategy_pulls_the_mix() -> None:
    sims = [SimulatedStrategy("promotion", 0.8, 120_000, 0.6),
            SimulatedStrategy("balanced", 0.5, 110_000, 0.6),
            SimulatedStrategy("micro", 0.2, 105_000, 0.6)]
    found = recommend("late", "dynamic", simulated=sims)
    assert found.promotion_effort == round(0.30 - 0.10 + 0.10, 2)
    assert any("promotion leads" in r and "120,000" in r for r in found.reasons)
    assert recommend("late", "dynamic").promotion_effort == 0.2


def test_mix_is_clamped_and_named() -> None:
    assert strategy_name(0.8) == "promotion-focused" and strategy_name(0.5) == "balanced"
    low = recommend("early", "dynamic", rare=group(40, 0.05, 0.8),
                    frequent=group(40, 0.5, 0.99),
                    simulated=[SimulatedStrategy("balanced", 0.5, 100, 1),
                               SimulatedStrategy("micro", 0.2, 200, 1)])
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
    assert "167 days ago, on 2024-01-15" in quiet["check_in"][0]
    assert "trellis checkin ana" in quiet["check_in"][0]
    assert "none is on the ledger" in quiet["evidence"][0]
    assert "trellis plan new ana" in quiet["routine"][0]
    actions = next_actions(quiet)  # no plan, readiness, recognition or lattice
    assert [a.source for a in actions] == ["check_in", "evidence", "routine"]
    assert "check-in" in actions[0].text and "Log evidence" in actions[1].text


def test_recent_activity_needs_no_reminder_yet_three_actions_remain() -> None:
    today = date(2024, 6, 30)
    busy = routine_actions("ana", today, last_check_in=date(2024, 5, 1),
                           last_micro=date(2024, 4, 1), has_plan=True)
    assert set(busy) == {"routine"}  # within the last quarter (91 days): no reminder
    assert not any("plan new" in text for text in busy["routine"])
    actions = next_actions(busy)
    assert len(actions) == 3 and {a.source for a in actions} == {"routine"}
    edge = routine_actions("ana", today, last_check_in=today - timedelta(days=92),
                           last_micro=today - timedelta(days=91), has_plan=True)
    assert "check_in" in edge and "evidence" not in edge
    # a source with an answer still comes first
    mixed = next_actions({"readiness": ["gap"], **busy})
    assert [a.source for a in mixed] == ["readiness", "routine", "routine"]
