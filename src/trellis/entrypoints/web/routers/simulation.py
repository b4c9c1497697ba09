"""The strategy simulator: careers simulated forward under each advancement strategy."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from trellis.domain.limits import EMAIL_MAX, NAME_MAX
from trellis.services.simulation import MAX_YEARS

from ..deps import CurrentUser, Uow, analysis
from ..fields import LINE
from ..schemas import DocumentPublic
from ..views import WEB_MAX_RUNS
from ..views import simulate as simulate_view

router = APIRouter(prefix="/api", tags=["simulation"])


@router.get("/simulation", response_model=DocumentPublic,
            summary="Simulate strategies from a person or a cohort (HR admins; managers: "
            "one person of their team)")
async def simulate(request: Request, user: CurrentUser, uow: Uow,
             person: str | None = Query(None, max_length=EMAIL_MAX, pattern=LINE,
                                        description="start from this person's profile"),
             cohort: str | None = Query(None, max_length=NAME_MAX, pattern=LINE,
                                        description="key=value pairs: stage, track, level, "
                                        "role (HR admins)"),
             strategy: str = Query("all", min_length=1, max_length=NAME_MAX, pattern=LINE,
                                   description="promotion, micro, balanced, all, or shares "
                                   "of effort aimed at promotion (0-1), comma-separated"),
             years: int = Query(10, ge=1, le=MAX_YEARS),
             runs: int = Query(10_000, ge=100, le=WEB_MAX_RUNS),
             seed: int = Query(0, ge=0, le=2**32 - 1)) -> DocumentPublic:
    return await analysis(request, simulate_view, uow, user, person=person, cohort=cohort,
                          strategy=strategy, years=years, runs=runs, seed=seed)
