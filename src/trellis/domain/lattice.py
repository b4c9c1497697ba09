"""The career lattice: which moves exist between roles, what each costs, which are sensible.

A move from role A to role B is one of three kinds, by level rank and track:

    vertical   B is the next level of A's track (levels the track lacks are skipped)
    lateral    B is at A's level, in another track
    diagonal   B is one level above or below A, in another track

plus any move the framework declares (``lattice.moves``), which adds or re-prices an edge.

The cost of a move, in months, is the effort of the gap it requires, closed ``lanes``
nano-steps at a time, plus the friction of the move's kind::

    months(h -> B) = (sum_c sum_{m = h_c + 1 .. e_Bc} effort(c, m)
                      + sum_{k in K_B - met} effort(k)) / lanes + weight(kind)

where ``h`` is the mastery one has, ``e_B`` what B expects, ``K_B`` the criteria B expects
and ``met`` those one has met; ``effort(c, m)`` and ``effort(k)`` are the estimates plans
use (domain.effort; ``criterion_months``).
Tracks that share generic topics share criteria, so a move between them costs only the
criteria the other track adds. After a move one has at least B's expectations and
criteria, so along a path they accumulate: ``describe_path`` counts each step once.

A lateral move is *sensible* (what a career counsellor would suggest) when the two roles
are alike (the cosine similarity of their expectation vectors measured from the average
role, weighed 2:1 with the Jaccard similarity of their tools when both list tools, at least
``SENSIBLE_SIMILARITY``) and the new role adds growth (at least one expected mastery step
one does not have yet), rather than repeating the current role under another name. On
criteria, two roles are alike by the Jaccard similarity of the criteria they expect, and
each expected criterion one has not met is growth.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from .effort import EffortModel
from .framework import (
    DEFAULT_MOVE_WEIGHTS,
    Criterion,
    ExplicitMove,
    Framework,
    LatticeSettings,
    MoveKind,
    Role,
)

__all__ = [
    "DEFAULT_MOVE_WEIGHTS",
    "SENSIBLE_SIMILARITY",
    "CriterionStep",
    "Edge",
    "ExplicitMove",
    "LateralFit",
    "LatticeSettings",
    "Move",
    "MoveKind",
    "NanoStep",
    "Neighbourhood",
    "Path",
    "classify_move",
    "criteria_steps",
    "criterion_months",
    "describe_path",
    "explicit_moves",
    "gap_steps",
    "lateral_fit",
    "relation",
]

DEFAULT_BUDGET = 12.0  # months: what ``explore`` shows as reachable, a year
DEFAULT_K = 3  # paths ``paths`` shows
SENSIBLE_SIMILARITY = 0.4  # about the top tenth of lateral moves on O*NET


def classify_move(framework: Framework, source: str, target: str) -> MoveKind | None:
    """The kind of a direct move between two roles of the grid, or None (no such move).

    Explicit moves are not considered here; see ``explicit_moves``.
    """
    if source == target:
        return None
    a, b = framework.roles[source], framework.roles[target]
    ra, rb = framework.rank_of(source), framework.rank_of(target)
    if a.track == b.track:
        above = framework.next_role(source)
        return MoveKind.VERTICAL if above is not None and rb == framework.rank_of(above.id) \
            else None
    if ra == rb:
        return MoveKind.LATERAL
    if abs(ra - rb) == 1:
        return MoveKind.DIAGONAL
    return None


def relation(framework: Framework, source: str, target: str) -> MoveKind | None:
    """How a destination any number of moves away stands to the start, for exploring:
    higher in the same track is vertical; another track at the same level lateral, at
    another level diagonal; the same track at or below the start is no progress (None)."""
    if source == target:
        return None
    a, b = framework.roles[source], framework.roles[target]
    ra, rb = framework.rank_of(source), framework.rank_of(target)
    if a.track == b.track:
        return MoveKind.VERTICAL if rb > ra else None
    return MoveKind.LATERAL if ra == rb else MoveKind.DIAGONAL


def explicit_moves(framework: Framework) -> dict[tuple[str, str], ExplicitMove]:
    return {(m.source, m.target): m for m in framework.lattice.moves}


@dataclass(frozen=True, slots=True)
class NanoStep:
    """One mastery step needed before a move, with its estimated months."""

    competency: str
    to_mastery: int
    months: float


def gap_steps(framework: Framework, model: EffortModel, has: Mapping[str, int],
              target: Role) -> list[NanoStep]:
    """The nano-steps from ``has`` to what ``target`` expects, competency by competency."""
    steps = []
    for comp, need in target.expects.items():
        scale_max = framework.competencies[comp].scale.max
        for m in range(has.get(comp, 0) + 1, need + 1):
            steps.append(NanoStep(comp, m, model.months(comp, m, scale_max)))
    return steps


def criterion_months(model: EffortModel, criterion: Criterion) -> float:
    """Months to demonstrate one criterion: the estimate plans use (domain.effort), learned
    from the organization's demonstrations of it, of its level's criteria, of every
    criterion, else the documented default."""
    return model.criterion_estimate(criterion.id, criterion.level).months


@dataclass(frozen=True, slots=True)
class CriterionStep:
    """One expected criterion to demonstrate before a move, with its estimated months."""

    criterion: str
    text: str
    months: float


def criteria_steps(framework: Framework, model: EffortModel, met: Collection[str],
                   target: Role) -> list[CriterionStep]:
    """The criteria ``target`` expects that are not among ``met``, in the framework's order."""
    return [CriterionStep(k, framework.criteria[k].text,
                          criterion_months(model, framework.criteria[k]))
            for k in target.criteria if k not in met]


@dataclass(frozen=True, slots=True)
class Move:
    source: str
    target: str
    kind: MoveKind
    steps: tuple[NanoStep, ...]  # the mastery nano-steps to take before the move
    weight: float  # the friction of the move itself, in months
    months: float  # sum of the steps' and criteria's months / lanes + weight
    criteria: tuple[CriterionStep, ...] = ()  # the criteria to demonstrate before it


@dataclass(frozen=True, slots=True)
class Path:
    start: str
    moves: tuple[Move, ...]

    @property
    def months(self) -> float:
        return round(sum(m.months for m in self.moves), 2)

    @property
    def roles(self) -> tuple[str, ...]:
        return (self.start, *(m.target for m in self.moves))


def move_kind_and_weight(framework: Framework, source: str,
                         target: str) -> tuple[MoveKind, float] | None:
    """A direct move's kind and friction: the framework's explicit move wins over the grid."""
    declared = explicit_moves(framework).get((source, target))
    if declared is not None:
        weight = declared.weight
        return declared.kind, (framework.lattice.weight_of(declared.kind)
                               if weight is None else weight)
    kind = classify_move(framework, source, target)
    return None if kind is None else (kind, framework.lattice.weight_of(kind))


def describe_path(framework: Framework, model: EffortModel, has: Mapping[str, int],
                  roles: Sequence[str], met: Collection[str] = ()) -> Path:
    """A path of roles as moves with their nano-steps, mastery and met criteria
    accumulating along the way.

    Each move's months count only the steps still missing after the earlier moves, so a
    path's total is exact for the given starting mastery and criteria (the graph search
    ranks paths with role-to-role costs, an upper bound of this; see
    analytics.lattice_graph).
    """
    mastery = dict(has)
    shown = set(met)
    lanes = framework.lattice.lanes
    moves = []
    for source, target in pairwise(roles):
        found = move_kind_and_weight(framework, source, target)
        if found is None:
            raise ValueError(f"no move from {source} to {target}")
        kind, weight = found
        role = framework.roles[target]
        steps = gap_steps(framework, model, mastery, role)
        to_show = criteria_steps(framework, model, shown, role)
        for comp, need in role.expects.items():
            mastery[comp] = max(mastery.get(comp, 0), need)
        shown.update(role.criteria)
        effort = (sum(s.months for s in steps) + sum(c.months for c in to_show)) / lanes
        moves.append(Move(source, target, kind, tuple(steps), weight,
                          round(effort + weight, 2), tuple(to_show)))
    return Path(roles[0], tuple(moves))


@dataclass(frozen=True, slots=True)
class LateralFit:
    similarity: float  # 0-1: skills, averaged with tools when both roles list tools
    skills: float  # cosine similarity of the expectation vectors (and of the criteria)
    tools: float | None  # Jaccard similarity of the tool sets (None: a role lists none)
    growth: int  # expected mastery steps and criteria the target adds to what one has
    criteria: float | None = None  # Jaccard similarity of the criteria (None: either has none)

    @property
    def sensible(self) -> bool:
        return self.similarity >= SENSIBLE_SIMILARITY and self.growth > 0


def mean_expectations(framework: Framework) -> dict[str, float]:
    """The average role's expectation of each competency (the baseline of similarity)."""
    n = len(framework.roles)
    totals = dict.fromkeys(framework.competencies, 0.0)
    for role in framework.roles.values():
        for c, m in role.expects.items():
            totals[c] += m
    return {c: t / n for c, t in totals.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float],
           baseline: Mapping[str, float] | None = None) -> float:
    """Cosine similarity of two expectation vectors, each measured from ``baseline``.

    Raw mastery vectors are all positive, so any two look alike (O*NET: 0.93-0.98);
    measured from the average role, the cosine compares what sets each role apart.
    """
    base = baseline or {}
    keys = set(a) | set(b) | set(base)
    x = [a.get(k, 0) - base.get(k, 0.0) for k in keys]
    y = [b.get(k, 0) - base.get(k, 0.0) for k in keys]
    norm = math.sqrt(sum(v * v for v in x) * sum(v * v for v in y))
    return sum(p * q for p, q in zip(x, y, strict=True)) / norm if norm else 0.0


def jaccard(a: Sequence[str], b: Sequence[str]) -> float | None:
    sa, sb = {t.casefold() for t in a}, {t.casefold() for t in b}
    if not sa or not sb:
        return None
    return len(sa & sb) / len(sa | sb)


def lateral_fit(source: Role, target: Role, has: Mapping[str, int],
                baseline: Mapping[str, float] | None = None,
                met: Collection[str] | None = None) -> LateralFit:
    """How alike two roles are (skills weigh twice tools) and what the target adds.

    Skills are the cosine of the expectations, the Jaccard similarity of the criteria, or
    their mean when the roles have both; ``met`` (None: the source's criteria) are the
    criteria one has met."""
    by_criteria = jaccard_ids(source.criteria, target.criteria)
    by_mastery = (max(0.0, cosine(source.expects, target.expects, baseline))
                  if source.expects or target.expects or by_criteria is None else None)
    parts = [v for v in (by_mastery, by_criteria) if v is not None]
    skills = sum(parts) / len(parts)
    tools = jaccard(source.tools, target.tools)
    similarity = skills if tools is None else (2 * skills + tools) / 3
    growth = sum(max(0, need - has.get(c, 0)) for c, need in target.expects.items())
    shown = set(source.criteria if met is None else met)
    growth += sum(1 for k in target.criteria if k not in shown)
    return LateralFit(round(similarity, 3), round(skills, 3),
                      None if tools is None else round(tools, 3), growth,
                      None if by_criteria is None else round(by_criteria, 3))


def jaccard_ids(a: Sequence[str], b: Sequence[str]) -> float | None:
    """The Jaccard similarity of two sets of ids (None: either is empty)."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return None
    return len(sa & sb) / len(sa | sb)


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: MoveKind
    months: float


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """Roles around a start (the first role) and the moves between them, for drawing."""

    framework: Framework
    roles: tuple[str, ...]
    edges: tuple[Edge, ...]
