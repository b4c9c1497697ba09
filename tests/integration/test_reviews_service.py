"""Review cycles through the use cases, on SQLite and PostgreSQL.

Today is fixed at 2025-01-10. TINY org: bob (eng3) manages ada and cy (eng1); dee (eng1)
reports to cy; eve left in 2024. Cycle '2024' covers the year with self, manager and peer
forms, self reviews due 2025-01-05 (past), manager reviews 2025-01-31.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from trellis.adapters import tables as t
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind
from trellis.domain.framework import ReviewForm
from trellis.domain.reviews import CycleStatus
from trellis.errors import Conflict, InvalidEvent, LedgerRuleBroken, NotFound, TrellisError
from trellis.services import clock
from trellis.services import reviews as use
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person, erase_person

SELF, MANAGER, PEER, UPWARD = ReviewForm
D = date.fromisoformat


@pytest.fixture
def org(trellis: Trellis, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    for handle, role, manager in (("bob", "eng3", None), ("ada", "eng1", "bob"),
                                  ("cy", "eng1", "bob"), ("dee", "eng1", "cy"),
                                  ("eve", "eng1", "bob")):
        add_person(trellis.uow(), handle, handle.title(), role=role,
                   hired_on=D("2023-01-02"), manager=manager, author="hr")
    record_event(trellis.uow(), "eve", EventKind.DEPARTURE, D("2024-03-01"), {}, author="hr")
    use.open_cycle(trellis.uow(), "2024", D("2024-01-01"), D("2024-12-31"),
                   forms=(SELF, MANAGER, PEER),
                   due={SELF: D("2025-01-05"), MANAGER: D("2025-01-31")}, author="hr")
    yield trellis


def counts(trellis: Trellis) -> tuple[int, int, int, int]:
    with trellis.uow() as uow:
        return tuple(uow.connection.scalar(select(func.count()).select_from(table))
                     for table in (t.events, t.review_cycles, t.review_participants,
                                   t.review_nominations))  # type: ignore[return-value]


def test_a_cycle_holds_everyone_active_and_a_team_cycle_everyone_under_the_manager(org):
    [(cycle, people)] = use.cycles(org.uow())
    assert (cycle.name, cycle.forms, people, cycle.status) == ("2024", (SELF, MANAGER, PEER),
                                                               4, CycleStatus.OPEN)
    assert cycle.due == {SELF: D("2025-01-05"), MANAGER: D("2025-01-31")}
    team, count = use.open_cycle(org.uow(), "2024 cy", D("2024-07-01"), D("2024-12-31"),
                                 team="cy", author="hr")
    assert count == 1 and team.forms == tuple(ReviewForm)  # the framework's forms
    with org.uow() as uow:
        names = {uow.people.get(p).handle for p in uow.reviews.participants(team.id)}
    assert names == {"dee"}


def test_submitted_reviews_are_ledger_events_kept_side_by_side(org):
    use.nominate(org.uow(), "2024", "ada", "cy", anonymous=True, author="hr")
    use.submit(org.uow(), "2024", "ada", SELF, 4, ratings={"coding": 2},
               goals=[{"goal": "ship the API", "result": "met", "value": 98.5}],
               comment="a good year", author="ada")
    manager = use.submit(org.uow(), "2024", "ada", MANAGER, 3, ratings={"coding": 1},
                         author="bob")
    peer = use.submit(org.uow(), "2024", "ada", PEER, 5, by="cy", author="cy")
    shown = use.show(org.uow(), "ada")
    cycle = shown.reviews["2024"]
    assert [cycle[r][0].rating for r in ("self", "manager", "peer")] == [4, 3, 5]
    assert cycle["self"][0].goals[0].value == 98.5
    assert cycle["manager"][0].ratings[0].rating == 1
    assert shown.reviewers[manager] == "bob" and shown.reviewers[peer] is None  # anonymous
    with org.uow() as uow:
        event = uow.events.get(peer)
        assert event.details.reviewer == "cy" and event.author == "cy"  # HR sees who


def test_a_second_review_is_refused_until_the_first_is_retracted(org):
    first = use.submit(org.uow(), "2024", "ada", MANAGER, 3, author="bob")
    before = counts(org)
    with pytest.raises(Conflict) as caught:
        use.submit(org.uow(), "2024", "ada", MANAGER, 4, author="bob")
    assert caught.value.on_command_line() == ("ada already has a manager review in cycle "
                                              f"'2024' (event {first}): retract it to submit "
                                              "another")
    assert str(caught.value) == ("Ada already has a manager review in cycle '2024': retract "
                                 "it to submit another")
    assert counts(org) == before
    retract_event(org.uow(), first, "rated the wrong person", author="bob")
    use.submit(org.uow(), "2024", "ada", MANAGER, 4, author="bob")
    assert use.show(org.uow(), "ada").reviews["2024"]["manager"][0].rating == 4


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda u: use.submit(u, "2024", "eve", SELF, 3, author="x"), LedgerRuleBroken,
     "eve is not in review cycle '2024'"),
    (lambda u: use.submit(u, "2024", "ada", SELF, 6, author="x"), LedgerRuleBroken,
     "ada: review on 2025-01-10: rating 6 is outside the scale 1-5"),
    (lambda u: use.submit(u, "2024", "ada", SELF, 3, ratings={"nope": 1}, author="x"),
     LedgerRuleBroken, "ada: review on 2025-01-10: 'nope' is not a competency or criterion "
     "of framework 'tiny'"),
    (lambda u: use.submit(u, "2024", "ada", UPWARD, 3, by="x", author="x"), InvalidEvent,
     "review cycle '2024' has no upward reviews (its forms: self, manager, peer)"),
    (lambda u: use.submit(u, "2024", "ada", PEER, 3, by="dee", author="x"), LedgerRuleBroken,
     "dee is not nominated as a peer reviewer of ada in cycle '2024'"),
    (lambda u: use.submit(u, "2024", "ada", PEER, 3, author="x"), InvalidEvent,
     "a peer review needs --by: who writes it"),
    (lambda u: use.submit(u, "2024", "ada", MANAGER, 3, by="cy", author="x"), InvalidEvent,
     "cy is not ada's manager (bob is)"),
    (lambda u: use.submit(u, "2024", "bob", MANAGER, 3, author="x"), LedgerRuleBroken,
     "bob has no manager to write a manager review"),
    (lambda u: use.submit(u, "2024", "ada", SELF, 3, by="cy", author="x"), InvalidEvent,
     "a self review of ada is written by ada, not cy"),
    (lambda u: use.submit(u, "nope", "ada", SELF, 3, author="x"), NotFound,
     "unknown review cycle 'nope'"),
    (lambda u: use.submit(u, "2024", "zed", SELF, 3, author="x"), NotFound,
     "unknown person 'zed'"),
    (lambda u: use.nominate(u, "2024", "ada", "ada", author="x"), InvalidEvent,
     "ada cannot be their own peer reviewer"),
    (lambda u: use.nominate(u, "2024", "eve", "ada", author="x"), LedgerRuleBroken,
     "eve is not in review cycle '2024'"),
    (lambda u: use.open_cycle(u, "2024", D("2024-01-01"), D("2024-02-01"), author="x"),
     Conflict, "a review cycle named '2024' already exists"),
    (lambda u: use.open_cycle(u, "x", D("2024-03-01"), D("2024-02-01"), author="x"),
     InvalidEvent, "the period ends (2024-02-01) before it starts (2024-03-01)"),
    (lambda u: use.open_cycle(u, "x", D("2024-01-01"), D("2024-02-01"), forms=(SELF,),
                              due={PEER: D("2024-02-01")}, author="x"), InvalidEvent,
     "--due-peer: the cycle has no peer reviews"),
    (lambda u: use.open_cycle(u, "x", D("2024-01-01"), D("2024-02-01"),
                              due={SELF: D("2023-12-01")}, author="x"), InvalidEvent,
     "--due-self 2023-12-01 is before the period starts (2024-01-01)"),
    (lambda u: use.open_cycle(u, "x", D("2024-01-01"), D("2024-02-01"), team="ada",
                              author="x"), InvalidEvent,
     "nobody would be in the cycle: ada has no active reports"),
    (lambda u: use.open_cycle(u, "  ", D("2024-01-01"), D("2024-02-01"), author="x"),
     InvalidEvent, "give the cycle a name"),
    (lambda u: use.set_status(u, "2024", CycleStatus.OPEN, author="hr"), Conflict,
     "review cycle '2024' is already open"),
])
def test_every_refusal_is_one_line_and_writes_nothing(org, call, error, message):
    before = counts(org)
    with pytest.raises(error) as caught:
        call(org.uow())
    assert caught.value.on_command_line() == message
    assert counts(org) == before


def test_a_closed_cycle_takes_no_reviews_until_reopened(org):
    use.set_status(org.uow(), "2024", CycleStatus.CLOSED, author="hr")
    for call in (lambda: use.submit(org.uow(), "2024", "ada", SELF, 3, author="ada"),
                 lambda: use.nominate(org.uow(), "2024", "ada", "cy", author="hr")):
        with pytest.raises(LedgerRuleBroken, match=r"^review cycle '2024' is closed: reopen "
                           r"it first$"):
            call()
    assert use.set_status(org.uow(), "2024", CycleStatus.OPEN, author="hr").is_open
    use.submit(org.uow(), "2024", "ada", SELF, 3, author="ada")


def test_an_upward_review_comes_from_a_direct_report(trellis, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    add_person(trellis.uow(), "bob", "Bob", role="eng3", hired_on=D("2023-01-02"), author="hr")
    add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=D("2023-01-02"),
               manager="bob", author="hr")
    use.open_cycle(trellis.uow(), "up", D("2024-01-01"), D("2024-12-31"), forms=(UPWARD,),
                   author="hr")
    with pytest.raises(LedgerRuleBroken, match=r"^Bob does not report to Ada"):
        use.submit(trellis.uow(), "up", "ada", UPWARD, 3, by="bob", author="hr")
    use.submit(trellis.uow(), "up", "bob", UPWARD, 4, by="ada", author="ada")
    assert use.show(trellis.uow(), "bob", upward_individually=True).reviews["up"][
        "upward"][0].rating == 4
    shown = use.show(trellis.uow(), "bob")  # aggregated: one review is below the minimum
    assert "up" not in shown.reviews and shown.reviewers == {}
    assert (shown.upward["up"].shown, shown.upward["up"].minimum) == (False, 3)


def test_progress_shows_who_is_done_and_who_is_overdue(org):
    use.nominate(org.uow(), "2024", "ada", "cy", author="hr")
    use.submit(org.uow(), "2024", "ada", SELF, 4, author="ada")
    use.submit(org.uow(), "2024", "ada", MANAGER, 3, author="bob")
    retracted = use.submit(org.uow(), "2024", "cy", SELF, 2, author="cy")
    retract_event(org.uow(), retracted, "by mistake", author="cy")
    found = use.cycle_progress(org.uow(), "2024")
    rows = {found.people[r.person_id].handle: r for r in found.rows}
    assert set(rows) == {"bob", "ada", "cy", "dee"}
    assert rows["ada"].submitted == (SELF, MANAGER) and rows["ada"].overdue == ()
    assert (rows["ada"].peers_done, rows["ada"].peers_nominated) == (0, 1)
    assert rows["cy"].submitted == () and rows["cy"].overdue == (SELF,)  # retracted: undone
    assert rows["bob"].overdue == (SELF,)


def test_erasing_a_person_takes_them_out_of_cycles_and_nominations(org):
    use.nominate(org.uow(), "2024", "ada", "cy", author="hr")
    use.nominate(org.uow(), "2024", "cy", "ada", author="hr")
    use.open_cycle(org.uow(), "team", D("2024-01-01"), D("2024-12-31"), team="cy",
                   author="hr")
    erase_person(org.uow(), "cy", author="dpo")
    with org.uow() as uow:
        cycle = uow.reviews.cycle("2024")
        assert len(uow.reviews.participants(cycle.id)) == 3
        assert uow.reviews.nominations(cycle.id) == []
        assert uow.reviews.cycle("team").team_id is None


def test_a_review_event_outside_a_cycle_still_folds(org):
    """An imported review names a cycle this database may never have opened."""
    record_event(org.uow(), "ada", EventKind.REVIEW, D("2024-12-01"),
                 {"cycle": "2019 (imported)", "reviewer_role": "manager", "rating": 2},
                 author="hr")
    shown = use.show(org.uow(), "ada", "2019 (imported)")
    assert shown.reviews["2019 (imported)"]["manager"][0].rating == 2
    with pytest.raises(TrellisError, match=r"^unknown review cycle 'nope'$"):
        use.show(org.uow(), "ada", "nope")
