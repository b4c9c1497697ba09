"""The pages of promotion cases: the list, one case (its steps, the evidence packet,
comments, and the forms for whoever may sign it), its printable export, and the
confirmation that opens a case from a person's page.

Pages call the same use cases as the API (routers.cases); a refused form comes back on
the case's page with the reason and the error's status, nothing written.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trellis.adapters.case_export import case_html
from trellis.domain.access import User
from trellis.domain.approvals import Signer
from trellis.domain.cases import CaseStatus, Decision
from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX
from trellis.errors import (
    UNKNOWN,
    InvalidEvent,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TrellisError,
)
from trellis.services import accounts, readiness
from trellis.services import cases as use
from trellis.services.case_documents import case_document, case_summary
from trellis.services.readiness import promotion_pay

from . import feedback, formatting
from .case_words import case_words
from .deps import CurrentUser, Uow
from .errors import status_of
from .fields import LINE, TEXT
from .pages import error_page, render
from .person_context import readiness_in_words
from .person_words import vocabulary
from .routers.cases import CASE_ID_MAX, TEXT_MAX, audit_read
from .routers.cases import open_case as open_case_api
from .views import UowFactory

router = APIRouter(include_in_schema=False)
Line = Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)]
LongText = Annotated[str, Form(max_length=TEXT_MAX, pattern=TEXT)]


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, user: CurrentUser, uow: Uow,
               status: Annotated[CaseStatus | None, Query()] = None) -> HTMLResponse:
    viewer = Signer.of(user)
    found, handles = use.list_cases(uow(), viewer, status=status)
    rows = [{**case_summary(c, handles), "awaiting_me": use.awaiting(c, viewer)}
            for c in found]
    accounts.audit(uow(), user, "case.list", "cases", {"count": len(rows)})
    return render(request, "cases.html", cases=rows, status=status.value if status else "",
                  statuses=[s.value for s in CaseStatus], words=case_words(uow(), rows))


@router.get("/cases/new", response_class=HTMLResponse)
def new_case(request: Request, user: CurrentUser, uow: Uow,
             person: Annotated[str, Query(min_length=1, max_length=EMAIL_MAX, pattern=LINE)],
             to_role: Annotated[str, Query(min_length=1, max_length=HANDLE_MAX,
                                           pattern=LINE)]) -> HTMLResponse:
    return confirmation(request, user, uow, person, to_role)


def confirmation(request: Request, user: User, uow: UowFactory, person: str, to_role: str,
                 *, form: dict[str, Any] | None = None, message: str | None = None,
                 status: int = 200) -> HTMLResponse:
    """What a proposal is about to open: readiness for the role with its gaps, the pay
    proposal prefilled from the band, and the justification to write."""
    seen = accounts.access_to(uow(), user, person)
    if not (seen.is_self or user.is_hr or (seen.private and user.person_id is not None)):
        raise PermissionDenied(f"{user.email} may not propose a promotion for "
                               f"{seen.person.handle}")
    found = readiness.readiness_for(uow(), seen.person.handle, to_role)
    target = found.readiness.target
    pay = promotion_pay(found.profile.pay, target)
    if pay is not None:
        accounts.audit(uow(), user, "pay.read", f"person/{seen.person.handle}/case/new")
    values = {"pay": "" if pay is None else str(pay), "pay_reason": "", "justification": "",
              "effective_on": date.today().isoformat(), **(form or {})}
    words = vocabulary(found.framework, {seen.person.handle: seen.person.name},
                       found.profile.currency)
    return render(request, "case_new.html", status, person=seen.person,
                  readiness=readiness_in_words(found, words), band=target.pay_band,
                  current_pay=found.profile.pay, currency=found.profile.currency,
                  form=values, message=message)


@router.post("/cases", response_class=HTMLResponse)
def create_case(request: Request, user: CurrentUser, uow: Uow, person: Line, to_role: Line,
                justification: LongText = "", pay: Annotated[str, Form(max_length=20,
                                                                       pattern=LINE)] = "",
                pay_reason: LongText = "",
                effective_on: Annotated[str, Form(max_length=10, pattern=LINE)] = ""
                ) -> Response:
    form = {"pay": pay, "pay_reason": pay_reason, "justification": justification,
            "effective_on": effective_on}
    try:
        made = open_case_api(uow, user, person, to_role, justification, _amount(pay),
                             pay_reason.strip() or None, _day(effective_on))
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return confirmation(request, user, uow, person, to_role, form=form,
                            message=f"Not opened: {exc}", status=status_of(exc)[0])
    return feedback.done(request, f"/cases/{made.case.id}",
                         "Opened: the case now waits for its approvers to sign.", "case-h")


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case_id: int, request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return show_case(request, user, uow, case_id)


def show_case(request: Request, user: User, uow: UowFactory, case_id: int, *,
              message: str | None = None, status: int = 200) -> HTMLResponse:
    doc = case_document(use.show_case(uow(), _case_id(case_id), Signer.of(user)))
    audit_read(uow, user, case_id, doc)
    return render(request, "case.html", status, c=doc, message=message,
                  words=case_words(uow(), [doc]))


@router.get("/cases/{case_id}/export", response_class=HTMLResponse)
def export(case_id: int, user: CurrentUser, uow: Uow) -> HTMLResponse:
    doc = case_document(use.show_case(uow(), _case_id(case_id), Signer.of(user)))
    audit_read(uow, user, case_id, doc)
    accounts.audit(uow(), user, "case.export", f"case/{case_id}")
    return HTMLResponse(case_html(doc, case_words(uow(), [doc])))


@router.post("/cases/{case_id}/approve", response_class=HTMLResponse)
def approve(case_id: int, request: Request, user: CurrentUser, uow: Uow,
            override: LongText = "", confirmed: Annotated[str, Form(max_length=3)] = ""
            ) -> Response:
    """Sign the next step. The last one records the promotion: it asks first."""
    last = _last_step_for(uow, user, case_id)
    if last is not None and confirmed != "yes":
        words = case_words(uow(), [last])
        return feedback.confirm(
            request, title=f"Approve the promotion of {last['person_name']}?",
            question=("This is the case's last approval: it records the promotion on "
                      f"{last['person_name']}'s timeline, effective "
                      f"{formatting.day(last['effective_on'])}, and cannot be undone from "
                      "here (a correction is a retraction)."),
            facts=[("To", words.role(last["to_role"])),
                   ("Override reason", override.strip() or "none")],
            action=f"/cases/{case_id}/approve", fields={"override": override},
            button="Yes, approve and record the promotion", back=f"/cases/{case_id}")

    def act() -> None:
        use.approve(uow(), _case_id(case_id), by=Signer.of(user),
                    override=override.strip() or None)
    return _acting(request, user, uow, case_id, act, "Not approved")


@router.post("/cases/{case_id}/decline", response_class=HTMLResponse)
def decline(case_id: int, request: Request, user: CurrentUser, uow: Uow,
            reason: LongText = "") -> Response:
    return _decision(request, user, uow, case_id, Decision.DECLINED, reason)


@router.post("/cases/{case_id}/defer", response_class=HTMLResponse)
def defer(case_id: int, request: Request, user: CurrentUser, uow: Uow,
          reason: LongText = "") -> Response:
    return _decision(request, user, uow, case_id, Decision.DEFERRED, reason)


@router.post("/cases/{case_id}/comment", response_class=HTMLResponse)
def comment(case_id: int, request: Request, user: CurrentUser, uow: Uow,
            text: LongText = "") -> Response:
    def act() -> None:
        use.comment(uow(), _case_id(case_id), text, by=Signer.of(user))
    return _acting(request, user, uow, case_id, act, "Not commented")


def _decision(request: Request, user: User, uow: UowFactory, case_id: int,
              decision: Decision, reason: str) -> Response:
    def act() -> None:
        use.decide(uow(), _case_id(case_id), decision, by=Signer.of(user), reason=reason)
    what = "Not declined" if decision is Decision.DECLINED else "Not deferred"
    return _acting(request, user, uow, case_id, act, what)


def _acting(request: Request, user: User, uow: UowFactory, case_id: int, act: Any,
            what: str) -> Response:
    """Run a form's write; a refusal comes back on the case page with its status (or, for
    someone who may not see the case, as an error page)."""
    try:
        act()
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        status = status_of(exc)[0]
        try:
            return show_case(request, user, uow, case_id, message=f"{what}: {exc}",
                             status=status)
        except TrellisError:
            return error_page(request, status, str(exc))
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _last_step_for(uow: UowFactory, user: User, case_id: int) -> dict[str, Any] | None:
    """The case, when ``user`` may sign its next step and it is the last one; else None
    (the approval then goes ahead, or is refused with its reason)."""
    try:
        doc = case_document(use.show_case(uow(), _case_id(case_id), Signer.of(user)))
    except TrellisError:
        return None
    waiting = [s for s in doc["steps"] if s["decision"] is None]
    return doc if doc.get("may_sign") and len(waiting) == 1 else None


def _case_id(value: int) -> int:
    if not 0 < value <= CASE_ID_MAX:
        raise NotFound(f"{{unknown}} promotion case {value}", unknown=UNKNOWN)
    return value


def _amount(text: str) -> int | None:
    text = text.strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit():
        raise InvalidEvent(f"the pay proposal must be a whole number, got '{text}'")
    return int(text)


def _day(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidEvent(f"the effective date '{text}' is not YYYY-MM-DD") from None
