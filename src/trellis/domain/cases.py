"""Promotion cases: how a promotion is decided before the ledger records it.

A case names a person, a target role, who nominated them and why, a pay proposal checked
against the target role's band, an effective date, and the approval steps resolved from
``framework.approvals.promotion`` against the org chart when the case opens. Steps are
signed in chain order; the proposer and the person never sign one; a failing readiness
gate goes past only with an approver's override reason. Only the last approval writes the
``promotion`` event (the service does, in the same transaction). The rules here are pure:
the service feeds them the chart, the case and who is acting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from trellis.errors import InvalidEvent, LedgerRuleBroken, PermissionDenied, Term, you

from . import approvals
from .approvals import Signer
from .framework import Approver, Level, PayBand, Role
from .money import money, money_range
from .timeline import TimelineEntry


class CaseStatus(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    DECLINED = "declined"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class Nominator(StrEnum):
    """Who put the person forward: someone in their management chain, themselves, HR."""

    MANAGER = "manager"
    SELF = "self"
    HR = "hr"


class Decision(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    DEFERRED = "deferred"


@dataclass(frozen=True, slots=True)
class Step:
    position: int  # 1, 2, ...: the order of signing
    approver: Approver  # as the chain declares it
    person_id: int | None  # who signs it; None: any HR admin
    fell_to_hr: bool = False  # the chart had nobody who may sign it
    decision: Decision | None = None
    signed_by: str | None = None
    signer_id: int | None = None
    signed_at: datetime | None = None
    reason: str | None = None  # a decline's or a deferral's reason
    override: str | None = None  # why the approver went past a failing gate

    @property
    def for_hr(self) -> bool:
        return self.person_id is None


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    case_id: int
    author: str
    author_id: int | None
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    person_id: int
    from_role: str
    to_role: str
    nominator: Nominator
    nominated_by: str
    nominator_id: int | None
    justification: str
    pay: int | None
    pay_reason: str | None
    currency: str | None
    effective_on: date
    status: CaseStatus
    steps: tuple[Step, ...]
    opened_at: datetime
    changed_at: datetime
    decided_by: str | None = None
    decision_reason: str | None = None
    event_id: int | None = None  # the promotion event an approval wrote
    comments: tuple[Comment, ...] = ()

    @property
    def pending(self) -> Step | None:
        """The step waiting for a signature (None once the case is decided)."""
        if self.status is not CaseStatus.OPEN:
            return None
        return next((s for s in self.steps if s.decision is None), None)

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.OPEN


# --- opening a case


def resolve_steps(chain: Sequence[Approver], managers: Sequence[int], *, person_id: int,
                  proposer_id: int | None) -> tuple[Step, ...]:
    """The steps of a case, from the chain and the chart (the person's managers, nearest
    first) as they stand when it opens, by the one rule of ``domain.approvals``."""
    return tuple(Step(i, r.approver, r.person_id, r.fell_to_hr) for i, r in enumerate(
        approvals.resolve(chain, managers, person_id=person_id, proposer_id=proposer_id),
        start=1))


def check_target(person: Term, current: Role, current_rank: int, target: Role,
                 target_rank: int, levels: Mapping[str, Level]) -> None:
    """A case is for a role above the current level (any track: diagonal counts).
    ``person`` names whom it is for (``Person.term``); ``levels`` are the framework's, to
    name a role's level by its name."""
    role = Term(target.title, target.id)

    def level(of: Role) -> Term:
        found = levels.get(of.level)
        return found.term if found is not None else Term(of.level, of.level)

    if target.id == current.id:
        raise LedgerRuleBroken("{person} already holds {role}: a case is for a role above "
                               "the current one", person=person, role=role)
    if target_rank < current_rank:
        raise LedgerRuleBroken("a case for a role below the current one is refused: "
                               "{role} ({level}) is below {person}'s {current} ({at})",
                               person=person, role=role, level=level(target),
                               current=Term(current.title, current.id), at=level(current))
    if target_rank == current_rank:
        raise LedgerRuleBroken("{role} ({level}) is at {person}'s current level: a case is "
                               "for a role above it (a lateral move needs no case)",
                               person=person, role=role, level=level(target))


def pay_warning(pay: int | None, role: Role, currency: str | None) -> str | None:
    """A pay proposal outside the target role's band, in words (None: inside, or no band)."""
    band: PayBand | None = role.pay_band
    if pay is None or band is None:
        return None
    if band.min <= pay <= band.max:
        return None
    code = currency or band.currency
    side = "below" if pay < band.min else "above"
    return (f"pay {money(pay, code)} is {side} the {role.title} band "
            f"({money_range(band.min, band.max, code)})")


def check_pay(pay: int | None, role: Role, currency: str | None,
              reason: str | None) -> str | None:
    """Refuse pay outside the band without a reason; returns the warning, if any."""
    warning = pay_warning(pay, role, currency)
    if warning is not None and not (reason and reason.strip()):
        raise InvalidEvent(f"{warning}: a pay proposal outside the band needs "
                           "{pay_reason}", pay_reason=Term("a reason", "a reason (--pay-reason)"))
    return warning


def nominator_of(signer: Signer, person_id: int, chain: Sequence[int]) -> Nominator:
    """Who may nominate: the person, anyone in their management chain, an HR admin."""
    if signer.person_id is not None and signer.person_id == person_id:
        return Nominator.SELF
    if signer.person_id is not None and signer.person_id in chain:
        return Nominator.MANAGER
    if signer.is_hr:
        return Nominator.HR
    raise PermissionDenied("{you} may not nominate this person: the person, their managers "
                           "and HR admins open promotion cases", you=you(signer.label))


# --- signing


WORDING = approvals.Wording(
    own="{signer} may not sign {their} own promotion case",
    proposer="{signer} proposed {subject}: the proposer never signs a step of it",
    later="{subject} is signed in chain order: {waiting} comes before {your} step {step}",
    not_hr="{signer} may not sign {subject}: {waiting} is the one waiting",
    not_yours="{signer} may not sign {subject}: {waiting} is the one waiting")


def is_proposer(case: Case, signer: Signer) -> bool:
    return approvals.is_proposer(signer, case.nominator_id, case.nominated_by)


def subject_of(case: Case) -> Term:
    """A case in a message: "this case" on its page, "case 7" on the command line."""
    return Term("this case", f"case {case.id}")


def step_to_sign(case: Case, signer: Signer, people: Mapping[int, Term]) -> Step:
    """The step ``signer`` may approve, decline or defer now; refused with the reason
    (the check of ``domain.approvals``: chain order, never the person nor the proposer).
    ``people`` names the approvers (``Person.term``)."""
    if not case.is_open:
        raise LedgerRuleBroken(f"{{subject}} is {case.status}: nothing is left to sign",
                               subject=subject_of(case))
    seat = approvals.check_signer(
        signer, (approvals.Seat(s.position, s.approver, s.person_id, s.fell_to_hr)
                 for s in case.steps if s.decision is None),
        person_id=case.person_id, proposer_id=case.nominator_id,
        proposed_by=case.nominated_by, subject=subject_of(case), wording=WORDING,
        people=people)
    return next(s for s in case.steps if s.position == seat.number)


def required_text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidEvent(f"{what} needs a reason")
    return text


def override_reason(steps: Iterable[Step]) -> str | None:
    """The overrides the approvers gave, as the promotion event records them."""
    parts = [f"{s.signed_by}: {s.override}" for s in steps if s.override]
    return "; ".join(parts) or None


def may_see(viewer: Signer, case: Case, chain: Sequence[int]) -> bool:
    """A case carries pay and ratings: the person, their management chain, the case's
    signers and HR admins see it."""
    if viewer.is_hr:
        return True
    me = viewer.person_id
    if me is None:
        return False
    return (me == case.person_id or me in chain or me == case.nominator_id
            or any(s.person_id == me for s in case.steps))


# --- the evidence packet, assembled from the ledger when a case is shown


@dataclass(frozen=True, slots=True)
class PacketItem:
    on: date
    kind: str
    said: Term  # its timeline line, in words and as the command line says it
    event_id: int
    verified_by: str | None

    @property
    def summary(self) -> str:
        return self.said.command


@dataclass(frozen=True, slots=True)
class Packet:
    since: date | None  # the last promotion, or the hire
    verified: tuple[PacketItem, ...]  # micro-progressions someone else vouched for
    unverified: int  # self-reported ones nobody verified yet (not counted as evidence)
    recognitions: tuple[PacketItem, ...]


_NOT_EVIDENCE = frozenset({"recognition", "compensation"})  # listed apart, or pay


def packet_of(entries: Iterable[TimelineEntry], since: date | None) -> Packet:
    """Micro-progressions since ``since`` (live ones: a retracted event is no evidence)
    split into verified and not, and the recognitions, oldest first."""
    verified: list[PacketItem] = []
    recognitions: list[PacketItem] = []
    unverified = 0
    for e in entries:
        if e.event is None or e.retracted_by is not None or e.advance != "micro_progression":
            continue
        if since is not None and e.on < since:
            continue
        item = PacketItem(e.on, e.kind, e.said, e.event.id, e.verified_by)
        if e.kind == "recognition":
            recognitions.append(item)
        elif e.kind in _NOT_EVIDENCE:
            continue
        elif e.verified_by:
            verified.append(item)
        else:
            unverified += 1
    return Packet(since, tuple(verified), unverified, tuple(recognitions))
