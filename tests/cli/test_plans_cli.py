"""``trellis plan``, ``trellis plan show`` and ``trellis checkin`` from the command line."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import TINY


@pytest.fixture
def db(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    assert cli(*db, "person", "add", "ada", "--name", "Ada Lovelace", "--role", "eng1",
               "--hired", "2022-01-10").code == 0
    assert cli(*db, "log", "skill_step", "ada", "--competency", "coding", "--from", "0",
               "--to", "1").code == 0
    return db


def test_plan_log_show_checkin(cli, db):
    made = cli(*db, "plan", "ada", "--capacity", "1")
    assert made.code == 0, made.err
    assert "role eng2" in made.out and "Milestones" in made.out and "P50" in made.out
    shown = cli(*db, "plan", "show", "ada", "--json")
    doc = json.loads(shown.out)
    later = "due" if doc["steps"][1]["quarter"] == 1 else "upcoming"
    assert doc["version"] == 1 and doc["progress"] == ["due", later]
    assert doc["throughput"]["committed"] and doc["throughput"]["rate"] == 1
    assert [s["competency"] for s in doc["steps"]] == ["communication", "coding"]
    assert doc["forecast"]["dates"]["p10"] <= doc["forecast"]["dates"]["p90"]
    assert cli(*db, "log", "skill_step", "ada", "--competency", "communication", "--from",
               "0", "--to", "1").code == 0
    assert json.loads(cli(*db, "plan", "show", "ada", "--json").out)["progress"][0] == "done"
    quiet = cli(*db, "checkin", "ada", "--notes", "kick-off")  # the plan's first day
    assert quiet.code == 0, quiet.err
    ends = doc["milestones"][0]["ends"]
    assert f"the plan's quarter runs until {ends}: nothing closed (--early closes it now)" \
        in quiet.out
    checked = cli(*db, "checkin", "ada", "--notes", "good start", "--engagement", "4",
                  "--early")
    assert checked.code == 0, checked.err
    assert "closed quarter 1: done 1" in checked.out and "version 2" in checked.out
    shown = cli(*db, "plan", "show", "ada")
    assert "version 2 of 2" in shown.out and "good start" in shown.out


def test_plan_new_spelling_and_targets(cli, db):
    assert cli(*db, "plan", "new", "ada", "--target", "eng3").code == 0
    done = cli(*db, "plan", "ada", "--competencies", "mentoring=2,coding=2", "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["target"]["expects"] == {"mentoring": 2, "coding": 2}


def test_checkin_without_plan(cli, db):
    result = cli(*db, "checkin", "ada", "--notes", "hello", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["closed"] is None


@pytest.mark.parametrize(("args", "message"), [
    (("plan", "ada", "--target", "nope"), "unknown role 'nope'"),
    (("plan", "ada", "--band", "nope", "--level", "1"), "unknown band 'nope'"),
    (("plan", "ada", "--band", "craft", "--level", "1"), "has no levels"),
    (("plan", "ada", "--target", "eng1"), "already meets role eng1"),
    (("plan", "ada", "--capacity", "0"), "capacity must be 1-12"),
    (("plan", "ada", "--target", "eng3", "--quarters", "1"), "give --quarters"),
    (("plan", "ada", "--competencies", "coding"), "use competency=mastery"),
    (("plan", "show", "ada"), "ada has no plan"),
    (("plan", "nobody"), "unknown person 'nobody'"),
    (("checkin", "ada", "--notes", "x", "--engagement", "9"), "engagement must be 1-5"),
])
def test_one_line_errors(cli, db, args, message):
    result = cli(*db, *args)
    assert result.code == 1
    assert message in result.err and result.err.count("\n") == 1, result.err


def test_below_current_level(cli, db):
    assert cli(*db, "log", "promotion", "ada", "--role", "eng2").code == 0
    result = cli(*db, "plan", "ada", "--target", "eng1")
    assert result.code == 1 and "below the current level" in result.err


CRITERIA = TINY.parent / "plan-criteria.yaml"


def test_a_plan_on_a_criteria_framework_shows_the_statements(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", CRITERIA).code == 0
    assert cli(*db, "person", "add", "bo", "--name", "Bo", "--role", "eng-1",
               "--hired", "2024-01-10").code == 0
    assert cli(*db, "log", "demonstrated", "bo", "--criterion", "comms.1", "--evidence",
               "status notes in the wiki").code == 0
    made = cli(*db, "plan", "bo", "--target", "eng-2")
    assert made.code == 0, made.err
    assert 'demonstrate code.1 (L1): "Writes tests for their changes"' in made.out
    assert "Proactively gives feedback upwards" in made.out and "coding 0->1" in made.out
    doc = json.loads(cli(*db, "plan", "show", "bo", "--json").out)
    assert [s["kind"] for s in doc["steps"]] == ["step", "criterion", "criterion", "criterion",
                                                 "criterion", "step"]
    shown = doc["steps"][1]
    assert (shown["criterion"], shown["topic"], shown["level"], shown["text"]) == (
        "code.1", "code", "L1", "Writes tests for their changes")
    assert doc["target"]["criteria"] == ["comms.1", "comms.2", "comms.3", "code.1", "code.2"]
    assert cli(*db, "log", "demonstrated", "bo", "--criterion", "code.1", "--evidence",
               "https://example.org/pr/1").code == 0
    assert json.loads(cli(*db, "plan", "show", "bo", "--json").out)["progress"][1] == "done"
    checked = cli(*db, "checkin", "bo", "--notes", "tests everywhere", "--early")
    assert checked.code == 0, checked.err
    assert "demonstrate code.1" in checked.out


def test_a_points_role_is_planned_to_its_points(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY.parent / "plan-points.yaml").code == 0
    assert cli(*db, "person", "add", "cy", "--name", "Cy", "--role", "p1",
               "--hired", "2024-01-10").code == 0
    made = cli(*db, "plan", "cy", "--json")
    assert made.code == 0, made.err
    doc = json.loads(made.out)
    assert doc["target"]["role"] == "p2" and doc["readiness"] == 0
    # 10 points: four first steps, then strategy or backend 0 -> 3 (a tie, 6 points each)
    labels = [s["label"] for s in doc["steps"]]
    assert labels[:4] == ["backend 0->1", "frontend 0->1", "infra 0->1", "mentoring 0->1"]
    assert labels[-1] in {"strategy 2->3", "backend 2->3"}
    assert sum(s["gain"] for s in doc["steps"]) == pytest.approx(100)
    assert "growth points" in doc["steps"][0]["reason"]
    assert doc["throughput"]["own_rate"] is None  # no step recorded: the prior alone
    assert doc["throughput"]["rate"] == 2.0


def test_plan_backtest_from_the_command_line(cli, db):
    # ada: hired 2022-01-10, coding 0 -> 1 today; communication and coding 2 come later
    assert cli(*db, "person", "add", "bo", "--name", "Bo", "--role", "eng1",
               "--hired", "2022-01-10").code == 0
    text = cli(*db, "plan", "backtest", "--at", "2023-01-01")
    assert text.code == 0, text.err
    assert "plans on 2023-01-01 scored against the ledger to " in text.out
    assert "employed 2, planned 2" in text.out and "coverage of [P10, P90]" in text.out
    doc = json.loads(cli(*db, "plan", "backtest", "--at", "2023-01-01", "--json").out)
    assert doc["planned"] == 2 and {c["person"] for c in doc["cases"]} == {"ada", "bo"}
    assert all(c["censored_by"] == "ledger end" for c in doc["cases"])  # neither is ready


@pytest.mark.parametrize(("at", "message"), [
    ("2099-01-01", "--at 2099-01-01 is in the future"),
    ("2001-01-01", "--at 2001-01-01 is before the ledger's first event (2022-01-10)"),
    ("2999-99-01", "malformed --at '2999-99-01': use YYYY-MM-DD"),
])
def test_plan_backtest_bad_dates_are_one_line(cli, db, at, message):
    result = cli(*db, "plan", "backtest", "--at", at)
    assert result.code == 1
    assert message in result.err and result.err.count("\n") == 1, result.err


def test_plan_backtest_needs_something_after_the_date(cli, db):
    result = cli(*db, "plan", "backtest", "--at", date.today().isoformat())
    assert result.code == 1 and "on or after the ledger's last event" in result.err
    assert result.err.count("\n") == 1
