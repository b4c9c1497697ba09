"""What the compensation API and pages share: who the user signs as, a cycle and the
proposals as the user may see them, and every write with its audit entry.

Proposals are pay: HR admins see them all, a manager those of the people under them, the
person their own once applied. Every read that shows pay and every write is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trellis.domain import compensation as rules
from trellis.domain.access import Role, User
from trellis.domain.approvals import Signer
from trellis.domain.compensation import Proposal, RaiseKind
from trellis.errors import PermissionDenied
from trellis.services import accounts
from trellis.services import compensation as use
from trellis.services.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


def cycles(uow: UowFactory, user: User) -> list[dict[str, Any]]:
    accounts.require_role(user, Role.MANAGER, Role.HR_ADMIN)
    return [{"name": c.name, "effective_on": c.effective_on,
             "budget_percent": c.budget_percent, "status": c.status.value, "people": n,
             "proposals": k} for c, n, k in use.cycles(uow())]


def cycle(uow: UowFactory, user: User, name: str) -> dict[str, Any]:
    """A cycle's groups and people as ``user`` may see them: everything for HR, the people
    under them (and the groups those are in) for a manager."""
    accounts.require_role(user, Role.MANAGER, Role.HR_ADMIN)
    view = use.cycle_view(uow(), name)
    doc = use.view_document(view)
    if not user.is_hr:
        mine = {r.person.handle for r in view.rows if user.person_id in r.managers}
        doc["people"] = [p for p in doc["people"] if p["person"] in mine]
        groups = {p["group"] for p in doc["people"]}
        doc["groups"] = [g for g in doc["groups"] if g["group"] in groups]
        doc["withdrawn"] = [w for w in doc["withdrawn"] if w["person"] in mine]
    accounts.audit(uow(), user, "pay.read", f"compensation/{view.cycle.name}",
                   {"people": len(doc["people"])})
    return doc


def proposals(uow: UowFactory, user: User, *, awaiting: bool = False) -> list[dict[str, Any]]:
    """The proposals ``user`` may see (awaiting: only those waiting for a signature), each
    saying whether the user may sign it now."""
    me = Signer.of(user)
    out = []
    for v in use.proposals(uow(), awaiting=awaiting):
        if rules.may_see(me, v.proposal, v.managers):
            out.append({**_record(v.proposal, v.person.handle, v.cycle, me),
                        "signer": _signer(v.proposal, v.approvers)})
    if out:
        accounts.audit(uow(), user, "pay.read", "compensation/proposals",
                       {"proposals": len(out), "awaiting": awaiting})
    return out


def propose(uow: UowFactory, user: User, cycle_name: str | None, person: str,
            kind: RaiseKind, *, percent: float | None, amount: int | None,
            reason: str | None) -> dict[str, Any]:
    """Propose a raise as ``user``: the service refuses anyone outside the person's chain
    (HR excepted) and the person themselves."""
    seen = accounts.access_to(uow(), user, person)  # by handle only, outside the circle
    done = use.propose(uow(), cycle_name, str(seen.person.id), kind, amount=amount,
                       percent=percent, reason=reason, by=Signer.of(user))
    _read_pay(uow, user, done.person.handle, done.proposal.id)
    return _record(done.proposal, done.person.handle, cycle_name, Signer.of(user))


def decide(uow: UowFactory, user: User, proposal_id: int, *, approve: bool,
           reason: str | None = None) -> dict[str, Any]:
    me = Signer.of(user)
    done = (use.approve(uow(), proposal_id, by=me) if approve
            else use.decline(uow(), proposal_id, reason or "", by=me))
    _read_pay(uow, user, done.person.handle, proposal_id)
    return _record(done.proposal, done.person.handle, _cycle_name(uow, done.proposal), me)


def withdraw(uow: UowFactory, user: User, proposal_id: int, reason: str | None
             ) -> dict[str, Any]:
    """Withdraw an approved raise as ``user`` (the service says who may, and writes the
    audit entry with its reason)."""
    me = Signer.of(user)
    done = use.withdraw(uow(), proposal_id, reason, by=me)
    _read_pay(uow, user, done.person.handle, proposal_id)
    return _record(done.proposal, done.person.handle, _cycle_name(uow, done.proposal), me)


def may_withdraw(uow: UowFactory, user: User, proposals: list[dict[str, Any]]) -> set[int]:
    """The ids among ``proposals`` (documents) whose approved raise ``user`` may withdraw:
    the buttons the cycle's page shows."""
    me = Signer.of(user)
    out: set[int] = set()
    with uow().reading() as u:
        for doc in proposals:
            if doc["status"] != "approved":
                continue
            found = u.compensation.proposal(int(doc["id"]))
            if found is None:
                continue
            chain = (u.people.managers(found.proposer_id) if found.proposer_id is not None
                     else [])
            try:
                rules.check_withdrawer(found, me, chain)
            except PermissionDenied:
                continue
            out.add(found.id)
    return out


def _read_pay(uow: UowFactory, user: User, handle: str, proposal_id: int) -> None:
    """A write's answer shows the person's pay before the raise: a read of pay too."""
    accounts.audit(uow(), user, "pay.read", f"person/{handle}/proposals/{proposal_id}")


def _cycle_name(uow: UowFactory, p: Proposal) -> str | None:
    if p.cycle_id is None:
        return None
    with uow().reading() as u:
        found = u.compensation.cycle_by_id(p.cycle_id)
        return found.name if found else None


def _signer(p: Proposal, handles: dict[int, str]) -> str | None:
    """The handle of whoever signs the step waiting now (None: an HR admin, or none)."""
    step = p.next_step
    return handles.get(step.approver_id) if step and step.approver_id else None


def _record(p: Proposal, handle: str, cycle_name: str | None, me: Signer) -> dict[str, Any]:
    return {**use.proposal_document(p), "person": handle, "cycle": cycle_name,
            "can_sign": use.may_sign(p, me)}


# --- for the pages: people by name, pay in its currency


@dataclass(frozen=True, slots=True)
class Directory:
    """Names for the pages' handles and account emails, each person's pay currency, and
    the managers (handle, name) a cycle may be opened for."""

    names: dict[str, str]  # a handle, or an email in lower case -> the person's name
    currency: dict[str, str | None]  # handle -> their pay's currency
    managers: list[tuple[str, str]]

    def name(self, key: str | None) -> str:
        """The name behind a handle or an account's email; the key itself if nobody's."""
        if not key:
            return ""
        return self.names.get(key) or self.names.get(key.strip().lower()) or key


def directory(uow: UowFactory) -> Directory:
    u = uow()
    with u.reading():
        people = u.people.all()
        users = u.accounts.users()
        rows = u.state.rows(columns=["person_id", "currency"])
    by_id = {p.id: p for p in people}
    names = {p.handle: p.name for p in people}
    names.update({p.email.lower(): p.name for p in people if p.email})
    names.update({x.email.lower(): by_id[x.person_id].name for x in users
                  if x.person_id in by_id})
    bosses = {p.manager_id for p in people if p.manager_id is not None}
    managers = sorted(((p.handle, p.name) for p in people if p.id in bosses),
                      key=lambda m: m[1].lower())
    return Directory(names, {by_id[r["person_id"]].handle: r["currency"] for r in rows
                             if r["person_id"] in by_id}, managers)
