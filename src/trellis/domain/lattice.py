"""The career lattice: which moves exist between roles, what each costs, and its gates.

A move from role A to role B is one of four kinds, by level rank and track:

    vertical   B is the next level of A's track (levels the track lacks are skipped)
    lateral    B is at A's level: in another track, or another role of A's track
    diagonal   B is one level above A, in another track
    down       B is one level below A (a step down), in A's track or another

plus any move the framework declares (``lattice.moves``), which adds or re-prices an edge.

The cost of a move, in months, is the work of the gap it requires at the pace of the one
moving, plus the friction of the move's kind, priced from the models plans use
(domain.throughput)::

    work(h -> B)   = sum_c sum_{m = h_c + 1 .. e_Bc} difficulty(c, m)
                     + sum_{k in K_B - met} difficulty(k)          (median steps)
    months(h -> B) = work(h -> B) * 3 / pace + weight(kind)

where ``h`` is the mastery one has, ``e_B`` what B expects, ``K_B`` the criteria B expects
and ``met`` those one has met; ``difficulty`` is the plan's (``ThroughputModel.difficulty``
through ``as_effort``, as plans draft their steps), and ``pace`` median steps a quarter
that go to the gap: a person's own throughput times its focus for their first move, else
the organization's prior for the role moved from times its focus (``Pricing``). A pace
counts the work of every competency at once, so no ``lanes`` divide it (the framework
setting is still read, and ignored).
Tracks that share generic topics share criteria, so a move between them costs only the
criteria the other track adds. After a move one has at least B's expectations and
criteria, so along a path they accumulate: ``describe_path`` counts each step once.

A vertical move is a promotion, so it waits for its level's gate: it takes at least the
level's ``min_months`` (time in the level below), and a band-level gate the role's
expectations cannot meet is shown as the step that blocks the move (``Move.blocked``).

How well a move *fits* (0-1, its parts in words) is analytics.lattice_fit's; moves the
organization's people have made raise it (``observed_fit``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
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
from .throughput import (
    DEFAULT_RATE,
    MONTHS_PER_QUARTER,
    Difficulty,
    Prior,
    Throughput,
    ThroughputModel,
    as_effort,
)

__all__ = [
    "DEFAULT_MOVE_WEIGHTS",
    "OBSERVED_PULL",
    "CriterionStep",
    "Edge",
    "ExplicitMove",
    "LatticeSettings",
    "Move",
    "MoveKind",
    "NanoStep",
    "Neighbourhood",
    "Path",
    "Pricing",
    "classify_move",
    "criteria_steps",
    "criterion_months",
    "describe_path",
    "explicit_moves",
    "gap_steps",
    "observed_fit",
    "pricing",
    "relation",
]

# ``explore`` shows every reachable role, best fit first, unless given a budget of months:
# a budget filters by months, never reorders (a 12-month default hid the closest moves,
# e.g. Accountants -> Financial Managers at 17 months).
DEFAULT_BUDGET: float | None = None
DEFAULT_K = 3  # paths ``paths`` shows
OBSERVED_PULL = 0.2  # each move made in the organization closes a fifth of the gap to 1


def classify_move(framework: Framework, source: str, target: str) -> MoveKind | None:
    """The kind of a direct move between two roles of the grid, or None (no such move).

    Explicit moves are not considered here; see ``explicit_moves``.
    """
    if source == target:
        return None
    a, b = framework.roles[source], framework.roles[target]
    ra, rb = framework.rank_of(source), framework.rank_of(target)
    if ra == rb:
        return MoveKind.LATERAL
    if a.track == b.track:
        above, below = framework.next_role(source), framework.previous_role(source)
        if above is not None and rb == framework.rank_of(above.id):
            return MoveKind.VERTICAL
        if below is not None and rb == framework.rank_of(below.id):
            return MoveKind.DOWN
        return None
    if rb - ra == 1:
        return MoveKind.DIAGONAL
    if ra - rb == 1:
        return MoveKind.DOWN
    return None


def relation(framework: Framework, source: str, target: str) -> MoveKind | None:
    """How a destination any number of moves away stands to the start, for exploring:
    at the same level lateral; higher in the same track vertical, in another track
    diagonal; lower anywhere a step down; None for the start itself."""
    if source == target:
        return None
    a, b = framework.roles[source], framework.roles[target]
    ra, rb = framework.rank_of(source), framework.rank_of(target)
    if ra == rb:
        return MoveKind.LATERAL
    if rb < ra:
        return MoveKind.DOWN
    return MoveKind.VERTICAL if a.track == b.track else MoveKind.DIAGONAL


def observed_fit(fit: float, moves: int) -> float:
    """A pair's fit raised by the moves the organization's people made between the two
    roles: each closes ``OBSERVED_PULL`` of what is left to 1."""
    return 1.0 - (1.0 - fit) * (1.0 - OBSERVED_PULL) ** max(moves, 0)


def explicit_moves(framework: Framework) -> dict[tuple[str, str], ExplicitMove]:
    return {(m.source, m.target): m for m in framework.lattice.moves}


def work_model(difficulty: Difficulty) -> EffortModel:
    """Each nano-step's work in median steps, as plans draft it: ``as_effort`` at three
    median steps a quarter (one a month), so its "months" are the step's difficulty."""
    return as_effort(difficulty, MONTHS_PER_QUARTER)


def pace_of(throughput: Throughput | Prior) -> float:
    """Median steps a quarter that go to a move's gap, of a person's throughput or of
    comparable people's prior: the rate times the share comparable people put into their
    next role's gaps (``focus``)."""
    return max(throughput.rate * throughput.focus, 1e-6)


@dataclass(frozen=True)
class Pricing:
    """What a move's gap costs: its nano-steps' work (``work``: median steps, the plan's
    difficulties) over a pace, median steps a quarter: the organization's moving from each
    role (``paces``: comparable people's prior rate times their focus), else ``default``."""

    work: EffortModel
    paces: Mapping[str, float] = field(default_factory=dict)
    default: float = DEFAULT_RATE

    def pace(self, role: str) -> float:
        return self.paces.get(role, self.default)

    @staticmethod
    def months(work: float, pace: float) -> float:
        return work * MONTHS_PER_QUARTER / pace


def pricing(framework: Framework, model: ThroughputModel) -> Pricing:
    """The lattice's prices from the throughput model: the plan's difficulties, and for
    each role the prior of its track and level (``ThroughputModel.prior``: that level, the
    organization, else the default) times its focus."""
    paces = {role.id: pace_of(model.prior(role.track, role.level))
             for role in framework.roles.values()}
    overall = model.prior(None, None)  # the organization's, else the default
    return Pricing(work_model(model.difficulty), paces, pace_of(overall))


@dataclass(frozen=True, slots=True)
class NanoStep:
    """One mastery step needed before a move: its work (median steps) and its months at
    the move's pace."""

    competency: str
    to_mastery: int
    months: float
    work: float = 0.0


def step_work(framework: Framework, work: EffortModel, competency: str,
              to_mastery: int) -> float:
    """The work of one mastery step, in median steps (``work_model``)."""
    return work.months(competency, to_mastery, framework.competencies[competency].scale.max)


def gap_steps(framework: Framework, work: EffortModel, has: Mapping[str, int],
              target: Role, pace: float = MONTHS_PER_QUARTER) -> list[NanoStep]:
    """The nano-steps from ``has`` to what ``target`` expects, competency by competency,
    each with its months at ``pace`` (median steps a quarter)."""
    steps = []
    for comp, need in target.expects.items():
        for m in range(has.get(comp, 0) + 1, need + 1):
            w = step_work(framework, work, comp, m)
            steps.append(NanoStep(comp, m, round(Pricing.months(w, pace), 2), w))
    return steps


def criterion_months(work: EffortModel, criterion: Criterion) -> float:
    """The work of demonstrating one criterion, in median steps: the plan's difficulty,
    learned from the organization's demonstrations of it, of its level's criteria, of
    every criterion, else the documented default (``work_model``)."""
    return work.criterion_estimate(criterion.id, criterion.level).months


@dataclass(frozen=True, slots=True)
class CriterionStep:
    """One expected criterion to demonstrate before a move: its months at the move's pace
    and its work (median steps)."""

    criterion: str
    text: str
    months: float
    work: float = 0.0


def criteria_steps(framework: Framework, work: EffortModel, met: Collection[str],
                   target: Role, pace: float = MONTHS_PER_QUARTER) -> list[CriterionStep]:
    """The criteria ``target`` expects that are not among ``met``, in the framework's order."""
    out = []
    for k in target.criteria:
        if k not in met:
            w = criterion_months(work, framework.criteria[k])
            out.append(CriterionStep(k, framework.criteria[k].text,
                                     round(Pricing.months(w, pace), 2), w))
    return out


@dataclass(frozen=True, slots=True)
class Move:
    source: str
    target: str
    kind: MoveKind
    steps: tuple[NanoStep, ...]  # the mastery nano-steps to take before the move
    weight: float  # the friction of the move itself, in months
    months: float  # the gap's work * 3 / pace + weight (at least the gate's months)
    criteria: tuple[CriterionStep, ...] = ()  # the criteria to demonstrate before it
    blocked: tuple[str, ...] = ()  # gates of a vertical move its expectations cannot meet
    gate_months: float = 0.0  # a vertical move's least months in the level below
    work: float = 0.0  # the gap's work, in median steps
    pace: float = 0.0  # median steps a quarter that go to it


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


def describe_path(framework: Framework, prices: Pricing, has: Mapping[str, int],
                  roles: Sequence[str], met: Collection[str] = (),
                  first_pace: float | None = None) -> Path:
    """A path of roles as moves with their nano-steps, mastery and met criteria
    accumulating along the way; the first move at ``first_pace`` (a person's own, median
    steps a quarter; None: the organization's from the start role), later ones at the
    organization's from the role each leaves.

    Each move's months count only the steps still missing after the earlier moves, so a
    path's total is exact for the given starting mastery and criteria (the graph search
    ranks paths with role-to-role costs, an upper bound of this; see
    analytics.lattice_graph).
    """
    mastery = dict(has)
    shown = set(met)
    moves = []
    for n, (source, target) in enumerate(pairwise(roles)):
        found = move_kind_and_weight(framework, source, target)
        if found is None:
            raise ValueError(f"no move from {source} to {target}")
        kind, weight = found
        role = framework.roles[target]
        pace = first_pace if n == 0 and first_pace is not None else prices.pace(source)
        steps = gap_steps(framework, prices.work, mastery, role, pace)
        to_show = criteria_steps(framework, prices.work, shown, role, pace)
        for comp, need in role.expects.items():
            mastery[comp] = max(mastery.get(comp, 0), need)
        shown.update(role.criteria)
        work = sum(s.work for s in steps) + sum(c.work for c in to_show)
        gate, blocked = 0.0, tuple[str, ...]()
        if kind is MoveKind.VERTICAL:
            gate = framework.levels[role.level].min_months or 0.0
            blocked = blocked_gates(framework, role, mastery)
        months = Pricing.months(work, pace) + weight
        moves.append(Move(source, target, kind, tuple(steps), weight,
                          round(max(months, gate), 2), tuple(to_show), blocked, gate,
                          round(work, 3), round(pace, 4)))
    return Path(roles[0], tuple(moves))


def blocked_gates(framework: Framework, role: Role, mastery: Mapping[str, int]
                  ) -> tuple[str, ...]:
    """The band-level gates of a promotion into ``role`` that ``mastery`` (after the move's
    steps) does not meet, in words: what a plan must add beyond the role's expectations."""
    out = []
    for band_id, need in role.band_levels.items():
        band = framework.bands[band_id]
        if band.level_of(mastery) < need:
            level = band.levels[need - 1]
            out.append(f"band '{band.name}' level {need} ({level.name}) is not reached by "
                       "the role's expectations")
    return tuple(out)


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
