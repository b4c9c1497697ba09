"""Server-rendered pages: Me, a person, Team (managers), Organization (HR admins), login.

Pages call the same use cases as the API (through ``views``); forms carry the session's
CSRF token (the login form a signed one of its own).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import threading
from collections.abc import AsyncIterator
from dataclasses import asdict
from functools import cache
from importlib.resources import files
from typing import Annotated, Any, NamedTuple

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from trellis.analytics.compare import MIN_N
from trellis.analytics.evidence import HORIZONS, MIN_MONTHS
from trellis.domain.access import SELF_RECORDED, Role, User
from trellis.domain.advice import MIN_PEOPLE
from trellis.domain.events import EventKind, RecognitionKind
from trellis.domain.limits import EMAIL_MAX
from trellis.errors import (
    ImportRejected,
    InvalidEvent,
    NotAuthenticated,
    TooManyAttempts,
    TrellisError,
)
from trellis.services import (
    accounts,
)
from trellis.services.advice import SIM_RUNS, SIM_YEARS
from trellis.services.frameworks import framework_at

from . import compare_words, evidence_words, feedback, formatting
from .deps import SESSION_COOKIE, CurrentUser, SignedInUser, Uow, analysis
from .errors import headers_of, status_of
from .fields import LINE, Ref
from .person_lookup import Person, find_person, typed_as, unmatched
from .person_words import vocabulary
from .return_to import NEXT_MAX, password_url, safe_next
from .routers.auth import client_address, set_session_cookie
from .static_assets import static_url
from .views import (
    advice_view,
    import_text,
)
from .views import compare as compare_view
from .views import evidence as evidence_view

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "trellis_login"
SELF_KINDS = sorted(k.value for k in SELF_RECORDED)
MANAGER_KINDS = [k.value for k in EventKind if k not in (
    EventKind.HIRE, EventKind.RETRACTION, EventKind.VERIFICATION, EventKind.CHECK_IN,
    EventKind.RECOGNITION)]
RECOGNITION_KINDS = [k.value for k in RecognitionKind]


@cache
def templates() -> Jinja2Templates:
    found = Jinja2Templates(directory=str(files("trellis.entrypoints.web") / "templates"))
    formatting.install(found.env)
    found.env.globals["static_url"] = static_url  # assets named by their content's hash
    return found


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page, with the notice an action left for it (``feedback``) unless one is given."""
    user: User | None = getattr(request.state, "user", None)
    if context.get("notice") is None:
        context["notice"] = feedback.take(request)
    response = templates().TemplateResponse(request, name, {
        "user": user, "user_name": _name_of(request, user),
        "csrf": getattr(request.state, "csrf", ""), "Role": Role, **context},
        status_code=status_code)
    feedback.settle(request, response)
    return response


def _name_of(request: Request, user: User | None) -> str | None:
    """The signed-in person's name, for the header (None: an account of no one)."""
    if user is None or user.person_id is None:
        return None
    uow = request.app.state.trellis.uow()
    with uow.reading():
        person = uow.people.get(user.person_id)
    return person.name if person else None


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status, status=status, message=message)


# --- signing in and out


def _login_csrf(request: Request, nonce: str) -> str:
    key: str = request.app.state.secret
    return hmac.new(key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request,
               next: Annotated[str, Query(max_length=NEXT_MAX)] = "") -> HTMLResponse:
    return login_form(request, next_page=next)


def login_form(request: Request, message: str | None = None, status: int = 200,
               next_page: str = "") -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    response = render(request, "login.html", status, login_csrf=_login_csrf(request, nonce),
                      message=message, next_page=safe_next(next_page) or "")
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, uow: Uow,
          email: Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)],
          password: Annotated[str, Form(max_length=1000)],
          csrf_token: Annotated[str, Form(max_length=200, pattern=LINE)],
          next: Annotated[str, Form(max_length=NEXT_MAX)] = "") -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not hmac.compare_digest(csrf_token, _login_csrf(request, nonce)):
        return login_form(request, "the form expired: please sign in again", 403, next)
    try:
        session = accounts.login(uow(), email, password, client_address(request))
    except NotAuthenticated as exc:
        return login_form(request, str(exc), 401, next)
    except TooManyAttempts as exc:
        page = login_form(request, str(exc), 429, next)
        page.headers.update(headers_of(exc))
        return page
    # a password an HR admin gave lets its owner in once: to choose their own, then on
    landing = (password_url(safe_next(next) or "") if session.must_change_password
               else safe_next(next) or "/me")
    response = RedirectResponse(landing, status_code=303)
    set_session_cookie(request, response, session)
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, user: SignedInUser, uow: Uow) -> Response:
    accounts.logout(uow(), request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- Me and a person's page


@router.get("/")
def home() -> Response:
    return RedirectResponse("/me", status_code=303)


# --- Organization tools (the Team and Organization pages: team_pages, org_pages)


@router.get("/org/compare", response_class=HTMLResponse)
async def compare_page(request: Request, user: CurrentUser, uow: Uow,
                       team: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = "",
                       person: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = ""
                       ) -> HTMLResponse:
    """The comparison table: the organization (HR admins' default), a manager's team
    (``?team=``; a manager's own team by default) or a person (``?person=``: their private
    circle; an employee's own by default), each named by name, handle or email. Refusals
    and names that fit no one (or several) are shown in place."""
    form = {"team": team.strip(), "person": person.strip()}
    doc, columns, message, status = None, [], None, 200
    choices: list[Person] = []
    refs, names = dict(form), {"team": "your team", "person": "your career"}
    for field in ("team", "person"):  # a name becomes the handle it names
        if form[field]:
            found, choices = await analysis(request, find_person, uow(), user, form[field])
            if found is None:
                message, status = unmatched(form[field], choices)
                break
            refs[field], names[field] = found.handle, found.name
            form[field] = await analysis(request, typed_as, uow(), user, form[field], found)
    if not refs["team"] and not refs["person"] and user.role is Role.EMPLOYEE \
            and user.person_id:
        refs["person"] = str(user.person_id)
    if message is None:
        try:
            doc = (await analysis(request, compare_view, uow, user, team=refs["team"] or None,
                                  person=refs["person"] or None, since=None,
                                  min_n=MIN_N)).document
        except TrellisError as exc:
            if isinstance(exc, NotAuthenticated):
                raise
            message, status = str(exc), status_of(exc)[0]
    for feature in doc["features"] if doc else []:
        for measure in feature["measures"]:
            columns += [c for c in measure["cells"] if c not in columns]
    return render(request, "compare.html", status, doc=doc, columns=columns, form=form,
                  message=message, choices=choices, words=compare_words,
                  subject=names[doc["scope"]] if doc and doc["scope"] in names else None,
                  takeaway=compare_words.takeaway(doc) if doc else None)


@router.get("/people/{ref}/advice", response_class=HTMLResponse)
async def advice_page(ref: Ref, request: Request, user: CurrentUser, uow: Uow
                      ) -> HTMLResponse:
    """Which strategy works for people like this person: its own page, as advice runs a
    short simulation and reads the whole ledger (about a second for 200 people)."""
    seen, doc = await analysis(request, advice_view, uow, user, ref)
    _, framework = await analysis(request, framework_at, uow())
    words = vocabulary(framework, {seen.person.handle: seen.person.name}, framework.currency)
    return render(request, "advice.html", person=seen.person, seen=seen, doc=doc,
                  words=words, sources=ACTION_SOURCE_WORDS, currency=framework.currency,
                  min_people=MIN_PEOPLE, sim_years=SIM_YEARS, sim_runs=SIM_RUNS)


ACTION_SOURCE_WORDS = {"plan": "your plan", "readiness": "readiness", "recognition":
                       "recognition", "lattice": "lattice", "check_in": "check-in",
                       "evidence": "evidence", "routine": "a good habit"}


@router.get("/org/evidence", response_class=HTMLResponse)
async def evidence_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    doc = (await analysis(request, evidence_view, uow, user, at=None, since=None,
                          min_months=MIN_MONTHS)).document
    curves = [{"group": g["group"], "status": g["status"], "spells": g["spells"],
               "rate_from": g["rate_from"], "rate_to": g["rate_to"],
               "median_months": g.get("median_months"),
               "by_24": g.get("promoted_by_months", {}).get("24"), **g["curve"]}
              for g in doc["time_in_level"]["groups"]]
    _, framework = await analysis(request, framework_at, uow())
    words = vocabulary(framework, {}, framework.currency)
    return render(request, "evidence.html", doc=doc, ev_words=evidence_words, words=words,
                  horizons=[str(h) for h in HORIZONS],
                  curves_json=orjson.dumps(curves, option=orjson.OPT_SERIALIZE_NUMPY).decode())


@router.get("/org/import", response_class=HTMLResponse)
def import_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    return render(request, "import.html")


@router.post("/org/import", response_class=HTMLResponse)
async def import_upload(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    """Validate and import an uploaded file in one transaction; show the counts, or every
    bad row with its line (and nothing written)."""
    accounts.require_role(user, Role.HR_ADMIN)
    try:
        upload = await _ledger_upload(request)
    except InvalidEvent as exc:
        return render(request, "import.html", 422, message=str(exc))
    try:
        summary = await analysis(request, import_text, uow, user, upload.fmt, upload.text,
                                 upload.name)
    except ImportRejected as exc:
        return render(request, "import.html", 422, filename=upload.name,
                      **_rejection(upload.name, exc))
    return render(request, "import.html", filename=upload.name, summary=summary)


NDJSON = "application/x-ndjson"
MAX_LISTED = 500  # bad rows listed; the rest are counted


@router.post("/org/import/stream")
async def import_stream(request: Request, user: CurrentUser, uow: Uow) -> Response:
    """The same import for the page's script, as JSON lines: ``{"phase", "done", "total"}``
    as it goes, then ``{"result": ...}``, ``{"rejected": ...}`` or ``{"error": ...}``.
    Progress travels in this response: another worker process could answer a poll."""
    accounts.require_role(user, Role.HR_ADMIN)
    try:
        upload = await _ledger_upload(request)
    except InvalidEvent as exc:
        return Response(_json_line({"error": str(exc)}), 422, media_type=NDJSON)
    return StreamingResponse(_import_lines(uow, user, upload), media_type=NDJSON,
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


class LedgerUpload(NamedTuple):
    name: str
    fmt: str
    text: str


async def _ledger_upload(request: Request) -> LedgerUpload:
    """The uploaded ledger file, or InvalidEvent saying in one line what is wrong with it."""
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile):
        raise InvalidEvent("choose a .csv or .jsonl file")
    try:
        name = upload.filename or ""
        fmt = "csv" if name.lower().endswith(".csv") else "jsonl" if name.lower().endswith(
            (".jsonl", ".ndjson", ".json")) else None
        if not name:
            raise InvalidEvent("choose a .csv or .jsonl file")
        if fmt is None:
            raise InvalidEvent(f"{name}: use a .csv or .jsonl file")
        data = await upload.read()
    finally:
        await upload.close()
    try:
        text = data.decode("utf-8-sig")  # spreadsheets start UTF-8 files with a BOM
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InvalidEvent(f"{name}: line {line} is not UTF-8 text; save the file as UTF-8"
                           ) from None
    return LedgerUpload(name, fmt, text)


def _rejection(name: str, exc: ImportRejected) -> dict[str, Any]:
    return {"message": f"{name}: {len(exc.problems)} bad row(s); nothing was imported",
            "problems": exc.problems[:MAX_LISTED],
            "more": max(0, len(exc.problems) - MAX_LISTED)}


def _json_line(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value) + b"\n"


async def _import_lines(uow: Uow, user: User, upload: LedgerUpload) -> AsyncIterator[bytes]:
    """Run the import in a thread of its own and pass on its progress as it comes (the
    wait is on the event loop, so it holds up no request). If the browser goes away, the
    import still finishes (or is refused) whole.
    """
    loop = asyncio.get_running_loop()
    queued: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

    def put(line: dict[str, Any] | None) -> None:  # from the import's thread
        loop.call_soon_threadsafe(queued.put_nowait, line)

    def run() -> None:
        try:
            summary = import_text(uow, user, upload.fmt, upload.text, upload.name,
                                  lambda progress: put(asdict(progress)))
            put({"result": {"file": upload.name, **asdict(summary)}})
        except ImportRejected as exc:
            put({"rejected": _rejection(upload.name, exc)})
        except TrellisError as exc:
            put({"error": f"{upload.name}: {exc}"})
        except Exception:
            put({"error": f"{upload.name}: the import failed on the server"})
            raise  # the thread's traceback goes to the server's log
        finally:
            put(None)

    threading.Thread(target=run, name=f"import {upload.name}").start()
    while (line := await queued.get()) is not None:
        yield _json_line(line)
