"""Hostile import files, and hostile values typed at the CLI, on every configured engine.

Each one is refused with one line naming the file, the line and the field, and nothing is
written; or, for the values a ledger may hold (formula-like text, the longest evidence),
it survives an export and an import into a fresh database exactly, in CSV and JSON lines.
SQLite would store much of what PostgreSQL refuses (a NUL, text past its column): the
limits are checked before either sees a value, so both engines give the same answer.
"""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from conftest import POSTGRES_URL, make_trellis
from trellis.adapters import tables as t
from trellis.adapters.database import temporary_schema
from trellis.adapters.ledger_files import read_ledger_file, write_ledger_file
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain import limits
from trellis.domain.events import EventKind as K
from trellis.domain.events import details_to_mapping
from trellis.domain.profile_document import profile_to_document
from trellis.entrypoints.cli import context as cli_context
from trellis.errors import ImportRejected
from trellis.services import transfer
from trellis.services.ledger import record_event, retract_event
from trellis.services.people import add_person
from trellis.services.profiles import profile
from trellis.settings import Settings


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[str]:
    """One database per engine for the tests that must leave it as it was: Ada, hired."""
    def seeded(url: str) -> str:
        with contextlib.closing(make_trellis(url)) as trellis:
            add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=date(2020, 1, 6),
                       author="tester")
        return url

    if request.param == "sqlite":
        yield seeded(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'trellis.db'}")
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    with temporary_schema(POSTGRES_URL, "trellis_test") as url:
        yield seeded(url)


@pytest.fixture(scope="module")
def shared(shared_url: str) -> Iterator[Trellis]:
    trellis = open_trellis(Settings(database_url=shared_url, author="tester"))
    yield trellis
    trellis.close()


def dump(trellis: Trellis) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: what "nothing was written" compares."""
    with trellis.uow() as uow:
        return {table.name: sorted((tuple(r) for r in uow.connection.execute(select(table))),
                                   key=repr)
                for table in t.metadata.sorted_tables}


def import_file(trellis: Trellis, path: Path) -> transfer.ImportSummary:
    people, events, problems = read_ledger_file(path)
    return transfer.import_ledger(trellis.uow(), people, events, author="tester",
                                  source=str(path), problems=problems)


def jsonl(*rows: dict[str, Any]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


BOB = {"record": "person", "handle": "bob", "name": "Bob"}
HIRE = {"record": "event", "person": "bob", "kind": "hire", "effective_on": "2021-01-04",
        "role": "eng1"}
LONG = "x" * (limits.LONG_TEXT_MAX + 1)
CSV_HEAD = "record,handle,name,person,kind,effective_on,role,id,pay,points,citation\n"


def csv_file(*rows: str) -> bytes:
    return (CSV_HEAD + "".join(r + "\n" for r in rows)).encode()


# (file name, bytes, the bad line, the start of its problem)
HOSTILE = [
    # text PostgreSQL refuses (a NUL) or that does not fit its column
    ("nul-name.jsonl", jsonl({**BOB, "name": "Bo\x00b"}), 1,
     "name contains the control character U+0000"),
    ("long-name.jsonl", jsonl({**BOB, "name": "n" * 201}), 1,
     "name is 201 characters long: at most 200"),
    ("long-handle.jsonl", jsonl({**BOB, "handle": "h" * 81}), 1,
     "handle is 81 characters long: at most 80"),
    ("long-email.jsonl", jsonl({**BOB, "email": "e" * 249 + "@x.org"}), 1,
     "email is 255 characters long: at most 254"),
    ("long-author.jsonl", jsonl(BOB, {**HIRE, "author": "a" * 201}), 2,
     "author is 201 characters long: at most 200"),
    ("long-verifier.jsonl", jsonl(BOB, {**HIRE, "verifier": "v" * 201}), 2,
     "verifier is 201 characters long: at most 200"),
    ("nul-evidence.jsonl", jsonl(BOB, {**HIRE, "evidence": "see\x00here"}), 2,
     "evidence contains the control character U+0000"),
    ("long-evidence.jsonl", jsonl(BOB, {**HIRE, "evidence": LONG}), 2,
     "evidence is 100,001 characters long: at most 100,000"),
    ("long-kind.jsonl", jsonl(BOB, {**HIRE, "kind": "k" * 100}), 2,
     "unknown event kind 'kkkkk"),
    ("nul-detail.jsonl", jsonl(BOB, HIRE, {**HIRE, "kind": "certification",
                                           "certification": "AWS\x00"}), 3,
     "certification: certification contains the control character U+0000"),
    ("long-notes.jsonl", jsonl(BOB, HIRE, {**HIRE, "kind": "check_in", "notes": LONG}), 3,
     "check_in: notes is 100,001 characters long"),
    # numbers past 64 bits, or past a field's range
    ("pay.jsonl", jsonl(BOB, {**HIRE, "pay": 2**64}), 2,
     "hire: pay must be between 0 and 1,000,000,000,000"),
    ("pay-float.jsonl", jsonl(BOB, {**HIRE, "pay": 1e20}), 2,
     "hire: pay must be between 0 and 1,000,000,000,000"),
    ("team.jsonl", jsonl(BOB, HIRE, {**HIRE, "kind": "project_leadership", "project": "x",
                                     "team_size": 10**30}), 3,
     "project_leadership: team_size must be between 0 and 1,000,000"),
    ("points.csv", csv_file("person,bob,Bob,,,,,,,,", "event,,,bob,hire,2021-01-04,eng1,,,,",
                            "event,,,bob,recognition,2021-02-01,,,,99999999999999999999,x"), 4,
     "recognition: points must be between 0 and 1,000,000"),
    ("mastery.jsonl", jsonl(BOB, HIRE, {**HIRE, "kind": "skill_step", "competency": "coding",
                                        "from_mastery": 0, "to_mastery": 2**63}), 3,
     "skill_step: to_mastery must be between 0 and 100"),
    ("id.csv", csv_file("person,bob,Bob,,,,,,,,",
                        "event,,,bob,hire,2021-01-04,eng1,9223372036854775808,,,"), 3,
     "id must be between 1 and 9,223,372,036,854,775,807"),
    ("retracts.jsonl", jsonl(BOB, HIRE, {**HIRE, "kind": "retraction", "retracts": 2**64,
                                         "reason": "x"}), 3,
     "retraction: retracts must be between 1 and 9,223,372,036,854,775,807"),
    # accepted before, wrongly
    ("zero-id.jsonl", jsonl(BOB, {**HIRE, "id": 0}), 2, "id must be between 1 and "),
    ("negative-id.csv", csv_file("person,bob,Bob,,,,,,,,",
                                 "event,,,bob,hire,2021-01-04,eng1,-4,,,"), 3,
     "id must be between 1 and "),
    ("object-name.jsonl", jsonl({**BOB, "name": {"a": 1}}), 1,
     "name must be text, got an object"),
    ("duplicate.csv", b"record,handle,name,name\nperson,bob,Bob,Robert\n", 1,
     "duplicate column(s): name"),
    ("extra.csv", b"record,handle,name\nperson,bob,Bob,Builder\n", 2,
     "4 cells, but the header names 3 columns"),
    # files that are not UTF-8, or CSV the reader cannot split
    ("latin1.csv", "record,handle,name\nperson,bob,Bób\n".encode("latin-1"), 2,
     "not UTF-8 text (byte 0xf3 at column 13)"),
    ("utf16.jsonl", jsonl(BOB).decode().encode("utf-16"), 1, "the file is UTF-16"),
    ("bare-cr.csv", b"record,handle,name\nperson,bob,Bo\rb\n", 2, "a carriage return"),
    ("kind-list.jsonl", jsonl(BOB, {**HIRE, "kind": ["hire"]}), 2,
     "unknown event kind a list"),
    ("dates.jsonl", jsonl(BOB, {**HIRE, "effective_on": "1066-10-14"}), 2,
     "effective_on 1066-10-14 is outside 1900-01-01..2199-12-31"),
]


@pytest.mark.parametrize(("name", "data", "line", "problem"), HOSTILE,
                         ids=[case[0] for case in HOSTILE])
def test_a_hostile_file_is_refused_in_one_line_and_nothing_is_written(shared, tmp_path, name,
                                                                      data, line, problem):
    path = tmp_path / name
    path.write_bytes(data)
    before = dump(shared)
    with pytest.raises(ImportRejected) as info:
        import_file(shared, path)
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(f"invalid import, nothing written: {path}:{line}: {problem}"), \
        message
    assert len(message) - len(str(path)) < 360  # the temporary path's length is not ours
    assert dump(shared) == before


def test_a_spreadsheets_byte_order_mark_is_accepted(trellis, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_file("person,bob,Bob,,,,,,,,",
                                                "event,,,bob,hire,2021-01-04,eng1,,45000,,"))
    summary = import_file(trellis, path)
    assert (summary.people, summary.events) == (1, 1)
    assert profile(trellis.uow(), "bob").profile.pay == 45000


# --- what a ledger may hold survives export -> import exactly ----------------------------

# Text a spreadsheet would run, quotes, separators, other scripts, line breaks in long
# texts: every text column gets one.
EVIDENCE = ('=HYPERLINK("http://evil.example","click"), then\r\n"quoted", \'single\', '
            'tabs\tand\u2028separators 🚀 ')
LONGEST = (EVIDENCE * (limits.LONG_TEXT_MAX // len(EVIDENCE) + 1))[:limits.LONG_TEXT_MAX - 1]
LONGEST = "=" + LONGEST  # a formula start, then the longest text allowed


@pytest.fixture
def fresh_trellis(database_url: str, tmp_path: Path) -> Iterator[Trellis]:
    """A second, empty database on the same engine, with the tiny framework loaded."""
    if database_url.startswith("sqlite"):
        target = make_trellis(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield target
        target.close()
        return
    assert POSTGRES_URL
    with temporary_schema(POSTGRES_URL, "trellis_test") as url:
        target = make_trellis(url)
        yield target
        target.close()


def hostile_career(trellis: Trellis) -> None:
    def log(kind: K, person: str, on: str, **fields: Any) -> int:
        author = fields.pop("author", "=cmd|' /C calc'!A0")
        evidence, verifier = fields.pop("evidence", None), fields.pop("verifier", None)
        return record_event(trellis.uow(), person, kind, date.fromisoformat(on), fields,
                            author=author, evidence=evidence, verifier=verifier).id

    add_person(trellis.uow(), "bob", '=HYPERLINK("http://evil.example","Bob")', role="eng2",
               hired_on=date(2019, 1, 7), author="@SUM(1+1)*cmd|' /C calc'!A0",
               email="+bob@example.com", pay=limits.MONEY_MAX, currency="EUR",
               evidence=LONGEST)
    add_person(trellis.uow(), "ada", "-Ada '=Lovelace", role="eng1", hired_on=date(2020, 1, 6),
               author="'=already quoted", email="=ada@example.com", manager="bob", pay=45000)
    log(K.CERTIFICATION, "ada", "2020-03-02", certification="=cmd|' /C calc'!A0",
        issuer="@issuer", competency="coding", evidence="'+1", verifier="''=bob")
    log(K.PROJECT_LEADERSHIP, "ada", "2020-04-01", project="-project",
        team_size=limits.TEAM_SIZE_MAX)
    log(K.RESPONSIBILITY, "ada", "2020-05-04", function="design", share=0.25,
        description="=1+1\r\nsecond line, \"quoted\"\tend")
    log(K.RECOGNITION, "ada", "2020-06-01", citation="@SUM(A1:A9)", giver="bob",
        points=limits.POINTS_MAX, recognition_kind="spot_bonus", amount=limits.MONEY_MAX)
    log(K.COMPENSATION, "ada", "2020-07-01", amount=-500)
    mistake = log(K.CHECK_IN, "ada", "2020-08-03", notes="''+x", engagement=3)
    retract_event(trellis.uow(), mistake, "-=recorded twice", author="+sam")
    log(K.SKILL_STEP, "ada", "2020-09-01", competency="coding", from_mastery=0, to_mastery=1)
    log(K.PROMOTION, "ada", "2021-01-04", role="eng2", override_reason="'''=x", pay=52000)
    log(K.DEPARTURE, "bob", "2022-01-03", notes="\u2028line separator\u2029 and 🚀\n@end")


def everything(trellis: Trellis) -> dict[str, Any]:
    """People, every event with every field, and every profile: what must survive."""
    with trellis.uow() as uow:
        people = uow.people.all()
        handles = {p.id: p.handle for p in people}
        out: dict[str, Any] = {}
        for p in people:
            events = [(e.id, e.kind.value, e.effective_on, e.recorded_at, e.author, e.evidence,
                       e.verifier, details_to_mapping(e.details))
                      for e in uow.events.for_person(p.id)]
            out[p.handle] = (p.name, p.email, handles.get(p.manager_id or 0), events)
    for handle in out:
        out[handle] += (profile_to_document(profile(trellis.uow(), handle).profile),)
    return out


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_hostile_values_round_trip_exactly(trellis, fresh_trellis, tmp_path, suffix):
    hostile_career(trellis)
    path = tmp_path / f"ledger{suffix}"
    written = write_ledger_file(path, transfer.export_records(trellis.uow()))
    summary = import_file(fresh_trellis, path)
    assert written == 2 + summary.events and summary.events == 12
    assert everything(fresh_trellis) == everything(trellis)
    bob = everything(fresh_trellis)["bob"]
    assert bob[3][0][5] == LONGEST and len(LONGEST) == limits.LONG_TEXT_MAX
    if suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            cells = [c for row in csv.reader(handle) for c in row if c]
        live = [c for c in cells if c[0] in "=+@\t\r" or (c[0] == "-" and not c[1:].isdigit())]
        assert live == []  # only a negative number starts with '-'
        assert "'=HYPERLINK(\"http://evil.example\",\"Bob\")" in cells
        assert "'''=already quoted" not in cells and "''=already quoted" in cells
    else:  # JSON lines hold every value as it is
        assert '"name":"=HYPERLINK(\\"http://evil.example\\",\\"Bob\\")"' in path.read_text()


# --- the CLI: trellis log and trellis person add check the same limits ---------------------


def one_error(result) -> str:
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert result.code == 1, (result.code, result.out, result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    return lines[0].removeprefix("error: ")


@pytest.fixture
def db(cli, shared_url, monkeypatch):
    """The CLI on each engine's shared database. A process's engine goes with the process;
    in one test process, each command's engine is closed after it (PostgreSQL's pool)."""
    opened: list[Trellis] = []

    def open_and_keep(*args: Any, **kwargs: Any) -> Trellis:
        opened.append(found := open_trellis(*args, **kwargs))
        return found

    monkeypatch.setattr(cli_context, "open_trellis", open_and_keep)

    def run(*args: Any):
        try:
            return cli("--db", shared_url, *args)
        finally:
            while opened:
                opened.pop().close()

    return run


ADD = ("person", "add", "bob", "--role", "eng1", "--hired", "2021-01-04")


@pytest.mark.parametrize(("args", "message"), [
    ((*ADD, "--name", "n" * 201), "name is 201 characters long: at most 200 are allowed"),
    ((*ADD, "--name", "Bo\x00b"), "name contains the control character U+0000, which is not "
     "allowed"),
    ((*ADD, "--name", "Bob", "--email", "e" * 249 + "@x.org"),
     "email is 255 characters long: at most 254 are allowed"),
    ((*ADD, "--name", "Bob", "--pay", str(10**13)),
     "hire: pay must be between 0 and 1,000,000,000,000, got 10000000000000"),
    ((*ADD, "--name", "Bob", "--currency", "DOLLARS"),
     "hire: currency must be a three-letter currency code such as USD, got 'DOLLARS'"),
    ((*ADD, "--name", "Bob", "--evidence", "x" * 100_001),
     "evidence is 100,001 characters long: at most 100,000 are allowed"),
    (("person", "add", "bob\n", "--name", "Bob", "--role", "eng1", "--hired", "2021-01-04"),
     "invalid handle 'bob\\u000a': use lower-case letters, digits, '.', '_' or '-'"),
    (("log", "compensation", "ada", "--on", "2021-01-04", "--amount", str(2**64)),
     "compensation: amount must be between -1,000,000,000,000 and 1,000,000,000,000, got "
     "18446744073709551616"),
    (("log", "project-leadership", "ada", "--on", "2021-01-04", "--project", "x",
      "--team-size", str(10**30)),
     "project_leadership: team_size must be between 0 and 1,000,000, got a number of about "
     "31 digits"),
    (("log", "check_in", "ada", "--on", "2021-01-04", "--notes", "a\x00b"),
     "check_in: notes contains the control character U+0000, which is not allowed"),
    (("log", "check_in", "ada", "--on", "2021-01-04", "--verifier", "v" * 201),
     "verifier is 201 characters long: at most 200 are allowed"),
    (("log", "recognition", "ada", "--on", "2021-01-04", "--for", "x", "--points", "1000001"),
     "recognition: points must be between 0 and 1,000,000, got 1000001"),
    (("log", "check_in", "ada", "--on", "1899-12-31"),
     "--on 1899-12-31 is outside 1900-01-01..2199-12-31"),
    (("log", "check_in", "a\x00da", "--on", "2021-01-04"), "unknown person 'a\\u0000da'"),
    (("retract", str(2**64), "--reason", "x"), "unknown event 18446744073709551616"),
])
def test_the_cli_holds_input_to_the_same_limits(db, shared, args, message):
    before = dump(shared)
    assert one_error(db(*args)) == message
    assert dump(shared) == before


def test_an_author_past_its_column_is_refused(db, shared, monkeypatch):
    before = dump(shared)
    monkeypatch.setenv("TRELLIS_AUTHOR", "a" * 201)
    assert one_error(db("log", "check_in", "ada", "--on", "2021-01-04")) == \
        "author is 201 characters long: at most 200 are allowed"
    assert dump(shared) == before


# --- known holes outside this module's files (see the report of issue 10) ----------------


def test_an_import_at_the_last_event_id_is_refused_cleanly(trellis, tmp_path):
    path = tmp_path / "last-id.jsonl"
    path.write_bytes(jsonl(BOB, {**HIRE, "id": limits.EVENT_ID_MAX},
                           {**HIRE, "kind": "check_in", "effective_on": "2021-02-01"}))
    before = dump(trellis)
    with pytest.raises(ImportRejected):
        import_file(trellis, path)
    assert dump(trellis) == before


def test_pay_compounded_past_its_limit_is_refused_cleanly(trellis, tmp_path):
    raises = [{**HIRE, "kind": "compensation", "percent": 100,
               "effective_on": (date(2021, 2, 1) + timedelta(days=7 * i)).isoformat()}
              for i in range(25)]
    path = tmp_path / "raises.jsonl"
    path.write_bytes(jsonl(BOB, {**HIRE, "pay": limits.MONEY_MAX}, *raises))
    with pytest.raises(ImportRejected):
        import_file(trellis, path)


def test_an_export_that_cannot_be_written_is_one_line(db, tmp_path):
    out = tmp_path / "no such folder" / "ledger.csv"
    assert one_error(db("export", "--out", out)) == \
        f"{out}: cannot write file: No such file or directory"
