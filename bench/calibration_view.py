"""The calibration view of a 2,000-person session.

    .venv/bin/python bench/calibration_view.py [--people 2000] [--repeat 3]

Imports a manager and ``--people`` reports under the software-company framework (with a
10/20/40/20/10 target distribution) into a temporary SQLite file: each hired in 2023 in an
engineering role, with 0-6 skill steps towards the next role and 0-3 certifications or
recognitions in the last year, and a manager review in cycle '2025' (ratings drawn with a
seeded generator). Opens a session for the manager's team and times
``services.calibration_sessions.view``: the distribution against the target, the 9-box
(which assesses everyone's readiness for their next role) and the sorted list with the
recent micro-progressions. Floor, measured in the same run: reading the same current-state
rows and orjson-parsing every member's profile (no assessment, no events). Target: under
2 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import orjson
import yaml

from trellis.adapters.framework_files import parse_framework, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.events import Certification, Hire, Recognition, Review, SkillStep
from trellis.domain.framework import ReviewForm
from trellis.domain.records import EventRecord, PersonRecord
from trellis.services import calibration_sessions, clock, reviews
from trellis.services.frameworks import load_framework
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

ROLES = ("eng-l1", "eng-l2", "eng-l3")


def framework_text() -> str:
    shipped = shipped_framework_path("software-company")
    assert shipped is not None
    document = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    document["reviews"] = {"target_distribution": {1: 10, 2: 20, 3: 40, 4: 20, 5: 10}}
    return yaml.safe_dump(document, sort_keys=False)


def organization(n: int, today: date, framework, seed: int = 7  # type: ignore[no-untyped-def]
                 ) -> tuple[list[PersonRecord], list[EventRecord]]:
    rng = np.random.default_rng(seed)
    people = [PersonRecord(0, "lead", "Lead", manager=None)]
    events = [EventRecord(0, "lead", date(2020, 1, 6), Hire("eng-l5"))]
    recent = today - timedelta(days=300)
    for i in range(1, n + 1):
        handle = f"p{i:05d}"
        people.append(PersonRecord(i, handle, f"Person {i}", manager="lead"))
        role = ROLES[int(rng.integers(0, len(ROLES)))]
        events.append(EventRecord(i, handle, date(2023, 1, 9), Hire(role)))
        target = framework.next_role(role)
        wanted = sorted(target.expects.items()) if target else []
        steps = int(rng.integers(0, 7))
        on = recent
        for competency, need in wanted:
            for level in range(min(need, steps)):
                on += timedelta(days=3)
                events.append(EventRecord(i, handle, on, SkillStep(competency, level,
                                                                   level + 1)))
            steps -= min(need, steps)
        for k in range(int(rng.integers(0, 4))):
            details = (Certification(f"cert {k}") if k % 2 else Recognition("good work"))
            events.append(EventRecord(i, handle, recent + timedelta(days=10 * k + 1), details))
        rating = int(rng.choice([1, 2, 3, 4, 5], p=[0.05, 0.15, 0.45, 0.25, 0.10]))
        events.append(EventRecord(i, handle, today - timedelta(days=5),
                                  Review("2025", ReviewForm.MANAGER, rating, reviewer="lead")))
    return people, events


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    today = clock.today()
    with tempfile.TemporaryDirectory() as tmp:
        trellis = open_trellis(Settings(database_url=f"sqlite:///{Path(tmp) / 'org.db'}",
                                        author="bench"), create=True)
        framework, document = parse_framework(framework_text(), "software-company+target")
        load_framework(trellis.uow(), framework, document, author="bench", activate=True)
        start = time.perf_counter()
        people, events = organization(args.people, today, framework)
        import_ledger(trellis.uow(), people, events, author="bench")
        reviews.open_cycle(trellis.uow(), "2025", date(2025, 1, 1), today, author="bench")
        session, members = calibration_sessions.open_session(
            trellis.uow(), "2025", team="lead", author="bench")
        built = time.perf_counter() - start
        assert members == args.people, members

        def floor() -> int:
            with trellis.uow().reading() as uow:
                ids = uow.calibrations.members(session.id)
                rows = uow.state.rows(None, ["person_id", "role", "profile"])
            wanted = set(ids)
            return len([orjson.loads(r["profile"]) for r in rows if r["person_id"] in wanted])

        calibration_sessions.view(trellis.uow(), session.name)  # warm: imports, caches
        times = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            view = calibration_sessions.view(trellis.uow(), session.name)
            times.append(time.perf_counter() - begin)
        floors = []
        for _ in range(args.repeat):
            begin = time.perf_counter()
            floor()
            floors.append(time.perf_counter() - begin)
        trellis.close()
    seconds, floor_seconds = statistics.median(times), statistics.median(floors)
    print(f"{len(people):,} people, {len(events):,} events imported and a session opened "
          f"in {built:.1f} s")
    print(f"session '{session.name}': {view.rated:,} rated; distribution "
          + ", ".join(f"{d.rating}: {d.count} (target {d.target_count}, {d.difference:+d})"
                      for d in view.distribution if d.difference is not None))
    print(f"calibration view of {members:,} people: {seconds:.3f} s (median of "
          f"{args.repeat}: {', '.join(f'{t:.3f}' for t in times)}; floor {floor_seconds:.3f} s"
          f", x{seconds / floor_seconds:.1f}; target < 2 s -> "
          f"{'met' if seconds < 2 else 'NOT met'})")
    if seconds >= 2:
        sys.exit(1)


if __name__ == "__main__":
    main()
