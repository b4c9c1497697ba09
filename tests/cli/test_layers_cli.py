"""``trellis layers``: the matrix, the JSON document, the chart, and its one-line errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from conftest import TINY

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def db(cli, sqlite_url):
    """TINY and Ada (eng1, hired 2020-01-06) with a few dated skill steps."""
    def run(*args):
        return cli("--db", sqlite_url, *args)

    steps = [("coding", 0, 1, "2020-01-06"), ("coding", 1, 2, "2020-08-10"),
             ("communication", 0, 1, "2021-02-01"), ("coding", 2, 3, "2021-09-15")]
    setup = [("init", "--framework", TINY),
             ("person", "add", "ada", "--name", "Ada Lovelace", "--role", "eng1",
              "--hired", "2020-01-06", "--pay", "45000")]
    setup += [("log", "skill_step", "ada", "--competency", c, "--from", str(a), "--to", str(b),
               "--on", on) for c, a, b, on in steps]
    for args in setup:
        result = run(*args)
        assert result.code == 0, result.err
    return run


def one_line_error(result) -> str:
    assert result.code == 1, result
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: ")
    return lines[0].removeprefix("error: ")


def test_the_matrix_shows_each_competency_with_its_current_mastery(db):
    result = db("layers", "ada", "--at", "2022-03-01")
    assert result.code == 0, result.err
    out = result.out
    assert "Competency layers of Ada Lovelace (ada) on 2022-03-01" in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["Coding"].split()[-2:] == ["3", "2021-09-15"]
    assert lines["Communication"].split()[-2:] == ["1", "2021-02-01"]
    assert "Craft" in lines and "People" in lines
    assert "Mentoring" not in lines  # not started
    assert "3 practitioner" in out and "a cell is a quarter" in out
    assert max(len(line) for line in out.splitlines()) <= 120


def test_all_adds_the_competencies_not_started(db):
    out = db("layers", "ada", "--all", "--at", "2022-03-01").out
    assert "Design systems" in out and "Mentoring" in out


def test_json_document(db):
    result = db("layers", "ada", "--json", "--at", "2021-06-30")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["person"] == {"id": 1, "handle": "ada", "name": "Ada Lovelace"}
    assert doc["schema"] == 1 and doc["grain"] == "quarter" and doc["as_of"] == "2021-06-30"
    assert [p["label"] for p in doc["periods"]][:2] == ["2020Q1", "2020Q2"]
    assert len(doc["periods"]) == 6
    craft, people = doc["bands"]
    assert (craft["id"], people["id"]) == ("craft", "people")
    coding = craft["competencies"][0]
    assert coding["id"] == "coding" and coding["mastery"] == 2
    assert coding["held"] == [1, 1, 2, 2, 2, 2]
    assert [s["to"] for s in coding["steps"]] == [1, 2]
    assert people["competencies"][0]["held"] == [0, 0, 0, 0, 1, 1]
    assert doc["band_upgrades"] == []


def test_plot_writes_a_png(db, tmp_path):
    target = tmp_path / "layers.png"
    result = db("layers", "ada", "--plot", target)
    assert result.code == 0, result.err
    data = target.read_bytes()
    assert len(data) > 0 and data.startswith(PNG_SIGNATURE)
    assert f"chart written to {target}" in result.out.replace("\n", "")


def test_plot_writes_an_svg_and_json_stays_clean(db, tmp_path):
    target = tmp_path / "layers.SVG"
    result = db("layers", "ada", "--json", "--plot", target)
    assert result.code == 0, result.err
    json.loads(result.out)  # nothing but the document on stdout
    root = ET.parse(target).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("name", ["layers.pdf", "layers"])
def test_plot_with_an_unknown_suffix_is_one_line(db, tmp_path, name):
    message = one_line_error(db("layers", "ada", "--plot", tmp_path / name))
    assert "use a .png or .svg file" in message
    assert not (tmp_path / name).exists()


def test_plot_into_a_missing_directory_is_one_line(db, tmp_path):
    message = one_line_error(db("layers", "ada", "--plot", tmp_path / "nope" / "l.png"))
    assert "no such directory" in message


def test_unknown_person_is_one_line(db):
    assert one_line_error(db("layers", "zed")) == "unknown person 'zed'"


def test_malformed_date_is_one_line(db):
    assert "malformed --at" in one_line_error(db("layers", "ada", "--at", "soon"))


def test_a_person_with_no_layers_gets_a_note_and_an_empty_chart(db, tmp_path):
    assert db("person", "add", "bob", "--name", "Bob", "--role", "eng1",
              "--hired", "2021-01-04").code == 0
    result = db("layers", "bob", "--plot", tmp_path / "bob.png")
    assert result.code == 0, result.err
    assert result.err == ""  # no matplotlib warning either
    assert "no competency layers yet" in result.out
    assert (tmp_path / "bob.png").read_bytes().startswith(PNG_SIGNATURE)
