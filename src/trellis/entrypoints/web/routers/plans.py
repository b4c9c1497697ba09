"""Plans of nano-steps by quarter, and check-ins that close a quarter and re-plan."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from trellis.domain.events import EventKind
from trellis.domain.plan import plan_to_document
from trellis.services import accounts, plans

from ..deps import CurrentUser, Uow
from ..schemas import Body, DocumentPublic

router = APIRouter(prefix="/api/people", tags=["plans"])


class PlanCreate(Body):
    role: str | None = Field(default=None, max_length=80, description="default: next role")
    band: str | None = Field(default=None, max_length=80)
    band_level: str | None = Field(default=None, max_length=80)
    competencies: dict[str, int] | None = None
    capacity: int = Field(default=3, ge=1, le=12)
    quarters: int | None = Field(default=None, ge=1, le=40)


class CheckInCreate(Body):
    notes: str = Field(min_length=1, max_length=5000)
    engagement: int | None = Field(default=None, ge=1, le=5)
    effective_on: date | None = None


def plan_document(view: plans.PlanView) -> dict[str, Any]:
    stored = view.stored
    return {"version": stored.version, "versions": view.versions, "status": stored.status,
            "created_at": stored.created_at.isoformat(), "author": stored.author,
            "readiness_now": view.readiness.score,
            "progress": [s.value for s in view.statuses], **plan_to_document(stored.plan)}


@router.get("/{ref}/plan", response_model=DocumentPublic,
            summary="The active plan: quarterly milestones and progress")
def show_plan(ref: str, user: CurrentUser, uow: Uow) -> DocumentPublic:
    seen = accounts.require_private(uow(), user, ref)
    return DocumentPublic(person=seen.person.handle,
                          document=plan_document(plans.show_plan(uow(), str(seen.person.id))))


@router.post("/{ref}/plan", response_model=DocumentPublic, status_code=201,
             summary="Make a new plan (a new version) to a role, band level or competencies")
def create_plan(ref: str, body: PlanCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
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
def check_in(ref: str, body: CheckInCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
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
