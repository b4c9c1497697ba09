"""Calibration sessions through the use cases, on SQLite and PostgreSQL.

Today is fixed at 2025-01-10. The tiny framework with a target distribution of 10/20/40/20/10
percent. bob (eng3) manages ada and cy (eng1); dee (eng2) reports to cy; fay (des1) has no
manager. Cycle '2024' has manager reviews: ada 3, cy 5, dee 4; fay none (nobody can write
it). ada has stepped to everything eng2 expects (coding 2, communication 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import TINY, make_trellis
from trellis.adapters import tables as t
from trellis.bootstrap import Trellis
from trellis.domain.calibration_sessions import Band, GroupKind, SessionStatus
from trellis.domain.events import EventKind
from trellis.domain.framework import ReviewForm
from trellis.errors import Conflict, InvalidEvent, LedgerRuleBroken, NotFound, TrellisError
from trellis.services import calibration_sessions as use
from trellis.services import clock, reviews
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person, erase_person
from trellis.services.profiles import profile_of

D = date.fromisoformat
TARGET = "reviews:\n  target_distribution: {1: 10, 2: 20, 3: 40, 4: 20, 5: 10}\n"


@pytest.fixture
def org(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> Iterator[Trellis]:
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    framework = tmp_path / "tiny-target.yaml"
    framework.write_text(TINY.read_text(encoding="utf-8") + TARGET, encoding="utf-8")
    trellis = make_trellis(database_url, framework)
    for handle, role, manager in (("bob", "eng3", None), ("ada", "eng1", "bob"),
                                  ("cy", "eng1", "bob"), ("dee", "eng2", "cy"),
                                  ("fay", "des1", None)):
        add_person(trellis.uow(), handle, handle.title(), role=role,
                   hired_on=D("2023-01-02"), manager=manager, author="hr")
    for competency, start, end in (("coding", 0, 1), ("coding", 1, 2),
                                   ("communication", 0, 1)):
        record_event(trellis.uow(), "ada", EventKind.SKILL_STEP, D("2024-09-01"),
                     {"competency": competency, "from_mastery": start, "to_mastery": end},
                     author="bob")
    reviews.open_cycle(trellis.uow(), "2024", D("2024-01-01"), D("2024-12-31"),
                       forms=(ReviewForm.MANAGER,), author="hr")
    for handle, rating in (("ada", 3), ("cy", 5), ("dee", 4)):
        reviews.submit(trellis.uow(), "2024", handle, ReviewForm.MANAGER, rating, author="hr")
    yield trellis
    trellis.close()


def counts(trellis: Trellis) -> tuple[int, ...]:
    with trellis.uow() as uow:
        return tuple(uow.connection.scalar(select(func.count()).select_from(table))
                     for table in (t.events, t.calibration_sessions, t.calibration_members))


def members(trellis: Trellis, name: str) -> list[str]:
    return sorted(m.person.handle for m in use.view(trellis.uow(), name).members)


def test_a_session_holds_the_cycles_people_in_one_group(org):
    session, n = use.open_session(org.uow(), "2024", team="bob", author="hr")
    assert (session.name, session.group_kind, session.group, n) == (
        "2024 team bob", GroupKind.TEAM, "bob", 3)  # transitively: dee reports to cy
    assert members(org, "2024 team bob") == ["ada", "cy", "dee"]
    use.open_session(org.uow(), "2024", level="L1", name="juniors", author="hr")
    assert members(org, "juniors") == ["ada", "cy", "fay"]
    use.open_session(org.uow(), " 2024 ", track="design", author="hr")
    assert members(org, "2024 track design") == ["fay"]
    listed = [(s.name, n, s.status) for s, n in use.sessions(org.uow())]
    assert listed == [("2024 team bob", 3, SessionStatus.OPEN), ("juniors", 3, "open"),
                      ("2024 track design", 1, "open")]


def test_bad_groups_are_refused_in_one_line_and_nothing_is_written(org):
    use.open_session(org.uow(), "2024", team="bob", author="hr")
    before = counts(org)
    cases: list[tuple[dict[str, str], type[TrellisError], str]] = [
        ({}, InvalidEvent, "give exactly one group: --team MANAGER, --level LEVEL or "
                           "--track TRACK"),
        ({"team": "bob", "level": "L1"}, InvalidEvent, "give exactly one group"),
        ({"level": "L9"}, NotFound, "unknown level 'L9' in framework 'tiny' (its levels: "
                                    "L1, L2, L3)"),
        ({"track": "ops"}, NotFound, "unknown track 'ops'"),
        ({"team": "zed"}, NotFound, "unknown person 'zed'"),
        ({"team": "ada"}, InvalidEvent, "nobody in review cycle '2024' is in team ada"),
        ({"team": "bob"}, Conflict, "a calibration session named '2024 team bob' already "
                                    "exists"),
    ]
    for group, error, message in cases:
        with pytest.raises(error) as caught:
            use.open_session(org.uow(), "2024", author="hr", **group)
        assert caught.value.on_command_line().startswith(message)
    with pytest.raises(NotFound, match=r"^unknown review cycle '2023'$"):
        use.open_session(org.uow(), "2023", team="bob", author="hr")
    with pytest.raises(InvalidEvent, match=r"^give the session a name$"):
        use.open_session(org.uow(), "2024", level="L1", name=" ", author="hr")
    assert counts(org) == before


def test_the_view_sets_the_distribution_against_the_target_and_the_9_box(org):
    use.open_session(org.uow(), "2024", team="bob", author="hr")
    v = use.view(org.uow(), "2024 team bob")
    assert (v.rated, v.unrated, v.unplaced) == (3, 0, 0)
    # 3 people, target 10/20/40/20/10: exact .3 .6 1.2 .6 .3 -> floors 0 0 1 0 0 and the two
    # left over to the largest remainders, .6 (rating 2, then 4)
    assert [(d.rating, d.count, d.percent, d.target_count, d.difference)
            for d in v.distribution] == [(1, 0, 0.0, 0, 0), (2, 0, 0.0, 1, -1),
                                         (3, 1, 33.3, 1, 0), (4, 1, 33.3, 1, 0),
                                         (5, 1, 33.3, 0, 1)]
    assert [(m.person.handle, m.rating, m.readiness, m.next_role, m.recent_count)
            for m in v.members] == [("cy", 5, 0.0, "eng2", 0), ("dee", 4, 0.0, "eng3", 0),
                                    ("ada", 3, 100.0, "eng2", 3)]
    ada = v.members[-1]
    assert [(s.on, s.kind, s.what) for s in ada.recent] == [
        (D("2024-09-01"), "skill_step", "communication"),
        (D("2024-09-01"), "skill_step", "coding"), (D("2024-09-01"), "skill_step", "coding")]
    assert v.box_names(Band.HIGH, Band.LOW) == ["cy", "dee"]
    assert v.box_names(Band.MID, Band.HIGH) == ["ada"]
    doc = use.view_document(v)
    assert sum(box["count"] for box in doc["nine_box"]["boxes"]) == 3
    assert doc["nine_box"]["readiness_thresholds"] == {"mid": 50.0, "high": 80.0}


def test_a_change_is_an_event_the_profile_shows_and_a_retraction_undoes(org):
    use.open_session(org.uow(), "2024", team="bob", author="hr")
    done = use.change_rating(org.uow(), "2024 team bob", "cy", 4, " above the bar, "
                             "not far above ", author="hr@x")
    assert (done.from_rating, done.to_rating) == (5, 4)
    with org.uow() as uow:
        event = uow.events.get(done.event_id)
    assert event is not None and event.author == "hr@x"
    assert (event.effective_on, event.details) == (D("2025-01-10"), type(event.details)(
        "2024", "2024 team bob", 5, 4, "above the bar, not far above"))
    cy = _person(org, "cy")
    with org.uow().reading() as uow:
        record = profile_of(uow, cy).profile.reviews["2024"]["manager"][0]
    assert (record.rating, record.calibrated) == (5, 4)
    v = use.view(org.uow(), "2024 team bob")
    assert [(m.person.handle, m.rating, m.original) for m in v.members][:2] == [
        ("cy", 4, 5), ("dee", 4, 4)]
    assert [d.count for d in v.distribution] == [0, 0, 1, 2, 0]
    again = use.change_rating(org.uow(), "2024 team bob", "cy", 3, "on reflection",
                              author="hr@y")
    assert again.from_rating == 4  # from the calibration that stands
    changes = use.changes_of(org.uow(), "2024 team bob")
    assert [(c["person"], c["from_rating"], c["to_rating"], c["by"]) for c in changes] == [
        ("cy", 5, 4, "hr@x"), ("cy", 4, 3, "hr@y")]
    with pytest.raises(LedgerRuleBroken, match="rating is 5, not 4"):  # the first, under
        retract_event(org.uow(), done.event_id, "wrong", author="hr")  # the second
    retract_event(org.uow(), again.event_id, "wrong", author="hr")
    assert use.view(org.uow(), "2024 team bob").members[0].rating == 4
    with pytest.raises(LedgerRuleBroken, match="no manager review in cycle '2024'"):
        # a calibrated review cannot be retracted before its calibration
        retract_event(org.uow(), _review_of(org, "cy"), "x", author="hr")
    retract_event(org.uow(), done.event_id, "wrong", author="hr")
    assert use.view(org.uow(), "2024 team bob").members[0].rating == 5


def _person(org: Trellis, handle: str):  # type: ignore[no-untyped-def]
    with org.uow() as uow:
        return uow.people.find(handle)


def _review_of(org: Trellis, handle: str) -> int:
    with org.uow() as uow:
        person = uow.people.find(handle)
        assert person is not None
        return next(e.id for e in uow.events.for_person(person.id)
                    if e.kind is EventKind.REVIEW)


def test_bad_changes_are_refused_in_one_line_and_nothing_is_written(org):
    use.open_session(org.uow(), "2024", team="bob", author="hr")
    use.open_session(org.uow(), "2024", level="L1", name="juniors", author="hr")
    before = counts(org)
    cases: list[tuple[str, str, int, str, type[TrellisError], str]] = [
        ("2024 team bob", "cy", 6, "why", InvalidEvent, "rating 6 is outside the scale 1-5"),
        ("2024 team bob", "cy", 0, "why", InvalidEvent, "rating 0 is outside the scale 1-5"),
        ("2024 team bob", "cy", 4, "  ", InvalidEvent, "give the reason for the change "
                                                       "(--reason)"),
        ("2024 team bob", "cy", 5, "why", InvalidEvent, "cy's rating in cycle '2024' is "
                                                        "already 5"),
        ("2024 team bob", "fay", 4, "why", LedgerRuleBroken, "fay is not in calibration "
         "session '2024 team bob' (team bob in review cycle '2024')"),
        ("2024 team bob", "bob", 4, "why", LedgerRuleBroken, "bob is not in calibration "
                                                             "session"),
        ("juniors", "fay", 4, "why", LedgerRuleBroken, "fay has no manager review in cycle "
                                                       "'2024' to calibrate"),
        ("nope", "cy", 4, "why", NotFound, "unknown calibration session 'nope'"),
        ("2024 team bob", "zed", 4, "why", NotFound, "unknown person 'zed'"),
    ]
    for session, person, rating, reason, error, message in cases:
        with pytest.raises(error) as caught:
            use.change_rating(org.uow(), session, person, rating, reason, author="hr")
        assert caught.value.on_command_line().startswith(message)
        assert "\n" not in str(caught.value)
    use.close_session(org.uow(), "2024 team bob", author="hr")
    after_close = counts(org)
    with pytest.raises(LedgerRuleBroken) as closed:
        use.change_rating(org.uow(), "2024 team bob", "cy", 4, "why", author="hr")
    assert closed.value.on_command_line() == "calibration session '2024 team bob' is closed"
    assert str(closed.value) == "calibration session “2024 · Bob's team” is closed"
    with pytest.raises(Conflict, match="already closed"):
        use.close_session(org.uow(), "2024 team bob", author="hr")
    assert counts(org) == after_close and after_close[0] == before[0]


def test_an_erasure_takes_the_person_out_of_every_session(org):
    use.open_session(org.uow(), "2024", team="bob", author="hr")
    use.change_rating(org.uow(), "2024 team bob", "ada", 4, "bob's call", author="hr")
    erase_person(org.uow(), "ada", author="hr")
    assert members(org, "2024 team bob") == ["cy", "dee"]
    erase_person(org.uow(), "bob", author="hr")
    [(session, n)] = use.sessions(org.uow())
    assert (session.team_id, n) == (None, 2)
    assert "bob" not in session.group and "bob" not in session.name
    assert members(org, session.name) == ["cy", "dee"]
