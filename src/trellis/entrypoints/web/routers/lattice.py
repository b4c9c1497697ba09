"""The lattice: best paths to a role, and roles reachable within a budget of months.

A person's moves are private to their circle (like readiness and plans); a role's are open.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from trellis.domain.limits import EMAIL_MAX, HANDLE_MAX
from trellis.errors import InvalidEvent
from trellis.services import accounts, lattice

from ..deps import CurrentUser, Uow
from ..fields import LINE, Ref
from ..schemas import DocumentPublic

router = APIRouter(prefix="/api", tags=["lattice"])


@router.get("/people/{ref}/paths", response_model=DocumentPublic,
            summary="The k best paths from a person's profile to a role (their private circle)")
def paths(ref: Ref, user: CurrentUser, uow: Uow,
          to: str = Query(max_length=HANDLE_MAX, pattern=LINE),
          k: int = Query(3, ge=1, le=50)) -> DocumentPublic:
    seen = accounts.require_private(uow(), user, ref)
    found = lattice.paths(uow(), str(seen.person.id), to, k)
    return DocumentPublic(person=seen.person.handle, document={
        "from": found.start.role.id, "to": found.target.id,
        "paths": [lattice.path_document(p) for p in found.paths]})


@router.get("/explore", response_model=DocumentPublic,
            summary="Roles to move to, best fit first (a budget of months filters): lateral, "
            "diagonal, vertical and (down=true) steps down (from a person: their private "
            "circle; from a role: anyone)")
def explore(user: CurrentUser, uow: Uow,
            person: str | None = Query(None, max_length=EMAIL_MAX, pattern=LINE),
            role: str | None = Query(None, max_length=HANDLE_MAX, pattern=LINE),
            budget: float | None = Query(None, gt=0, le=240, description=(
                "Only moves within this many months (default: no limit; it filters, "
                "the order stays by fit).")),
            limit: int = Query(10, ge=1, le=100),
            sort: Literal["fit", "cost"] = Query("fit"), down: bool = Query(False)
            ) -> DocumentPublic:
    if person is None and role is None:
        raise InvalidEvent("give a person or a role")
    ref = None
    if person is not None:
        ref = str(accounts.require_private(uow(), user, person).person.id)
    found = lattice.explore(uow(), person=ref, role=None if ref else role, budget=budget,
                            limit=limit, sort=sort, down=down)
    return DocumentPublic(person=found.start.person.handle if found.start.person else None,
                          document=lattice.exploration_document(found))
