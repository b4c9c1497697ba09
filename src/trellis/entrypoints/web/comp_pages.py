"""The compensation pages: the cycles, a cycle's page for a manager (budget used per group,
each person's pay and band position, a form to propose a raise) and the approvals page of
whoever must sign (HR sees every proposal awaiting)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trellis.domain import compensation as rules
from trellis.domain.access import User
from trellis.domain.compensation import RaiseKind
from trellis.domain.limits import EMAIL_MAX, LONG_TEXT_MAX, NAME_MAX
from trellis.errors import InvalidEvent, NotAuthenticated, TrellisError

from . import compensation_views as views
from .deps import CurrentUser, Uow
from .errors import status_of
from .fields import LINE, TEXT, ProposalId
from .pages import render

router = APIRouter(include_in_schema=False)
Line = Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)]


@router.get("/comp", response_class=HTMLResponse)
def cycles_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return render(request, "comp.html", cycles=views.cycles(uow, user), cycle=None)


@router.get("/comp/cycles/{name}", response_class=HTMLResponse)
def cycle_page(name: str, request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return _cycle(name, request, user, uow)


def _cycle(name: str, request: Request, user: User, uow: Uow, *, message: str | None = None,
           status: int = 200) -> HTMLResponse:
    doc = views.cycle(uow, user, name[:NAME_MAX])
    return render(request, "comp.html", status, cycles=None, cycle=doc, message=message,
                  kinds=[k.value for k in RaiseKind],
                  proposed=request.query_params.get("proposed"))


@router.post("/comp/cycles/{name}/propose", response_class=HTMLResponse)
def propose(name: str, request: Request, user: CurrentUser, uow: Uow, person: Line,
            kind: Line = "merit", percent: Line = "", amount: Line = "",
            reason: Annotated[str, Form(max_length=LONG_TEXT_MAX, pattern=TEXT)] = ""
            ) -> Response:
    try:
        try:
            raise_kind = RaiseKind(kind)
        except ValueError:
            raise InvalidEvent(f"a raise is one of {', '.join(RaiseKind)}") from None
        done = views.propose(
            uow, user, name, person, raise_kind,
            percent=rules.percent_from_text(percent) if percent.strip() else None,
            amount=rules.amount_from_text(amount) if amount.strip() else None,
            reason=reason.strip() or None)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _cycle(name, request, user, uow, message=f"Not proposed: {exc}",
                      status=status_of(exc)[0])
    return RedirectResponse(f"/comp/cycles/{name}?proposed={done['id']}#people",
                            status_code=303)


@router.get("/comp/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return _approvals(request, user, uow)


def _approvals(request: Request, user: User, uow: Uow, *, message: str | None = None,
               status: int = 200) -> HTMLResponse:
    waiting = views.proposals(uow, user, awaiting=True)
    mine = [p for p in waiting if p["can_sign"]]
    others = [p for p in waiting if not p["can_sign"]]
    return render(request, "comp_approvals.html", status, mine=mine, others=others,
                  message=message, done=request.query_params.get("done"))


@router.post("/comp/proposals/{proposal_id}/approve", response_class=HTMLResponse)
def approve(proposal_id: ProposalId, request: Request, user: CurrentUser, uow: Uow) -> Response:
    return _decide(proposal_id, request, user, uow, approve=True, reason=None)


@router.post("/comp/proposals/{proposal_id}/decline", response_class=HTMLResponse)
def decline(proposal_id: ProposalId, request: Request, user: CurrentUser, uow: Uow,
            reason: Annotated[str, Form(max_length=LONG_TEXT_MAX, pattern=TEXT)] = ""
            ) -> Response:
    return _decide(proposal_id, request, user, uow, approve=False, reason=reason)


def _decide(proposal_id: int, request: Request, user: User, uow: Uow, *, approve: bool,
            reason: str | None) -> Response:
    try:
        done: dict[str, Any] = views.decide(uow, user, proposal_id, approve=approve,
                                            reason=reason)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _approvals(request, user, uow, message=f"Not signed: {exc}",
                          status=status_of(exc)[0])
    return RedirectResponse(f"/comp/approvals?done={done['id']}", status_code=303)
