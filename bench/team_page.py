"""The Team and Organization pages for an HR admin on a large demo organization.

    .venv/bin/python bench/team_page.py [--people 5000] [--repeat 3] [--db FILE]

Builds the demo organization (as `trellis demo`, with its accounts) in a temporary SQLite
database, or opens ``--db`` (a database `trellis demo` made), then times whole requests of
the signed-in HR admin through the app (FastAPI's test client; no network): the team list
by name (readiness assessed for the page only), sorted by readiness the first time (every
active person assessed) and again (the worker's memo), filtered to the ready, page 20 of a
search, the organization overview, the people directory (page 1, and a search), and the
alerts page (fragmentation and recognition alerts of everyone): the first time (with no
alert facts stored, as after an upgrade: every active person's history read, and their
facts stored), the first request of each of the next days (the worker's memo forgets a
day's answers: each person's stored facts, the day put to them), again the same day (the
worker's memo), page 2 of a filtered list; and both memos after one new recognition (only
that person read again; not with ``--db``, which is left as it was but for the alert facts
the page stores). Prints the median of ``--repeat`` runs of each, and the CPU time of this
process beside it (the machine may be shared: wall time then counts the neighbours).
Floor, measured in the same run: one query of every person's current state without the
profile, and the same with the profile parsed (what any whole-organization readiness read
costs at least).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from unittest import mock

import orjson
from argon2 import PasswordHasher

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.adapters.tables import alert_facts
from trellis.bootstrap import open_trellis
from trellis.domain.access import Role
from trellis.errors import Conflict
from trellis.services import accounts, clock
from trellis.services.demo import run_demo
from trellis.services.recognition import recognize
from trellis.settings import Settings


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, list[float], float]:
    """The median wall time of ``repeat`` runs, each run's, and the median CPU time."""
    times, cpu = [], []
    for _ in range(repeat):
        start, started = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started)
    return statistics.median(times), times, statistics.median(cpu)


def build(path: Path, people: int) -> str:
    url = f"sqlite:///{path}"
    trellis = open_trellis(Settings(database_url=url), create=True)
    found = shipped_framework_path("software-company")
    assert found is not None
    framework, document = read_framework_file(found)
    summary = run_demo(trellis.uow, framework=framework, document=document, people=people,
                       years=5, seed=7, author="bench", today=clock.today())
    accounts.create_demo_accounts(trellis.uow(), summary.manager, author="bench")
    trellis.close()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, help="a database `trellis demo` made")
    args = parser.parse_args()
    accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        url = f"sqlite:///{args.db}" if args.db else build(Path(tmp) / "org.db", args.people)
        built = time.perf_counter() - start
        if args.db:  # the demo's accounts were hashed with the default costs: a new one
            with_cheap = open_trellis(Settings(database_url=url))
            with contextlib.suppress(Conflict):  # made by an earlier run
                accounts.create_user(with_cheap.uow(), "bench@bench.trellis", "bench-password",
                                     Role.HR_ADMIN, author="bench")
            with_cheap.close()
            email, password = "bench@bench.trellis", "bench-password"
        else:
            email, password = "hr@demo.trellis", accounts.DEMO_PASSWORD
        report(url, email, password, args.repeat, built if not args.db else None,
               write=not args.db)


def report(url: str, email: str, password: str, repeat: int, built: float | None, *,
           write: bool = False) -> None:
    from fastapi.testclient import TestClient

    from trellis.entrypoints.web.app import create_app

    app = create_app(Settings(database_url=url, author="bench"))
    trellis = app.state.trellis
    with trellis.uow() as uow:
        states = uow.state.rows(None, ("person_id", "departed_on"))
    active = sum(1 for s in states if s["departed_on"] is None)
    print(f"organization: {len(states):,} people, {active:,} active"
          + (f" (built in {built:.1f} s)" if built is not None else ""))

    def floor_state() -> int:
        with trellis.uow() as uow:
            return len(uow.state.rows(None, ("person_id", "role", "track", "level",
                                             "role_since", "last_recognition_on")))

    def floor_profiles() -> int:
        with trellis.uow() as uow:
            return len([orjson.loads(r["profile"]) for r in uow.state.rows(
                None, ("person_id", "profile"))])

    with TestClient(app) as client:
        signed = client.post("/api/session", json={"email": email, "password": password})
        assert signed.status_code == 200, signed.text

        def get(path: str) -> Callable[[], object]:
            def run() -> object:
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return response
            return run

        def first(path: str) -> str:
            start, started = time.perf_counter(), time.process_time()
            get(path)()
            return (f"{time.perf_counter() - start:.3f} s; "
                    f"CPU {time.process_time() - started:.3f} s")

        get("/team")()  # warm: imports, templates, statement caches
        cold = first("/team?sort=readiness")
        if write:  # as after an upgrade: no alert facts stored yet
            with trellis.engine.begin() as connection:
                connection.execute(alert_facts.delete())
        alerts_cold = first("/team/alerts")
        later = [0]
        real_today = clock.today

        def next_day() -> object:  # the memo's answers were for another day
            later[0] += 1
            with mock.patch.object(clock, "today",
                                   lambda: real_today() + timedelta(days=later[0])):
                return get("/team/alerts")()

        day_median, day_runs, day_cpu = timed(next_day, repeat)
        get("/team/alerts")()  # today's answers in the memo again
        rows = [("team list by name (page 1 of 50)", get("/team")),
                ("sorted by readiness, assessed before (memo)", get("/team?sort=readiness")),
                ("only the ready", get("/team?band=ready")),
                ("search 'a', page 20", get("/team?q=a&page=20")),
                ("organization overview", get("/org")),
                ("people directory, page 1", get("/people")),
                ("people directory, search 'an', page 3", get("/people?q=an&page=3")),
                ("team alerts (fragmentation and recognition), memo",
                 get("/team/alerts")),
                ("team alerts, only chronic, page 2 of it",
                 get("/team/alerts?severity=chronic&rpage=2"))]
        print(f"  sorted by readiness, first time (every active person assessed): {cold}")
        print(f"  team alerts, first time (no facts stored: every active person's history "
              f"read): {alerts_cold}")
        print(f"  team alerts, first request of a new day (stored facts): median "
              f"{day_median:.3f} s of {repeat} ({', '.join(f'{t:.3f}' for t in day_runs)}); "
              f"CPU {day_cpu:.3f} s")
        for label, fn in rows:
            median, runs, cpu = timed(fn, repeat)
            print(f"  {label}: median {median:.3f} s of {repeat} "
                  f"({', '.join(f'{t:.3f}' for t in runs)}); CPU {cpu:.3f} s")
        if write:  # one person's history moves: the memos forget only them
            with trellis.uow() as uow:
                someone = uow.people.get(next(s["person_id"] for s in states
                                              if s["departed_on"] is None))
            assert someone is not None
            recognize(trellis.uow(), someone.handle, "bench", author="bench")
            print(f"  after one new recognition: team alerts {first('/team/alerts')}; "
                  f"sorted by readiness {first('/team?sort=readiness')}")
    state_floor, _, _ = timed(floor_state, repeat)
    profile_floor, _, _ = timed(floor_profiles, repeat)
    print(f"  floor: read every current-state row {state_floor:.3f} s; with every profile "
          f"parsed {profile_floor:.3f} s")
    trellis.close()


if __name__ == "__main__":
    main()
