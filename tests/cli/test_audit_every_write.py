"""Every command that changes the database leaves an attributable audit entry (who, when,
what), written by the use case in the change's own transaction: a table of the writing
commands, run in order through the command line against a fresh database, each asserted to
add the entries it names. A new write path without an entry fails here once it is added to
the table; `test_the_table_covers_every_writing_command` fails when a command is missing.

TINY org: boss (eng3) manages bob (eng3), who manages ada and cy (eng1); hr@example.com is
an HR admin. TRELLIS_AUTHOR is "tester" unless a step says otherwise.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson
import pytest
from sqlalchemy import create_engine, select

from conftest import TINY
from trellis.adapters import tables as t
from trellis.entrypoints.cli.commands import COMMANDS

ANY = "*"  # any label but none: the step's author is whoever the command line names


class Step(NamedTuple):
    argv: tuple[str, ...]
    audited: tuple[tuple[str, str | None], ...]  # (action, who) each new entry is one of
    author: str = "tester"
    input: str | None = None  # standard input


def steps(tmp: Any) -> list[Step]:
    people = tmp / "people.jsonl"
    people.write_text('{"record": "person", "handle": "zed", "name": "Zed Zeta"}\n'
                      '{"person": "zed", "kind": "hire", "effective_on": "2023-02-01", '
                      '"role": "eng1"}\n')
    attributes = tmp / "attributes.csv"
    attributes.write_text("handle,location\nada,London\ncy,Lisbon\n")
    return [
        Step(("person", "add", "zoe", "--name", "Zoe", "--role", "eng1", "--hired",
              "2023-01-01", "--manager", "bob", "--pay", "40000"),
             (("person.add", "tester"),)),
        Step(("log", "certification", "ada", "--certification", "AWS"),
             (("event.record", "tester"),)),
        Step(("verify", "6", "--notes", "seen it"), (("event.verify", "bob"),), author="bob"),
        Step(("retract", "6", "--reason", "typo"), (("event.retract", "tester"),)),
        Step(("recognize", "ada", "--for", "ran the incident"), (("recognition", "tester"),)),
        Step(("plan", "new", "ada", "--target", "eng2"), (("plan.create", "tester"),)),
        Step(("checkin", "ada", "--notes", "on track"), (("check_in", "tester"),)),
        Step(("promote", "zoe", "--to", "eng2", "--override", "covering a leave"),
             (("event.record", "tester"),)),
        Step(("person", "attribute", "set", "ada", "gender", "F"),
             (("attribute.set", "tester"),)),
        Step(("person", "attribute", "unset", "ada", "gender"),
             (("attribute.unset", "tester"),)),
        Step(("person", "attribute", "import", str(attributes)),
             (("attributes.import", "tester"),)),
        Step(("import", str(people)), (("ledger.import", "tester"),)),
        Step(("framework", "load", str(TINY)), ()),  # the same version: nothing changes
        Step(("review", "cycle", "open", "2026", "--start", "2026-01-01", "--end",
              "2026-12-31", "--forms", "self,manager,peer,upward"),
             (("review_cycle.open", "tester"),)),
        Step(("review", "nominate", "2026", "ada", "--peer", "cy"),
             (("review.nominate", "tester"),)),
        Step(("review", "submit", "2026", "ada", "--as", "manager", "--by", "bob",
              "--rating", "3"), (("review.submit", "tester"),)),
        Step(("review", "submit", "2026", "bob", "--as", "upward", "--by", "ada",
              "--rating", "4"), (("review.submit", None),)),  # "a report" of bob
        Step(("review", "cycle", "close", "2026"), (("review_cycle.close", "tester"),)),
        Step(("review", "cycle", "reopen", "2026"), (("review_cycle.reopen", "tester"),)),
        Step(("calibrate", "open", "2026", "--team", "bob", "--name", "s"),
             (("calibration.open", "tester"),)),
        Step(("calibrate", "change", "s", "ada", "--rating", "4", "--reason", "x"),
             (("calibration.change", "tester"),)),
        Step(("calibrate", "close", "s"), (("calibration.close", "tester"),)),
        Step(("case", "open", "cy", "--to", "eng2", "--justification", "runs on-call"),
             (("case.open", ANY),)),
        Step(("case", "comment", "1", "strong", "--by", "boss"), (("case.comment", "boss"),)),
        Step(("case", "defer", "1", "--by", "boss", "--reason", "after the reorg"),
             (("case.defer", "boss"),)),
        Step(("case", "open", "cy", "--to", "eng2", "--justification", "again"),
             (("case.open", ANY),)),
        Step(("case", "approve", "2", "--by", "boss"), (("case.approve", "boss"),)),
        Step(("case", "decline", "2", "--by", "hr@example.com", "--reason", "budget"),
             (("case.decline", "hr@example.com"),)),
        Step(("case", "open", "ada", "--to", "eng2", "--justification", "third"),
             (("case.open", ANY),)),
        Step(("case", "withdraw", "3", "--by", "hr@example.com", "--reason", "mistake"),
             (("case.withdraw", "hr@example.com"),)),
        Step(("comp", "cycle", "open", "2026", "--effective", "2026-01-01",
              "--budget-percent", "3"), (("comp.cycle.open", "tester"),)),
        Step(("comp", "propose", "2026", "ada", "--percent", "1", "--by", "bob"),
             (("comp.propose", "bob"),)),
        Step(("comp", "approve", "1", "--by", "boss"), (("comp.approve", "boss"),)),
        Step(("comp", "withdraw", "1", "--by", "bob", "--reason", "budget cut"),
             (("comp.withdraw", "bob"),)),
        Step(("comp", "propose", "2026", "cy", "--percent", "1", "--by", "bob"),
             (("comp.propose", "bob"),)),
        Step(("comp", "decline", "2", "--by", "boss", "--reason", "next year"),
             (("comp.decline", "boss"),)),
        Step(("comp", "raise", "ada", "--amount", "500", "--reason", "counter-offer", "--by",
              "bob"), (("comp.propose", "bob"),)),
        Step(("comp", "cycle", "close", "2026"), (("comp.cycle.close", "tester"),)),
        Step(("comp", "cycle", "reopen", "2026"), (("comp.cycle.reopen", "tester"),)),
        Step(("comp", "cycle", "apply", "2026"), (("comp.cycle.apply", "tester"),)),
        Step(("admin", "create", "boss@example.com", "--role", "manager", "--person", "boss",
              "--password-stdin"), (("user.create", "tester"),),
             input="correct horse battery\n"),
        Step(("admin", "disable", "boss@example.com"), (("user.disable", "tester"),)),
        Step(("admin", "enable", "boss@example.com"), (("user.enable", "tester"),)),
        Step(("admin", "password", "boss@example.com"), (("user.password_reset", "tester"),)),
    ]


# Commands that change rows whose record is not the audit log, with where it is instead.
ELSEWHERE = {
    ("init",): "creates the database and loads its first framework (framework.load)",
    ("demo",): "replaces the database with generated data",
    ("refresh",): "recomputes the organization models, derived data only",
    ("person", "erase"): "the erasures table: who, when, how many events, no personal data",
}


def entries(url: str) -> list[dict[str, Any]]:
    engine = create_engine(url)
    with engine.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(select(t.audit_log).order_by(
            t.audit_log.c.id))]
    engine.dispose()
    for r in rows:
        r["detail"] = orjson.loads(r["detail"])
    return rows


@pytest.fixture
def db(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    for handle, role, manager, pay in (("boss", "eng3", None, 90_000),
                                       ("bob", "eng3", "boss", 80_000),
                                       ("ada", "eng1", "bob", 45_000),
                                       ("cy", "eng1", "bob", 44_000)):
        extra = ("--manager", manager) if manager else ()
        assert cli(*db, "person", "add", handle, "--name", handle.title(), "--role", role,
                   "--hired", "2022-01-10", "--pay", pay, *extra).code == 0
    assert cli(*db, "admin", "create", "hr@example.com", "--password-stdin",
               input="correct horse battery\n").code == 0
    return db


def test_the_fresh_database_is_audited_from_its_first_framework(db):
    log = entries(db[1])
    assert [(e["action"], e["user_email"]) for e in log] == [
        ("framework.load", "tester"), *[("person.add", "tester")] * 4,
        ("user.create", "tester")]
    assert all(e["at"] is not None and e["resource"] for e in log)


def test_every_writing_command_adds_its_audit_entries(cli, db, tmp_path, monkeypatch):
    missing = []
    for step in steps(tmp_path):
        monkeypatch.setenv("TRELLIS_AUTHOR", step.author)
        before = len(entries(db[1]))
        done = cli(*db, *step.argv, input=step.input)
        assert done.code == 0, (step.argv, done.err)
        new = entries(db[1])[before:]
        got = [(e["action"], e["user_email"]) for e in new]
        for action, who in step.audited:
            if not any(a == action and (w == who or (who == ANY and w)) for a, w in got):
                missing.append((" ".join(step.argv[:3]), action, who, got))
        if not step.audited:
            assert got == [], (step.argv, got)
        assert all(e["resource"] and e["at"] is not None for e in new)
    assert missing == []


def test_the_table_covers_every_writing_command(tmp_path):
    """Each command of ``trellis --help`` is in the table above, in ELSEWHERE, or reads
    only (listed here): a new command has to say which it is."""
    reads = {"profile", "timeline", "readiness", "pipeline", "layers", "paths", "explore",
             "lattice", "export", "simulate", "evidence", "fragmentation", "recognition",
             "serve", "audit", "compare", "advise", "report", "fairness"}
    groups = {"framework", "person", "plan", "admin", "review", "case", "comp",
              "calibrate"}
    written = {s.argv[0] for s in steps(tmp_path)} | {k[0] for k in ELSEWHERE}
    assert set(COMMANDS) == reads | written | groups | {"init"}, (
        set(COMMANDS) ^ (reads | written | groups))
