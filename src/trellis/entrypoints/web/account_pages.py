"""Accounts and API tokens for HR admins (``/admin/accounts``): list, create, disable and
enable an account, give it a new password, revoke a token. Each change is audited under
the admin's email (services.account_admin).

A new or generated password is shown once, on the page that answers the form (never in
an address), with ``Cache-Control: no-store``. Other changes redirect back with a notice.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trellis.domain.access import Role, User
from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX, TOKEN_ID_MAX
from trellis.errors import NotAuthenticated, TrellisError
from trellis.services import account_admin, accounts

from .deps import CurrentUser, Uow
from .errors import status_of
from .fields import LINE
from .org_format import FORMAT
from .pages import render

router = APIRouter(include_in_schema=False)
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
NOTICES = {"disabled": "{who} is disabled: signed out everywhere, their API tokens stopped.",
           "enabled": "{who} can sign in again.",
           "revoked": "The API token is revoked."}


def page(request: Request, user: User, uow: Uow, *, status: int = 200,
         message: str | None = None, notice: str | None = None,
         secret: dict[str, str] | None = None, form: dict[str, str] | None = None,
         acted: int | None = None) -> HTMLResponse:
    """The page; a ``notice`` about one account (``acted``) shows in that account's row."""
    found = account_admin.accounts_list(uow(), user)
    response = render(request, "accounts.html", status, accounts=found, message=message,
                      notice=notice, secret=secret, roles=list(Role), acted=acted,
                      form=form or {"email": "", "role": Role.EMPLOYEE.value, "person": ""},
                      **FORMAT)
    if secret:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, user: CurrentUser, uow: Uow,
                  done: Annotated[str, Query(max_length=20, pattern=LINE)] = "",
                  who: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = "",
                  account: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None
                  ) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    known = NOTICES.get(done)
    return page(request, user, uow, notice=known.format(who=who or "The account")
                if known else None, acted=account)


def _refused(exc: TrellisError, request: Request, user: User, uow: Uow, what: str,
             form: dict[str, str] | None = None, acted: int | None = None) -> HTMLResponse:
    """The page with the refusal in words, in the row of the account acted on (if any)."""
    if isinstance(exc, NotAuthenticated):
        raise exc
    return page(request, user, uow, status=status_of(exc)[0], message=f"{what}: {exc}",
                form=form, acted=acted)


@router.post("/admin/accounts", response_class=HTMLResponse)
def create(request: Request, user: CurrentUser, uow: Uow,
           email: Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)],
           role: Annotated[str, Form(max_length=20, pattern=LINE)] = "employee",
           person: Annotated[str, Form(max_length=HANDLE_MAX, pattern=LINE)] = "",
           password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    form = {"email": email.strip(), "role": role, "person": person.strip()}
    try:
        chosen = Role(role)
    except ValueError:
        return page(request, user, uow, status=422, form=form, message="Not created: the "
                    "role is employee, manager or HR admin")
    try:
        made, fresh = account_admin.create_account(uow(), user, form["email"], chosen,
                                                   form["person"] or None, password or None)
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Not created", form)
    return page(request, user, uow, status=201, notice=f"{made.email} can now sign in.",
                secret={"email": made.email, "password": fresh} if fresh else None)


@router.post("/admin/accounts/{user_id}/disable")
def disable(user_id: UserId, request: Request, user: CurrentUser, uow: Uow) -> Response:
    return _set_disabled(user_id, True, request, user, uow)


@router.post("/admin/accounts/{user_id}/enable")
def enable(user_id: UserId, request: Request, user: CurrentUser, uow: Uow) -> Response:
    return _set_disabled(user_id, False, request, user, uow)


def _set_disabled(user_id: int, disabled: bool, request: Request, user: User, uow: Uow
                  ) -> Response:
    try:
        target = account_admin.set_disabled(uow(), user, user_id, disabled)
    except TrellisError as exc:
        return _refused(exc, request, user, uow,
                        "Not disabled" if disabled else "Not enabled", acted=user_id)
    done = "disabled" if disabled else "enabled"
    return _back(done, target.email, user_id)


def _back(done: str, who: str, user_id: int) -> Response:
    query = urlencode({"done": done, "who": who, "account": user_id})
    return RedirectResponse(f"/admin/accounts?{query}#account-{user_id}", status_code=303)


@router.post("/admin/accounts/{user_id}/password", response_class=HTMLResponse)
def new_password(user_id: UserId, request: Request, user: CurrentUser, uow: Uow,
                 password: Annotated[str, Form(max_length=1000)] = "") -> Response:
    try:
        target, fresh = account_admin.reset_password(uow(), user, user_id, password or None)
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Password not changed", acted=user_id)
    secret: dict[str, Any] | None = {"email": target.email, "password": fresh} if fresh \
        else None
    return page(request, user, uow, secret=secret, acted=target.id,
                notice=f"{target.email} has a new password and was signed out everywhere.")


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(request: Request, user: CurrentUser, uow: Uow,
           token_id: Annotated[int, Path(ge=1, le=TOKEN_ID_MAX)]) -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    try:
        accounts.revoke_token(uow(), user, token_id)
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Not revoked")
    return RedirectResponse("/admin/accounts?done=revoked", status_code=303)
