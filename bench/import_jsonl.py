"""Import a large JSON-lines ledger into SQLite, against plain sqlite3.executemany.

    .venv/bin/python bench/import_jsonl.py [--people 10000] [--events-per-person 100]

Prints events per second for `trellis import` (parse, validate every row, replay every
history through the ledger's rules, insert, write the current-state tables, one
transaction) and the ratio against a floor measured in the same run: sqlite3.executemany
of the same rows (already built in memory) into a table of the same shape and indexes.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from _ledger_data import ledger

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.adapters.ledger_files import read_ledger_file
from trellis.bootstrap import open_trellis
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

SHAPE = """
CREATE TABLE events (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, kind VARCHAR(32)
  NOT NULL, effective_on DATE NOT NULL, recorded_at DATETIME NOT NULL, author VARCHAR(200)
  NOT NULL, evidence TEXT, verifier VARCHAR(200), framework_version INTEGER NOT NULL,
  details TEXT NOT NULL);
CREATE INDEX ix_events_person_date ON events (person_id, effective_on, id);
CREATE INDEX ix_events_kind_date ON events (kind, effective_on);
"""

DETAIL_KEYS = ("role", "pay", "competency", "from_mastery", "to_mastery", "citation",
               "recognition_kind", "points", "compensation_kind", "percent", "engagement",
               "notes")


def floor(path: Path, rows: list[tuple[object, ...]]) -> float:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.executescript(SHAPE)
    start = time.perf_counter()
    connection.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    connection.commit()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--events-per-person", type=int, default=100)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        source = tmpdir / "ledger.jsonl"
        handles: dict[str, int] = {}
        rows: list[tuple[object, ...]] = []
        with source.open("wb") as out:
            for record in ledger(args.people, args.events_per_person):
                out.write(orjson.dumps(record) + b"\n")
                if record["record"] == "person":
                    handles[record["handle"]] = len(handles) + 1
                    continue
                details = {k: record[k] for k in DETAIL_KEYS if k in record}
                rows.append((len(rows) + 1, handles[record["person"]], record["kind"],
                             record["effective_on"], "2026-01-01 00:00:00.000000", "bench",
                             record.get("evidence"), None, 1, orjson.dumps(details).decode()))
        events = len(rows)
        print(f"ledger: {args.people:,} people, {events:,} events, "
              f"{source.stat().st_size / 1e6:.0f} MB of JSON lines")

        floor_s = floor(tmpdir / "floor.db", rows)
        del rows

        trellis = open_trellis(Settings(database_url=f"sqlite:///{tmpdir / 'trellis.db'}",
                                        author="bench"), create=True)
        path = shipped_framework_path("software-company")
        assert path is not None
        framework, document = read_framework_file(path)
        load_framework(trellis.uow(), framework, document, author="bench")

        start = time.perf_counter()
        people, records, problems = read_ledger_file(source)
        parsed = time.perf_counter()
        summary = import_ledger(trellis.uow(), people, records, author="bench",
                                source=str(source), problems=problems)
        done = time.perf_counter()
        assert summary.events == events, summary

        total = done - start
        print(f"sqlite3.executemany floor: {floor_s:6.2f} s  {events / floor_s:>10,.0f} events/s")
        print(f"trellis import:            {total:6.2f} s  {events / total:>10,.0f} events/s "
              f"(read+parse {parsed - start:.2f} s, check+write {done - parsed:.2f} s)")
        print(f"ratio trellis / floor:     {total / floor_s:6.2f}  (aim: 3 or less)")


if __name__ == "__main__":
    main()
