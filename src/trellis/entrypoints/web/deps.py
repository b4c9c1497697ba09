"""Request dependencies as ``Annotated`` aliases: the wired Trellis, a unit-of-work factory,
and the signed-in user (a session cookie, or ``Authorization: Bearer`` with an API token;
``SessionUser`` only a session).

A cookie-authenticated request that changes something must carry the session's CSRF token
(the ``X-CSRF-Token`` header, or a ``csrf_token`` form field); a bearer token needs none,
and a read-only token may not change anything.

A session whose password an HR admin gave (``must_change_password``) may only choose its
own password and sign out (``SignedInUser``); anything else is PasswordChangeRequired,
which sends a page to the change-password form. API tokens are not affected.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import partial
from typing import Annotated, ParamSpec, TypeVar

from anyio import CapacityLimiter, to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from trellis.bootstrap import Trellis
from trellis.domain.access import User, token_permits
from trellis.errors import NotAuthenticated, PasswordChangeRequired, PermissionDenied
from trellis.services import accounts
from trellis.services.unit_of_work import UnitOfWork

SESSION_COOKIE = "trellis_session"
REQUEST_THREADS = 1
ANALYSIS_THREADS = 2
P = ParamSpec("P")
T = TypeVar("T")


def share_threads(app: FastAPI) -> None:
    """Ordinary requests take turns on one thread per worker; analyses that run for seconds
    have threads of their own (``analysis``).

    A request is a few milliseconds of Python: threads that run such requests side by side
    only fight over the interpreter lock (each database call hands it over, and getting it
    back can wait out a 5 ms switch interval), which at 200 requests a second halved what
    two workers served. Scale with ``--workers``, one per core.
    """
    to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
    app.state.analyses = CapacityLimiter(ANALYSIS_THREADS)


async def analysis(request: Request, work: Callable[P, T], *args: P.args,
                   **kwargs: P.kwargs) -> T:
    """Run a long analysis (a simulation, the evidence, advice, an import, a team report)
    beside the requests rather than in their turn."""
    limiter: CapacityLimiter | None = getattr(request.app.state, "analyses", None)
    return await to_thread.run_sync(partial(work, *args, **kwargs), limiter=limiter)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def single_query_values(request: Request) -> None:
    """Refuse a query parameter given twice (FastAPI would quietly keep the last): no API
    operation takes a list in its query."""
    for name in dict.fromkeys(request.query_params):
        if len(request.query_params.getlist(name)) > 1:
            raise RequestValidationError([{"type": "value_error", "loc": ("query", name),
                                           "msg": "given more than once: give it once"}])


# Dependencies that never block are ``async``: FastAPI runs a plain ``def`` dependency on
# the thread pool, and that hop costs more than the lookup itself.
async def get_trellis(request: Request) -> Trellis:
    trellis: Trellis = request.app.state.trellis
    return trellis


TrellisDep = Annotated[Trellis, Depends(get_trellis)]


async def get_uow_factory(trellis: TrellisDep) -> Callable[[], UnitOfWork]:
    return trellis.uow


Uow = Annotated[Callable[[], UnitOfWork], Depends(get_uow_factory)]


# How a request signs in, as the OpenAPI document's security schemes.
_bearer = HTTPBearer(auto_error=False, scheme_name="token",
                     description="a personal API token (POST /api/tokens)")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, scheme_name="session",
                       description="the session cookie of POST /api/session; a write with it "
                       "also sends the session's CSRF token as X-CSRF-Token")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
Cookie = Annotated[str | None, Depends(_cookie)]


CHANGE_FIRST = ("choose your own password first: the one you were given lets you in once "
                "(sign in on the web page, which asks for a new one)")


async def current_user(request: Request, uow: Uow, bearer: Bearer, cookie: Cookie) -> User:
    user = await signed_in(request, uow, bearer, cookie)
    if getattr(request.state, "must_change_password", False):
        raise PasswordChangeRequired(CHANGE_FIRST)
    return user


async def signed_in(request: Request, uow: Uow, bearer: Bearer, cookie: Cookie) -> User:
    """The user of the request's token or session (``request.state.must_change_password``
    says whether the session must choose a new password first)."""
    if bearer is not None:
        user, scope = await run_in_threadpool(accounts.token_user, uow(),
                                              bearer.credentials.strip())
        if not token_permits(scope, request.method not in SAFE_METHODS):
            raise PermissionDenied("this API token is read-only: writing needs a token with "
                                   "scope write")
        request.state.user = user
        request.state.token = True
        return user
    if not cookie:
        raise NotAuthenticated("sign in first: a session cookie or an API token is needed")
    user, csrf, must_change = await run_in_threadpool(accounts.session_user, uow(), cookie)
    if request.method not in SAFE_METHODS:
        given = request.headers.get("x-csrf-token")
        form = None
        if given is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token")
            given = value if isinstance(value, str) else None
        if not given or not secrets.compare_digest(given, csrf):
            if form is not None:
                await form.close()  # a refused upload's spooled file goes now
            raise PermissionDenied("missing or wrong CSRF token: reload the page and retry")
    request.state.user = user
    request.state.csrf = csrf
    request.state.must_change_password = must_change
    return user


CurrentUser = Annotated[User, Depends(current_user)]


# Anyone signed in, even a session that must choose a new password first: for choosing
# it and for signing out.
SignedInUser = Annotated[User, Depends(signed_in)]


async def session_user(request: Request, user: CurrentUser) -> User:
    """The signed-in user of a session: what an API token may not do (make more tokens)."""
    if getattr(request.state, "token", False):
        raise PermissionDenied("this needs a signed-in session, not an API token")
    return user


SessionUser = Annotated[User, Depends(session_user)]
