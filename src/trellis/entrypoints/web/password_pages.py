"""Choosing one's own password (``/account/password``): anyone signed in with a session
may change theirs; a session whose password an HR admin gave is sent here first and may do
nothing else until it has (``deps.current_user``). The other sessions of the account end;
this one stays, and its API tokens keep working."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from trellis.domain.access import User
from trellis.errors import InvalidEvent, NotAuthenticated, PermissionDenied, TrellisError
from trellis.services import accounts

from . import feedback
from .deps import SESSION_COOKIE, SignedInUser, Uow
from .errors import status_of
from .pages import render
from .return_to import NEXT_MAX, PASSWORD_PAGE, safe_next

router = APIRouter(include_in_schema=False)
Password = Annotated[str, Form(max_length=1000)]
TARGET = "password"


def _page(request: Request, next_page: str, status: int = 200,
          notice: feedback.Notice | None = None) -> HTMLResponse:
    forced = getattr(request.state, "must_change_password", False)
    response = render(request, "account_password.html", status, forced=forced,
                      next_page=safe_next(next_page) or "", notice=notice,
                      minimum=accounts.MIN_PASSWORD)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(PASSWORD_PAGE, response_class=HTMLResponse)
def password_page(request: Request, user: SignedInUser,
                  next: Annotated[str, Query(max_length=NEXT_MAX)] = "") -> HTMLResponse:
    return _page(request, next)


@router.post(PASSWORD_PAGE, response_class=HTMLResponse)
def choose(request: Request, user: SignedInUser, uow: Uow, current: Password = "",
           new: Password = "", again: Password = "",
           next: Annotated[str, Form(max_length=NEXT_MAX)] = "") -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    try:
        if getattr(request.state, "token", False) or not token:
            raise PermissionDenied("changing a password needs a signed-in session, not an "
                                   "API token")
        if not current:
            raise InvalidEvent("give the password you signed in with")
        if new != again:
            raise InvalidEvent("the two new passwords differ (type the same one twice)")
        ended = accounts.choose_password(uow(), user, token, current, new)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return _page(request, next, status_of(exc)[0],
                     feedback.refused(f"Not changed: {exc}", TARGET))
    signed_out = (f" {ended} other session{'s' if ended != 1 else ''} signed out."
                  if ended else "")
    landing = safe_next(next) or _home(user)
    return feedback.done(request, landing, f"Your password is changed.{signed_out}", "main")


def _home(user: User) -> str:
    """Where /me would send the user (a notice is for one page's address)."""
    if user.person_id is not None:
        return f"/people/{user.person_id}"
    return "/org" if user.is_hr else "/team"
