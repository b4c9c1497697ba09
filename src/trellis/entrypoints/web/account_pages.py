"""Accounts and API tokens for HR admins (``/admin/accounts``): list, create, disable and
enable an account, give it a new password, revoke a token. Each change is audited under
the admin's email (services.account_admin).

Every action answers next to what it acted on (``feedback``): the account's row, or the
form that creates one. Disabling, a new password and revoking a token are confirmed first.
A new or generated password is shown once, on the page that answers the form (never in an
address or a cookie), with ``Cache-Control: no-store``; an account created or given a new
password here must choose its own at its next sign-in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, Response

from trellis.domain.access import Role, User
from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX, TOKEN_ID_MAX
from trellis.errors import Conflict, InvalidEvent, NotAuthenticated, NotFound, TrellisError
from trellis.services import account_admin, accounts

from . import feedback
from .deps import CurrentUser, Uow
from .errors import status_of
from .feedback import Notice
from .fields import LINE
from .pages import render

router = APIRouter(include_in_schema=False)
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TokenId = Annotated[int, Path(ge=1, le=TOKEN_ID_MAX)]
PAGE = "/admin/accounts"
NEW = "new-account"  # the create form's section
ROLE_NAMES = {Role.EMPLOYEE: "employee", Role.MANAGER: "manager", Role.HR_ADMIN: "HR admin"}
PASSWORD_MAX = 1000
Password = Annotated[str, Form(max_length=PASSWORD_MAX)]
Confirmed = Annotated[str, Form(max_length=3, pattern=LINE)]
CHOOSE_OWN = "they choose their own password when they next sign in"


def row(account_id: int) -> str:
    return f"account-{account_id}"


def page(request: Request, user: User, uow: Uow, *, status: int = 200,
         notice: Notice | None = None, secret: dict[str, str] | None = None
         ) -> HTMLResponse:
    """The page; the ``notice`` (and a ``secret`` shown once) at the notice's target."""
    found = account_admin.accounts_list(uow(), user)
    if notice and notice.target.startswith("account-") and notice.target not in {
            row(a.id) for a in found}:  # an unknown account has no row: say it at the top
        notice = replace(notice, target="accounts")
    response = render(request, "accounts.html", status, accounts=found, notice=notice,
                      secret=secret, roles=list(Role), role_names=ROLE_NAMES, new=NEW)
    if secret:
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get(PAGE, response_class=HTMLResponse)
def accounts_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    return page(request, user, uow)


def _refused(exc: TrellisError, request: Request, user: User, uow: Uow, what: str,
             target: str, values: dict[str, str] | None = None) -> HTMLResponse:
    """The page with the refusal in words at ``target``, the form's values kept."""
    if isinstance(exc, NotAuthenticated):
        raise exc
    return page(request, user, uow, status=status_of(exc)[0],
                notice=feedback.refused(f"{what}: {exc}", target, values))


def _account(uow: Uow, user: User, account_id: int) -> account_admin.Account:
    found = next((a for a in account_admin.accounts_list(uow(), user) if a.id == account_id),
                 None)
    if found is None:
        raise NotFound(f"unknown account {account_id}")
    return found


@router.post(PAGE, response_class=HTMLResponse)
def create(request: Request, user: CurrentUser, uow: Uow,
           email: Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)],
           role: Annotated[str, Form(max_length=20, pattern=LINE)] = "employee",
           person: Annotated[str, Form(max_length=HANDLE_MAX, pattern=LINE)] = "",
           password: Password = "") -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    kept = {"email": email.strip(), "role": role, "person": person.strip()}
    try:
        try:
            chosen = Role(role)
        except ValueError:
            raise InvalidEvent("the role is employee, manager or HR admin") from None
        made, fresh = account_admin.create_account(uow(), user, kept["email"], chosen,
                                                   kept["person"] or None, password or None)
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Not created", NEW, kept)
    text = f"{made.email} can now sign in; {CHOOSE_OWN}."
    if fresh is None:
        return feedback.done(request, PAGE, text, row(made.id))
    return page(request, user, uow, status=201, notice=Notice(text, NEW),
                secret={"email": made.email, "password": fresh})


@router.post(PAGE + "/{user_id}/disable", response_class=HTMLResponse)
def disable(user_id: UserId, request: Request, user: CurrentUser, uow: Uow,
            confirmed: Confirmed = "") -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    try:
        target = _account(uow, user, user_id)
        if target.id == user.id:
            raise Conflict("you cannot disable your own account: ask another HR admin")
        if target.disabled_at is not None:
            raise Conflict(f"{target.email} is already disabled")
        if not feedback.confirmed({"confirmed": confirmed}):
            return feedback.confirm(
                request, title=f"Disable {target.email}?",
                question=(f"{target.email} is signed out at once and their API tokens stop "
                          "working, until you enable the account again. Nothing they "
                          "recorded is lost."),
                facts=_facts(target), action=f"{PAGE}/{user_id}/disable#{row(user_id)}",
                fields={}, button=f"Yes, disable {target.email}",
                back=f"{PAGE}#{row(user_id)}")
        done = account_admin.set_disabled(uow(), user, user_id, True)
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Not disabled", row(user_id))
    return feedback.done(request, PAGE, f"{done.email} is disabled: signed out everywhere, "
                         "their API tokens stopped.", row(user_id))


@router.post(PAGE + "/{user_id}/enable", response_class=HTMLResponse)
def enable(user_id: UserId, request: Request, user: CurrentUser, uow: Uow) -> Response:
    try:
        done = account_admin.set_disabled(uow(), user, user_id, False)
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Not enabled", row(user_id))
    return feedback.done(request, PAGE, f"{done.email} can sign in again.", row(user_id))


def _facts(target: account_admin.Account) -> list[tuple[str, str]]:
    tokens = ", ".join(t["name"] for t in target.tokens) or "none"
    return [("Account", target.email), ("Role", ROLE_NAMES[target.role]),
            ("Person", target.person or "none"), ("API tokens", tokens)]


PASSWORD_ASK = feedback.Ask(
    "password", "New password (optional)", "password",
    help="At least 10 characters. Leave it empty and Trellis makes one, shown once.",
    attributes={"autocomplete": "new-password", "minlength": "10",
                "maxlength": str(PASSWORD_MAX)})


@router.post(PAGE + "/{user_id}/password", response_class=HTMLResponse)
def new_password(user_id: UserId, request: Request, user: CurrentUser, uow: Uow,
                 password: Password = "", confirmed: Confirmed = "") -> Response:
    """Confirm first (the confirmation asks for the password, so it never travels as a
    hidden field); a refused password comes back on that page."""
    accounts.require_role(user, Role.HR_ADMIN)
    try:
        target = _account(uow, user, user_id)
        if target.id == user.id:
            raise Conflict("you cannot reset the password of your own account: ask "
                           "another HR admin")
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Password not changed", row(user_id))

    def asking(refusal: str | None = None, status: int = 200) -> HTMLResponse:
        return feedback.confirm(
            request, title=f"Give {target.email} a new password?",
            question=(f"{target.email} is signed out everywhere and {CHOOSE_OWN}: the "
                      "password given here lets them in once. Their API tokens keep "
                      "working."),
            facts=_facts(target), action=f"{PAGE}/{user_id}/password#{row(user_id)}",
            fields={}, asks=[PASSWORD_ASK], button="Yes, give a new password",
            back=f"{PAGE}#{row(user_id)}", refusal=refusal, status_code=status)

    if not feedback.confirmed({"confirmed": confirmed}):
        return asking()
    try:
        done, fresh = account_admin.reset_password(uow(), user, user_id, password or None)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return asking(f"Password not changed: {exc}", status_of(exc)[0])
    text = f"{done.email} has a new password and was signed out everywhere; {CHOOSE_OWN}."
    if fresh is None:
        return feedback.done(request, PAGE, text, row(user_id))
    return page(request, user, uow, notice=Notice(text, row(user_id)),
                secret={"email": done.email, "password": fresh})


@router.post("/admin/tokens/{token_id}/revoke", response_class=HTMLResponse)
def revoke(token_id: TokenId, request: Request, user: CurrentUser, uow: Uow,
           confirmed: Confirmed = "") -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    where = "accounts"  # the owner's row, once the token is found
    try:
        found = [(a, t) for a in account_admin.accounts_list(uow(), user) for t in a.tokens
                 if t["id"] == token_id]
        if not found:
            raise NotFound(f"unknown API token {token_id}")
        account, token = found[0]
        where = row(account.id)
        if not feedback.confirmed({"confirmed": confirmed}):
            return feedback.confirm(
                request, title=f"Revoke the API token “{token['name']}”?",
                question=(f"Scripts using {account.email}'s token “{token['name']}” stop at "
                          "once; this cannot be undone (they can make a new token)."),
                facts=[("Token", token["name"]), ("Belongs to", account.email),
                       ("Allows", "reading only" if token["scope"] == "read"
                        else "reading and writing")],
                action=f"/admin/tokens/{token_id}/revoke#{where}", fields={},
                button="Yes, revoke it", back=f"{PAGE}#{where}")
        accounts.revoke_token(uow(), user, token_id)
    except TrellisError as exc:
        return _refused(exc, request, user, uow, "Not revoked", where)
    return feedback.done(request, PAGE, f"The API token “{token['name']}” of "
                         f"{account.email} is revoked.", where)
