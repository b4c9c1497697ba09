"""``trellis person attribute ...`` and ``trellis fairness`` from the command line: every
command, and every bad input as one line, a non-zero exit and nothing written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from conftest import TINY
from trellis.adapters import tables as t


@pytest.fixture
def db(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    for handle in ("ada", "alan", "grace"):
        assert cli(*db, "person", "add", handle, "--name", handle.title(), "--role", "eng1",
                   "--hired", "2022-01-10").code == 0
    return db


def stored(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as c:
        found = int(c.scalar(select(func.count()).select_from(t.person_attributes)))
    engine.dispose()
    return found


def one_line_error(result) -> str:
    assert result.code != 0 and result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    return " ".join(lines)


def test_set_list_unset(cli, db, sqlite_url):
    done = cli(*db, "person", "attribute", "set", "ada", "gender", "F")
    assert done.code == 0 and done.out.strip() == "set gender = F for ada"
    assert cli(*db, "person", "attribute", "set", "ada", "location", "London").code == 0
    listed = cli(*db, "person", "attribute", "list", "--json")
    assert [(r["person"], r["name"], r["value"], r["set_by"]) for r in json.loads(listed.out)] \
        == [("ada", "gender", "F", "tester"), ("ada", "location", "London", "tester")]
    table = cli(*db, "person", "attribute", "list")
    assert "Person attributes (2)" in table.out and "London" in table.out
    gone = cli(*db, "person", "attribute", "unset", "ada", "location")
    assert gone.code == 0 and gone.out.strip() == "removed location of ada"
    assert stored(sqlite_url) == 1


def test_bad_input_is_one_line_and_writes_nothing(cli, db, sqlite_url):
    assert "unknown person 'nobody'" in one_line_error(
        cli(*db, "person", "attribute", "set", "nobody", "gender", "F"))
    assert "invalid attribute name 'Age Band'" in one_line_error(
        cli(*db, "person", "attribute", "set", "ada", "Age Band", "30-39"))
    assert "ada has no attribute 'gender'" in one_line_error(
        cli(*db, "person", "attribute", "unset", "ada", "gender"))
    assert "unknown person 'nobody'" in one_line_error(
        cli(*db, "person", "attribute", "list", "--person", "nobody"))
    assert stored(sqlite_url) == 0


def test_import_is_all_or_nothing(cli, db, sqlite_url, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("handle,gender,location\nada,F,London\nalan,M,Lisbon\ngrace,F,\n")
    done = cli(*db, "person", "attribute", "import", good)
    assert done.code == 0, done.err
    assert done.out.strip() == f"imported 5 attribute values for 3 people from {good}"
    bad = tmp_path / "bad.csv"
    bad.write_text("handle,gender,age_band\nada,X,30-39\nnobody,M,20-29\ngrace,F\n")
    error = one_line_error(cli(*db, "person", "attribute", "import", bad))
    assert error == (f"error: invalid import, nothing written: {bad}:4:3: 2 cells where the "
                     f"header has 3 (and 1 more)")
    assert stored(sqlite_url) == 5  # ada's X and 30-39 were not written
    values = {(r["person"], r["name"]): r["value"] for r in json.loads(
        cli(*db, "person", "attribute", "list", "--json").out)}
    assert values[("ada", "gender")] == "F" and ("ada", "age_band") not in values
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("handle,gender\nnobody,M\n")
    assert f"{unknown}:2:1: unknown person 'nobody'" in one_line_error(
        cli(*db, "person", "attribute", "import", unknown))
    assert "no such file" in one_line_error(
        cli(*db, "person", "attribute", "import", tmp_path / "missing.csv"))
    assert stored(sqlite_url) == 5


def test_fairness(cli, db):
    assert "no person attributes are recorded" in one_line_error(cli(*db, "fairness"))
    for handle, gender in (("ada", "F"), ("alan", "M"), ("grace", "F")):
        assert cli(*db, "person", "attribute", "set", handle, "gender", gender).code == 0
    assert cli(*db, "promote", "ada", "--to", "eng2", "--override", "test").code == 0
    found = cli(*db, "fairness", "--attribute", "gender", "--min-group", "1", "--json")
    assert found.code == 0, found.err
    doc = json.loads(found.out)
    promoted = next(a for a in doc["outcomes"] if a["outcome"] == "promoted")
    rates = {g["group"]: (g["people"], g["positives"], g["impact_ratio"])
             for g in promoted["groups"]}
    assert rates == {"F": (2, 1, 1.0), "M": (1, 0, 0.0)}
    assert doc["min_group"] == 1 and doc["four_fifths"] == 0.8
    assert "promoted: gender = M has an impact ratio of 0.00" in doc["warnings"][0]
    shown = cli(*db, "fairness", "--no-scores")
    assert shown.code == 0, shown.err
    text = " ".join(shown.out.split())
    assert "promoted by gender (3 people)" in text and "too few to judge" in text
    assert "groups under 20 people are too few to judge" in text
    assert "unknown attribute 'age' (recorded: gender)" in one_line_error(
        cli(*db, "fairness", "--attribute", "age"))
    assert "is after --until" in one_line_error(
        cli(*db, "fairness", "--since", "2025-01-02", "--until", "2025-01-01"))
    assert "no reviews in cycle 'x'" in one_line_error(cli(*db, "fairness", "--cycle", "x"))
    assert one_line_error(cli(*db, "fairness", "--since", "someday"))
