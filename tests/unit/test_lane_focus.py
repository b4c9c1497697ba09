"""Focus by lanes open (domain.throughput.lane_focus, Throughput.focus_at and plan_focus,
domain.plan.lanes_open): fewer lanes of gaps open, fewer of a person's parallel threads of
work can be on them, so a plan's last lanes go slower than its first."""

from __future__ import annotations

from datetime import date

import pytest
from scipy import stats
from test_plan import FRESH, START, TINY_FW, person

from trellis.domain.plan import StepKind, lanes_open, make_plan, resolve_target
from trellis.domain.throughput import (
    DEFAULT_PRIOR,
    LANE_CAP,
    Career,
    Difficulty,
    NanoStep,
    Prior,
    Spell,
    Throughput,
    ThroughputModel,
    _last_from,
    fit_prior,
    learn_throughput,
    model_from_document,
    model_to_document,
    spells,
)

GAP, REFRESH = StepKind.STEP, StepKind.REFRESH


def test_lanes_open_counts_the_lanes_with_a_gap_step_still_to_come():
    lanes = ["a", "b", "a", "c", "b", "c", "c"]
    kinds = [GAP, GAP, GAP, REFRESH, GAP, GAP, GAP]
    # from the end: c | c | b c | (refresh) | a b c | b a c ... by hand:
    assert lanes_open(lanes, kinds) == [3, 3, 3, 0, 2, 1, 1]


def spell(by_lanes: dict[int, tuple[float, float]]) -> Spell:
    table = tuple(by_lanes.get(k, (0.0, 0.0)) for k in range(1, LANE_CAP + 1))
    work = sum(w for w, _ in table)
    return Spell("eng", "L1", work, 4.0, by_lanes=table)


def test_lane_focus_is_each_state_s_share_of_work_toward_the_gaps_by_hand():
    # four spells: 1 lane open 2 (1 toward), 2 lanes 3 (2 toward), 7 lanes 5 (5 toward);
    # four more: 1 lane 2 (0 toward), 2 lanes 1 (1), 7 lanes 5 (4). Seven lanes count as six.
    found = fit_prior([spell({1: (2, 1), 2: (3, 2), 6: (5, 5)})] * 4
                      + [spell({1: (2, 0), 2: (1, 1), 6: (5, 4)})] * 4, "g").lane_focus
    assert found == pytest.approx((4 / 16, 12 / 16, None, None, None, 36 / 40))
    # fewer than MIN_GROUP spells with work in a state: None there
    assert fit_prior([spell({2: (3, 2)})] * 7, "g").lane_focus[1] is None


def test_spells_split_their_work_by_the_lanes_open_before_each_step():
    on = [date(2024, 3, 1), date(2024, 5, 1), date(2024, 7, 1), date(2024, 9, 1)]
    steps = tuple(NanoStep(d, f"competency:{c}", c, 1, "", toward)
                  for d, c, toward in zip(on, "abcd", (True, False, True, True),
                                          strict=True))
    career = Career(1, date(2024, 1, 1), None, ((date(2024, 1, 1), "eng", "L1"),),
                    (NanoStep(date(2024, 1, 2), "competency:x", "x", 1), *steps),
                    ((date(2024, 1, 1), 3), (date(2024, 4, 1), 2), (date(2024, 8, 1), 1)))
    (s,) = spells(career, date(2024, 12, 31), Difficulty())
    d = Difficulty().of_step("a", 1).value  # every step a default step to mastery 1
    # before 1 Mar: 3 lanes (toward); 1 May and 1 Jul: 2 (one toward); 1 Sep: 1 (toward)
    assert [x for pair in s.by_lanes for x in pair] == pytest.approx(
        [d, d, 2 * d, d, d, d] + [0.0] * 2 * (LANE_CAP - 3))
    assert (s.last_work, s.last_toward) == pytest.approx((d, d))


def test_the_plan_s_pace_is_the_harmonic_mean_of_each_state_s_share():
    t = Throughput(1.0, 4.0, 4.0, DEFAULT_PRIOR, 0, 0, focus=0.8, last_focus=0.4,
                   lane_focus=(0.4, 0.6, None, 0.7, None, 0.9),
                   lane_work=(0.2, 0.3, 0.1, 0.1, 0.0, 0.2))
    # 1 lane 0.2 at 0.4, 2 lanes 0.3 at 0.6, 3 lanes 0.1 at focus 0.8 (none seen), 4
    # lanes 0.1 at 0.7, 6+ 0.2 at 0.9, and the 0.1 left (refreshes) at focus 0.8
    inverse = 0.2 / 0.4 + 0.3 / 0.6 + 0.1 / 0.8 + 0.1 / 0.7 + 0.2 / 0.9 + 0.1 / 0.8
    assert t.plan_focus == pytest.approx(1 / inverse)
    assert [t.focus_at(n) for n in (1, 2, 3, 4, 5, 6, 9)] == [0.4, 0.6, 0.8, 0.7, 0.8,
                                                              0.9, 0.9]
    assert t.commit(2).focus_at(1) == 1.0  # a committed pace is all on the plan


def test_a_model_stored_before_lane_focus_plans_as_before():
    old = Throughput(1.0, 4.0, 4.0, DEFAULT_PRIOR, 0, 0, focus=0.8, last_focus=0.4,
                     final_share=0.25)
    assert old.plan_focus == pytest.approx(1 / (0.75 / 0.8 + 0.25 / 0.4))
    assert old.focus_at(1) == 0.4 and old.focus_at(3) == 0.8
    doc = model_to_document(ThroughputModel(overall=Prior(1.0, 2.0, 9, "organization",
                                                          0.8, 0.4)))
    doc["overall"] = doc["overall"][:6]  # the row a model stored before it kept
    assert model_from_document(doc).overall == Prior(1.0, 2.0, 9, "organization", 0.8, 0.4)


def test_lane_focus_round_trips_and_a_small_group_borrows_the_wider_one_s():
    model = learn_throughput([], date(2024, 1, 1))
    top = Prior(1.0, 2.0, 40, "organization", 0.8, 0.4, (0.4, 0.6, 0.7, 0.7, 0.75, 0.86))
    model = ThroughputModel(model.difficulty, {}, {}, top)
    assert model_from_document(model_to_document(model)).overall == top
    small = Prior(1.0, 2.0, 9, "L1", 0.8, None, (None, 0.5, None, None, None, 0.9))
    assert _last_from(small, top).lane_focus == (0.4, 0.5, 0.7, 0.7, 0.75, 0.9)
    assert _last_from(small, top).last_focus == 0.4


def test_each_step_is_worked_at_the_share_of_the_lanes_still_open():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    shares = (0.25, 0.5, 0.7, 0.75, 0.8, 0.9)
    t = Throughput(1.2, 5.0, 5.0 / 1.2, DEFAULT_PRIOR, 0, 0, focus=0.75, dispersion=0.6,
                   last_focus=0.25, lane_focus=shares)
    plan = make_plan(p, TINY_FW, resolve_target(TINY_FW, p, role="eng3"), ThroughputModel(),
                     t, start=START)
    assert plan.forecast is not None and plan.throughput is not None
    lanes = [s.competency for s in plan.steps]
    still = [len(set(lanes[k:])) for k in range(len(lanes))]  # every step here is a gap
    assert len(set(still)) > 2  # the plan passes through three states or more
    worked = 0.0
    for s, n in zip(plan.steps, still, strict=True):
        share = shares[min(n, LANE_CAP) - 1]
        assert s.months == pytest.approx(s.difficulty * 3 / (1.2 * share), abs=0.01)
        worked += s.difficulty / share
    total = sum(s.difficulty for s in plan.steps)
    assert plan.throughput.plan_focus == pytest.approx(total / worked, rel=1e-6)
    scale = 0.6 * (total / worked) / t.quarters
    for k, p_ in enumerate((0.1, 0.5, 0.9)):
        months = 3 * stats.betaprime.ppf(p_, 0.6 * total, 5.0) / scale
        assert plan.forecast.months[k] == pytest.approx(months, abs=0.06)
