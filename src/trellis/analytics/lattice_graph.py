"""The lattice as a weighted graph: every move's cost precomputed with numpy, and searched
with numpy too.

Costs. ``cumulative[c, m]`` is the work (median steps, the plan's difficulties:
``domain.lattice.Pricing.work``) to reach mastery m in competency c from 0, and
``role_effort[r, c]`` the same at what role r expects. Because ``cumulative`` never falls
as mastery rises, the work of the gap from role A to role B is::

    gap(A, B) = sum_c max(0, role_effort[B, c] - role_effort[A, c])
              = (|E_B - E_A|_1 + sum(E_B) - sum(E_A)) / 2

so every pairwise gap comes from one city-block distance matrix (``scipy.spatial.distance.
cdist``). A criterion is one more column: ``role_effort[r, k]`` is its work
(``domain.lattice.criterion_months``) when role r expects it and 0 otherwise, so the same
formula adds the work of the criteria B expects and A does not. A move costs
``gap * 3 / pace(A) + weight(kind)`` months, ``pace(A)`` the organization's median steps a
quarter moving from A, or the person's own for their first move (domain.lattice).

The approximation. What a move costs depends on everything one has learnt before it, so a
path's true cost is not a sum of fixed edge costs. The graph prices a role-to-role move
from the expectations of the role one leaves (after moving to A one has at least A's
expectations: ``cost(A -> B) = effort(max(e_A, e_B) - e_A)``), and the first move from
the person's real mastery. This over-estimates a later move when one's mastery exceeds a
role's expectations; paths are therefore ranked by an upper bound, and
``domain.lattice.describe_path`` then counts each path's steps exactly.

Search. The grid of a large framework is dense (O*NET: ~880 roles, ~440,000 lateral and
diagonal moves), so the graph is kept as its dense cost matrix, and searched with a
Dijkstra whose every step is one numpy pass over a row (O(V^2), ~10 ms on O*NET, with no
per-edge Python work); the k best paths are Yen's algorithm over it (exact, on every move:
nothing is pruned). A query replaces the start's row by the moves priced from the
person's own mastery.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
from scipy.spatial.distance import cdist  # type: ignore[import-untyped]

from trellis.domain.effort import EffortModel
from trellis.domain.framework import Framework, MoveKind
from trellis.domain.lattice import Pricing, criterion_months
from trellis.domain.throughput import MONTHS_PER_QUARTER

KINDS = (MoveKind.VERTICAL, MoveKind.LATERAL, MoveKind.DIAGONAL, MoveKind.DOWN)  # codes 0-3
NO_MOVE = -1


@dataclass
class LatticeGraph:
    framework: Framework
    roles: list[str]
    index: dict[str, int]
    competencies: list[str]
    cumulative: np.ndarray  # (competencies, max mastery + 1) median steps from mastery 0
    role_effort: np.ndarray  # (roles, competencies + criteria) median steps
    kinds: np.ndarray  # (roles, roles) int8: an index into KINDS, or NO_MOVE
    weights: np.ndarray  # (roles, roles) the friction of each move, in months
    cost: np.ndarray  # (roles, roles) months of each move; inf where there is none
    criteria: list[str] = field(default_factory=list)
    criterion_effort: np.ndarray = field(default_factory=lambda: np.zeros(0))  # work each
    gates: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (roles,) gate months
    paces: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (roles,) steps a quarter

    def kind(self, source: str, target: str) -> MoveKind | None:
        code = int(self.kinds[self.index[source], self.index[target]])
        return None if code == NO_MOVE else KINDS[code]

    def effort_of(self, mastery: Mapping[str, int], met: Collection[str] = ()) -> np.ndarray:
        """The effort vector of a mastery profile (clamped to each scale) and of the
        criteria met."""
        top = self.cumulative.shape[1] - 1
        levels = np.array([min(max(mastery.get(c, 0), 0), top) for c in self.competencies],
                          dtype=np.intp)
        shown = np.array([k in met for k in self.criteria], dtype=bool)
        return np.concatenate([self.cumulative[np.arange(len(self.competencies)), levels],
                               np.where(shown, self.criterion_effort, 0.0)])

    def costs_from(self, source: str, mastery: Mapping[str, int],
                   met: Collection[str] = (), pace: float | None = None) -> np.ndarray:
        """Months of every direct move out of ``source`` for someone with ``mastery`` who
        has met the criteria ``met``, at ``pace`` median steps a quarter (None: the
        organization's from ``source``)."""
        i = self.index[source]
        gap = np.maximum(self.role_effort - self.effort_of(mastery, met), 0.0).sum(axis=1)
        rate = self.paces[i] if pace is None else pace
        months = np.where(self.kinds[i] >= 0,
                          gap * MONTHS_PER_QUARTER / rate + self.weights[i], np.inf)
        return np.where(self.kinds[i] == 0, np.maximum(months, self.gates), months)

    def costs_for(self, source: str, mastery: Mapping[str, int] | None,
                  met: Collection[str] = (), pace: float | None = None) -> np.ndarray:
        """The cost matrix with the moves out of ``source`` priced from ``mastery`` and
        ``met`` at ``pace`` (mastery None: from the source's expectations at the
        organization's pace, as the matrix already is)."""
        if mastery is None:
            return self.cost
        costs = self.cost.copy()
        costs[self.index[source]] = self.costs_from(source, mastery, met, pace)
        return costs

    def best_paths(self, source: str, target: str, k: int,
                   mastery: Mapping[str, int] | None = None, met: Collection[str] = (),
                   pace: float | None = None) -> list[tuple[list[str], float]]:
        """The k cheapest simple paths (by the graph's costs), cheapest first (Yen)."""
        costs = self.costs_for(source, mastery, met, pace)
        found = k_shortest_paths(costs, self.index[source], self.index[target], k)
        return [([self.roles[i] for i in path], cost) for path, cost in found]

    def reachable(self, source: str, budget: float, mastery: Mapping[str, int] | None = None,
                  met: Collection[str] = (), pace: float | None = None
                  ) -> dict[str, tuple[float, list[str]]]:
        """Every role reachable within ``budget`` months: its cost and cheapest path."""
        s = self.index[source]
        dist, prev = dijkstra(self.costs_for(source, mastery, met, pace), s, cutoff=budget)
        return {self.roles[j]: (float(dist[j]), [self.roles[i] for i in _walk(prev, s, int(j))])
                for j in np.flatnonzero(dist <= budget) if j != s}

    def nearest(self, source: str, per_kind: int, costs: np.ndarray | None = None,
                fit: np.ndarray | None = None, kinds: Collection[MoveKind] = KINDS
                ) -> list[tuple[str, MoveKind, float]]:
        """The ``per_kind`` direct moves of each kind out of a role that fit best (``fit``:
        the role's row of the fit matrix), else the cheapest."""
        i = self.index[source]
        row = self.cost[i] if costs is None else costs
        out = []
        for code, kind in enumerate(KINDS):
            if kind not in kinds:
                continue
            js = np.flatnonzero(self.kinds[i] == code)
            key = row[js] if fit is None else -fit[js]
            for j in js[np.argsort(key, kind="stable")][:per_kind]:
                out.append((self.roles[j], kind, float(row[j])))
        return out


def cumulative_effort(framework: Framework, model: EffortModel
                      ) -> tuple[list[str], np.ndarray]:
    """Each competency's running sum of its steps' estimates (``Pricing.work``: median
    steps), by mastery."""
    comps = list(framework.competencies)
    top = max((c.scale.max for c in framework.competencies.values()), default=0)
    table = np.zeros((len(comps), top + 1))
    for i, cid in enumerate(comps):
        scale_max = framework.competencies[cid].scale.max
        steps = [model.months(cid, m, scale_max) for m in range(1, scale_max + 1)]
        table[i, 1:scale_max + 1] = np.cumsum(steps)
        table[i, scale_max + 1:] = table[i, scale_max]
    return comps, table


def move_kinds(framework: Framework, roles: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The kind of every direct move (codes into KINDS) and its friction, in months."""
    fw = framework
    n = len(roles)
    rank = np.array([fw.rank_of(r) for r in roles])
    track_ids = {t: i for i, t in enumerate(fw.tracks)}
    track = np.array([track_ids[fw.roles[r].track] for r in roles])
    same_track = track[:, None] == track[None, :]
    step = rank[None, :] - rank[:, None]
    next_rank, below_rank = np.full(n, -1), np.full(n, -1)
    for i, r in enumerate(roles):
        above = fw.next_role(r)
        if above is not None:
            next_rank[i] = fw.rank_of(above.id)
        below = fw.previous_role(r)
        if below is not None:
            below_rank[i] = fw.rank_of(below.id)
    kinds = np.full((n, n), NO_MOVE, dtype=np.int8)
    kinds[step == 0] = 1
    np.fill_diagonal(kinds, NO_MOVE)
    kinds[~same_track & (step == 1)] = 2
    kinds[~same_track & (step == -1)] = 3
    kinds[same_track & (rank[None, :] == next_rank[:, None])] = 0
    kinds[same_track & (rank[None, :] == below_rank[:, None])] = 3
    by_kind = np.array([fw.lattice.weight_of(k) for k in KINDS])
    weights = np.where(kinds >= 0, by_kind[np.maximum(kinds, 0)], 0.0)
    index = {r: i for i, r in enumerate(roles)}
    for move in fw.lattice.moves:
        a, b = index[move.source], index[move.target]
        kinds[a, b] = KINDS.index(move.kind)
        weights[a, b] = fw.lattice.weight_of(move.kind) if move.weight is None else move.weight
    return kinds, weights


def gate_months(framework: Framework, roles: list[str]) -> np.ndarray:
    """The least months in the level below before a promotion into each role (its level's
    ``min_months`` gate; 0 without one)."""
    return np.array([framework.levels[framework.roles[r].level].min_months or 0.0
                     for r in roles])


def build_lattice(framework: Framework, prices: Pricing) -> LatticeGraph:
    model = prices.work
    roles = list(framework.roles)
    index = {r: i for i, r in enumerate(roles)}
    comps, cumulative = cumulative_effort(framework, model)
    ci = {c: i for i, c in enumerate(comps)}
    expects = np.zeros((len(roles), len(comps)), dtype=np.intp)
    for i, r in enumerate(roles):
        for c, m in framework.roles[r].expects.items():
            expects[i, ci[c]] = m
    criteria = list(framework.criteria)
    ki = {k: i for i, k in enumerate(criteria)}
    months = np.array([criterion_months(model, framework.criteria[k]) for k in criteria],
                      dtype=float)
    expected = np.zeros((len(roles), len(criteria)), dtype=bool)
    for i, r in enumerate(roles):
        expected[i, [ki[k] for k in framework.roles[r].criteria]] = True
    role_effort = np.hstack([cumulative[np.arange(len(comps))[None, :], expects],
                             np.where(expected, months[None, :], 0.0)])
    totals = role_effort.sum(axis=1)
    gap = (cdist(role_effort, role_effort, "cityblock") + totals[None, :] - totals[:, None]) / 2
    paces = np.array([prices.pace(r) for r in roles])
    gap_months = np.maximum(gap, 0.0) * MONTHS_PER_QUARTER / paces[:, None]
    kinds, weights = move_kinds(framework, roles)
    cost = np.where(kinds >= 0, gap_months + weights, np.inf)
    gate = gate_months(framework, roles)  # a vertical move waits for its level's gate
    cost = np.where(kinds == 0, np.maximum(cost, gate[None, :]), cost)

    return LatticeGraph(framework, roles, index, comps, cumulative, role_effort, kinds,
                        weights, cost, criteria, months, gate, paces)


def dijkstra(costs: np.ndarray, source: int, target: int | None = None, *,
             cutoff: float = np.inf, blocked: np.ndarray | None = None,
             cut: Mapping[int, list[int]] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Shortest distances and predecessors from ``source`` over a dense cost matrix
    (``inf``: no edge), stopping at ``target`` or past ``cutoff``. ``blocked`` nodes and
    ``cut`` edges (node -> successors) are left out, as Yen's algorithm needs."""
    n = costs.shape[0]
    dist = np.full(n, np.inf)
    dist[source] = 0.0
    prev = np.full(n, -1)
    open_ = np.ones(n, dtype=bool) if blocked is None else ~blocked
    open_[source] = True
    while True:
        u = int(np.where(open_, dist, np.inf).argmin())
        if not open_[u] or not np.isfinite(dist[u]) or dist[u] > cutoff or u == target:
            return dist, prev
        open_[u] = False
        row = costs[u]
        if cut and u in cut:
            row = row.copy()
            row[cut[u]] = np.inf
        through = dist[u] + row
        better = open_ & (through < dist)
        dist[better] = through[better]
        prev[better] = u


def _walk(prev: np.ndarray, source: int, target: int) -> list[int]:
    path = [target]
    while path[-1] != source:
        path.append(int(prev[path[-1]]))
    return path[::-1]


def k_shortest_paths(costs: np.ndarray, source: int, target: int, k: int
                     ) -> list[tuple[list[int], float]]:
    """Yen's k shortest simple paths over a dense cost matrix, cheapest first."""
    dist, prev = dijkstra(costs, source, target)
    if not np.isfinite(dist[target]):
        return []
    best = [(_walk(prev, source, target), float(dist[target]))]
    candidates: list[tuple[float, list[int]]] = []
    seen = {tuple(best[0][0])}
    while len(best) < k:
        last = best[-1][0]
        for i in range(len(last) - 1):
            root = last[:i + 1]
            cut: dict[int, list[int]] = {}
            for path, _ in best:
                if path[:i + 1] == root:
                    cut.setdefault(path[i], []).append(path[i + 1])
            blocked = np.zeros(costs.shape[0], dtype=bool)
            blocked[root[:-1]] = True
            dist, prev = dijkstra(costs, root[-1], target, blocked=blocked, cut=cut)
            if not np.isfinite(dist[target]):
                continue
            path = root[:-1] + _walk(prev, root[-1], target)
            if tuple(path) not in seen:
                seen.add(tuple(path))
                root_cost = sum(float(costs[a, b]) for a, b in pairwise(root))
                heapq.heappush(candidates, (root_cost + float(dist[target]), path))
        if not candidates:
            break
        cost, path = heapq.heappop(candidates)
        best.append((path, cost))
    return best
