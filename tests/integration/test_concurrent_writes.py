"""Concurrent writes to one career are replayed one after the other, on every engine."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

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
