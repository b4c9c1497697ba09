"""Plans on criteria, points and band-level rules, worked out by hand.

No history: every estimate is a documented default (mastery steps to 1-5: 1.5, 3, 5, 8, 12
months; a criterion: 2 months). The points framework (tests/fixtures/plan-points.yaml)
pays 0/1/3/6/12/20 points for mastery 0-5, so a step to m earns +1, +2, +3, +6, +8 and
costs 1.5, 3, 5, 8, 12 months: 0.67, 0.67, 0.6, 0.75 and 0.67 points a month.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import accumulate, count, product
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_plan import (
    CRITERIA_FW,
    FRESH,
    NO_HISTORY,
    POINTS_FW,
    SOFTWARE,
    STALE,
    START,
    labels,
    person,
    plan_for,
)

from trellis.adapters.framework_files import parse_framework
from trellis.domain.effort import (
    DEFAULT_CRITERION_MONTHS,
    CriterionSample,
    EffortModel,
    criterion_samples,
    learn_efforts,
    model_from_document,
    model_to_document,
)
from trellis.domain.events import Assessed, Assessor, Demonstrated, Event, Hire, Promotion
from trellis.domain.plan import (
    StepKind,
    StepStatus,
    make_plan,
    plan_from_document,
    plan_to_document,
    progress,
    resolve_target,
)
from trellis.domain.plan_steps import points_steps
from trellis.domain.profile import fold
from trellis.domain.throughput import DEFAULT_RATE, MIDDLE_MONTHS
from trellis.errors import PlanRejected

NO_EFFORT = EffortModel()  # the documented months, for the drafting rules alone
# Without history a plan works at 2 median steps a quarter and a median step is the 5
# months the defaults give a step to mastery 3: a step's months of work are its documented
# months times 3 / (2 * 5) = 0.3.
WORK_MONTHS = 3 / (DEFAULT_RATE * MIDDLE_MONTHS)
POINTS_FW_TEXT = (Path(__file__).resolve().parents[1] / "fixtures" / "plan-points.yaml"
                  ).read_text()

# --- points: the most points per month of effort, not per-competency minimums


def test_a_points_plan_takes_the_most_points_a_month_and_closes_the_gap_cheaply():
    # p2 needs 10 points and expects nothing else. A raise of one step to 1 pays 0.67 a
    # month, as much as any longer raise (infrastructure's waits for backend 1, its
    # prerequisite): backend, frontend, infrastructure, mentoring to 1, 4 points in 6
    # months. With 6 to go, greedy would go on (strategy 0 -> 1, then steps to 2: 11 points
    # in 16.5 months); raising strategy 0 -> 3 closes the 6 alone in 1.5 + 3 + 5 = 9.5
    # months (10 points in 15.5), so it replaces that tail. 15.5 is the least any mix costs.
    _, p = person(POINTS_FW, "p1", {})
    plan = plan_for(POINTS_FW, p, role="p2")
    assert labels(plan) == ["backend 0->1", "frontend 0->1", "infra 0->1", "mentoring 0->1",
                            "strategy 0->1", "strategy 1->2", "strategy 2->3"]
    assert sum(s.months for s in plan.steps) == pytest.approx(15.5 * WORK_MONTHS)
    assert plan.readiness == 0.0  # 0 of 10 points, and nothing else counts
    assert [s.gain for s in plan.steps] == [10.0] * 5 + [20.0, 30.0]  # 100 * points / 10
    reached = list(accumulate(s.gain for s in plan.steps))  # each quarter: its steps' gains
    assert [m.readiness for m in plan.milestones] == [
        min(100.0, round(reached[m.steps[-1]], 1)) for m in plan.milestones]
    assert plan.steps[2].after == (0,) and "prerequisite" in plan.steps[2].reason
    assert plan.steps[0].reason == ("Backend 0 -> 1: +1 of the 10 growth points Engineer 2 "
                                    "needs (the most points a month)")
    assert plan.steps[-1].reason.endswith("(the cheapest raise that closes the gap)")


def test_a_title_with_more_points_than_its_level_sets_the_bar():
    # p3: level P3 needs 30 points, the title 34; backend 2 is expected and held. Backend 4
    # and frontend 4 give 12 + 12 + 0 = 24: 10 short of 34. The cheapest raise closing 10
    # alone is mentoring 0 -> 4 (+12, 17.5 months); greedy runs steps at 0.67 a month, and
    # once 8 are left (after infra 0 -> 1, mentoring 0 -> 1: 3 months) backend 4 -> 5 (+8,
    # 12 months) closes the gap: 15 months in all, the least any mix costs.
    _, p = person(POINTS_FW, "p2", {"backend": (4, FRESH), "frontend": (4, FRESH)})
    plan = plan_for(POINTS_FW, p, role="p3")
    assert labels(plan) == ["infra 0->1", "mentoring 0->1", "backend 4->5"]
    assert sum(s.months for s in plan.steps) == pytest.approx(15.0 * WORK_MONTHS)
    # readiness: the expected mastery (2 of 2) and the points part, 100 * 24 / 34: mean 85.3
    assert plan.readiness == 85.3
    assert [s.gain for s in plan.steps] == [1.47, 1.47, 11.76]  # 100 * points / 34 / 2


@settings(max_examples=100, deadline=None)
@given(st.fixed_dictionaries({c: st.integers(0, 4) for c in POINTS_FW.competencies}),
       st.integers(1, 40))
def test_points_steps_cost_near_the_least_any_mix_costs(held, more):
    """Against every mix of raises (brute force on the fixture's 5 competencies): the
    greedy with its fix is often exactly the cheapest and never far from it."""
    held["infra"] = min(held["infra"], held["backend"])  # as its prerequisite allows
    rule = POINTS_FW.points_rules[0]
    bar = sum(rule.points_for(c, m) for c, m in held.items()) + more
    framework = replace(POINTS_FW, points_rules=(replace(
        rule, level_thresholds=(("P2", bar),), titles=()),))
    picks, short = points_steps(framework, framework.roles["p2"], dict(held), NO_EFFORT)
    assume(not short)
    months = sum(NO_EFFORT.months(c, m) for c, m, _ in picks)
    costs = []
    for ends in product(*[range(held[c], 6) for c in sorted(held)]):
        end = dict(zip(sorted(held), ends, strict=True))
        if end["infra"] > held["infra"] and end["infra"] > end["backend"]:
            continue  # infrastructure's steps wait for backend at their mastery
        if sum(rule.points_for(c, m) for c, m in end.items()) >= bar:
            costs.append(sum(NO_EFFORT.months(c, m) for c in held
                             for m in range(held[c] + 1, end[c] + 1)))
    least = min(costs)
    assert months <= 1.5 * least


def test_points_out_of_reach_is_one_line():
    text = POINTS_FW_TEXT.replace("min_points: 60", "min_points: 1000")
    framework = parse_framework(text, "points.yaml")[0]
    _, p = person(framework, "p3", {})
    with pytest.raises(PlanRejected, match=r"growth points for P4: 900 short of 1000 with "
                                           r"every competency at its top") as info:
        plan_for(framework, p, role="p4")
    assert "\n" not in str(info.value)


def test_a_band_level_the_role_requires_is_planned_with_the_points():
    # p4 needs 60 points and the Leading band at Guide (one of mentoring, strategy at 3).
    # The band comes first: mentoring 0 -> 3 (9.5 months, 6 points) costs as much as
    # strategy's, and mentoring is first in the band.
    _, p = person(POINTS_FW, "p3", {"backend": (2, FRESH)})
    plan = plan_for(POINTS_FW, p, role="p4")
    band = [s for s in plan.steps if "band level" in s.reason]
    assert [s.label for s in band] == ["mentoring 0->1", "mentoring 1->2", "mentoring 2->3"]
    assert band[0].reason == "Mentoring 0 -> 1 toward the Leading band level 1 (Guide) the " \
                             "role requires"
    reached = dict(POINTS_FW.competencies.fromkeys(POINTS_FW.competencies, 0))
    reached["backend"] = 2
    for s in plan.steps:
        reached[s.competency] = s.to_mastery
    points = sum(POINTS_FW.points_rules[0].points_for(c, m) for c, m in reached.items())
    assert 60 <= points < 60 + 8  # no more than one step past the bar


# --- criteria: one criterion to demonstrate is one nano-step


def test_a_criteria_plan_shows_lower_level_criteria_first():
    # eng-2 expects coding 2 and 5 criteria (comms.1-3, code.1-2); comms.1 is met: 1 of 7
    # nano-steps, readiness 14.3, each step 100/7 = 14.29. A month of effort is worth most
    # on coding 0 -> 1 (1.5 months), then on the criteria (2 months each, the L1 one
    # before the L2 ones), then coding 1 -> 2 (3 months). code.2 waits for code.1.
    _, p = person(CRITERIA_FW, "eng-1", {}, [(FRESH, Demonstrated("comms.1"))])
    plan = plan_for(CRITERIA_FW, p, role="eng-2")
    assert labels(plan) == ["coding 0->1", "demonstrate code.1", "demonstrate comms.2",
                            "demonstrate comms.3", "demonstrate code.2", "coding 1->2"]
    assert plan.readiness == 14.3
    assert {s.gain for s in plan.steps} == {14.29}
    assert plan.milestones[-1].readiness == 100.0
    step = plan.steps[1]
    assert (step.kind, step.criterion, step.topic, step.level, step.text, step.months,
            step.source) == (StepKind.CRITERION, "code.1", "code", "L1",
                             "Writes tests for their changes",
                             round(DEFAULT_CRITERION_MONTHS * WORK_MONTHS, 2),
                             "default")
    assert step.reason == "Code, One: not met yet"
    assert plan.steps[4].after == (1,)  # code.2 after code.1: lower levels of a topic first


def test_a_criterion_assessed_below_its_bar_says_so_and_is_done_once_met():
    _, p = person(CRITERIA_FW, "eng-1", {}, [
        (FRESH, Assessed("comms.1", 1, Assessor.MANAGER)),
        (FRESH, Assessed("code.1", 3, Assessor.SELF))])  # a self-assessment alone: not met
    plan = plan_for(CRITERIA_FW, p, role="eng-1", capacity=1)
    assert [(s.label, s.reason) for s in plan.steps] == [
        ("demonstrate comms.1", "Communication, One: not met yet (assessed manager 1; "
                                "needs 2)"),
        ("demonstrate code.1", "Code, One: not met yet")]
    events, _ = person(CRITERIA_FW, "eng-1", {}, [
        (FRESH, Assessed("comms.1", 1, Assessor.MANAGER)),
        (FRESH, Assessed("code.1", 3, Assessor.SELF)),
        (START, Assessed("comms.1", 2, Assessor.MANAGER))])  # met at met_at 2
    later = fold(1, events, {1: CRITERIA_FW}, START + timedelta(days=1))
    second = StepStatus.DUE if plan.steps[1].quarter == 1 else StepStatus.UPCOMING
    assert progress(plan, later, CRITERIA_FW) == [StepStatus.DONE, second]


def test_a_stale_criterion_is_demonstrated_again():
    # mgr-2 expects comms.1-3 and people.1; comms.1 was shown in 2019 (stale: 0.8).
    _, p = person(CRITERIA_FW, "mgr-2", {}, [(STALE, Demonstrated("comms.1"))])
    plan = plan_for(CRITERIA_FW, p, role="mgr-2")
    assert plan.readiness == 20.0  # 100 * 0.8 / 4
    refresh = next(s for s in plan.steps if s.criterion == "comms.1")
    assert (refresh.kind, refresh.label) == (StepKind.REFRESH, "demonstrate comms.1 again")
    assert "stale" in refresh.reason and refresh.gain == 5.0  # 100 * 0.2 / 4
    assert progress(plan, p, CRITERIA_FW)[plan.steps.index(refresh)] is not StepStatus.DONE


def test_a_band_level_gate_takes_the_cheapest_steps_by_effort():
    # eng-3 expects coding 3 and Craft band level 2 (Builder: average 3 over coding and
    # testing). After coding 3, the band needs 3 more steps: testing 0 -> 1, 1 -> 2, 2 -> 3
    # (1.5, 3, 5 months) each cost less than coding 3 -> 4 (8). testing 2 -> 3 waits for
    # coding 2 -> 3 (its prerequisite). The band adds no score: it is a gate.
    _, p = person(CRITERIA_FW, "eng-2", {"coding": (2, FRESH)})
    plan = plan_for(CRITERIA_FW, p, role="eng-3")
    band = [s for s in plan.steps if "band level" in s.reason]
    assert [s.label for s in band] == ["testing 0->1", "testing 1->2", "testing 2->3"]
    assert {s.gain for s in band} == {0.0}
    coding = labels(plan).index("coding 2->3")
    assert coding in band[-1].after
    # 7 criteria and coding 3: 10 nano-steps, 2 held (coding 2): 20
    assert plan.readiness == 20.0 and len(plan.steps) == 7 + 1 + 3


def test_the_plan_document_keeps_criteria_steps_and_the_target_rules():
    _, p = person(CRITERIA_FW, "eng-2", {"coding": (2, FRESH)})
    plan = plan_for(CRITERIA_FW, p, role="eng-3")
    doc = plan_to_document(plan)
    assert doc["target"]["criteria"] == list(CRITERIA_FW.roles["eng-3"].criteria)
    assert doc["target"]["band_levels"] == {"craft": 2}
    shown = next(s for s in doc["steps"] if s["kind"] == "criterion")
    assert set(shown) == {"kind", "label", "criterion", "topic", "level", "text", "quarter",
                          "months", "difficulty", "source", "gain", "after", "reason"}
    step = next(s for s in doc["steps"] if s["kind"] == "step")
    assert {"competency", "from", "to"} <= set(step) and "criterion" not in step
    assert plan_from_document(doc) == plan
    old = {**doc, "target": {k: v for k, v in doc["target"].items()
                             if k not in ("criteria", "band_levels")}}
    assert plan_from_document(old).target.criteria == ()  # a document from before criteria


def test_time_in_level_is_a_note_no_step_speeds_up():
    ids = count(1)
    events = [Event(next(ids), 1, d, x, datetime(2024, 1, 1), "t", framework_version=1)
              for d, x in [(date(2020, 1, 1), Hire("eng-l1")),
                           (date(2024, 11, 1), Promotion("eng-l2"))]]
    p = fold(1, events, {1: SOFTWARE}, START)
    plan = make_plan(p, SOFTWARE, resolve_target(SOFTWARE, p, role="eng-l3"), NO_HISTORY,
                     start=START)
    said = "time in level: 2 of 12 months in level; no step speeds it up: it holds from "
    assert said + "2025-11-01" in plan.note.command  # a page's words: the day as it reads
    assert said + "1 Nov 2025" in plan.note.words


# --- effort for criteria, learned from the ledger


def test_criterion_samples_run_from_the_last_demonstration_in_the_topic_at_that_level():
    criteria = {"comms.1": ("comms", "L1"), "comms.2": ("comms", "L2"),
                "comms.3": ("comms", "L2"), "comms.4": ("comms", "L2"),
                "code.1": ("code", "L1")}
    d = date.fromisoformat
    samples = criterion_samples(7, [
        (d("2020-01-01"), "level", ""),  # hired
        (d("2020-03-01"), "demonstrated", "comms.1"),  # the topic's first: when writing began
        (d("2020-05-01"), "demonstrated", "comms.2"),  # 61 days after comms.1
        (d("2020-05-01"), "demonstrated", "comms.3"),  # the same day: skipped
        (d("2020-05-01"), "demonstrated", "code.1"),  # code's first: skipped
        (d("2020-06-01"), "level", ""),  # promoted
        (d("2020-07-01"), "demonstrated", "comms.3"),  # the last one was before the level
        (d("2020-07-02"), "demonstrated", "nope"),  # not in the framework: skipped
        (d("2020-08-01"), "demonstrated", "comms.4"),  # 31 days after comms.3
    ], criteria)
    assert [(s.criterion, s.level, round(s.months * 30.4375)) for s in samples] == [
        ("comms.2", "L2", 61), ("comms.4", "L2", 31)]


def test_a_journal_caught_up_in_one_sitting_leaves_the_estimates_alone():
    # 26 statements written up 29 months after the hire once taught "29 months a criterion"
    criteria = {f"t{t}.{i}": (f"t{t}", "L3") for t in range(5) for i in range(6)}
    d = date.fromisoformat
    events = [(d("2023-01-02"), "level", "")] + [
        (d("2025-06-01"), "demonstrated", c) for c in sorted(criteria)[:26]]
    assert criterion_samples(7, events, criteria) == []


def test_criteria_estimates_fall_back_from_criterion_to_level_to_all_to_the_prior():
    samples = [CriterionSample(i, "a", "L1", m) for i, m in enumerate([1, 2, 3, 4, 5])]
    samples += [CriterionSample(9, "b", "L1", 10.0), CriterionSample(9, "c", "L2", 10.0)]
    model = learn_efforts([], samples)
    assert model.criterion_estimate("a", "L1").months == 3.0  # its own 5 samples
    assert model.criterion_estimate("b", "L1").source == "level"  # L1: 6 samples, median 3.5
    assert model.criterion_estimate("b", "L1").months == 3.5
    assert model.criterion_estimate("c", "L2").source == "criteria"  # all 7: median 4
    assert model.criterion_estimate("c", "L2").months == 4.0
    assert learn_efforts([]).criterion_estimate("c", "L2").months == DEFAULT_CRITERION_MONTHS
    assert model_from_document(model_to_document(model)) == model


def test_a_stored_mastery_plan_from_before_criteria_still_reads():
    _, p = person(POINTS_FW, "p1", {})
    doc = plan_to_document(plan_for(POINTS_FW, p, role="p2"))
    for s in doc["steps"]:
        del s["label"]
    assert plan_from_document(doc).steps[0].competency == "backend"

