"""An import in a process of its own, for the concurrency and kill tests.

    python importing.py URL LEDGER.jsonl [--pause PHASE SECONDS]...

It prints one line per progress report (``phase done total``), pausing ``SECONDS`` at the
first report of each named ``PHASE`` (inside the import's transaction, so that other writers
meet it there), then ``done PEOPLE EVENTS`` after the commit, or ``error: MESSAGE``.
``start`` runs it with the tested package on its path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

import trellis.errors

# The tested package's source (``trellis`` is a namespace package: no __file__ of its own).
SOURCE = str(Path(trellis.errors.__file__).parents[1])


def start(url: str, ledger: Path, pauses: dict[str, float] | None = None
          ) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": SOURCE}
    args = [sys.executable, __file__, url, str(ledger)]
    for phase, seconds in (pauses or {}).items():
        args += ["--pause", phase, str(seconds)]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)


def wait_for(process: subprocess.Popen[str], phase: str) -> list[str]:
    """Read the importer's lines up to the first of ``phase`` (or its end)."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if line.split(" ", 1)[0] == phase:
            break
    return lines


def write_ledger(path: Path, people: int, events_each: int, prefix: str = "imp",
                 existing: str | None = None, first_id: int | None = None) -> int:
    """New people, each hired then checked in every few days; and, for ``existing`` (a handle
    already in the database), as many check-ins too, with ids of their own from ``first_id``
    when given. Returns the number of events."""
    count = 0
    with path.open("w") as out:
        for i in range(people):
            handle = f"{prefix}{i}"
            out.write(json.dumps({"record": "person", "handle": handle,
                                  "name": f"Imported {i}"}) + "\n")
            out.write(json.dumps({"record": "event", "person": handle, "kind": "hire",
                                  "effective_on": "2001-01-01", "role": "eng1",
                                  "pay": 45000}) + "\n")
            count += 1
            count += _check_ins(out, handle, events_each - 1)
        if existing:
            count += _check_ins(out, existing, events_each, first_id)
    return count


def _check_ins(out: TextIO, handle: str, n: int, first_id: int | None = None) -> int:
    for k in range(n):
        on = date(2001, 1, 2) + timedelta(days=3 * k)
        row = {"record": "event", "person": handle, "kind": "check_in",
               "effective_on": on.isoformat(), "engagement": 1 + k % 5}
        if first_id is not None:
            row["id"] = first_id + k
        out.write(json.dumps(row) + "\n")
    return n


def main(argv: list[str]) -> int:
    from trellis.adapters.ledger_files import read_ledger_file
    from trellis.bootstrap import open_trellis
    from trellis.errors import TrellisError
    from trellis.services.transfer import ImportProgress, import_ledger
    from trellis.settings import Settings

    url, ledger, rest = argv[0], Path(argv[1]), argv[2:]
    pauses = {rest[i + 1]: float(rest[i + 2]) for i in range(0, len(rest), 3)}

    def report(progress: ImportProgress) -> None:
        print(progress.phase, progress.done, progress.total, flush=True)
        if progress.phase in pauses:
            time.sleep(pauses.pop(progress.phase))

    trellis = open_trellis(Settings(database_url=url, author="importer"))
    people, events, problems = read_ledger_file(ledger)
    try:
        summary = import_ledger(trellis.uow(), people, events, author="importer",
                                source=str(ledger), problems=problems, on_progress=report)
    except TrellisError as exc:
        print(f"error: {exc}", flush=True)
        return 1
    print("done", summary.people, summary.events, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
