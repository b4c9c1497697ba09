"""A person's page and its actions: log progress, verify, recognize, check in, plan, retract
an event, change the person's details.

Each action answers next to what it acted on (``feedback``): a success redirects back to
the page with a one-shot notice at its target; a refusal renders the page again with the
status, the message at the form and the form's values kept. Retracting and a check-in that
closes a plan's quarter ask for confirmation first.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from trellis.domain import compensation as rules_of_pay
from trellis.domain.access import User
from trellis.domain.compensation import RaiseKind
from trellis.domain.events import EventKind, RecognitionKind
from trellis.domain.limits import HANDLE_MAX, LABEL_MAX
from trellis.domain.plan import closable_quarter
from trellis.errors import InvalidEvent, NotAuthenticated, TrellisError
from trellis.services import accounts, clock, compensation, ledger, person_details, plans

from . import compensation_views as comp_views
from . import feedback
from .comp_pages import status_words
from .deps import CurrentUser, Uow
from .errors import status_of
from .feedback import Notice
from .fields import LINE, TEXT, Ref
from .formatting import day
from .pages import render
from .people_names import names_of_everyone
from .person_context import framework_in_force, person_context
from .person_view import TimelineQuery, timeline_query
from .person_words import Vocabulary, summary, vocabulary
from .return_to import safe_next
from .routers.plans import PlanCreate
from .routers.plans import create_plan as create_plan_api
from .schemas import EventCreate, RecognitionCreate
from .views import recognize as recognize_view
from .views import record, timeline_view
from .views import verify as verify_view

router = APIRouter(include_in_schema=False)
LOG_FIELDS = ("kind", "competency", "from_mastery", "to_mastery", "criterion")


@router.get("/me", response_class=HTMLResponse)
def me(request: Request, user: CurrentUser, uow: Uow) -> Response:
    if user.person_id is None:
        return RedirectResponse("/org" if user.is_hr else "/team", status_code=303)
    return person_page(str(user.person_id), request, user, uow)


@router.get("/people/{ref}", response_class=HTMLResponse)
def person_page(ref: Ref, request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    """The page; the query string filters and pages the timeline, and ``log=KIND`` (with
    the fields of a step) opens the log form filled in."""
    params = dict(request.query_params)
    try:
        query = timeline_query(params)
    except InvalidEvent as exc:
        return show_person(ref, request, user, uow, status=422,
                           notice=feedback.refused(f"Not filtered: {exc}", "timeline"))
    log = {k: params[k] for k in LOG_FIELDS if params.get(k)} if params.get("log") else {}
    if log:
        log["kind"] = params["log"]
    return show_person(ref, request, user, uow, query=query, log=log)


def show_person(ref: str, request: Request, user: User, uow: Uow, *,
                notice: Notice | None = None, status: int = 200,
                query: TimelineQuery | None = None, plan_form: dict[str, Any] | None = None,
                log: dict[str, str] | None = None) -> HTMLResponse:
    notice = notice or feedback.take(request)
    context = person_context(uow, user, ref, query or TimelineQuery(), notice=notice,
                             plan_form=plan_form, log=log)
    return render(request, "person.html", status, **context)


def _page(ref: str) -> str:
    return f"/people/{ref}"


def _refused(exc: TrellisError, ref: str, request: Request, user: User, uow: Uow,
             text: str, target: str, values: dict[str, Any] | None = None) -> Response:
    """A refused form comes back on the person's page with the status, saying why next
    to the form, its values kept; a lapsed sign-in goes on to the login handler."""
    if isinstance(exc, NotAuthenticated):
        raise exc
    return show_person(ref, request, user, uow, status=status_of(exc)[0],
                       notice=feedback.refused(f"{text}: {exc}", target, values))


def _values(form: Any) -> dict[str, str]:
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/people/{ref}/events")
async def log_event(ref: Ref, request: Request, user: CurrentUser, uow: Uow) -> Response:
    form = await request.form()
    values = _values(form)
    fields = {k: v for k, v in values.items() if k not in
              ("csrf_token", "kind", "effective_on", "evidence", "verifier", "share_percent")}
    on = values.get("effective_on") or None
    try:
        fields.update(_share(values.get("share_percent", "")))
        body = EventCreate(kind=values.get("kind", ""),
                           effective_on=date.fromisoformat(on) if on else None,
                           evidence=values.get("evidence") or None,
                           verifier=values.get("verifier") or None,
                           details={k: v for k, v in fields.items() if v})
    except InvalidEvent as exc:
        return _refused(exc, ref, request, user, uow, "Not recorded", "log", values)
    except (ValueError, ValidationError):
        return show_person(ref, request, user, uow, status=422, notice=feedback.refused(
            "Not recorded: the date must be a day (YYYY-MM-DD) and the evidence one line of "
            "at most 2,000 characters", "log", values))
    if body.kind == "compensation" and compensation.is_raise(body.details):
        return _propose_raise(ref, request, user, uow, body, values)
    try:
        event = record(uow, user, ref, body)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not recorded", "log", values)
    by_id = {e.id: e for e in timeline_view(uow, user, event.person) if e.id is not None}
    words = summary(by_id.get(event.id or 0, event), by_id, _plain(uow))
    waits = " It counts once your manager or HR verifies it." if event.pending else ""
    return feedback.done(request, f"{_page(event.person)}?event={event.id}",
                         f"Recorded: {words}.{waits}", f"event-{event.id}")


def _share(percent: str) -> dict[str, str]:
    """The form's share of time, a percentage, as the ledger's share from 0 to 1."""
    if not percent.strip():
        return {}
    try:
        value = float(percent)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:
        raise InvalidEvent(f"the share of time must be a percentage from 0 to 100, not "
                           f"'{percent[:20]}'")
    return {"share": f"{value / 100:.4f}"}


def _plain(uow: Uow) -> Vocabulary:
    """What a notice's line about one event names things with: the framework in force, and
    everyone by name (a kudos' giver)."""
    return vocabulary(framework_in_force(uow), names_of_everyone(uow()), None)


def _propose_raise(ref: str, request: Request, user: User, uow: Uow, body: EventCreate,
                   values: dict[str, str]) -> Response:
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
        return show_person(ref, request, user, uow, status=422, notice=feedback.refused(
            "Not proposed: a raise is merit, adjustment or promotion", "log", values))
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not proposed", "log", values)
    if done["event"] is not None:
        return feedback.done(request, f"{_page(done['person'])}?event={done['event']}",
                             "Raise recorded.", f"event-{done['event']}")
    return feedback.done(request, _page(done["person"]), (
        f"Raise proposed: {status_words(done).lower()}. Nothing is recorded until it is "
        "approved (Pay, Raises awaiting approval)."), "log")


def _back(value: str, fallback: str) -> str:
    """A same-site path to return to after a form (never another site: see return_to)."""
    return safe_next(value) or fallback


@router.post("/people/{ref}/recognize", response_class=HTMLResponse)
def recognize(ref: Ref, request: Request, user: CurrentUser, uow: Uow,
              citation: Annotated[str, Form(min_length=1, max_length=LABEL_MAX, pattern=LINE)],
              kind: Annotated[RecognitionKind, Form()] = RecognitionKind.KUDOS,
              points: Annotated[int | None, Form(ge=0, le=1_000_000)] = None,
              back: Annotated[str, Form(max_length=300, pattern=LINE)] = "",
              target: Annotated[str, Form(max_length=100, pattern=r"^[\w-]*$")] = ""
              ) -> Response:
    """Recognize; ``back`` (a same-site path) and ``target`` (an element id there) say where
    the notice goes when the form is on another page."""
    values = {"citation": citation, "kind": kind.value, "points": str(points or "")}
    try:
        done = recognize_view(uow, user, ref, RecognitionCreate(
            citation=citation, kind=kind, points=points))
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not recognized", "recognition", values)
    return feedback.done(request, _back(back, _page(done.person)),
                         f"Recognized: {citation}", target or "recognition")


@router.post("/people/{ref}/events/{event_id}/verify", response_class=HTMLResponse)
def verify(ref: Ref, event_id: int, request: Request, user: CurrentUser, uow: Uow,
           notes: Annotated[str, Form(max_length=2000, pattern=TEXT)] = "") -> Response:
    try:
        done = verify_view(uow, user, event_id, notes.strip() or None)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not verified", f"event-{event_id}")
    return feedback.done(request, f"{_page(done.person)}?event={event_id}",
                         "Verified: it now counts.", f"event-{event_id}")


@router.post("/people/{ref}/check-in", response_class=HTMLResponse)
async def check_in(ref: Ref, request: Request, user: CurrentUser, uow: Uow) -> Response:
    """Record a check-in; with an active plan it closes the plan's quarter, so it is
    confirmed first."""
    values = _values(await request.form())
    notes, engagement = values.get("notes", "").strip(), values.get("engagement", "").strip()
    early = values.get("early", "") in ("true", "on")
    try:
        person = accounts.require_record(uow(), user, ref, EventKind.CHECK_IN)
        if not notes:
            raise InvalidEvent("write a few words of notes")
        if len(notes) > 5000 or "\x00" in notes:
            raise InvalidEvent("notes must be at most 5,000 characters")
        if engagement and (not engagement.isdigit() or not 1 <= int(engagement) <= 5):
            raise InvalidEvent("engagement must be a whole number from 1 to 5")
        active = _closing_quarter(uow, person.handle, early)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not recorded", "checkin", values)
    if active is not None and not feedback.confirmed(values):
        return feedback.confirm(
            request, title=f"Close quarter {active} of {person.name}'s plan?",
            question=("A check-in closes the plan's current quarter: its steps are counted "
                      "done or missed, and the rest of the plan is made again from today's "
                      "profile."),
            facts=[("Notes", notes), ("Engagement", engagement or "not given")],
            action=f"{_page(person.handle)}/check-in#checkin", fields=values,
            button="Yes, record the check-in", back=f"{_page(person.handle)}#checkin")
    try:
        done = plans.checkin(uow(), str(person.id), notes=notes,
                             engagement=int(engagement) if engagement else None,
                             early=early, author=user.email)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not recorded", "checkin", values)
    closed = f" Quarter {active} closed and the plan made again." if active else ""
    return feedback.done(request, f"{_page(person.handle)}?event={done.event.id}",
                         f"Check-in recorded.{closed}", f"event-{done.event.id}")


def _closing_quarter(uow: Uow, handle: str, early: bool) -> int | None:
    """The quarter a check-in today would close (one that has ended, or any with
    ``early``), or None."""
    try:
        view = plans.show_plan(uow(), handle)
    except TrellisError:
        return None
    plan = view.stored.plan
    return None if plan.complete else closable_quarter(plan, clock.today(), early=early)


@router.post("/people/{ref}/plan", response_class=HTMLResponse)
def make_plan(ref: Ref, request: Request, user: CurrentUser, uow: Uow,
              role: Annotated[str, Form(max_length=HANDLE_MAX, pattern=LINE)] = "",
              capacity: Annotated[str, Form(max_length=20, pattern=LINE)] = "") -> Response:
    """Make a plan (a new version when one exists) as ``POST /api/people/{ref}/plan``
    does, with the same permission; bad input comes back in the form, with its status."""
    form = {"role": role.strip(), "capacity": capacity.strip()}
    try:
        body = PlanCreate(role=form["role"] or None, capacity=form["capacity"] or None)
    except ValidationError:
        return show_person(ref, request, user, uow, status=422, plan_form=form,
                           notice=feedback.refused("Not planned: capacity must be a whole "
                                                   "number of steps a quarter from 1 to 12",
                                                   "plan", form))
    try:
        done = create_plan_api(ref, body, user, uow)
    except TrellisError as exc:
        if isinstance(exc, NotAuthenticated):
            raise
        return show_person(ref, request, user, uow, status=status_of(exc)[0], plan_form=form,
                           notice=feedback.refused(f"Not planned: {exc}", "plan", form))
    return feedback.done(request, f"{_page(str(done.person))}?planned={done.document['version']}",
                         f"Plan version {done.document['version']} made.", "plan")


# --- corrections: retract an event, change a person's details


@router.post("/people/{ref}/events/{event_id}/retract", response_class=HTMLResponse)
async def retract(ref: Ref, event_id: int, request: Request, user: CurrentUser, uow: Uow
                  ) -> Response:
    """Retract an event with a reason (the person's managers and HR admins): the first post
    asks for confirmation, the confirmed one appends the retraction; both events stay on
    the ledger and the page shows the retracted row struck through."""
    values = _values(await request.form())
    reason = values.get("reason", "").strip()
    target = f"event-{event_id}"
    back = _back(values.get("back", ""), _page(ref))
    try:
        person = accounts.require_retract(uow(), user, event_id)
        if person.handle != ref and str(person.id) != ref:
            raise InvalidEvent("that event is not on this timeline")
        if not reason:
            raise InvalidEvent("give a reason: a retraction says why the event was wrong")
        if len(reason) > 500 or "\x00" in reason:
            raise InvalidEvent("the reason must be at most 500 characters")
        entry = next((e for e in timeline_view(uow, user, person.handle) if e.id == event_id),
                     None)
        if entry is None:
            raise InvalidEvent("that event is not on this timeline")
        if entry.retracted_by is not None:
            raise InvalidEvent("it was already retracted")
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not retracted", target, values)
    what = f"“{summary(entry, {}, _plain(uow))}” of {day(entry.effective_on)}"
    if not feedback.confirmed(values):
        return feedback.confirm(
            request, title="Retract this event?",
            question=(f"The retraction cancels {what} on {person.name}'s timeline: both stay "
                      "on the ledger, and the profile, readiness and plan no longer count it."),
            facts=[("Event", what), ("Reason", reason)],
            action=f"{_page(person.handle)}/events/{event_id}/retract#{target}",
            fields={"reason": reason, "back": back}, button="Yes, retract it",
            back=f"{back}#{target}")
    try:
        ledger.retract_event(uow(), event_id, reason, author=user.email)
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not retracted", target, values)
    joiner = "&" if "?" in back else "?"
    return feedback.done(request, f"{back}{joiner}event={event_id}",
                         f"Retracted {what}: {reason}", target)


@router.post("/people/{ref}/details", response_class=HTMLResponse)
async def change_details(ref: Ref, request: Request, user: CurrentUser, uow: Uow
                         ) -> Response:
    """Change a person's name, email or manager, as far as the user may
    (``access.editable_details``); the change is audited with each field before and after."""
    values = _values(await request.form())
    try:
        change = person_details.change_details_as(
            uow(), user, ref, name=values.get("name"), email=values.get("email"),
            manager=values.get("manager"))
    except TrellisError as exc:
        return _refused(exc, ref, request, user, uow, "Not changed", "details", values)
    if not change.changed:
        text = "Nothing changed."
    else:
        text = "Changed: " + ", ".join(change.changed) + "."
    return feedback.done(request, _page(change.person.handle), text, "details")
