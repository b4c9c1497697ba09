"""Pending verification on the command line: a journal counts as before; self-reported
events (imported with their flag, as an export writes it) show as pending in `trellis
profile` and its JSON until `trellis verify` makes them count."""

from __future__ import annotations

import json

from conftest import FIXTURES

BANDS = FIXTURES / "tiny-bands.yaml"


def lines(*records: dict) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_a_cli_journal_counts_at_once_even_a_jump(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", BANDS).code == 0
    assert cli(*db, "person", "add", "ada", "--name", "Ada", "--role", "eng1", "--hired",
               "2022-01-03", "--pay", "50000").code == 0
    for comp in ("coding", "testing"):
        done = cli(*db, "log", "skill_step", "ada", "--competency", comp, "--from", "0",
                   "--to", "2", "--on", "2022-06-01")
        assert done.code == 0, done.err
    doc = json.loads(cli(*db, "profile", "ada", "--json").out)
    assert (doc["bands"], doc["pay"]["base"], doc["pending"]) == ({"craft": 1}, 51500, [])


def test_self_reported_events_wait_for_trellis_verify(cli, sqlite_url, tmp_path,
                                                       monkeypatch):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", BANDS).code == 0
    history = tmp_path / "history.jsonl"
    history.write_text(lines(
        {"record": "person", "handle": "ada", "name": "Ada", "email": "ada@example.org"},
        {"id": 1, "person": "ada", "kind": "hire", "effective_on": "2022-01-03",
         "role": "eng1", "pay": 50000, "author": "hr@example.org"},
        {"id": 2, "person": "ada", "kind": "skill_step", "effective_on": "2022-02-01",
         "competency": "coding", "from_mastery": 0, "to_mastery": 2,
         "author": "lead@example.org"},
        {"id": 3, "person": "ada", "kind": "skill_step", "effective_on": "2022-03-01",
         "competency": "testing", "from_mastery": 0, "to_mastery": 2,
         "author": "ada@example.org", "evidence": "my PRs", "self_reported": True,
         "verifier": "lead@example.org"}))
    done = cli(*db, "import", history)
    assert done.code == 0, done.err
    shown = cli(*db, "profile", "ada")
    assert "Pending verification" in shown.out
    assert "testing mastery 0 -> 2" in shown.out and "my PRs" in shown.out
    doc = json.loads(cli(*db, "profile", "ada", "--json").out)
    assert (doc["bands"], doc["pay"]["base"]) == ({}, 50000)
    assert [(p["event_id"], p["would_change"]) for p in doc["pending"]] == \
        [(3, "testing mastery 0 -> 2")]
    timeline = json.loads(cli(*db, "timeline", "ada", "--json").out)
    assert {e["id"]: e["pending"] for e in timeline} == {1: False, 2: False, 3: True}
    assert "(pending verification)" in cli(*db, "timeline", "ada").out

    # an export writes the flag; a fresh database importing it holds the same pending item
    out = tmp_path / "out.jsonl"
    assert cli(*db, "export", "--out", out).code == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r.get("self_reported") for r in exported if r.get("record") == "event"] == \
        [None, None, True]
    other = ("--db", f"sqlite:///{tmp_path / 'other.db'}")
    assert cli(*other, "init", "--framework", BANDS).code == 0
    assert cli(*other, "import", out).code == 0
    assert json.loads(cli(*other, "profile", "ada", "--json").out)["pending"] == doc["pending"]

    # the person cannot verify it under their own email; the lead can
    monkeypatch.setenv("TRELLIS_AUTHOR", "ada@example.org")
    refused = cli(*db, "verify", "3")
    assert refused.code == 1
    assert refused.err.strip() == "error: event 3 was recorded by ada@example.org: " \
                                  "someone else must verify it"
    monkeypatch.setenv("TRELLIS_AUTHOR", "lead@example.org")
    done = cli(*db, "verify", "3", "--notes", "read the PRs")
    assert done.code == 0, done.err
    doc = json.loads(cli(*db, "profile", "ada", "--json").out)
    assert (doc["bands"], doc["pay"]["base"], doc["pending"]) == ({"craft": 1}, 51500, [])
    assert doc["competencies"]["testing"]["reached_on"] == "2022-03-01"
    assert doc["band_upgrades"][0]["on"] != "2022-03-01"  # dated on the verification


def test_a_malformed_flag_is_refused_in_one_line(cli, sqlite_url, tmp_path):
    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", BANDS).code == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text(lines(
        {"record": "person", "handle": "ada", "name": "Ada"},
        {"person": "ada", "kind": "hire", "effective_on": "2022-01-03", "role": "eng1",
         "self_reported": "maybe"}))
    done = cli(*db, "import", bad)
    assert done.code == 1
    assert "self_reported must be true or false, got 'maybe'" in done.err
    assert json.loads(cli(*db, "person", "list", "--json").out) == []
