"""Compensation cycles through the use cases, on SQLite and PostgreSQL.

Today is fixed at 2025-01-10. TINY org (approvals.compensation: skip_level): boss (eng3,
90,000) manages bob (eng3, 80,000), who manages ada (eng1, 45,000) and cy (eng1, 44,000);
dee (eng1, 42,000) reports to cy. Cycle '2025' takes effect on 2025-01-01 with a 3% budget:
bob's team (ada, cy) has a payroll of 89,000 and a budget of 2,670.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from trellis.adapters import tables as t
from trellis.bootstrap import Trellis
from trellis.domain import compensation as rules
from trellis.domain.approvals import Signer
from trellis.domain.compensation import CompCycleStatus, ProposalStatus, RaiseKind
from trellis.domain.events import Compensation, EventKind
from trellis.errors import Conflict, InvalidEvent, LedgerRuleBroken, NotFound, PermissionDenied
from trellis.services import clock, ledger
from trellis.services import compensation as use
from trellis.services.people import add_person, erase_person
from trellis.services.profiles import profile_of

D = date.fromisoformat
MERIT = RaiseKind.MERIT
HR = Signer(None, "hr@example.com", True)
PAY = {"boss": 90_000, "bob": 80_000, "ada": 45_000, "cy": 44_000, "dee": 42_000}


@pytest.fixture
def org(trellis: Trellis, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    for handle, role, manager in (("boss", "eng3", None), ("bob", "eng3", "boss"),
                                  ("ada", "eng1", "bob"), ("cy", "eng1", "bob"),
                                  ("dee", "eng1", "cy")):
        add_person(trellis.uow(), handle, handle.title(), role=role, hired_on=D("2023-01-02"),
                   manager=manager, pay=PAY[handle], currency="EUR", author="hr")
    use.open_cycle(trellis.uow(), "2025", D("2025-01-01"), 3.0, author="hr")
    yield trellis



@contextmanager
def refused(error, command_line: str):
    """pytest.raises, matching the refusal as the command line says it (handles, ids)."""
    with pytest.raises(error) as raised:
        yield raised
    assert re.search(command_line, raised.value.on_command_line()), \
        raised.value.on_command_line()

def who(trellis: Trellis, handle: str) -> Signer:
    return use.signer_for(trellis.uow(), handle)


def comp_events(trellis: Trellis) -> list[tuple[str, int | None, str | None, int | None]]:
    with trellis.uow() as uow:
        out = []
        for p in uow.people.all():
            for e in uow.events.for_person(p.id):
                if isinstance(e.details, Compensation):
                    out.append((p.handle, e.details.amount, e.details.comp_cycle,
                                e.details.proposal))
        return out


def count(trellis: Trellis, table) -> int:
    with trellis.uow() as uow:
        return int(uow.connection.scalar(select(func.count()).select_from(table)))


def test_budget_per_group_is_the_percent_of_the_groups_payroll(org):
    view = use.cycle_view(org.uow(), "2025")
    figures = {view.group_names[g]: (s.payroll, s.budget) for g, s in view.groups.items()}
    assert figures == {"the top group": (90_000, 2_700), "boss's team": (80_000, 2_400),
                       "bob's team": (89_000, 2_670), "cy's team": (42_000, 1_260)}


def test_apply_writes_exactly_the_approved_raises_at_the_effective_date(org):
    bob, boss = who(org, "bob"), who(org, "boss")
    a = use.propose(org.uow(), "2025", "ada", MERIT, percent=3.0, by=bob).proposal
    c = use.propose(org.uow(), "2025", "cy", MERIT, percent=3.0, by=bob).proposal
    d = use.propose(org.uow(), "2025", "dee", MERIT, amount=1_000, by=who(org, "cy")).proposal
    assert (a.amount, c.amount, d.amount) == (1_350, 1_320, 1_000)
    assert [s.approver_id for s in a.steps] == [boss.person_id]  # the skip level
    assert [s.approver_id for s in d.steps] == [bob.person_id]
    assert comp_events(org) == []  # nothing in the ledger before approval
    use.approve(org.uow(), a.id, by=boss)
    use.approve(org.uow(), c.id, by=boss)
    use.decline(org.uow(), d.id, "not this year", by=bob)
    assert comp_events(org) == []  # a cycle's raises wait for the apply
    view = use.cycle_view(org.uow(), "2025")
    team = next(s for g, s in view.groups.items() if view.group_names[g] == "bob's team")
    assert (team.approved, team.proposed, team.remaining) == (2_670, 0, 0)

    events = use.apply_cycle(org.uow(), "2025", author="hr")
    assert [e.effective_on for e in events] == [D("2025-01-01")] * 2
    assert sorted(comp_events(org)) == [("ada", 1_350, "2025", a.id),
                                        ("cy", 1_320, "2025", c.id)]
    with org.uow() as uow:
        ada = uow.people.find("ada")
        assert profile_of(uow, ada).profile.pay == 46_350
    [(cycle, people, proposals)] = use.cycles(org.uow())
    assert (cycle.status, people, proposals) == (CompCycleStatus.APPLIED, 5, 3)
    statuses = {v.person.handle: v.proposal.status for v in use.proposals(org.uow())}
    assert statuses == {"ada": ProposalStatus.APPLIED, "cy": ProposalStatus.APPLIED,
                        "dee": ProposalStatus.DECLINED}
    with pytest.raises(Conflict, match="already applied"):
        use.apply_cycle(org.uow(), "2025", author="hr")


def test_apply_is_all_or_nothing(org, monkeypatch):
    bob, boss = who(org, "bob"), who(org, "boss")
    for handle in ("ada", "cy"):
        p = use.propose(org.uow(), "2025", handle, MERIT, percent=2.0, by=bob).proposal
        use.approve(org.uow(), p.id, by=boss)
    real, calls = use.append_event, []

    def second_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise LedgerRuleBroken("cy: the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(use, "append_event", second_fails)
    events_before = count(org, t.events)
    with pytest.raises(LedgerRuleBroken, match="disk is full"):
        use.apply_cycle(org.uow(), "2025", author="hr")
    assert count(org, t.events) == events_before  # the first raise went with the rest
    [(cycle, _, _)] = use.cycles(org.uow())
    assert cycle.status is CompCycleStatus.OPEN
    assert {v.proposal.status for v in use.proposals(org.uow())} == {ProposalStatus.APPROVED}
    monkeypatch.setattr(use, "append_event", real)
    assert len(use.apply_cycle(org.uow(), "2025", author="hr")) == 2


def test_over_budget_needs_a_reason_and_says_the_figures(org):
    bob = who(org, "bob")
    use.propose(org.uow(), "2025", "ada", MERIT, percent=3.0, by=bob)
    before = count(org, t.comp_proposals)
    with pytest.raises(LedgerRuleBroken) as refused:
        use.propose(org.uow(), "2025", "cy", MERIT, amount=1_400, by=bob)
    assert refused.value.on_command_line() == (
        "over budget: the budget of bob's team is 2,670 (89,000 payroll), 1,350 is already "
        "proposed or approved, and this raise of 1,400 would bring it to 2,750, 80 over: "
        "give --reason to propose it anyway")
    assert str(refused.value).startswith("over budget: the budget of Bob's team is 2,670")
    assert str(refused.value).endswith("80 over: give a reason to propose it anyway")
    assert count(org, t.comp_proposals) == before
    done = use.propose(org.uow(), "2025", "cy", MERIT, amount=1_400, reason="retention",
                       by=bob).proposal
    assert done.over_budget and done.reason == "retention"


def test_outside_the_band_warns_and_needs_a_reason(org):
    bob = who(org, "bob")
    with pytest.raises(LedgerRuleBroken, match=r"new pay €51,750 is above the Engineer I "
                       r"band \(€40,000-€50,000\): give a reason") as refused:
        use.propose(org.uow(), "2025", "ada", RaiseKind.ADJUSTMENT, percent=15.0, by=bob)
    assert refused.value.on_command_line().endswith(": give --reason to propose pay outside "
                                                    "the band")
    assert count(org, t.comp_proposals) == 0
    done = use.propose(org.uow(), "2025", "ada", RaiseKind.ADJUSTMENT, percent=15.0,
                       reason="market", by=bob).proposal
    assert done.band_warning == ("new pay €51,750 is above the Engineer I band "
                                 "(€40,000-€50,000)")


def test_who_may_propose_and_approve(org):
    bob, ada, boss = who(org, "bob"), who(org, "ada"), who(org, "boss")
    with refused(PermissionDenied, "cannot propose their own raise"):
        use.propose(org.uow(), "2025", "ada", MERIT, percent=1.0, by=ada)
    with refused(PermissionDenied, "not in dee's management chain"):
        use.propose(org.uow(), "2025", "dee", MERIT, percent=1.0, by=ada)
    p = use.propose(org.uow(), "2025", "ada", MERIT, percent=1.0, by=bob).proposal
    with refused(PermissionDenied, "bob proposed this raise and cannot approve"):
        use.approve(org.uow(), p.id, by=bob)
    with refused(PermissionDenied, "ada cannot approve their own raise"):
        use.approve(org.uow(), p.id, by=ada)
    with refused(PermissionDenied, "is not cy's to sign"):
        use.approve(org.uow(), p.id, by=who(org, "cy"))
    with refused(NotFound, "^unknown proposal 999$"):
        use.approve(org.uow(), 999, by=boss)
    assert use.approve(org.uow(), p.id, by=boss).proposal.status is ProposalStatus.APPROVED
    with pytest.raises(LedgerRuleBroken, match="is approved: nothing to sign"):
        use.approve(org.uow(), p.id, by=boss)
    with refused(Conflict, "already has proposal"):
        use.propose(org.uow(), "2025", "ada", MERIT, percent=1.0, by=bob)


def test_a_step_with_nobody_in_the_chart_falls_to_hr(org):
    # bob's skip level is boss; boss proposing for bob has no skip level above bob: HR signs
    p = use.propose(org.uow(), "2025", "bob", MERIT, percent=1.0, by=who(org, "boss"))
    [step] = p.proposal.steps
    assert step.approver_id is None
    with pytest.raises(PermissionDenied, match="is HR's"):
        use.approve(org.uow(), p.proposal.id, by=who(org, "ada"))
    assert use.approve(org.uow(), p.proposal.id, by=HR).proposal.status \
        is ProposalStatus.APPROVED


def test_an_off_cycle_raise_is_written_only_once_approved(org):
    bob, boss = who(org, "bob"), who(org, "boss")
    done = use.propose(org.uow(), None, "ada", RaiseKind.ADJUSTMENT, percent=60.0,
                       reason="a counter-offer", by=bob)
    assert done.event is None and done.proposal.status is ProposalStatus.PROPOSED
    assert comp_events(org) == []
    with pytest.raises(Conflict, match="off-cycle raise"):
        use.propose(org.uow(), None, "ada", RaiseKind.ADJUSTMENT, percent=1.0, reason="x",
                    by=bob)
    approved = use.approve(org.uow(), done.proposal.id, by=boss)
    assert approved.proposal.status is ProposalStatus.APPLIED and approved.event is not None
    assert approved.event.effective_on == D("2025-01-10") and approved.event.author == "boss"
    assert comp_events(org) == [("ada", 27_000, None, done.proposal.id)]


def test_closed_and_applied_cycles_refuse_proposals(org):
    bob = who(org, "bob")
    use.set_status(org.uow(), "2025", CompCycleStatus.CLOSED, author="hr")
    with pytest.raises(LedgerRuleBroken, match="is closed: no new proposals"):
        use.propose(org.uow(), "2025", "ada", MERIT, percent=1.0, by=bob)
    with pytest.raises(Conflict, match="already closed"):
        use.set_status(org.uow(), "2025", CompCycleStatus.CLOSED, author="hr")
    use.set_status(org.uow(), "2025", CompCycleStatus.OPEN, author="hr")
    p = use.propose(org.uow(), "2025", "ada", MERIT, percent=1.0, by=bob).proposal
    with pytest.raises(LedgerRuleBroken, match="still await approval"):
        use.apply_cycle(org.uow(), "2025", author="hr")
    use.decline(org.uow(), p.id, "no", by=who(org, "boss"))
    assert use.apply_cycle(org.uow(), "2025", author="hr") == []
    with pytest.raises(LedgerRuleBroken, match="is applied"):
        use.set_status(org.uow(), "2025", CompCycleStatus.OPEN, author="hr")
    with pytest.raises(NotFound, match="unknown compensation cycle 'nope'"):
        use.cycle_view(org.uow(), "nope")


def test_a_cycle_in_the_future_cannot_be_applied_yet(org):
    use.open_cycle(org.uow(), "2026", D("2026-01-01"), 3.0, team="bob", author="hr")
    with pytest.raises(LedgerRuleBroken, match="takes effect on 1 Jan 2026") as early:
        use.apply_cycle(org.uow(), "2026", author="hr")
    assert early.value.on_command_line() == ("compensation cycle '2026' takes effect on "
                                             "2026-01-01: apply it on or after that day")
    [_, (_, people, _)] = use.cycles(org.uow())
    assert people == 3  # ada, cy, dee: everyone under bob


def test_erasure_removes_the_persons_proposals_and_keeps_others_without_them(org):
    bob = who(org, "bob")
    a = use.propose(org.uow(), "2025", "ada", MERIT, percent=1.0, by=bob).proposal
    d = use.propose(org.uow(), "2025", "dee", MERIT, percent=1.0, by=who(org, "cy")).proposal
    use.approve(org.uow(), d.id, by=bob)
    erase_person(org.uow(), "bob", author="hr")
    with org.uow() as uow:
        left = uow.compensation.proposals()
        assert [p.id for p in left] == [a.id, d.id]  # ada's, proposed by bob, stays
        assert left[0].proposer_id is None and left[0].proposed_by == "erased person #2"
        assert left[1].steps[0].decided_by == "erased person #2"
        assert left[1].steps[0].approver_id is None
        assert all(m.person_id != 2 for m in uow.compensation.participants(1))
    erase_person(org.uow(), "ada", author="hr")
    with org.uow() as uow:
        assert [p.id for p in uow.compensation.proposals()] == [d.id]


def test_a_raise_recorded_directly_still_works_for_a_journal(org):
    ledger.record_event(org.uow(), "ada", EventKind.COMPENSATION, D("2025-01-05"),
                        {"compensation_kind": "merit", "percent": 2.0}, author="me")
    assert comp_events(org) == [("ada", None, None, None)]


# --- withdrawing an approved raise before the cycle is applied

def approved_raise(org: Trellis, handle: str = "ada", amount: int = 1_350):
    p = use.propose(org.uow(), "2025", handle, MERIT, amount=amount, by=who(org, "bob"))
    return use.approve(org.uow(), p.proposal.id, by=who(org, "boss")).proposal


def pay_of(org: Trellis, handle: str) -> int | None:
    with org.uow() as uow:
        return profile_of(uow, uow.people.find(handle)).profile.pay


def proposal_rows(org: Trellis) -> list[tuple]:
    with org.uow() as uow:
        return [tuple(r) for r in uow.connection.execute(select(t.comp_proposals)
                                                         .order_by(t.comp_proposals.c.id))]


def test_a_withdrawn_raise_is_not_applied_frees_its_budget_and_says_who_and_why(org):
    bob_team = who(org, "bob").person_id
    withdrawn = approved_raise(org, "ada", 1_350)
    kept = approved_raise(org, "cy", 1_000)
    spend = use.cycle_view(org.uow(), "2025").groups[bob_team]
    assert (spend.approved, spend.remaining) == (2_350, 2_670 - 2_350)
    done = use.withdraw(org.uow(), withdrawn.id, "  the budget was cut  ", by=who(org, "bob"))
    assert done.proposal.status is ProposalStatus.WITHDRAWN
    assert done.proposal.withdrawal == rules.Withdrawal("bob", datetime(2025, 1, 10, 9, 0),
                                                        "the budget was cut")
    [stored] = [v.proposal for v in use.proposals(org.uow()) if v.proposal.id == withdrawn.id]
    assert stored.status is ProposalStatus.WITHDRAWN and stored.withdrawal == \
        done.proposal.withdrawal
    assert [s.decision for s in stored.steps] == ["approved"]  # the signature stays
    view = use.cycle_view(org.uow(), "2025")
    assert (view.groups[bob_team].approved, view.groups[bob_team].remaining) == (1_000, 1_670)
    assert [(r.person.handle, r.proposal.id) for r in view.withdrawn] == [("ada", withdrawn.id)]
    doc = use.view_document(view)
    assert doc["withdrawn"][0]["proposal"]["withdrawal"] == {
        "by": "bob", "at": datetime(2025, 1, 10, 9, 0), "reason": "the budget was cut"}
    again = use.propose(org.uow(), "2025", "ada", MERIT, amount=500, by=who(org, "bob"))
    assert again.proposal.status is ProposalStatus.PROPOSED  # another may be proposed
    use.decline(org.uow(), again.proposal.id, "not this year", by=who(org, "boss"))
    events = use.apply_cycle(org.uow(), "2025", author="hr")
    assert [(e.details.amount, e.details.proposal) for e in events] == [(1_000, kept.id)]
    assert comp_events(org) == [("cy", 1_000, "2025", kept.id)]
    assert pay_of(org, "ada") == PAY["ada"]  # never raised


def test_who_may_withdraw_and_every_refusal_changes_nothing(org):
    p = approved_raise(org)
    before = proposal_rows(org)
    for signer, error, text in (
            (who(org, "ada"), PermissionDenied, "ada cannot withdraw their own raise"),
            (who(org, "cy"), PermissionDenied,
             f"cy may not withdraw proposal {p.id}: its proposer, the proposer's managers "
             "and HR admins do"),
            (who(org, "dee"), PermissionDenied, "may not withdraw")):
        with refused(error, text):
            use.withdraw(org.uow(), p.id, "a reason", by=signer)
    for reason in (None, "", "   "):
        with pytest.raises(InvalidEvent, match="give a reason: why the approved raise is "
                                               "withdrawn"):
            use.withdraw(org.uow(), p.id, reason, by=HR)
    with refused(NotFound, "^unknown proposal 999$"):
        use.withdraw(org.uow(), 999, "x", by=HR)
    assert proposal_rows(org) == before
    # the proposer's own manager (boss, above bob) may; so may HR and the proposer
    assert use.withdraw(org.uow(), p.id, "reorganized", by=who(org, "boss")).proposal.status \
        is ProposalStatus.WITHDRAWN
    with refused(Conflict, f"proposal {p.id} is already withdrawn "
                                       r"\(by boss on 2025-01-10\)"):
        use.withdraw(org.uow(), p.id, "again", by=HR)


def test_a_raise_not_approved_or_already_applied_is_not_withdrawn(org):
    waiting = use.propose(org.uow(), "2025", "ada", MERIT, amount=700, by=who(org, "bob"))
    with refused(LedgerRuleBroken, f"proposal {waiting.proposal.id} is proposed, "
                                               "not approved"):
        use.withdraw(org.uow(), waiting.proposal.id, "x", by=HR)
    use.decline(org.uow(), waiting.proposal.id, "no", by=who(org, "boss"))
    with pytest.raises(LedgerRuleBroken, match="is declined, not approved"):
        use.withdraw(org.uow(), waiting.proposal.id, "x", by=HR)
    applied = approved_raise(org, "cy", 900)
    [event] = use.apply_cycle(org.uow(), "2025", author="hr")
    before = proposal_rows(org)
    with refused(Conflict, f"proposal {applied.id} is already applied: its raise "
                                       rf"is in the ledger \(event {event.id}\): correct it "
                                       "with a new event"):
        use.withdraw(org.uow(), applied.id, "too late", by=HR)
    assert proposal_rows(org) == before
    # the correction after the apply: a retraction, a new event; the proposal stays applied
    ledger.retract_event(org.uow(), event.id, "withdrawn after the apply", author="hr")
    assert pay_of(org, "cy") == PAY["cy"]
    assert [v.proposal.status for v in use.proposals(org.uow())
            if v.proposal.id == applied.id] == [ProposalStatus.APPLIED]


def test_a_row_shows_the_live_proposal_else_the_latest(org):
    first = approved_raise(org, "ada", 1_000)
    use.withdraw(org.uow(), first.id, "reorganized", by=HR)
    second = approved_raise(org, "ada", 800)
    rows = {r.person.handle: r for r in use.cycle_view(org.uow(), "2025").rows}
    assert rows["ada"].proposal.id == second.id  # the live one
    use.withdraw(org.uow(), second.id, "the budget was cut", by=HR)
    rows = {r.person.handle: r for r in use.cycle_view(org.uow(), "2025").rows}
    assert rows["ada"].proposal.id == second.id  # the latest, not the first withdrawn
    view = use.cycle_view(org.uow(), "2025")
    assert [r.proposal.id for r in view.withdrawn] == [first.id, second.id]
