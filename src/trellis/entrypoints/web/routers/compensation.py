"""Compensation over HTTP: cycles (HR opens, closes and applies them), raise proposals in a
cycle or off-cycle (the person's managers and HR), their approval step by step, and the
withdrawal of an approved raise before its cycle is applied.

Proposals are pay: visible to HR, the person's management chain, and the person once
applied; every read and write is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from trellis.domain import compensation as rules
from trellis.domain.access import Role, User
from trellis.domain.compensation import CompCycleStatus, RaiseKind
from trellis.domain.limits import EMAIL_MAX, LONG_TEXT_MAX, MONEY_MAX, NAME_MAX
from trellis.errors import InvalidEvent
from trellis.services import accounts
from trellis.services import compensation as use

from .. import compensation_views as views
from ..deps import CurrentUser, Uow
from ..fields import LINE, TEXT, Day, ProposalId
from ..schemas import Body

router = APIRouter(prefix="/api/compensation", tags=["compensation"])


class CycleCreate(Body):
    name: str = Field(min_length=1, max_length=NAME_MAX, pattern=LINE)
    effective_on: Day
    budget_percent: float = Field(gt=0, le=rules.BUDGET_PERCENT_MAX)
    team: str | None = Field(None, max_length=EMAIL_MAX, pattern=LINE)


class RaiseCreate(Body):
    person: str = Field(min_length=1, max_length=EMAIL_MAX, pattern=LINE)
    kind: RaiseKind = RaiseKind.MERIT
    percent: float | None = Field(None, gt=rules.PERCENT_LOW, le=rules.PERCENT_HIGH)
    amount: int | None = Field(None, ge=-MONEY_MAX, le=MONEY_MAX)
    reason: str | None = Field(None, max_length=LONG_TEXT_MAX, pattern=TEXT)


class Decline(Body):
    reason: str = Field(min_length=1, max_length=LONG_TEXT_MAX, pattern=TEXT)


class Withdrawal(Body):
    reason: str | None = Field(None, max_length=LONG_TEXT_MAX, pattern=TEXT)


Doc = dict[str, Any]
CycleName = Annotated[str, Path(min_length=1, max_length=NAME_MAX, pattern=LINE)]


@router.get("/cycles", summary="Every compensation cycle (managers, HR admins)")
def list_cycles(user: CurrentUser, uow: Uow) -> list[Doc]:
    return views.cycles(uow, user)


@router.post("/cycles", status_code=201, summary="Open a compensation cycle (HR admins)")
def open_cycle(body: CycleCreate, user: CurrentUser, uow: Uow) -> Doc:
    accounts.require_role(user, Role.HR_ADMIN)
    cycle, count = use.open_cycle(uow(), body.name, body.effective_on, body.budget_percent,
                                  team=body.team, author=user.email)
    return use.cycle_document(cycle, count, 0)


@router.get("/cycles/{name}", summary="A cycle's budget per group and its people, as far "
            "as this user may see pay")
def show_cycle(name: CycleName, user: CurrentUser, uow: Uow) -> Doc:
    return views.cycle(uow, user, name)


@router.post("/cycles/{name}/close", summary="Close a cycle to new proposals (HR admins)")
def close_cycle(name: CycleName, user: CurrentUser, uow: Uow) -> Doc:
    return _set_status(uow, user, name, CompCycleStatus.CLOSED, "close")


@router.post("/cycles/{name}/reopen", summary="Reopen a closed cycle (HR admins)")
def reopen_cycle(name: CycleName, user: CurrentUser, uow: Uow) -> Doc:
    return _set_status(uow, user, name, CompCycleStatus.OPEN, "reopen")


@router.post("/cycles/{name}/apply", summary="Write the approved raises as compensation "
             "events at the effective date, all at once (HR admins)")
def apply_cycle(name: CycleName, user: CurrentUser, uow: Uow) -> Doc:
    accounts.require_role(user, Role.HR_ADMIN)
    events = use.apply_cycle(uow(), name, author=user.email)
    return {"name": name, "status": CompCycleStatus.APPLIED.value,
            "events": [e.id for e in events]}


def _set_status(uow: Uow, user: User, name: str, status: CompCycleStatus, action: str
                ) -> Doc:
    accounts.require_role(user, Role.HR_ADMIN)
    cycle = use.set_status(uow(), name, status, author=user.email)
    return {"name": cycle.name, "status": cycle.status.value}


@router.post("/cycles/{name}/proposals", status_code=201,
             summary="Propose a raise in a cycle (the person's managers, HR admins)")
def propose(name: CycleName, body: RaiseCreate, user: CurrentUser, uow: Uow) -> Doc:
    return views.propose(uow, user, name, body.person, body.kind, percent=body.percent,
                         amount=body.amount, reason=body.reason)


@router.post("/raises", status_code=201,
             summary="Propose an off-cycle raise: written once the approval chain signs")
def propose_raise(body: RaiseCreate, user: CurrentUser, uow: Uow) -> Doc:
    if not (body.reason or "").strip():
        raise InvalidEvent("give a reason: an off-cycle raise says why")
    return views.propose(uow, user, None, body.person, body.kind, percent=body.percent,
                         amount=body.amount, reason=body.reason)


@router.get("/proposals", summary="The proposals this user may see (awaiting: only those "
            "waiting for a signature)")
def list_proposals(user: CurrentUser, uow: Uow, awaiting: bool = False) -> list[Doc]:
    return views.proposals(uow, user, awaiting=awaiting)


@router.post("/proposals/{proposal_id}/approval", summary="Sign a proposal's next step")
def approve(proposal_id: ProposalId, user: CurrentUser, uow: Uow) -> Doc:
    return views.decide(uow, user, proposal_id, approve=True)


@router.post("/proposals/{proposal_id}/decline", summary="Decline a proposal, with a reason")
def decline(proposal_id: ProposalId, body: Decline, user: CurrentUser, uow: Uow) -> Doc:
    return views.decide(uow, user, proposal_id, approve=False, reason=body.reason)


@router.post("/proposals/{proposal_id}/withdrawal",
             summary="Withdraw an approved raise before its cycle is applied, with a reason "
             "(its proposer, the proposer's managers, HR admins)")
def withdraw(proposal_id: ProposalId, body: Withdrawal, user: CurrentUser, uow: Uow) -> Doc:
    return views.withdraw(uow, user, proposal_id, body.reason)
