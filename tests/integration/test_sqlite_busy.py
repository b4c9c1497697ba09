"""SQLite has one writer: how long the others wait for it, and what they are told.

A writer waits for an ordinary writer up to BUSY_SECONDS; behind an import, as long as its
context allows (a moment on the web, minutes for the CLI). It is then told which it was,
in one line (``Busy``), never SQLite's "database is locked".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest

from trellis.adapters import sqlite_writers
from trellis.adapters.sqlite_writers import import_running, waiting_behind_imports
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind
from trellis.entrypoints.cli import app as cli_app
from trellis.errors import Busy
from trellis.services import ledger, people


@pytest.fixture
def db(sqlite_trellis: Trellis) -> Trellis:
    people.add_person(sqlite_trellis.uow(), "ada", "Ada", role="eng1",
                      hired_on=date(2021, 1, 4), author="t")
    return sqlite_trellis


def check_in(trellis: Trellis) -> int:
    return ledger.record_event(trellis.uow(), "ada", EventKind.CHECK_IN, date(2022, 1, 3),
                               {"engagement": 3}, author="t").id


@contextmanager
def holding(trellis: Trellis, *, importing: bool) -> Iterator[threading.Event]:
    """Hold the write lock (as an import, or as an ordinary writer) in another thread until
    the yielded event is set."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        uow = trellis.uow()
        with uow.importing() if importing else uow:
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    held.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join()


def test_a_writer_behind_an_import_is_told_an_import_is_running(db):
    path = db.engine.url.database or ""
    assert import_running(path) is None
    with holding(db, importing=True):
        assert import_running(path) is not None
        with pytest.raises(Busy, match=r"^an import is running since \d\d:\d\d UTC; try "
                                       "again shortly$"):
            check_in(db)
    assert import_running(path) is None  # the mark goes with the import
    assert check_in(db) > 0


def test_a_patient_writer_waits_for_the_import_and_lands(db):
    heard: list[str] = []
    with holding(db, importing=True) as release:
        threading.Timer(1.5, release.set).start()
        with waiting_behind_imports(60, notice=heard.append):
            event_id = check_in(db)
    assert event_id > 0
    assert len(heard) == 1
    assert heard[0].startswith("an import is running since ")
    assert heard[0].endswith(": waiting for it to finish (at most 60 s)")


def test_a_second_import_waits_behind_the_first_as_a_writer(db):
    with holding(db, importing=True), pytest.raises(Busy, match="an import is running"), \
            db.uow().importing():
        pass


def test_a_writer_behind_a_long_ordinary_writer_is_told_the_database_is_busy(
        db, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "BUSY_SECONDS", 0.3)
    with holding(db, importing=False), pytest.raises(Busy) as refused:
        check_in(db)
    assert str(refused.value) == ("the database is busy: another writer has held it for "
                                  "over 0.3 s; try again shortly")
    assert "locked" not in str(refused.value)


def test_the_cli_waits_then_says_so_with_exit_code_75(db, cli, monkeypatch):
    monkeypatch.setattr(cli_app, "IMPORT_WAIT_SECONDS", 0.5)
    with holding(db, importing=True):
        result = cli("--db", db.engine.url.database, "log", "check_in", "ada",
                     "--engagement", "3")
    assert result.code == 75
    assert result.err.startswith("waiting: an import is running since ")
    assert "error: an import is running since " in result.err
    assert "locked" not in result.err
