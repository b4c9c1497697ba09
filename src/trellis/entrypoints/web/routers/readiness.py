"""Promotion readiness: a person's and a team's pipeline (a promotion is proposed as a
case: routers.cases)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from trellis.domain.access import User
from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX
from trellis.domain.readiness import readiness_to_document
from trellis.services import accounts, readiness

from ..deps import CurrentUser, Uow, analysis
from ..fields import LINE, DayQuery, Ref
from ..schemas import DocumentPublic
from ..views import UowFactory

router = APIRouter(prefix="/api", tags=["readiness"])


@router.get("/people/{ref}/readiness", response_model=DocumentPublic,
            summary="Readiness for a role (default: the next level), with the gap list")
def person_readiness(ref: Ref, user: CurrentUser, uow: Uow,
                     target: str | None = Query(None, max_length=HANDLE_MAX, pattern=LINE),
                     on: DayQuery = None) -> DocumentPublic:
    seen = accounts.require_private(uow(), user, ref)
    found = readiness.readiness_for(uow(), str(seen.person.id), target, on)
    doc = readiness_to_document(found.readiness, found.framework)
    return DocumentPublic(person=seen.person.handle,
                          document={**doc, "explanation": found.explanation})


@router.get("/teams/readiness", response_model=DocumentPublic,
            summary="The readiness pipeline of a manager's team (HR admins: any team or all)")
async def team_pipeline(request: Request, user: CurrentUser, uow: Uow,
                        manager: str | None = Query(None, max_length=EMAIL_MAX, pattern=LINE)
                        ) -> DocumentPublic:
    return await analysis(request, _team_pipeline, uow, user, manager)


def _team_pipeline(uow: UowFactory, user: User, manager: str | None) -> DocumentPublic:
    root = accounts.team_root(uow(), user, manager)
    pipeline = readiness.team_readiness(uow(), root)
    return DocumentPublic(person=root, document={
        "as_of": pipeline.as_of.isoformat(),
        "without_next_role": pipeline.without_next_role,
        "entries": [{"person": e.person.handle, "name": e.person.name, "role": e.role.id,
                     **readiness_to_document(e.readiness, pipeline.framework)}
                    for e in pipeline.entries]})
