"""The ledger through the use cases, on a real database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import POSTGRES_URL, TINY, make_trellis
from trellis.adapters import tables as t
from trellis.adapters.database import temporary_schema
from trellis.adapters.framework_files import parse_framework, read_framework_file
from trellis.adapters.ledger_files import read_ledger_file, write_ledger_file
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind
from trellis.domain.profile import fold
from trellis.domain.profile_document import profile_to_document
from trellis.errors import Conflict, ImportRejected, InvalidEvent, LedgerRuleBroken, NotFound
from trellis.services import clock, frameworks, transfer
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person, erase_person, list_people
from trellis.services.profiles import profile, timeline

K = EventKind
D = date.fromisoformat


def hire(trellis: Trellis, handle: str = "ada", *, role: str = "eng1", on: str = "2020-01-06",
         pay: int | None = 45000, **kw):
    return add_person(trellis.uow(), handle, kw.pop("name", handle.title()), role=role,
                      hired_on=D(on), author="tester", pay=pay, **kw)


def log(trellis: Trellis, kind: EventKind, person: str, on: str, **fields):
    evidence = fields.pop("evidence", None)
    return record_event(trellis.uow(), person, kind, D(on), fields, author="tester",
                        evidence=evidence)


def counts(trellis: Trellis) -> tuple[int, int, int, int]:
    with trellis.uow() as uow:
        c = uow.connection
        return tuple(  # type: ignore[return-value]
            c.scalar(select(func.count()).select_from(table))
            for table in (t.people, t.events, t.person_state, t.competency_state)
        )


def state_document(trellis: Trellis, handle: str) -> dict:
    with trellis.uow() as uow:
        person = uow.people.find(handle)
        current = uow.state.current(person.id)
        return profile_to_document(current)


def fresh_fold(trellis: Trellis, handle: str, at: date | None = None) -> dict:
    with trellis.uow() as uow:
        person = uow.people.find(handle)
        events = uow.events.for_person(person.id)
        return profile_to_document(fold(person.id, events, uow.frameworks.catalog,
                                        at or clock.today()))


def assert_state_is_a_fresh_fold(trellis: Trellis, handle: str) -> None:
    assert state_document(trellis, handle) == fresh_fold(trellis, handle)
    with trellis.uow() as uow:
        person = uow.people.find(handle)
        rows = uow.connection.execute(
            select(t.competency_state.c.competency, t.competency_state.c.mastery,
                   t.competency_state.c.reached_on)
            .where(t.competency_state.c.person_id == person.id)).all()
        state = uow.state.rows([person.id])[0]
    doc = fresh_fold(trellis, handle)
    assert {r[0]: (r[1], r[2].isoformat()) for r in rows} == \
        {c: (v["mastery"], v["reached_on"]) for c, v in doc["competencies"].items()}
    assert (state["role"], state["level_rank"], state["pay"], state["promotions"],
            state["micro_progressions"]) == (
        doc["role"]["id"], doc["role"]["level_rank"], doc["pay"]["base"],
        doc["promotions"]["count"], doc["micro_progressions"]["total"])


def build_career(trellis: Trellis) -> None:
    """Ada: a promotion, micro-progressions of every kind, a retraction; Bob manages her."""
    hire(trellis, "bob", role="eng3", on="2018-03-01", pay=80000, name="Bob Builder",
         email="bob@example.com")
    hire(trellis, "ada", on="2020-01-06", name="Ada Lovelace", email="ada@example.com",
         manager="bob")
    log(trellis, K.SKILL_STEP, "ada", "2020-03-02", competency="coding", from_mastery=0,
        to_mastery=1, evidence="https://example.com/pr/1")
    log(trellis, K.RESPONSIBILITY, "ada", "2020-04-01", function="design", share=0.2,
        description="design reviews")
    log(trellis, K.COMPENSATION, "ada", "2021-01-04", percent=3.5)
    log(trellis, K.RECOGNITION, "ada", "2021-02-01", citation="release rescue",
        recognition_kind="spot_bonus", points=20, giver="bob", amount=750)
    log(trellis, K.SKILL_STEP, "ada", "2021-03-01", competency="coding", from_mastery=1,
        to_mastery=2)
    log(trellis, K.SKILL_STEP, "ada", "2021-03-15", competency="communication",
        from_mastery=0, to_mastery=1)
    log(trellis, K.PROMOTION, "ada", "2021-07-01", role="eng2", pay=54000)
    log(trellis, K.CERTIFICATION, "ada", "2021-09-01", certification="CKA", issuer="CNCF",
        competency="coding")
    log(trellis, K.PROJECT_LEADERSHIP, "ada", "2022-02-01", project="Atlas", team_size=4)
    wrong = log(trellis, K.COMPENSATION, "ada", "2022-03-01", compensation_kind="bonus",
                amount=99999)
    log(trellis, K.CHECK_IN, "ada", "2022-04-01", engagement=4, notes="happy")
    retract_event(trellis.uow(), wrong.id, "bonus typed wrong", author="tester")
    hire(trellis, "cy", role="des1", on="2019-05-01", pay=None, manager="bob")
    log(trellis, K.LATERAL_MOVE, "cy", "2020-05-01", role="eng1", pay=47000)
    log(trellis, K.DEPARTURE, "cy", "2022-08-31", departure_kind="involuntary")


# --- recording and the current-state table ----------------------------------------------


def test_a_recorded_career_is_in_the_state_table_and_matches_a_fresh_fold(trellis):
    build_career(trellis)
    for handle in ("ada", "bob", "cy"):
        assert_state_is_a_fresh_fold(trellis, handle)
    doc = state_document(trellis, "ada")
    assert doc["role"]["id"] == "eng2" and doc["role"]["since"] == "2021-07-01"
    # 45000 + 3.5% = 46575, then the promotion sets 54000
    assert doc["pay"] == {"base": 54000, "currency": "EUR", "bonuses": 750}
    assert doc["competencies"]["coding"]["mastery"] == 2
    assert doc["competencies"]["coding"]["reached_on"] == "2021-03-01"
    assert doc["responsibilities"] == {"design": 0.2}
    # skill_step x3, responsibility, compensation (the retracted bonus is gone),
    # recognition, certification, project_leadership
    assert doc["micro_progressions"] == {"total": 8, "by_kind": {
        "certification": 1, "compensation": 1, "project_leadership": 1, "recognition": 1,
        "responsibility": 1, "skill_step": 3}}
    assert doc["recognitions"]["count"] == 1
    assert doc["recognitions"]["recent"][0]["giver"] == "bob"
    assert doc["engagement"] == 4
    cy = state_document(trellis, "cy")
    assert (cy["active"], cy["departed_on"], cy["role"]["id"], cy["pay"]["base"]) == \
        (False, "2022-08-31", "eng1", 47000)


def test_profile_service_today_and_at_past_dates(trellis):
    build_career(trellis)
    today = profile(trellis.uow(), "ada").profile
    assert today.as_of == clock.today() and today.role == "eng2" and today.pay == 54000
    before = profile(trellis.uow(), "ada", D("2021-06-30")).profile
    assert (before.role, before.pay, before.mastery_of("coding")) == ("eng1", 46575, 2)
    assert profile_to_document(before) == fresh_fold(trellis, "ada", D("2021-06-30"))
    # at a date after the bonus but before its retraction was recorded, it is still gone
    mid = profile(trellis.uow(), "ada", D("2022-03-15")).profile
    assert mid.bonuses == 750
    assert profile(trellis.uow(), "ada", D("2019-01-01")).profile.role is None
    assert profile(trellis.uow(), "ada@example.com").profile.role == "eng2"


def test_timeline_in_order_with_retractions_marked(trellis):
    build_career(trellis)
    person, entries = timeline(trellis.uow(), "ada")
    assert person.handle == "ada"
    dates = [e.event.effective_on for e in entries]
    assert dates == sorted(dates)
    assert entries[0].summary == "Hired as Engineer I (L1), pay 45,000"
    bonus = next(e for e in entries if e.event.kind is K.COMPENSATION
                 and e.event.details.amount == 99999)
    retraction = entries[-1]
    assert retraction.event.kind is K.RETRACTION
    assert bonus.retracted_by == retraction.event.id
    promotion = next(e for e in entries if e.event.kind is K.PROMOTION)
    assert (promotion.advance.value, promotion.summary) == \
        ("promotion", "Promoted to Engineer II (L2), pay 54,000")
    step = next(e for e in entries if e.event.kind is K.SKILL_STEP)
    assert step.event.evidence == "https://example.com/pr/1"
    assert step.advance.value == "micro_progression"


def test_list_people_hides_who_has_left_unless_asked(trellis):
    build_career(trellis)
    assert [r.person.handle for r in list_people(trellis.uow())] == ["bob", "ada"]
    assert [r.person.handle for r in list_people(trellis.uow(), include_departed=True)] == \
        ["bob", "ada", "cy"]
    team = list_people(trellis.uow(), "bob", include_departed=True)
    assert {r.person.handle: r.manager for r in team} == {"ada": "bob", "cy": "bob"}


# --- refused events leave nothing behind -------------------------------------------------


REFUSED = [
    (K.SKILL_STEP, "2019-12-31", {"competency": "coding", "from_mastery": 0, "to_mastery": 1},
     LedgerRuleBroken, "ada: skill_step on 2019-12-31 is before the hire",
     "Ada Lovelace: a skill step on 31 Dec 2019 is before the hire"),
    (K.SKILL_STEP, "2022-05-01", {"competency": "coding", "from_mastery": 1, "to_mastery": 3},
     LedgerRuleBroken, "ada: skill_step on 2022-05-01: coding is at mastery 2, not 1",
     "Ada Lovelace: a skill step on 1 May 2022: Coding is at mastery 2, not 1"),
    (K.PROMOTION, "2022-05-01", {"role": "des2"}, LedgerRuleBroken,
     "ada: promotion on 2022-05-01 to 'des2' (level L2) is not above the current level L2",
     "Ada Lovelace: a promotion on 1 May 2022 to Designer II (level Mid) is not above the "
     "current level Mid"),
    (K.PROMOTION, "2022-05-01", {"role": "eng1"}, LedgerRuleBroken,
     "ada: promotion on 2022-05-01 to 'eng1' (level L1) is not above the current level L2",
     "Ada Lovelace: a promotion on 1 May 2022 to Engineer I (level Junior) is not above the "
     "current level Mid"),
    (K.LATERAL_MOVE, "2022-05-01", {"role": "eng3"}, LedgerRuleBroken,
     "ada: lateral_move on 2022-05-01 to 'eng3' goes up a level: record it as a promotion",
     "Ada Lovelace: a lateral move on 1 May 2022 to Senior Engineer goes up a level: record "
     "it as a promotion"),
    (K.PROMOTION, "2022-05-01", {"role": "cto"}, LedgerRuleBroken,
     "ada: promotion on 2022-05-01: unknown role 'cto'",
     "Ada Lovelace: a promotion on 1 May 2022: unknown role 'cto'"),
    (K.SKILL_STEP, "2022-05-01", {"competency": "juggling", "from_mastery": 0,
                                  "to_mastery": 1},
     LedgerRuleBroken, "ada: skill_step on 2022-05-01: unknown competency 'juggling'",
     "Ada Lovelace: a skill step on 1 May 2022: unknown competency 'juggling'"),
    (K.SKILL_STEP, "2022-05-01", {"competency": "mentoring", "from_mastery": 0,
                                  "to_mastery": 9},
     LedgerRuleBroken,
     "ada: skill_step on 2022-05-01: mastery 9 is above the mentoring scale's maximum 5",
     "Ada Lovelace: a skill step on 1 May 2022: mastery 9 is above the Mentoring scale's "
     "maximum 5"),
    (K.RECOGNITION, "2022-05-01", {"citation": "x", "giver": "nobody"}, NotFound,
     "unknown person 'nobody'", None),
    (K.CHECK_IN, "2022-05-01", {"engagement": 9}, InvalidEvent,
     "check_in: engagement must be 1-5, got 9", None),
]


@pytest.mark.parametrize(("kind", "on", "fields", "error", "message", "words"), REFUSED)
def test_a_refused_event_leaves_no_row_behind(trellis, kind, on, fields, error, message,
                                              words):
    """The command line names the person, role and competency by id, the date as ISO; a
    page and the API by name and title, the date as the pages write it."""
    build_career(trellis)
    before_counts, before_state = counts(trellis), state_document(trellis, "ada")
    with pytest.raises(error) as info:
        log(trellis, kind, "ada", on, **fields)
    assert info.value.on_command_line() == message
    assert str(info.value) == (words or message)
    assert counts(trellis) == before_counts
    assert state_document(trellis, "ada") == before_state


def test_events_after_a_departure_and_in_the_future_are_refused(trellis):
    build_career(trellis)
    before = counts(trellis)
    with pytest.raises(LedgerRuleBroken) as late:
        log(trellis, K.CHECK_IN, "cy", "2023-01-01")
    assert late.value.on_command_line() == ("cy: check_in on 2023-01-01 is after the departure "
                                            "on 2022-08-31")
    tomorrow = clock.today() + timedelta(days=1)
    with pytest.raises(LedgerRuleBroken, match="the date is in the future"):
        log(trellis, K.CHECK_IN, "ada", tomorrow.isoformat())
    assert counts(trellis) == before


def test_unknown_person_role_and_duplicate_handle(trellis):
    hire(trellis, "ada", email="ada@example.com")
    before = counts(trellis)
    with pytest.raises(NotFound, match=r"^unknown person 'zed'$"):
        log(trellis, K.CHECK_IN, "zed", "2021-01-01")
    with pytest.raises(LedgerRuleBroken, match=r"^Bob: a hire on 6 Jan 2020: unknown role 'cto'$"):
        hire(trellis, "bob", role="cto")
    with pytest.raises(Conflict, match=r"^a person with handle 'ada' already exists$"):
        hire(trellis, "ada")
    with pytest.raises(Conflict, match=r"^a person with email 'ada@example.com' already"):
        hire(trellis, "ada2", email="ada@example.com")
    with pytest.raises(NotFound, match=r"^unknown person 'nobody'$"):
        hire(trellis, "bob", manager="nobody")
    with pytest.raises(InvalidEvent, match=r"^invalid handle 'Bob Smith'"):
        hire(trellis, "Bob Smith")
    assert counts(trellis) == before


# --- retraction ---------------------------------------------------------------------------


def test_retraction_removes_the_event_from_every_date_and_the_state(trellis):
    hire(trellis, "ada")
    promo = log(trellis, K.PROMOTION, "ada", "2021-01-04", role="eng2", pay=54000)
    assert state_document(trellis, "ada")["role"]["id"] == "eng2"
    retraction = retract_event(trellis.uow(), promo.id, "not approved", author="tester")
    assert retraction.kind is K.RETRACTION and retraction.effective_on == clock.today()
    assert retraction.details.retracts == promo.id
    for at in (D("2021-01-04"), D("2022-01-01"), None):
        p = profile(trellis.uow(), "ada", at).profile
        assert (p.role, p.pay, p.promotions) == ("eng1", 45000, 0)
    assert_state_is_a_fresh_fold(trellis, "ada")


def test_retraction_of_an_unknown_event(trellis):
    hire(trellis, "ada")
    before = counts(trellis)
    with pytest.raises(NotFound, match=r"^unknown event$") as unknown:
        retract_event(trellis.uow(), 999, "typo", author="tester")
    assert unknown.value.on_command_line() == "unknown event 999"
    assert counts(trellis) == before


def test_retraction_of_an_already_retracted_event(trellis):
    hire(trellis, "ada")
    step = log(trellis, K.CHECK_IN, "ada", "2021-01-04", engagement=2)
    first = retract_event(trellis.uow(), step.id, "wrong person", author="tester")
    before = counts(trellis)
    with pytest.raises(LedgerRuleBroken) as info:
        retract_event(trellis.uow(), step.id, "again", author="tester")
    assert info.value.on_command_line() == (f"event {step.id} was already retracted by event "
                                            f"{first.id}")
    assert str(info.value) == "this event was already retracted"
    assert counts(trellis) == before


def test_retraction_of_a_retraction(trellis):
    hire(trellis, "ada")
    step = log(trellis, K.CHECK_IN, "ada", "2021-01-04")
    first = retract_event(trellis.uow(), step.id, "wrong", author="tester")
    with pytest.raises(LedgerRuleBroken) as info:
        retract_event(trellis.uow(), first.id, "undo", author="tester")
    assert info.value.on_command_line() == (f"event {first.id} is a retraction and cannot be "
                                            "retracted")
    assert str(info.value) == "this event is a retraction and cannot be retracted"


def test_retraction_of_another_persons_event(trellis):
    hire(trellis, "ada")
    hire(trellis, "bob")
    adas = log(trellis, K.CHECK_IN, "ada", "2021-01-04")
    before = counts(trellis)
    with pytest.raises(LedgerRuleBroken) as info:
        log(trellis, K.RETRACTION, "bob", clock.today().isoformat(), retracts=adas.id,
            reason="not mine")
    assert info.value.on_command_line() == f"event {adas.id} belongs to another person, not bob"
    assert str(info.value) == "this event belongs to another person, not Bob"
    assert counts(trellis) == before


def test_retraction_that_would_break_a_later_event_is_refused(trellis):
    hire(trellis, "ada")
    first = log(trellis, K.SKILL_STEP, "ada", "2020-03-02", competency="coding",
                from_mastery=0, to_mastery=1)
    log(trellis, K.SKILL_STEP, "ada", "2020-09-01", competency="coding", from_mastery=1,
        to_mastery=2)
    before, state = counts(trellis), state_document(trellis, "ada")
    with pytest.raises(LedgerRuleBroken) as info:
        retract_event(trellis.uow(), first.id, "not yet", author="tester")
    assert info.value.on_command_line() == (
        f"retracting event {first.id} would break ada's ledger: skill_step on 2020-09-01: "
        "coding is at mastery 0, not 1")
    assert str(info.value).startswith("retracting this event would break Ada's ledger: ")
    with trellis.uow() as uow:
        hire_id = uow.events.for_person(uow.people.find("ada").id)[0].id
    with pytest.raises(LedgerRuleBroken, match="is before the hire"):
        retract_event(trellis.uow(), hire_id, "never hired", author="tester")
    assert counts(trellis) == before and state_document(trellis, "ada") == state


# --- back-dated events -----------------------------------------------------------------


def test_back_dated_events_refold_the_career(trellis):
    hire(trellis, "ada")
    log(trellis, K.COMPENSATION, "ada", "2022-01-03", percent=10)
    assert state_document(trellis, "ada")["pay"]["base"] == 49500
    # recorded later, effective earlier: the raise now applies to the promoted pay
    log(trellis, K.PROMOTION, "ada", "2021-01-04", role="eng2", pay=54000)
    doc = state_document(trellis, "ada")
    assert doc["pay"]["base"] == 59400  # 54000 + 10%
    assert doc["role"]["since"] == "2021-01-04"
    assert_state_is_a_fresh_fold(trellis, "ada")
    assert profile(trellis.uow(), "ada", D("2021-06-01")).profile.pay == 54000


def test_a_back_dated_event_that_breaks_a_later_one_is_refused(trellis):
    hire(trellis, "ada")
    log(trellis, K.SKILL_STEP, "ada", "2021-06-01", competency="coding", from_mastery=0,
        to_mastery=1)
    before = counts(trellis)
    with pytest.raises(LedgerRuleBroken) as info:
        log(trellis, K.SKILL_STEP, "ada", "2021-01-04", competency="coding", from_mastery=0,
            to_mastery=2)
    assert info.value.on_command_line() == ("ada: skill_step on 2021-06-01: coding is at "
                                            "mastery 2, not 0")
    log(trellis, K.DEPARTURE, "ada", "2022-01-03")
    with pytest.raises(LedgerRuleBroken) as info:
        log(trellis, K.DEPARTURE, "ada", "2020-12-31")
    assert info.value.on_command_line().endswith("departure on 2020-12-31")
    assert str(info.value).endswith("departure on 31 Dec 2020")
    assert counts(trellis)[1] == before[1] + 1


# --- framework versions --------------------------------------------------------------------


def changed_tiny() -> tuple:
    text = TINY.read_text().replace("title: Engineer I,", "title: Software Engineer I,")
    assert "Software Engineer I" in text
    return parse_framework(text, "tiny-v2.yaml")


def test_a_changed_framework_is_version_2_from_today(trellis):
    hire(trellis, "ada")
    early = log(trellis, K.CHECK_IN, "ada", "2021-01-04")
    framework, document = changed_tiny()
    loaded = frameworks.load_framework(trellis.uow(), framework, document, author="tester")
    assert loaded.changed and loaded.active
    assert (loaded.version.version, loaded.version.effective_from) == (2, clock.today())
    versions, active = frameworks.list_versions(trellis.uow())
    assert [(v.key, v.version) for v in versions] == [("tiny", 1), ("tiny", 2)]
    assert active == "tiny"
    v1, v2 = versions
    assert v1.effective_from is None
    # an event dated before today keeps version 1, one dated today gets version 2
    later = log(trellis, K.CHECK_IN, "ada", "2022-01-03")
    now = log(trellis, K.CHECK_IN, "ada", clock.today().isoformat())
    assert (early.framework_version, later.framework_version, now.framework_version) == \
        (v1.id, v1.id, v2.id)
    past = frameworks.framework_at(trellis.uow(), D("2022-01-01"))
    present = frameworks.framework_at(trellis.uow())
    assert past[0].id == v1.id and past[1].roles["eng1"].title == "Engineer I"
    assert present[0].id == v2.id and present[1].roles["eng1"].title == "Software Engineer I"
    assert profile(trellis.uow(), "ada", D("2022-06-01")).profile.title == "Engineer I"
    assert profile(trellis.uow(), "ada").profile.title == "Software Engineer I"


def test_loading_the_same_framework_again_is_a_no_op(trellis):
    framework, document = read_framework_file(TINY)
    loaded = frameworks.load_framework(trellis.uow(), framework, document, author="tester")
    assert not loaded.changed and loaded.version.version == 1
    versions, _ = frameworks.list_versions(trellis.uow())
    assert len(versions) == 1


# --- erasure -------------------------------------------------------------------------------


def test_erasure_removes_the_person_and_logs_nothing_personal(trellis):
    build_career(trellis)
    with trellis.uow() as uow:
        ada = uow.people.find("ada")
        ada_events = len(uow.events.for_person(ada.id))
    others_before = counts(trellis)
    removed = erase_person(trellis.uow(), "ada@example.com", author="dpo")
    assert removed == ada_events == 13
    with trellis.uow() as uow:
        c = uow.connection
        assert uow.people.find("ada") is None and uow.people.get(ada.id) is None
        assert uow.events.for_person(ada.id) == []
        assert uow.state.current(ada.id) is None
        assert c.scalar(select(func.count()).select_from(t.competency_state)
                        .where(t.competency_state.c.person_id == ada.id)) == 0
        erasures = [dict(r._mapping) for r in c.execute(select(t.erasures))]
    assert counts(trellis) == (others_before[0] - 1, others_before[1] - 13,
                               others_before[2] - 1, others_before[3] - 2)
    assert len(erasures) == 1
    row = erasures[0]
    assert (row["person_id"], row["events_removed"], row["author"]) == (ada.id, 13, "dpo")
    assert set(row) == {"id", "erased_at", "author", "person_id", "events_removed", "reason"}
    text = json.dumps(row, default=str).lower()
    for personal in ("ada", "lovelace", "ada@example.com"):
        assert personal not in text
    # bob and cy are untouched, and the other people's state still matches their ledger
    assert_state_is_a_fresh_fold(trellis, "bob")
    assert_state_is_a_fresh_fold(trellis, "cy")
    with pytest.raises(NotFound):
        profile(trellis.uow(), "ada")


def test_erasing_a_manager_leaves_their_reports_without_one(trellis):
    build_career(trellis)
    erase_person(trellis.uow(), "bob", author="dpo")
    with trellis.uow() as uow:
        assert uow.people.find("ada").manager_id is None
        assert uow.people.find("cy").manager_id is None


def test_erasing_a_giver_blanks_them_on_the_recognitions_they_gave(trellis):
    build_career(trellis)
    assert state_document(trellis, "ada")["recognitions"]["recent"][0]["giver"] == "bob"
    erase_person(trellis.uow(), "bob", author="dpo")
    with trellis.uow() as uow:
        texts = [e.details for e in uow.events.for_person(uow.people.find("ada").id)]
    assert not any(getattr(d, "giver", None) == "bob" for d in texts)
    assert state_document(trellis, "ada")["recognitions"]["recent"][0]["giver"] is None
    assert_state_is_a_fresh_fold(trellis, "ada")


def test_erasing_an_unknown_person(trellis):
    with pytest.raises(NotFound, match=r"^unknown person 'ghost'$"):
        erase_person(trellis.uow(), "ghost", author="dpo")


# --- export and import --------------------------------------------------------------------


@pytest.fixture
def fresh_trellis(database_url: str, tmp_path: Path) -> Iterator[Trellis]:
    """A second, empty database on the same engine, with the tiny framework loaded."""
    if database_url.startswith("sqlite"):
        target = make_trellis(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield target
        target.close()
        return
    assert POSTGRES_URL
    with temporary_schema(POSTGRES_URL, "trellis_test") as url:
        target = make_trellis(url)
        try:
            yield target
        finally:
            target.close()


def everyone(trellis: Trellis, at: date | None = None) -> dict[str, dict]:
    with trellis.uow() as uow:
        people = uow.people.all()
        managers = {p.id: p.handle for p in people}
    out = {}
    for p in people:
        found = profile(trellis.uow(), p.handle, at).profile
        out[p.handle] = {"name": p.name, "email": p.email,
                         "manager": managers.get(p.manager_id or 0),
                         "profile": profile_to_document(found)}
    return out


def export_and_import(source: Trellis, target: Trellis, path: Path):
    written = write_ledger_file(path, transfer.export_records(source.uow()))
    people, events, problems = read_ledger_file(path)
    assert problems == []
    summary = transfer.import_ledger(target.uow(), people, events, author="tester",
                                     source=str(path), problems=problems)
    return written, summary


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_export_then_import_gives_identical_profiles(trellis, fresh_trellis, tmp_path, suffix):
    build_career(trellis)
    written, summary = export_and_import(trellis, fresh_trellis, tmp_path / f"ledger{suffix}")
    assert (summary.people, summary.events, summary.profiles) == (3, 17, 3)
    assert written == 3 + 17
    assert everyone(fresh_trellis) == everyone(trellis)
    for at in (D("2020-06-01"), D("2021-06-30"), D("2022-03-15")):
        assert everyone(fresh_trellis, at) == everyone(trellis, at)
    for handle in ("ada", "bob", "cy"):
        assert_state_is_a_fresh_fold(fresh_trellis, handle)
        _, a = timeline(trellis.uow(), handle)
        _, b = timeline(fresh_trellis.uow(), handle)
        assert [(e.event.id, e.summary, e.retracted_by, e.event.recorded_at,
                 e.event.evidence) for e in a] == \
            [(e.event.id, e.summary, e.retracted_by, e.event.recorded_at,
              e.event.evidence) for e in b]


def test_an_imported_database_accepts_new_people_and_events(trellis, fresh_trellis,
                                                            tmp_path):
    """Ids imported explicitly must not collide with the ones the database hands out next."""
    build_career(trellis)
    export_and_import(trellis, fresh_trellis, tmp_path / "ledger.jsonl")
    event = log(fresh_trellis, K.CHECK_IN, "ada", "2022-05-02", engagement=5)
    person = hire(fresh_trellis, "dee", on="2022-01-03")
    with fresh_trellis.uow() as uow:
        assert event.id > 17 and person.id > 3
        assert uow.people.count() == 4


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_with_bad_rows_lists_every_one_and_writes_nothing(trellis, tmp_path):
    hire(trellis, "ada")
    before = counts(trellis)

    def ev(person: str, kind: str, on: str, **fields) -> str:
        return json.dumps({"record": "event", "person": person, "kind": kind,
                           "effective_on": on, **fields})

    path = write_lines(tmp_path / "bad.jsonl", [
        json.dumps({"record": "person", "handle": "ada", "name": "Ada Again"}),  # 1 dup
        json.dumps({"record": "person", "handle": "cy", "name": "Cy",
                    "manager": "nobody"}),  # 2 unknown manager
        json.dumps({"record": "person", "handle": "dee", "name": "Dee"}),  # 3 ok
        ev("dee", "hire", "2021-01-04", role="eng1"),  # 4 ok
        ev("zed", "check_in", "2021-02-01"),  # 5 unknown person
        ev("dee", "check_in", "2021-13-01"),  # 6 malformed date
        '{"record": "event", "person": "dee",',  # 7 bad JSON
        ev("dee", "skill_step", "2021-03-01", competency="coding", from_mastery=1,
           to_mastery=2),  # 8 mismatch
        json.dumps({"record": "person", "handle": "eve", "name": "Eve"}),  # 9 ok
        ev("eve", "recognition", "2021-01-04", citation="early"),  # 10 before hire
        ev("eve", "hire", "2021-05-03", role="eng1"),  # 11 ok
        ev("ada", "promotion", "2021-05-03", role="cto"),  # 12 unknown role
    ])
    people, events, problems = read_ledger_file(path)
    with pytest.raises(ImportRejected) as info:
        transfer.import_ledger(trellis.uow(), people, events, author="tester",
                               source=str(path), problems=problems)
    found = [(p.line, p.message) for p in info.value.problems]
    assert found == [
        (1, "a person with handle 'ada' already exists"),
        (2, "unknown manager 'nobody'"),
        (5, "unknown person 'zed'"),
        (6, "malformed effective_on '2021-13-01': use YYYY-MM-DD"),
        (7, "not valid JSON: unexpected end of data"),
        (8, "skill_step on 2021-03-01: coding is at mastery 0, not 1"),
        (10, "recognition on 2021-01-04 is before the hire"),
        (12, "promotion on 2021-05-03: unknown role 'cto'"),
    ]
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in info.value.problems)
    assert str(info.value).startswith(f"invalid import, nothing written: {path}:1: ")
    assert str(info.value).endswith("(and 7 more)")
    assert counts(trellis) == before
    with trellis.uow() as uow:
        assert uow.people.find("dee") is None and uow.people.find("eve") is None


def test_a_csv_import_with_a_bad_row_names_its_line(trellis, tmp_path):
    hire(trellis, "ada")
    before = counts(trellis)
    path = tmp_path / "bad.csv"
    path.write_text(
        "record,handle,name,person,kind,effective_on,competency,from_mastery,to_mastery\n"
        "person,dee,Dee,,,,,,\n"
        "event,,,dee,hire,2021-01-04,,,\n"
        "event,,,dee,skill_step,2021-02-01,coding,0,two\n"
        "event,,,dee,level_up,2021-02-01,,,\n", encoding="utf-8")
    people, events, problems = read_ledger_file(path)
    with pytest.raises(ImportRejected) as info:
        transfer.import_ledger(trellis.uow(), people, events, author="tester",
                               source=str(path), problems=problems)
    assert [(p.line, p.message) for p in info.value.problems] == [
        (3, "hire: role is required"),
        (4, "skill_step: to_mastery must be an integer, got 'two'"),
        (5, "unknown event kind 'level_up' (known: hire, promotion, lateral_move, skill_step, "
            "certification, project_leadership, responsibility, recognition, compensation, "
            "check_in, departure, retraction, verification, demonstrated, assessed, review, "
            "calibration)"),
    ]
    assert counts(trellis) == before


def test_a_valid_import_adds_to_an_existing_ledger(trellis, tmp_path):
    hire(trellis, "ada")
    path = tmp_path / "more.csv"
    path.write_text(
        "record,handle,name,manager,person,kind,effective_on,competency,from_mastery,"
        "to_mastery,role,pay\n"
        "person,dee,Dee,ada,,,,,,,,\n"
        "event,,,,dee,hire,2021-01-04,,,,eng1,46000\n"
        "event,,,,dee,skill_step,2021-02-01,coding,0,1,,\n"
        "event,,,,ada,promotion,2021-03-01,,,,eng2,55000\n", encoding="utf-8")
    people, events, problems = read_ledger_file(path)
    summary = transfer.import_ledger(trellis.uow(), people, events, author="tester",
                                     source=str(path), problems=problems)
    assert (summary.people, summary.events, summary.profiles) == (1, 3, 2)
    dee = profile(trellis.uow(), "dee").profile
    assert (dee.role, dee.pay, dee.mastery_of("coding")) == ("eng1", 46000, 1)
    assert profile(trellis.uow(), "ada").profile.role == "eng2"
    with trellis.uow() as uow:
        assert uow.people.find("dee").manager_id == uow.people.find("ada").id
    assert_state_is_a_fresh_fold(trellis, "ada")
    assert_state_is_a_fresh_fold(trellis, "dee")


def test_light_rows_of_kinds_hold_every_live_event_the_ledger_holds(trellis):
    """``of_kinds`` reads the driver's rows itself: none may go missing, even after a
    stream in the same unit of work (its server-side cursor once stayed on for every later
    query, and SQLAlchemy's buffer took the first rows off the cursor: the first hire was
    lost on PostgreSQL), and none may be a retracted one."""
    for handle in ("ada", "bob", "cy"):
        hire(trellis, handle)
    step = log(trellis, K.SKILL_STEP, "bob", "2021-03-01", competency="coding",
               from_mastery=0, to_mastery=1)
    retract_event(trellis.uow(), step.id, reason="logged twice", author="tester")
    log(trellis, K.SKILL_STEP, "cy", "2021-04-01", competency="coding", from_mastery=0,
        to_mastery=1)
    with trellis.uow() as uow:
        assert len(list(uow.events.stream(batch=2))) == 6  # streams, then reads again
        light = uow.events.of_kinds(["hire", "skill_step"])
        every = uow.connection.execute(
            select(t.events.c.id, t.events.c.kind).where(t.events.c.kind.in_(
                ["hire", "skill_step"])).order_by(t.events.c.effective_on, t.events.c.id)
        ).all()
    assert [(r.id, r.kind) for r in light] == [(i, k) for i, k in every if i != step.id]
    assert [r.kind for r in light].count("hire") == 3


def test_one_unit_of_work_serves_transaction_after_transaction(trellis):
    """A service opens the unit of work it is given once per transaction: every repository,
    each bound to its transaction's connection, is made again in the next one."""
    uow = trellis.uow()
    names = [name for name, member in vars(type(uow)).items()
             if isinstance(member, functools.cached_property)]
    assert "audit" in names and "accounts" in names
    for _ in range(2):
        with uow:
            for name in names:
                getattr(uow, name)
            uow.audit.add(clock.now(), "tester", "test.write", "test", {})
            uow.people.all()
            uow.commit()
    with trellis.uow() as uow:
        assert [e["action"] for e in uow.audit.entries(2)] == ["test.write", "test.write"]
