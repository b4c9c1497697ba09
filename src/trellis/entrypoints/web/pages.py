"""Server-rendered pages: Me, a person, Team (managers), Organization (HR admins), login.

Pages call the same use cases as the API (through ``views``); forms carry the session's
CSRF token (the login form a signed one of its own).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from trellis.adapters.framework_files import parse_framework
from trellis.domain.access import SELF_RECORDED, Role, User
from trellis.domain.events import EventKind
from trellis.domain.layers import layers_to_document
from trellis.domain.readiness import readiness_to_document
from trellis.errors import FrameworkInvalid, NotAuthenticated, PromotionRefused, TrellisError
from trellis.services import accounts, frameworks, layers, readiness

from .deps import SESSION_COOKIE, CurrentUser, Uow
from .routers.auth import set_session_cookie
from .schemas import EventCreate
from .views import profile_view, record, timeline_view, visible_people

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "trellis_login"
SELF_KINDS = sorted(k.value for k in SELF_RECORDED)
MANAGER_KINDS = [k.value for k in EventKind if k not in (EventKind.HIRE, EventKind.RETRACTION)]


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(files("trellis.entrypoints.web") / "templates"))


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    user: User | None = getattr(request.state, "user", None)
    return templates().TemplateResponse(request, name, {
        "user": user, "csrf": getattr(request.state, "csrf", ""), "Role": Role, **context},
        status_code=status_code)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status, status=status, message=message)


# --- static assets, all from installed packages


STATIC_TYPES = {"app.css": "text/css", "app.js": "text/javascript"}


@router.get("/static/{name}")
def static(name: str) -> Response:
    if name == "plotly.js":
        return Response(_plotly_js(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
    if name not in STATIC_TYPES:
        return error_page_plain(404)
    body = (files("trellis.entrypoints.web") / "static" / name).read_bytes()
    return Response(body, media_type=STATIC_TYPES[name],
                    headers={"Cache-Control": "public, max-age=3600"})


def error_page_plain(status: int) -> Response:
    return Response("not found", status_code=status, media_type="text/plain")


@cache
def _plotly_js() -> bytes:
    from plotly.offline import get_plotlyjs

    text: str = get_plotlyjs()
    return text.encode()


# --- signing in and out


def _login_csrf(request: Request, nonce: str) -> str:
    key: str = request.app.state.secret
    return hmac.new(key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, message: str | None = None, status: int = 200
               ) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    response = render(request, "login.html", status, login_csrf=_login_csrf(request, nonce),
                      message=message)
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, uow: Uow, email: Annotated[str, Form(max_length=254)],
          password: Annotated[str, Form(max_length=1000)],
          csrf_token: Annotated[str, Form(max_length=200)]) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not hmac.compare_digest(csrf_token, _login_csrf(request, nonce)):
        return login_form(request, "the form expired: please sign in again", 403)
    try:
        session = accounts.login(uow(), email, password)
    except NotAuthenticated as exc:
        return login_form(request, str(exc), 401)
    response = RedirectResponse("/me", status_code=303)
    set_session_cookie(request, response, session)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, user: CurrentUser, uow: Uow) -> Response:
    accounts.logout(uow(), request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- Me and a person's page


@router.get("/")
def home() -> Response:
    return RedirectResponse("/me", status_code=303)


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, user: CurrentUser, uow: Uow) -> Response:
    if user.person_id is None:
        return RedirectResponse("/org" if user.is_hr else "/team", status_code=303)
    return person_page(str(user.person_id), request, user, uow)


@router.get("/people/{ref}", response_class=HTMLResponse)
def person_page(ref: str, request: Request, user: CurrentUser, uow: Uow,
                message: str | None = None, refusal: dict[str, Any] | None = None
                ) -> HTMLResponse:
    seen = accounts.access_to(uow(), user, ref)
    handle = str(seen.person.id)
    profile = profile_view(uow, user, handle)
    timeline = timeline_view(uow, user, handle)
    layer_doc = layers_to_document(layers.layers(uow(), handle, every_competency=True).view)
    ready: dict[str, Any] | None = None
    ready_note = None
    if seen.private:
        try:
            found = readiness.readiness_for(uow(), handle)
            ready = {**readiness_to_document(found.readiness, found.framework),
                     "explanation": found.explanation}
        except TrellisError as exc:
            ready_note = str(exc)
    manages = not seen.is_self and (user.is_hr or seen.private)
    chart = [{"on": e.effective_on.isoformat(), "advance": e.advance, "summary": e.summary}
             for e in timeline if e.retracted_by is None and e.kind != "retraction"]
    return render(request, "person.html", person=seen.person, seen=seen, profile=profile,
                  doc=profile.profile, timeline=list(reversed(timeline)), layers=layer_doc,
                  readiness=ready, readiness_note=ready_note, manages=manages,
                  self_kinds=SELF_KINDS, manager_kinds=MANAGER_KINDS, message=message,
                  refusal=refusal, today=date.today().isoformat(),
                  chart_json=orjson.dumps(chart).decode())


@router.post("/people/{ref}/events")
async def log_event(ref: str, request: Request, user: CurrentUser, uow: Uow) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k not in
              ("csrf_token", "kind", "effective_on", "evidence", "verifier")}
    on = str(form.get("effective_on") or "") or None
    body = EventCreate(kind=str(form.get("kind", "")),
                       effective_on=date.fromisoformat(on) if on else None,
                       evidence=str(form.get("evidence") or "") or None,
                       verifier=str(form.get("verifier") or "") or None,
                       details={k: v for k, v in fields.items() if v})
    try:
        event = record(uow, user, ref, body)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return person_page(ref, request, user, uow, message=f"Not recorded: {exc}")
    return RedirectResponse(f"/people/{event.person}?recorded={event.id}#timeline",
                            status_code=303)


@router.post("/people/{ref}/promote", response_class=HTMLResponse)
def promote(ref: str, request: Request, user: CurrentUser, uow: Uow,
            to_role: Annotated[str, Form(max_length=80)],
            override: Annotated[str, Form(max_length=500)] = "") -> Response:
    person = accounts.require_record(uow(), user, ref, EventKind.PROMOTION)
    try:
        done = readiness.promote(uow(), str(person.id), to_role,
                                 override=override.strip() or None, author=user.email)
    except PromotionRefused as exc:
        refusal = {"message": str(exc), "gates": [g for g in exc.readiness.gates
                                                  if not g.holds]}
        return person_page(ref, request, user, uow, refusal=refusal)
    accounts.audit(uow(), user, "promotion", f"person/{person.handle}/events/{done.event.id}",
                   {"to": to_role, "overridden": list(done.overridden)})
    return RedirectResponse(f"/people/{person.handle}#timeline", status_code=303)


# --- Team and Organization


@router.get("/team", response_class=HTMLResponse)
def team(request: Request, user: CurrentUser, uow: Uow, manager: str | None = None
         ) -> HTMLResponse:
    root = accounts.team_root(uow(), user, manager)
    pipeline = None
    note = None
    try:
        pipeline = readiness.team_readiness(uow(), root)
    except TrellisError as exc:
        note = str(exc)
    members = visible_people(uow, user) if root is None or not user.is_hr else \
        [p for p in visible_people(uow, user) if p.manager == root or p.handle == root]
    return render(request, "team.html", pipeline=pipeline, note=note, members=members,
                  root=root)


@router.get("/org", response_class=HTMLResponse)
def org(request: Request, user: CurrentUser, uow: Uow,
        problems: list[str] | None = None, message: str | None = None,
        status: int = 200) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    versions, active = frameworks.list_versions(uow())
    audit = accounts.audit_log(uow(), 30)
    count = len(visible_people(uow, user))
    return render(request, "org.html", status, versions=versions, active=active, audit=audit,
                  people_count=count, problems=problems or [], message=message)


@router.post("/org/frameworks", response_class=HTMLResponse)
async def upload_framework(request: Request, user: CurrentUser, uow: Uow) -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    form = await request.form()
    upload = form.get("file")
    text = str(form.get("text") or "")
    if isinstance(upload, UploadFile) and upload.filename:
        text = (await upload.read()).decode("utf-8", errors="replace")
    if not text.strip():
        return org(request, user, uow, message="choose a file or paste a framework",
                   status=422)
    try:
        framework, document = parse_framework(text, "upload")
    except FrameworkInvalid as exc:
        return org(request, user, uow, problems=[str(p) for p in exc.problems],
                   message="the framework was not loaded:", status=422)
    loaded = frameworks.load_framework(uow(), framework, document, author=user.email,
                                       activate=form.get("activate") == "on")
    accounts.audit(uow(), user, "framework.load", f"framework/{framework.key}",
                   {"version": loaded.version.version, "changed": loaded.changed})
    return RedirectResponse("/org", status_code=303)
