"""How long the commands a career journal runs all day take, start to finish, on SQLite.

    .venv/bin/python bench/cli_start.py [--repeat 7]

Runs `trellis --help`, `trellis log ...` and `trellis profile ...` as new processes against
a fresh SQLite file and prints the median wall time of each, beside the floor measured in
the same run: `python -c pass` with the same interpreter, and their CPU time (user +
system: on a busy machine the wall time includes waiting for a core). Issue 15 aims at
--help under 0.3 s and log/profile under 0.5 s.

Beside them, the libraries alone: a process that only imports what a journal command cannot
start without (Typer, Rich's console and tables, SQLAlchemy Core and its SQLite dialect, the
collector paused and frozen at the end as the console script does: without the freeze the
row would count the interpreter's last sweep, which the commands skip). What a command
costs above that row is Trellis's own: its modules, opening the database, the use case and
the printing.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRELLIS = [sys.executable, "-m", "trellis.entrypoints.cli"]  # what the console script runs
# imported with the collector paused, and ended with it frozen, as the console script does
LIBRARIES = [sys.executable, "-c", "import gc; gc.disable(); import typer, rich.console, "
             "rich.table, sqlalchemy, sqlalchemy.dialects.sqlite; gc.freeze()"]


def median_seconds(command: list[str], repeat: int, env: dict[str, str]
                   ) -> tuple[float, float]:
    """The median wall time and the median CPU time (user + system) of ``command``. On a
    busy machine the wall time waits for a core; the CPU time is the work itself."""
    times, cpu = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    env = {**os.environ, "TRELLIS_AUTHOR": "bench", "COLUMNS": "100"}
    # as an installed command starts: from cached bytecode (pip compiles it at install;
    # PYTHONDONTWRITEBYTECODE would have every run compile the sources again)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as folder:
        db = ["--db", str(Path(folder) / "journal.db")]
        subprocess.run([*TRELLIS, *db, "init", "--framework", "software-company"], check=True,
                       capture_output=True, env=env)
        subprocess.run([*TRELLIS, *db, "person", "add", "me", "--name", "Me", "--role",
                        "eng-l2", "--hired", "2023-04-01", "--pay", "98000"], check=True,
                       capture_output=True, env=env)
        floor = median_seconds([sys.executable, "-c", "pass"], repeat, env)
        rows = [
            ("libraries alone", median_seconds(LIBRARIES, repeat, env)),
            ("trellis --help", median_seconds([*TRELLIS, "--help"], repeat, env)),
            ("trellis log certification", median_seconds(
                [*TRELLIS, *db, "log", "certification", "me", "--certification", "X"],
                repeat, env)),
            ("trellis profile", median_seconds([*TRELLIS, *db, "profile", "me"], repeat,
                                               env)),
        ]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'command':<28} {'median':>8} {'x floor':>8} {'CPU':>8} {'x floor':>8}")
    print(f"{'python -c pass (floor)':<28} {floor[0]:>7.3f}s {1:>8.1f} {floor[1]:>7.3f}s "
          f"{1:>8.1f}")
    for name, (seconds, cpu) in rows:
        print(f"{name:<28} {seconds:>7.3f}s {seconds / floor[0]:>8.1f} {cpu:>7.3f}s "
              f"{cpu / max(floor[1], 1e-3):>8.1f}")


if __name__ == "__main__":
    main()
