"""Lattice speed on the O*NET framework (~880 roles): graph build, k = 5 paths, explore.

Run: .venv/bin/python bench/lattice_onet.py [ONET_DIR]

Each figure is the median of repeated runs, printed next to a floor measured in the same
run: for the build, the one city-block distance matrix of the roles' cumulative efforts
(the build's numerical core); for paths, one shortest path (Yen's algorithm runs one per
spur node); for explore, one numpy pass over the same cost matrix (the least work that
looks at every move once). Targets: build < 2 s, paths < 200 ms, explore < 100 ms.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scipy.spatial.distance import cdist  # type: ignore[import-untyped]

from trellis.adapters.onet import read_onet_framework
from trellis.analytics.lattice_graph import build_lattice, dijkstra
from trellis.domain.lattice import describe_path, pricing
from trellis.domain.throughput import ThroughputModel

ROOT = Path(__file__).resolve().parents[1]
ONET = ROOT.parent / "shared" / "data" / "onet"


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else ONET
    t = time.perf_counter()
    framework, _ = read_onet_framework(directory)
    print(f"O*NET framework: {len(framework.roles)} roles, read in "
          f"{time.perf_counter() - t:.2f} s (not part of the lattice)")
    # the documented defaults: a new database has no history
    model = pricing(framework, ThroughputModel())
    graph = build_lattice(framework, model)
    print(f"graph: {int((graph.kinds >= 0).sum()):,} moves between {len(graph.roles)} roles")

    build = median_ms(lambda: build_lattice(framework, model), 5)
    floor = median_ms(lambda: cdist(graph.role_effort, graph.role_effort, "cityblock"), 5)
    print(f"build graph      {build:8.1f} ms   floor (one cdist {len(graph.roles)}^2) "
          f"{floor:6.1f} ms   target < 2000 ms")

    rnd = random.Random(7)
    roles = list(framework.roles)
    pairs = []
    while len(pairs) < 15:
        a, b = rnd.sample(roles, 2)
        if framework.roles[a].track != framework.roles[b].track:
            pairs.append((a, b))
    path_ms, floor_ms, explore_ms, dijkstra_ms = [], [], [], []
    for a, b in pairs:
        have = dict(framework.roles[a].expects)

        def paths(a: str = a, b: str = b, have: dict[str, int] = have) -> None:
            for roles_, _ in graph.best_paths(a, b, 5, have):
                describe_path(framework, model, have, roles_)

        path_ms.append(median_ms(paths, 3))
        costs = graph.costs_for(a, have)
        i, j = graph.index[a], graph.index[b]
        floor_ms.append(median_ms(lambda c=costs, i=i, j=j: dijkstra(c, i, j), 3))
        explore_ms.append(median_ms(lambda a=a, have=have: graph.reachable(a, 12.0, have), 3))
        dijkstra_ms.append(median_ms(lambda c=costs: c.min(axis=0), 3))
    print(f"k = 5 paths      {statistics.median(path_ms):8.1f} ms   floor (one shortest "
          f"path) {statistics.median(floor_ms):6.1f} ms   worst {max(path_ms):.1f} ms, "
          "target < 200 ms")
    print(f"explore 12 mo    {statistics.median(explore_ms):8.1f} ms   floor (one pass over "
          f"the matrix) {statistics.median(dijkstra_ms):6.1f} ms   worst {max(explore_ms):.1f} "
          "ms, target < 100 ms")


if __name__ == "__main__":
    main()
