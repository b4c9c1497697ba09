"""Read one person's profile: folded from 10,000 events at a past date, and current.

    .venv/bin/python bench/profile_read.py [--events 10000] [--repeat 50]

Prints the median and 90th-percentile time of `services.profiles.profile` for a person
with many events, (1) at a past date, which folds the ledger on from the latest
checkpoint before that date, and (2) today, which reads the current-state table. Floor,
measured in the same run: a bare sqlite3 SELECT of all the person's event rows (no
parsing, no fold).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _ledger_data import ledger

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.adapters.ledger_files import parse_rows
from trellis.bootstrap import open_trellis
from trellis.services.frameworks import load_framework
from trellis.services.profiles import profile
from trellis.services.transfer import import_ledger
from trellis.settings import Settings


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    fn()  # warm caches (framework catalog, statement cache)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trellis.db"
        trellis = open_trellis(Settings(database_url=f"sqlite:///{path}"), create=True)
        framework_path = shipped_framework_path("software-company")
        assert framework_path is not None
        framework, document = read_framework_file(framework_path)
        load_framework(trellis.uow(), framework, document, author="bench")
        # One heavy person among a hundred ordinary ones.
        rows = enumerate(ledger(1, args.events, step_days=1), start=1)
        people, events, problems = parse_rows(rows, "bench")
        extra_people, extra_events, _ = parse_rows(
            enumerate((dict(r, handle=f"x{r['handle']}") if r["record"] == "person"
                       else dict(r, person=f"x{r['person']}")
                       for r in ledger(100, 50)), start=1), "bench")
        assert not problems
        import_ledger(trellis.uow(), [*people, *extra_people], [*events, *extra_events],
                      author="bench")
        handle = people[0].handle
        last = max(e.effective_on for e in events)
        past = date.fromordinal(last.toordinal() - 30)

        fold_median, fold_p90 = timed(lambda: profile(trellis.uow(), handle, past),
                                      args.repeat)
        current_median, current_p90 = timed(lambda: profile(trellis.uow(), handle),
                                            args.repeat)
        connection = sqlite3.connect(path)
        floor_median, _ = timed(lambda: connection.execute(
            "SELECT * FROM events WHERE person_id = 1 ORDER BY effective_on, id").fetchall(),
            args.repeat)
        n = len(events)
        print(f"person with {n:,} events (profile at {past}, 30 days before their last event)")
        print(f"folded at a past date:   median {fold_median:7.2f} ms  p90 {fold_p90:7.2f} ms "
              "(aim: under 20 ms)")
        print(f"current (state table):   median {current_median:7.2f} ms  p90 "
              f"{current_p90:7.2f} ms (aim: under 2 ms)")
        print(f"floor, a bare sqlite3 SELECT of all {n:,} rows: {floor_median:.2f} ms; "
              f"past-date profile / floor = {fold_median / floor_median:.2f} (checkpoints "
              "let the fold skip most rows)")


if __name__ == "__main__":
    main()
