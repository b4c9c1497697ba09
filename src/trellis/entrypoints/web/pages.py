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
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Annotated, Any, NamedTuple

import orjson
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from trellis.adapters.framework_files import locate_in_bytes, parse_framework_bytes
from trellis.analytics.compare import MIN_N
from trellis.analytics.evidence import MIN_MONTHS
from trellis.domain import compensation as rules_of_pay
from trellis.domain.access import SELF_RECORDED, Role, User
from trellis.domain.advice import MIN_PEOPLE
from trellis.domain.approvals import Signer
from trellis.domain.compensation import RaiseKind
from trellis.domain.events import EventKind, RecognitionKind
from trellis.domain.layers import layers_to_document
from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX, LABEL_MAX, NAME_MAX
from trellis.domain.plan import DEFAULT_CAPACITY
from trellis.domain.readiness import readiness_to_document
from trellis.errors import (
    FrameworkInvalid,
    ImportRejected,
    InvalidEvent,
    LedgerRuleBroken,
    NotAuthenticated,
    PermissionDenied,
    TooManyAttempts,
    TrellisError,
)
from trellis.services import (
    accounts,
    cases,
    compensation,
    fragmentation,
    frameworks,
    lattice,
    layers,
    plans,
    readiness,
    recognition,
)
from trellis.services.advice import SIM_RUNS, SIM_YEARS
from trellis.services.case_documents import case_summary
from trellis.services.fragmentation import report_document as fragmentation_document
from trellis.services.recognition import report_document as recognition_document

from . import compensation_views as comp_views
from .deps import SESSION_COOKIE, CurrentUser, Uow, analysis
from .errors import headers_of, status_of
from .fields import LINE, TEXT, Ref
from .routers.auth import client_address, set_session_cookie
from .routers.plans import PlanCreate, plan_document
from .routers.plans import create_plan as create_plan_api
from .schemas import EventCreate, RecognitionCreate
from .static_assets import static_url
from .views import (
    WEB_MAX_RUNS,
    advice_view,
    import_text,
    plan_targets,
    profile_view,
    record,
    timeline_view,
    visible_people,
)
from .views import compare as compare_view
from .views import evidence as evidence_view
from .views import recognize as recognize_view
from .views import simulate as simulate_view
from .views import verify as verify_view

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
    found.env.globals["static_url"] = static_url  # assets named by their content's hash
    return found


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    user: User | None = getattr(request.state, "user", None)
    return templates().TemplateResponse(request, name, {
        "user": user, "csrf": getattr(request.state, "csrf", ""), "Role": Role, **context},
        status_code=status_code)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status, status=status, message=message)


# --- signing in and out


def _login_csrf(request: Request, nonce: str) -> str:
    key: str = request.app.state.secret
    return hmac.new(key.encode(), nonce.encode(), hashlib.sha256).hexdigest()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return login_form(request)


def login_form(request: Request, message: str | None = None, status: int = 200
               ) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    response = render(request, "login.html", status, login_csrf=_login_csrf(request, nonce),
                      message=message)
    response.set_cookie(LOGIN_COOKIE, nonce, httponly=True, samesite="strict",
                        secure=request.app.state.secure_cookies, max_age=3600)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, uow: Uow,
          email: Annotated[str, Form(max_length=EMAIL_MAX, pattern=LINE)],
          password: Annotated[str, Form(max_length=1000)],
          csrf_token: Annotated[str, Form(max_length=200, pattern=LINE)]) -> Response:
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    if not nonce or not hmac.compare_digest(csrf_token, _login_csrf(request, nonce)):
        return login_form(request, "the form expired: please sign in again", 403)
    try:
        session = accounts.login(uow(), email, password, client_address(request))
    except NotAuthenticated as exc:
        return login_form(request, str(exc), 401)
    except TooManyAttempts as exc:
        page = login_form(request, str(exc), 429)
        page.headers.update(headers_of(exc))
        return page
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
def person_page(ref: Ref, request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return show_person(ref, request, user, uow)


def show_person(ref: str, request: Request, user: User, uow: Uow, *,
                message: str | None = None, refusal: dict[str, Any] | None = None,
                plan_form: dict[str, Any] | None = None, status: int = 200
                ) -> HTMLResponse:
    """A person's page; ``plan_form`` brings back a refused plan form (its values and the
    message) with ``status``."""
    seen = accounts.access_to(uow(), user, ref)
    handle = seen.person.handle
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
    plan, plan_note = None, None
    options: dict[str, Any] | None = None
    if seen.private:
        try:
            plan = plan_document(plans.show_plan(uow(), handle))
            plan["milestones"] = [{**m, "items": [
                {**plan["steps"][i], "status": plan["progress"][i]} for i in m["steps"]]}
                for m in plan["milestones"]]
        except TrellisError as exc:
            plan_note = str(exc)
        try:
            found_options = lattice.explore(uow(), person=handle, limit=3)
            options = {kind.value: [lattice.destination_document(d)
                                    for d in found_options.of(kind)]
                       for kind in found_options.kinds}
            options["top_of_track"] = found_options.top_of_track
        except TrellisError:
            options = None
    plan_form, refused_plan = None, plan_form
    if seen.private and profile.profile["departed_on"] is None:
        targets, following = plan_targets(uow, profile.profile["role"]["id"])
        if targets:  # a re-plan keeps the active plan's role and capacity by default
            aimed = plan["target"]["role"] if plan else None
            plan_form = {"role": aimed if aimed in {t["id"] for t in targets}
                         else following or "",
                         "capacity": str(plan["capacity"] if plan else DEFAULT_CAPACITY),
                         "message": None, **(refused_plan or {}), "targets": targets,
                         "next": following}
    if refused_plan and plan_form is None:
        message = refused_plan.get("message")
    person_cases: list[dict[str, Any]] = []
    if seen.private:  # a case carries pay and ratings: the private circle's
        found_cases, named = cases.list_cases(uow(), Signer.of(user), person_ref=handle)
        person_cases = [case_summary(c, named) for c in found_cases]
        if person_cases:
            accounts.audit(uow(), user, "case.list", f"person/{handle}/cases",
                           {"count": len(person_cases)})
    # The next step builds on the mastery the ledger claims, pending steps included.
    claimed: dict[str, int] = {}
    for held in profile.profile.get("pending", []):
        if held["kind"] == "skill_step":
            comp = held["details"]["competency"]
            claimed[comp] = max(claimed.get(comp, 0), held["details"]["to_mastery"])
    chart = [{"on": e.effective_on.isoformat(), "advance": e.advance, "summary": e.summary}
             for e in timeline if e.retracted_by is None and e.kind != "retraction"]
    return render(request, "person.html", person=seen.person, seen=seen, profile=profile,
                  doc=profile.profile, timeline=list(reversed(timeline)), layers=layer_doc,
                  readiness=ready, readiness_note=ready_note, manages=manages,
                  self_kinds=SELF_KINDS, manager_kinds=MANAGER_KINDS, message=message,
                  refusal=refusal, today=date.today().isoformat(), plan=plan,
                  plan_note=plan_note, options=options, recognition_kinds=RECOGNITION_KINDS,
                  cases=person_cases,
                  chart_json=orjson.dumps(chart).decode(), plan_form=plan_form,
                  claimed=claimed,
                  status_code=status)


def _refused(exc: TrellisError, ref: str, request: Request, user: User, uow: Uow,
             what: str) -> Response:
    """A refused form comes back on the person's page, saying why; a lapsed sign-in is
    not a refusal and goes on to the login handler."""
    if isinstance(exc, NotAuthenticated):
        raise exc
    return show_person(ref, request, user, uow, message=f"{what}: {exc}")


@router.post("/people/{ref}/events")
async def log_event(ref: Ref, request: Request, user: CurrentUser, uow: Uow) -> Response:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str) and k not in
              ("csrf_token", "kind", "effective_on", "evidence", "verifier")}
    on = str(form.get("effective_on") or "") or None
    body = EventCreate(kind=str(form.get("kind", "")),
                       effective_on=date.fromisoformat(on) if on else None,
                       evidence=str(form.get("evidence") or "") or None,
                       verifier=str(form.get("verifier") or "") or None,
                       details={k: v for k, v in fields.items() if v})
    if body.kind == "compensation" and compensation.is_raise(body.details):
        return _propose_raise(ref, request, user, uow, body)
    try:
        event = record(uow, user, ref, body)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not recorded")
    return RedirectResponse(f"/people/{event.person}?recorded={event.id}#timeline",
                            status_code=303)


def _propose_raise(ref: str, request: Request, user: User, uow: Uow,
                   body: EventCreate) -> Response:
    """A raise from the person's page is an off-cycle proposal: it reaches the ledger only
    once the approval chain signs it (at once only when the chain is empty)."""
    d = body.details
    try:
        kind = RaiseKind(str(d.get("compensation_kind") or "adjustment").strip().lower())
        percent = rules_of_pay.percent_from_text(d["percent"]) if d.get("percent") else None
        amount = rules_of_pay.amount_from_text(d["amount"]) if d.get("amount") else None
        reason = str(d.get("reason") or "").strip() or body.evidence
        if not reason:
            raise InvalidEvent("give a reason: an off-cycle raise says why")
        done = comp_views.propose(uow, user, None, ref, kind, percent=percent, amount=amount,
                                  reason=reason)
    except ValueError:
        return show_person(ref, request, user, uow, status=422, message="Not proposed: a "
                           "raise is merit, adjustment or promotion")
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return show_person(ref, request, user, uow, status=status_of(exc)[0],
                           message=f"Not proposed: {exc}")
    if done["event"] is not None:
        return RedirectResponse(f"/people/{done['person']}?recorded={done['event']}#timeline",
                                status_code=303)
    step = next(s for s in done["steps"] if s["decision"] is None)
    return show_person(ref, request, user, uow, message=(
        f"Raise proposed (proposal {done['id']}): nothing is recorded until step "
        f"{step['step']} ({step['approver']}) approves it."))


def _back(value: str, fallback: str) -> str:
    """A same-site path to return to after a form (never another site)."""
    return value if value.startswith("/") and not value.startswith("//") else fallback


@router.post("/people/{ref}/recognize", response_class=HTMLResponse)
def recognize(ref: Ref, request: Request, user: CurrentUser, uow: Uow,
              citation: Annotated[str, Form(min_length=1, max_length=LABEL_MAX, pattern=LINE)],
              kind: Annotated[RecognitionKind, Form()] = RecognitionKind.KUDOS,
              points: Annotated[int | None, Form(ge=0, le=1_000_000)] = None,
              back: Annotated[str, Form(max_length=300, pattern=LINE)] = "") -> Response:
    try:
        done = recognize_view(uow, user, ref, RecognitionCreate(
            citation=citation, kind=kind, points=points))
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not recognized")
    return RedirectResponse(_back(back, f"/people/{done.person}#rec-h"), status_code=303)


@router.post("/people/{ref}/events/{event_id}/verify", response_class=HTMLResponse)
def verify(ref: Ref, event_id: int, request: Request, user: CurrentUser, uow: Uow,
           notes: Annotated[str, Form(max_length=2000, pattern=TEXT)] = "") -> Response:
    try:
        done = verify_view(uow, user, event_id, notes.strip() or None)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not verified")
    return RedirectResponse(f"/people/{done.person}?verified={event_id}#timeline",
                            status_code=303)


@router.post("/people/{ref}/check-in", response_class=HTMLResponse)
def check_in(ref: Ref, request: Request, user: CurrentUser, uow: Uow,
             notes: Annotated[str, Form(min_length=1, max_length=5000, pattern=TEXT)],
             engagement: Annotated[int | None, Form(ge=1, le=5)] = None) -> Response:
    person = accounts.require_record(uow(), user, ref, EventKind.CHECK_IN)
    try:
        done = plans.checkin(uow(), str(person.id), notes=notes, engagement=engagement,
                             author=user.email)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not recorded")
    accounts.audit(uow(), user, "check_in", f"person/{person.handle}/events/{done.event.id}",
                   {"replanned": done.replanned is not None})
    return RedirectResponse(f"/people/{person.handle}#timeline", status_code=303)


# --- Team and Organization


@router.get("/team", response_class=HTMLResponse)
async def team(request: Request, user: CurrentUser, uow: Uow,
               manager: Annotated[str | None, Query(max_length=EMAIL_MAX, pattern=LINE)] = None
               ) -> HTMLResponse:
    """The team's readiness pipeline and alerts: reports over the whole team, so they run
    as an analysis, beside the requests."""
    return render(request, "team.html", **await analysis(request, _team_reports, uow, user,
                                                         manager),
                  back=str(request.url.path) + (f"?manager={manager}" if user.is_hr and manager
                                                else ""))


def _team_reports(uow: Uow, user: User, manager: str | None) -> dict[str, Any]:
    root = accounts.team_root(uow(), user, manager)
    pipeline = None
    note = None
    try:
        pipeline = readiness.team_readiness(uow(), root)
    except TrellisError as exc:
        note = str(exc)
    members = visible_people(uow, user) if root is None or not user.is_hr else \
        [p for p in visible_people(uow, user) if p.manager == root or p.handle == root]
    fragmented = recognition_alerts = None
    try:
        fragmented = [p for p in fragmentation_document(
            fragmentation.fragmentation_report(uow(), root))["people"]
            if p["action"] != "none"]
        recognition_alerts = recognition_document(
            recognition.recognition_report(uow(), root))["people"]
    except TrellisError as exc:
        note = note or str(exc)
    return {"pipeline": pipeline, "note": note, "members": members, "root": root,
            "fragmented": fragmented, "recognition_alerts": recognition_alerts}


@router.get("/org", response_class=HTMLResponse)
def org_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return org(request, user, uow)


def org(request: Request, user: User, uow: Uow,
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
    data = str(form.get("text") or "").encode("utf-8", errors="surrogatepass")
    source = "upload"
    if isinstance(upload, UploadFile) and upload.filename:
        data, source = await upload.read(), upload.filename
    if isinstance(upload, UploadFile):
        await upload.close()
    if not data.strip():
        return org(request, user, uow, message="choose a file or paste a framework",
                   status=422)
    try:  # a large file takes a while to check: not on the loop that serves every request
        framework, document = await run_in_threadpool(parse_framework_bytes, data, source)
    except FrameworkInvalid as exc:
        return org(request, user, uow, problems=[str(p) for p in exc.problems],
                   message="the framework was not loaded:", status=422)
    try:  # its replaces are checked against the stored versions, its carry on the ledger
        loaded = frameworks.load_framework(uow(), framework, document, author=user.email,
                                           activate=form.get("activate") == "on")
    except FrameworkInvalid as exc:
        located = locate_in_bytes(exc.problems, data, source)
        return org(request, user, uow, problems=[str(p) for p in located.problems],
                   message="the framework was not loaded:", status=422)
    except LedgerRuleBroken as exc:
        return org(request, user, uow, message=f"the framework was not loaded: {exc}",
                   status=422)
    accounts.audit(uow(), user, "framework.load", f"framework/{framework.key}",
                   {"version": loaded.version.version, "changed": loaded.changed})
    return RedirectResponse("/org", status_code=303)


@router.get("/org/compare", response_class=HTMLResponse)
async def compare_page(request: Request, user: CurrentUser, uow: Uow,
                       team: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = "",
                       person: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = ""
                       ) -> HTMLResponse:
    """The comparison table: the organization (HR admins' default), a manager's team
    (``?team=``; a manager's own team by default) or a person (``?person=``: their private
    circle; an employee's own by default). Refusals and bad handles are shown in place."""
    form = {"team": team.strip(), "person": person.strip()}
    asked_person = form["person"] or (str(user.person_id) if not form["team"] and user.role
                                      is Role.EMPLOYEE and user.person_id else "")
    doc, columns, message, status = None, [], None, 200
    try:
        doc = (await analysis(request, compare_view, uow, user, team=form["team"] or None,
                              person=asked_person or None, since=None, min_n=MIN_N)).document
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        message, status = str(exc), status_of(exc)[0]
    for feature in doc["features"] if doc else []:
        for measure in feature["measures"]:
            columns += [c for c in measure["cells"] if c not in columns]
    return render(request, "compare.html", status, doc=doc, columns=columns, form=form,
                  message=message)


@router.get("/people/{ref}/advice", response_class=HTMLResponse)
async def advice_page(ref: Ref, request: Request, user: CurrentUser, uow: Uow
                      ) -> HTMLResponse:
    """Which strategy works for people like this person: its own page, as advice runs a
    short simulation and reads the whole ledger (about a second for 200 people)."""
    seen, doc = await analysis(request, advice_view, uow, user, ref)
    return render(request, "advice.html", person=seen.person, seen=seen, doc=doc,
                  min_people=MIN_PEOPLE, sim_years=SIM_YEARS, sim_runs=SIM_RUNS)


@router.post("/people/{ref}/plan", response_class=HTMLResponse)
def make_plan(ref: Ref, request: Request, user: CurrentUser, uow: Uow,
              role: Annotated[str, Form(max_length=HANDLE_MAX, pattern=LINE)] = "",
              capacity: Annotated[str, Form(max_length=20, pattern=LINE)] = "") -> Response:
    """Make a plan (a new version when one exists) as ``POST /api/people/{ref}/plan``
    does, with the same permission; bad input comes back in the form, with its status."""
    form = {"role": role.strip(), "capacity": capacity.strip()}
    try:
        body = PlanCreate(role=form["role"] or None, capacity=form["capacity"] or 0)
    except ValidationError:
        return show_person(ref, request, user, uow, status=422, plan_form={
            **form, "message": "Not planned: capacity must be a whole number of steps a "
                               "quarter from 1 to 12"})
    try:
        done = create_plan_api(ref, body, user, uow)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return show_person(ref, request, user, uow, status=status_of(exc)[0],
                           plan_form={**form, "message": f"Not planned: {exc}"})
    return RedirectResponse(f"/people/{done.person}?planned={done.document['version']}#plan",
                            status_code=303)


@router.get("/org/evidence", response_class=HTMLResponse)
async def evidence_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    doc = (await analysis(request, evidence_view, uow, user, at=None, since=None,
                          min_months=MIN_MONTHS)).document
    curves = [{"group": g["group"], "status": g["status"], "spells": g["spells"],
               "rate_from": g["rate_from"], "rate_to": g["rate_to"], **g["curve"]}
              for g in doc["time_in_level"]["groups"]]
    return render(request, "evidence.html", doc=doc,
                  curves_json=orjson.dumps(curves, option=orjson.OPT_SERIALIZE_NUMPY).decode())


@router.get("/simulate", response_class=HTMLResponse)
async def simulate_page(request: Request, user: CurrentUser, uow: Uow,
                        person: Annotated[str, Query(max_length=EMAIL_MAX, pattern=LINE)] = "",
                        cohort: Annotated[str, Query(max_length=NAME_MAX, pattern=LINE)] = "",
                        strategy: Annotated[str, Query(max_length=NAME_MAX, pattern=LINE)]
                        = "all",
                        years: Annotated[str, Query(max_length=20, pattern=LINE)] = "10",
                        runs: Annotated[str, Query(max_length=20, pattern=LINE)] = "10000",
                        seed: Annotated[str, Query(max_length=20, pattern=LINE)] = "0",
                        run: Annotated[str, Query(max_length=20)] = "") -> HTMLResponse:
    """The strategy simulator's form and, once run, its fan chart (managers: one person of
    their team; HR admins: anyone or a cohort). Bad input is shown in place."""
    accounts.require_role(user, Role.MANAGER, Role.HR_ADMIN)
    form = {"person": person, "cohort": cohort, "strategy": strategy, "years": years,
            "runs": runs, "seed": seed}
    result, message, status = None, None, 200
    if run:
        try:
            numbers = {k: int(form[k]) for k in ("years", "runs", "seed")}
            if not 1 <= numbers["years"] <= 30 or not 100 <= numbers["runs"] <= WEB_MAX_RUNS:
                raise ValueError
            result = (await analysis(request, simulate_view, uow, user,
                                     person=person.strip() or None,
                                     cohort=cohort.strip() or None,
                                     strategy=strategy.strip() or "all", **numbers)).document
        except ValueError:
            message, status = (f"years must be 1-30, runs 100-{WEB_MAX_RUNS:,} and the seed a "
                               "whole number"), 422
        except TrellisError as exc:
            if isinstance(exc, NotAuthenticated):
                raise
            message, status = str(exc), 422 if not isinstance(exc, PermissionDenied) else 403
    chart = None
    if result is not None:
        chart = orjson.dumps([{"strategy": o["strategy"], "effort": o["promotion_effort"],
                               "pay": o["over_time"]["pay"],
                               "survival": o["over_time"]["survival"]}
                              for o in result["strategies"]]).decode()
    return render(request, "simulate.html", status, form=form, result=result,
                  message=message, chart_json=chart, max_runs=WEB_MAX_RUNS)


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
