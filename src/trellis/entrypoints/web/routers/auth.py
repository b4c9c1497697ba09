"""Sessions (login and logout), the signed-in user, personal API tokens, and users."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request, Response

from trellis.domain.access import Role, User
from trellis.domain.limits import EMAIL_MAX, TOKEN_ID_MAX
from trellis.services import accounts

from ..deps import SESSION_COOKIE, CurrentUser, SessionUser, SignedInUser, Uow
from ..fields import LINE
from ..schemas import (
    LoginIn,
    SessionPublic,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserPublic,
)

router = APIRouter(prefix="/api", tags=["accounts"])


def user_public(uow: Uow, user: User) -> UserPublic:
    handle = None
    if user.person_id is not None:
        with uow() as u:
            person = u.people.get(user.person_id)
            handle = person.handle if person else None
    return UserPublic(id=user.id, email=user.email, role=user.role, person=handle)


def client_address(request: Request) -> str | None:
    """Where a login attempt came from, for the per-client throttle (behind a proxy: the
    proxy, unless Uvicorn is told to trust its forwarded headers)."""
    return request.client.host if request.client else None


def set_session_cookie(request: Request, response: Response, session: accounts.LoginSession
                       ) -> None:
    response.set_cookie(SESSION_COOKIE, session.token, max_age=accounts.SESSION_HOURS * 3600,
                        httponly=True, samesite="lax", path="/",
                        secure=request.app.state.secure_cookies)


@router.post("/session", response_model=SessionPublic, summary="Sign in")
def login(body: LoginIn, request: Request, response: Response, uow: Uow) -> SessionPublic:
    """Open a session: sets an HTTP-only cookie and returns the CSRF token for writes.
    With ``must_change_password`` (an HR admin gave the password) the session may only
    sign out until its owner chooses their own password on the web page
    ``/account/password``; API tokens are not affected."""
    session = accounts.login(uow(), body.email, body.password, client_address(request))
    set_session_cookie(request, response, session)
    return SessionPublic(user=user_public(uow, session.user), csrf_token=session.csrf,
                         expires=session.expires,
                         must_change_password=session.must_change_password)


@router.delete("/session", status_code=204, summary="Sign out")
def logout(request: Request, user: SignedInUser, uow: Uow) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.logout(uow(), cookie)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me", response_model=UserPublic, summary="The signed-in user")
def me(user: CurrentUser, uow: Uow) -> UserPublic:
    return user_public(uow, user)


@router.post("/tokens", response_model=TokenCreated, status_code=201,
             summary="Create a personal API token (shown once; needs a session, not a token)")
def create_token(body: TokenCreate, user: SessionUser, uow: Uow) -> TokenCreated:
    token_id, token, expires = accounts.create_token(uow(), user, body.name, days=body.days,
                                                     scope=body.scope)
    return TokenCreated(id=token_id, name=body.name.strip(), scope=body.scope,
                        expires_at=expires, token=token)


@router.get("/tokens", response_model=list[TokenPublic],
            summary="My API tokens (HR admins: anyone's, or everyone's)")
def list_tokens(user: CurrentUser, uow: Uow,
                owner: str | None = Query(None, alias="user", max_length=EMAIL_MAX,
                                          pattern=LINE,
                                          description="the owner's email (HR admins)"),
                everyone: bool = Query(False, description="every user's tokens (HR admins)")
                ) -> list[TokenPublic]:
    return [TokenPublic(**t) for t in accounts.list_tokens(uow(), user, owner, everyone)]


@router.delete("/tokens/{token_id}", status_code=204,
               summary="Revoke an API token (its owner; HR admins anyone's)")
def revoke_token(user: CurrentUser, uow: Uow,
                 token_id: int = Path(ge=1, le=TOKEN_ID_MAX)) -> Response:
    accounts.revoke_token(uow(), user, token_id)
    return Response(status_code=204)


@router.get("/users", response_model=list[UserPublic], summary="Every user (HR admins)")
def list_users(user: CurrentUser, uow: Uow) -> list[UserPublic]:
    accounts.require_role(user, Role.HR_ADMIN)
    return [user_public(uow, u) for u in accounts.list_users(uow())]


@router.post("/users", response_model=UserPublic, status_code=201,
             summary="Create a user (HR admins; they choose their own password at first sign-in)")
def create_user(body: UserCreate, user: CurrentUser, uow: Uow) -> UserPublic:
    accounts.require_role(user, Role.HR_ADMIN)
    created = accounts.create_user(uow(), body.email, body.password, body.role,
                                   person=body.person, author=user.email,
                                   must_change_password=True)
    return user_public(uow, created)
