"""Calibration sessions over HTTP: HR admins only (a session shows every member's rating
side by side, so a manager's view would show ratings outside their own chain). Every read
and every write is audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from trellis.domain.access import Role
from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX, LONG_TEXT_MAX, NAME_MAX
from trellis.services import accounts
from trellis.services import calibration_sessions as use

from ..deps import CurrentUser, Uow
from ..fields import LINE, TEXT, SessionId
from ..schemas import Body, DocumentPublic

router = APIRouter(prefix="/api", tags=["calibration"])


class SessionCreate(Body):
    cycle: str = Field(min_length=1, max_length=NAME_MAX, pattern=LINE)
    team: str | None = Field(None, max_length=EMAIL_MAX, pattern=LINE,
                             description="a manager: everyone under them")
    level: str | None = Field(None, max_length=HANDLE_MAX, pattern=LINE)
    track: str | None = Field(None, max_length=HANDLE_MAX, pattern=LINE)
    name: str | None = Field(None, max_length=NAME_MAX, pattern=LINE)


class ChangeCreate(Body):
    person: str = Field(min_length=1, max_length=EMAIL_MAX, pattern=LINE)
    rating: int = Field(ge=0, le=1_000)
    reason: str = Field(min_length=1, max_length=LONG_TEXT_MAX, pattern=TEXT)


@router.get("/calibration", response_model=list[dict[str, Any]],
            summary="Every calibration session (HR admins)")
def list_sessions(user: CurrentUser, uow: Uow) -> list[dict[str, Any]]:
    accounts.require_role(user, Role.HR_ADMIN)
    return [{"id": s.id, **use.session_document(s, n)} for s, n in use.sessions(uow())]


@router.post("/calibration", response_model=DocumentPublic, status_code=201,
             summary="Open a session for a review cycle's group (HR admins)")
def open_session(body: SessionCreate, user: CurrentUser, uow: Uow) -> DocumentPublic:
    accounts.require_role(user, Role.HR_ADMIN)
    session, count = use.open_session(uow(), body.cycle, team=body.team, level=body.level,
                                      track=body.track, name=body.name, author=user.email)
    return DocumentPublic(document={"id": session.id, **use.session_document(session, count)})


@router.get("/calibration/{session_id}", response_model=DocumentPublic,
            summary="The distribution against the target, the 9-box and the sorted list")
def show(session_id: SessionId, user: CurrentUser, uow: Uow) -> DocumentPublic:
    accounts.require_role(user, Role.HR_ADMIN)
    session = use.session_named(uow(), session_id)
    doc = use.view_document(use.view(uow(), session.name))
    accounts.audit(uow(), user, "calibration.read", f"calibration/{session.id}",
                   {"members": len(doc["members"])})
    return DocumentPublic(document={**doc, "changes": use.changes_of(uow(), session.name)})


@router.post("/calibration/{session_id}/changes", response_model=DocumentPublic,
             status_code=201, summary="Change a member's rating, with a reason (HR admins)")
def change(session_id: SessionId, body: ChangeCreate, user: CurrentUser, uow: Uow
           ) -> DocumentPublic:
    accounts.require_role(user, Role.HR_ADMIN)
    session = use.session_named(uow(), session_id)
    done = use.change_rating(uow(), session.name, body.person, body.rating, body.reason,
                             author=user.email)
    return DocumentPublic(person=done.person.handle, document={
        "event_id": done.event_id, "from_rating": done.from_rating,
        "to_rating": done.to_rating})


@router.post("/calibration/{session_id}/close", response_model=DocumentPublic,
             summary="Close a session: no more changes (HR admins)")
def close(session_id: SessionId, user: CurrentUser, uow: Uow) -> DocumentPublic:
    accounts.require_role(user, Role.HR_ADMIN)
    session = use.close_session(uow(), use.session_named(uow(), session_id).name,
                                author=user.email)
    return DocumentPublic(document={"id": session.id, **use.session_document(session)})
