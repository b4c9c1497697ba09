"""The lattice: best paths to a role, and roles reachable within a budget of months."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from trellis.domain.lattice import MoveKind
from trellis.errors import InvalidEvent
from trellis.services import accounts, lattice

from ..deps import CurrentUser, Uow
from ..schemas import DocumentPublic

router = APIRouter(prefix="/api", tags=["lattice"])


def _path(path: Any) -> dict[str, Any]:
    return {"months": path.months, "roles": list(path.roles), "moves": [
        {"from": m.source, "to": m.target, "kind": m.kind.value, "months": m.months,
         "weight": m.weight,
         "steps": [{"competency": s.competency, "to_mastery": s.to_mastery,
                    "months": s.months} for s in m.steps]}
        for m in path.moves]}


def _destination(d: lattice.Destination) -> dict[str, Any]:
    fit = d.fit
    return {"role": d.role.id, "title": d.role.title, "months": d.months, "levels": d.levels,
            "path": _path(d.path),
            "fit": None if fit is None else {
                "sensible": fit.sensible, "similarity": fit.similarity, "skills": fit.skills,
                "tools": fit.tools, "growth": fit.growth}}


@router.get("/people/{ref}/paths", response_model=DocumentPublic,
            summary="The k best paths from a person's profile to a role")
def paths(ref: str, user: CurrentUser, uow: Uow, to: str = Query(max_length=80),
          k: int = Query(3, ge=1, le=50)) -> DocumentPublic:
    seen = accounts.access_to(uow(), user, ref)
    found = lattice.paths(uow(), str(seen.person.id), to, k)
    return DocumentPublic(person=seen.person.handle, document={
        "from": found.start.role.id, "to": found.target.id,
        "paths": [_path(p) for p in found.paths]})


@router.get("/explore", response_model=DocumentPublic,
            summary="Roles reachable within a budget: lateral, diagonal and vertical moves")
def explore(user: CurrentUser, uow: Uow, person: str | None = Query(None, max_length=254),
            role: str | None = Query(None, max_length=80),
            budget: float = Query(12.0, gt=0, le=240), limit: int = Query(10, ge=1, le=100)
            ) -> DocumentPublic:
    if person is None and role is None:
        raise InvalidEvent("give a person or a role")
    ref = None
    if person is not None:
        ref = str(accounts.access_to(uow(), user, person).person.id)
    found = lattice.explore(uow(), person=ref, role=None if ref else role, budget=budget,
                            limit=limit)
    return DocumentPublic(person=found.start.person.handle if found.start.person else None,
                          document={"from": found.start.role.id, "budget": found.budget, **{
                              kind.value: [_destination(d) for d in found.of(kind)]
                              for kind in (MoveKind.LATERAL, MoveKind.DIAGONAL,
                                           MoveKind.VERTICAL)}})
