"""Real HR datasets through the import, with every input limit in force.

    .venv/bin/python bench/import_real_data.py

Maps two peopleanalyticsdata datasets (``job_retention``: 3,770 employees; ``promotion``)
to ledger records (adapters.peopleanalytics) and imports each into a fresh SQLite file,
printing people, events, rows refused and the time of the import, beside the floor
measured in the same run: a plain sqlite3 executemany of the same number of event rows.
Every row of real data must be accepted: a limit that refuses one is a limit too tight.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis
from trellis.errors import ImportRejected
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings


def fresh(path: Path) -> Trellis:
    trellis = open_trellis(Settings(database_url=f"sqlite:///{path}", author="bench"),
                           create=True)
    shipped = shipped_framework_path("software-company")
    assert shipped is not None
    framework, document = read_framework_file(shipped)
    load_framework(trellis.uow(), framework, document, author="bench", activate=True)
    return trellis


def floor_seconds(rows: int) -> float:
    with tempfile.TemporaryDirectory() as folder:
        connection = sqlite3.connect(Path(folder) / "floor.db")
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, person_id INTEGER, "
                           "kind TEXT, effective_on TEXT, details TEXT)")
        start = time.perf_counter()
        connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?)",
                               [(i, i % 5000, "hire", "2020-01-01", '{"role": "eng1"}')
                                for i in range(1, rows + 1)])
        connection.commit()
        seconds = time.perf_counter() - start
        connection.close()
    return seconds


def main() -> None:
    datasets = {
        "job_retention": lambda frame: pa.job_retention_ledger(frame, role="eng-l1"),
        "promotion": lambda frame: pa.promotion_ledger(frame, role="eng-l1",
                                                       promoted_to="eng-l2"),
    }
    print(f"{'dataset':<15} {'people':>7} {'events':>7} {'refused':>8} {'import':>8} "
          f"{'floor':>7} {'x floor':>8}")
    for name, to_ledger in datasets.items():
        source = to_ledger(pa.read_dataset(name))
        with tempfile.TemporaryDirectory() as folder:
            trellis = fresh(Path(folder) / "real.db")
            start = time.perf_counter()
            try:
                summary = import_ledger(trellis.uow(), source.people, source.events,
                                        author="bench")
                people, events, refused = summary.people, summary.events, 0
            except ImportRejected as exc:
                people, events, refused = 0, 0, len(exc.problems)
            seconds = time.perf_counter() - start
            trellis.close()
        floor = floor_seconds(len(source.events))
        print(f"{name:<15} {people:>7,} {events:>7,} {refused:>8,} {seconds:>7.2f}s "
              f"{floor:>6.3f}s {seconds / floor:>8.1f}")


if __name__ == "__main__":
    main()
