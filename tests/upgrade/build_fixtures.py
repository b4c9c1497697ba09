"""Build the upgrade fixtures: one small database per schema an earlier Trellis released.

For each commit in HISTORY, this checks the code of that commit out of git into a
temporary folder, runs one scenario with *that* code (people, every event kind, a
retraction, a departure, and plans, check-ins, accounts, a session and an API token where
the commit had them) against a fresh SQLite file and a fresh PostgreSQL schema, and dumps
both as SQL text into tests/fixtures/upgrade/. tests/integration/test_upgrade.py loads
each dump, opens it with today's code and uses it.

Run it when a release changes the schema or anything stored (then add its commit here):

    TRELLIS_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python tests/upgrade/build_fixtures.py [COMMIT ...]

With commits named, only their fixtures are (re)built; the others are left as they are.

It needs git history, pg_dump and a PostgreSQL server; the tests need none of them.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "upgrade"

# Each commit whose schema (or stored documents) differ from the one before it, oldest
# first, with what sets it apart.
HISTORY = [
    ("32f5f06", "0001 as first released: no profile_checkpoints; recognitions kept as a list"),
    ("9b08224", "0001 with profile_checkpoints; the recognition summary"),
    ("822c07d", "level rules, band levels in the profile"),
    ("87dd358", "0002 plans and 0003 accounts as first released: users.failed_logins"),
    ("2c83035", "the web service's accounts, sessions and tokens in use"),
    ("c837b50", "0003 without users.failed_logins / locked_until"),
    ("b7a1ff5", "the last release before 0004"),
    ("726c5cd", "0005 review cycles as first released: cycles, participants, nominations"),
    ("534e96e", "0006-0010 as first released: cases, compensation and calibration, "
                "self-reported events, person attributes"),
    ("cefb1c6", "0011 disabled accounts and 0012 organization models as first released"),
    ("7322de1", "0013 forced password change and 0014 parsed frameworks as first released"),
    ("76d6fad", "0015 withdrawn raises and the upward reviews' minimum as first released"),
    ("c1c9f76", "0016 each person's alert facts as first released"),
]
SCHEMA = "upgrade_fixture"
PASSWORD = "correct horse battery"

SCENARIO: list[tuple[bool, list[str]]] = [  # (required, arguments)
    (True, ["person", "add", "boss", "--name", "Bo Boss", "--role", "eng3", "--hired",
            "2019-01-01", "--pay", "90000", "--email", "bo@x.org"]),
    (True, ["person", "add", "mgr", "--name", "Meg Manager", "--role", "eng2", "--hired",
            "2020-01-01", "--pay", "60000", "--manager", "boss", "--email", "meg@x.org"]),
    (True, ["person", "add", "emp", "--name", "Em Ployee", "--role", "eng1", "--hired",
            "2021-01-01", "--pay", "45000", "--manager", "mgr", "--email", "em@x.org"]),
    (True, ["person", "add", "gone", "--name", "Go Ne", "--role", "des1", "--hired",
            "2020-06-01", "--manager", "boss"]),
    (True, ["log", "skill_step", "emp", "--competency", "coding", "--from", "0", "--to", "1",
            "--on", "2021-03-01", "--evidence", "https://example.org/pr/1"]),
    (True, ["log", "skill_step", "emp", "--competency", "coding", "--from", "1", "--to", "2",
            "--on", "2021-09-01"]),
    (True, ["log", "skill_step", "emp", "--competency", "communication", "--from", "0",
            "--to", "1", "--on", "2021-10-01"]),
    (True, ["log", "certification", "emp", "--certification", "AWS SA", "--issuer", "AWS",
            "--on", "2021-05-01"]),
    (True, ["log", "recognition", "emp", "--for", "Great launch", "--giver", "mgr",
            "--points", "10", "--on", "2021-06-01"]),
    (True, ["log", "compensation", "emp", "--percent", "3", "--on", "2022-01-01"]),
    (True, ["log", "responsibility", "emp", "--function", "design", "--share", "0.2",
            "--on", "2022-02-01"]),
    (True, ["log", "project_leadership", "emp", "--project", "Apollo", "--team-size", "4",
            "--on", "2022-03-01"]),
    (True, ["log", "check_in", "emp", "--engagement", "4", "--notes", "going well",
            "--on", "2022-04-01"]),
    (True, ["log", "promotion", "emp", "--role", "eng2", "--pay", "55000", "--on",
            "2022-06-01"]),
    (True, ["log", "skill_step", "mgr", "--competency", "mentoring", "--from", "0", "--to",
            "1", "--on", "2021-02-01"]),
    (True, ["retract", "{last}", "--reason", "logged for the wrong person"]),
    (True, ["log", "departure", "gone", "--on", "2022-12-31"]),
    (False, ["plan", "new", "mgr", "--target", "eng3"]),
    (False, ["plan", "mgr", "--target", "eng3"]),  # before `plan new` existed
    (False, ["checkin", "mgr", "--notes", "first quarter", "--on", "2026-11-01"]),
    (False, ["recognize", "boss", "--for", "Steady hand", "--from", "mgr", "--on",
             "2023-01-10"]),
    (False, ["review", "cycle", "open", "2022 review", "--start", "2022-01-01", "--end",
             "2022-12-31", "--due-self", "2023-01-15"]),
    (False, ["review", "nominate", "2022 review", "emp", "--peer", "boss", "--anonymous"]),
    (False, ["review", "submit", "2022 review", "emp", "--as", "self", "--rating", "4",
             "--rate", "coding=2", "--goal", "ship the API=met:98.5", "--comment",
             "a good year"]),
    (False, ["review", "submit", "2022 review", "emp", "--as", "manager", "--rating", "3"]),
    (False, ["review", "submit", "2022 review", "emp", "--as", "peer", "--by", "boss",
             "--rating", "4"]),
    (False, ["review", "cycle", "close", "2022 review"]),
    (False, ["admin", "create", "hr@x.org", "--person", "boss", "--password-stdin"]),
    (False, ["admin", "create", "em@x.org", "--person", "emp", "--role", "employee",
             "--password-stdin"]),
    (False, ["calibrate", "open", "2022 review", "--team", "boss", "--name", "2022 panel"]),
    (False, ["calibrate", "change", "2022 panel", "emp", "--rating", "4", "--reason",
             "in line with peers"]),
    (False, ["calibrate", "close", "2022 panel"]),
    (False, ["case", "open", "emp", "--to", "eng3", "--justification", "leads the API",
             "--by", "mgr", "--on", "2023-06-01"]),
    (False, ["case", "comment", "1", "agreed", "--by", "boss"]),
    (False, ["case", "approve", "1", "--by", "boss", "--override", "fixture"]),
    (False, ["comp", "cycle", "open", "2023 merit", "--effective", "2023-04-01",
             "--budget-percent", "3"]),
    (False, ["comp", "propose", "2023 merit", "emp", "--by", "mgr", "--percent", "2"]),
    (False, ["comp", "raise", "mgr", "--reason", "market", "--by", "boss", "--percent", "4"]),
    (False, ["person", "attribute", "set", "emp", "gender", "F"]),
]

# With the commit's own services: a session and an API token for the employee's account.
SESSION_AND_TOKEN = """
import sys
from argon2 import PasswordHasher
from trellis.bootstrap import open_trellis
from trellis.settings import Settings
from trellis.services import accounts
trellis = open_trellis(Settings(database_url=sys.argv[1], author="fixture"))
found = accounts.login(trellis.uow(), "em@x.org", sys.argv[2])
accounts.create_token(trellis.uow(), found.user, "a script")
"""


def main() -> None:
    base = os.environ.get("TRELLIS_TEST_POSTGRES_URL")
    if not base:
        sys.exit("set TRELLIS_TEST_POSTGRES_URL to a PostgreSQL server to build the fixtures")
    OUT.mkdir(parents=True, exist_ok=True)
    only = set(sys.argv[1:])
    unknown = only - {commit for commit, _ in HISTORY}
    if unknown:
        sys.exit(f"not in HISTORY: {', '.join(sorted(unknown))}")
    for number, (commit, what) in enumerate(HISTORY, start=1):
        if only and commit not in only:
            continue
        with tempfile.TemporaryDirectory() as work:
            source = checkout(commit, Path(work))
            stem = f"{number:02d}-{commit}"
            db = Path(work) / "fixture.db"
            ran = run_scenario(source, f"sqlite:///{db}")
            (OUT / f"{stem}.sqlite.sql").write_text(header(commit, what, ran) + dump_sqlite(db))
            url = fresh_schema(base)
            ran_pg = run_scenario(source, url)
            assert ran_pg == ran, (commit, ran, ran_pg)
            (OUT / f"{stem}.postgresql.sql").write_text(
                header(commit, what, ran) + dump_postgres(base))
            print(f"{stem}: {what} ({len(ran)} steps)")


def checkout(commit: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", commit, "src", "tests/fixtures/tiny.yaml"],
                             cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def run_scenario(source: Path, url: str) -> list[str]:
    """Run the scenario with the code in ``source``; returns the steps that ran."""
    env = {**os.environ, "PYTHONPATH": str(source / "src"), "TRELLIS_AUTHOR": "fixture",
           "COLUMNS": "200"}

    def trellis(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from trellis.entrypoints.cli.app import main; main()",
             "--db", url, *args], env=env, input=stdin, capture_output=True, text=True)

    init = trellis(["init", "--framework", str(source / "tests/fixtures/tiny.yaml")])
    if init.returncode:
        raise SystemExit(f"init failed: {init.stdout}{init.stderr}")
    ran, last = ["init"], ""
    for required, args in SCENARIO:
        args = [a.replace("{last}", last) for a in args]
        if args[0] == "plan" and any(step.startswith("plan") for step in ran):
            continue
        done = trellis(args, PASSWORD + "\n" if "--password-stdin" in args else None)
        if done.returncode:
            if required:
                raise SystemExit(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")
            continue
        ran.append(" ".join(args[:3]))
        found = re.search(r"\(event (\d+)\)", done.stdout)
        last = found.group(1) if found else last
    if any(step.startswith("admin create em@") for step in ran):
        made = subprocess.run([sys.executable, "-c", SESSION_AND_TOKEN, url, PASSWORD],
                              env=env, capture_output=True, text=True)
        if made.returncode == 0:
            ran.append("session and token")
    return ran


def header(commit: str, what: str, ran: list[str]) -> str:
    steps = "\n".join(f"--   {step}" for step in ran)
    return (f"-- Trellis upgrade fixture, made with the code of commit {commit}: {what}.\n"
            f"-- Built by tests/upgrade/build_fixtures.py; the scenario's steps:\n{steps}\n")


def dump_sqlite(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return "\n".join(connection.iterdump()) + "\n"
    finally:
        connection.close()


def fresh_schema(base: str) -> str:
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{SCHEMA}"


def dump_postgres(base: str) -> str:
    """The schema as plain INSERTs, its name taken out so it loads into any search_path."""
    url = make_url(base)
    dump = subprocess.run(
        ["pg_dump", "--schema", SCHEMA, "--no-owner", "--no-privileges", "--inserts",
         "--no-comments", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
         "-U", url.username or "postgres", url.database or "postgres"],
        check=True, capture_output=True, text=True).stdout
    kept = []
    for line in dump.splitlines():
        if line.startswith(("SET ", "SELECT pg_catalog.set_config", "CREATE SCHEMA", "--", "\\")) \
                or not line.strip():
            continue
        kept.append(line.replace(f"{SCHEMA}.", ""))
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{SCHEMA}" CASCADE'))
    engine.dispose()
    return "\n".join(kept) + "\n"


if __name__ == "__main__":
    main()
