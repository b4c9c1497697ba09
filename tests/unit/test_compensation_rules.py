"""The pure rules of compensation cycles: budgets, pay bands, the approval chain."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trellis.domain import compensation as rules
from trellis.domain.approvals import Signer
from trellis.domain.compensation import (
    CompCycle,
    CompCycleStatus,
    Participant,
    Proposal,
    ProposalStatus,
    RaiseKind,
    Step,
)
from trellis.domain.framework import Approver, PayBand
from trellis.errors import Conflict, InvalidEvent, LedgerRuleBroken, PermissionDenied, Term

NOW = datetime(2025, 1, 10)
BAND = PayBand(40_000, 45_000, 50_000, "EUR")
TEAM = Term("Bob Ray's team", "bob's team")


def cycle(percent: float) -> CompCycle:
    return CompCycle(1, "c", date(2025, 1, 1), percent, None, CompCycleStatus.OPEN, "hr",
                     NOW, NOW)


def proposal(pid: int, person: int, amount: int, status: ProposalStatus,
             steps: tuple[Step, ...] = (), proposer: int | None = 100) -> Proposal:
    return Proposal(pid, 1, person, RaiseKind.MERIT, amount, None, 40_000, None, status,
                    "mgr", proposer, NOW, steps)


pays = st.lists(st.integers(1, 500_000), min_size=1, max_size=30)
percents = st.floats(0.1, 20.0)


@given(pays, percents, st.data())
def test_a_group_spends_the_raises_of_its_live_proposals_against_its_share_of_payroll(
        pay, percent, data):
    members = [Participant(i, i % 3, p, "EUR") for i, p in enumerate(pay)]
    statuses = st.sampled_from(list(ProposalStatus))
    props = [proposal(i, m.person_id, data.draw(st.integers(-5_000, 20_000)),
                      data.draw(statuses)) for i, m in enumerate(members)]
    spend = rules.group_spend(cycle(percent), members, props)
    for group, s in spend.items():
        payroll = sum(m.pay for m in members if m.group_id == group)
        assert s.payroll == payroll
        assert s.budget == round(payroll * percent / 100)
        live = [max(p.amount, 0) for p in props if members[p.person_id].group_id == group
                and p.status not in (ProposalStatus.DECLINED, ProposalStatus.WITHDRAWN)]
        assert s.spent == sum(live) and s.remaining == s.budget - sum(live)


@given(st.integers(0, 1_000_000), st.integers(0, 1_000_000), st.integers(-1_000, 100_000))
def test_over_budget_is_refused_without_a_reason_and_flagged_with_one(budget, spent, amount):
    s = rules.GroupSpend(7, budget * 30, budget, spent, 0)
    over = spent + max(amount, 0) > budget
    if over:
        with pytest.raises(LedgerRuleBroken, match=f"budget of Bob Ray's team is {budget:,} "
                           ) as refused:
            rules.check_budget(s, amount, None, TEAM)
        assert f"the budget of bob's team is {budget:,} " in refused.value.on_command_line()
    else:
        assert rules.check_budget(s, amount, None, TEAM) is False
    assert rules.check_budget(s, amount, "retention", TEAM) is over


@given(st.integers(0, 100_000))
def test_pay_outside_the_band_warns_and_needs_a_reason(pay):
    inside = BAND.min <= pay <= BAND.max
    assert (rules.band_warning(pay, BAND, "eng1") is None) is inside
    if inside:
        assert rules.check_band(pay, BAND, "eng1", None) is None
        assert 0 <= rules.band_position(pay, BAND) <= 1  # type: ignore[operator]
    else:
        with pytest.raises(LedgerRuleBroken, match="give a reason") as refused:
            rules.check_band(pay, BAND, "eng1", None)
        assert "give --reason" in refused.value.on_command_line()
        assert rules.check_band(pay, BAND, "eng1", "market") is not None
    assert rules.check_band(pay, None, "eng1", None) is None  # a role without a band


def test_band_position_and_raise_amounts_by_hand():
    assert rules.band_position(45_000, BAND) == 0.5
    assert rules.band_position(55_000, BAND) == 1.5
    assert rules.raise_amount(45_000, None, 3.0) == 1_350
    assert rules.raise_amount(45_000, 500, None) == 500
    with pytest.raises(InvalidEvent, match="exactly one"):
        rules.raise_amount(45_000, 500, 3.0)
    with pytest.raises(InvalidEvent, match="below zero"):
        rules.raise_amount(45_000, -46_000, None)


@pytest.mark.parametrize("text", ["three", "", "nan", "inf", "-60", "101", "true", "0"])
def test_a_percent_that_is_not_a_plausible_number_is_refused(text):
    with pytest.raises(InvalidEvent, match="raise") as refused:
        rules.percent_from_text(text)
    assert refused.value.on_command_line().startswith("--percent ")
    assert "--" not in str(refused.value)


def test_amounts_and_budgets_from_text():
    assert rules.amount_from_text("1,500") == 1_500
    assert rules.budget_percent_from_text("3.5") == 3.5
    for bad in ("1.5", "x", "0"):
        with pytest.raises(InvalidEvent, match="amount") as refused:
            rules.amount_from_text(bad)
        assert refused.value.on_command_line().startswith("--amount ")
    for bad in ("0", "-1", "x", "101"):
        with pytest.raises(InvalidEvent, match="budget") as refused:
            rules.budget_percent_from_text(bad)
        assert refused.value.on_command_line().startswith("--budget-percent ")


M, SKIP, HR = Approver.MANAGER, Approver.SKIP_LEVEL, Approver.HR


@pytest.mark.parametrize(("chain", "managers", "proposer", "signers"), [
    ((SKIP,), [10, 20, 30], 10, [(SKIP, 20)]),  # the manager proposes, the skip level signs
    ((M, SKIP), [10, 20], 99, [(M, 10), (SKIP, 20)]),  # HR proposes: manager, skip level
    ((M, SKIP), [10, 20], 10, [(M, 20)]),  # one level up; the skip level signs once
    ((M, SKIP), [10, 20, 30], 20, [(M, 10), (SKIP, 30)]),  # the skip level proposes
    ((SKIP, HR), [10], 10, [(SKIP, None)]),  # no skip level in the chart: HR, once
    ((M, HR), [10, 20], 10, [(M, 20), (HR, None)]),  # the manager proposes
    ((M,), [], None, [(M, None)]),  # nobody above: HR
    ((HR, HR), [10], None, [(HR, None)]),  # two HR steps are one
    ((), [10, 20], 10, []),  # an empty chain: no approval
])
def test_who_signs_each_step(chain, managers, proposer, signers):
    steps = rules.resolve_chain(chain, managers, person_id=5, proposer_id=proposer)
    assert [(s.approver, s.approver_id) for s in steps] == signers
    assert [s.index for s in steps] == list(range(len(signers)))


@given(st.lists(st.sampled_from(list(Approver)), max_size=4),
       st.lists(st.integers(1, 50), max_size=5, unique=True), st.integers(1, 60))
def test_the_proposer_never_signs_a_step(chain, managers, proposer):
    steps = rules.resolve_chain(chain, managers, person_id=99, proposer_id=proposer)
    assert all(s.approver_id != proposer for s in steps)
    assert all(s.approver_id is None or s.approver_id in managers for s in steps)


def test_only_the_steps_signer_may_sign():
    steps = (Step(0, SKIP, 20), Step(1, HR, None))
    p = proposal(1, 5, 1_000, ProposalStatus.PROPOSED, steps, proposer=10)
    hr = Signer(None, "hr@x", True)
    ada = Term("Ada Lee", "ada")
    for signer, words, command in (
            (Signer(5, "ada", False), "you cannot approve your own raise",
             "ada cannot approve their own raise"),
            (Signer(10, "mgr", False), "you proposed this raise and cannot approve it",
             "mgr proposed this raise and cannot approve it"),
            (Signer(30, "eve", False), "step 1 (skip-level manager: an erased person) of the "
             "raise for Ada Lee is not yours to sign", "step 1 (skip_level: #20) of proposal "
             "1 for ada is not eve's to sign")):
        with pytest.raises(PermissionDenied) as refused:
            rules.check_signer(p, signer, ada)
        assert str(refused.value).startswith(words)
        assert refused.value.on_command_line().startswith(command)
    # a manager's step is theirs, not HR's: HR's own step comes after it
    with pytest.raises(LedgerRuleBroken) as early:
        rules.check_signer(p, hr, ada, {20: Term("Sky Lane", "sky")})
    assert str(early.value) == ("the raise for Ada Lee is signed in chain order: step 1 "
                                "(skip-level manager: Sky Lane) comes before your step 2")
    assert early.value.on_command_line() == ("proposal 1 for ada is signed in chain order: "
                                             "step 1 (skip_level: sky) comes before hr@x's "
                                             "step 2")
    assert rules.check_signer(p, Signer(20, "sky", False), ada).index == 0
    signed = replace(p, steps=(Step(0, SKIP, 20, "sky", "approved"), steps[1]))
    with pytest.raises(PermissionDenied) as not_hr:
        rules.check_signer(signed, Signer(20, "sky", False), ada)
    assert str(not_hr.value) == ("step 2 (an HR admin) of the raise for Ada Lee is HR's: you "
                                 "are not an HR admin")
    assert not_hr.value.on_command_line() == ("step 2 (an HR admin) of proposal 1 for ada is "
                                              "HR's: sky is not an HR admin")
    assert rules.check_signer(signed, hr, ada).index == 1


def test_proposals_are_seen_by_hr_the_chain_and_the_person_once_applied():
    p = proposal(1, 5, 1_000, ProposalStatus.APPROVED)
    assert rules.may_see(Signer(None, "hr", True), p, [10, 20])
    assert rules.may_see(Signer(20, "sky", False), p, [10, 20])
    assert not rules.may_see(Signer(30, "eve", False), p, [10, 20])
    assert not rules.may_see(Signer(5, "ada", False), p, [10, 20])
    applied = proposal(1, 5, 1_000, ProposalStatus.APPLIED)
    assert rules.may_see(Signer(5, "ada", False), applied, [10, 20])


# --- withdrawing an approved raise

def test_who_may_withdraw_an_approved_raise():
    p = proposal(7, 1, 1_000, ProposalStatus.APPROVED, proposer=100)  # 100 proposed for 1
    above_proposer = [200, 300]
    for ok in (Signer(100, "mgr"), Signer(200, "skip"), Signer(300, "vp"),
               Signer(None, "hr@example.com", True), Signer(55, "other-hr", True)):
        rules.check_withdrawer(p, ok, above_proposer)
    for no, words, command in (
            (Signer(1, "ada"), "you cannot withdraw your own raise",
             "ada cannot withdraw their own raise"),
            (Signer(1, "ada", True), "you cannot withdraw your own raise",
             "ada cannot withdraw their own raise"),
            (Signer(55, "peer"), "you may not withdraw this raise: its proposer, the "
             "proposer's managers and HR admins do", "peer may not withdraw proposal 7: its "
             "proposer, the proposer's managers and HR admins do"),
            (Signer(None, "someone@example.com"), "you may not withdraw this raise",
             "someone@example.com may not withdraw proposal 7")):
        with pytest.raises(PermissionDenied) as refused:
            rules.check_withdrawer(p, no, above_proposer)
        assert str(refused.value).startswith(words)
        assert refused.value.on_command_line().startswith(command)
    by_hr_account = replace(p, proposer_id=None, proposed_by="hr@example.com")
    rules.check_withdrawer(by_hr_account, Signer(None, "hr@example.com"), [])


def test_only_an_approved_unapplied_raise_is_withdrawn():
    rules.check_withdrawable(proposal(1, 1, 500, ProposalStatus.APPROVED))
    applied = replace(proposal(2, 1, 500, ProposalStatus.APPLIED), event_id=41)
    gone = replace(proposal(3, 1, 500, ProposalStatus.WITHDRAWN),
                   withdrawal=rules.Withdrawal("mgr", NOW, "budget cut"))
    for p, error, text in (
            (proposal(4, 1, 500, ProposalStatus.PROPOSED), LedgerRuleBroken,
             "proposal 4 is proposed, not approved: only an approved raise is withdrawn "
             "\\(decline it instead\\)"),
            (proposal(5, 1, 500, ProposalStatus.DECLINED), LedgerRuleBroken,
             "proposal 5 is declined, not approved"),
            (applied, Conflict, "proposal 2 is already applied: its raise is in the ledger "
                                "\\(event 41\\): correct it with a new event"),
            (gone, Conflict, f"proposal 3 is already withdrawn \\(by mgr on {NOW:%Y-%m-%d}\\)")):
        with pytest.raises(error) as refused:
            rules.check_withdrawable(p)
        assert re.match(text, refused.value.on_command_line())
        assert not re.search(r"proposal \d|event \d|by mgr", str(refused.value))
