"""The lattice on Monzo's engineering framework with no history yet: what a lateral move at
level 3 costs in criteria and months, the three best paths from backend-L3 to web-L5, and
how long building the graph and finding them takes.

Run: .venv/bin/python bench/lattice_monzo.py

With no history every criterion is the default difficulty (``DEFAULT_CRITERION_MONTHS``
over ``MIDDLE_MONTHS``: 0.4 median steps) at the default pace (2 median steps a quarter),
so a criterion is 0.6 months; docs/lattice.md quotes the table this prints.
"""

from __future__ import annotations

import statistics
import time

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.analytics.lattice_graph import build_lattice
from trellis.domain.lattice import describe_path, pricing
from trellis.domain.throughput import ThroughputModel

START = "backend-L3"


def main() -> None:
    path = shipped_framework_path("monzo-engineering")
    assert path is not None
    framework, _ = read_framework_file(path)
    prices = pricing(framework, ThroughputModel())
    builds = []
    for _ in range(5):
        t = time.perf_counter()
        graph = build_lattice(framework, prices)
        builds.append(time.perf_counter() - t)
    print(f"monzo-engineering: {len(framework.roles)} roles, {len(framework.criteria)} "
          f"criteria; graph built in {statistics.median(builds) * 1000:.1f} ms (median of 5)")

    def first(a: str, b: str) -> str:
        role = framework.roles[a]
        move = describe_path(framework, prices, dict(role.expects), [a, b],
                             role.criteria).moves[0]
        return (f"{a} -> {b} ({move.kind.value}): {len(move.criteria)} criteria, "
                f"{move.work:g} median steps at {move.pace:g} a quarter, {move.months:g} months")

    for target in ("mobile-L3", "data-L3", "web-L3", "qualityanalyst-L3"):
        print(first(START, target))
    print(first("web-L3", START))
    print(first(START, "backend-L4"))
    have = dict(framework.roles[START].expects)
    met = framework.roles[START].criteria
    t = time.perf_counter()
    found = graph.best_paths(START, "web-L5", 3, have, met)
    paths = sorted((describe_path(framework, prices, have, roles, met) for roles, _ in found),
                   key=lambda p: p.months)
    took = (time.perf_counter() - t) * 1000
    print(f"3 best paths {START} -> web-L5 in {took:.1f} ms:")
    for p in paths:
        print(f"  {p.months:g} months: {' -> '.join(p.roles)} "
              f"({' + '.join(str(len(m.criteria)) for m in p.moves)} criteria)")


if __name__ == "__main__":
    main()
