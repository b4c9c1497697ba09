"""The ledger over HTTP: a person's timeline, recording, retracting and verifying events."""

from __future__ import annotations

from fastapi import APIRouter

from trellis.domain.events import EventKind
from trellis.services import accounts, ledger

from ..deps import CurrentUser, Uow
from ..fields import Ref
from ..schemas import EventCreate, EventPublic, RetractionCreate, VerificationCreate
from ..views import record, timeline_view
from ..views import verify as verify_view

router = APIRouter(prefix="/api", tags=["events"])


@router.get("/people/{ref}/timeline", response_model=list[EventPublic],
            summary="Every event in order, promotions and micro-progressions apart")
def timeline(ref: Ref, user: CurrentUser, uow: Uow) -> list[EventPublic]:
    return timeline_view(uow, user, ref)


@router.post("/people/{ref}/events", response_model=EventPublic, status_code=201,
             summary="Record an event (employees: their own micro-progressions)")
def record_event(ref: Ref, body: EventCreate, user: CurrentUser, uow: Uow) -> EventPublic:
    return record(uow, user, ref, body)


@router.post("/events/{event_id}/retraction", response_model=EventPublic, status_code=201,
             summary="Retract an event with a reason (the person's managers, HR admins)")
def retract(event_id: int, body: RetractionCreate, user: CurrentUser, uow: Uow
            ) -> EventPublic:
    with uow() as u:
        target = u.events.get(event_id) if 0 < event_id < 2**62 else None
        person = u.people.get(target.person_id) if target else None
    if person is None:
        raise ledger.unknown_event(event_id)
    accounts.require_record(uow(), user, person.handle, EventKind.RETRACTION)
    event = ledger.retract_event(uow(), event_id, body.reason, author=user.email)
    return next(e for e in timeline_view(uow, user, person.handle) if e.id == event.id)


@router.post("/events/{event_id}/verification", response_model=EventPublic, status_code=201,
             summary="Verify an event's evidence (the person's managers, HR admins; never "
             "one's own)")
def verify(event_id: int, body: VerificationCreate, user: CurrentUser, uow: Uow
           ) -> EventPublic:
    return verify_view(uow, user, event_id, body.notes)
