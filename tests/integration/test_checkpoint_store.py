"""Past-date profiles of long careers start from stored checkpoints, on every engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from trellis.adapters.tables import profile_checkpoints
from trellis.domain import profile as profile_rules
from trellis.domain.events import EventKind
from trellis.domain.profile import fold
from trellis.services import ledger, people, profiles

HIRED = date(2020, 1, 6)


@pytest.fixture
def long_career(trellis, monkeypatch):
    monkeypatch.setattr(profile_rules, "CHECKPOINT_EVERY", 5)
    people.add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=HIRED,
                      author="t", pay=40000)
    on = HIRED
    for i in range(24):
        on += timedelta(days=7)
        if i % 3 == 0:
            mastery = i // 3
            ledger.record_event(trellis.uow(), "ada", EventKind.SKILL_STEP, on,
                                {"competency": "coding" if mastery < 5 else "mentoring",
                                 "from_mastery": mastery % 5, "to_mastery": mastery % 5 + 1},
                                author="t")
        else:
            ledger.record_event(trellis.uow(), "ada", EventKind.CHECK_IN, on,
                                {"engagement": 1 + i % 5}, author="t")
    return trellis


def checkpoint_count(trellis) -> int:
    with trellis.uow() as uow:
        return uow.connection.scalar(select(func.count()).select_from(profile_checkpoints))


def full_fold(trellis, at: date):
    with trellis.uow() as uow:
        person = uow.people.find("ada")
        return fold(person.id, uow.events.for_person(person.id), uow.frameworks.catalog, at)


def test_past_profiles_from_checkpoints_equal_a_full_fold(long_career):
    assert checkpoint_count(long_career) == 5  # 25 events, one every 5
    for weeks in range(0, 27, 2):
        at = HIRED + timedelta(days=7 * weeks + 3)
        assert profiles.profile(long_career.uow(), "ada", at).profile == \
            full_fold(long_career, at)


def test_a_retraction_rebuilds_the_checkpoints_behind_it(long_career):
    _, events = profiles.history(long_career.uow(), "ada")
    early_check_in = next(e for e in events if e.kind is EventKind.CHECK_IN)
    ledger.retract_event(long_career.uow(), early_check_in.id, "wrong person", author="t")
    at = HIRED + timedelta(days=7 * 20)
    seen = profiles.profile(long_career.uow(), "ada", at).profile
    assert seen == full_fold(long_career, at)
    assert checkpoint_count(long_career) == 4  # one event fewer: 24 live events
