"""Opening a review cycle for a 10,000-person organization.

    .venv/bin/python bench/review_cycle_open.py [--people 10000] [--repeat 3]

Imports ``--people`` hires under the software-company framework into a temporary SQLite
file, then times ``services.reviews.open_cycle`` for the whole organization (a new cycle
each run): one read of the current-state table for who is active, one insert of the cycle
and one executemany of its participants. Floor, measured in the same run: a plain sqlite3
executemany of as many participant rows. Target: under 2 s.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.events import Hire
from trellis.domain.records import EventRecord, PersonRecord
from trellis.services import reviews
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings


def floor_seconds(rows: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "floor.db")
        connection.execute("CREATE TABLE p (cycle_id INTEGER, person_id INTEGER, "
                           "PRIMARY KEY (cycle_id, person_id))")
        start = time.perf_counter()
        connection.executemany("INSERT INTO p VALUES (?, ?)", [(1, i) for i in range(rows)])
        connection.commit()
        seconds = time.perf_counter() - start
        connection.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trellis = open_trellis(Settings(database_url=f"sqlite:///{Path(tmp) / 'org.db'}",
                                        author="bench"), create=True)
        shipped = shipped_framework_path("software-company")
        assert shipped is not None
        framework, document = read_framework_file(shipped)
        load_framework(trellis.uow(), framework, document, author="bench", activate=True)
        people = [PersonRecord(i, f"p{i:06d}", f"Person {i}") for i in range(args.people)]
        hires = [EventRecord(i, f"p{i:06d}", date(2020, 1, 6), Hire("eng-l2"))
                 for i in range(args.people)]
        import_ledger(trellis.uow(), people, hires, author="bench")
        times = []
        for run in range(args.repeat):
            start = time.perf_counter()
            _, count = reviews.open_cycle(trellis.uow(), f"cycle {run}", date(2025, 1, 1),
                                          date(2025, 12, 31), author="bench")
            times.append(time.perf_counter() - start)
            assert count == args.people
        trellis.close()
    seconds, floor = statistics.median(times), floor_seconds(args.people)
    print(f"open a review cycle for {args.people:,} people: {seconds:.3f} s (median of "
          f"{args.repeat}; floor {floor:.3f} s, x{seconds / floor:.1f}; target < 2 s)")


if __name__ == "__main__":
    main()
