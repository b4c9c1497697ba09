"""The worker's memo of readiness assessments behind the team list: after a new event it
forgets only that event's person, and the list it gives is the one assessed afresh."""

from __future__ import annotations

from datetime import date, timedelta

from trellis.domain.events import EventKind
from trellis.services import clock
from trellis.services.frameworks import version_in_force
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person
from trellis.services.team_list import ReadinessMemo, TeamQuery, team_list

HIRED = date(2023, 1, 2)


def _rows(found):
    return [(m.person.handle, m.band, m.readiness.score if m.readiness else None)
            for m in found.members]


def test_a_new_event_forgets_only_its_person(sqlite_trellis) -> None:
    t = sqlite_trellis
    for i in range(6):
        add_person(t.uow(), f"e{i}", f"Engineer {i}", role="eng1", hired_on=HIRED,
                   author="tester")
    step = {"competency": "coding", "from_mastery": 0, "to_mastery": 1}
    on = clock.today() - timedelta(days=10)
    for handle in ("e0", "e1", "e2"):
        record_event(t.uow(), handle, EventKind.SKILL_STEP, on, step, author="tester")
    memo = ReadinessMemo()
    query = TeamQuery(sort="readiness", descending=True)
    today = clock.today()

    def kept() -> dict[int, object]:
        uow = t.uow()
        with uow.reading():
            return dict(memo.for_day(uow, today, version_in_force(uow, today).id))

    first = team_list(t.uow(), None, query, memo=memo)
    assert _rows(first) == _rows(team_list(t.uow(), None, query))
    before = kept()
    assert len(before) == 6
    ids = {m.person.handle: m.person.id for m in first.members}
    # e3 takes a step (its readiness rises); e0's step is retracted (it falls).
    record_event(t.uow(), "e3", EventKind.SKILL_STEP, on, step, author="tester")
    with t.uow() as uow:
        [e0_step] = [r.id for r in uow.events.of_kinds([EventKind.SKILL_STEP], [ids["e0"]])]
    retract_event(t.uow(), e0_step, "recorded for the wrong person", author="tester")
    again = team_list(t.uow(), None, query, memo=memo)
    assert _rows(again) == _rows(team_list(t.uow(), None, query))
    now = kept()
    moved = {ids["e3"], ids["e0"]}
    assert all(now[i] is before[i] for i in before if i not in moved)
    assert all(now[i] is not before[i] for i in moved)
    assert now[ids["e3"]].score > before[ids["e3"]].score
    assert now[ids["e0"]].score < before[ids["e0"]].score
