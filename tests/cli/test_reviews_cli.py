"""``trellis review ...`` from the command line: a whole cycle, and every bad input as one
line, a non-zero exit and nothing written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, func, select

from conftest import TINY, run_cli
from trellis.adapters import tables as t


def build_cycle(url: str) -> None:
    """TINY, bob managing ada and cy, and review cycle '2025' open for the three."""
    db = ("--db", url)
    assert run_cli(*db, "init", "--framework", TINY).code == 0
    for handle, role, manager in (("bob", "eng3", None), ("ada", "eng1", "bob"),
                                  ("cy", "eng1", "bob")):
        extra = ("--manager", manager) if manager else ()
        assert run_cli(*db, "person", "add", handle, "--name", handle.title(), "--role", role,
                       "--hired", "2022-01-10", *extra).code == 0
    opened = run_cli(*db, "review", "cycle", "open", "2025", "--start", "2025-01-01", "--end",
                     "2025-12-31", "--forms", "self,manager,peer", "--due-self", "2025-01-15")
    assert opened.code == 0, opened.err
    assert "opened review cycle '2025' (2025-01-01 to 2025-12-31; self, manager, peer) for 3 " \
        "people" in " ".join(opened.out.split())


@pytest.fixture
def db(sqlite_templates, tmp_path):
    """A copy of the cycle built once (by the CLI) per worker: every test writes its own."""
    return ("--db", sqlite_templates.copy_to("reviews_cli", build_cycle,
                                             tmp_path / "trellis.db"))


def rows(url: str) -> tuple[int, ...]:
    engine = create_engine(url)
    with engine.connect() as c:
        found = tuple(c.scalar(select(func.count()).select_from(table)) for table in (
            t.events, t.review_cycles, t.review_participants, t.review_nominations))
    engine.dispose()
    return found  # type: ignore[return-value]


def test_a_whole_cycle(cli, db):
    assert cli(*db, "review", "nominate", "2025", "ada", "--peer", "cy",
               "--anonymous").code == 0
    done = cli(*db, "review", "submit", "2025", "ada", "--as", "self", "--rating", "4",
               "--rate", "coding=2", "--goal", "ship the API=met:98.5", "--comment", "a year")
    assert done.code == 0, done.err
    assert done.out.startswith("submitted the self review of ada in '2025' (event ")
    assert cli(*db, "review", "submit", "2025", "ada", "--as", "manager", "--rating", "3",
               "--rate", "coding=1", "--goal", "ship the API=partly").code == 0
    assert cli(*db, "review", "submit", "2025", "ada", "--as", "peer", "--by", "cy",
               "--rating", "5").code == 0
    shown = cli(*db, "review", "show", "ada")
    assert shown.code == 0, shown.err
    lines = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
             for line in shown.out.splitlines() if line.startswith("│")}
    assert lines["overall"] == ["4 exceeds", "3 meets", "5 far exceeds"]
    assert lines["coding"] == ["2", "1", ""]
    assert lines["goal: ship the API"] == ["met (98.5)", "partly", ""]
    assert "self (ada)" in shown.out and "manager (bob)" in shown.out
    assert "peer 1 (anonymous)" in shown.out
    doc = json.loads(cli(*db, "review", "show", "ada", "--cycle", "2025", "--json").out)
    cycle = doc["cycles"]["2025"]
    assert [cycle[r][0]["rating"] for r in ("self", "manager", "peer")] == [4, 3, 5]
    assert cycle["peer"][0]["reviewer"] is None and cycle["manager"][0]["reviewer"] == "bob"
    progress = json.loads(cli(*db, "review", "progress", "2025", "--json").out)
    by = {p["person"]: p for p in progress["people"]}
    assert by["ada"] == {"person": "ada", "submitted": ["self", "manager", "peer"],
                         "peers": {"done": 1, "nominated": 1}, "overdue": []}
    assert by["cy"]["overdue"] == ["self"]  # due 2025-01-15, long past
    table = cli(*db, "review", "progress", "2025").out
    assert "1 of 3 complete" in table and "done overdue" not in table
    assert cli(*db, "review", "cycle", "close", "2025").out.strip() == \
        "closed review cycle '2025'"
    listed = json.loads(cli(*db, "review", "cycle", "list", "--json").out)
    assert [(c["name"], c["status"], c["people"], c["due"]) for c in listed] == [
        ("2025", "closed", 3, {"self": "2025-01-15"})]
    assert cli(*db, "review", "cycle", "reopen", "2025").code == 0
    assert "open" in cli(*db, "review", "cycle", "list").out
    profile = json.loads(cli(*db, "profile", "ada", "--json").out)
    assert profile["reviews"]["2025"]["self"][0]["rating"] == 4


BAD = [
    (["submit", "2025", "ada", "--as", "self", "--rating", "9"],
     "ada: review on {today}: rating 9 is outside the scale 1-5"),
    (["submit", "2025", "ada", "--as", "self", "--rating", "3", "--rate", "nope=1"],
     "ada: review on {today}: 'nope' is not a competency or criterion of framework 'tiny'"),
    (["submit", "2025", "ada", "--as", "self", "--rating", "3", "--rate", "coding=7"],
     "ada: review on {today}: coding rated 7, above its scale's maximum 5"),
    (["submit", "2025", "ada", "--as", "self", "--rating", "3", "--rate", "coding"],
     "--rate 'coding': write ID=RATING, e.g. coding=3"),
    (["submit", "2025", "ada", "--as", "self", "--rating", "3", "--rate", "coding=1",
      "--rate", "coding=2"], "--rate: 'coding' is rated twice"),
    (["submit", "2025", "ada", "--as", "self", "--rating", "3", "--goal", "ship=maybe"],
     "--goal 'ship=maybe': the result must be one of met, partly, not"),
    (["submit", "2025", "ada", "--as", "boss", "--rating", "3"],
     "--as must be one of self, manager, peer, upward"),
    (["submit", "2025", "ada", "--as", "upward", "--by", "bob", "--rating", "3"],
     "review cycle '2025' has no upward reviews (its forms: self, manager, peer)"),
    (["submit", "2025", "ada", "--as", "peer", "--by", "cy", "--rating", "3"],
     "cy is not nominated as a peer reviewer of ada in cycle '2025'"),
    (["submit", "2025", "ada", "--as", "self", "--rating", "x"], None),  # a usage error
    (["submit", "nope", "ada", "--as", "self", "--rating", "3"],
     "unknown review cycle 'nope'"),
    (["submit", "2025", "zed", "--as", "self", "--rating", "3"], "unknown person 'zed'"),
    (["nominate", "2025", "ada", "--peer", "ada"], "ada cannot be their own peer reviewer"),
    (["nominate", "2025", "ada", "--peer", "zed"], "unknown person 'zed'"),
    (["cycle", "open", "2025", "--start", "2025-01-01", "--end", "2025-02-01"],
     "a review cycle named '2025' already exists"),
    (["cycle", "open", "x", "--start", "2025-03-01", "--end", "2025-02-01"],
     "the period ends (2025-02-01) before it starts (2025-03-01)"),
    (["cycle", "open", "x", "--start", "2025-02-30", "--end", "2025-03-01"],
     "malformed --start '2025-02-30': use YYYY-MM-DD"),
    (["cycle", "open", "x", "--start", "2025-01-01", "--end", "2025-03-01", "--forms",
      "self,boss"], "unknown review form 'boss' (forms: self, manager, peer, upward)"),
    (["cycle", "open", "x", "--start", "2025-01-01", "--end", "2025-03-01", "--forms",
      "self", "--due-peer", "2025-02-01"], "--due-peer: the cycle has no peer reviews"),
    (["cycle", "open", "x", "--start", "2025-01-01", "--end", "2025-03-01", "--team",
      "ada"], "nobody would be in the cycle: ada has no active reports"),
    (["cycle", "reopen", "2025"], "review cycle '2025' is already open"),
    (["cycle", "close", "nope"], "unknown review cycle 'nope'"),
    (["progress", "nope"], "unknown review cycle 'nope'"),
    (["show", "ada", "--cycle", "nope"], "unknown review cycle 'nope'"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_every_bad_input_is_one_line_and_writes_nothing(cli, db, sqlite_url, args, message):
    from trellis.services import clock

    before = rows(sqlite_url)
    result = cli(*db, "review", *args)
    assert result.code != 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    if message is not None:
        assert lines[0] == "error: " + message.format(today=clock.today())
    assert rows(sqlite_url) == before


def test_a_second_submission_is_refused_and_log_points_to_review_submit(cli, db, sqlite_url):
    assert cli(*db, "review", "submit", "2025", "ada", "--as", "self", "--rating",
               "3").code == 0
    before = rows(sqlite_url)
    again = cli(*db, "review", "submit", "2025", "ada", "--as", "self", "--rating", "4")
    assert again.code == 1 and "already has a self review in cycle '2025'" in again.err
    logged = cli(*db, "log", "review", "ada")
    assert logged.err.strip() == ("error: use `trellis review submit CYCLE PERSON ...` to "
                                  "submit a review")
    assert rows(sqlite_url) == before
