"""The fragmentation and recognition reports over a 10,000-person demo organization.

    .venv/bin/python bench/reports_org.py [--people 10000] [--years 5] [--repeat 3]

Builds the demo (services.demo.run_demo, seed 7) on SQLite, and on PostgreSQL too when
TRELLIS_TEST_POSTGRES_URL is set (in a schema of its own, dropped afterwards), then prints
the median of ``--repeat`` runs of each report (aim: under 3 s). Floor, measured in the
same run: the bare driver SELECT of the rows each report reads (the events of its kinds,
retractions, and the current-state rows), with no parsing or grouping.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from trellis.adapters.database import temporary_schema
from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.fragmentation import KINDS, fragmentation_report
from trellis.services.recognition import recognition_report
from trellis.settings import Settings


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor(trellis: Trellis, kinds: list[str], state_columns: str) -> Callable[[], object]:
    marks = ", ".join(f"'{k}'" for k in [*kinds, "retraction"])

    def select() -> None:
        with trellis.engine.connect() as c:
            c.exec_driver_sql("SELECT id, person_id, kind, effective_on, details FROM events "
                              f"WHERE kind IN ({marks})").fetchall()
            c.exec_driver_sql(f"SELECT {state_columns} FROM person_state").fetchall()
            c.exec_driver_sql("SELECT id, handle, name, email, manager_id FROM people"
                              ).fetchall()
    return select


def measure(name: str, url: str, args: argparse.Namespace) -> None:
    trellis = open_trellis(Settings(database_url=url, author="bench"), create=True)
    try:
        path = shipped_framework_path("software-company")
        assert path is not None
        framework, document = read_framework_file(path)
        started = time.perf_counter()
        summary = run_demo(trellis.uow, framework=framework, document=document,
                           people=args.people, years=args.years, seed=7, author="bench",
                           today=clock.today())
        built = time.perf_counter() - started
        print(f"{name}: {summary.people:,} people ({summary.active:,} active), "
              f"{summary.events:,} events; built in {built:.0f} s")
        fragmentation_report(trellis.uow())  # warm the framework catalog and caches
        frag = median_seconds(lambda: fragmentation_report(trellis.uow()), args.repeat)
        rec = median_seconds(lambda: recognition_report(trellis.uow()), args.repeat)
        state = "person_id, role, track, hired_on, departed_on"
        frag_floor = median_seconds(floor(trellis, [str(k) for k in KINDS],
                                          f"{state}, profile"), args.repeat)
        rec_floor = median_seconds(floor(trellis, ["recognition"], state), args.repeat)
        print(f"  fragmentation report: median {frag:.2f} s (aim: under 3 s); floor, the bare "
              f"SELECT of its rows: {frag_floor:.2f} s; report / floor = "
              f"{frag / frag_floor:.1f}")
        print(f"  recognition report:   median {rec:.2f} s (aim: under 3 s); floor, the bare "
              f"SELECT of its rows: {rec_floor:.2f} s; report / floor = {rec / rec_floor:.1f}")
    finally:
        trellis.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite", f"sqlite:///{Path(tmp) / 'trellis.db'}", args)
    postgres = os.environ.get("TRELLIS_TEST_POSTGRES_URL")
    if postgres:
        with temporary_schema(postgres) as url:
            measure("PostgreSQL", url, args)
    else:
        print("PostgreSQL: skipped (set TRELLIS_TEST_POSTGRES_URL to measure it)", file=sys.stderr)


if __name__ == "__main__":
    main()
