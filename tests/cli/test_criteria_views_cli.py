"""Profile, timeline, layers, pipeline and compare on a criteria framework, through the CLI."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES

CRITERIA = FIXTURES / "criteria-tracks.yaml"
# backend-2 expects comms.1, comms.2, be.1, be.2 (cumulative); each person shows some
SHOWN = {"dee": ("comms.1", "comms.2", "be.1", "be.2"), "ann": ("comms.1", "comms.2", "be.1"),
         "bob": ("comms.1",), "cy": ()}


@pytest.fixture
def db(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", CRITERIA).code == 0
    for handle, shown in SHOWN.items():
        assert cli(*db, "person", "add", handle, "--name", handle.title(), "--role",
                   "backend-1", "--hired", "2022-01-10").code == 0
        for criterion in shown:
            assert cli(*db, "log", "demonstrated", handle, "--criterion", criterion,
                       "--evidence", f"{criterion} shown").code == 0
    assert cli(*db, "person", "add", "eve", "--name", "Eve", "--role", "web-1",
               "--hired", "2022-01-10").code == 0
    return db


def test_the_pipeline_ranks_by_criteria_met_and_counts_them_as_steps(cli, db):
    result = cli(*db, "pipeline", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    people = [(p["person"]["handle"], p["score"], p["ready"], p["criteria_missing"])
              for p in doc["people"]]
    assert people == [("dee", 100.0, True, 0), ("ann", 75.0, False, 1),
                      ("bob", 25.0, False, 3), ("cy", 0.0, False, 4)]
    assert doc["without_next_role"] == 1  # eve: web has no level above
    assert doc["people"][1]["failed_gates"] == ["criteria coverage"]
    table = cli(*db, "pipeline").out
    ann = next(line for line in table.splitlines() if " ann " in line)
    assert [c for c in ann.split() if c != "│"][-1] == "1"  # steps: one criterion to show


def test_profile_and_layers_show_criteria_per_topic_with_assessors_apart(cli, db):
    assert cli(*db, "log", "assessed", "bob", "--criterion", "be.1", "--proficiency", "3",
               "--assessor", "self").code == 0
    assert cli(*db, "log", "assessed", "bob", "--criterion", "be.1", "--proficiency", "1",
               "--assessor", "manager").code == 0
    result = cli(*db, "profile", "bob")
    assert result.code == 0, result.err
    out = " ".join(result.out.split())
    assert "Communication: 1 of the 1 criteria the role expects met" in out
    assert "Backend mastery: 0 of the 1 criteria the role expects met" in out
    assert "3 (" in out and "1 (" in out  # self and manager, side by side
    doc = json.loads(cli(*db, "profile", "bob", "--json").out)
    assert doc["criteria"]["be.1"]["assessments"]["self"]["proficiency"] == 3
    assert doc["criteria"]["be.1"]["assessments"]["manager"]["proficiency"] == 1
    assert doc["criteria"]["comms.1"]["demonstrations"] == 1
    layers = cli(*db, "layers", "ann")
    assert layers.code == 0, layers.err
    assert "✓ Gives regular status updates (comms.1, L1" in layers.out
    topics = json.loads(cli(*db, "layers", "ann", "--json").out)["topics"]
    assert [(t["id"], t["met"], t["expected"], t["held"][-1]) for t in topics] == [
        ("communication", 2, 1, 2), ("backend.mastery", 1, 1, 1)]


def test_the_timeline_says_the_criterion_the_evidence_and_the_assessor(cli, db):
    assert cli(*db, "log", "assessed", "bob", "--criterion", "comms.2", "--proficiency", "2",
               "--assessor", "peer").code == 0
    out = " ".join(cli(*db, "timeline", "bob").out.replace("│", " ").split())
    assert 'Demonstrated "Gives regular status updates" (comms.1): comms.1 shown' in out
    assert 'Assessed "Proactively gives feedback upwards" (comms.2) at 2 (consistently)' in out


def test_compare_counts_criteria_demonstrated_as_micro_progressions(cli, db):
    result = cli(*db, "compare", "--json")
    assert result.code == 0, result.err
    features = {f["id"]: f for f in json.loads(result.out)["features"]}
    assert features["definition"]["detail"]["kinds"]["micro_progression"][
        "demonstrated"] == 8
    role = {m["id"]: m for m in features["role"]["measures"]}
    assert role["criteria"]["cells"]["micro_progression"]["n"] == 8  # below the least n, 10
    assert role["mastery_steps"]["cells"]["micro_progression"] == {
        "value": None, "n": 0, "status": "insufficient data (n=0)", "ci95": None}
    assert cli(*db, "compare").code == 0
