"""Plans through the use cases, on SQLite and PostgreSQL: stored, versioned, checked in on.

Today is fixed at 2025-01-10. ada is eng1 (TINY) with coding 1 on 2024-06-01; her plan to
eng2 has two steps, communication 0->1 then coding 1->2 (first steps are easier). A plan's
quarter 1 runs 2025-01-10..2025-04-09.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import make_trellis
from trellis.adapters import tables as t
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind
from trellis.domain.plan import StepStatus
from trellis.errors import NotFound, PlanRejected
from trellis.services import clock
from trellis.services.ledger import record_event
from trellis.services.people import add_person, erase_person
from trellis.services.plans import checkin, create_plan, show_plan

K = EventKind


@pytest.fixture
def org(trellis: Trellis, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    add_person(trellis.uow(), "ada", "Ada L", role="eng1", hired_on=date(2024, 1, 1),
               author="tester")
    step("ada", trellis, "coding", 0, 1, date(2024, 6, 1))
    yield trellis


def step(who: str, trellis: Trellis, competency: str, frm: int, to: int, on: date) -> None:
    record_event(trellis.uow(), who, K.SKILL_STEP, on,
                 {"competency": competency, "from_mastery": frm, "to_mastery": to},
                 author="tester")


def test_plan_is_stored_and_versioned(org: Trellis):
    view = create_plan(org.uow(), "ada", capacity=1, author="tester")
    plan = view.stored.plan
    assert view.stored.version == 1 and view.stored.status == "active"
    assert [s.label for s in plan.steps] == ["communication 0->1", "coding 1->2"]
    assert plan.target.role == "eng2" and plan.start == date(2025, 1, 10)
    assert view.readiness.score == plan.readiness == 33.3
    assert plan.forecast is not None
    again = create_plan(org.uow(), "ada", role="eng3", author="tester")
    assert again.stored.version == 2 and again.versions == 2
    with org.uow() as uow:
        history = uow.plans.history(again.person.id)
        assert [(p.version, p.status) for p in history] == [(1, "superseded"), (2, "active")]
        assert history[0].plan == plan  # the old version is kept as it was
        assert uow.connection.scalar(select(func.count()).select_from(t.plans)) == 2


def test_logging_a_skill_step_completes_the_planned_step(org: Trellis):
    plan = create_plan(org.uow(), "ada", capacity=1, author="tester").stored.plan
    later = StepStatus.DUE if plan.steps[1].quarter == 1 else StepStatus.UPCOMING
    assert show_plan(org.uow(), "ada").statuses == (StepStatus.DUE, later)
    step("ada", org, "communication", 0, 1, date(2025, 1, 10))
    view = show_plan(org.uow(), "ada")
    assert view.statuses == (StepStatus.DONE, later)
    assert view.readiness.score == 66.7


def test_checkin_closes_the_quarter_records_missed_and_replans(
        org: Trellis, monkeypatch: pytest.MonkeyPatch):
    create_plan(org.uow(), "ada", role="eng3", capacity=8, author="tester")
    first = show_plan(org.uow(), "ada").stored.plan
    q1 = [s.label for s in first.steps if s.quarter == 1]
    assert len(q1) >= 2 and first.milestones[0].ends == date(2025, 4, 9)
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 4, 12, 9, 0))
    comp, frm, to = _parse(q1[0])
    step("ada", org, comp, frm, to, date(2025, 3, 1))
    result = checkin(org.uow(), "ada", notes="one done, one not", engagement=4,
                     author="tester")
    closed = result.closed
    assert closed is not None and closed.quarter == 1
    assert closed.done == (q1[0],) and closed.missed == tuple(q1[1:])
    assert closed.event_id == result.event.id and closed.engagement == 4
    new = result.replanned
    assert new is not None and new.version == 2 and new.plan.first_quarter == 2
    assert new.plan.start == date(2025, 4, 12)
    assert q1[1] in [s.label for s in new.plan.steps]  # the missed step is re-planned
    assert q1[0] not in [s.label for s in new.plan.steps]
    assert new.plan.checkins == (closed,)
    with org.uow() as uow:
        event = uow.events.get(result.event.id)
        assert event is not None and event.kind is K.CHECK_IN
        assert [p.status for p in uow.plans.history(result.person.id)] == [
            "superseded", "active"]
    # The re-plan's quarter 2 starts today: a second check-in closes nothing until it ends,
    # unless told to (--early); then it keeps the first in the history.
    same_day = checkin(org.uow(), "ada", notes="a word in the corridor", author="tester")
    assert same_day.closed is None and same_day.replanned is None
    assert same_day.open_until == date(2025, 7, 11)
    second = checkin(org.uow(), "ada", notes="quiet quarter", early=True, author="tester")
    assert second.replanned is not None and second.closed is not None
    assert second.closed.quarter == 2
    assert [c.quarter for c in second.replanned.plan.checkins] == [1, 2]


def test_a_checkin_on_the_day_a_plan_was_made_closes_nothing(org: Trellis):
    made = create_plan(org.uow(), "ada", role="eng3", author="tester")
    result = checkin(org.uow(), "ada", notes="kick-off", engagement=4, author="tester")
    assert result.closed is None and result.replanned is None
    assert result.open_until == made.stored.plan.milestones[0].ends == date(2025, 4, 9)
    view = show_plan(org.uow(), "ada")
    assert view.stored.version == 1 and view.stored.plan.checkins == ()
    assert StepStatus.MISSED not in view.statuses
    with org.uow() as uow:  # the check-in itself is on the ledger
        event = uow.events.get(result.event.id)
        assert event is not None and event.kind is K.CHECK_IN
    early = checkin(org.uow(), "ada", notes="closing early", early=True, author="tester")
    assert early.closed is not None and early.closed.quarter == 1
    assert early.closed.done == () and len(early.closed.missed) == sum(
        s.quarter == 1 for s in made.stored.plan.steps)


def test_checkin_without_a_plan_just_records_it(org: Trellis):
    result = checkin(org.uow(), "ada", notes="no plan yet", engagement=3, author="tester")
    assert result.closed is None and result.replanned is None
    with org.uow() as uow:
        assert uow.state.current(result.person.id).engagement == 3


def test_reaching_the_target_completes_the_plan(org: Trellis):
    create_plan(org.uow(), "ada", author="tester")
    step("ada", org, "communication", 0, 1, date(2025, 1, 10))
    step("ada", org, "coding", 1, 2, date(2025, 1, 10))
    result = checkin(org.uow(), "ada", notes="done", early=True, author="tester")
    assert result.replanned is not None and result.replanned.plan.complete
    view = show_plan(org.uow(), "ada")
    assert view.readiness.score == 100 and not view.stored.plan.steps


def test_errors(org: Trellis):
    with pytest.raises(NotFound, match="has no plan"):
        show_plan(org.uow(), "ada")
    with pytest.raises(NotFound, match="unknown person"):
        create_plan(org.uow(), "nobody", author="tester")
    with pytest.raises(PlanRejected, match="capacity"):
        create_plan(org.uow(), "ada", capacity=0, author="tester")
    with org.uow() as uow:  # nothing was written
        assert uow.connection.scalar(select(func.count()).select_from(t.plans)) == 0


def test_erasure_removes_the_plans(org: Trellis):
    create_plan(org.uow(), "ada", author="tester")
    erase_person(org.uow(), "ada", author="tester")
    with org.uow() as uow:
        assert uow.connection.scalar(select(func.count()).select_from(t.plans)) == 0


def _parse(label: str) -> tuple[str, int, int]:
    comp, span = label.split(" ")
    frm, to = span.split("->")
    return comp, int(frm), int(to)


# --- a criteria framework: criteria steps, effort learned from demonstrations, check-ins

CRITERIA = Path(__file__).resolve().parents[1] / "fixtures" / "plan-criteria.yaml"


@pytest.fixture
def crit(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    """bo is eng-1 on the mixed criteria framework, hired 2024-01-01; five colleagues each
    showed comms.2 a month (31 days) after their previous Communication demonstration."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    trellis = make_trellis(database_url, CRITERIA)
    add_person(trellis.uow(), "bo", "Bo", role="eng-1", hired_on=date(2024, 1, 1),
               author="tester")
    show("bo", trellis, "comms.1", date(2024, 6, 1))
    for n in range(5):
        add_person(trellis.uow(), f"c{n}", f"C {n}", role="eng-2", hired_on=date(2022, 1, 1),
                   author="tester")
        show(f"c{n}", trellis, "comms.1", date(2023, 1, 1))
        show(f"c{n}", trellis, "comms.2", date(2023, 2, 1))
    yield trellis
    trellis.close()


def show(who: str, trellis: Trellis, criterion: str, on: date) -> None:
    record_event(trellis.uow(), who, K.DEMONSTRATED, on, {"criterion": criterion},
                 author="tester", evidence="https://example.org/evidence")


def test_a_criteria_plan_learns_effort_completes_on_demonstration_and_replans(crit: Trellis):
    view = create_plan(crit.uow(), "bo", role="eng-2", capacity=2, author="tester")
    plan = view.stored.plan
    by = {s.criterion: s for s in plan.steps if s.criterion}
    assert set(by) == {"code.1", "comms.2", "comms.3", "code.2"}
    # comms.2: five samples (31 days after comms.1, one lane open), its own; comms.3 and
    # code.2 have none and take their level's (L2: the same five); code.1's level has none
    # (each comms.1 is its person's first demonstration: it opens their record, and says
    # when writing began, not how long a criterion takes), so it takes every criterion's:
    # the same five.
    assert (by["comms.2"].source, by["comms.3"].source, by["code.1"].source) == (
        "criterion", "level", "criteria")
    assert by["comms.2"].difficulty == by["comms.3"].difficulty == by["code.1"].difficulty
    for s in plan.steps:  # months of work at the committed 2 median steps a quarter
        assert s.months == pytest.approx(s.difficulty * 3 / 2, abs=0.01)
    assert by["comms.2"].text == "Proactively gives feedback upwards"
    assert view.readiness.score == plan.readiness == 14.3  # 1 of 7 nano-steps
    show("bo", crit, "comms.2", date(2025, 1, 10))
    now = show_plan(crit.uow(), "bo")
    assert now.statuses[plan.steps.index(by["comms.2"])] is StepStatus.DONE
    assert now.readiness.score == 28.6
    result = checkin(crit.uow(), "bo", notes="showed feedback upwards", early=True,
                     author="tester")
    assert result.closed is not None and result.replanned is not None
    assert "demonstrate comms.2" not in [s.label for s in result.replanned.plan.steps]
    assert "demonstrate comms.2" in result.closed.done + result.closed.ahead


def test_an_effort_model_learned_by_earlier_rules_is_learned_again(org: Trellis):
    from trellis.domain.effort import EffortModel, Estimate
    from trellis.services import clock, org_models
    from trellis.services.effort import EFFORT, effort_model

    wrong = EffortModel(criteria_overall=Estimate(28.94, 0.1, 5, "criteria"))
    with org.uow() as uow:
        uow.models.put("effort", "{}", "1-earlier-rules", uow.models.position(),
                       clock.today(), clock.now(), 0.0, org_models.encode(wrong))
        uow.commit()
    model = effort_model(org.uow())
    assert model.criteria_overall is None  # ada has no criteria: nothing to learn from
    with org.uow() as uow:
        head = uow.models.header("effort", "{}")
        assert head is not None and head.format == org_models.code_format(EFFORT)
