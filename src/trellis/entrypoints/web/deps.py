"""Request dependencies as ``Annotated`` aliases: the wired Trellis, a unit-of-work factory,
and the signed-in user (a session cookie, or ``Authorization: Bearer`` with an API token).

A cookie-authenticated request that changes something must carry the session's CSRF token
(the ``X-CSRF-Token`` header, or a ``csrf_token`` form field); a bearer token needs none.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from trellis.bootstrap import Trellis
from trellis.domain.access import User
from trellis.errors import NotAuthenticated, PermissionDenied
from trellis.services import accounts
from trellis.services.unit_of_work import UnitOfWork

SESSION_COOKIE = "trellis_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_trellis(request: Request) -> Trellis:
    trellis: Trellis = request.app.state.trellis
    return trellis


TrellisDep = Annotated[Trellis, Depends(get_trellis)]


def get_uow_factory(trellis: TrellisDep) -> Callable[[], UnitOfWork]:
    return trellis.uow


Uow = Annotated[Callable[[], UnitOfWork], Depends(get_uow_factory)]


async def current_user(request: Request, uow: Uow) -> User:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = await run_in_threadpool(accounts.token_user, uow(), header[7:].strip())
        request.state.user = user
        return user
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise NotAuthenticated("sign in first: a session cookie or an API token is needed")
    user, csrf = await run_in_threadpool(accounts.session_user, uow(), cookie)
    if request.method not in SAFE_METHODS:
        given = request.headers.get("x-csrf-token")
        if given is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get("csrf_token")
            given = value if isinstance(value, str) else None
        if not given or not secrets.compare_digest(given, csrf):
            raise PermissionDenied("missing or wrong CSRF token: reload the page and retry")
    request.state.user = user
    request.state.csrf = csrf
    return user


CurrentUser = Annotated[User, Depends(current_user)]
