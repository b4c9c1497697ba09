"""Writes while a long import runs: none is lost, none gets a 500 or "database is locked".

The import runs in a process of its own and holds still for a few seconds at two points of
its transaction (its ids reserved and its people locked; its rows inserted, not committed).
Meanwhile a web client, a service caller and a real ``trellis log`` write.

- PostgreSQL: the writes and the import interleave, and every one of them lands (none is
  given one of the ids the import reserved, or the file's own); a write to a career the
  import also extends waits for it, then replays the whole history.
- SQLite (one writer): the web client and the service caller are told, after a moment,
  that an import is running (503 with Retry-After on the web); ``trellis log`` waits for the
  import and lands, saying what it waits for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date

import importing
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from conftest import make_trellis
from trellis.adapters import store
from trellis.adapters import tables as t
from trellis.bootstrap import Trellis
from trellis.domain.access import Role
from trellis.domain.events import CheckIn, EventKind, Hire
from trellis.domain.records import EventRecord, PersonRecord
from trellis.entrypoints.web.app import create_app
from trellis.errors import Busy
from trellis.services import accounts, ledger, people, profiles, transfer
from trellis.settings import Settings

PAUSE = 3.0  # seconds, at each of two points: more than any writer waits on the web
PEOPLE, EVENTS_EACH = 200, 100  # 20,000 events (and 100 more for an existing career)
FILE_IDS = 1_000_000  # the existing career's events carry ids of their own, from here


@dataclass
class Outcomes:
    """What each writer heard, each with when it heard it."""

    landed: list[tuple[float, int]] = field(default_factory=list)  # (when, event id)
    busy: list[tuple[float, str]] = field(default_factory=list)  # (when, message)
    wrong: list[str] = field(default_factory=list)  # anything else: a failure


def write_through_the_api(client: TestClient, heard: Outcomes, stop: threading.Event) -> None:
    while not stop.is_set():
        r = client.post("/api/people/w1/events", json={"kind": "check_in",
                                                       "details": {"engagement": 3}})
        now = time.monotonic()
        if r.status_code == 201:
            heard.landed.append((now, r.json()["id"]))
        elif r.status_code == 503 and "locked" not in r.text:
            assert r.headers["content-type"] == "application/problem+json"
            assert int(r.headers["retry-after"]) > 0
            heard.busy.append((now, r.json()["detail"]))
        else:
            heard.wrong.append(f"{r.status_code} {r.text[:300]}")


def write_through_the_service(trellis: Trellis, heard: Outcomes, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            event = ledger.record_event(trellis.uow(), "w0", EventKind.CHECK_IN,
                                        date.today(), {"engagement": 4}, author="service")
            heard.landed.append((time.monotonic(), event.id))
        except Busy as exc:
            heard.busy.append((time.monotonic(), str(exc)))
        except Exception as exc:
            heard.wrong.append(f"{type(exc).__name__}: {exc}"[:300])


def trellis_log(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": importing.SOURCE, "TRELLIS_AUTHOR": "cli"}
    return subprocess.Popen([sys.executable, "-m", "trellis.entrypoints.cli.app", "--db", url,
                             "log", "check_in", "w2", "--engagement", "5"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def count_events(trellis: Trellis) -> int:
    with trellis.uow() as uow:
        return int(uow.connection.scalar(select(func.count()).select_from(t.events)))


def test_writes_during_an_import_land_or_are_told_plainly(database_url, tmp_path):
    sqlite = database_url.startswith("sqlite")
    trellis = make_trellis(database_url)
    for handle in ("w0", "w1", "w2", "boss"):
        people.add_person(trellis.uow(), handle, handle.title(), role="eng1",
                          hired_on=date(2000, 1, 3), author="t", pay=45000)
    user = accounts.create_user(trellis.uow(), "hr@x.org", "correct horse battery",
                                Role.HR_ADMIN, person="boss", author="t")
    _, token, _ = accounts.create_token(trellis.uow(), user, "writer")
    source = tmp_path / "big.jsonl"
    imported = importing.write_ledger(source, PEOPLE, EVENTS_EACH, existing="w2",
                                      first_id=FILE_IDS)
    before = count_events(trellis)

    app = create_app(Settings(database_url=database_url, author="t"))
    web, service = Outcomes(), Outcomes()
    stop = threading.Event()
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        assert client.get("/api/me").status_code == 200  # the token's first use is a write

        process = importing.start(database_url, source,
                                  {"replaying": PAUSE, "rebuilding": PAUSE})
        heard = importing.wait_for(process, "replaying")  # ids reserved, people locked
        began = time.monotonic()
        writers = [threading.Thread(target=write_through_the_api, args=(client, web, stop)),
                   threading.Thread(target=write_through_the_service,
                                    args=(trellis, service, stop))]
        for w in writers:
            w.start()
        cli = trellis_log(database_url)
        heard += importing.wait_for(process, "done")
        ended = time.monotonic()
        time.sleep(0.5)  # a few writes after the import too
        stop.set()
        for w in writers:
            w.join()
        cli_out, cli_err = cli.communicate(timeout=60)
        _, import_err = process.communicate(timeout=60)
    app.state.trellis.close()

    assert heard[-1] == f"done {PEOPLE} {imported}", (heard[-3:], import_err)
    for writer in (web, service):
        assert writer.wrong == []
        assert writer.landed, "every writer lands once the import is over"
        for _, message in writer.busy:
            assert message.startswith("an import is running since "), message
            assert "locked" not in message
    assert cli.returncode == 0, cli_err
    assert "locked" not in cli_out + cli_err
    during = [w for w in (web, service)
              if any(began < when < ended for when, _ in w.landed)]
    if sqlite:  # one writer: told plainly, or waiting (the CLI)
        assert web.busy and service.busy
        assert "an import is running since" in cli_err
    else:  # the import and the writes interleave
        assert during == [web, service]
        assert web.busy == [] and service.busy == []

    # Every acknowledged write is there, and so is the import, whole.
    ids = [i for w in (web, service) for _, i in w.landed]
    assert count_events(trellis) == before + imported + len(ids) + 1  # + trellis log
    with trellis.uow() as uow:
        assert all(uow.events.get(i) is not None for i in ids)
    # The career both the import and `trellis log` extended holds both, and its stored
    # profile was made from all of it.
    # The file's own ids were kept, and no writer was given one of them.
    _, history = profiles.history(trellis.uow(), "w2")
    assert len(history) == 1 + EVENTS_EACH + 1
    assert {e.id for e in history} >= set(range(FILE_IDS, FILE_IDS + EVENTS_EACH))
    assert not set(ids) & set(range(FILE_IDS, FILE_IDS + EVENTS_EACH))
    stored = profiles.profile(trellis.uow(), "w2").profile
    assert (stored.last_event_on, stored.engagement) == (date.today(), 5)
    trellis.close()


def test_a_files_own_ids_are_kept_and_later_writes_come_after_them(trellis):
    """An event without an id never takes one the file gives further down, and a write
    after the import is given an id above every one of the file's (the sequence moved)."""
    rows = [EventRecord(2, "zoe", date(2021, 1, 4), Hire(role="eng1")),
            EventRecord(3, "zoe", date(2021, 2, 1), CheckIn(engagement=3), id=1),
            EventRecord(4, "zoe", date(2021, 3, 1), CheckIn(engagement=4), id=500)]
    summary = transfer.import_ledger(trellis.uow(), [PersonRecord(1, "zoe", "Zoe")], rows,
                                     author="t")
    assert summary.events == 3
    _, history = profiles.history(trellis.uow(), "zoe")
    assert {e.id for e in history} == {1, 500, 501}  # the hire comes after the file's ids
    later = ledger.record_event(trellis.uow(), "zoe", EventKind.CHECK_IN, date(2022, 1, 3),
                                {"engagement": 5}, author="t")
    assert later.id == 502


def test_an_import_behind_a_transaction_holding_new_ids_is_told_the_database_is_busy(
        trellis, monkeypatch):
    """PostgreSQL: reserving ids waits for writers that took ids from the sequence; one
    that holds them for seconds gets the import a one-line Busy, not a hang."""
    if trellis.engine.dialect.name != "postgresql":
        pytest.skip("SQLite reserves ids under its one write lock")
    monkeypatch.setattr(store, "BUSY_SECONDS", 0.5)
    with trellis.uow() as holder:  # a new person's id taken, not committed
        holder.connection.exec_driver_sql("SELECT nextval(pg_get_serial_sequence('people', "
                                          "'id'))")
        with pytest.raises(Busy, match=r"^the database is busy: a writer has held new "
                                       r"people ids for over 0.5 s; try again shortly$"):
            transfer.import_ledger(trellis.uow(), [PersonRecord(1, "zoe", "Zoe")], [],
                                   author="t")
    summary = transfer.import_ledger(trellis.uow(), [PersonRecord(1, "zoe", "Zoe")], [],
                                     author="t")
    assert summary.people == 1
