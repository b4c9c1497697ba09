"""Use cases of compensation: open, close, reopen and apply a cycle; propose a raise in a
cycle or off-cycle; approve or decline a proposal step by step; withdraw an approved raise
before its cycle is applied; show a cycle's budget.

Only an approved proposal writes a ``compensation`` event: an off-cycle raise when its last
step is signed, a cycle's raises all together, in one transaction, when the cycle is
applied. Each check runs in the same transaction as the write it guards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from trellis.domain import compensation as rules
from trellis.domain.access import Role
from trellis.domain.approvals import Signer
from trellis.domain.compensation import (
    CompCycle,
    CompCycleStatus,
    GroupSpend,
    Participant,
    Proposal,
    ProposalStatus,
    RaiseKind,
)
from trellis.domain.days import day_term
from trellis.domain.events import CompensationKind, Event, EventKind, text_value
from trellis.domain.framework import Framework, PayBand
from trellis.domain.limits import LONG_TEXT_MAX, NAME_MAX
from trellis.domain.people import Person
from trellis.errors import (
    UNKNOWN,
    Conflict,
    InvalidEvent,
    LedgerRuleBroken,
    NotFound,
    PermissionDenied,
    Term,
    you,
)

from . import clock
from .audit_trail import note
from .frameworks import version_in_force
from .ledger import append_event, find_named, find_person
from .unit_of_work import UnitOfWork

_EVENT_KIND = {RaiseKind.MERIT: CompensationKind.MERIT,
               RaiseKind.ADJUSTMENT: CompensationKind.ADJUSTMENT,
               RaiseKind.PROMOTION: CompensationKind.PROMOTION}


# --- who signs


def signer_for(uow: UnitOfWork, who: str) -> Signer:
    """The CLI's ``--by WHO``: a person (handle, email or id), an HR admin when an HR
    account is theirs; or an HR account's email without a person."""
    with uow.reading():
        return _signer(uow, who)


def _signer(uow: UnitOfWork, who: str) -> Signer:
    text = who.strip()
    hr_people = {u.person_id for u in uow.accounts.users() if u.role is Role.HR_ADMIN}
    try:
        person = find_person(uow, text)
    except NotFound:
        found = uow.accounts.user_by_email(text.lower()) if text.isprintable() else None
        if found is None:
            raise
        user = found[0]
        return Signer(user.person_id, user.email, user.role is Role.HR_ADMIN)
    return Signer(person.id, person.handle, person.id in hr_people)


# --- cycles


def open_cycle(uow: UnitOfWork, name: str, effective_on: date, budget_percent: float, *,
               team: str | None = None, author: str) -> tuple[CompCycle, int]:
    """Open a cycle for everyone active today with a known base pay, hired by the effective
    date (or everyone such under ``team``); each person's group (their manager) and pay are
    kept as they are now."""
    name = _name(name)
    with uow:
        manager = find_person(uow, team) if team is not None else None
        people = {p.id: p for p in uow.people.all()}
        scope = ({p.id for p in uow.people.reports(manager.id)} if manager else set(people))
        members = []
        for row in uow.state.rows(columns=["person_id", "pay", "currency", "hired_on",
                                           "departed_on"]):
            pid = row["person_id"]
            if (pid in scope and row["pay"] is not None and row["hired_on"] is not None
                    and _as_date(row["hired_on"]) <= effective_on
                    and row["departed_on"] is None):
                members.append(Participant(pid, people[pid].manager_id, int(row["pay"]),
                                           row["currency"]))
        if not members:
            raise InvalidEvent("nobody would be in the cycle: " + (
                "no one under {manager} is active with a known pay" if manager
                else "no one is active with a known pay"),
                **({"manager": manager.term} if manager else {}))
        _one_currency(members, people)
        cycle = uow.compensation.add_cycle(name, effective_on, budget_percent,
                                           manager.id if manager else None, author,
                                           clock.now())
        uow.compensation.add_participants(cycle.id, members)
        note(uow, author, "comp.cycle.open", f"compensation/{cycle.name}",
             {"people": len(members)})
        uow.commit()
        return cycle, len(members)


def set_status(uow: UnitOfWork, name: str, status: CompCycleStatus, *,
               author: str) -> CompCycle:
    """Close a cycle (no new proposals; approvals go on) or reopen it."""
    with uow:
        cycle = _cycle(uow, name)
        if cycle.status is CompCycleStatus.APPLIED:
            raise LedgerRuleBroken(f"compensation cycle '{cycle.name}' is applied: it can no "
                                   "longer change")
        if cycle.status is status:
            raise Conflict(f"compensation cycle '{cycle.name}' is already {status}")
        uow.compensation.set_status(cycle.id, status, clock.now())
        note(uow, author, "comp.cycle.close" if status is CompCycleStatus.CLOSED
             else "comp.cycle.reopen", f"compensation/{cycle.name}")
        uow.commit()
    return replace(cycle, status=status)


def cycles(uow: UnitOfWork) -> list[tuple[CompCycle, int, int]]:
    """Every cycle with its number of people and of proposals, earliest effective first."""
    with uow.reading():
        return [(c, len(uow.compensation.participants(c.id)),
                 len(uow.compensation.proposals(c.id))) for c in uow.compensation.cycles()]


def apply_cycle(uow: UnitOfWork, name: str, *, author: str) -> list[Event]:
    """Write the ``compensation`` event of every approved proposal at the cycle's effective
    date, and mark the cycle applied: all of it, or (any event refused) none of it."""
    with uow:
        cycle = _cycle(uow, name)
        if cycle.status is CompCycleStatus.APPLIED:
            raise Conflict(f"compensation cycle '{cycle.name}' is already applied")
        if cycle.effective_on > clock.today():
            raise LedgerRuleBroken(f"compensation cycle '{cycle.name}' takes effect on "
                                   "{on}: apply it on or after that day",
                                   on=day_term(cycle.effective_on))
        uow.compensation.lock_cycle(cycle.id)
        proposals = uow.compensation.proposals(cycle.id)
        waiting = [p.id for p in proposals if p.status is ProposalStatus.PROPOSED]
        if waiting:
            raise LedgerRuleBroken(
                f"{len(waiting)} proposal(s) of '{cycle.name}' still await approval (first: "
                f"{waiting[0]}): approve or decline them before applying the cycle")
        events = []
        for p in proposals:
            if p.status is ProposalStatus.APPROVED:
                person = uow.people.get(p.person_id)
                assert person is not None
                event = _write_raise(uow, person, p, cycle, cycle.effective_on, author)
                uow.compensation.set_proposal(p.id, ProposalStatus.APPLIED, event.id)
                events.append(event)
        uow.compensation.set_status(cycle.id, CompCycleStatus.APPLIED, clock.now())
        note(uow, author, "comp.cycle.apply", f"compensation/{cycle.name}",
             {"events": [e.id for e in events]})
        uow.commit()
        return events


# --- proposals


@dataclass(frozen=True, slots=True)
class Proposed:
    proposal: Proposal
    person: Person
    event: Event | None  # written at once: an off-cycle raise with an empty chain


def propose(uow: UnitOfWork, cycle_name: str | None, person_ref: str, kind: RaiseKind, *,
            amount: int | None = None, percent: float | None = None,
            reason: str | None = None, by: Signer) -> Proposed:
    """Propose a raise in a cycle (``cycle_name``) or off-cycle (None). Refused when the
    proposer is the person or outside their chain (HR may propose for anyone), when new pay
    falls outside the role's band without a reason, when it takes the group over budget
    without a reason, or when the person already has a live proposal there."""
    reason = _reason(reason)
    with uow:
        person = find_person(uow, person_ref)
        managers = uow.people.managers(person.id)
        _check_proposer(by, person, managers)
        cycle = _cycle(uow, cycle_name) if cycle_name is not None else None
        state = _state(uow, person)
        pay = state["pay"]
        if pay is None:
            raise LedgerRuleBroken("{person} has no known base pay: record their hire with "
                                   "pay first", person=person.term)
        if state["departed_on"] is not None:
            raise LedgerRuleBroken("{person} left on {left}", person=person.term,
                                   left=day_term(state["departed_on"]))
        on = cycle.effective_on if cycle else clock.today()
        framework = uow.frameworks.catalog[version_in_force(uow, on).id]
        change = rules.raise_amount(int(pay), amount, percent)
        role = state["role"]
        found = framework.roles.get(role) if role else None
        warning = rules.check_band(int(pay) + change, _band(framework, role),
                                   found.title if found else role or "?", reason)
        over = False
        uow.people.lock(person.id)
        if cycle is not None:
            if cycle.status is not CompCycleStatus.OPEN:
                raise LedgerRuleBroken(f"compensation cycle '{cycle.name}' is {cycle.status}: "
                                       "no new proposals")
            uow.compensation.lock_cycle(cycle.id)
            members = uow.compensation.participants(cycle.id)
            mine = next((m for m in members if m.person_id == person.id), None)
            if mine is None:
                raise LedgerRuleBroken(f"{{person}} is not in compensation cycle "
                                       f"'{cycle.name}'", person=person.term)
            existing = uow.compensation.proposals(cycle.id)
            _no_live(existing, person, f"compensation cycle '{cycle.name}'")
            spend = rules.group_spend(cycle, members, existing)[mine.group_id]
            over = rules.check_budget(spend, change, reason, _group_term(uow, mine.group_id))
        else:
            _no_live([p for p in uow.compensation.proposals(off_cycle=True,
                                                             person_id=person.id)
                      if p.status is ProposalStatus.PROPOSED], person, "an off-cycle raise")
        chain = framework.approvals.compensation
        steps = rules.resolve_chain(chain, managers, person_id=person.id,
                                    proposer_id=by.person_id)
        status = ProposalStatus.PROPOSED if steps else ProposalStatus.APPROVED
        draft = Proposal(0, cycle.id if cycle else None, person.id, kind, change, percent,
                         int(pay), reason, status, by.label, by.person_id, clock.now(),
                         steps, None, warning, over)
        proposal = replace(draft, id=uow.compensation.add_proposal(draft))
        event = None
        if cycle is None and not steps:  # a personal journal: no one to approve
            event = _write_raise(uow, person, proposal, None, clock.today(), by.label)
            uow.compensation.set_proposal(proposal.id, ProposalStatus.APPLIED, event.id)
            proposal = replace(proposal, status=ProposalStatus.APPLIED, event_id=event.id)
        note(uow, by.label, "comp.propose", f"person/{person.handle}/proposals/{proposal.id}",
             {"cycle": cycle.name if cycle else None, "kind": kind.value,
              "status": proposal.status.value})
        uow.commit()
        return Proposed(proposal, person, event)


def approve(uow: UnitOfWork, proposal_id: int, *, by: Signer) -> Proposed:
    """Sign the proposal's next step. The last signature approves it; an off-cycle raise
    then writes its ``compensation`` event at once (a cycle's wait for the cycle's apply)."""
    return _decide(uow, proposal_id, by, "approved", None)


def decline(uow: UnitOfWork, proposal_id: int, reason: str, *, by: Signer) -> Proposed:
    text = _reason(reason)
    if not text:
        raise InvalidEvent("give {reason}: why the raise is declined", reason="a reason")
    return _decide(uow, proposal_id, by, "declined", text)


def withdraw(uow: UnitOfWork, proposal_id: int, reason: str | None, *,
             by: Signer) -> Proposed:
    """Withdraw an approved raise that its cycle has not applied yet (domain.compensation
    says why an applied one is corrected by a new event instead): by its proposer, the
    proposer's managers or an HR admin, with a reason; who, when and why stay on the
    proposal. Refused, with nothing changed: no reason, no right, not approved, already
    applied, already withdrawn."""
    text = _reason(reason)
    if not text:
        raise InvalidEvent("give a reason: why the approved raise is withdrawn")
    with uow:
        found = _proposal(uow, proposal_id)
        if found.cycle_id is not None:  # the cycle first, as its apply holds it
            uow.compensation.lock_cycle(found.cycle_id)
        uow.compensation.lock_proposal(found.id)
        found = _proposal(uow, proposal_id)  # as it stands once held
        person = uow.people.get(found.person_id)
        assert person is not None
        proposer_chain = (uow.people.managers(found.proposer_id)
                          if found.proposer_id is not None else [])
        rules.check_withdrawer(found, by, proposer_chain)
        rules.check_withdrawable(found)
        now = clock.now()
        uow.compensation.withdraw(found.id, by.label, text, now)
        note(uow, by.label, "comp.withdraw", f"person/{person.handle}/proposals/{found.id}",
             {"status": ProposalStatus.WITHDRAWN.value, "reason": text})
        uow.commit()
        return Proposed(replace(found, status=ProposalStatus.WITHDRAWN,
                                withdrawal=rules.Withdrawal(by.label, now, text)),
                        person, None)


def _proposal(uow: UnitOfWork, proposal_id: int) -> Proposal:
    found = uow.compensation.proposal(proposal_id) if 0 < proposal_id < 2**31 else None
    if found is None:
        raise NotFound(f"{{unknown}} proposal {proposal_id}", unknown=UNKNOWN)
    return found


def _decide(uow: UnitOfWork, proposal_id: int, by: Signer, decision: str,
            reason: str | None) -> Proposed:
    with uow:
        found = _proposal(uow, proposal_id)
        person = uow.people.get(found.person_id)
        assert person is not None
        step = rules.check_signer(found, by, person.term, _approver_terms(uow, found))
        cycle = (uow.compensation.cycle_by_id(found.cycle_id) if found.cycle_id is not None
                 else None)
        if cycle is not None and cycle.status is CompCycleStatus.APPLIED:
            raise LedgerRuleBroken(f"compensation cycle '{cycle.name}' is applied")
        uow.compensation.decide(found.id, step.index, by.label, decision, reason, clock.now())
        done = replace(step, decided_by=by.label, decision=decision, reason=reason)
        steps = tuple(done if s.index == step.index else s for s in found.steps)
        status = (ProposalStatus.DECLINED if decision == "declined"
                  else ProposalStatus.APPROVED if all(s.decision for s in steps)
                  else ProposalStatus.PROPOSED)
        proposal = replace(found, steps=steps, status=status)
        event = None
        if status is ProposalStatus.APPROVED and cycle is None:
            event = _write_raise(uow, person, proposal, None, clock.today(), by.label)
            proposal = replace(proposal, status=ProposalStatus.APPLIED, event_id=event.id)
        if proposal.status is not found.status:
            uow.compensation.set_proposal(found.id, proposal.status, proposal.event_id)
        note(uow, by.label, "comp.approve" if decision == "approved" else "comp.decline",
             f"person/{person.handle}/proposals/{found.id}",
             {"status": proposal.status.value, "event": proposal.event_id})
        uow.commit()
        return Proposed(proposal, person, event)


def _write_raise(uow: UnitOfWork, person: Person, p: Proposal, cycle: CompCycle | None,
                 on: date, author: str) -> Event:
    fields: dict[str, Any] = {"compensation_kind": _EVENT_KIND[p.kind].value,
                              "amount": p.amount, "proposal": p.id,
                              "comp_cycle": cycle.name if cycle else None}
    return append_event(uow, person, EventKind.COMPENSATION, on, fields, author=author,
                        evidence=p.reason)


def needs_approval(uow: UnitOfWork) -> bool:
    """Whether a raise needs an approver today: the framework's chain is not empty."""
    with uow.reading():
        framework = uow.frameworks.catalog[version_in_force(uow, clock.today()).id]
        return bool(framework.approvals.compensation)


def is_raise(details: Mapping[str, Any]) -> bool:
    """A compensation event's details that change base pay (anything but a bonus)."""
    kind = details.get("compensation_kind")
    return not (isinstance(kind, str) and kind.strip().lower() == CompensationKind.BONUS)


# --- reading


@dataclass(frozen=True, slots=True)
class Row:
    """One person of a cycle, as its page and ``comp show`` list them."""

    person: Person
    group_id: int | None
    pay: int | None  # base pay today
    currency: str | None
    role: str | None
    band: PayBand | None
    position: float | None  # in the band: 0 at its minimum, 1 at its maximum
    proposal: Proposal | None  # the live one, else the latest
    managers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CycleView:
    cycle: CompCycle
    groups: dict[int | None, GroupSpend]
    group_names: dict[int | None, str]
    rows: list[Row]
    withdrawn: list[Row]  # every withdrawn raise of the cycle, earliest first: its history


def cycle_view(uow: UnitOfWork, name: str) -> CycleView:
    with uow.reading():
        cycle = _cycle(uow, name)
        members = uow.compensation.participants(cycle.id)
        proposals = uow.compensation.proposals(cycle.id)
        groups = rules.group_spend(cycle, members, proposals)
        framework = uow.frameworks.catalog[version_in_force(uow, cycle.effective_on).id]
        states = {r["person_id"]: r for r in uow.state.rows(
            [m.person_id for m in members] if len(members) < 900 else None,
            ["person_id", "role", "pay", "currency"])}
        people = {p.id: p for p in uow.people.all()}
        chains = _chains(people)
        latest: dict[int, Proposal] = {}
        for p in proposals:  # by id: the live one, else the latest (not the first)
            now = latest.get(p.person_id)
            if now is None or p.status in rules.LIVE or now.status not in rules.LIVE:
                latest[p.person_id] = p
        rows = []
        for m in members:
            s = states.get(m.person_id, {})
            band = _band(framework, s.get("role"))
            pay = s.get("pay")
            rows.append(Row(people[m.person_id], m.group_id, pay, s.get("currency"),
                            s.get("role"), band,
                            rules.band_position(int(pay), band) if pay is not None else None,
                            latest.get(m.person_id), chains.get(m.person_id, ())))
        names = {g: _group_name(uow, g) for g in groups}
        by_person = {r.person.id: r for r in rows}
        withdrawn = [replace(by_person[p.person_id], proposal=p) for p in proposals
                     if p.status is ProposalStatus.WITHDRAWN and p.person_id in by_person]
        return CycleView(cycle, groups, names, rows, withdrawn)


@dataclass(frozen=True, slots=True)
class ProposalView:
    proposal: Proposal
    person: Person
    cycle: str | None
    managers: tuple[int, ...]
    approvers: dict[int, str]  # person id -> handle, for the steps


def proposals(uow: UnitOfWork, *, awaiting: bool = False,
              person_ref: str | None = None) -> list[ProposalView]:
    """Proposals with what a reader needs to show and filter them (who is in each person's
    chain): those awaiting a signature, one person's, or every one."""
    with uow.reading():
        person = find_person(uow, person_ref) if person_ref is not None else None
        found = (uow.compensation.awaiting() if awaiting
                 else uow.compensation.proposals(person_id=person.id if person else None))
        if person is not None:
            found = [p for p in found if p.person_id == person.id]
        people = {p.id: p for p in uow.people.all()}
        chains = _chains(people)
        names = {c.id: c.name for c in uow.compensation.cycles()}
        handles = {pid: p.handle for pid, p in people.items()}
        return [ProposalView(p, people[p.person_id],
                             names.get(p.cycle_id) if p.cycle_id is not None else None,
                             chains.get(p.person_id, ()), handles) for p in found
                if p.person_id in people]


def may_sign(proposal: Proposal, by: Signer) -> bool:
    """Whether ``by`` may sign the proposal's next step now (for lists of what awaits)."""
    try:
        rules.check_signer(proposal, by)
    except (PermissionDenied, LedgerRuleBroken):
        return False
    return True


# --- as plain data (``comp show --json``, the API)


def cycle_document(cycle: CompCycle, people: int, proposals: int) -> dict[str, Any]:
    return {"name": cycle.name, "effective_on": cycle.effective_on,
            "budget_percent": cycle.budget_percent, "status": cycle.status.value,
            "people": people, "proposals": proposals, "opened_by": cycle.opened_by,
            "opened_at": cycle.opened_at, "changed_at": cycle.changed_at}


def view_document(view: CycleView) -> dict[str, Any]:
    """A cycle's groups and people as plain data (``comp show --json``, the API)."""
    handles = {r.person.id: r.person.handle for r in view.rows}
    return {
        "cycle": cycle_document(view.cycle, len(view.rows),
                                sum(1 for r in view.rows if r.proposal)),
        "groups": [{"group": view.group_names[g], "manager": handles.get(g) if g else None,
                    "payroll": s.payroll, "budget": s.budget, "proposed": s.proposed,
                    "approved": s.approved, "remaining": s.remaining}
                   for g, s in view.groups.items()],
        "people": [{"person": r.person.handle, "group": view.group_names[r.group_id],
                    "role": r.role, "pay": r.pay, "currency": r.currency,
                    "band": ({"min": r.band.min, "mid": r.band.mid, "max": r.band.max}
                             if r.band else None),
                    "band_position": (round(r.position, 3) if r.position is not None
                                      else None),
                    "proposal": proposal_document(r.proposal) if r.proposal else None}
                   for r in view.rows],
        "withdrawn": [{"person": r.person.handle, "group": view.group_names[r.group_id],
                       "currency": r.currency,
                       "proposal": proposal_document(r.proposal)}
                      for r in view.withdrawn if r.proposal]}


def proposal_document(p: Proposal) -> dict[str, Any]:
    return {"id": p.id, "kind": p.kind.value, "amount": p.amount, "percent": p.percent,
            "pay_before": p.pay_before, "reason": p.reason, "status": p.status.value,
            "proposed_by": p.proposed_by, "proposed_at": p.proposed_at,
            "band_warning": p.band_warning, "over_budget": p.over_budget,
            "event": p.event_id,
            "withdrawal": ({"by": p.withdrawal.by, "at": p.withdrawal.at,
                            "reason": p.withdrawal.reason} if p.withdrawal else None),
            "steps": [{"step": s.index + 1, "approver": s.approver.value,
                       "decided_by": s.decided_by, "decision": s.decision,
                       "reason": s.reason, "decided_at": s.decided_at} for s in p.steps]}


# --- helpers


def _check_proposer(by: Signer, person: Person, managers: Sequence[int]) -> None:
    if by.person_id == person.id:
        raise PermissionDenied("{you} cannot propose {their} own raise", you=you(by.label),
                               their=Term("your", "their"))
    if not by.is_hr and by.person_id not in managers:
        raise PermissionDenied("{you} {are} not in {person}'s management chain: only their "
                               "managers and HR propose their pay", you=you(by.label),
                               are=Term("are", "is"), person=person.term)


def _approver_terms(uow: UnitOfWork, proposal: Proposal) -> dict[int, Term]:
    """A proposal's approvers, as the refusals that name them do (``Person.term``)."""
    found = (uow.people.get(s.approver_id) for s in proposal.steps if s.approver_id)
    return {p.id: p.term for p in found if p is not None}


def _no_live(existing: Sequence[Proposal], person: Person, where: str) -> None:
    for p in existing:
        if p.person_id == person.id and p.status in rules.LIVE:
            raise Conflict(f"{{person}} already has {{proposal}} ({p.status}) in {where}: "
                           "decline it (or withdraw it, once approved) to propose another",
                           person=person.term,
                           proposal=Term("a raise proposed", f"proposal {p.id}"))


def _state(uow: UnitOfWork, person: Person) -> dict[str, Any]:
    rows = uow.state.rows([person.id], ["person_id", "role", "pay", "currency",
                                        "departed_on"])
    if not rows:
        raise LedgerRuleBroken("{person} has no career yet: record their hire first",
                               person=person.term)
    return rows[0]


def _band(framework: Framework, role: str | None) -> PayBand | None:
    found = framework.roles.get(role) if role else None
    return found.pay_band if found else None


def _chains(people: dict[int, Person]) -> dict[int, tuple[int, ...]]:
    """Every person's managers, nearest first, from one read of the chart."""
    out: dict[int, tuple[int, ...]] = {}
    for pid, p in people.items():
        chain: list[int] = []
        at = p.manager_id
        while at is not None and at not in chain and at in people:
            chain.append(at)
            at = people[at].manager_id
        out[pid] = tuple(chain)
    return out


def _group_name(uow: UnitOfWork, group_id: int | None) -> str:
    return _group_term(uow, group_id).command


def _group_term(uow: UnitOfWork, group_id: int | None) -> Term:
    """A cycle's group: "Ada Lovelace's team" in words, "ada's team" on the command line."""
    if group_id is None:
        return Term("the top group", "the top group")
    manager = uow.people.get(group_id)
    if manager is None:
        return Term("a team", f"group #{group_id}")
    return Term(f"{manager.name}'s team", f"{manager.handle}'s team")


def _one_currency(members: Sequence[Participant], people: dict[int, Person]) -> None:
    """A budget adds pay up: a group paid in two currencies has no one payroll."""
    seen: dict[int | None, str | None] = {}
    for m in members:
        if seen.setdefault(m.group_id, m.currency) != m.currency:
            raise InvalidEvent(f"{{who}}'s team is paid in {seen[m.group_id]} and "
                               f"{m.currency}: open a cycle per currency ({{team}})",
                               who=people[m.group_id].term if m.group_id in people
                               else Term("the top group", "the top group"),
                               team="each with only one team")


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _name(name: str) -> str:
    text = text_value(name, "the cycle's name", NAME_MAX)
    if not text:
        raise InvalidEvent("give the cycle a name")
    return text


def _reason(reason: str | None) -> str | None:
    if reason is None:
        return None
    return text_value(reason, "the reason", LONG_TEXT_MAX, multiline=True) or None


def _cycle(uow: UnitOfWork, name: str) -> CompCycle:
    return find_named(uow.compensation.cycle, name, "compensation cycle")

