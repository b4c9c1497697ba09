"""Compensation cycles and raise proposals: budgets, pay bands and the approval chain.

A **cycle** (name, effective date, a budget as a percent of payroll) covers everyone
active with a known base pay when it opens, in the whole organization or under one
manager. Its budget is spent per **group**: a manager's direct reports (the people that
manager proposes raises for); people without a manager form the top group, whose raises HR
proposes. Each group's payroll is the base pay of its members when the cycle opened, and
its budget is that payroll times the cycle's percent.

A **proposal** is one raise for one person: a kind (merit, adjustment, promotion raise), an
amount or a percent of base pay, and a reason. It is checked against the person's role pay
band (outside it: a warning, and a reason is required) and against its group's budget
(over it without a reason: refused). It is then approved step by step, in the order the
framework's ``approvals.compensation`` chain says; only an approved proposal becomes a
``compensation`` event (when its cycle is applied, or at once for an off-cycle raise).

An approved proposal that waits for its cycle's apply may be **withdrawn** (a budget cut, a
resignation, a mistake found late): by its proposer, anyone above the proposer in the chart,
or an HR admin, never by the person it is for, always with a reason. The proposal keeps its
figures and its signatures and becomes ``withdrawn``, with who withdrew it, when and why;
its amount no longer counts against the group's budget, and another raise may be proposed.

Once applied, a raise is a ``compensation`` event in the ledger and is no longer withdrawn:
the ledger is append-only and the event has already changed the person's pay in every
profile, report and export since its date. A mistake found after the apply is corrected
by a new event: a retraction of the raise (``trellis retract EVENT --reason``; both stay in
the ledger, attributable) or a further ``compensation`` event that changes the pay again.
The proposal then stays ``applied``: it records what was decided, and the ledger records
what was corrected.

The rules here are pure: the service feeds them rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from trellis.errors import Conflict, InvalidEvent, LedgerRuleBroken, PermissionDenied, Term, you

from . import approvals
from .approvals import Signer
from .events import shown
from .framework import Approver, PayBand
from .limits import MONEY_MAX
from .money import money, money_range

PERCENT_LOW, PERCENT_HIGH = -50.0, 100.0  # as a compensation event allows: (-50, 100]
BUDGET_PERCENT_MAX = 100.0


class CompCycleStatus(StrEnum):
    OPEN = "open"  # proposals are made and approved
    CLOSED = "closed"  # no new proposals; approvals go on
    APPLIED = "applied"  # the approved raises are in the ledger; nothing changes any more


class RaiseKind(StrEnum):
    MERIT = "merit"
    ADJUSTMENT = "adjustment"
    PROMOTION = "promotion"  # the raise that comes with a promotion


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"  # awaiting a step of the chain
    APPROVED = "approved"  # every step signed; in a cycle, waiting for the cycle's apply
    DECLINED = "declined"
    APPLIED = "applied"  # its compensation event is written
    WITHDRAWN = "withdrawn"  # approved, then withdrawn before its cycle was applied


LIVE = frozenset({ProposalStatus.PROPOSED, ProposalStatus.APPROVED, ProposalStatus.APPLIED})


@dataclass(frozen=True, slots=True)
class CompCycle:
    id: int
    name: str
    effective_on: date
    budget_percent: float
    team_id: int | None  # None: the whole organization
    status: CompCycleStatus
    opened_by: str
    opened_at: datetime
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone in a cycle, as they stood when it opened."""

    person_id: int
    group_id: int | None  # their manager then (None: the top group)
    pay: int
    currency: str | None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a proposal's chain: who must sign (``approver_id``; None: any HR admin)
    and, once signed, by whom and how."""

    index: int
    approver: Approver  # the step the chain declares
    approver_id: int | None  # the person who signs; None: it falls to HR
    decided_by: str | None = None
    decision: str | None = None  # approved | declined
    reason: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Who withdrew an approved raise (a handle or an account's email), when and why."""

    by: str
    at: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    cycle_id: int | None  # None: an off-cycle raise
    person_id: int
    kind: RaiseKind
    amount: int  # the change of base pay, in the pay's currency
    percent: float | None  # as proposed, when given as a percent
    pay_before: int
    reason: str | None
    status: ProposalStatus
    proposed_by: str  # who proposed (a handle or an account's email)
    proposer_id: int | None  # the proposer's person, when they are one
    proposed_at: datetime
    steps: tuple[Step, ...]
    event_id: int | None = None  # the compensation event, once applied
    band_warning: str | None = None
    over_budget: bool = False
    withdrawal: Withdrawal | None = None  # once withdrawn

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.decision is None), None) \
            if self.status is ProposalStatus.PROPOSED else None


# --- parsing what users type


def percent_from_text(raw: object, field: str = "percent") -> float:
    """A raise's percent: a finite number in (-50, 100]."""
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(raw)  # type: ignore[arg-type]  # str, int or float, checked by float()
    except (TypeError, ValueError):
        raise InvalidEvent(f"{{{field}}} must be a number, got {shown(raw)}",
                           **{field: "the raise in percent"}) from None
    if not math.isfinite(value) or not PERCENT_LOW < value <= PERCENT_HIGH:
        raise InvalidEvent(f"{{{field}}} {value:g} is not a plausible change (it must be above "
                           f"{PERCENT_LOW:g} and at most {PERCENT_HIGH:g})",
                           **{field: "a raise of"})
    if value == 0:
        raise InvalidEvent(f"{{{field}}} 0 is no change", **{field: "a raise of"})
    return value


def amount_from_text(raw: object, field: str = "amount") -> int:
    """A raise's amount: a whole number of currency units, not zero."""
    text = str(raw).strip().replace(",", "").replace("_", "") if not isinstance(raw, bool) \
        else ""
    try:
        value = int(text)
    except ValueError:
        raise InvalidEvent(f"{{{field}}} must be a whole number, got {shown(raw)}",
                           **{field: "the amount"}) from None
    if value == 0:
        raise InvalidEvent(f"{{{field}}} 0 is no change", **{field: "an amount of"})
    if not -MONEY_MAX <= value <= MONEY_MAX:
        raise InvalidEvent(f"{{{field}}} must be between {-MONEY_MAX:,} and {MONEY_MAX:,}",
                           **{field: "the amount"})
    return value


def budget_percent_from_text(raw: object) -> float:
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidEvent(f"{{budget_percent}} must be a number, got {shown(raw)}",
                           budget_percent="the budget") from None
    if not math.isfinite(value) or not 0 < value <= BUDGET_PERCENT_MAX:
        raise InvalidEvent(f"{{budget_percent}} {value:g}% must be above 0 and at most "
                           f"{BUDGET_PERCENT_MAX:g}%", budget_percent="a budget of")
    return value


# --- the rules


def raise_amount(pay: int, amount: int | None, percent: float | None) -> int:
    """The change of base pay a proposal means: an amount as given, a percent of ``pay``."""
    if (amount is None) == (percent is None):
        raise InvalidEvent("give exactly one of {percent} or {amount}",
                           percent="a raise in percent", amount="an amount")
    if amount is not None:
        if pay + amount < 0:
            raise InvalidEvent(f"an amount of {amount:,} would take pay {pay:,} below zero")
        return amount
    assert percent is not None
    return round(pay * percent / 100)


def budget_of(payroll: int, percent: float) -> int:
    return round(payroll * percent / 100)


@dataclass(frozen=True, slots=True)
class GroupSpend:
    group_id: int | None
    payroll: int
    budget: int
    proposed: int  # awaiting approval
    approved: int  # approved or applied

    @property
    def spent(self) -> int:
        return self.proposed + self.approved

    @property
    def remaining(self) -> int:
        return self.budget - self.spent


def group_spend(cycle: CompCycle, participants: Iterable[Participant],
                proposals: Iterable[Proposal]) -> dict[int | None, GroupSpend]:
    """Each group's payroll, budget and what its live proposals spend. Only raises count
    against a budget: a cut frees nothing (it is not a way to fund someone else)."""
    members: dict[int, int | None] = {}
    payroll: dict[int | None, int] = {}
    for p in participants:
        members[p.person_id] = p.group_id
        payroll[p.group_id] = payroll.get(p.group_id, 0) + p.pay
    proposed: dict[int | None, int] = dict.fromkeys(payroll, 0)
    approved: dict[int | None, int] = dict.fromkeys(payroll, 0)
    for x in proposals:
        if x.cycle_id != cycle.id or x.status not in LIVE or x.person_id not in members:
            continue
        group = members[x.person_id]
        into = proposed if x.status is ProposalStatus.PROPOSED else approved
        into[group] += max(x.amount, 0)
    return {g: GroupSpend(g, pay, budget_of(pay, cycle.budget_percent), proposed[g],
                          approved[g]) for g, pay in payroll.items()}


def check_budget(spend: GroupSpend, amount: int, reason: str | None, group: Term) -> bool:
    """Whether a raise of ``amount`` takes the group over its budget; over it without a
    reason is refused, naming the figures (and ``group``: "Ada Lovelace's team")."""
    after = spend.spent + max(amount, 0)
    if after <= spend.budget:
        return False
    if not reason:
        raise LedgerRuleBroken(
            f"over budget: the budget of {{group}} is {spend.budget:,} ({spend.payroll:,} "
            f"payroll), {spend.spent:,} is already proposed or approved, and this raise of "
            f"{amount:,} would bring it to {after:,}, {after - spend.budget:,} over: give "
            "{reason} to propose it anyway", reason="a reason", group=group)
    return True


def band_position(pay: int, band: PayBand | None) -> float | None:
    """Where pay sits in its band: 0 at the minimum, 1 at the maximum (outside: below 0 or
    above 1); None without a band."""
    if band is None:
        return None
    if band.max == band.min:
        return 0.0 if pay == band.min else (math.inf if pay > band.max else -math.inf)
    return (pay - band.min) / (band.max - band.min)


def band_warning(new_pay: int, band: PayBand | None, role: str) -> str | None:
    """A warning when new pay falls outside the role's band (None inside it, or no band)."""
    if band is None:
        return None
    if band.min <= new_pay <= band.max:
        return None
    side = "below" if new_pay < band.min else "above"
    return (f"new pay {money(new_pay, band.currency)} is {side} the {role} band "
            f"({money_range(band.min, band.max, band.currency)})")


def check_band(new_pay: int, band: PayBand | None, role: str, reason: str | None
               ) -> str | None:
    """The band warning; outside the band a reason is required."""
    warning = band_warning(new_pay, band, role)
    if warning and not reason:
        raise LedgerRuleBroken(f"{warning}: give {{reason}} to propose pay outside the band",
                               reason="a reason")
    return warning


def resolve_chain(chain: Sequence[Approver], managers: Sequence[int], *, person_id: int,
                  proposer_id: int | None) -> tuple[Step, ...]:
    """Who signs each step, from the person's managers (nearest first), by the one rule of
    ``domain.approvals`` (``approver_id`` None: any HR admin)."""
    return tuple(Step(i, r.approver, r.person_id) for i, r in enumerate(
        approvals.resolve(chain, managers, person_id=person_id, proposer_id=proposer_id)))


WORDING = approvals.Wording(
    own="{signer} cannot approve {their} own raise",
    proposer="{signer} proposed this raise and cannot approve it: someone else in the chain "
             "must",
    later="{subject} is signed in chain order: {waiting} comes before {your} step {step}",
    not_hr="{waiting} of {subject} is HR's: {signer} {are} not an HR admin",
    not_yours="{waiting} of {subject} is not {yours} to sign")


def subject_of(proposal: Proposal, person: Term | None = None) -> Term:
    """A proposal in a message: "the raise for Ada Lovelace" ("this raise") in words,
    "proposal 7 for ada" ("proposal 7") on the command line."""
    if person is None:
        return Term("this raise", f"proposal {proposal.id}")
    return Term(f"the raise for {person.words}", f"proposal {proposal.id} for {person.command}")


def check_signer(proposal: Proposal, signer: Signer, person: Term | None = None,
                 people: Mapping[int, Term] | None = None) -> Step:
    """The step ``signer`` may sign now; refused with the reason (the check of
    ``domain.approvals``: chain order, never the person nor the proposer, an HR step
    only by an HR admin). ``person`` names whom the raise is for, ``people`` the
    approvers (``Person.term``)."""
    if proposal.next_step is None:
        raise LedgerRuleBroken(f"{{subject}} is {proposal.status}: nothing to sign",
                               subject=subject_of(proposal))
    # A step with no approver that is not an ``hr`` step fell to HR (or its approver was
    # erased): the rows keep no flag for it.
    seat = approvals.check_signer(
        signer, (approvals.Seat(s.index + 1, s.approver, s.approver_id,
                                s.approver_id is None and s.approver is not Approver.HR)
                 for s in proposal.steps if s.decision is None),
        person_id=proposal.person_id, proposer_id=proposal.proposer_id,
        proposed_by=proposal.proposed_by,
        subject=subject_of(proposal, person), wording=WORDING, people=people or {})
    return next(s for s in proposal.steps if s.index + 1 == seat.number)


def may_see(viewer: Signer, proposal: Proposal, managers: Sequence[int]) -> bool:
    """Proposals are pay: HR, the person's management chain, and the person once it is
    applied."""
    if viewer.is_hr:
        return True
    if viewer.person_id is None:
        return False
    if viewer.person_id == proposal.person_id:
        return proposal.status is ProposalStatus.APPLIED
    return viewer.person_id in managers


def check_withdrawer(proposal: Proposal, by: Signer, proposer_managers: Sequence[int]
                     ) -> None:
    """Whether ``by`` may withdraw ``proposal``: its proposer, anyone above the proposer in
    the chart (``proposer_managers``), or an HR admin; never the person the raise is for.
    Refused with who may (not naming whom the raise is for: pay is private)."""
    if by.person_id is not None and by.person_id == proposal.person_id:
        raise PermissionDenied("{you} cannot withdraw {their} own raise", you=you(by.label),
                               their=Term("your", "their"))
    proposer = (by.person_id is not None and by.person_id == proposal.proposer_id) or (
        proposal.proposer_id is None and by.label == proposal.proposed_by)
    if by.is_hr or proposer or (by.person_id is not None
                                and by.person_id in proposer_managers):
        return
    raise PermissionDenied("{you} may not withdraw {subject}: its proposer, the proposer's "
                           "managers and HR admins do", you=you(by.label),
                           subject=subject_of(proposal))


def check_withdrawable(proposal: Proposal) -> None:
    """Only an approved raise that is not yet applied is withdrawn; each other state is
    refused in its own words."""
    status = proposal.status
    if status is ProposalStatus.APPROVED:
        return
    if status is ProposalStatus.WITHDRAWN:
        w = proposal.withdrawal
        raise Conflict("{subject} is already withdrawn{when}", subject=subject_of(proposal),
                       when=Term(f" on {w.at:%Y-%m-%d}", f" (by {w.by} on {w.at:%Y-%m-%d})")
                       if w else Term("", ""))
    if status is ProposalStatus.APPLIED:
        raise Conflict("{subject} is already applied: its raise is in the ledger{event}: "
                       "correct it with a new event, a retraction of that one with a reason "
                       "or another pay change", subject=subject_of(proposal),
                       event=Term("", f" (event {proposal.event_id})"))
    raise LedgerRuleBroken(f"{{subject}} is {status}, not approved: only an approved raise "
                           "is withdrawn"
                           + (" (decline it instead)" if status is ProposalStatus.PROPOSED
                              else ""), subject=subject_of(proposal))
