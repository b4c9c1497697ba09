"""Do the journal commands print the same, byte for byte, before and after a change?

    .venv/bin/python tools/same_output.py [--before REV] [--people 25]

Builds one demo database, copies it for each side, and runs on both, for each of the first
``--people`` people: `profile` (as text, ``--json`` and ``--at`` a past date), `timeline`
(text and ``--json``), `log certification` (its event id masked: the sides number alike
anyway) and `profile` again after it; then `profile` of an unknown person. One side is the
source at git revision ``--before`` (default HEAD), the other the working tree. Prints the
first line that differs, or that the outputs are identical. A change meant to make a
command faster must leave this identical.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AUTHOR = "same-output"
LOGGED_ON = "2026-12-01"


def commands(handles: list[str]) -> list[list[str]]:
    runs = []
    for handle in handles:
        runs += [["profile", handle], ["profile", handle, "--json"],
                 ["profile", handle, "--at", "2025-01-01"], ["timeline", handle],
                 ["timeline", handle, "--json"],
                 ["log", "certification", handle, "--certification", "CKA", "--on", LOGGED_ON],
                 ["profile", handle]]
    return [*runs, ["profile", "nobody"]]


def run_side(source: Path, db: Path, runs: list[list[str]]) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(source), "TRELLIS_AUTHOR": AUTHOR,
           "COLUMNS": "100"}
    out = []
    for argv in runs:
        done = subprocess.run([sys.executable, "-m", "trellis.entrypoints.cli", "--db",
                               str(db), *argv], capture_output=True, text=True, env=env)
        text = done.stdout + done.stderr
        if argv[0] == "log":
            text = re.sub(r"event \d+", "event N", text)
        out.append(f"$ trellis {' '.join(argv)} (exit {done.returncode})\n{text}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="HEAD", help="git revision of the first side")
    parser.add_argument("--people", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "src"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
        before, after = work / "src", ROOT / "src"
        demo = work / "demo.db"
        subprocess.run([sys.executable, "-m", "trellis.entrypoints.cli", "--db", str(demo),
                        "demo", "--people", "40", "--years", "3"], check=True,
                       capture_output=True, env={**os.environ, "PYTHONPATH": str(before),
                                                 "TRELLIS_AUTHOR": AUTHOR})
        with sqlite3.connect(demo) as connection:  # the handles, to name people by
            handles = [h for (h,) in connection.execute(
                "SELECT handle FROM people ORDER BY id LIMIT ?", (args.people,))]
        runs = commands(handles)
        outputs = []
        for side, source in (("before", before), ("after", after)):
            db = work / f"{side}.db"
            shutil.copy(demo, db)
            outputs.append(run_side(source, db, runs))
    size = sum(len(o) for o in outputs[0])
    for first, second in zip(*outputs, strict=True):
        if first != second:
            print(f"DIFFERENT\n--- {args.before}\n{first}\n--- working tree\n{second}")
            sys.exit(1)
    print(f"identical: {len(runs)} commands, {size:,} characters of output")


if __name__ == "__main__":
    main()
