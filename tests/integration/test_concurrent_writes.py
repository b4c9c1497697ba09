"""Concurrent writes to one career are replayed one after the other, on every engine."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from trellis.domain.events import EventKind
from trellis.errors import LedgerRuleBroken
from trellis.services import ledger, people, profiles


def test_parallel_writes_to_one_person_all_land_and_the_state_agrees(trellis):
    people.add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=date(2022, 1, 3),
                      author="t", pay=45000)

    def check_in(i: int) -> int:
        return ledger.record_event(trellis.uow(), "ada", EventKind.CHECK_IN,
                                   date(2022, 2, 1 + i), {"engagement": 1 + i % 5},
                                   author="t").id

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(check_in, range(12)))
    assert len(set(ids)) == 12
    _, events = profiles.history(trellis.uow(), "ada")
    assert len(events) == 13
    # the current-state row was written by the last of them, from the whole history
    assert profiles.profile(trellis.uow(), "ada").profile.last_event_on == date(2022, 2, 12)


def test_two_racing_steps_from_the_same_mastery_cannot_both_land(trellis):
    people.add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=date(2022, 1, 3),
                      author="t")

    def step(_: int) -> str:
        try:
            ledger.record_event(trellis.uow(), "ada", EventKind.SKILL_STEP, date(2022, 3, 1),
                                {"competency": "coding", "from_mastery": 0, "to_mastery": 1},
                                author="t")
            return "recorded"
        except LedgerRuleBroken:
            return "refused"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(step, range(4)))
    assert outcomes == ["recorded", "refused", "refused", "refused"]
    assert profiles.profile(trellis.uow(), "ada").profile.mastery_of("coding") == 1


def test_a_reading_unit_reads_the_last_commit_beside_an_open_writer(trellis):
    people.add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=date(2022, 1, 3),
                      author="t")
    writer = trellis.uow()
    with writer:  # holds SQLite's write lock until it ends
        ledger.append_event(writer, writer.people.find("ada"), EventKind.CHECK_IN,
                            date(2022, 2, 1), {"engagement": 4}, author="t")
        # a read that queued behind the writer would wait out the busy timeout, then fail
        with ThreadPoolExecutor(max_workers=1) as pool:
            seen = pool.submit(lambda: profiles.history(trellis.uow(), "ada")).result(2)
        assert [e.kind for e in seen[1]] == [EventKind.HIRE]  # not the uncommitted one
        writer.commit()
    assert len(profiles.history(trellis.uow(), "ada")[1]) == 2


def test_a_reading_unit_refuses_to_commit(trellis):
    uow = trellis.uow()
    with uow.reading(), pytest.raises(RuntimeError, match="cannot commit"):
        uow.commit()
    with uow:  # the next transaction on the same unit writes as usual
        uow.commit()
