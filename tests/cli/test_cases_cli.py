"""``trellis case ...`` from the command line: a case from nomination to promotion, and
every bad input as one line, a non-zero exit and nothing written."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, func, select

from conftest import TINY, make_trellis
from trellis.adapters import tables as t
from trellis.domain.access import Role
from trellis.services import accounts
from trellis.services.people import add_person


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """cat (eng3) manages bob (eng3), who manages ada (eng1, 42,000) and cy (eng1);
    hr@x.org is an HR admin. Built once, copied for each test."""
    path = tmp_path_factory.mktemp("cases") / "template.db"
    trellis = make_trellis(f"sqlite:///{path}", TINY)
    for handle, role, manager in (("cat", "eng3", None), ("bob", "eng3", "cat"),
                                  ("ada", "eng1", "bob"), ("cy", "eng1", "bob")):
        add_person(trellis.uow(), handle, handle.title(), role=role,
                   hired_on=date(2022, 1, 10), manager=manager, pay=42000, author="t")
    accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    accounts.create_user(trellis.uow(), "hr@x.org", "a long password", Role.HR_ADMIN,
                         author="t")
    trellis.close()
    return path


@pytest.fixture
def db(template, tmp_path):
    path = tmp_path / "trellis.db"
    shutil.copy(template, path)
    return ("--db", f"sqlite:///{path}")


def rows(url: str) -> tuple[int, ...]:
    engine = create_engine(url)
    with engine.connect() as c:
        found = tuple(c.scalar(select(func.count()).select_from(table)) for table in (
            t.events, t.promotion_cases, t.promotion_case_steps, t.promotion_case_comments))
    engine.dispose()
    return found


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_a_case_from_nomination_to_the_timeline(cli, db, tmp_path):
    opened = cli(*db, "case", "open", "ada", "--to", "eng2", "--justification",
                 "runs the on-call rota", "--on", "2025-06-02")
    assert opened.code == 0, opened.err
    assert one_line(opened.out) == ("opened case 1: ada to eng2 on 2025-06-02, pay 48,000; "
                                    "approvals: skip_level, hr")
    said = cli(*db, "case", "comment", "1", "strong on incidents", "--by", "cat")
    assert said.code == 0 and "comment 1" in said.out
    first = cli(*db, "case", "approve", "1", "--by", "cat")
    assert first.code == 0, first.err
    assert one_line(first.out) == "approved step 1 of case 1; waiting for step 2 (hr)"
    listed = json.loads(cli(*db, "case", "list", "--status", "open", "--json").out)
    assert [(c["id"], c["waiting_for"]["approver"]) for c in listed] == [(1, "hr")]
    last = cli(*db, "case", "approve", "1", "--by", "hr@x.org")
    assert last.code == 0, last.err
    assert "promotion to eng2 recorded on 2025-06-02 (event" in one_line(last.out)
    doc = json.loads(cli(*db, "case", "show", "1", "--json").out)
    assert doc["status"] == "approved" and doc["event_id"] is not None
    assert [s["signed_by"] for s in doc["steps"]] == ["cat", "hr@x.org"]
    assert doc["comments"][0]["author"] == "cat"
    shown = cli(*db, "case", "show", "1")
    assert shown.code == 0 and "approved" in shown.out and "strong on incidents" in shown.out
    profile = json.loads(cli(*db, "profile", "ada", "--json").out)
    assert profile["role"]["id"] == "eng2" and profile["pay"]["base"] == 48000
    assert "(case 1)" in one_line(cli(*db, "timeline", "ada").out)
    out = tmp_path / "case.html"
    exported = cli(*db, "case", "export", "1", "--out", out)
    assert exported.code == 0, exported.err
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http" not in html.replace("http-equiv", "")
    assert "@media print" in html and "runs the on-call rota" in html
    assert "2024-" not in html and " eng2 " not in html  # days and titles, as on the page
    assert cli(*db, "case", "list", "--person", "ada").code == 0


def test_decline_and_defer_need_a_reason(cli, db):
    assert cli(*db, "case", "open", "cy", "--to", "eng2", "--justification", "x").code == 0
    before = rows(db[1])
    refused = cli(*db, "case", "decline", "1", "--by", "cat", "--reason", " ")
    assert refused.code == 1 and "needs a reason" in refused.err
    assert rows(db[1]) == before
    done = cli(*db, "case", "decline", "1", "--by", "cat", "--reason", "next cycle")
    assert done.code == 0 and one_line(done.out) == "declined case 1: next cycle"
    assert rows(db[1])[0] == before[0]  # no promotion
    assert cli(*db, "case", "open", "cy", "--to", "eng2", "--justification", "y").code == 0
    deferred = cli(*db, "case", "defer", "2", "--by", "cat", "--reason", "after the reorg")
    assert deferred.code == 0 and "deferred case 2" in deferred.out
    assert cli(*db, "case", "open", "cy", "--to", "eng2", "--justification", "z").code == 0
    gone = cli(*db, "case", "withdraw", "3", "--by", "bob", "--reason", "opened by mistake")
    assert gone.code == 0 and "withdrew case 3" in gone.out


@pytest.mark.parametrize(("args", "message"), [
    (("case", "open", "bob", "--to", "eng2", "--justification", "x"),
     "a case for a role below the current one is refused: eng2 (L2) is below bob's eng3 (L3)"),
    (("case", "open", "ada", "--to", "eng2", "--justification", "x", "--pay", "75000"),
     "pay €75,000 is above the Engineer II band (€48,000-€60,000): a pay proposal outside "
     "the band needs a reason (--pay-reason)"),
    (("case", "open", "ada", "--to", "eng2", "--justification", "x", "--pay", "75000",
      "--pay-reason", " "), "needs a reason"),
    (("case", "open", "ada", "--to", "eng2", "--justification", ""), "needs a justification"),
    (("case", "open", "ada", "--to", "eng2", "--justification", "x", "--by", "cy"),
     "may not nominate"),
    (("case", "open", "cat", "--to", "eng3", "--justification", "x", "--by", "hr@x.org"),
     "already holds"),
    (("case", "open", "cat", "--to", "eng2", "--justification", "x"),
     "cat has no manager: say who nominates them with --by"),
    (("case", "open", "ada", "--to", "eng9", "--justification", "x"), "unknown role"),
    (("case", "open", "ada", "--to", "eng2", "--justification", "x", "--on", "2025-13-01"),
     "malformed --on"),
    (("case", "approve", "42", "--by", "cat"), "unknown promotion case 42"),
    (("case", "show", "42"), "unknown promotion case 42"),
    (("case", "comment", "42", "hello"), "unknown promotion case 42"),
    (("case", "export", "42", "--out", "/tmp/cases/never.html"), "unknown promotion case 42"),
    (("case", "list", "--status", "pending"), "--status must be one of"),
])
def test_bad_input_is_one_line_and_writes_nothing(cli, db, args, message):
    before = rows(db[1])
    result = cli(*db, *args)
    assert result.code == 1, result.out
    assert message in one_line(result.err)
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert rows(db[1]) == before


@pytest.mark.parametrize(("by", "message"), [
    ("bob", "bob proposed case 1: the proposer never signs a step of it"),
    ("ada", "ada may not sign their own promotion case"),
    ("cy", "cy may not sign case 1: step 1 (skip_level: cat) is the one waiting"),
    ("hr@x.org", "case 1 is signed in chain order: step 1 (skip_level: cat) comes before"),
])
def test_only_the_waiting_steps_approver_signs(cli, db, by, message):
    assert cli(*db, "case", "open", "ada", "--to", "eng2", "--justification", "x").code == 0
    before = rows(db[1])
    result = cli(*db, "case", "approve", "1", "--by", by)
    assert result.code == 1 and message in one_line(result.err), result.err
    assert rows(db[1]) == before
    doc = json.loads(cli(*db, "case", "show", "1", "--json").out)
    assert [s["decision"] for s in doc["steps"]] == [None, None]


def test_trellis_promote_still_records_a_decision_taken_outside(cli, db):
    done = cli(*db, "promote", "cy", "--to", "eng2")
    assert done.code == 0, done.err
    assert rows(db[1])[1] == 0  # no case: a decision taken elsewhere, for the record
