"""Approval chains: who signs each step of a promotion case or a raise, and who may sign
the step waiting now. One rule for both (docs/frameworks.md, "Approvals"), so a case and a
raise read the same chain against the same chart the same way.

Resolving a chain (``framework.approvals.promotion`` / ``.compensation``) against the org
chart as it stands when the case or the proposal is made:

- a ``manager`` step is the person's nearest manager, a ``skip_level`` step the next one up;
- a candidate who is the proposer or the person is skipped: the step goes one level up;
- past the top of the chart the step falls to HR (any HR admin signs it);
- someone met twice signs once: the later duplicate step is dropped; an ``hr`` step is any
  HR admin, so HR, too, signs once (two HR steps, or a step that fell to HR and an ``hr``
  step, are one step).

Pure: the callers feed the chain, the managers nearest first and the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from trellis.errors import LedgerRuleBroken, PermissionDenied, Term, you, your

from .access import User
from .framework import Approver


@dataclass(frozen=True, slots=True)
class Signer:
    """Who acts: a person of the chart (None: an HR account linked to nobody), the label
    the rows keep (an account's email, or a handle on the command line), and whether they
    are an HR admin."""

    person_id: int | None
    label: str
    is_hr: bool = False

    @classmethod
    def of(cls, user: User) -> Signer:
        """A signed-in user: their account's email, person and role."""
        return cls(user.person_id, user.email, user.is_hr)


@dataclass(frozen=True, slots=True)
class Resolved:
    """One step of a resolved chain: the step the chain declares, who signs it (None: any
    HR admin) and whether it fell to HR because the chart had nobody who may sign it."""

    approver: Approver
    person_id: int | None
    fell_to_hr: bool = False


def resolve(chain: Sequence[Approver], managers: Sequence[int], *, person_id: int,
            proposer_id: int | None) -> tuple[Resolved, ...]:
    """Each step's signer, in chain order (see the module's docstring for the rule). An
    empty chain has no steps: the proposer's decision stands."""
    never = {person_id, proposer_id}
    steps: list[Resolved] = []
    seen: set[int | None] = set()  # None: HR
    for approver in chain:
        who: int | None = None
        fell = False
        if approver is not Approver.HR:
            at = 0 if approver is Approver.MANAGER else 1
            while at < len(managers) and managers[at] in never:
                at += 1
            who = managers[at] if at < len(managers) else None
            fell = who is None
        if who in seen:
            continue
        seen.add(who)
        steps.append(Resolved(approver, who, fell))
    return tuple(steps)


# --- signing


@dataclass(frozen=True, slots=True)
class Seat:
    """A step not signed yet, as the signing check sees it."""

    number: int  # 1, 2, ...: as users read it
    approver: Approver
    person_id: int | None  # None: any HR admin
    fell_to_hr: bool = False


@dataclass(frozen=True, slots=True)
class Wording:
    """How a refusal reads for one kind of thing signed. Each is a message (see
    ``trellis.errors``) over the terms ``signer`` ("you"; the signer's label on the command
    line), ``your`` and ``yours`` (the signer's, as "your" and "yours"), ``their`` ("your"
    in words, "their" on the command line), ``are`` ("are" / "is"), ``subject`` ("this
    case"; "case 7"), ``waiting`` (the step waiting: "step 1 (skip-level manager: Cat
    Ng)"; "step 1 (skip_level: cat)") and, for ``later``, ``step`` (the signer's own, later,
    step number)."""

    own: str  # the person it is about tries to sign
    proposer: str  # the proposer tries to sign
    later: str  # the signer's step comes later in the chain
    not_hr: str  # the waiting step is HR's and the signer is not an HR admin
    not_yours: str  # the waiting step is someone else's


def is_proposer(signer: Signer, proposer_id: int | None, proposed_by: str) -> bool:
    """The signer made the proposal: the same person, or the same label (an HR account
    linked to nobody), whatever the case of the letters."""
    if signer.person_id is not None and signer.person_id == proposer_id:
        return True
    return signer.label.strip().lower() == proposed_by.strip().lower()


def may_sign(seat: Seat, signer: Signer) -> bool:
    """The seat is the signer's: an HR step for an HR admin, a person's for that person."""
    if seat.person_id is None:
        return signer.is_hr
    return signer.person_id is not None and signer.person_id == seat.person_id


def check_signer(signer: Signer, unsigned: Iterable[Seat], *, person_id: int,
                 proposer_id: int | None, proposed_by: str, subject: Term,
                 wording: Wording, people: Mapping[int, Term]) -> Seat:
    """The step ``signer`` may sign now, from the steps not signed yet (in chain order),
    or refused with the reason: never the person (PermissionDenied), never the proposer
    (PermissionDenied), in chain order (a later step of theirs: LedgerRuleBroken), a
    person's step only by that person and an HR step only by an HR admin
    (PermissionDenied). The caller refuses first what has nothing left to sign.
    ``people`` names the approvers (``Person.term``)."""
    seats = list(unsigned)
    if not seats:
        raise LedgerRuleBroken("{subject} has no step to sign", subject=subject)
    who = {"signer": you(signer.label), "your": your(signer.label),
           "yours": your(signer.label, "yours"), "their": Term("your", "their"),
           "are": Term("are", "is"), "subject": subject}
    if signer.person_id is not None and signer.person_id == person_id:
        raise PermissionDenied(wording.own, **who)
    if is_proposer(signer, proposer_id, proposed_by):
        raise PermissionDenied(wording.proposer, **who)
    seat = seats[0]
    if may_sign(seat, signer):
        return seat
    name = seat_name(seat, people)
    waiting = Term(f"step {seat.number} ({name.words})", f"step {seat.number} ({name.command})")
    later = next((s for s in seats[1:] if may_sign(s, signer)), None)
    if later is not None:
        raise LedgerRuleBroken(wording.later, step=Term(str(later.number), str(later.number)),
                               waiting=waiting, **who)
    template = wording.not_hr if seat.person_id is None else wording.not_yours
    raise PermissionDenied(template, waiting=waiting, **who)


APPROVER_WORDS = {Approver.MANAGER: "manager", Approver.SKIP_LEVEL: "skip-level manager",
                  Approver.HR: "HR"}


def seat_name(seat: Seat, people: Mapping[int, Term]) -> Term:
    """A step: "skip-level manager: Cat Ng" in words, "skip_level: cat" on the command line;
    "skip_level, an HR admin" (it fell to HR), "an HR admin" (an ``hr`` step)."""
    step = Term(APPROVER_WORDS[seat.approver], seat.approver.value)
    if seat.person_id is None:
        if not seat.fell_to_hr:
            return Term("an HR admin", "an HR admin")
        return Term(f"{step.words}, an HR admin", f"{step.command}, an HR admin")
    found = people.get(seat.person_id)
    if found is None:  # erased
        return Term(f"{step.words}: an erased person", f"{step.command}: #{seat.person_id}")
    return Term(f"{step.words}: {found.words}", f"{step.command}: {found.command}")
