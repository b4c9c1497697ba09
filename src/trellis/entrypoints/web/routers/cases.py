"""Promotion cases over HTTP: open one, list and read them, comment, approve, decline,
defer, withdraw.

A case carries pay and ratings: it is visible to the person, their management chain, its
signers and HR admins (to anyone else it does not exist: 404). Signing follows the chain
(domain.cases): anyone else's approval is a 403 and writes nothing. Every read and every
write of a case is audited, the read with a ``pay.read`` entry when it shows pay.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import Field

from trellis.domain.access import User
from trellis.domain.approvals import Signer
from trellis.domain.cases import CaseStatus, Decision
from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX
from trellis.services import accounts
from trellis.services import cases as use
from trellis.services.case_documents import case_document, case_summary

from ..deps import CurrentUser, Uow
from ..fields import LINE, ROW_ID_MAX, TEXT, Day, Ref
from ..schemas import Body, DocumentPublic
from ..views import UowFactory

router = APIRouter(prefix="/api", tags=["cases"])

CASE_ID_MAX = ROW_ID_MAX
CaseId = Annotated[int, Path(ge=1, le=CASE_ID_MAX, description="a promotion case's id")]
TEXT_MAX = 20_000


class CaseCreate(Body):
    person: str = Field(min_length=1, max_length=EMAIL_MAX, pattern=LINE)
    to_role: str = Field(min_length=1, max_length=HANDLE_MAX, pattern=LINE)
    justification: str = Field(min_length=1, max_length=TEXT_MAX, pattern=TEXT)
    pay: int | None = Field(default=None, ge=0, le=10**12,
                            description="default: the current pay raised to the band's "
                            "minimum")
    pay_reason: str | None = Field(default=None, max_length=TEXT_MAX, pattern=TEXT,
                                   description="required when the pay is outside the band")
    effective_on: Day | None = Field(default=None, description="default: today")


class CommentCreate(Body):
    text: str = Field(min_length=1, max_length=TEXT_MAX, pattern=TEXT)


class ApprovalCreate(Body):
    override: str | None = Field(default=None, max_length=TEXT_MAX, pattern=TEXT,
                                 description="why the approval goes past a failing "
                                 "readiness gate")


class PromotionProposal(Body):
    to_role: str = Field(min_length=1, max_length=HANDLE_MAX, pattern=LINE)
    justification: str = Field(min_length=1, max_length=TEXT_MAX, pattern=TEXT)
    pay: int | None = Field(default=None, ge=0, le=10**12)
    pay_reason: str | None = Field(default=None, max_length=TEXT_MAX, pattern=TEXT)
    effective_on: Day | None = Field(default=None, description="default: today")


class ReasonCreate(Body):
    reason: str = Field(min_length=1, max_length=TEXT_MAX, pattern=TEXT)


def open_case(uow: UowFactory, user: User, person: str, to_role: str, justification: str,
              pay: int | None = None, pay_reason: str | None = None,
              on: date | None = None) -> use.Opened:
    """Open a case as ``user``, audited (the API's and the confirmation page's)."""
    opened = use.open_case(uow(), person, to_role, justification=justification,
                           by=Signer.of(user), pay=pay, pay_reason=pay_reason, on=on)
    return opened


def read_case(uow: UowFactory, user: User, case_id: int) -> DocumentPublic:
    doc = case_document(use.show_case(uow(), case_id, Signer.of(user)))
    audit_read(uow, user, case_id, doc)
    return DocumentPublic(person=doc["person"], document=doc)


def audit_read(uow: UowFactory, user: User, case_id: int, doc: dict[str, Any]) -> None:
    accounts.audit(uow(), user, "case.read", f"case/{case_id}")
    if doc.get("pay") is not None:
        accounts.audit(uow(), user, "pay.read", f"case/{case_id}")


@router.get("/cases", response_model=DocumentPublic,
            summary="Promotion cases: HR admins all; a manager their org's and those "
            "awaiting them; an employee their own")
def list_cases(user: CurrentUser, uow: Uow,
               status: Annotated[CaseStatus | None, Query()] = None,
               person: str | None = Query(None, max_length=EMAIL_MAX, pattern=LINE)
               ) -> DocumentPublic:
    viewer = Signer.of(user)
    if person is not None:  # looked up as the user may (by email or id: their circle only)
        person = accounts.access_to(uow(), user, person).person.handle
    found, handles = use.list_cases(uow(), viewer, status=status, person_ref=person)
    docs = [{**case_summary(c, handles), "awaiting_me": use.awaiting(c, viewer)}
            for c in found]
    accounts.audit(uow(), user, "case.list", "cases", {"count": len(docs)})
    if any(d["pay"] is not None for d in docs):
        accounts.audit(uow(), user, "pay.read", "cases")
    return DocumentPublic(document={"cases": docs})


@router.post("/cases", response_model=DocumentPublic, status_code=201,
             summary="Open a promotion case (the person, a manager in their chain, HR)")
def create_case(body: CaseCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
    opened = open_case(uow, user, body.person, body.to_role, body.justification, body.pay,
                       body.pay_reason, body.effective_on)
    return read_case(uow, user, opened.case.id)


@router.get("/cases/{case_id}", response_model=DocumentPublic,
            summary="A case with its steps, comments and the evidence packet")
def get_case(case_id: CaseId, user: CurrentUser, uow: Uow) -> DocumentPublic:
    return read_case(uow, user, case_id)


@router.post("/cases/{case_id}/comments", response_model=DocumentPublic, status_code=201,
             summary="Comment on a case (anyone who may see it)")
def comment(case_id: CaseId, body: CommentCreate, user: CurrentUser, uow: Uow
            ) -> DocumentPublic:
    use.comment(uow(), case_id, body.text, by=Signer.of(user))
    return read_case(uow, user, case_id)


@router.post("/cases/{case_id}/approval", response_model=DocumentPublic, status_code=201,
             summary="Approve the waiting step (its approver only); the last approval "
             "records the promotion")
def approve(case_id: CaseId, body: ApprovalCreate, user: CurrentUser, uow: Uow
            ) -> DocumentPublic:
    use.approve(uow(), case_id, by=Signer.of(user), override=body.override)
    return read_case(uow, user, case_id)


def _decide(uow: UowFactory, user: User, case_id: int, decision: Decision,
            reason: str) -> DocumentPublic:
    use.decide(uow(), case_id, decision, by=Signer.of(user), reason=reason)
    return read_case(uow, user, case_id)


@router.post("/cases/{case_id}/decline", response_model=DocumentPublic, status_code=201,
             summary="Decline a case at its waiting step, with a reason")
def decline(case_id: CaseId, body: ReasonCreate, user: CurrentUser, uow: Uow
            ) -> DocumentPublic:
    return _decide(uow, user, case_id, Decision.DECLINED, body.reason)


@router.post("/cases/{case_id}/deferral", response_model=DocumentPublic, status_code=201,
             summary="Defer a case at its waiting step, with a reason")
def defer(case_id: CaseId, body: ReasonCreate, user: CurrentUser, uow: Uow
          ) -> DocumentPublic:
    return _decide(uow, user, case_id, Decision.DEFERRED, body.reason)


@router.post("/cases/{case_id}/withdrawal", response_model=DocumentPublic, status_code=201,
             summary="Withdraw an open case (its proposer, HR admins)")
def withdraw(case_id: CaseId, body: ReasonCreate, user: CurrentUser, uow: Uow
             ) -> DocumentPublic:
    use.withdraw(uow(), case_id, by=Signer.of(user), reason=body.reason)
    return read_case(uow, user, case_id)


@router.post("/people/{ref}/promotions", response_model=DocumentPublic, status_code=201,
             summary="Propose a promotion: opens a promotion case (as POST /api/cases)")
def propose(ref: Ref, body: PromotionProposal, user: CurrentUser, uow: Uow
            ) -> DocumentPublic:
    opened = open_case(uow, user, ref, body.to_role, body.justification, body.pay,
                       body.pay_reason, body.effective_on)
    return read_case(uow, user, opened.case.id)
