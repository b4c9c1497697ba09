"""Hostile input over HTTP gets a 4xx problem document with a one-line detail, never a
500, and writes nothing: the import API, the import page and the event API go through the
same checks as the CLI (domain.limits), on every configured engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trellis.domain import limits

PROBLEM = "application/problem+json"


def one_line_problem(response, status: int = 422) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert len(body["detail"].splitlines()) == 1 and len(body["detail"]) < 400, body
    return body


def counts(app) -> tuple[int, int]:
    with app.state.trellis.uow() as uow:
        return uow.people.count(), uow.events.count()


def rows(*records: dict[str, Any]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


NEW = {"record": "person", "handle": "hostile1", "name": "Hostile"}
HIRE = {"record": "event", "person": "hostile1", "kind": "hire", "effective_on": "2023-01-02",
        "role": "eng1"}


@pytest.mark.parametrize(("fmt", "text", "line", "problem"), [
    ("jsonl", rows(NEW, {**HIRE, "kind": ["a"]}), 2, "unknown event kind a list"),
    ("jsonl", rows(NEW, {**HIRE, "kind": {"a": 1}}), 2, "unknown event kind an object"),
    ("jsonl", rows({**NEW, "name": {"first": "Hos"}}), 1, "name must be text, got an object"),
    ("jsonl", rows({**NEW, "name": "Hos\x00tile"}), 1,
     "name contains the control character U+0000"),
    ("jsonl", rows(NEW, {**HIRE, "pay": 2**64}), 2, "hire: pay must be between 0 and "),
    ("jsonl", rows(NEW, {**HIRE, "evidence": "e" * (limits.LONG_TEXT_MAX + 1)}), 2,
     "evidence is 100,001 characters long"),
    ("csv", "record,handle,name\nperson,hostile1,Hos\rtile\n", 2,
     r"a carriage return (\r) inside an unquoted cell"),
    ("csv", "record,handle,name,name\nperson,hostile1,A,B\n", 1, "duplicate column(s): name"),
    ("csv", "record,handle,name\nperson,hostile1,A,B\n", 2,
     "4 cells, but the header names 3 columns"),
])
def test_the_import_api_refuses_hostile_rows_in_one_line(app, clients, fmt, text, line,
                                                         problem):
    before = counts(app)
    r = clients["hr"].post("/api/imports", json={"format": fmt, "text": text})
    body = one_line_problem(r)
    assert body["detail"].startswith(f"invalid import, nothing written: upload.{fmt}:{line}: "
                                     f"{problem}"), body["detail"]
    assert body["problems"][0]["line"] == line
    assert counts(app) == before


def test_the_import_api_reads_a_byte_order_mark(app, clients):
    text = "\ufeffrecord,handle,name\nperson,bommed2,Bo Mmed\n"
    r = clients["hr"].post("/api/imports", json={"format": "csv", "text": text})
    assert r.status_code == 201 and r.json()["people"] == 1, r.text


def test_the_import_page_refuses_a_bare_carriage_return(app, clients):
    before = counts(app)
    body = b"record,handle,name\nperson,hostile2,Hos\rtile\n"
    page = clients["hr"].post("/org/import", files={"file": ("cr.csv", body, "text/csv")})
    assert page.status_code == 422
    assert "a carriage return" in page.text and "cr.csv: 1 bad row(s)" in page.text
    stream = clients["hr"].post("/org/import/stream",
                                files={"file": ("cr.csv", body, "text/csv")})
    last = json.loads(stream.text.splitlines()[-1])
    assert last["rejected"]["problems"][0]["line"] == 2
    assert counts(app) == before


@pytest.mark.parametrize(("body", "problem"), [
    ({"kind": "compensation", "details": {"amount": 1e20}},
     "compensation: amount must be between -1,000,000,000,000 and 1,000,000,000,000, got "
     "100000000000000000000"),
    ({"kind": "project_leadership", "details": {"project": "x", "team_size": 1e30}},
     "project_leadership: team_size must be between 0 and 1,000,000, got a number of about "
     "31 digits"),
    ({"kind": "recognition", "details": {"citation": "x", "points": 2**64}},
     "recognition: points must be between 0 and 1,000,000, got 18446744073709551616"),
    ({"kind": "check_in", "details": {"notes": "a\x00b"}},
     "check_in: notes contains the control character U+0000, which is not allowed"),
    ({"kind": "certification", "details": {"certification": "c" * 501}},
     "certification: certification is 501 characters long: at most 500 are allowed"),
    ({"kind": "check_in", "verifier": "bob\nand alice"},
     "verifier contains the control character U+000A, which is not allowed"),
    ({"kind": "check_in", "effective_on": "1899-12-31"},
     "effective_on 31 Dec 1899 is outside 1 Jan 1900 to 31 Dec 2199"),
])
def test_the_event_api_holds_details_to_the_limits(app, clients, body, problem):
    before = counts(app)
    r = clients["hr"].post("/api/people/emp/events", json=body)
    assert one_line_problem(r)["detail"] == problem
    assert counts(app) == before


def test_a_person_reference_no_one_can_have_is_refused(app, clients):
    r = clients["hr"].post("/api/people/a%00b/events", json={"kind": "check_in"})
    assert one_line_problem(r)["detail"] == ("path.ref: contains a control character "
                                             "(U+0000-U+001F or U+007F), which is not allowed")
    r = clients["hr"].post("/api/people", json={"handle": "nul", "name": "Nu\x00ll",
                                                "role": "eng1", "hired_on": "2023-01-02"})
    assert one_line_problem(r)["detail"] == ("body.name: contains a control character "
                                             "(U+0000-U+001F or U+007F), which is not allowed")
