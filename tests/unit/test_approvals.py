"""The one approval rule (domain.approvals) that promotion cases and raises share: who
signs each step of a chain, and who may sign the step waiting. Pure: no storage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trellis.domain.approvals import Seat, Signer, Wording, check_signer, resolve
from trellis.domain.framework import Approver
from trellis.errors import LedgerRuleBroken, PermissionDenied, Term

M, SKIP, HR = Approver.MANAGER, Approver.SKIP_LEVEL, Approver.HR
PERSON = 1
WORDS = Wording(own="{signer}: own", proposer="{signer}: proposer",
                later="{subject}: {waiting} before {your} step {step}",
                not_hr="{subject}: {waiting} is HR's, not {yours}",
                not_yours="{subject}: {waiting} is not {yours}")
APPROVERS = {10: Term("Mo Grant", "mgr"), 20: Term("Sky Lane", "sky")}


def signers(chain, managers, proposer):
    return [(r.approver, r.person_id, r.fell_to_hr)
            for r in resolve(chain, managers, person_id=PERSON, proposer_id=proposer)]


@pytest.mark.parametrize(("chain", "managers", "proposer", "expected"), [
    ((SKIP, HR), [10, 20], 10, [(SKIP, 20, False), (HR, None, False)]),  # the default
    ((M, HR), [10, 20], 10, [(M, 20, False), (HR, None, False)]),  # proposer: one up
    ((M, HR), [10], 10, [(M, None, True)]),  # past the top: HR, and HR signs once
    ((M, SKIP), [10, 20], 10, [(M, 20, False)]),  # 20 met twice: the later step dropped
    ((M, SKIP), [10, 20], None, [(M, 10, False), (SKIP, 20, False)]),  # HR proposes
    ((SKIP,), [10, 20, 30], 20, [(SKIP, 30, False)]),  # the skip level proposes
    ((HR, HR, M), [10], 99, [(HR, None, False), (M, 10, False)]),  # two HR steps: one
    ((M,), [], 10, [(M, None, True)]),  # nobody above the person
    ((), [10, 20], 10, []),  # no approval: the proposer's decision stands
])
def test_who_signs_each_step(chain, managers, proposer, expected):
    assert signers(chain, managers, proposer) == expected


chains = st.lists(st.sampled_from(list(Approver)), max_size=5).map(tuple)
charts = st.lists(st.integers(2, 12), max_size=5, unique=True)  # managers, nearest first
proposers = st.one_of(st.none(), st.just(PERSON), st.integers(2, 14))


@given(chains, charts, proposers)
def test_the_proposer_and_the_person_never_sign_and_nobody_signs_twice(chain, managers,
                                                                       proposer):
    steps = resolve(chain, managers, person_id=PERSON, proposer_id=proposer)
    people = [s.person_id for s in steps if s.person_id is not None]
    assert PERSON not in people and proposer not in people
    assert all(p in managers for p in people)  # in the chain, or HR (None)
    assert len(set(people)) == len(people)
    assert sum(1 for s in steps if s.person_id is None) <= 1  # HR, too, signs once
    assert bool(steps) == bool(chain), "only an empty chain has no signature"
    assert all(s.fell_to_hr == (s.person_id is None and s.approver is not HR) for s in steps)
    # each kept step is the nearest allowed manager at its level, in chain order
    for s in steps:
        if s.person_id is not None:
            level = 0 if s.approver is M else 1
            assert managers.index(s.person_id) >= level
            assert all(m in (PERSON, proposer) for m in managers[level:managers.index(
                s.person_id)]), "a candidate is skipped only when they may not sign"


def seats(chain, managers, proposer):
    return [Seat(i, r.approver, r.person_id, r.fell_to_hr) for i, r in enumerate(
        resolve(chain, managers, person_id=PERSON, proposer_id=proposer), start=1)]


def check(signer, waiting, proposer=10, proposed_by="mgr"):
    return check_signer(signer, waiting, person_id=PERSON, proposer_id=proposer,
                        proposed_by=proposed_by, subject=Term("this case", "case 7"),
                        wording=WORDS, people=APPROVERS)


def refusal(kind, signer, waiting, **given):
    """A refusal in both readings: (str(), on_command_line())."""
    with pytest.raises(kind) as raised:
        check(signer, waiting, **given)
    return str(raised.value), raised.value.on_command_line()


def test_the_waiting_step_is_signed_by_its_approver_only():
    """Refused in the signer's words: "you" and approvers by name on a page, labels and
    handles on the command line."""
    waiting = seats((SKIP, HR), [10, 20], 10)
    hr = Signer(None, "hr@x", True)
    # not even as an HR admin
    assert refusal(PermissionDenied, Signer(PERSON, "ada", True), waiting) == (
        "you: own", "ada: own")
    assert refusal(PermissionDenied, Signer(10, "mgr", True), waiting) == (
        "you: proposer", "mgr: proposer")
    assert refusal(PermissionDenied, Signer(None, "HR@x "), waiting, proposer=None,
                   proposed_by="hr@x")[1] == "HR@x : proposer"  # by label
    assert refusal(LedgerRuleBroken, hr, waiting) == (
        "this case: step 1 (skip-level manager: Sky Lane) before your step 2",
        "case 7: step 1 (skip_level: sky) before hr@x's step 2")
    assert refusal(PermissionDenied, Signer(30, "eve"), waiting) == (
        "this case: step 1 (skip-level manager: Sky Lane) is not yours",
        "case 7: step 1 (skip_level: sky) is not eve's")
    assert check(Signer(20, "sky"), waiting).number == 1
    assert refusal(PermissionDenied, Signer(20, "sky"), waiting[1:]) == (
        "this case: step 2 (an HR admin) is HR's, not yours",
        "case 7: step 2 (an HR admin) is HR's, not sky's")
    assert check(hr, waiting[1:]).number == 2
    with pytest.raises(LedgerRuleBroken, match="no step to sign"):
        check(hr, [])


people_signers = st.builds(Signer, st.one_of(st.none(), st.integers(1, 14)),
                           st.sampled_from(["a", "b", "mgr"]), st.booleans())


@given(chains, charts, proposers, st.lists(people_signers, max_size=8))
def test_signing_goes_in_chain_order_and_never_by_the_person_or_the_proposer(
        chain, managers, proposer, attempts):
    waiting = seats(chain, managers, proposer)
    for signer in attempts:
        try:
            seat = check_signer(signer, waiting, person_id=PERSON, proposer_id=proposer,
                                proposed_by="mgr", subject=Term("x", "x"), wording=WORDS,
                                people={})
        except (PermissionDenied, LedgerRuleBroken):
            continue
        assert seat == waiting[0]
        assert signer.person_id not in (PERSON, None) or signer.is_hr
        assert signer.person_id != PERSON and signer.label != "mgr"
        assert proposer is None or signer.person_id != proposer
        assert signer.is_hr if seat.person_id is None else signer.person_id == seat.person_id
        waiting = waiting[1:]
