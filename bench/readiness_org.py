"""Readiness for the next role of every active person of a 10,000-person demo organization.

    .venv/bin/python bench/readiness_org.py [--people 10000] [--repeat 3]

Builds the demo organization (services.demo.run_demo, as `trellis demo`) in a temporary
SQLite database, then times `services.readiness.team_readiness` over the whole
organization: one query of the current-state table, one JSON parse and one assessment per
active person, never a refold. Prints the median of ``--repeat`` runs. Floor, measured in
the same run: reading the same state rows and orjson-parsing the profile of every active
person (no profile objects, no assessment). Target: under 2 s in total.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.bulk import paused_gc
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.readiness import team_readiness
from trellis.settings import Settings


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trellis = open_trellis(Settings(database_url=f"sqlite:///{Path(tmp) / 'org.db'}"),
                               create=True)
        path = shipped_framework_path("software-company")
        assert path is not None
        framework, document = read_framework_file(path)
        start = time.perf_counter()
        summary = run_demo(trellis.uow, framework=framework, document=document,
                           people=args.people, years=5, seed=7, author="bench",
                           today=clock.today())
        built = time.perf_counter() - start

        def floor() -> int:
            with trellis.uow() as uow:
                rows = uow.state.rows()
            with paused_gc():
                return len([orjson.loads(r["profile"]) for r in rows
                            if r["departed_on"] is None and r["role"] is not None])

        pipeline = team_readiness(trellis.uow())  # warm: imports, statement cache
        median, runs = timed(lambda: team_readiness(trellis.uow()), args.repeat)
        floor_median, _ = timed(floor, args.repeat)
        trellis.close()
    assessed = len(pipeline.entries)
    print(f"demo organization: {summary.people:,} people ({summary.active:,} active), "
          f"{summary.events:,} events, built in {built:.1f} s")
    print(f"readiness for the next role of every active person: {assessed:,} assessed "
          f"(+{pipeline.without_next_role} at the top of their track), "
          f"{sum(1 for e in pipeline.entries if e.readiness.ready):,} ready")
    print(f"  org-wide readiness: median {median:.3f} s of {args.repeat} "
          f"({', '.join(f'{t:.3f}' for t in runs)}); "
          f"{median / max(assessed, 1) * 1e6:.0f} us per person")
    print(f"  floor (read the state rows, orjson-parse each active profile): "
          f"median {floor_median:.3f} s")
    print(f"  target: under 2 s in total -> {'met' if median < 2 else 'NOT met'}")
    if median >= 2:
        sys.exit(1)


if __name__ == "__main__":
    main()
