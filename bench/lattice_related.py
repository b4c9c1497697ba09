"""How well the lattice's suggestions match O*NET's own related occupations, and how fast.

Run: .venv/bin/python bench/lattice_related.py [RELATED_FILE] [--onet DIR]

RELATED_FILE defaults to ``Related Occupations (dev half).txt`` in the O*NET directory
(``--onet``, else $TRELLIS_ONET_DIR, else ``../shared/data/onet``): for
about half of the occupations, the 10 occupations O*NET's analysts judge closest as career
moves (the Primary-Short and Primary-Long tiers). For each of those occupations that is a
role of the imported framework, ``explore --role`` is run with no budget and with steps
down shown, and precision at 10 is the share of the top 10 that are Primary related
occupations: over all move kinds merged by fit (the best 10 of every list) and per kind.
Beside it, in the same run, the baseline: a plain cosine of the roles' 35 skill-importance
vectors over every other role. A 12-month budget is measured too (the budget
filters; it does not reorder).

Speed, each the median of repeated runs beside a floor measured in the same run: the
graph build (cost matrix and fit matrix) against one city-block distance matrix, explore
against one numpy pass over the matrix, k = 5 paths against one shortest path. Targets:
build < 2 s, explore < 100 ms, paths < 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.spatial.distance import cdist  # type: ignore[import-untyped]

from trellis.adapters.onet import read_onet_framework
from trellis.analytics.lattice_fit import build_fit
from trellis.analytics.lattice_graph import build_lattice, dijkstra
from trellis.domain.framework import Framework, MoveKind
from trellis.domain.lattice import describe_path, pricing
from trellis.domain.throughput import ThroughputModel
from trellis.services.lattice import Lattice, Start, rank_moves

ROOT = Path(__file__).resolve().parents[1]
ONET = Path(os.environ.get("TRELLIS_ONET_DIR", ROOT.parent / "shared" / "data" / "onet"))
RELATED = ONET / "Related Occupations (dev half).txt"
TOP = 10


def median_ms(run: Callable[[], Any], repeat: int,
              clock: Callable[[], float] = time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        t = clock()
        run()
        times.append(clock() - t)
    return statistics.median(times) * 1000


def primary_related(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for r in csv.DictReader(handle, delimiter="\t"):
            if r["Relatedness Tier"].startswith("Primary"):
                out[r["O*NET-SOC Code"]].add(r["Related O*NET-SOC Code"])
    return out


def skills_cosine(framework: Framework) -> tuple[list[str], np.ndarray]:
    """The baseline: a plain cosine of the skill-importance vectors."""
    roles = list(framework.roles)
    comps = list(framework.competencies)
    x = np.array([[framework.roles[r].attributes.importance.get(c, 0.0) for c in comps]
                  for r in roles])
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return roles, x @ x.T


def precision(found: list[str], truth: set[str]) -> float:
    return len(set(found[:TOP]) & truth) / TOP


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("related", nargs="?", type=Path, default=RELATED)
    parser.add_argument("--onet", type=Path, default=ONET)
    args = parser.parse_args()
    t = time.perf_counter()
    framework, _ = read_onet_framework(args.onet)
    print(f"O*NET framework: {len(framework.roles)} roles, read in "
          f"{time.perf_counter() - t:.1f} s (not part of the lattice)")
    # the documented defaults: a new database has no history
    model = pricing(framework, ThroughputModel())
    graph, fit = build_lattice(framework, model), build_fit(framework)
    lat = Lattice(framework, model, graph, fit)
    truth = primary_related(args.related)
    sources = [s for s in truth if s in framework.roles]
    print(f"{len(sources)} of {len(truth)} occupations of {args.related.name} are roles")

    kinds = (MoveKind.LATERAL, MoveKind.DIAGONAL, MoveKind.VERTICAL, MoveKind.DOWN)
    scores: dict[str, list[float]] = defaultdict(list)
    explore_ms = []
    for source in sources:
        role = framework.roles[source]
        start = Start(role, None, dict(role.expects), frozenset(role.criteria))
        for budget, label in ((None, "no budget"), (12.0, "12 months")):
            t = time.perf_counter()
            found = rank_moves(lat, start, budget, TOP, down=True)
            if label == "no budget":  # explore's default
                explore_ms.append((time.perf_counter() - t) * 1000)
            merged = sorted((d for k in kinds for d in found.of(k)),
                            key=lambda d: (-d.fit.score, d.months, d.role.id))
            scores[f"all kinds, {label}"].append(
                precision([d.role.id for d in merged], truth[source]))
            if label == "no budget":
                for k in kinds:
                    scores[k.label].append(
                        precision([d.role.id for d in found.of(k)], truth[source]))
    roles, cosine = skills_cosine(framework)
    at = {r: i for i, r in enumerate(roles)}
    for source in sources:
        row = cosine[at[source]].copy()
        row[at[source]] = -np.inf
        top = [roles[j] for j in np.argsort(-row, kind="stable")[:TOP]]
        scores["baseline: skills cosine"].append(precision(top, truth[source]))
    baseline = statistics.mean(scores["baseline: skills cosine"])
    print(f"\nmean precision at {TOP} against the Primary related occupations "
          "(aim: 0.45 or more, all kinds):")
    for name, values in scores.items():
        mean = statistics.mean(values)
        print(f"  {name:26s} {mean:6.3f}   x{mean / baseline:4.2f} the baseline")

    build = median_ms(lambda: (build_lattice(framework, model), build_fit(framework)), 3)
    floor = median_ms(lambda: cdist(graph.role_effort, graph.role_effort, "cityblock"), 5)
    only_fit = median_ms(lambda: build_fit(framework), 3)
    cpu = median_ms(lambda: (build_lattice(framework, model), build_fit(framework)), 3,
                    time.process_time)  # what a shared machine's load does not inflate
    print(f"\nbuild graph+fit  {build:8.1f} ms (fit {only_fit:.0f}; CPU time {cpu:.0f})   "
          f"floor (one cdist {len(graph.roles)}^2) {floor:6.1f} ms   target < 2000 ms")
    pass_ms = median_ms(lambda: graph.cost.min(axis=0), 5)
    print(f"explore          {statistics.median(explore_ms):8.1f} ms   floor (one pass over "
          f"the matrix) {pass_ms:6.1f} ms   worst {max(explore_ms):.1f} ms, target < 100 ms")
    rnd = random.Random(7)
    everyone = list(framework.roles)
    path_ms, floor_ms = [], []
    for _ in range(15):
        a, b = rnd.sample(everyone, 2)
        have = dict(framework.roles[a].expects)

        def paths(a: str = a, b: str = b, have: dict[str, int] = have) -> None:
            for found_roles, _ in graph.best_paths(a, b, 5, have):
                describe_path(framework, model, have, found_roles)

        path_ms.append(median_ms(paths, 3))
        costs = graph.costs_for(a, have)
        i, j = graph.index[a], graph.index[b]
        floor_ms.append(median_ms(lambda c=costs, i=i, j=j: dijkstra(c, i, j), 3))
    print(f"k = 5 paths      {statistics.median(path_ms):8.1f} ms   floor (one shortest "
          f"path) {statistics.median(floor_ms):6.1f} ms   worst {max(path_ms):.1f} ms, "
          "target < 200 ms")


if __name__ == "__main__":
    main()
