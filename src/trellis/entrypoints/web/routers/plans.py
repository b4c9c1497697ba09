"""Plans of nano-steps by quarter, and check-ins that close a quarter and re-plan."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field, StringConstraints

from trellis.domain.events import EventKind
from trellis.domain.limits import HANDLE_MAX, MASTERY_MAX
from trellis.domain.plan import plan_to_document
from trellis.services import accounts, plans

from ..deps import CurrentUser, Uow
from ..fields import LINE, RANGE, TEXT, Day, Ref, utc
from ..schemas import Body, DocumentPublic

router = APIRouter(prefix="/api/people", tags=["plans"])


Key = Annotated[str, StringConstraints(min_length=1, max_length=HANDLE_MAX, pattern=LINE)]
Mastery = Annotated[int, Field(ge=0, le=MASTERY_MAX)]


class PlanCreate(Body):
    role: str | None = Field(default=None, max_length=HANDLE_MAX, pattern=LINE,
                             description="default: next role")
    band: str | None = Field(default=None, max_length=HANDLE_MAX, pattern=LINE)
    band_level: str | None = Field(default=None, max_length=HANDLE_MAX, pattern=LINE)
    competencies: dict[Key, Mastery] | None = Field(default=None, max_length=1000)
    capacity: int = Field(default=3, ge=1, le=12)
    quarters: int | None = Field(default=None, ge=1, le=40)


class CheckInCreate(Body):
    notes: str = Field(min_length=1, max_length=5000, pattern=TEXT)
    engagement: int | None = Field(default=None, ge=1, le=5)
    effective_on: Day | None = Field(default=None, description=f"default: today; {RANGE}")


def plan_document(view: plans.PlanView) -> dict[str, Any]:
    stored = view.stored
    return {"version": stored.version, "versions": view.versions, "status": stored.status,
            "created_at": utc(stored.created_at).isoformat(), "author": stored.author,
            "readiness_now": view.readiness.score,
            "progress": [s.value for s in view.statuses], **plan_to_document(stored.plan)}


@router.get("/{ref}/plan", response_model=DocumentPublic,
            summary="The active plan: quarterly milestones and progress")
def show_plan(ref: Ref, user: CurrentUser, uow: Uow) -> DocumentPublic:
    seen = accounts.require_private(uow(), user, ref)
    return DocumentPublic(person=seen.person.handle,
                          document=plan_document(plans.show_plan(uow(), str(seen.person.id))))


@router.post("/{ref}/plan", response_model=DocumentPublic, status_code=201,
             summary="Make a new plan (a new version) to a role, band level or competencies")
def create_plan(ref: Ref, body: PlanCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
    seen = accounts.require_private(uow(), user, ref)
    view = plans.create_plan(uow(), str(seen.person.id), role=body.role, band=body.band,
                             band_level=body.band_level, competencies=body.competencies,
                             capacity=body.capacity, quarters=body.quarters,
                             author=user.email)
    accounts.audit(uow(), user, "plan.create", f"person/{seen.person.handle}/plan",
                   {"version": view.stored.version})
    return DocumentPublic(person=seen.person.handle, document=plan_document(view))


@router.post("/{ref}/check-ins", response_model=DocumentPublic, status_code=201,
             summary="Run a check-in (managers): closes the plan's quarter and re-plans")
def check_in(ref: Ref, body: CheckInCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
    person = accounts.require_record(uow(), user, ref, EventKind.CHECK_IN)
    done = plans.checkin(uow(), str(person.id), notes=body.notes, engagement=body.engagement,
                         on=body.effective_on, author=user.email)
    accounts.audit(uow(), user, "check_in", f"person/{person.handle}/events/{done.event.id}",
                   {"replanned": done.replanned is not None})
    new_plan = done.replanned
    return DocumentPublic(person=person.handle, document={
        "event_id": done.event.id,
        "closed_quarter": done.closed.quarter if done.closed else None,
        "plan_version": new_plan.version if new_plan else None,
        "plan": plan_to_document(new_plan.plan) if new_plan else None})
