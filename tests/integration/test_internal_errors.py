"""A bug's database error is reported by its type and first line: never the SQL, its
parameters or the failing row, which hold a whole event, pay included."""

from __future__ import annotations

import os
import subprocess
import sys

import importing
import pytest
from fastapi.testclient import TestClient

from conftest import make_trellis
from trellis.domain.access import Role
from trellis.entrypoints.web.app import create_app
from trellis.services import accounts
from trellis.settings import Settings

PAY = "98765"
REFUSE_HIRES = {  # a stand-in for any unexpected database error, raised on the hire's insert
    "sqlite": ["CREATE TRIGGER refuse_hires BEFORE INSERT ON events WHEN NEW.kind = 'hire' "
               "BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"],
    "postgresql": ["CREATE FUNCTION refuse_hires() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'refused by a test trigger'; END $$",
                   "CREATE TRIGGER refuse_hires BEFORE INSERT ON events FOR EACH ROW "
                   "WHEN (NEW.kind = 'hire') EXECUTE FUNCTION refuse_hires()"],
}


@pytest.fixture
def broken(database_url: str) -> str:
    """A database that refuses every hire with an error Trellis does not expect."""
    trellis = make_trellis(database_url)
    accounts.create_user(trellis.uow(), "hr@x.org", "correct horse battery", Role.HR_ADMIN,
                         author="t")
    with trellis.engine.begin() as connection:
        for statement in REFUSE_HIRES[trellis.engine.dialect.name]:
            connection.exec_driver_sql(statement)
    trellis.close()
    return database_url


def test_the_cli_names_the_error_without_the_row(broken):
    env = {k: v for k, v in os.environ.items() if k != "TRELLIS_DEBUG"}
    result = subprocess.run(  # a process of its own: it leaves no connection open here
        [sys.executable, "-m", "trellis.entrypoints.cli.app", "--db", broken, "person",
         "add", "ada", "--name", "Ada", "--role", "eng1", "--hired", "2021-01-04",
         "--pay", PAY], capture_output=True, text=True, env={
             **env, "PYTHONPATH": importing.SOURCE, "COLUMNS": "200"}, check=False)
    assert result.returncode == 70, result.stderr
    assert result.stderr.startswith("internal error: ")
    assert "refused by a test trigger" in result.stderr  # the database's own first line
    for leak in (PAY, "INSERT", "parameters", "Failing row"):
        assert leak not in result.stderr


def test_the_api_answers_500_naming_only_the_type(broken):
    app = create_app(Settings(database_url=broken, author="t"))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/api/session", json={"email": "hr@x.org",
                                               "password": "correct horse battery"})
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        r = client.post("/api/people", json={"handle": "ada", "name": "Ada", "role": "eng1",
                                             "hired_on": "2021-01-04", "pay": int(PAY)})
    app.state.trellis.close()
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"].startswith("internal error (")
    for leak in (PAY, "INSERT", "parameters", "refused by a test trigger"):
        assert leak not in r.text


def test_even_a_traceback_holds_no_parameters(broken):
    """TRELLIS_DEBUG=1 shows the traceback, and server logs keep them: the engine hides
    every statement's parameters from exception messages and logs alike."""
    result = subprocess.run(
        [sys.executable, "-m", "trellis.entrypoints.cli.app", "--db", broken, "person",
         "add", "ada", "--name", "Ada", "--role", "eng1", "--hired", "2021-01-04",
         "--pay", PAY], capture_output=True, text=True, env={
             **os.environ, "TRELLIS_DEBUG": "1", "PYTHONPATH": importing.SOURCE},
        check=False)
    assert "refused by a test trigger" in result.stderr and "Traceback" in result.stderr
    assert PAY not in result.stderr
