"""Use cases of the career lattice: best paths to a role, what is reachable, a neighbourhood.

Each call loads the active framework, the organization's throughput model (the one plans
use: each nano-step's difficulty, and comparable people's pace), the moves its people have
made and, for a person, today's profile and throughput (their first move is priced at their
own pace, as their plan is). The lattice graph (analytics.lattice_graph) and the fit of
every pair of roles (analytics.lattice_fit) are built once per framework version and
throughput model and kept in this process
(``CACHED_LATTICES``), so a web worker does not rebuild them per request. The moves the
organization's people made (which raise a destination's fit) are an organization model
(services.org_models): counted once per state of the ledger, then read.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trellis.analytics.lattice_fit import FitMatrix, build_fit, explain
from trellis.analytics.lattice_graph import LatticeGraph, build_lattice
from trellis.domain.criteria import met_criteria
from trellis.domain.events import EventKind, given
from trellis.domain.framework import Framework, MoveKind, Role
from trellis.domain.lattice import (
    DEFAULT_BUDGET,
    DEFAULT_K,
    Edge,
    Neighbourhood,
    Path,
    Pricing,
    describe_path,
    observed_fit,
    pace_of,
    pricing,
    relation,
)
from trellis.domain.people import Person
from trellis.domain.throughput import ThroughputModel, person_throughput
from trellis.errors import InvalidEvent, NotFound, Term, TrellisError

from . import clock, org_models
from .effort import careers, plan_models
from .frameworks import framework_at
from .ledger_snapshot import LedgerSnapshot
from .profiles import profile
from .unit_of_work import UnitOfWork

SORTS = ("fit", "cost")
SHOWN_KINDS = (MoveKind.LATERAL, MoveKind.DIAGONAL, MoveKind.VERTICAL)  # and DOWN if asked
CACHED_LATTICES = 4  # framework versions (with their throughput model) kept built
COST_CANDIDATES = 3  # --sort cost: paths counted exactly per one shown


@dataclass(frozen=True, slots=True)
class Start:
    """Where a search starts: a person in their current role, or a role on its own."""

    role: Role
    person: Person | None
    mastery: Mapping[str, int]  # the person's, or the role's expectations
    met: frozenset[str] = frozenset()  # the criteria the person has met, or the role's
    # The person's median steps a quarter for their first move (their throughput times its
    # focus, as their plan's); None: a role's start, at the organization's pace from it.
    pace: float | None = None


@dataclass(frozen=True)
class Lattice:
    framework: Framework
    prices: Pricing
    graph: LatticeGraph
    fit: FitMatrix
    observed: Mapping[tuple[str, str], int] = field(default_factory=dict)  # moves made
    # The throughput model the prices come from; a person's own pace is read from it.
    throughput: ThroughputModel = field(default_factory=ThroughputModel)


@dataclass(frozen=True, slots=True)
class Paths:
    start: Start
    target: Role
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class Fit:
    """How well a destination fits the start (0-1), in words, and how much of it comes
    from moves the organization's people made (``observed``: how many)."""

    score: float
    base: float  # from the framework alone
    observed: int
    reasons: tuple[str, ...]
    parts: Mapping[str, float] = field(default_factory=dict)  # each part's similarity 0-1


@dataclass(frozen=True, slots=True)
class Destination:
    role: Role
    kind: MoveKind  # how the destination stands to the start (domain.lattice.relation)
    path: Path
    fit: Fit
    levels: int  # the level rank gained (negative: a step down)

    @property
    def months(self) -> float:
        return self.path.months


@dataclass(frozen=True, slots=True)
class Exploration:
    start: Start
    budget: float | None  # months; None: no limit
    sort: str  # "fit" (the default) or "cost"
    moves: Mapping[MoveKind, tuple[Destination, ...]]  # the kinds shown, each ordered
    top_of_track: bool  # no role above the start in its track
    observed: int = 0  # moves between roles the ledger holds (they raise the fit)

    @property
    def kinds(self) -> tuple[MoveKind, ...]:
        return tuple(self.moves)

    def of(self, kind: MoveKind) -> tuple[Destination, ...]:
        return self.moves.get(kind, ())


_cache: list[tuple[tuple[int, str], ThroughputModel, Lattice]] = []


def load_lattice(uow: UnitOfWork) -> Lattice:
    version, framework = framework_at(uow)
    model = plan_models(uow)[1]
    observed = org_models.load(uow, MOVES, {"version": version.id}).value
    key = (version.id, version.checksum)  # the checksum guards against a reused id
    for cached_key, cached_model, built in _cache:
        if cached_key == key and cached_model == model:
            return Lattice(framework, built.prices, built.graph, built.fit, observed,
                           model)
    prices = pricing(framework, model)
    built = Lattice(framework, prices, build_lattice(framework, prices), build_fit(framework),
                    {}, model)
    _cache.insert(0, (key, model, built))
    del _cache[CACHED_LATTICES:]
    return Lattice(framework, prices, built.graph, built.fit, observed, model)


MOVE_KINDS = (EventKind.HIRE.value, EventKind.PROMOTION.value, EventKind.LATERAL_MOVE.value)


def observed_moves(uow: UnitOfWork, framework: Framework,
                   ledger: LedgerSnapshot | None = None) -> dict[tuple[str, str], int]:
    """How many times people moved from one role to another by a lateral or diagonal move
    (a promotion or lateral-move event into another track, or to the same level), read
    from the ledger in each person's order."""
    if ledger is not None:
        rows = ledger.rows(MOVE_KINDS)
    else:
        with uow.reading():
            rows = uow.events.of_kinds(MOVE_KINDS)
    last: dict[int, str] = {}
    made: Counter[tuple[str, str]] = Counter()
    for r in rows:
        role = str(r.details.get("role", ""))
        before = last.get(r.person_id)
        last[r.person_id] = role
        if r.kind == EventKind.HIRE.value or before is None or before == role \
                or before not in framework.roles or role not in framework.roles:
            continue
        if relation(framework, before, role) in (MoveKind.LATERAL, MoveKind.DIAGONAL):
            made[before, role] += 1
    return dict(made)


def _count_moves(uow: UnitOfWork, params: Mapping[str, Any], ledger: LedgerSnapshot
                 ) -> dict[tuple[str, str], int]:
    with uow.reading():
        framework = uow.frameworks.catalog[int(params["version"])]
    return observed_moves(uow, framework, ledger)


MOVES = org_models.ModelKind(
    "lattice_moves", 1, _count_moves, ("trellis.domain.lattice",), dated=False,
    description="lateral and diagonal moves people made, per pair of roles (paths, explore)",
    defaults=lambda uow: {"version": framework_at(uow)[0].id}, kinds=MOVE_KINDS,
    reads_as="the lattice's moves")


def _role(framework: Framework, role_id: str) -> Role:
    role = framework.roles.get(role_id.strip())
    if role is None:
        raise NotFound("unknown role {given} in {framework}", given=given(role_id),
                       framework=framework.term)
    return role


def _start(uow: UnitOfWork, lat: Lattice, person: str | None, role: str | None) -> Start:
    framework = lat.framework
    if (person is None) == (role is None):
        raise TrellisError("give a person or a role, not both")
    if role is not None:
        found = _role(framework, role)
        return Start(found, None, dict(found.expects), frozenset(found.criteria))
    assert person is not None
    current = profile(uow, person)
    p = current.profile
    if p.role is None or not p.active:
        raise TrellisError("{person} has no current role", person=current.person.term)
    if p.role not in framework.roles:
        raise NotFound("{person}'s role{role} is not in the active {framework}",
                       person=current.person.term, role=Term("", f" '{p.role}'"),
                       framework=Term(f"{framework.name} framework",
                                      f"framework '{framework.key}'"))
    mastery = {c: layer.mastery for c, layer in p.mastery.items()}
    with uow.reading():  # the person's throughput, as their plan gets it
        career = careers(uow, {p.person_id}).get(p.person_id)
    throughput = person_throughput(lat.throughput, career, clock.today(), p.track, p.level)
    return Start(framework.roles[p.role], current.person, mastery,
                 frozenset(met_criteria(p, framework)), pace_of(throughput))


def paths(uow: UnitOfWork, person: str, to: str, k: int = DEFAULT_K,
          *, lattice: Lattice | None = None) -> Paths:
    """The k best paths from a person's current profile to a role, each move with the
    nano-steps it needs; cheapest first (by the exact months of each path)."""
    if k < 1:
        raise TrellisError("k must be at least 1")
    lat = lattice or load_lattice(uow)
    start = _start(uow, lat, person, None)
    target = _role(lat.framework, to)
    if target.id == start.role.id:
        who = start.person.term if start.person else Term(person, person)
        raise TrellisError("{person} is already in role {role}", person=who,
                           role=Term(target.title, f"{target.id} ({target.title})"))
    found = lat.graph.best_paths(start.role.id, target.id, k, start.mastery, start.met,
                                 start.pace)
    if not found:
        raise NotFound("no path from {start} to {role} in the lattice",
                       start=Term(start.role.title, start.role.id),
                       role=Term(target.title, target.id))
    described = [describe_path(lat.framework, lat.prices, start.mastery, roles, start.met,
                               start.pace) for roles, _ in found]
    return Paths(start, target, tuple(sorted(described, key=lambda p: p.months)))


def explore(uow: UnitOfWork, *, person: str | None = None, role: str | None = None,
            budget: float | None = DEFAULT_BUDGET, limit: int | None = 10,
            sort: str = "fit", down: bool = False, lattice: Lattice | None = None
            ) -> Exploration:
    """Reachable roles, apart by kind, best fit first (``sort`` "cost": cheapest first);
    ``budget`` (months) only filters; ``limit`` per kind; steps down only when ``down``."""
    if budget is not None and not budget > 0:
        raise InvalidEvent("the budget must be more than 0 months")
    if sort not in SORTS:
        raise InvalidEvent(f"unknown sort '{sort}': use fit or cost")
    if limit is not None and limit < 1:
        raise InvalidEvent("the limit must be at least 1")
    lat = lattice or load_lattice(uow)
    start = _start(uow, lat, person, role)
    return rank_moves(lat, start, budget, limit, sort=sort, down=down,
                      personal=person is not None)


def rank_moves(lat: Lattice, start: Start, budget: float | None, limit: int | None, *,
               sort: str = "fit", down: bool = False, personal: bool = False) -> Exploration:
    """The exploration of ``explore``, for a start already found (no database)."""
    fw = lat.framework
    source = start.role.id
    if not start.role.expects and not start.role.criteria:
        raise InvalidEvent("{role} expects nothing: the lattice cannot price or fit moves "
                           "from it", role=Term(start.role.title,
                                                f"role {source} ({start.role.title})"))
    reached = lat.graph.reachable(source, math.inf if budget is None else budget,
                                  start.mastery if personal else None,
                                  start.met, start.pace if personal else None)
    row = lat.fit.row(source)
    kinds = (*SHOWN_KINDS, MoveKind.DOWN) if down else SHOWN_KINDS
    found: dict[MoveKind, list[tuple[str, float, float, list[str], int]]] = \
        {k: [] for k in kinds}
    for target, (cost, roles) in reached.items():
        kind = relation(fw, source, target)
        if kind not in found:
            continue
        made = lat.observed.get((source, target), 0)
        score = observed_fit(float(row[lat.fit.index[target]]), made)
        found[kind].append((target, score, cost, roles, made))
    rank = fw.rank_of(source)

    def destination(kind: MoveKind, d: tuple[str, float, float, list[str], int]
                    ) -> Destination:
        target, score, _, roles, made = d
        reasons = explain(fw, lat.fit, source, target)
        if made:
            reasons.append(f"{made} {'person' if made == 1 else 'people'} made this move")
        parts = {name: round(value, 3) for name in lat.fit.parts
                 if (value := lat.fit.part(name, source, target)) is not None}
        fit = Fit(round(score, 3), round(float(row[lat.fit.index[target]]), 3), made,
                  tuple(reasons), parts)
        return Destination(fw.roles[target], kind,
                           describe_path(fw, lat.prices, start.mastery, roles, start.met,
                                         start.pace if personal else None),
                           fit, fw.rank_of(target) - rank)

    moves: dict[MoveKind, tuple[Destination, ...]] = {}
    for k in kinds:
        if sort == "cost":  # the graph's months are upper bounds: sort the exact ones of
            # the cheapest few by the graph (COST_CANDIDATES times the limit)
            cheap = sorted(found[k], key=lambda d: (d[2], -d[1], d[0]))
            every = [destination(k, d) for d in
                     (cheap if limit is None else cheap[:COST_CANDIDATES * limit])]
            every.sort(key=lambda d: (d.months, -d.fit.score, d.role.id))
            moves[k] = tuple(every[:limit])
        else:
            best = sorted(found[k], key=lambda d: (-d[1], d[2], d[0]))[:limit]
            moves[k] = tuple(destination(k, d) for d in best)
    return Exploration(start, budget, sort, moves, fw.next_role(source) is None,
                       sum(lat.observed.values()))


def neighbourhood(uow: UnitOfWork, *, person: str | None = None, role: str | None = None,
                  radius: int = 1, per_kind: int = 3, max_roles: int = 40,
                  down: bool = False, lattice: Lattice | None = None
                  ) -> tuple[Start, Neighbourhood]:
    """The ``per_kind`` best-fitting moves of each kind around a role (steps down only
    when ``down``), ``radius`` moves out (at most ``max_roles`` roles), for drawing."""
    if radius < 1:
        raise TrellisError("the radius must be at least 1")
    lat = lattice or load_lattice(uow)
    start = _start(uow, lat, person, role)
    g = lat.graph
    center = start.role.id
    first = (g.costs_from(center, start.mastery, start.met, start.pace)
             if person is not None else None)
    roles = [center]
    edges: list[Edge] = []
    ring = [center]
    for hop in range(radius):
        nxt = []
        for source in ring:
            costs = first if hop == 0 else None
            kinds = (*SHOWN_KINDS, MoveKind.DOWN) if down else SHOWN_KINDS
            for target, kind, months in g.nearest(source, per_kind, costs,
                                                  lat.fit.row(source), kinds):
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
         "weight": m.weight, "gate_months": m.gate_months, "blocked": list(m.blocked),
         "work": m.work, "pace": m.pace,
         "steps": [{"competency": s.competency, "to_mastery": s.to_mastery,
                    "months": s.months, "work": round(s.work, 3)} for s in m.steps],
         "criteria": [{"criterion": c.criterion, "text": c.text, "months": c.months,
                       "work": round(c.work, 3)} for c in m.criteria]}
        for m in path.moves]}


def destination_document(d: Destination) -> dict[str, Any]:
    return {"role": d.role.id, "title": d.role.title, "kind": d.kind.value,
            "fit": d.fit.score, "months": d.months, "levels": d.levels,
            "why": list(d.fit.reasons), "fit_parts": dict(d.fit.parts),
            "fit_from_framework": d.fit.base,
            "observed_moves": d.fit.observed, "path": path_document(d.path)}


def exploration_document(found: Exploration) -> dict[str, Any]:
    """The stable JSON document of an exploration (CLI ``--json`` and the API)."""
    p = found.start.person
    return {"person": None if p is None else {"id": p.id, "handle": p.handle, "name": p.name},
            "from": found.start.role.id, "budget": found.budget, "sort": found.sort,
            "top_of_track": found.top_of_track, "observed_moves": found.observed,
            **{kind.value: [destination_document(d) for d in found.of(kind)]
               for kind in found.kinds}}
