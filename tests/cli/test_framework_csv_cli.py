"""``trellis framework import-csv``, ``import-case`` and ``export`` through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from conftest import TINY

SHEET = """\
topic,level,criterion,example,track
Communication,L1,"Gives regular updates, in writing",A weekly note,
Communication,L2,Explains trade-offs,"Wrote the
design doc",
Craft,L1,Writes tests,,Backend
Craft,L2,Designs services,,Backend
"""


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "ladder.csv"
    path.write_text(SHEET, encoding="utf-8")
    return path


def test_import_csv_prints_a_checked_framework(cli, sheet):
    result = cli("framework", "import-csv", sheet, "--id", "ladder", "--name", "Ladder",
                 "--levels", "L1,L2,L3")
    assert result.code == 0, result.err
    document = yaml.safe_load(result.out)
    assert document["id"] == "ladder"
    assert [lv["id"] for lv in document["levels"]] == ["L1", "L2", "L3"]
    assert [t["id"] for t in document["topics"]] == ["communication", "craft"]
    assert document["topics"][1]["tracks"] == ["backend"]
    assert [r["id"] for r in document["roles"]] == ["backend-L1", "backend-L2", "backend-L3"]


def test_import_csv_writes_yaml_or_json_and_the_result_validates(cli, sheet, tmp_path):
    for name in ("out.yaml", "out.json"):
        out = tmp_path / name
        result = cli("framework", "import-csv", sheet, "--out", out)
        assert result.code == 0, result.err
        assert f"wrote {out}" in result.out
        assert cli("framework", "validate", out).code == 0
    assert json.loads((tmp_path / "out.json").read_text())["id"] == "ladder"


def test_a_bad_sheet_reports_every_problem_and_writes_nothing(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("topic,level,criterion\nCraft,L1,\n,L2,Codes\n", encoding="utf-8")
    out = tmp_path / "out.yaml"
    result = cli("framework", "import-csv", bad, "--out", out)
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[0] == f"{bad}:2: criterion: empty: every row needs a criterion"
    assert lines[1] == f"{bad}:3: topic: empty: every row needs a topic"
    assert "2 problems, nothing written" in lines[2]
    assert not out.exists()


def test_a_problem_the_framework_check_finds_is_placed_at_its_cell(cli, tmp_path):
    bad = tmp_path / "long.csv"
    bad.write_text("topic,level,criterion\n" + "Craft,L1,Codes\n" +
                   f"{'x' * 501},L1,Designs\n", encoding="utf-8")
    result = cli("framework", "import-csv", bad)
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(f"{bad}:3: topic: ")


def test_import_csv_into_a_framework_and_load_it(cli, sqlite_url, tmp_path):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    sheet = tmp_path / "topics.csv"
    sheet.write_text("topic,level,criterion\nOwnership,Junior,Owns a task\n"
                     "Ownership,L3,Owns a system\n", encoding="utf-8")
    refused = cli(*db, "framework", "import-csv", sheet, "--into", TINY, "--load")
    assert refused.code == 1
    assert "unknown topic 'Ownership'" in refused.err
    result = cli(*db, "framework", "import-csv", sheet, "--into", TINY, "--add-topics",
                 "--activate")
    assert result.code == 0, result.err
    assert "loaded 'tiny' version 2 [active]" in result.out
    shown = yaml.safe_load(cli(*db, "framework", "show", "--yaml").out)
    assert shown["topics"][0]["criteria"][1] == {"id": "ownership.L3.1", "level": "L3",
                                                 "text": "Owns a system"}
    assert shown["skill_bands"]  # the rest of the framework is kept


def test_into_says_which_criteria_a_replaced_topic_loses(cli, sheet, tmp_path):
    base = tmp_path / "base.yaml"
    assert cli("framework", "import-csv", sheet, "--out", base).code == 0
    smaller = tmp_path / "smaller.csv"
    smaller.write_text("topic,level,criterion,id\nCommunication,L1,Gives updates,"
                       "communication.L1.1\n", encoding="utf-8")
    result = cli("framework", "import-csv", smaller, "--into", base)
    assert result.code == 0, result.err
    assert result.err.strip() == (f"note: 1 criteria of {base} are not in the sheet and leave "
                                  "the framework: communication.L2.1")
    topic = yaml.safe_load(result.out)["topics"][0]
    assert topic["criteria"] == [{"id": "communication.L1.1", "level": "L1",
                                  "text": "Gives updates"}]


def test_round_trip_through_the_database_csv_and_case(cli, sqlite_url, sheet, tmp_path):
    db = ("--db", sqlite_url)
    assert cli(*db, "init").code == 0
    loaded = cli(*db, "framework", "import-csv", sheet, "--id", "ladder", "--activate")
    assert loaded.code == 0, loaded.err
    first = yaml.safe_load(cli(*db, "framework", "show", "--yaml").out)

    exported = cli(*db, "framework", "export")
    assert exported.code == 0, exported.err
    rows = list(csv.reader(io.StringIO(exported.out)))
    assert rows[0] == ["topic", "level", "criterion", "example", "track", "id"]
    again = tmp_path / "ladder.csv"
    again.write_text(exported.out, encoding="utf-8", newline="")
    second = yaml.safe_load(cli("framework", "import-csv", again, "--id", "ladder").out)
    assert second == first

    case = tmp_path / "ladder.case.json"
    assert cli(*db, "framework", "export", "--format", "case", "--out", case).code == 0
    package = json.loads(case.read_text())
    assert package["CFDocument"]["title"] == "ladder"
    assert cli(*db, "framework", "export", "--format", "case").out == case.read_text()
    third = cli(*db, "framework", "import-case", case, "--load")
    assert third.code == 0, third.err
    assert "'ladder' is unchanged (version 1)" in third.out  # the same document


def test_export_a_file_and_refuse_unknown_formats(cli, tmp_path):
    result = cli("framework", "export", TINY, "--format", "case")
    assert result.code == 0, result.err
    assert json.loads(result.out)["CFDocument"]["title"] == "Tiny Co"
    assert cli("framework", "export", TINY, "--format", "xml").code == 2
    no_criteria = cli("framework", "export", TINY)
    assert no_criteria.code == 1
    assert "has no criteria to write as a spreadsheet" in no_criteria.err


def test_bad_case_json_is_refused_with_its_line(cli, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "CFItems": []\n}\n', encoding="utf-8")
    result = cli("framework", "import-case", bad)
    assert result.code == 1
    assert result.err.splitlines()[0] == f"{bad}:1: CFDocument: required field is missing"
