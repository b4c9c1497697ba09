"""Team reports with actions: fragmentation and recognition alerts, and recognizing someone."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from trellis.domain.access import User
from trellis.domain.fragmentation import FragmentationRules
from trellis.domain.limits import EMAIL_MAX
from trellis.domain.recognition import RecognitionRules
from trellis.services import accounts, fragmentation, recognition
from trellis.services.fragmentation import report_document as fragmentation_document
from trellis.services.recognition import report_document as recognition_document

from ..deps import CurrentUser, Uow, analysis
from ..fields import LINE, Ref
from ..schemas import DocumentPublic, EventPublic, RecognitionCreate
from ..views import UowFactory
from ..views import recognize as recognize_view

router = APIRouter(prefix="/api", tags=["reports"])


@router.get("/teams/fragmentation", response_model=DocumentPublic,
            summary="People by fragmentation risk (managers: their team; HR admins: any)")
async def fragmentation_report(request: Request, user: CurrentUser, uow: Uow,
                               manager: str | None = Query(None, max_length=EMAIL_MAX,
                                                           pattern=LINE),
                               window: float = Query(6.0, ge=0.5, le=60)) -> DocumentPublic:
    return await analysis(request, _fragmentation, uow, user, manager, window)


def _fragmentation(uow: UowFactory, user: User, manager: str | None, window: float
                   ) -> DocumentPublic:
    root = accounts.team_root(uow(), user, manager)
    report = fragmentation.fragmentation_report(
        uow(), root, rules=FragmentationRules(window_months=window))
    return DocumentPublic(person=root, document=fragmentation_document(report))


@router.get("/teams/recognition", response_model=DocumentPublic,
            summary="Recognition cadence, gaps and alerts (managers: their team; HR: any)")
async def recognition_report(request: Request, user: CurrentUser, uow: Uow,
                             manager: str | None = Query(None, max_length=EMAIL_MAX,
                                                         pattern=LINE),
                             threshold: int = Query(90, ge=1, le=3650),
                             months: int = Query(12, ge=1, le=120),
                             everyone: bool = False) -> DocumentPublic:
    return await analysis(request, _recognition, uow, user, manager, threshold, months,
                          everyone)


def _recognition(uow: UowFactory, user: User, manager: str | None, threshold: int,
                 months: int, everyone: bool) -> DocumentPublic:
    root = accounts.team_root(uow(), user, manager)
    report = recognition.recognition_report(uow(), root, months=months,
                                            rules=RecognitionRules(threshold_days=threshold))
    return DocumentPublic(person=root, document=recognition_document(report,
                                                                     everyone=everyone))


@router.post("/people/{ref}/recognitions", response_model=EventPublic, status_code=201,
             summary="Recognize someone (colleagues: kudos; managers, HR admins: any kind)")
def recognize(ref: Ref, body: RecognitionCreate, user: CurrentUser, uow: Uow) -> EventPublic:
    return recognize_view(uow, user, ref, body)
