"""``trellis comp ...`` from the command line: a whole cycle, an off-cycle raise, and every
bad input as one line, a non-zero exit and nothing written.

TINY org (approvals.compensation: skip_level): boss (eng3, 90,000) manages bob (eng3,
80,000), who manages ada (eng1, 45,000) and cy (eng1, 44,000). hr@example.com is an HR
admin without a person. Cycle '2026' (effective 2026-01-01, 3%): bob's team has a payroll
of 89,000 and a budget of 2,670.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from conftest import TINY, run_cli
from trellis.adapters import tables as t


def build_team_and_cycle(url: str) -> None:
    """The organization of the module's docstring, with cycle '2026' open."""
    db = ("--db", url)
    assert run_cli(*db, "init", "--framework", TINY).code == 0
    for handle, role, manager, pay in (("boss", "eng3", None, 90_000),
                                       ("bob", "eng3", "boss", 80_000),
                                       ("ada", "eng1", "bob", 45_000),
                                       ("cy", "eng1", "bob", 44_000)):
        extra = ("--manager", manager) if manager else ()
        assert run_cli(*db, "person", "add", handle, "--name", handle.title(), "--role", role,
                       "--hired", "2022-01-10", "--pay", pay, *extra).code == 0
    assert run_cli(*db, "admin", "create", "hr@example.com", "--password-stdin",
                   input="correct horse battery\n").code == 0
    opened = run_cli(*db, "comp", "cycle", "open", "2026", "--effective", "2026-01-01",
                     "--budget-percent", "3")
    assert opened.code == 0, opened.err
    assert opened.out.strip() == ("opened compensation cycle '2026' (effective 2026-01-01, "
                                  "budget 3% of payroll) for 4 people")


@pytest.fixture
def db(sqlite_templates, tmp_path):
    """A copy of the organization built once (by the CLI) per worker, the HR admin's
    password hashed once: every test writes its own."""
    return ("--db", sqlite_templates.copy_to("compensation_cli", build_team_and_cycle,
                                             tmp_path / "trellis.db"))


def rows(url: str) -> tuple[int, ...]:
    engine = create_engine(url)
    with engine.connect() as c:
        found = tuple(c.scalar(select(func.count()).select_from(table)) for table in (
            t.events, t.comp_cycles, t.comp_proposals))
    engine.dispose()
    return found  # type: ignore[return-value]


def one_line(text: str) -> str:
    """Text on one line, a table's borders taken out."""
    return " ".join(text.translate({ord(c): " " for c in "│┃"}).split())


def test_a_whole_cycle(cli, db):
    done = cli(*db, "comp", "propose", "2026", "ada", "--percent", "3", "--kind", "merit",
               "--by", "bob")
    assert done.code == 0, done.err
    assert done.out.strip() == ("proposal 1: merit raise of +3% (+1,350) for ada, proposed, "
                                "awaiting step 1 (skip_level)")
    done = cli(*db, "comp", "propose", "2026", "cy", "--amount", "1320", "--kind",
               "adjustment", "--by", "bob")
    assert done.code == 0, done.err
    assert cli(*db, "comp", "approve", "1", "--by", "boss").out.strip() == (
        "proposal 1: merit raise of +3% (+1,350) for ada, approved")
    declined = cli(*db, "comp", "decline", "2", "--by", "boss", "--reason", "next year")
    assert declined.out.strip() == "proposal 2: adjustment raise of +1,320 for cy, declined"

    shown = json.loads(cli(*db, "comp", "show", "2026", "--json").out)
    team = next(g for g in shown["groups"] if g["manager"] == "bob")
    assert team == {"group": "bob's team", "manager": "bob", "payroll": 89_000,
                    "budget": 2_670, "proposed": 0, "approved": 1_350, "remaining": 1_320}
    ada = next(p for p in shown["people"] if p["person"] == "ada")
    assert (ada["pay"], ada["band_position"], ada["proposal"]["status"]) == (45_000, 0.5,
                                                                            "approved")
    text = one_line(cli(*db, "comp", "show", "2026").out)
    assert "bob's team 89,000 2,670 0 1,350 1,320" in text
    assert "ada bob's team 45,000 50% +1,350 (+3%) approved (#1)" in text

    assert cli(*db, "comp", "cycle", "close", "2026").out.strip() == (
        "closed compensation cycle '2026'")
    assert cli(*db, "comp", "cycle", "reopen", "2026").code == 0
    applied = cli(*db, "comp", "cycle", "apply", "2026")
    assert applied.out.strip() == "applied compensation cycle '2026': 1 raise(s) written"
    [cycle] = json.loads(cli(*db, "comp", "cycle", "list", "--json").out)
    assert (cycle["status"], cycle["people"], cycle["proposals"]) == ("applied", 4, 2)
    assert "2026 2026-01-01 3% applied 4 2" in one_line(cli(*db, "comp", "cycle", "list").out)
    timeline = json.loads(cli(*db, "timeline", "ada", "--json").out)
    [raise_] = [e for e in timeline if e["kind"] == "compensation"]
    assert raise_["details"] == {"compensation_kind": "merit", "amount": 1_350,
                                 "comp_cycle": "2026", "proposal": 1}
    assert raise_["effective_on"] == "2026-01-01"


def test_an_off_cycle_raise_waits_for_its_approver(cli, db):
    before = rows(db[1])
    done = cli(*db, "comp", "raise", "ada", "--percent", "60", "--reason", "counter-offer",
               "--by", "bob")
    assert done.code == 0, done.err
    assert "awaiting step 1 (skip_level)" in done.out
    assert "warning: new pay €72,000 is above the Engineer I band" in done.out
    assert rows(db[1])[0] == before[0]  # no event yet
    approved = cli(*db, "comp", "approve", "1", "--by", "boss")
    assert approved.code == 0, approved.err
    assert approved.out.strip().endswith("applied; warning: new pay €72,000 is above the "
                                             "Engineer I band (€40,000-€50,000) (event 5)")
    assert rows(db[1])[0] == before[0] + 1
    hr = cli(*db, "comp", "raise", "bob", "--amount", "500", "--reason", "x", "--by",
             "hr@example.com")
    assert hr.code == 0 and "awaiting step 1 (skip_level)" in hr.out
    assert cli(*db, "comp", "approve", "2", "--by", "hr@example.com").code == 1  # proposer
    assert cli(*db, "comp", "approve", "2", "--by", "boss").code == 1  # not bob's skip level


@pytest.mark.parametrize(("args", "message"), [
    (("propose", "2026", "ada", "--amount", "2700", "--by", "bob"),
     "over budget: the budget of bob's team is 2,670 (89,000 payroll), 0 is already proposed or "
     "approved, and this raise of 2,700 would bring it to 2,700, 30 over: give --reason to "
     "propose it anyway"),
    (("propose", "2026", "ada", "--percent", "20", "--by", "bob", "--reason", ""),
     "new pay €54,000 is above the Engineer I band (€40,000-€50,000): give --reason to "
     "propose pay outside the band"),
    (("propose", "2026", "ada", "--percent", "three", "--by", "bob"),
     "--percent must be a number, got 'three'"),
    (("propose", "2026", "ada", "--percent", "1", "--amount", "5", "--by", "bob"),
     "give exactly one of --percent or --amount"),
    (("propose", "2026", "ada", "--by", "bob"), "give exactly one of --percent or --amount"),
    (("propose", "nope", "ada", "--percent", "1", "--by", "bob"),
     "unknown compensation cycle 'nope'"),
    (("propose", "2026", "zed", "--percent", "1", "--by", "bob"), "unknown person 'zed'"),
    (("propose", "2026", "ada", "--percent", "1", "--by", "zed"), "unknown person 'zed'"),
    (("propose", "2026", "ada", "--percent", "1", "--by", "ada"),
     "ada cannot propose their own raise"),
    (("propose", "2026", "ada", "--percent", "1", "--by", "cy"),
     "cy is not in ada's management chain: only their managers and HR propose their pay"),
    (("raise", "ada", "--percent", "1", "--reason", " ", "--by", "bob"),
     "give --reason: an off-cycle raise says why"),
    (("approve", "9", "--by", "boss"), "unknown proposal 9"),
    (("cycle", "apply", "nope"), "unknown compensation cycle 'nope'"),
    (("cycle", "open", "2026", "--effective", "2026-01-01", "--budget-percent", "3"),
     "a compensation cycle named '2026' already exists"),
    (("cycle", "open", "x", "--effective", "2026-13-01", "--budget-percent", "3"),
     "malformed --effective '2026-13-01': use YYYY-MM-DD"),
    (("cycle", "open", "x", "--effective", "2026-01-01", "--budget-percent", "lots"),
     "--budget-percent must be a number, got 'lots'"),
    (("cycle", "open", "x", "--effective", "2026-01-01", "--budget-percent", "3", "--team",
      "zed"), "unknown person 'zed'"),
    (("cycle", "reopen", "2026"), "compensation cycle '2026' is already open"),
    (("show", "nope"), "unknown compensation cycle 'nope'"),
])
def test_bad_input_is_one_line_and_writes_nothing(cli, db, args, message):
    before = rows(db[1])
    result = cli(*db, "comp", *args)
    assert result.code == 1, result.out
    assert one_line(result.err) == f"error: {message}"
    assert rows(db[1]) == before


def test_approval_by_the_proposer_or_the_person_is_refused(cli, db):
    assert cli(*db, "comp", "propose", "2026", "ada", "--percent", "2", "--by", "bob").code == 0
    for by, message in (("bob", "bob proposed this raise and cannot approve it: someone "
                                "else in the chain must"),
                        ("ada", "ada cannot approve their own raise"),
                        ("cy", "step 1 (skip_level: boss) of proposal 1 for ada is not cy's to "
                               "sign")):
        result = cli(*db, "comp", "approve", "1", "--by", by)
        assert (result.code, one_line(result.err)) == (1, f"error: {message}")
    refused = cli(*db, "comp", "decline", "1", "--by", "boss", "--reason", "")
    assert one_line(refused.err) == "error: give --reason: why the raise is declined"
    assert cli(*db, "comp", "approve", "abc", "--by", "boss").code == 2  # not an id


def test_log_compensation_still_records_directly_for_a_journal(cli, db):
    done = cli(*db, "log", "compensation", "ada", "--on", "2026-02-01", "--compensation-kind",
               "merit", "--percent", "2")
    assert done.code == 0, done.err
    assert rows(db[1])[0] == 5  # four hires and the raise


def test_withdraw_an_approved_raise_before_the_apply(cli, db):
    assert cli(*db, "comp", "propose", "2026", "ada", "--amount", "1350", "--by", "bob").code == 0
    assert cli(*db, "comp", "approve", "1", "--by", "boss").code == 0
    before = rows(db[1])
    for args, _, err in (
            (("--by", "bob"), 1, "give a reason: why the approved raise is withdrawn"),
            (("--by", "bob", "--reason", "  "), 1,
             "give a reason: why the approved raise is withdrawn"),
            (("--by", "ada", "--reason", "x"), 1, "ada cannot withdraw their own raise"),
            (("--by", "cy", "--reason", "x"), 1,
             "cy may not withdraw proposal 1: its proposer, the proposer's managers and HR "
             "admins do")):
        done = cli(*db, "comp", "withdraw", "1", *args)
        assert done.code != 0 and done.out == "", (args, done.out)
        assert len(done.err.strip().splitlines()) == 1 and err in done.err, (args, done.err)
    assert rows(db[1]) == before
    done = cli(*db, "comp", "withdraw", "1", "--by", "hr@example.com", "--reason",
               "the budget was cut")
    assert done.code == 0, done.err
    assert done.out.strip() == ("proposal 1: merit raise of +1,350 for ada, withdrawn by "
                                "hr@example.com: the budget was cut")
    [entry] = [e for e in json.loads(cli(*db, "audit", "--json").out)
               if e["action"] == "comp.withdraw"]  # the service writes it, for the CLI too
    assert (entry["user_email"], entry["resource"], entry["detail"]) == (
        "hr@example.com", "person/ada/proposals/1",
        {"status": "withdrawn", "reason": "the budget was cut"})
    again = cli(*db, "comp", "withdraw", "1", "--by", "bob", "--reason", "x")
    assert again.code != 0 and "proposal 1 is already withdrawn (by hr@example.com on" \
        in again.err
    shown = json.loads(cli(*db, "comp", "show", "2026", "--json").out)
    [w] = shown["withdrawn"]
    assert (w["person"], w["proposal"]["status"], w["proposal"]["withdrawal"]["by"],
            w["proposal"]["withdrawal"]["reason"]) == ("ada", "withdrawn", "hr@example.com",
                                                       "the budget was cut")
    team = next(g for g in shown["groups"] if g["manager"] == "bob")
    assert (team["approved"], team["remaining"]) == (0, 2_670)  # the budget is free again
    text = one_line(cli(*db, "comp", "show", "2026").out)
    assert "#1 ada +1,350 hr@example.com" in text and "the budget was cut" in text
    assert cli(*db, "comp", "propose", "2026", "cy", "--amount", "500", "--by", "bob").code == 0
    not_approved = cli(*db, "comp", "withdraw", "2", "--by", "bob", "--reason", "x")
    assert "proposal 2 is proposed, not approved" in not_approved.err
    assert cli(*db, "comp", "approve", "2", "--by", "boss").code == 0
    assert cli(*db, "comp", "cycle", "apply", "2026").out.strip() == (
        "applied compensation cycle '2026': 1 raise(s) written")
    late = cli(*db, "comp", "withdraw", "2", "--by", "bob", "--reason", "x")
    assert late.code != 0 and "proposal 2 is already applied" in late.err
