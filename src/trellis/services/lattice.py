"""Use cases of the career lattice: best paths to a role, what is reachable, a neighbourhood.

Each call loads the active framework, the organization's effort estimates (the ones plans
use) and, for a person, today's profile; it then builds the lattice graph
(analytics.lattice_graph, ~0.15 s on O*NET's 880 roles) and searches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trellis.analytics.lattice_graph import LatticeGraph, build_lattice
from trellis.domain.criteria import met_criteria
from trellis.domain.effort import EffortModel
from trellis.domain.framework import Framework, MoveKind, Role
from trellis.domain.lattice import (
    DEFAULT_BUDGET,
    DEFAULT_K,
    Edge,
    LateralFit,
    Neighbourhood,
    Path,
    describe_path,
    lateral_fit,
    mean_expectations,
    relation,
)
from trellis.domain.people import Person
from trellis.errors import NotFound, TrellisError

from .effort import effort_model
from .frameworks import framework_at
from .profiles import profile
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Start:
    """Where a search starts: a person in their current role, or a role on its own."""

    role: Role
    person: Person | None
    mastery: Mapping[str, int]  # the person's, or the role's expectations
    met: frozenset[str] = frozenset()  # the criteria the person has met, or the role's


@dataclass(frozen=True, slots=True)
class Lattice:
    framework: Framework
    model: EffortModel
    graph: LatticeGraph


@dataclass(frozen=True, slots=True)
class Paths:
    start: Start
    target: Role
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class Destination:
    role: Role
    kind: MoveKind  # how the destination stands to the start (domain.lattice.relation)
    path: Path
    fit: LateralFit | None  # lateral destinations only
    levels: int  # the level rank gained (negative: a step down)

    @property
    def months(self) -> float:
        return self.path.months


@dataclass(frozen=True, slots=True)
class Exploration:
    start: Start
    budget: float
    lateral: tuple[Destination, ...]  # sensible first, then by similarity
    diagonal: tuple[Destination, ...]  # upward first, then cheapest first
    vertical: tuple[Destination, ...]  # cheapest first

    def of(self, kind: MoveKind) -> tuple[Destination, ...]:
        return {MoveKind.LATERAL: self.lateral, MoveKind.DIAGONAL: self.diagonal,
                MoveKind.VERTICAL: self.vertical}[kind]


def load_lattice(uow: UnitOfWork) -> Lattice:
    _, framework = framework_at(uow)
    model = effort_model(uow)
    return Lattice(framework, model, build_lattice(framework, model))


def _role(framework: Framework, role_id: str) -> Role:
    role = framework.roles.get(role_id.strip())
    if role is None:
        raise NotFound(f"unknown role '{role_id}' in framework '{framework.key}'")
    return role


def _start(uow: UnitOfWork, framework: Framework, person: str | None,
           role: str | None) -> Start:
    if (person is None) == (role is None):
        raise TrellisError("give a person or a role, not both")
    if role is not None:
        found = _role(framework, role)
        return Start(found, None, dict(found.expects), frozenset(found.criteria))
    assert person is not None
    current = profile(uow, person)
    p = current.profile
    if p.role is None or not p.active:
        raise TrellisError(f"{current.person.handle} has no current role")
    if p.role not in framework.roles:
        raise NotFound(f"{current.person.handle}'s role '{p.role}' is not in the active "
                       f"framework '{framework.key}'")
    mastery = {c: layer.mastery for c, layer in p.mastery.items()}
    return Start(framework.roles[p.role], current.person, mastery,
                 frozenset(met_criteria(p, framework)))


def paths(uow: UnitOfWork, person: str, to: str, k: int = DEFAULT_K,
          *, lattice: Lattice | None = None) -> Paths:
    """The k best paths from a person's current profile to a role, each move with the
    nano-steps it needs; cheapest first (by the exact months of each path)."""
    if k < 1:
        raise TrellisError("k must be at least 1")
    lat = lattice or load_lattice(uow)
    start = _start(uow, lat.framework, person, None)
    target = _role(lat.framework, to)
    if target.id == start.role.id:
        raise TrellisError(f"{person} is already in role {target.id} ({target.title})")
    found = lat.graph.best_paths(start.role.id, target.id, k, start.mastery, start.met)
    if not found:
        raise NotFound(f"no path from {start.role.id} to {target.id} in the lattice")
    described = [describe_path(lat.framework, lat.model, start.mastery, roles, start.met)
                 for roles, _ in found]
    return Paths(start, target, tuple(sorted(described, key=lambda p: p.months)))


def explore(uow: UnitOfWork, *, person: str | None = None, role: str | None = None,
            budget: float = DEFAULT_BUDGET, limit: int | None = 10,
            lattice: Lattice | None = None) -> Exploration:
    """Roles reachable within ``budget`` months, apart by kind; ``limit`` per kind."""
    if budget <= 0:
        raise TrellisError("the budget must be more than 0 months")
    lat = lattice or load_lattice(uow)
    fw = lat.framework
    start = _start(uow, fw, person, role)
    source = start.role.id
    reached = lat.graph.reachable(source, budget, None if person is None else start.mastery,
                                  start.met)
    found: dict[MoveKind, list[tuple[str, float, list[str]]]] = {k: [] for k in MoveKind}
    for target, (cost, roles) in reached.items():
        kind = relation(fw, source, target)
        if kind is not None:
            found[kind].append((target, cost, roles))
    baseline = mean_expectations(fw)
    fits = {t: lateral_fit(start.role, fw.roles[t], start.mastery, baseline, start.met)
            for t, _, _ in found[MoveKind.LATERAL]}
    found[MoveKind.LATERAL].sort(key=lambda d: (not fits[d[0]].sensible,
                                                -fits[d[0]].similarity, d[1], d[0]))
    found[MoveKind.VERTICAL].sort(key=lambda d: (d[1], d[0]))
    rank = fw.rank_of(source)  # a diagonal step up comes before a step down
    found[MoveKind.DIAGONAL].sort(key=lambda d: (fw.rank_of(d[0]) < rank, d[1], d[0]))

    def destinations(kind: MoveKind) -> tuple[Destination, ...]:
        return tuple(
            Destination(fw.roles[t], kind,
                        describe_path(fw, lat.model, start.mastery, roles, start.met),
                        fits.get(t), fw.rank_of(t) - rank)
            for t, _, roles in found[kind][:limit])

    return Exploration(start, budget, destinations(MoveKind.LATERAL),
                       destinations(MoveKind.DIAGONAL), destinations(MoveKind.VERTICAL))


def neighbourhood(uow: UnitOfWork, *, person: str | None = None, role: str | None = None,
                  radius: int = 1, per_kind: int = 3, max_roles: int = 40,
                  lattice: Lattice | None = None) -> tuple[Start, Neighbourhood]:
    """The cheapest ``per_kind`` moves of each kind around a role, ``radius`` moves out
    (at most ``max_roles`` roles), for drawing."""
    if radius < 1:
        raise TrellisError("the radius must be at least 1")
    lat = lattice or load_lattice(uow)
    start = _start(uow, lat.framework, person, role)
    g = lat.graph
    center = start.role.id
    first = g.costs_from(center, start.mastery, start.met) if person is not None else None
    roles = [center]
    edges: list[Edge] = []
    ring = [center]
    for hop in range(radius):
        nxt = []
        for source in ring:
            costs = first if hop == 0 else None
            for target, kind, months in g.nearest(source, per_kind, costs):
                if target not in roles:
                    if len(roles) >= max_roles:
                        continue
                    roles.append(target)
                    nxt.append(target)
                edges.append(Edge(source, target, kind, round(months, 1)))
        ring = nxt
    return start, Neighbourhood(lat.framework, tuple(roles), tuple(edges))


def path_document(path: Path) -> dict[str, Any]:
    return {"months": path.months, "roles": list(path.roles), "moves": [
        {"from": m.source, "to": m.target, "kind": m.kind.value, "months": m.months,
         "weight": m.weight,
         "steps": [{"competency": s.competency, "to_mastery": s.to_mastery,
                    "months": s.months} for s in m.steps],
         "criteria": [{"criterion": c.criterion, "text": c.text, "months": c.months}
                      for c in m.criteria]}
        for m in path.moves]}


def destination_document(d: Destination) -> dict[str, Any]:
    fit = d.fit
    return {"role": d.role.id, "title": d.role.title, "months": d.months, "levels": d.levels,
            "path": path_document(d.path),
            "fit": None if fit is None else {
                "sensible": fit.sensible, "similarity": fit.similarity, "skills": fit.skills,
                "tools": fit.tools, "criteria": fit.criteria, "growth": fit.growth}}
