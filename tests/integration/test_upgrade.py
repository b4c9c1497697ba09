"""Databases made by every earlier release upgrade to today's schema and keep working.

Each fixture in tests/fixtures/upgrade/ is a database that the code of one earlier commit
built (tests/upgrade/build_fixtures.py made them, with that commit's own code): people,
every kind of event, a retraction, a departure, and where the commit had them a plan, a
check-in, web accounts, a session and an API token. Each is opened with today's code, the
way a user would meet it (``trellis init`` or just the next command), then used.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from conftest import POSTGRES_URL
from trellis.adapters import database
from trellis.adapters.database import temporary_schema
from trellis.adapters.tables import metadata
from trellis.bootstrap import open_trellis
from trellis.services import accounts, alert_facts, projections
from trellis.services.team_alerts import team_alerts
from trellis.settings import Settings

FIXTURES = Path(__file__).parents[1] / "fixtures" / "upgrade"
COMMITS = sorted({p.name.split(".")[0] for p in FIXTURES.glob("*.sql")})
PASSWORD = "correct horse battery"  # the fixtures' accounts
accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def test_every_release_has_a_fixture_on_both_engines():
    assert len(COMMITS) >= 7
    for stem in COMMITS:
        assert (FIXTURES / f"{stem}.sqlite.sql").exists()
        assert (FIXTURES / f"{stem}.postgresql.sql").exists()


def test_head_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(database.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == database.HEAD


def load(stem: str, engine_name: str, tmp_path: Path) -> Iterator[str]:
    """A database holding one fixture, as a URL."""
    sql = (FIXTURES / f"{stem}.{engine_name}.sql").read_text()
    if engine_name == "sqlite":
        path = tmp_path / "old.db"
        connection = sqlite3.connect(path)
        connection.executescript(sql)
        connection.close()
        yield f"sqlite:///{path}"
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    with temporary_schema(POSTGRES_URL, "trellis_upgrade") as url:
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.exec_driver_sql(sql)
        engine.dispose()
        yield url


def stored_projection_format(stem: str) -> str | None:
    """The projection format the fixture's commit stored (None: before it was recorded)."""
    found = re.search(r"'projection_format','(\w+)'",
                      (FIXTURES / f"{stem}.sqlite.sql").read_text())
    return found.group(1) if found else None


def fixture_revision(stem: str) -> str:
    """The schema revision the fixture's commit left (its alembic_version row)."""
    found = re.search(r"INSERT INTO \"alembic_version\" VALUES\('(\w+)'\)",
                      (FIXTURES / f"{stem}.sqlite.sql").read_text())
    assert found, stem
    return found.group(1)


def steps_of(stem: str) -> str:
    """The scenario steps the fixture's header lists (what its commit could do)."""
    return (FIXTURES / f"{stem}.sqlite.sql").read_text().split("BEGIN TRANSACTION", 1)[0]


WAYS_IN = [("sqlite", "init"), ("sqlite", "next command"),
           pytest.param("postgresql", "next command", marks=pytest.mark.postgres)]


@pytest.mark.parametrize(("engine_name", "start"), WAYS_IN)
@pytest.mark.parametrize("stem", COMMITS)
def test_an_old_database_upgrades_and_works(stem, engine_name, start, tmp_path, cli):
    for url in load(stem, engine_name, tmp_path):
        db = ["--db", url]
        # The first command upgrades the schema and rebuilds the stored profiles, and says so.
        if start == "init":
            done = cli(*db, "init")
            assert done.code == 0, done.err
            note = done.err
        done = cli(*db, "profile", "emp", "--json")
        assert done.code == 0, done.err
        if start == "next command":
            note = done.err
        if fixture_revision(stem) < database.HEAD:
            assert note.startswith("note: upgraded the database schema from 0"), note
        else:  # the newest release: nothing to upgrade, nothing said
            assert "upgraded" not in note, note
        # stored profiles are folded again only when their format is not today's
        rebuilt = stored_projection_format(stem) != projections.PROJECTION_FORMAT
        assert ("rebuilt 4 stored profile(s) from the ledger" in note) == rebuilt, note
        emp = json.loads(done.out)
        assert emp["role"]["id"] == "eng2" and emp["pay"]["base"] == 55000
        assert emp["competencies"]["coding"]["mastery"] == 2
        assert emp["recognitions"]["count"] == 1
        assert emp["promotions"]["count"] == 1

        engine = database.make_engine(url)
        try:
            assert database.revision(engine) == database.HEAD
            with engine.connect() as connection:
                assert compare_metadata(MigrationContext.configure(connection), metadata) == []
                stored = connection.execute(text(
                    "SELECT value FROM trellis_meta WHERE key = 'projection_format'")).scalar()
                assert stored == projections.PROJECTION_FORMAT
                assert connection.execute(text("SELECT count(*) FROM person_state")
                                          ).scalar() == 4
        finally:
            engine.dispose()

        # The retracted step stays out; the departure stays in.
        mgr = json.loads(cli(*db, "profile", "mgr", "--json").out)
        assert "mentoring" not in mgr["competencies"]
        gone = json.loads(cli(*db, "profile", "gone", "--json").out)
        assert gone["departed_on"] == "2022-12-31" and gone["active"] is False

        # Used as today's code uses any database: reads, writes, accounts.
        for args in (["timeline", "emp"], ["readiness", "emp"], ["pipeline"],
                     ["profile", "emp", "--at", "2021-12-31"], ["layers", "emp"]):
            done = cli(*db, *args)
            assert done.code == 0, (args, done.err)
        done = cli(*db, "log", "skill_step", "emp", "--competency", "mentoring", "--from",
                   "0", "--to", "1")
        assert done.code == 0, done.err
        emp = json.loads(cli(*db, "profile", "emp", "--json").out)
        assert emp["competencies"]["mentoring"]["mastery"] == 1
        done = cli(*db, "admin", "create", "new@x.org", "--role", "employee", "--person",
                   "mgr", "--password-stdin", input=PASSWORD + "\n")
        assert done.code == 0, done.err
        # 0016: no alert facts stored yet; the team alerts read and store them, then read
        # them back with the same answer
        trellis = open_trellis(Settings(database_url=url, author="t"))
        try:
            first = team_alerts(trellis.uow())
            assert alert_facts.refresh(trellis.uow()).read_again == 0
            again = team_alerts(trellis.uow())
            assert first.fragmentation.assessed == 3
            assert ([x.cadence for x in first.recognition.lines]
                    == [x.cadence for x in again.recognition.lines])
        finally:
            trellis.close()

        steps = steps_of(stem)
        if "plan " in steps:
            done = cli(*db, "plan", "show", "mgr", "--json")
            assert done.code == 0, done.err
        if "review submit" in steps:  # the reviews and the anonymous peer survive
            cycle = json.loads(cli(*db, "review", "show", "emp", "--json").out
                               )["cycles"]["2022 review"]
            assert [r["rating"] for r in cycle["self"]] == [4]
            assert cycle["self"][0]["ratings"] == {"coding": {"rating": 2}}
            assert [r["rating"] for r in cycle["manager"]] == [3]
            assert [r["rating"] for r in cycle["peer"]] == [4]
            done = cli(*db, "review", "progress", "2022 review", "--json")
            assert done.code == 0, done.err
            # 0015: an older cycle shows upward feedback from the default minimum
            [old] = [c for c in json.loads(cli(*db, "review", "cycle", "list", "--json").out)
                     if c["name"] == "2022 review"]
            assert old["upward_minimum"] == 3
        if "calibrate change" in steps:  # the calibrated rating survives, with its reason
            done = cli(*db, "calibrate", "show", "2022 panel", "--json")
            assert done.code == 0, done.err
            assert "in line with peers" in cli(*db, "timeline", "emp").out
        if "case open" in steps:
            shown = cli(*db, "case", "show", "1")
            assert shown.code == 0, shown.err
            assert "leads the API" in shown.out and "agreed" in shown.out
        if "comp propose" in steps:
            done = cli(*db, "comp", "show", "2023 merit")
            assert done.code == 0, done.err
            # 0015: an older proposal is not withdrawn; an approved one can be
            shown = json.loads(cli(*db, "comp", "show", "2023 merit", "--json").out)
            assert shown["withdrawn"] == []
            assert all(p["proposal"] is None or p["proposal"]["withdrawal"] is None
                       for p in shown["people"])
        if "person attribute" in steps:
            listed = cli(*db, "person", "attribute", "list")
            assert listed.code == 0 and "gender" in listed.out, listed.err
        if "session and token" in steps:
            trellis = open_trellis(Settings(database_url=url, author="t"))
            try:
                signed = accounts.login(trellis.uow(), "em@x.org", PASSWORD)
                assert signed.user.person_id
                assert signed.must_change_password is False  # an old account keeps its own
                [token] = accounts.list_tokens(trellis.uow(),
                                               accounts.login(trellis.uow(), "em@x.org",
                                                              PASSWORD).user)
                assert token["name"] == "a script"
            finally:
                trellis.close()


def test_projections_rebuild_once(tmp_path, monkeypatch):
    [url] = list(load(COMMITS[0], "sqlite", tmp_path))
    calls = []
    real = projections._rebuild
    monkeypatch.setattr(projections, "_rebuild", lambda uow: calls.append(1) or real(uow))
    for _ in range(3):
        open_trellis(Settings(database_url=url, author="t")).close()
    assert calls == [1]


def test_a_database_from_a_newer_trellis_is_refused(tmp_path, cli):
    [url] = list(load(COMMITS[-1], "sqlite", tmp_path))
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    done = cli("--db", url, "profile", "emp")
    assert done.code == 1
    assert "upgraded by a newer Trellis" in done.err and "\n" not in done.err.strip()


def test_a_stored_profile_that_cannot_be_read_is_folded_again(tmp_path, cli):
    [url] = list(load(COMMITS[-1], "sqlite", tmp_path))
    assert cli("--db", url, "init").code == 0
    expected = json.loads(cli("--db", url, "profile", "emp", "--json").out)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE person_state SET profile = '{\"recognitions\": []}'"))
    engine.dispose()
    done = cli("--db", url, "profile", "emp", "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out) == expected
