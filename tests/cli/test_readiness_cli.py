"""``trellis readiness``, ``pipeline`` and ``promote`` through the CLI (today: 2025-06-30)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from conftest import FIXTURES
from trellis.services import clock

GATED = FIXTURES / "tiny-gates.yaml"


@pytest.fixture
def run(cli, sqlite_url, monkeypatch):
    """The CLI on a database with the gated tiny framework, mia (eng3) and ada (eng1)."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 6, 30, 12, 0))

    def trellis(*args: str):
        return cli("--db", sqlite_url, *args)

    for args in (
        ("init", "--framework", GATED),
        ("person", "add", "mia", "--name", "Mia Chen", "--role", "eng3", "--hired",
         "2020-01-01"),
        ("person", "add", "ada", "--name", "Ada Lovelace", "--role", "eng1", "--hired",
         "2024-01-01", "--pay", "45000", "--manager", "mia"),
        ("log", "skill_step", "ada", "--competency", "coding", "--from", "0", "--to", "2",
         "--on", "2024-01-01"),
        ("log", "skill_step", "ada", "--competency", "communication", "--from", "0",
         "--to", "1", "--on", "2025-01-15"),
    ):
        result = trellis(*args)
        assert result.code == 0, result.err
    return trellis


def test_readiness_in_words(run):
    result = run("readiness", "ada")
    assert result.code == 0, result.err
    out = result.out
    assert "Engineer I (eng1, L1) -> Engineer II (eng2, L2)" in out
    assert "66.7 / 100" in out and "coverage before freshness     100" in out
    assert "freshness discount            -33.3" in out
    assert "✓ time in level: 17.9 of 6 months in level" in out
    assert "Coding (coding)" in out and "stale" in out
    assert "Ada Lovelace is 66.7% ready for Engineer II (eng2)." in out


def test_readiness_for_another_role_shows_failed_gates_and_the_gap_table(run):
    out = run("readiness", "ada", "--target", "eng3").out
    assert "✗ must have coding: coding at mastery 2, needs 3" in out
    assert "✗ must have mentoring: mentoring at mastery 0, needs 2" in out
    assert "Gap: 6 mastery steps missing" in out
    words = " ".join(out.split())  # the explanation wraps at the terminal's width
    assert "Not yet: coding at mastery 2, needs 3; mentoring at mastery 0, needs 2." in words


def test_readiness_json(run):
    result = run("readiness", "ada", "--target", "eng3", "--at", "2025-06-01", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert list(doc) == ["person", "as_of", "current", "target", "score", "coverage",
                         "freshness_discount", "ready_at", "ready", "gates_hold", "gates",
                         "steps_missing", "gaps", "criteria_missing", "criteria_gaps",
                         "requirements", "explanation"]
    assert doc["person"] == {"id": 2, "handle": "ada", "name": "Ada Lovelace"}
    assert doc["as_of"] == "2025-06-01"
    assert doc["current"] == {"id": "eng1", "title": "Engineer I", "track": "eng",
                              "level": "L1", "level_rank": 1}
    assert doc["target"]["id"] == "eng3" and doc["score"] == 22.2
    assert doc["gates"][0] == {"name": "must have coding", "holds": False,
                               "detail": "coding at mastery 2, needs 3"}
    assert doc["gaps"][0] == {"competency": "design_systems", "name": "Design systems",
                              "has": 0, "needs": 2, "steps_missing": 2, "stale": False}


@pytest.mark.parametrize(("args", "message"), [
    (("readiness", "ada", "--target", "eng9"), "unknown role 'eng9'"),
    (("readiness", "mia", "--target", "eng1"),
     "target 'eng1' (L1) is below mia's current level L3"),
    (("readiness", "mia"), "mia is at the top of the eng track (eng3); give --target"),
    (("readiness", "zed"), "unknown person 'zed'"),
    (("readiness", "ada", "--at", "2025-13-01"),
     "malformed --at '2025-13-01': use YYYY-MM-DD"),
    (("promote", "ada", "--to", "des1"),
     "'des1' (L1) is at ada's current level: record it as a lateral_move, not a promotion"),
    (("promote", "ada", "--to", "eng2", "--on", "2025-07-01"),
     "promotion on 2025-07-01: the date is in the future"),
    (("pipeline", "--team", "zed"), "unknown person 'zed'"),
])
def test_bad_input_is_one_error_line(run, args, message):
    result = run(*args)
    assert result.code == 1
    assert result.err == f"error: {message}\n"


def test_someone_who_left_is_named_by_handle_and_the_day_in_iso(run):
    assert run("log", "departure", "ada", "--on", "2025-03-31").code == 0
    result = run("readiness", "ada")
    assert result.code == 1
    assert result.err == ("error: ada left on 2025-03-31: readiness is for people in a "
                          "role\n")


def test_a_refused_promotion_prints_the_gates_and_gap_list_then_one_error_line(run):
    result = run("promote", "ada", "--to", "eng3")
    assert result.code == 1
    assert "refused: 2 requirement(s) fail" in result.out
    assert "✗ must have mentoring: mentoring at mastery 0, needs 2" in result.out
    assert "Mentoring (mentoring)" in result.out  # the gap table
    assert result.err == ("error: promotion of ada to eng3 refused, a requirement fails: coding at "
                          "mastery 2, needs 3; mentoring at mastery 0, needs 2 (an override "
                          "with a reason records it anyway)\n")
    assert run("readiness", "ada", "--json").code == 0  # still eng1: nothing written
    assert json.loads(run("readiness", "ada", "--json").out)["current"]["id"] == "eng1"


def test_an_override_is_recorded_on_the_event(run):
    result = run("promote", "ada", "--to", "eng3", "--override", "leads the platform team",
                 "--evidence", "review", "--pay", "61000")
    assert result.code == 0, result.err
    assert "promoted ada from Engineer I (eng1, L1) to Senior Engineer (eng3, L3) on " \
           "2025-06-30, pay 61,000 EUR" in result.out
    assert "override recorded for must have coding, must have mentoring: leads the " \
           "platform team" in result.out
    events = json.loads(run("timeline", "ada", "--json").out)
    assert events[-1]["details"] == {"role": "eng3", "pay": 61000,
                                     "override_reason": "leads the platform team"}
    assert events[-1]["evidence"] == "review"


def test_a_promotion_whose_gates_hold(run):
    result = run("promote", "ada", "--to", "eng2", "--on", "2025-06-01")
    assert result.code == 0, result.err
    assert "pay 48,000 EUR" in result.out and "readiness was 66.7%" in result.out


def test_the_pipeline(run):
    assert run("person", "add", "bo", "--name", "Bo", "--role", "eng1", "--hired",
               "2025-03-01", "--manager", "mia").code == 0
    text = run("pipeline", "--team", "mia")
    assert text.code == 0, text.err
    assert "Readiness pipeline of team of mia on 2025-06-30: 2 people, 0 ready" in text.out
    assert "✗ time in level" in text.out
    doc = json.loads(run("pipeline", "--json", "--limit", "1").out)
    assert doc["team"] is None and (doc["total"], doc["ready"]) == (2, 0)
    assert doc["without_next_role"] == 1
    assert doc["people"] == [{
        "person": {"id": 2, "handle": "ada", "name": "Ada Lovelace"}, "role": "eng1",
        "target": "eng2", "score": 66.7, "coverage": 100.0, "ready": False,
        "gates_hold": True, "failed_gates": [], "steps_missing": 0, "criteria_missing": 0}]
