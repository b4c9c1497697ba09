"""The evidence: time in level by micro-progression rate, and models of promotion and
departure (HR admins)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from trellis.analytics.evidence import MIN_MONTHS

from ..deps import CurrentUser, Uow, analysis
from ..fields import LINE, AsOfQuery, DayQuery
from ..schemas import DocumentPublic
from ..views import evidence as evidence_view

router = APIRouter(prefix="/api", tags=["evidence"])


@router.get("/evidence", response_model=DocumentPublic,
            summary="Time-in-level curves, Cox models and promotion propensity (HR admins)")
async def evidence(request: Request, user: CurrentUser, uow: Uow,
                   at: AsOfQuery = None,
                   since: DayQuery = None,
                   min_months: float = Query(MIN_MONTHS, ge=0, le=600),
                   window: str = Query("auto", max_length=8, pattern=LINE,
                                       description="auto, reviews, promotions or Nm"),
                   horizon: int = Query(12, ge=1, le=60),
                   split: DayQuery = None) -> DocumentPublic:
    return await analysis(request, evidence_view, uow, user, at=at, since=since,
                          min_months=min_months, window=window, horizon=horizon, split=split)
