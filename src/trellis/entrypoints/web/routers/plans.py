"""Plans of nano-steps by quarter, check-ins that close a quarter and re-plan, and the
backtest of plans' forecasts (HR admins)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field, StringConstraints

from trellis.domain import access
from trellis.domain.events import EventKind
from trellis.domain.limits import HANDLE_MAX, MASTERY_MAX
from trellis.domain.plan import Plan, plan_to_document
from trellis.services import accounts, plan_backtest, plans

from ..deps import CurrentUser, Uow, analysis
from ..fields import LINE, RANGE, TEXT, Day, Ref, utc
from ..schemas import Body, DocumentPublic
from ..views import UowFactory

router = APIRouter(prefix="/api", tags=["plans"])


Key = Annotated[str, StringConstraints(min_length=1, max_length=HANDLE_MAX, pattern=LINE)]
Mastery = Annotated[int, Field(ge=0, le=MASTERY_MAX)]


class PlanCreate(Body):
    role: str | None = Field(default=None, max_length=HANDLE_MAX, pattern=LINE,
                             description="default: next role")
    band: str | None = Field(default=None, max_length=HANDLE_MAX, pattern=LINE)
    band_level: str | None = Field(default=None, max_length=HANDLE_MAX, pattern=LINE)
    competencies: dict[Key, Mastery] | None = Field(default=None, max_length=1000)
    capacity: int | None = Field(default=None, ge=1, le=12,
                                 description="a committed pace in median steps a quarter; "
                                             "default: the throughput learned")
    quarters: int | None = Field(default=None, ge=1, le=40)


class CheckInCreate(Body):
    notes: str = Field(min_length=1, max_length=5000, pattern=TEXT)
    engagement: int | None = Field(default=None, ge=1, le=5)
    effective_on: Day | None = Field(default=None, description=f"default: today; {RANGE}")
    early: bool = Field(default=False, description="close the plan's current quarter "
                                                   "before it has ended")


def plan_public(plan: Plan) -> dict[str, Any]:
    """A plan's document as the API (and the pages) say it: its note in words, role titles
    and days (the command line's JSON keeps the ids and ISO days beside them)."""
    doc = plan_to_document(plan)
    doc["note"] = doc.pop("note_words")
    return doc


def plan_document(view: plans.PlanView) -> dict[str, Any]:
    stored = view.stored
    return {"version": stored.version, "versions": view.versions, "status": stored.status,
            "created_at": utc(stored.created_at).isoformat(), "author": stored.author,
            "readiness_now": view.readiness.score,
            "progress": [s.value for s in view.statuses], **plan_public(stored.plan)}


@router.get("/people/{ref}/plan", response_model=DocumentPublic,
            summary="The active plan: quarterly milestones and progress")
def show_plan(ref: Ref, user: CurrentUser, uow: Uow) -> DocumentPublic:
    seen = accounts.require_private(uow(), user, ref)
    return DocumentPublic(person=seen.person.handle,
                          document=plan_document(plans.show_plan(uow(), str(seen.person.id))))


@router.post("/people/{ref}/plan", response_model=DocumentPublic, status_code=201,
             summary="Make a new plan (a new version) to a role, band level or competencies")
def create_plan(ref: Ref, body: PlanCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
    seen = accounts.require_private(uow(), user, ref)
    view = plans.create_plan(uow(), str(seen.person.id), role=body.role, band=body.band,
                             band_level=body.band_level, competencies=body.competencies,
                             capacity=body.capacity, quarters=body.quarters,
                             author=user.email)
    return DocumentPublic(person=seen.person.handle, document=plan_document(view))


@router.post("/people/{ref}/check-ins", response_model=DocumentPublic, status_code=201,
             summary="Run a check-in (managers): closes the plan's quarter and re-plans")
def check_in(ref: Ref, body: CheckInCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
    person = accounts.require_record(uow(), user, ref, EventKind.CHECK_IN)
    done = plans.checkin(uow(), str(person.id), notes=body.notes, engagement=body.engagement,
                         on=body.effective_on, early=body.early, author=user.email)
    new_plan = done.replanned
    return DocumentPublic(person=person.handle, document={
        "event_id": done.event.id,
        "closed_quarter": done.closed.quarter if done.closed else None,
        "plan_version": new_plan.version if new_plan else None,
        "plan": plan_public(new_plan.plan) if new_plan else None,
        "open_until": done.open_until.isoformat() if done.open_until else None})


def _backtest(uow: UowFactory, user: access.User, at: date, refreshes: bool
              ) -> DocumentPublic:
    accounts.require_role(user, access.Role.HR_ADMIN)
    found = plan_backtest.backtest(uow(), at, refreshes=refreshes)
    return DocumentPublic(document=plan_backtest.backtest_to_document(found))


@router.get("/plans/backtest", response_model=DocumentPublic,
            summary="Plans for everyone from a date, scored against what happened (HR admins)")
async def backtest(request: Request, user: CurrentUser, uow: Uow,
                   at: Annotated[Day, Query(description=f"plan from this date; {RANGE}")],
                   refreshes: Annotated[bool, Query(description="count refreshes of stale "
                                                    "evidence on both sides")] = False
                   ) -> DocumentPublic:
    return await analysis(request, _backtest, uow, user, at, refreshes)
