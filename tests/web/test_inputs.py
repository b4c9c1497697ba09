"""Every text and date that reaches storage from the web is checked first: a NUL, a control
character, an over-long text or a date outside the ledger's range is a 422 problem, never
a 500 (PostgreSQL refuses a NUL that SQLite would store), on every engine.

Event details, import files and framework files are checked by their own rules (the
ledger's and the framework format's), not by the request schemas: they are left out here.
"""

from __future__ import annotations

import re

import pytest

from .api_calls import CALLS, Call, send
from .conftest import client_for

LINE, TEXT = r"^[^\x00-\x1f\x7f]*$", r"^[^\x00]*$"
# Checked elsewhere (see above); a password is hashed, never stored or compared as text.
NOT_HERE = {("EventCreate", None), ("ImportCreate", None), ("FrameworkUpload", None),
            ("LoginIn", "password"), ("UserCreate", "password")}


def request_strings(spec):
    """(where, name, schema) of every string a request may carry: parameters and the
    properties of request bodies (components reached from a requestBody)."""
    bodies = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                yield f"{method.upper()} {path} {p['in']}", p["name"], p["schema"]
            ref = op.get("requestBody", {}).get("content", {}).get(
                "application/json", {}).get("schema", {}).get("$ref")
            if ref:
                bodies.add(ref.rsplit("/", 1)[1])
    for name in sorted(bodies):
        if (name, None) in NOT_HERE:
            continue
        for prop, schema in spec["components"]["schemas"][name]["properties"].items():
            if (name, prop) not in NOT_HERE:
                yield name, prop, schema


def strings_of(schema):
    options = schema.get("anyOf", [schema])
    return [s for s in options if s.get("type") == "string" and "format" not in s
            and "enum" not in s and "$ref" not in s]


def test_every_text_a_request_carries_is_bounded_and_has_no_control_characters(app):
    spec = app.openapi()
    unbounded = []
    for where, name, schema in request_strings(spec):
        for s in strings_of(schema):
            if "maxLength" not in s or s.get("pattern") not in (LINE, TEXT):
                unbounded.append(f"{where}: {name}")
    assert not unbounded, unbounded


NUL = "x\x00y"


@pytest.mark.parametrize("call", [c for c in CALLS if c.method != "DELETE"],
                         ids=lambda c: f"{c.operation} {sorted(c.params)}")
def test_a_nul_in_any_parameter_or_body_text_is_a_422(app, clients, call: Call):
    client = client_for(app) if call.path == "/api/session" else clients["hr"]
    cases = [({**call.params, name: NUL}, None) for name, value in call.params.items()
             if isinstance(value, str) and not value.isdigit()
             and value not in ("EVENT", "TOKEN", "true", "quarter")]
    if isinstance(call.body, dict) and call.path not in ("/api/people/{ref}/events",
                                                          "/api/imports", "/api/frameworks"):
        cases += [(None, {**call.body, name: NUL}) for name, value in call.body.items()
                  if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d\d-\d\d", value)
                  and name != "password"]
    for params, body in cases:
        r = send(app, client, call, params, body)
        assert r.status_code == 422, (call.operation, params, body, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


def test_the_login_email_is_checked_before_it_is_looked_up(app):
    c = client_for(app)
    r = c.post("/api/session", json={"email": "hr@x.org\x00", "password": "whatever"})
    assert r.status_code == 422 and "control character" in r.json()["detail"]
    page = c.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/login", data={"email": "hr@x.org\x00", "password": "x", "csrf_token": csrf})
    assert r.status_code == 422


@pytest.mark.parametrize(("path", "message"), [
    ("/api/evidence?at=3685-06-27",
     "27 Jun 3685 is outside the ledger's dates, 1 Jan 1900 to 31 Dec 2199"),
    ("/api/evidence?since=0001-01-01", "outside the ledger's dates"),
    ("/api/evidence?since=0", "YYYY-MM-DD"),
    ("/api/people/emp/profile?at=2199-12-31", "years ahead"),
    ("/api/people/emp/layers?at=1899-12-31", "outside the ledger's dates"),
    ("/api/people/emp/readiness?on=2200-01-01", "outside the ledger's dates"),
    ("/api/compare?since=9999-12-31", "outside the ledger's dates"),
])
def test_dates_outside_the_ledger_are_refused_at_once(clients, path, message):
    r = clients["hr"].get(path)
    assert r.status_code == 422 and message in r.json()["detail"], r.text


def test_dates_in_bodies_are_bounded_too(clients):
    hr = clients["hr"]
    r = hr.post("/api/people", json={"handle": "old", "name": "Old", "role": "eng1",
                                     "hired_on": "1776-07-04"})
    assert r.status_code == 422 and "outside the ledger's dates" in r.json()["detail"]
    r = hr.post("/api/people/emp/check-ins", json={"notes": "n", "effective_on": 20240101})
    assert r.status_code == 422 and "YYYY-MM-DD" in r.json()["detail"]


def test_an_over_long_query_is_refused(clients):
    r = clients["hr"].get("/api/people/emp/readiness", params={"target": "x" * 81})
    assert r.status_code == 422
    assert clients["hr"].get("/team", params={"manager": "m\x00"}).status_code == 422
