"""A person's profile at a date, and their competency layers."""

from __future__ import annotations

from fastapi import APIRouter

from trellis.domain.layers import Grain, layers_to_document
from trellis.services import accounts, layers

from ..deps import CurrentUser, Uow
from ..fields import AsOfQuery, Ref
from ..schemas import DocumentPublic, ProfilePublic
from ..views import profile_view

router = APIRouter(prefix="/api/people", tags=["profiles"])


@router.get("/{ref}/profile", response_model=ProfilePublic,
            summary="A person's profile (pay hidden unless the viewer may see it)")
def profile(ref: Ref, user: CurrentUser, uow: Uow,
            at: AsOfQuery = None) -> ProfilePublic:
    return profile_view(uow, user, ref, at)


@router.get("/{ref}/layers", response_model=DocumentPublic,
            summary="Competency layers: what was attained, at which mastery, when")
def competency_layers(ref: Ref, user: CurrentUser, uow: Uow,
                      at: AsOfQuery = None,
                      grain: Grain = Grain.QUARTER, every_competency: bool = False
                      ) -> DocumentPublic:
    seen = accounts.access_to(uow(), user, ref)
    found = layers.layers(uow(), str(seen.person.id), at, grain=grain,
                          every_competency=every_competency)
    return DocumentPublic(person=seen.person.handle, document=layers_to_document(found.view))
