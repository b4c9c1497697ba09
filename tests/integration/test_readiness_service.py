"""Readiness and gated promotion through the use cases, on SQLite and PostgreSQL.

The framework is tests/fixtures/tiny-gates.yaml: L2 asks 6 months in level, L3 asks 12,
eng3 must have coding and mentoring, and evidence older than 12 months (365.25 days)
counts for half. Today is fixed at 2025-06-30, so every figure below is worked by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import ENGINES, FIXTURES, make_trellis, prepared_database
from trellis.adapters import tables as t
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.events import EventKind, Promotion
from trellis.errors import InvalidEvent, NotApplicable, NotFound, PromotionRefused
from trellis.services import clock
from trellis.services.ledger import record_event
from trellis.services.people import add_person
from trellis.services.readiness import promote, promotion_pay, readiness_for, team_readiness
from trellis.settings import Settings

GATED = FIXTURES / "tiny-gates.yaml"
D = date.fromisoformat
K = EventKind


TODAY = datetime(2025, 6, 30, 12, 0)


def build_gated(url: str) -> None:
    with pytest.MonkeyPatch.context() as patch:  # the framework is loaded today too
        patch.setattr(clock, "now", lambda: TODAY)
        trellis = make_trellis(url, GATED)
        # ada: eng1 since 2024-01-01 at 45,000; coding 2 on her first day (stale by today:
        # 546 days), communication 1 on 2025-01-15 (fresh: 166 days)
        hire(trellis, "ada", "eng1", "2024-01-01", pay=45000, manager="mia")
        step(trellis, "ada", "coding", 0, 2, "2024-01-01")
        step(trellis, "ada", "communication", 0, 1, "2025-01-15")
        trellis.close()


@pytest.fixture(params=ENGINES)
def gated(request: pytest.FixtureRequest, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    """ada and mia on the gated framework, built once per worker and engine and copied for
    each test (a migration and six writes less in each)."""
    monkeypatch.setattr(clock, "now", lambda: TODAY)
    with prepared_database(request, "readiness_gated", build_gated, tmp_path) as url:
        trellis = open_trellis(Settings(database_url=url, author="tester"))
        yield trellis
        trellis.close()


def hire(trellis: Trellis, handle: str, role: str, on: str, *, pay: int | None = None,
         manager: str | None = None) -> None:
    if manager:
        with trellis.uow() as uow:
            known = uow.people.find(manager) is not None
        if not known:
            add_person(trellis.uow(), manager, manager.title(), role="eng3",
                       hired_on=D("2020-01-01"), author="tester")
    add_person(trellis.uow(), handle, handle.title(), role=role, hired_on=D(on),
               author="tester", pay=pay, manager=manager)


def step(trellis: Trellis, handle: str, competency: str, was: int, to: int, on: str) -> None:
    record_event(trellis.uow(), handle, K.SKILL_STEP, D(on),
                 {"competency": competency, "from_mastery": was, "to_mastery": to},
                 author="tester")


def event_count(trellis: Trellis) -> int:
    with trellis.uow() as uow:
        return int(uow.connection.scalar(select(func.count()).select_from(t.events)))


def test_readiness_for_the_next_role_today(gated):
    found = readiness_for(gated.uow(), "ada")
    r = found.readiness
    # eng2 expects coding 2, communication 1: (2 * 0.5 + 1) / 3 = 66.7; coverage 3 / 3
    assert (found.person.handle, found.current.id, r.target.id) == ("ada", "eng1", "eng2")
    assert found.profile.as_of == D("2025-06-30")
    assert (r.score, r.coverage, r.ready_at) == (66.7, 100.0, 90.0)
    # 546 days since the hire = 17.9 months of the 6 L2 asks
    assert [(g.name, g.holds, g.detail) for g in r.gates] == [
        ("time in level", True, "17.9 of 6 months in level")]
    assert [(g.competency, g.stale) for g in r.gaps] == [("coding", True)]
    assert not r.ready
    assert found.explanation.startswith("Ada is 66.7% ready for Engineer II (eng2).")


def test_readiness_at_a_past_date_refolds_the_ledger(gated):
    r = readiness_for(gated.uow(), "ada", on=D("2024-06-01")).readiness
    # on 2024-06-01: coding 2 is fresh, communication not yet there: 2 / 3 = 66.7;
    # 152 days = 5.0 months, short of 6
    assert (r.score, r.coverage) == (66.7, 66.7)
    assert [(g.competency, g.has, g.needs) for g in r.gaps] == [("communication", 0, 1)]
    assert [(g.holds, g.detail) for g in r.gates] == [(False, "5 of 6 months in level")]


def test_readiness_for_a_role_two_levels_up_and_in_another_track(gated):
    r = readiness_for(gated.uow(), "ada", "eng3").readiness
    # eng3 expects coding 3, design_systems 2, mentoring 2, communication 2:
    # (2 * 0.5 + 0 + 0 + 1) / 9 = 22.2; coverage (2 + 1) / 9 = 33.3
    assert (r.score, r.coverage, r.steps_missing) == (22.2, 33.3, 6)
    assert [(g.name, g.holds) for g in r.gates] == [
        ("must have coding", False), ("must have mentoring", False), ("time in level", True)]
    other = readiness_for(gated.uow(), "ada", "des2").readiness
    # des2 expects design_systems 2, communication 2: (0 + 1) / 4 = 25.0
    assert (other.score, other.coverage) == (25.0, 25.0)


@pytest.mark.parametrize(("person", "target", "error", "message"), [
    ("ada", "eng9", NotFound, "unknown role 'eng9'"),
    ("ada", "eng1", NotApplicable, "ada already holds eng1 (Engineer I)"),
    ("mia", "eng2", NotApplicable,
     "target 'eng2' (L2) is below mia's current level L3"),
    ("mia", None, NotApplicable, "mia is at the top of the eng track (eng3); give --target"),
    ("nobody", None, NotFound, "unknown person 'nobody'"),
])
def test_questions_that_do_not_apply_are_one_line_errors(gated, person, target, error,
                                                         message):
    with pytest.raises(error) as raised:
        readiness_for(gated.uow(), person, target)
    assert raised.value.on_command_line() == message  # the words of pages: test_error_words


def test_no_readiness_for_someone_who_left_or_before_the_hire(gated):
    hire(gated, "bo", "eng1", "2024-02-01")
    record_event(gated.uow(), "bo", K.DEPARTURE, D("2025-01-31"), {}, author="tester")
    with pytest.raises(NotApplicable) as left:
        readiness_for(gated.uow(), "bo")
    assert left.value.on_command_line().startswith("bo left on 2025-01-31: readiness is for")
    with pytest.raises(NotApplicable) as early:
        readiness_for(gated.uow(), "ada", on=D("2023-12-31"))
    assert early.value.on_command_line().startswith("ada has no role on 2023-12-31: record")


def test_a_promotion_a_gate_stops_is_refused_with_its_readiness_and_nothing_written(gated):
    before = event_count(gated)
    with pytest.raises(PromotionRefused) as raised:
        promote(gated.uow(), "ada", "eng3", author="tester")
    assert raised.value.on_command_line() == (
        "promotion of ada to eng3 refused, a requirement fails: coding at mastery 2, needs 3; "
        "mentoring at mastery 0, needs 2 (an override with a reason records it anyway)")
    assert "\n" not in str(raised.value)
    assert raised.value.readiness.target.id == "eng3"
    assert [g.competency for g in raised.value.readiness.gaps] == [
        "design_systems", "mentoring", "coding", "communication"]
    assert event_count(gated) == before
    assert readiness_for(gated.uow(), "ada").current.id == "eng1"


def test_an_override_records_the_promotion_with_its_reason(gated):
    done = promote(gated.uow(), "ada", "eng3", override="  leads the platform team  ",
                   evidence="review 2025-06", author="lead")
    assert done.overridden == ("must have coding", "must have mentoring")
    event = done.event
    assert event.kind is K.PROMOTION and event.effective_on == D("2025-06-30")
    assert event.details == Promotion("eng3", 45000, "leads the platform team")
    assert (event.author, event.evidence) == ("lead", "review 2025-06")
    with gated.uow() as uow:
        stored = uow.events.get(event.id)
        state = uow.state.current(stored.person_id)
    assert stored.details == event.details and state.role == "eng3"
    with pytest.raises(InvalidEvent, match="an override needs a reason"):
        promote(gated.uow(), "mia", "eng3", override=" ", author="tester")


def test_a_promotion_whose_gates_hold_goes_through_with_the_pay_band_minimum(gated):
    done = promote(gated.uow(), "ada", "eng2", author="tester")
    # readiness 66.7 is below 90, but only gates stop a promotion; 45,000 rises to 48,000
    assert done.assessed.readiness.score == 66.7 and done.overridden == ()
    assert done.event.details == Promotion("eng2", 48000, None) and done.pay == 48000
    r = readiness_for(gated.uow(), "ada").readiness
    # now eng2 -> eng3, promoted today: 0 of 12 months in level
    assert r.target.id == "eng3"
    assert ("time in level", False, "0 of 12 months in level") in [
        (g.name, g.holds, g.detail) for g in r.gates]
    with pytest.raises(NotApplicable) as below:
        readiness_for(gated.uow(), "ada", "eng1")
    assert below.value.on_command_line().endswith("below ada's current level L2")


def test_an_override_given_when_every_gate_holds_is_not_recorded(gated):
    done = promote(gated.uow(), "ada", "eng2", pay=50000, override="just in case",
                   author="tester")
    assert done.event.details == Promotion("eng2", 50000, None) and done.overridden == ()


def test_a_back_dated_promotion_is_assessed_on_its_date(gated):
    # on 2024-06-01 ada had 5.0 of 6 months in level
    with pytest.raises(PromotionRefused, match="5 of 6 months in level"):
        promote(gated.uow(), "ada", "eng2", on=D("2024-06-01"), author="tester")
    done = promote(gated.uow(), "ada", "eng2", on=D("2024-07-15"), author="tester")
    assert done.event.effective_on == D("2024-07-15")


def test_a_promotion_to_the_same_level_is_not_a_promotion(gated):
    with pytest.raises(NotApplicable) as same:
        promote(gated.uow(), "ada", "des1", author="tester")
    assert same.value.on_command_line().startswith(
        "'des1' (L1) is at ada's current level: record it as a lateral_move")


def test_the_pay_on_promotion_defaults_to_the_band_minimum_at_least():
    from trellis.domain.framework import PayBand, Role
    banded = Role("r", "t", "L2", "R", pay_band=PayBand(48000, 54000, 60000, "EUR"))
    assert promotion_pay(45000, banded) == 48000
    assert promotion_pay(52000, banded) == 52000
    assert promotion_pay(None, banded) == 48000
    assert promotion_pay(45000, Role("r", "t", "L2", "R")) == 45000


def test_the_pipeline_equals_readiness_person_by_person(gated):
    hire(gated, "bo", "eng1", "2025-03-01", manager="mia")
    step(gated, "bo", "coding", 0, 3, "2025-03-01")
    hire(gated, "cy", "eng2", "2023-01-01", manager="ada")
    step(gated, "cy", "coding", 0, 3, "2025-05-01")
    step(gated, "cy", "mentoring", 0, 2, "2025-05-02")
    hire(gated, "dee", "des2", "2022-01-01")  # the top of the design track
    hire(gated, "ed", "eng1", "2022-01-01")
    record_event(gated.uow(), "ed", K.DEPARTURE, D("2024-01-01"), {}, author="tester")

    org = team_readiness(gated.uow())
    assert org.manager is None and org.as_of == D("2025-06-30")
    handles = [e.person.handle for e in org.entries]
    assert sorted(handles) == ["ada", "bo", "cy"]  # mia, dee at the top; ed has left
    assert org.without_next_role == 2
    for entry in org.entries:
        alone = readiness_for(gated.uow(), entry.person.handle)
        assert entry.readiness == alone.readiness
        assert entry.role.id == alone.current.id
    # bo: eng2 wants coding 2 (has 3, fresh) and communication 1 (has 0): 2 / 3 = 66.7,
    # with 121 days = 4 of 6 months in level; cy: eng3 wants coding 3 (has 3), design
    # systems 2 (0), mentoring 2 (has 2), communication 2 (0): 5 / 9 = 55.6, gates hold
    scores = {e.person.handle: e.readiness.score for e in org.entries}
    assert scores == {"ada": 66.7, "bo": 66.7, "cy": 55.6}
    # nobody is ready (90): by score, and at the same score whose gates hold first
    assert handles == ["ada", "bo", "cy"]
    assert [g.holds for g in org.entries[1].readiness.gates] == [False]

    team = team_readiness(gated.uow(), "mia")
    assert team.manager is not None and team.manager.handle == "mia"
    # everyone under mia, transitively (cy reports to ada), as `person list --team`
    assert [e.person.handle for e in team.entries] == ["ada", "bo", "cy"]
    assert [e.person.handle for e in team_readiness(gated.uow(), "ada").entries] == ["cy"]


def test_the_pipeline_of_an_unknown_manager(gated):
    with pytest.raises(NotFound, match="unknown person 'zed'"):
        team_readiness(gated.uow(), "zed")

