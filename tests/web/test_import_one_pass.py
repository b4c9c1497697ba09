"""One upload names every problem of a file, whichever phase finds it: a row that cannot be
read, a person or event the database refuses, and each event that breaks a ledger rule in
a career (several in one career too), so nobody fixes a file line by line over uploads."""

from __future__ import annotations

import csv
import io
import json

from .test_import_page import events_of, lines, stream

COLUMNS = ["record", "handle", "name", "email", "manager", "person", "kind", "effective_on",
           "role", "pay", "competency", "from_mastery", "to_mastery", "retracts", "reason",
           "certification"]


def csv_file(*rows: dict[str, object]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def hire(person: str, on: str = "2023-01-02") -> dict[str, object]:
    return {"record": "event", "person": person, "kind": "hire", "effective_on": on,
            "role": "eng1", "pay": 44000}


ROWS = [
    {"record": "person", "handle": "ana", "name": "Ana", "manager": "mgr"},           # 2
    hire("ana"),                                                                      # 3
    {"record": "event", "person": "ana", "kind": "skill_step",                        # 4
     "effective_on": "2023-02-30", "competency": "coding", "from_mastery": 0,
     "to_mastery": 1},
    {"record": "event", "person": "ana", "kind": "skill_step",                        # 5
     "effective_on": "2023-03-01", "competency": "coding", "from_mastery": 1,
     "to_mastery": 2},
    {"record": "event", "person": "ana", "kind": "promotion",                         # 6
     "effective_on": "2023-04-01", "role": "eng1", "pay": 45000},
    {"record": "event", "person": "ana", "kind": "retraction",                        # 7
     "effective_on": "2023-05-01", "retracts": 999999, "reason": "typo"},
    {"record": "event", "person": "ana", "kind": "certification",                     # 8
     "effective_on": "2100-01-01", "certification": "First aid"},
    {"record": "person", "handle": "twin", "name": "Twin", "email": "emp@x.org"},     # 9
    hire("twin"),                                                                     # 10
    {"record": "event", "person": "twin", "kind": "skill_step",                       # 11
     "effective_on": "2023-02-01", "competency": "cooking", "from_mastery": 0,
     "to_mastery": 1},
]
EXPECTED = {
    4: "malformed effective_on",
    5: "coding is at mastery 0, not 1",
    6: "is not above the current level",
    7: "unknown event 999999",
    8: "the date is in the future",
    9: "a person with email 'emp@x.org' already exists",
    11: "unknown competency 'cooking'",
}


def test_every_phase_reports_in_one_response(app, clients):
    found = lines(stream(clients["hr"], "mixed.csv", csv_file(*ROWS)))[-1]["rejected"]
    by_line = {p["line"]: p["message"] for p in found["problems"]}
    assert sorted(by_line) == sorted(EXPECTED), by_line
    for line, words in EXPECTED.items():
        assert words in by_line[line], (line, by_line[line])
    assert found["message"] == f"mixed.csv: {len(EXPECTED)} bad row(s); nothing was imported"
    assert events_of(app, "ana") is None and events_of(app, "twin") is None


def test_the_page_without_script_lists_the_same_problems(clients):
    page = clients["hr"].post("/org/import", files={"file": ("mixed.csv", csv_file(*ROWS),
                                                               "text/csv")})
    assert page.status_code == 422
    for words in EXPECTED.values():
        assert words.replace("'", "&#39;") in page.text, words


def test_the_command_line_lists_the_same_problems(tmp_path, cli, web_url):
    path = tmp_path / "mixed.csv"
    path.write_bytes(csv_file(*ROWS))
    done = cli("--db", web_url, "import", path)
    assert done.code == 1
    said = " ".join(done.err.split())
    for line, words in EXPECTED.items():
        assert f"mixed.csv:{line}: " in said and words in said, words
    assert f"{len(EXPECTED)} bad" in said


def test_a_career_without_its_hire_stops_there(clients):
    rows = [{"record": "person", "handle": "nohire", "name": "No Hire"},
            {"record": "event", "person": "nohire", "kind": "certification",
             "effective_on": "2023-02-01", "certification": "A"},
            {"record": "event", "person": "nohire", "kind": "certification",
             "effective_on": "2023-03-01", "certification": "B"}]
    found = lines(stream(clients["hr"], "nohire.csv", csv_file(*rows)))[-1]["rejected"]
    assert [(p["line"], p["message"]) for p in found["problems"]] == [
        (3, "certification on 2023-02-01 is before the hire")]


def test_a_good_file_still_imports(app, clients):
    rows = [{"record": "person", "handle": "fine", "name": "Fine", "manager": "mgr"},
            hire("fine"),
            {"record": "event", "person": "fine", "kind": "skill_step",
             "effective_on": "2023-03-01", "competency": "coding", "from_mastery": 0,
             "to_mastery": 1}]
    last = lines(stream(clients["hr"], "fine.csv", csv_file(*rows)))[-1]
    assert last["result"]["events"] == 2, json.dumps(last)
    assert events_of(app, "fine") == 2
