"""The rules of promotion cases (domain.cases): who signs which step, in which order, and
what a case may ask for. Pure: no storage."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trellis.domain.approvals import Signer
from trellis.domain.cases import (
    Case,
    CaseStatus,
    Decision,
    Nominator,
    check_pay,
    check_target,
    may_see,
    nominator_of,
    pay_warning,
    resolve_steps,
    step_to_sign,
)
from trellis.domain.framework import Approver, Level, PayBand, Role
from trellis.errors import InvalidEvent, LedgerRuleBroken, PermissionDenied, Term

NOW = datetime(2026, 1, 5, 9, 0)
PERSON, MANAGER, SKIP, OTHER = 1, 2, 3, 4
HANDLES = {PERSON: "ada", MANAGER: "bob", SKIP: "cat", OTHER: "dan"}
NAMES = {PERSON: "Ada Lee", MANAGER: "Bob Ray", SKIP: "Cat Ng", OTHER: "Dan Oz"}
PEOPLE = {pid: Term(NAMES[pid], handle) for pid, handle in HANDLES.items()}
ENG2 = Role("eng2", "eng", "L2", "Engineer II", pay_band=PayBand(48000, 54000, 60000, "EUR"))


def case_of(chain=(Approver.SKIP_LEVEL, Approver.HR), proposer=MANAGER, manager=MANAGER,
            skip=SKIP) -> Case:
    managers = [m for m in (manager, skip) if m is not None]  # nearest first
    steps = resolve_steps(chain, managers, person_id=PERSON, proposer_id=proposer)
    label = HANDLES.get(proposer, "hr@x.org") if proposer else "hr@x.org"
    return Case(7, PERSON, "eng1", "eng2", Nominator.MANAGER, label, proposer, "ready",
                48000, None, "EUR", date(2026, 1, 5), CaseStatus.OPEN, steps, NOW, NOW)


def person(pid: int, hr: bool = False) -> Signer:
    return Signer(pid, HANDLES[pid], hr)


HR = Signer(None, "hr@x.org", True)


def sign(case: Case, signer: Signer) -> Case:
    step = step_to_sign(case, signer, PEOPLE)
    signed = replace(step, decision=Decision.APPROVED, signed_by=signer.label,
                     signer_id=signer.person_id)
    steps = tuple(signed if s.position == step.position else s for s in case.steps)
    done = all(s.decision for s in steps)
    return replace(case, steps=steps, status=CaseStatus.APPROVED if done else case.status)


def test_the_default_chain_is_the_skip_level_then_hr():
    case = case_of()
    assert [(s.approver, s.person_id, s.fell_to_hr) for s in case.steps] == [
        (Approver.SKIP_LEVEL, SKIP, False), (Approver.HR, None, False)]


def test_a_step_with_nobody_in_the_chart_falls_to_hr_once():
    case = case_of(skip=None)  # the manager has no manager
    assert [(s.approver, s.person_id, s.fell_to_hr) for s in case.steps] == [
        (Approver.SKIP_LEVEL, None, True)]
    assert step_to_sign(case, HR, PEOPLE).position == 1


def test_the_proposers_own_step_goes_one_level_up_and_signs_once():
    steps = resolve_steps((Approver.MANAGER, Approver.SKIP_LEVEL), [MANAGER, SKIP],
                          person_id=PERSON, proposer_id=MANAGER)
    assert [(s.position, s.approver, s.person_id) for s in steps] == [
        (1, Approver.MANAGER, SKIP)]  # the skip level's own step was a duplicate


def test_the_managers_case_with_manager_then_hr_goes_to_the_skip_level_then_hr():
    steps = resolve_steps((Approver.MANAGER, Approver.HR), [MANAGER, SKIP],
                          person_id=PERSON, proposer_id=MANAGER)
    assert [(s.approver, s.person_id, s.fell_to_hr) for s in steps] == [
        (Approver.MANAGER, SKIP, False), (Approver.HR, None, False)]
    at_the_top = resolve_steps((Approver.MANAGER, Approver.HR), [MANAGER],
                               person_id=PERSON, proposer_id=MANAGER)
    assert [(s.approver, s.person_id, s.fell_to_hr) for s in at_the_top] == [
        (Approver.MANAGER, None, True)]  # past the top: HR, once


def test_an_empty_chain_has_no_steps():
    steps = resolve_steps((), [MANAGER, SKIP], person_id=PERSON, proposer_id=MANAGER)
    assert steps == ()


def test_steps_are_signed_in_chain_order_by_their_approver():
    case = case_of()
    with pytest.raises(LedgerRuleBroken) as early:
        step_to_sign(case, HR, PEOPLE)
    assert str(early.value) == ("this case is signed in chain order: step 1 (skip-level "
                                "manager: Cat Ng) comes before your step 2")
    assert early.value.on_command_line() == ("case 7 is signed in chain order: step 1 "
                                             "(skip_level: cat) comes before hr@x.org's step 2")
    with pytest.raises(PermissionDenied) as other:
        step_to_sign(case, person(OTHER), PEOPLE)
    assert str(other.value) == ("you may not sign this case: step 1 (skip-level manager: "
                                "Cat Ng) is the one waiting")
    assert other.value.on_command_line() == ("dan may not sign case 7: step 1 (skip_level: "
                                             "cat) is the one waiting")
    case = sign(case, person(SKIP))
    with pytest.raises(PermissionDenied):
        step_to_sign(case, person(SKIP), PEOPLE)  # an HR step needs an HR admin
    case = sign(case, HR)
    assert case.status is CaseStatus.APPROVED
    with pytest.raises(LedgerRuleBroken, match="approved: nothing is left to sign"):
        step_to_sign(case, HR, PEOPLE)


def test_the_proposer_and_the_person_never_sign_even_as_hr():
    case = case_of(skip=None)  # one HR step
    with pytest.raises(PermissionDenied) as proposer:
        step_to_sign(case, person(MANAGER, hr=True), PEOPLE)
    assert str(proposer.value) == ("you proposed this case: the proposer never signs a step "
                                   "of it")
    assert proposer.value.on_command_line().startswith("bob proposed case 7: ")
    with pytest.raises(PermissionDenied) as own:
        step_to_sign(case, person(PERSON, hr=True), PEOPLE)
    assert str(own.value) == "you may not sign your own promotion case"
    assert own.value.on_command_line() == "ada may not sign their own promotion case"
    by_label = replace(case, nominator_id=None, nominated_by="HR@x.org")
    with pytest.raises(PermissionDenied, match="proposer"):
        step_to_sign(by_label, HR, PEOPLE)


chains = st.lists(st.sampled_from(list(Approver)), max_size=4).map(tuple)
ids = st.one_of(st.none(), st.sampled_from([PERSON, MANAGER, SKIP, OTHER]))
signers = st.one_of(st.just(HR), st.sampled_from([person(p) for p in HANDLES]),
                    st.sampled_from([person(p, hr=True) for p in HANDLES]))


@given(chains, ids, ids, ids, st.lists(signers, max_size=8))
def test_whatever_the_chart_nobody_signs_for_themselves_or_their_own_proposal(
        chain, manager, skip, proposer, attempts):
    case = case_of(chain, proposer=proposer, manager=manager, skip=skip)
    assert bool(case.steps) == bool(chain), "only an empty chain has no signature"
    signers_seen = [s.person_id for s in case.steps]
    assert PERSON not in signers_seen and (proposer is None or proposer not in signers_seen)
    assert len(set(signers_seen)) == len(signers_seen)
    for signer in attempts:
        try:
            waiting = case.pending
            case = sign(case, signer)
        except (PermissionDenied, LedgerRuleBroken):
            continue
        assert waiting is not None
        assert signer.person_id != PERSON and signer.person_id != proposer
        assert signer.is_hr if waiting.for_hr else signer.person_id == waiting.person_id
        signed = [s.position for s in case.steps if s.decision]
        assert signed == list(range(1, len(signed) + 1))  # in chain order, no gaps


def test_a_case_is_for_a_role_above_the_current_one():
    eng1 = Role("eng1", "eng", "L1", "Engineer I")
    eng3 = Role("eng3", "eng", "L3", "Senior Engineer")
    des1 = Role("des1", "design", "L1", "Designer I")
    ada = PEOPLE[PERSON]
    levels = {f"L{n}": Level(f"L{n}", name, n) for n, name in ((1, "One"), (2, "Two"),
                                                                (3, "Three"))}
    check_target(ada, eng1, 1, ENG2, 2, levels)
    with pytest.raises(LedgerRuleBroken) as below:
        check_target(ada, eng3, 3, ENG2, 2, levels)
    assert str(below.value) == ("a case for a role below the current one is refused: "
                                "Engineer II (Two) is below Ada Lee's Senior Engineer (Three)")
    assert below.value.on_command_line() == ("a case for a role below the current one is "
                                             "refused: eng2 (L2) is below ada's eng3 (L3)")
    with pytest.raises(LedgerRuleBroken, match="at Ada Lee's current level"):
        check_target(ada, eng1, 1, des1, 1, levels)
    with pytest.raises(LedgerRuleBroken, match="already holds"):
        check_target(ada, eng1, 1, eng1, 1, levels)


@given(st.integers(min_value=0, max_value=200_000))
def test_pay_outside_the_band_warns_and_needs_a_reason(pay):
    inside = 48000 <= pay <= 60000
    assert (pay_warning(pay, ENG2, "EUR") is None) == inside
    if inside:
        assert check_pay(pay, ENG2, "EUR", None) is None
        return
    with pytest.raises(InvalidEvent, match="needs a reason"):
        check_pay(pay, ENG2, "EUR", "  ")
    assert check_pay(pay, ENG2, "EUR", "market rate") == pay_warning(pay, ENG2, "EUR")


def test_no_band_no_check():
    assert check_pay(10**9, Role("x", "t", "L", "X"), None, None) is None


def test_who_nominates_and_who_sees():
    chain = [MANAGER, SKIP]
    assert nominator_of(person(PERSON), PERSON, chain) is Nominator.SELF
    assert nominator_of(person(SKIP), PERSON, chain) is Nominator.MANAGER
    assert nominator_of(HR, PERSON, chain) is Nominator.HR
    with pytest.raises(PermissionDenied):
        nominator_of(person(OTHER), PERSON, chain)
    case = case_of()
    assert all(may_see(s, case, chain) for s in (person(PERSON), person(MANAGER),
                                                   person(SKIP), HR))
    assert not may_see(person(OTHER), case, chain)
    assert not may_see(Signer(None, "someone"), case, chain)
