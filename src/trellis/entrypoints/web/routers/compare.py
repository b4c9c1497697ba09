"""Promotions against micro-progressions: the seven-feature comparison table, and a
person's strategy advice."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from trellis.analytics.compare import MIN_N
from trellis.domain.limits import EMAIL_MAX

from ..deps import CurrentUser, Uow, analysis
from ..fields import LINE, DayQuery, Ref
from ..schemas import DocumentPublic
from ..views import advise as advise_view
from ..views import compare as compare_view

router = APIRouter(prefix="/api", tags=["compare"])


@router.get("/compare", response_model=DocumentPublic,
            summary="The seven-feature table: the organization (HR admins), a team (its "
            "managers) or a person (their private circle)")
async def compare(request: Request, user: CurrentUser, uow: Uow,
                  team: str | None = Query(None, max_length=EMAIL_MAX, pattern=LINE),
                  person: str | None = Query(None, max_length=EMAIL_MAX, pattern=LINE),
                  since: DayQuery = None,
                  min_n: int = Query(MIN_N, ge=1, le=100_000)) -> DocumentPublic:
    return await analysis(request, compare_view, uow, user, team=team, person=person,
                          since=since, min_n=min_n)


@router.get("/people/{ref}/advice", response_model=DocumentPublic,
            summary="Which strategy suits this person now, and the next concrete steps")
async def advise(ref: Ref, request: Request, user: CurrentUser, uow: Uow) -> DocumentPublic:
    return await analysis(request, advise_view, uow, user, ref)
