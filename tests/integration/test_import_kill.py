"""An import killed (SIGKILL) at any point leaves all of its rows or none of them, and a
database that goes on working: a write and a profile read succeed, and on SQLite the file
the dead import marked itself running with blocks no one (the OS let go of its lock)."""

from __future__ import annotations

import random
import signal
import time
from datetime import date
from pathlib import Path

import importing
import pytest
from sqlalchemy import func, select

from conftest import make_trellis
from trellis.adapters import tables as t
from trellis.adapters.sqlite_writers import import_running
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind
from trellis.domain.records import PersonRecord
from trellis.services import ledger, people, profiles, transfer

PEOPLE, EVENTS_EACH = 120, 100  # 12,000 events, and 100 more for a career already there
PHASES = ("start", "checking", "replaying", "writing", "rebuilding", "done")


def kill_points(count: int, seed: int) -> list[tuple[str, float]]:
    """(phase, seconds after its first report): ``start`` counts from the process's start."""
    rng = random.Random(seed)
    if count <= len(PHASES):
        return [(phase, round(rng.uniform(0, 0.1), 3)) for phase in PHASES[:count]]
    return [(rng.choice(PHASES), round(rng.uniform(0, 0.15), 3)) for _ in range(count)]


def counts(trellis: Trellis) -> tuple[int, ...]:
    with trellis.uow() as uow:
        return tuple(int(uow.connection.scalar(select(func.count()).select_from(table)))
                     for table in (t.people, t.events, t.person_state))


def kill_an_import(database_url: str, tmp_path: Path, phase: str, delay: float) -> None:
    trellis = make_trellis(database_url)
    people.add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=date(2000, 1, 3),
                      author="t", pay=45000)
    source = tmp_path / "ledger.jsonl"
    imported = importing.write_ledger(source, PEOPLE, EVENTS_EACH, existing="ada")
    before = counts(trellis)
    whole = (before[0] + PEOPLE, before[1] + imported, before[2] + PEOPLE)

    with importing.start(database_url, source) as process:
        if phase == "start":
            time.sleep(delay)
        else:
            importing.wait_for(process, phase)
            time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    # All or nothing, and the career the import extended agrees with its stored profile.
    assert counts(trellis) in (before, whole), (phase, delay)
    if phase == "done":  # it had committed
        assert counts(trellis) == whole
    _, history = profiles.history(trellis.uow(), "ada")
    assert len(history) in (1, 1 + EVENTS_EACH)
    stored = profiles.profile(trellis.uow(), "ada").profile
    assert stored.last_event_on == max(e.effective_on for e in history)

    # The database goes on: a write, a read, and (SQLite) a new import not held up by the
    # dead one's mark.
    if trellis.engine.dialect.name == "sqlite":
        assert import_running(trellis.engine.url.database or "") is None
    ledger.record_event(trellis.uow(), "ada", EventKind.CHECK_IN, date.today(),
                        {"engagement": 4}, author="t")
    assert profiles.profile(trellis.uow(), "ada").profile.last_event_on == date.today()
    summary = transfer.import_ledger(trellis.uow(), [PersonRecord(1, "zoe", "Zoe")], [],
                                     author="t")
    assert summary.people == 1
    trellis.close()


@pytest.mark.parametrize(("phase", "delay"), kill_points(len(PHASES), seed=10))
def test_a_killed_import_leaves_all_or_nothing(database_url, tmp_path, phase, delay):
    kill_an_import(database_url, tmp_path, phase, delay)


@pytest.mark.slow
@pytest.mark.parametrize(("phase", "delay"), kill_points(24, seed=2026))
def test_a_killed_import_leaves_all_or_nothing_anywhere(database_url, tmp_path, phase, delay):
    kill_an_import(database_url, tmp_path, phase, delay)
