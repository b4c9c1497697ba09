"""``trellis calibrate ...`` from the command line: every command, and every bad input as
one line, a non-zero exit and nothing written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from conftest import TINY, run_cli
from trellis.adapters import tables as t


def build_rated_team(url: str) -> None:
    """TINY, bob managing ada, cy and dee, whose manager reviews in cycle '2025' rate them
    3, 5 and 4."""
    db = ("--db", url)
    assert run_cli(*db, "init", "--framework", TINY).code == 0
    for handle, role, manager in (("bob", "eng3", None), ("ada", "eng1", "bob"),
                                  ("cy", "eng1", "bob"), ("dee", "eng2", "bob")):
        extra = ("--manager", manager) if manager else ()
        assert run_cli(*db, "person", "add", handle, "--name", handle.title(), "--role", role,
                       "--hired", "2022-01-10", *extra).code == 0
    assert run_cli(*db, "review", "cycle", "open", "2025", "--start", "2025-01-01", "--end",
                   "2025-12-31", "--forms", "self,manager").code == 0
    for handle, rating in (("ada", "3"), ("cy", "5"), ("dee", "4")):
        assert run_cli(*db, "review", "submit", "2025", handle, "--as", "manager", "--rating",
                       rating).code == 0


@pytest.fixture
def db(sqlite_templates, tmp_path):
    """A copy of the team built once (by the CLI) per worker: every test writes its own."""
    return ("--db", sqlite_templates.copy_to("calibration_cli", build_rated_team,
                                             tmp_path / "trellis.db"))


def rows(url: str) -> tuple[int, ...]:
    engine = create_engine(url)
    with engine.connect() as c:
        found = tuple(c.scalar(select(func.count()).select_from(table)) for table in (
            t.events, t.calibration_sessions, t.calibration_members))
    engine.dispose()
    return found  # type: ignore[return-value]


def cells(out: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines()
            if line.startswith("│")]


def test_open_show_change_close_and_list(cli, db):
    opened = cli(*db, "calibrate", "open", "2025", "--team", "bob", "--name", "eng 2025")
    assert opened.code == 0, opened.err
    assert " ".join(opened.out.split()) == ("opened calibration session 'eng 2025' (team bob "
                                            "in review cycle '2025') for 3 people")
    shown = cli(*db, "calibrate", "show", "eng 2025")
    assert shown.code == 0, shown.err
    table = cells(shown.out)
    assert ["3", "meets", "1", "33.3%"] in table  # no target in the tiny framework
    assert ["high", "2: cy, dee", "0", "0"] in table  # 9-box: cy and dee, readiness low
    assert ["mid", "1: ada", "0", "0"] in table
    changed = cli(*db, "calibrate", "change", "eng 2025", "cy", "--rating", "4", "--reason",
                  "above the bar, not far above")
    assert changed.code == 0, changed.err
    assert changed.out.startswith("calibrated cy's rating from 5 to 4 (event ")
    doc = json.loads(cli(*db, "calibrate", "show", "eng 2025", "--json").out)
    assert [(m["handle"], m["rating"], m["manager_rating"]) for m in doc["members"]] == [
        ("cy", 4, 5), ("dee", 4, 4), ("ada", 3, 3)]
    assert [d["count"] for d in doc["distribution"]] == [0, 0, 1, 2, 0]
    assert {(b["performance"], b["readiness"]): b["people"] for b in doc["nine_box"]["boxes"]
            if b["count"]} == {("high", "low"): ["cy", "dee"], ("mid", "low"): ["ada"]}
    profile = json.loads(cli(*db, "profile", "cy", "--json").out)
    manager = profile["reviews"]["2025"]["manager"][0]
    assert (manager["rating"], manager["calibrated"]) == (5, 4)
    assert cli(*db, "calibrate", "close", "eng 2025").out.strip() == \
        "closed calibration session 'eng 2025'"
    listed = json.loads(cli(*db, "calibrate", "list", "--json").out)
    assert [(s["name"], s["cycle"], s["group_kind"], s["group"], s["status"], s["members"])
            for s in listed] == [("eng 2025", "2025", "team", "bob", "closed", 3)]
    assert "eng 2025" in cli(*db, "calibrate", "list").out


def test_a_target_distribution_shows_its_columns(cli, sqlite_url, tmp_path):
    framework = tmp_path / "target.yaml"
    framework.write_text(TINY.read_text(encoding="utf-8") + "reviews:\n  target_distribution:"
                         " {1: 10, 2: 20, 3: 40, 4: 20, 5: 10}\n", encoding="utf-8")
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", str(framework)).code == 0
    for handle, manager in (("bob", None), ("ada", "bob")):
        extra = ("--manager", manager) if manager else ()
        assert cli(*db, "person", "add", handle, "--name", handle, "--role", "eng1",
                   "--hired", "2022-01-10", *extra).code == 0
    assert cli(*db, "review", "cycle", "open", "2025", "--start", "2025-01-01", "--end",
               "2025-12-31").code == 0
    assert cli(*db, "review", "submit", "2025", "ada", "--as", "manager", "--rating",
               "3").code == 0
    assert cli(*db, "calibrate", "open", "2025", "--level", "L1").code == 0
    shown = cli(*db, "calibrate", "show", "2025 level L1")
    assert ["3", "meets", "1", "100%", "40%", "1", "+0"] in cells(shown.out)
    assert ["1", "well below", "0", "0%", "10%", "0", "+0"] in cells(shown.out)


@pytest.mark.parametrize(("args", "message"), [
    (("open", "2025"), "error: give exactly one group: --team MANAGER, --level LEVEL or "
                       "--track TRACK"),
    (("open", "2025", "--team", "bob", "--track", "eng"), "error: give exactly one group"),
    (("open", "2024", "--team", "bob"), "error: unknown review cycle '2024'"),
    (("open", "2025", "--level", "L9"), "error: unknown level 'L9' in framework 'tiny'"),
    (("open", "2025", "--team", "ada"), "error: nobody in review cycle '2025' is in team "
                                        "ada"),
    (("open", "2025", "--team", "bob", "--name", "s"), "error: a calibration session named "
                                                       "'s' already exists"),
    (("show", "nope"), "error: unknown calibration session 'nope'"),
    (("change", "s", "cy", "--rating", "9", "--reason", "x"),
     "error: rating 9 is outside the scale 1-5"),
    (("change", "s", "cy", "--rating", "4", "--reason", " "),
     "error: give the reason for the change (--reason)"),
    (("change", "s", "cy", "--rating", "5", "--reason", "x"),
     "error: cy's rating in cycle '2025' is already 5"),
    (("change", "s", "bob", "--rating", "4", "--reason", "x"),
     "error: bob is not in calibration session 's' (team bob in review cycle '2025')"),
    (("change", "s", "zed", "--rating", "4", "--reason", "x"), "error: unknown person 'zed'"),
    (("change", "s", "cy", "--rating", "four", "--reason", "x"),
     "error: Invalid value for '--rating': Input should be a valid integer"),
    (("close", "nope"), "error: unknown calibration session 'nope'"),
])
def test_bad_input_is_one_line_and_nothing_is_written(cli, db, args, message):
    assert cli(*db, "calibrate", "open", "2025", "--team", "bob", "--name", "s").code == 0
    before = rows(db[1])
    done = cli(*db, "calibrate", *args)
    assert done.code != 0
    assert message in " ".join(done.err.split())
    assert rows(db[1]) == before


def test_a_closed_session_takes_no_change_and_log_refuses_the_kind(cli, db):
    assert cli(*db, "calibrate", "open", "2025", "--team", "bob", "--name", "s").code == 0
    assert cli(*db, "calibrate", "close", "s").code == 0
    before = rows(db[1])
    done = cli(*db, "calibrate", "change", "s", "cy", "--rating", "4", "--reason", "x")
    assert (done.code, done.err.strip()) == (1, "error: calibration session 's' is closed")
    again = cli(*db, "calibrate", "close", "s")
    assert again.code == 1 and "already closed" in again.err
    logged = cli(*db, "log", "calibration", "cy")
    assert logged.code == 1 and "trellis calibrate change SESSION PERSON" in logged.err
    assert rows(db[1]) == before
