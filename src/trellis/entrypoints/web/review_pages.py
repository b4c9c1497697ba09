"""Review pages: what I have to write, a review form, a person's reviews side by side, a
cycle's progress (a manager's team, HR's everyone) and HR's cycles. They call the same use
cases as ``routers.reviews``, with the same permissions; a refused form comes back with its
message and status, nothing written."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from trellis.domain.access import Role, User
from trellis.domain.events import GoalOutcome
from trellis.domain.framework import ReviewForm
from trellis.domain.limits import EMAIL_MAX, NAME_MAX
from trellis.domain.profile import ReviewRecord
from trellis.domain.reviews import (
    UPWARD_MINIMUM,
    UPWARD_MINIMUM_HIGH,
    UPWARD_MINIMUM_LOW,
    CycleStatus,
    ReviewCycle,
)
from trellis.domain.upward import UpwardSummary
from trellis.errors import InvalidEvent, NotAuthenticated, TrellisError
from trellis.services import accounts, clock, review_access, review_progress, reviews, team_list

from . import feedback, formatting
from .deps import CurrentUser, Uow
from .errors import status_of
from .fields import LINE, FormShort, Ref, Short, list_link, page_number
from .pages import render
from .person_lookup import find_person, unmatched
from .routers.reviews import CycleName
from .schemas import ReviewCreate, ReviewCycleCreate

router = APIRouter(include_in_schema=False)
GOAL_ROWS = 3  # goal/KPI lines on a form
FORM_NAMES = {ReviewForm.SELF: "Self review", ReviewForm.MANAGER: "Manager review",
              ReviewForm.PEER: "Peer review", ReviewForm.UPWARD: "Upward review"}


def _problem(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, NotAuthenticated):
        raise exc
    if isinstance(exc, TrellisError):
        return str(exc), status_of(exc)[0]
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        if where == "upward_minimum":
            return (f"upward feedback is shown from {UPWARD_MINIMUM_LOW} to "
                    f"{UPWARD_MINIMUM_HIGH} reports", 422)
        return f"{where}: {first['msg']}", 422
    raise exc


# --- what I have to write


@router.get("/reviews", response_class=HTMLResponse)
def my_reviews(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    work = review_access.to_write(uow(), user)
    cycles = reviews.cycles(uow())
    me = None
    if user.person_id is not None:
        with uow().reading() as u:
            me = u.people.get(user.person_id)
    return render(request, "reviews.html", work=work, cycles=cycles, me=me,
                  form_names=FORM_NAMES, today=clock.today(),
                  written=request.query_params.get("written"))


# --- a review form


def _form_page(request: Request, user: User, uow: Uow, name: str, ref: str, form: ReviewForm,
               values: dict[str, Any] | None = None, message: str | None = None,
               status: int = 200) -> HTMLResponse:
    sheet = review_access.review_sheet(uow(), user, name, ref, form)
    return render(request, "review_form.html", status, sheet=sheet, title=FORM_NAMES[form],
                  values=values or {}, message=message, goal_rows=range(1, GOAL_ROWS + 1),
                  outcomes=[g.value for g in GoalOutcome])


@router.get("/reviews/{name}/write/{ref}/{form}", response_class=HTMLResponse)
def review_form(name: CycleName, ref: Ref, form: ReviewForm, request: Request,
                user: CurrentUser, uow: Uow) -> HTMLResponse:
    return _form_page(request, user, uow, name, ref, form)


def _review_body(ref: str, form: ReviewForm, values: dict[str, str]) -> ReviewCreate:
    if not values.get("rating"):
        raise InvalidEvent("choose an overall rating")
    ratings = {key[5:]: value for key, value in values.items()
               if key.startswith("rate:") and value}
    goals = []
    for i in range(1, GOAL_ROWS + 1):
        text = values.get(f"goal{i}", "").strip()
        if text:
            figure = values.get(f"goal{i}_value", "").strip()
            goals.append({"goal": text, "result": values.get(f"goal{i}_result", ""),
                          **({"value": figure} if figure else {})})
    return ReviewCreate.model_validate({
        "person": ref, "form": form, "rating": values["rating"], "ratings": ratings,
        "goals": goals, "comment": values.get("comment", "").strip() or None})


@router.post("/reviews/{name}/write/{ref}/{form}", response_class=HTMLResponse)
async def submit_review(name: CycleName, ref: Ref, form: ReviewForm, request: Request,
                        user: CurrentUser, uow: Uow) -> Response:
    raw = await request.form()
    values = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    try:
        body = _review_body(ref, form, values)
        person, event_id = review_access.submit_as(
            uow(), user, name, ref, form, body.rating, ratings=body.ratings,
            goals=[g.model_dump(mode="json", exclude_none=True) for g in body.goals],
            comment=body.comment)
    except (TrellisError, ValidationError) as exc:
        message, status = _problem(exc)
        return _form_page(request, user, uow, name, ref, form, values,
                          f"Not submitted: {message}", status)
    if form in (ReviewForm.SELF, ReviewForm.MANAGER):  # the circle reads it back at once
        return RedirectResponse(f"/people/{person.handle}/reviews?written={event_id}",
                                status_code=303)
    return RedirectResponse(f"/reviews?written={event_id}", status_code=303)


# --- a person's reviews, side by side


GOAL_WORDS = {GoalOutcome.MET: "Met", GoalOutcome.PARTLY: "Partly met",
              GoalOutcome.NOT: "Not met"}


def figure(value: float, percent: bool = False) -> str:
    """A goal's figure as people write it: ``98.5``, ``1,200``, ``0.25`` (no ``1e+06``);
    a goal measured in percent (its text says %) as ``98.5%``."""
    whole = float(value).is_integer()
    if percent:
        return formatting.percent(value / 100, 0 if whole else 1)
    shown = formatting.number(value, 0 if whole else 2)
    return shown if whole else shown.rstrip("0").rstrip(".")


def review_sheets(found: reviews.PersonReviews, cycles: list[ReviewCycle],
                  names: dict[str, str]) -> list[dict[str, Any]]:
    """Per cycle (newest period first), one column per review and one row per overall
    rating, rated item, goal and comment, all in words: reviewers by name (``names``, by
    handle), ratings with their scale's words, dates as days. Nothing is averaged."""
    fw = found.framework
    scale = fw.reviews.rating if fw else None
    order = [c.name for c in cycles]
    periods = {c.name: f"{formatting.day(c.period_start)} to {formatting.day(c.period_end)}"
               for c in cycles}

    def item_name(item: str) -> str:
        if fw and item in fw.competencies:
            return fw.competencies[item].name
        if fw and item in fw.criteria:
            return fw.criteria[item].text
        return item.replace("_", " ")

    def item_rating(item: str, rating: int) -> dict[str, str]:
        """"4 advanced" and what it means ("handles the hard cases"), from the scale."""
        words = ""
        if fw and item in fw.competencies:
            words = fw.competencies[item].scale.describe(rating)
        elif fw and item in fw.criteria:
            words = fw.criteria_policy.scale.describe(rating)
        label, _, detail = words.partition(": ")
        return {"short": f"{rating} {label}".strip(), "detail": detail}

    def overall(rating: int) -> str:
        return f"{rating} {scale.label(rating)}".strip() if scale else str(rating)

    def upward(summary: UpwardSummary | None) -> dict[str, Any] | None:
        """A cycle's upward feedback in words, aggregated: never who, when or in what order."""
        if summary is None:
            return None
        if not summary.shown:
            return {"shown": False, "minimum": summary.minimum}
        low, high = (scale.min, scale.max) if scale else (None, None)
        return {"shown": True, "minimum": summary.minimum, "reviews": summary.reviews,
                "mean": formatting.number(summary.mean or 0, 1)
                + (f" on a scale of {low} to {high}" if scale else ""),
                "distribution": [(overall(rating), n) for rating, n in summary.distribution],
                "rated": [(item_name(i.item), formatting.number(i.mean, 1), i.rated_by)
                          for i in summary.items],
                "comments": list(summary.comments)}

    out = []
    cycle_names = list(dict.fromkeys([*found.reviews, *found.upward]))
    for name in sorted(cycle_names, key=lambda n: order.index(n) if n in order else -1,
                       reverse=True):
        by_role = found.reviews.get(name, {})
        columns: list[dict[str, Any]] = []
        written: list[ReviewRecord] = []
        for form in ReviewForm:
            records = by_role.get(form.value, ())
            for i, r in enumerate(records, start=1):
                written.append(r)
                who = found.reviewers.get(r.event_id)
                label = FORM_NAMES[form] if len(records) == 1 else f"{FORM_NAMES[form]} {i}"
                calibrated = r.calibrated is not None and r.calibrated != r.rating
                columns.append({
                    "form": form.value, "label": label, "on": formatting.day(r.on),
                    "who": names.get(who, who) if who else "anonymous",
                    "anonymous": r.event_id in found.anonymous,
                    "overall": overall(r.overall) + (f", calibrated from {overall(r.rating)}"
                                                     if calibrated else ""),
                    "rated": {i.item: item_rating(i.item, i.rating) for i in r.ratings},
                    "comments": {i.item: i.comment for i in r.ratings if i.comment},
                    "marks": {g.goal: GOAL_WORDS.get(g.result, str(g.result)) + (
                        f" ({figure(g.value, '%' in g.goal)})" if g.value is not None else "")
                        for g in r.goals},
                    "comment": r.comment or ""})
        items = list(dict.fromkeys(i.item for r in written for i in r.ratings))
        goals = list(dict.fromkeys(g.goal for r in written for g in r.goals))
        out.append({"name": name, "period": periods.get(name), "columns": columns,
                    "goals": goals, "rated": [(i, item_name(i)) for i in items],
                    "upward": upward(found.upward.get(name))})
    return out


@router.get("/people/{ref}/reviews", response_class=HTMLResponse)
def person_reviews(ref: Ref, request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    found = review_access.reviews_for(uow(), user, ref)
    cycles = [c for c, _ in reviews.cycles(uow())]
    handles = {h for h in found.reviewers.values() if h}
    with uow().reading() as u:
        names = {h: p.name for h in handles if (p := u.people.find(h)) is not None}
    return render(request, "person_reviews.html", person=found.person,
                  sheets=review_sheets(found, cycles, names),
                  written=request.query_params.get("written"))


# --- a cycle's progress, and nominating peers


def _progress_values(q: str = "", state: str = "", page: str = "1") -> dict[str, str]:
    """The progress list's filters as given (a page number, checked), for its links."""
    return {"q": q.strip(), "state": state, "page": str(page_number("page", page))}


def _progress_link(name: str, values: dict[str, str], **changes: str) -> str:
    """The progress list's address with ``changes``; default values are left out."""
    return list_link(f"/reviews/{quote(name)}/progress", values, {"page": "1"}, **changes)


def _progress_page(request: Request, user: User, uow: Uow, name: str,
                   values: dict[str, str], notice: feedback.Notice | None = None,
                   status: int = 200) -> HTMLResponse:
    accounts.require_role(user, Role.MANAGER, Role.HR_ADMIN)
    query = review_progress.ProgressQuery(values["q"], values["state"]).check()
    found = review_access.progress_for(uow(), user, name)
    everyone = review_progress.rows_of(found, review_progress.ProgressQuery())
    matching = review_progress.rows_of(found, query)
    rows, page, pages = team_list.page_of(matching, int(values["page"]))
    values = {**values, "page": str(page)}
    done = sum(1 for _, r in everyone if review_progress.complete(found, r))
    first = (page - 1) * team_list.PAGE_SIZE + 1
    return render(request, "review_progress.html", status, cycle=found.cycle, rows=rows,
                  everyone=everyone, matching=len(matching), first=first, page=page,
                  pages=pages, values=values, states=review_progress.STATES,
                  link=lambda **changes: _progress_link(found.cycle.name, values, **changes),
                  done=done, today=clock.today(), form_names=FORM_NAMES,
                  peers=ReviewForm.PEER in found.cycle.forms and found.cycle.is_open,
                  **({"notice": notice} if notice else {}))


@router.get("/reviews/{name}/progress", response_class=HTMLResponse)
def progress_page(name: CycleName, request: Request, user: CurrentUser, uow: Uow,
                  q: Short = "", state: Short = "", page: Short = "1") -> HTMLResponse:
    """A cycle's progress, 50 people a page, searched by name and filtered by what is
    still to do; a bad filter is a one-line 422."""
    return _progress_page(request, user, uow, name, _progress_values(q, state, page))


@router.post("/reviews/{name}/nominations", response_class=HTMLResponse)
def nominate(name: CycleName, request: Request, user: CurrentUser, uow: Uow,
             person: Annotated[str, Form(min_length=1, max_length=EMAIL_MAX, pattern=LINE)],
             peer: Annotated[str, Form(min_length=1, max_length=EMAIL_MAX, pattern=LINE)],
             anonymous: Annotated[str, Form(max_length=10)] = "",
             q: FormShort = "", state: FormShort = "", page: FormShort = "1") -> Response:
    """Ask a peer to review ``person``; the answer comes back to the list as it was shown
    (its search, filter and page)."""
    values = _progress_values(q, state, page)
    target, sent = f"nominate-{person}", {"peer": peer, "anonymous": anonymous}
    chosen, choices = find_person(uow(), user, peer.strip(), anyone=True)
    if chosen is None:
        text, status = unmatched(peer.strip(), choices, may="ask", listed=True)
        return _progress_page(request, user, uow, name, values, feedback.refused(
            f"Not nominated: {text}", target, sent), status)
    try:
        reviewed, reviewer = review_access.nominate_as(
            uow(), user, name, person, chosen.handle, anonymous=anonymous == "on")
    except TrellisError as exc:
        message, status = _problem(exc)
        return _progress_page(request, user, uow, name, values, feedback.refused(
            f"Not nominated: {message}", target, sent), status)
    how = ", anonymously" if anonymous == "on" else ""
    return feedback.done(request, _progress_link(name, values),
                         f"{reviewer.name} is asked to review {reviewed.name}{how}.", target)


# --- HR: open, close and reopen cycles


def _cycles_page(request: Request, user: User, uow: Uow, form: dict[str, str] | None = None,
                 message: str | None = None, status: int = 200) -> HTMLResponse:
    accounts.require_role(user, Role.HR_ADMIN)
    today = clock.today()
    return render(request, "review_cycles.html", status, cycles=reviews.cycles(uow()),
                  message=message, forms=[f.value for f in ReviewForm],
                  form=form or {"start": date(today.year, 1, 1).isoformat(),
                                "end": date(today.year, 12, 31).isoformat()})


@router.get("/reviews/cycles", response_class=HTMLResponse)
def cycles_page(request: Request, user: CurrentUser, uow: Uow) -> HTMLResponse:
    return _cycles_page(request, user, uow)


@router.post("/reviews/cycles", response_class=HTMLResponse)
async def open_cycle(request: Request, user: CurrentUser, uow: Uow) -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    chosen = [f.value for f in ReviewForm if form.get(f"form_{f.value}") == "on"]
    try:
        body = ReviewCycleCreate.model_validate({
            "name": form.get("name", "").strip(), "period_start": form.get("start", ""),
            "period_end": form.get("end", ""), "forms": chosen or None,
            "due": {f: form[f"due_{f}"] for f in chosen if form.get(f"due_{f}")},
            "team": form.get("team", "").strip() or None,
            "upward_minimum": form.get("upward_minimum", "").strip() or UPWARD_MINIMUM})
        review_access.open_as(uow(), user, body.name, body.period_start, body.period_end,
                              forms=body.forms, due=body.due, team=body.team,
                              upward_minimum=body.upward_minimum)
    except (TrellisError, ValidationError) as exc:
        message, status = _problem(exc)
        return _cycles_page(request, user, uow, form, f"Not opened: {message}", status)
    return RedirectResponse("/reviews/cycles", status_code=303)


@router.post("/reviews/cycles/{name}/status", response_class=HTMLResponse)
def change_status(name: CycleName, request: Request, user: CurrentUser, uow: Uow,
                  status: Annotated[str, Form(max_length=NAME_MAX)]) -> Response:
    try:
        review_access.set_status_as(uow(), user, name, CycleStatus(status))
    except (TrellisError, ValueError) as exc:
        message, code = (_problem(exc) if isinstance(exc, TrellisError)
                         else ("status must be open or closed", 422))
        return _cycles_page(request, user, uow, message=message, status=code)
    return RedirectResponse("/reviews/cycles", status_code=303)
