"""The pure planner: hand-computed plans on TINY, errors, and the readiness-100 property."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import accumulate, count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from conftest import TINY
from trellis.adapters.framework_files import read_framework_file
from trellis.domain.events import (
    Assessed,
    Assessor,
    Certification,
    Demonstrated,
    Event,
    Hire,
    SkillStep,
)
from trellis.domain.framework import Framework
from trellis.domain.plan import (
    Plan,
    StepKind,
    StepStatus,
    close_quarter,
    make_plan,
    plan_from_document,
    plan_to_document,
    progress,
    quarter_dates,
    resolve_target,
    target_readiness,
)
from trellis.domain.profile import Profile, fold
from trellis.domain.readiness import DAYS_PER_MONTH, assess
from trellis.domain.throughput import ThroughputModel, quantile
from trellis.errors import NotFound, PlanRejected, TrellisError

TINY_FW, _ = read_framework_file(TINY)
SOFTWARE, _ = read_framework_file(
    Path(__file__).resolve().parents[2] / "src/trellis/frameworks/software-company.yaml")
START = date(2025, 1, 1)
HIRED = date(2015, 1, 1)
FRESH = date(2024, 6, 1)
STALE = date(2019, 1, 1)
NO_HISTORY = ThroughputModel()  # documented defaults: difficulty 0.3, 0.6, 1, 1.6, 2.4 by mastery


def person(framework: Framework, role: str, mastery: dict[str, tuple[int, date]],
           extra: list[tuple[date, object]] = ()) -> tuple[list[Event], Profile]:
    ids = count(1)

    def event(on: date, details: object) -> Event:
        return Event(next(ids), 1, on, details, datetime(2024, 1, 1), "tester",  # type: ignore[arg-type]
                     framework_version=1)

    events = [event(HIRED, Hire(role))]
    events += [event(on, SkillStep(c, 0, m)) for c, (m, on) in mastery.items() if m > 0]
    events += [Event(next(ids), 1, on, d, datetime(2024, 1, 1), "tester",  # type: ignore[arg-type]
                     evidence="a link", framework_version=1) for on, d in extra]
    return events, fold(1, events, {1: framework}, START)


def plan_for(framework: Framework, profile: Profile, **target) -> Plan:
    options = {k: target.pop(k) for k in ("capacity", "horizon") if k in target}
    return make_plan(profile, framework, resolve_target(framework, profile, **target),
                     NO_HISTORY, start=START, **options)


def labels(plan: Plan) -> list[str]:
    return [s.label for s in plan.steps]


def test_steps_order_and_quarters_on_tiny():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    plan = plan_for(TINY_FW, p, role="eng3")
    # Every step is worth 100/9 points; first steps (1.5 months) before second steps (3)
    # before third (5); design_systems 1->2 waits for coding 1->2 (its prerequisite).
    assert labels(plan) == [
        "design_systems 0->1", "mentoring 0->1", "communication 0->1",
        "coding 1->2", "design_systems 1->2", "mentoring 1->2",
        "communication 1->2", "coding 2->3"]
    # No history: 2 median steps a quarter, worth 2 quarters; steps to 1, 2, 3 are 0.3, 0.6
    # and 1 median steps (the documented months over 5), so 0.45, 0.9, 1.5 months of work.
    assert [s.difficulty for s in plan.steps] == [0.3, 0.3, 0.3, 0.6, 0.6, 0.6, 0.6, 1.0]
    quarters = [s.quarter for s in plan.steps]
    assert quarters == sorted(quarters) and quarters[0] == 1
    assert [m.readiness for m in plan.milestones][-1] == 100.0
    assert plan.readiness == 11.1
    ds2 = plan.steps[4]
    assert ds2.after == (0, 3)  # design_systems 0->1, and coding 1->2 (a prerequisite)
    assert "prerequisite" in ds2.reason
    assert [s.months for s in plan.steps][:4] == [0.45, 0.45, 0.45, 0.9]
    assert plan.milestones[0].starts == START and plan.milestones[0].ends == date(2025, 3, 31)
    assert quarter_dates(START, 1, 2) == (date(2025, 4, 1), date(2025, 6, 30))


def test_prerequisite_step_comes_first():
    _, p = person(TINY_FW, "eng1", {"coding": (0, FRESH)})
    plan = plan_for(TINY_FW, p, competencies={"design_systems": 2, "coding": 2})
    order = labels(plan)
    assert order.index("coding 0->1") < order.index("design_systems 0->1")
    assert order.index("coding 1->2") < order.index("design_systems 1->2")


def test_a_committed_pace_replaces_the_learned_one():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    slow = plan_for(TINY_FW, p, role="eng3", capacity=1)
    fast = plan_for(TINY_FW, p, role="eng3", capacity=6)
    assert labels(slow) == labels(fast)
    assert slow.throughput is not None and slow.throughput.committed
    assert slow.throughput.rate == 1.0 and fast.throughput is not None
    assert slow.throughput.shape == fast.throughput.shape == 4.0  # the prior's: 2 * 2
    assert slow.forecast is not None and fast.forecast is not None
    assert slow.forecast.months[1] > fast.forecast.months[1]
    assert slow.milestones[-1].quarter > fast.milestones[-1].quarter


def test_stale_evidence_gets_a_refresh_step():
    _, p = person(TINY_FW, "eng1", {"coding": (3, STALE)})
    plan = plan_for(TINY_FW, p, role="eng2")
    assert plan.readiness == 53.3  # coding 2 of 2 at 0.8, communication 0 of 1
    refresh = next(s for s in plan.steps if s.competency == "coding")
    assert (refresh.kind, refresh.from_mastery, refresh.to_mastery) == (StepKind.REFRESH, 3, 4)
    assert "stale" in refresh.reason


def test_refresh_at_the_top_of_the_scale_is_a_certification():
    _, p = person(TINY_FW, "eng1", {"coding": (5, STALE)})
    plan = plan_for(TINY_FW, p, competencies={"coding": 5})
    (step,) = plan.steps
    assert step.from_mastery == step.to_mastery == 5 and "certification" in step.label
    assert progress(plan, p, TINY_FW) == [StepStatus.DUE]
    assert progress(plan, p, TINY_FW, certified={"coding"}) == [StepStatus.DONE]


def test_band_target_takes_the_k_closest_competencies():
    # craft: Practitioner is 3 of its competencies at mastery 3.
    _, p = person(SOFTWARE, "eng-l2", {"coding": (3, FRESH), "system_design": (2, FRESH)})
    target = resolve_target(SOFTWARE, p, band="craft", band_level="1")
    assert len(target.expects) == 2 and target.expects["system_design"] == 3
    assert "coding" not in target.expects  # already there
    plan = make_plan(p, SOFTWARE, target, NO_HISTORY, start=START)
    assert resolve_target(SOFTWARE, p, band="craft", band_level="Practitioner") == target
    assert plan.steps and plan.milestones[-1].readiness == 100.0


def test_progress_and_closing_a_quarter():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    plan = plan_for(TINY_FW, p, role="eng3")
    _, later = person(TINY_FW, "eng1", {"coding": (3, FRESH), "mentoring": (1, FRESH)})
    statuses = progress(plan, replace(later, as_of=date(2025, 5, 1)), TINY_FW)
    by_label = dict(zip(labels(plan), statuses, strict=True))
    quarter = {s.label: s.quarter for s in plan.steps}
    done = {"mentoring 0->1", "coding 1->2", "coding 2->3"}
    for label, status in by_label.items():  # 2025-05-01 is in quarter 2
        expected = (StepStatus.DONE if label in done else StepStatus.MISSED
                    if quarter[label] == 1 else StepStatus.DUE if quarter[label] == 2
                    else StepStatus.UPCOMING)
        assert status is expected, label
    record = close_quarter(plan, 1, later, TINY_FW, (), on=date(2025, 4, 2), notes="ok",
                           engagement=4, event_id=9)
    assert record is not None and record.quarter == 1  # Q1 ended 2025-03-31
    first = [s.label for s in plan.steps if s.quarter == 1]
    assert record.done == tuple(x for x in first if x in done)
    assert record.missed == tuple(x for x in first if x not in done)
    assert set(record.ahead) == done - set(first)


def test_document_round_trip():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    plan = plan_for(TINY_FW, p, role="eng3")
    assert plan_from_document(plan_to_document(plan)) == plan
    old = {k: v for k, v in plan_to_document(plan).items() if k != "note_words"}
    old["note"] = "promoted to eng2 on 2025-01-10: retargeted from eng2 to eng3"
    assert plan_from_document(old).note.words == old["note"]  # stored before its words


def test_forecast_is_reproducible_and_ordered():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    a, b = plan_for(TINY_FW, p, role="eng3"), plan_for(TINY_FW, p, role="eng3")
    assert a.forecast == b.forecast and a.forecast is not None
    p10, p50, p90 = a.forecast.dates
    assert START < p10 <= p50 <= p90
    slow = make_plan(p, TINY_FW, resolve_target(TINY_FW, p, role="eng3"), NO_HISTORY,
                     start=START, capacity=1)
    assert slow.forecast is not None and slow.forecast.months[1] > a.forecast.months[1]


@pytest.mark.parametrize(("target", "error", "message"), [
    ({"role": "nope"}, NotFound, "unknown role 'nope'"),
    ({"role": "eng1"}, PlanRejected, "below the current level"),
    ({"role": "eng2"}, PlanRejected, r"already meets Engineer II \(readiness 100\)"),
    ({"band": "nope", "band_level": "1"}, NotFound, "unknown band"),
    ({"band": "craft", "band_level": "1"}, PlanRejected, "has no levels"),
    ({"band_level": "1"}, PlanRejected, "needs its band"),
    ({"competencies": {"nope": 2}}, NotFound, "unknown competency 'nope'"),
    ({"competencies": {"coding": 1}}, PlanRejected, "above the target"),
    ({"competencies": {"coding": 9}}, PlanRejected, "outside its scale"),
    ({"role": "eng3", "capacity": 0}, PlanRejected, "capacity must be 1-12"),
    ({"role": "eng3", "capacity": 13}, PlanRejected, "capacity must be 1-12"),
    ({"role": "eng3", "horizon": 1}, PlanRejected, r"need \d+ quarters, more than the 1 allowed"),
    ({"role": "eng3", "horizon": 0}, PlanRejected, "at least 1"),
    ({"role": "eng3", "competencies": {"coding": 3}}, PlanRejected, "give one target"),
])
def test_bad_targets_are_one_line_errors(target, error, message):
    _, p = person(TINY_FW, "eng2", {"coding": (2, FRESH), "communication": (1, FRESH)})
    with pytest.raises(error, match=message) as info:
        plan_for(TINY_FW, p, **target)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("target", "words", "command"), [
    ({"role": "eng2"}, "already meets Engineer II (readiness 100)",
     "already meets role eng2 (readiness 100)"),
    ({"role": "eng1"}, "Engineer I (level Junior) is below the current level Mid",
     "role 'eng1' (level L1) is below the current level L2"),
    ({"competencies": {"coding": 9}}, "mastery 9 for Coding is outside its scale 1-5",
     "mastery 9 for 'coding' is outside its scale 1-5"),
    ({"competencies": {"coding": 1}}, "Coding is at mastery 2, above the target 1",
     "'coding' is at mastery 2, above the target 1"),
])
def test_a_refused_target_is_named_in_words_and_by_id_on_the_command_line(target, words,
                                                                          command):
    _, p = person(TINY_FW, "eng2", {"coding": (2, FRESH), "communication": (1, FRESH)})
    with pytest.raises(PlanRejected) as refused:
        plan_for(TINY_FW, p, **target)
    assert (str(refused.value), refused.value.on_command_line()) == (words, command)


def test_too_many_quarters_says_what_would_fit():
    _, p = person(TINY_FW, "eng1", {"coding": (1, FRESH)})
    plan = plan_for(TINY_FW, p, role="eng3")
    needed = plan.milestones[-1].quarter
    work = sum(s.difficulty for s in plan.steps)  # 4.6 median steps: 3 a quarter in 2
    with pytest.raises(PlanRejected, match=rf"need {needed} quarters, more than the 2 allowed: "
                                           rf"give {needed} quarters or "
                                           rf"{math.ceil(work / 2)} steps a quarter$") as refused:
        plan_for(TINY_FW, p, role="eng3", horizon=2)
    assert refused.value.on_command_line().endswith(
        f": give --quarters {needed} or --capacity {math.ceil(work / 2)}")


def test_top_of_track_needs_a_target():
    _, p = person(TINY_FW, "eng3", {})
    with pytest.raises(PlanRejected, match="no role above"):
        plan_for(TINY_FW, p)


# --- the property: executing any plan ends at readiness 100 for its target -------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CRITERIA_FW, _ = read_framework_file(FIXTURES / "plan-criteria.yaml")
POINTS_FW, _ = read_framework_file(FIXTURES / "plan-points.yaml")
# mastery (tiny), mastery with a points rule and band levels (software-company), criteria
# mixed with a mastery band and band-level gates, and points with few expectations.
FRAMEWORKS = {"tiny": TINY_FW, "software": SOFTWARE, "criteria": CRITERIA_FW,
              "points": POINTS_FW}


@st.composite
def cases(draw):
    name = draw(st.sampled_from(sorted(FRAMEWORKS)))
    framework = FRAMEWORKS[name]
    role = draw(st.sampled_from(sorted(framework.roles)))
    comps = sorted(framework.competencies)
    mastery = {}
    for c in draw(st.lists(st.sampled_from(comps), unique=True, max_size=len(comps))):
        top = framework.competencies[c].scale.max
        m = draw(st.integers(1, top))
        # At the top of the scale, stale evidence is refreshed by a certification.
        mastery[c] = (m, STALE if draw(st.booleans()) else FRESH)
    evidence: list[tuple[date, object]] = []
    for c in draw(st.lists(st.sampled_from(sorted(framework.criteria) or ["-"]), unique=True,
                           max_size=len(framework.criteria))):
        on = draw(st.sampled_from([FRESH, STALE]))
        how = draw(st.sampled_from(["demonstrated", *Assessor]))
        evidence.append((on, Demonstrated(c) if how == "demonstrated" else
                         Assessed(c, draw(st.integers(0, 3)), Assessor(how))))
    kind = draw(st.sampled_from(["role", "band", "competencies"]))
    if kind == "role":  # a role at or above the current level (below is refused)
        above = [r for r in sorted(framework.roles)
                 if framework.rank_of(r) >= framework.rank_of(role)]
        target = {"role": draw(st.sampled_from(above))}
    elif kind == "band":
        banded = sorted(b.id for b in framework.bands.values() if b.levels)
        assume(banded)
        band = draw(st.sampled_from(banded))
        top = len(framework.bands[band].levels)
        target = {"band": band, "band_level": str(draw(st.integers(1, top)))}
    else:
        chosen = draw(st.lists(st.sampled_from(comps), unique=True, min_size=1, max_size=4))
        target = {"competencies": {
            c: draw(st.integers(1, framework.competencies[c].scale.max)) for c in chosen}}
    capacity = draw(st.integers(1, 12))
    return name, role, mastery, evidence, target, capacity


def execute(plan: Plan, events: list[Event], framework: Framework,
            steps: int | None = None) -> Profile:
    """The first ``steps`` planned steps (all by default) as the ledger events that do
    them, folded the day after."""
    ids = count(len(events) + 1)
    done = list(events)
    for s in plan.steps[:steps]:  # the fold itself checks each step starts where it should
        if s.criterion is not None:
            details, evidence = Demonstrated(s.criterion), f"shown: {s.text}"
        elif s.to_mastery > s.from_mastery:
            details, evidence = SkillStep(s.competency, s.from_mastery, s.to_mastery), None
        else:
            details, evidence = Certification("refresher", competency=s.competency), None
        done.append(Event(next(ids), 1, START, details, datetime(2025, 1, 1),  # type: ignore[arg-type]
                          "tester", evidence=evidence, framework_version=1))
    return fold(1, done, {1: framework}, START + timedelta(days=1))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(cases())
def test_executing_a_plan_ends_at_readiness_100(case):
    name, role, mastery, evidence, target_choice, capacity = case
    framework = FRAMEWORKS[name]
    events, profile = person(framework, role, mastery, evidence)
    try:
        target = resolve_target(framework, profile, **target_choice)
        plan = make_plan(profile, framework, target, NO_HISTORY, start=START,
                         capacity=capacity)
    except TrellisError:
        assume(False)
        return
    for i, s in enumerate(plan.steps):
        assert all(j < i for j in s.after)  # dependencies come first
    quarters = [s.quarter for s in plan.steps]
    assert quarters == sorted(quarters)
    assert plan.forecast is not None
    p10, p50, p90 = plan.forecast.dates
    assert p10 <= p50 <= p90
    # Each step sits in the quarter its median finish falls in, from the forecast's own
    # distribution: the last step of a milestone is due by its end, the next one after it
    # (a quarter's calendar days and the forecast's 91.3 differ by a day or two).
    slack = timedelta(days=3)
    work = list(accumulate(s.difficulty for s in plan.steps))
    for m, after in zip(plan.milestones, [*plan.milestones[1:], None], strict=True):
        due = sum(q <= m.quarter for q in quarters)
        assert m.starts - slack <= m.forecast_p50 <= m.ends + slack
        assert m.likely[0] <= due <= m.likely[1]  # inside its P10-P90 count
        if after is not None:
            months = quantile(work[due], 0.5, plan.throughput) * 3
            assert START + timedelta(days=months * DAYS_PER_MONTH) > m.ends - slack
    # and the forecast follows from them: its P50 is the last milestone's
    assert plan.milestones[-1].forecast_p50 == p50
    assert plan.milestones[-1].starts - slack <= p50 <= plan.milestones[-1].ends + slack
    event(f"{name}: {target.kind.value} target")
    if any("points" in s.reason for s in plan.steps):
        event("a plan with steps for points")
    if any(s.criterion for s in plan.steps) and any(not s.criterion for s in plan.steps):
        event("a plan mixing criteria and mastery steps")
    if any("band level" in s.reason for s in plan.steps):
        event("a plan with steps for a band level the role requires")
    done = 0
    for m in plan.milestones[:-1]:  # each milestone's projected readiness is readiness's own
        done += len(m.steps)
        so_far = target_readiness(execute(plan, events, framework, done), framework, target)
        assert abs(so_far.score - m.readiness) <= 0.15
    after = execute(plan, events, framework)
    reached = target_readiness(after, framework, target)
    assert reached.score == 100
    assert [q for q in reached.requirements if not q.met] == []
    assert reached.ready
    certified = {s.competency for s in plan.steps
                 if s.criterion is None and s.to_mastery == s.from_mastery}
    assert all(st is StepStatus.DONE for st in progress(plan, after, framework, certified))
    if target.band is not None:
        band = framework.bands[target.band]
        assert band.level_of({c: after.mastery_of(c) for c in band.competencies}) \
            >= (target.band_level or 0)
    if target.role is not None:  # the role itself, as `trellis readiness` shows it
        assert assess(after, framework.roles[target.role], framework).ready
