"""Pending verification against a real database, on each engine: the current-state tables
agree with a fold of the ledger before and after a verification, and its retraction."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from conftest import FIXTURES, make_trellis
from trellis.adapters import tables
from trellis.domain import profile as fold_rules
from trellis.domain.access import Role
from trellis.domain.events import EventKind
from trellis.domain.profile import fold
from trellis.errors import InvalidEvent, LedgerRuleBroken
from trellis.services import accounts, ledger, pending, people, profiles, projections

BANDS = FIXTURES / "tiny-bands.yaml"
STEP = {"competency": "testing"}


@pytest.fixture
def org(database_url):
    t = make_trellis(database_url, BANDS)
    people.add_person(t.uow(), "lead", "Lee Lead", role="eng3", hired_on=date(2020, 1, 1),
                      author="t", pay=80000, email="lead@p.org")
    people.add_person(t.uow(), "kim", "Kim Kay", role="eng1", hired_on=date(2024, 1, 1),
                      author="t", manager="lead", pay=50000, email="kim@p.org")
    for start in (0, 1):
        ledger.record_event(t.uow(), "kim", EventKind.SKILL_STEP, date(2024, 3, 1),
                            {"competency": "coding", "from_mastery": start,
                             "to_mastery": start + 1}, author="lead@p.org")
    # the account's email is not the person's: self-reported is about the account link
    kim = accounts.create_user(t.uow(), "kim.kay@p.org", "a long password", Role.EMPLOYEE,
                               person="kim", author="t")
    yield t, kim
    t.close()


def own_step(t, user, start: int, on: date = date(2024, 5, 1)) -> int:
    return accounts.record_for(t.uow(), user, "kim", EventKind.SKILL_STEP, on,
                               {**STEP, "from_mastery": start, "to_mastery": start + 1},
                               evidence="PRs").event.id


def tables_and_fold(t) -> tuple:
    """What the current-state tables say of kim, and what a fresh fold says."""
    with t.uow() as uow:
        person = uow.people.find("kim")
        row = uow.state.rows([person.id], ["pay", "micro_progressions"])[0]
        stored = uow.state.current(person.id)
        events = uow.events.for_person(person.id)
        folded = fold(person.id, events, uow.frameworks.catalog, stored.as_of)
        c = tables.competency_state.c
        mastery = dict(uow.connection.execute(select(c.competency, c.mastery).where(
            c.person_id == person.id)).all())
    return stored, folded, row, mastery


def check_agree(t) -> object:
    stored, folded, row, mastery = tables_and_fold(t)
    assert stored == folded
    assert row["pay"] == folded.pay
    assert row["micro_progressions"] == sum(folded.micro_progressions.values())
    assert mastery == {c: layer.mastery for c, layer in folded.mastery.items()}
    return folded


def test_tables_agree_with_the_fold_through_verification_and_its_retraction(org):
    t, kim = org
    first, second = own_step(t, kim, 0), own_step(t, kim, 1)
    p = check_agree(t)
    assert (p.mastery_of("testing"), p.bands, p.pay) == (0, {}, 50000)
    assert [e.id for e in pending.pending_of(t.uow(), "kim")] == [first, second]

    ledger.verify_event(t.uow(), first, author="lead@p.org")
    p = check_agree(t)
    assert (p.mastery_of("testing"), p.bands, p.pay) == (1, {}, 50000)
    check = ledger.verify_event(t.uow(), second, author="lead@p.org", notes="read them")
    p = check_agree(t)
    assert (p.mastery_of("testing"), p.bands, p.pay) == (2, {"craft": 1}, 51500)
    assert p.band_upgrades[0].on == check.effective_on  # dated on the verification

    ledger.retract_event(t.uow(), check.id, "verified the wrong PR", author="lead@p.org")
    p = check_agree(t)
    assert (p.mastery_of("testing"), p.bands, p.pay) == (1, {}, 50000)
    assert [e.id for e in p.pending] == [second]
    # a projection rebuilt from scratch says the same
    with t.uow() as uow:
        projections._rebuild(uow)
        uow.commit()
    assert check_agree(t) == p


def test_the_person_cannot_verify_their_own_event_under_another_name(org):
    t, kim = org
    mine = own_step(t, kim, 0)
    for author in ("kim.kay@p.org", "kim@p.org"):  # the account, and the person's email
        with pytest.raises(LedgerRuleBroken, match="someone else must verify it"):
            ledger.verify_event(t.uow(), mine, author=author)
    # a verifier the person named on it is a claim: the manager can still verify
    named = accounts.record_for(t.uow(), kim, "kim", EventKind.SKILL_STEP,
                                date(2024, 5, 2), {"competency": "mentoring",
                                                   "from_mastery": 0, "to_mastery": 2},
                                verifier="lead@p.org").event
    assert named.id in {e.id for e in pending.pending_of(t.uow(), "kim")}
    ledger.verify_event(t.uow(), named.id, author="lead@p.org")
    assert profiles.profile(t.uow(), "kim").profile.mastery_of("mentoring") == 2


def test_a_jump_without_a_verifier_writes_nothing(org):
    t, kim = org
    with t.uow() as uow:
        before = uow.events.count()
    with pytest.raises(InvalidEvent, match="jumps 5 mastery levels"):
        accounts.record_for(t.uow(), kim, "kim", EventKind.SKILL_STEP, date(2024, 5, 1),
                            {"competency": "mentoring", "from_mastery": 0, "to_mastery": 5},
                            evidence="trust me")
    with t.uow() as uow:
        assert uow.events.count() == before


def test_a_past_date_from_a_checkpoint_agrees_with_a_fold(org, monkeypatch):
    t, kim = org
    monkeypatch.setattr(fold_rules, "CHECKPOINT_EVERY", 2)
    first = own_step(t, kim, 0, date(2024, 5, 1))
    ledger.record_event(t.uow(), "kim", EventKind.SKILL_STEP, date(2024, 6, 1),
                        {"competency": "mentoring", "from_mastery": 0, "to_mastery": 1},
                        author="lead@p.org")
    ledger.verify_event(t.uow(), first, author="lead@p.org")
    for at in (date(2024, 5, 15), date(2024, 6, 15)):
        read = profiles.profile(t.uow(), "kim", at).profile
        with t.uow() as uow:
            assert uow.state.checkpoint(read.person_id, at) is not None
            events = uow.events.for_person(read.person_id)
            assert read == fold(read.person_id, events, uow.frameworks.catalog, at)
        assert [e.id for e in read.pending] == [first]  # verified later, pending then
