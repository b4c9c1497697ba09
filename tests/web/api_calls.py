"""A sensible request for every operation of the OpenAPI document (some have several), for
tests that walk the whole API: every read of pay audited, every text checked.

``{n}`` in a string is replaced by a number unique to the call; ``EVENT`` by a fresh event
of emp's (recorded by someone else, so it can be verified or retracted); ``FRAMEWORK`` and
``IMPORT`` by a file's text.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote

from conftest import TINY
from trellis.domain.events import EventKind
from trellis.services import ledger


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # the OpenAPI path, with {name} for path parameters
    params: dict[str, Any] = field(default_factory=dict)  # path and query parameters
    body: Any = None

    @property
    def operation(self) -> str:
        return f"{self.method} {self.path}"


CALLS = [
    Call("POST", "/api/session", body={"email": "peer@x.org", "password": "correct horse battery"}),
    Call("GET", "/api/me"),
    Call("POST", "/api/tokens", body={"name": "token {n}", "scope": "read", "days": 7}),
    Call("GET", "/api/tokens"),
    Call("GET", "/api/tokens", {"user": "emp@x.org"}),
    Call("GET", "/api/users"),
    Call("POST", "/api/users", body={"email": "user{n}@x.org", "password": "long enough 1",
                                     "role": "employee"}),
    Call("GET", "/api/people", {"include_departed": "true"}),
    Call("POST", "/api/people", body={
        "handle": "new{n}", "name": "New Person", "role": "eng1", "hired_on": "2023-01-02",
        "email": "new{n}@x.org", "manager": "mgr", "pay": 50000, "currency": "EUR",
        "evidence": "the offer letter"}),
    Call("GET", "/api/people/{ref}", {"ref": "emp"}),
    Call("PATCH", "/api/people/{ref}", {"ref": "emp"}, {"name": "Em Ployee"}),
    Call("GET", "/api/people/{ref}/timeline", {"ref": "emp"}),
    Call("POST", "/api/people/{ref}/events", {"ref": "emp"}, {
        "kind": "compensation", "effective_on": "2023-03-01",
        "details": {"compensation_kind": "bonus", "amount": 100}}),
    Call("POST", "/api/events/{event_id}/verification", {"event_id": "EVENT"},
         {"notes": "saw it"}),
    Call("POST", "/api/events/{event_id}/retraction", {"event_id": "EVENT"},
         {"reason": "recorded twice"}),
    Call("GET", "/api/people/{ref}/profile", {"ref": "emp"}),
    Call("GET", "/api/people/{ref}/profile", {"ref": "emp", "at": "2022-06-30"}),
    Call("GET", "/api/people/{ref}/layers", {"ref": "emp", "at": "2024-06-30",
                                             "grain": "quarter"}),
    Call("GET", "/api/frameworks"),
    Call("POST", "/api/frameworks", body={"text": "FRAMEWORK", "effective_from": "2020-01-01"}),
    Call("GET", "/api/frameworks/active"),
    Call("GET", "/api/frameworks/{key}", {"key": "tiny"}),
    Call("GET", "/api/people/{ref}/readiness", {"ref": "emp", "target": "eng2",
                                                "on": "2024-01-01"}),
    Call("GET", "/api/teams/readiness", {"manager": "mgr"}),
    Call("POST", "/api/people/{ref}/plan", {"ref": "emp"}, {"role": "eng2", "capacity": 2}),
    Call("GET", "/api/people/{ref}/plan", {"ref": "emp"}),
    Call("GET", "/api/plans/backtest", {"at": "2021-06-01"}),
    Call("POST", "/api/people/{ref}/check-ins", {"ref": "emp"},
         {"notes": "going well", "engagement": 4, "effective_on": "2024-02-01",
          "early": True}),
    Call("GET", "/api/people/{ref}/paths", {"ref": "emp", "to": "eng3", "k": "2"}),
    Call("GET", "/api/explore", {"person": "emp", "budget": "24"}),
    Call("GET", "/api/explore", {"role": "eng1"}),
    Call("GET", "/api/teams/fragmentation", {"manager": "mgr"}),
    Call("GET", "/api/teams/recognition", {"manager": "mgr", "everyone": "true"}),
    Call("POST", "/api/people/{ref}/recognitions", {"ref": "emp"},
         {"citation": "shipped it", "kind": "award", "points": 5}),
    Call("GET", "/api/simulation", {"person": "emp", "runs": "100", "years": "1"}),
    Call("GET", "/api/simulation", {"cohort": "level=L1", "runs": "100", "years": "1"}),
    Call("GET", "/api/evidence", {"since": "2020-01-01"}),
    Call("GET", "/api/compare"),
    Call("GET", "/api/compare", {"team": "mgr", "since": "2020-01-01"}),
    Call("GET", "/api/compare", {"person": "emp"}),
    Call("GET", "/api/people/{ref}/advice", {"ref": "emp"}),
    Call("POST", "/api/people/{ref}/promotions", {"ref": "NOMINEE"},
         {"to_role": "eng2", "justification": "walking the API", "effective_on": "2024-03-01"}),
    Call("POST", "/api/cases", body={"person": "NOMINEE", "to_role": "eng2",
                                     "justification": "leads the API", "pay": 70000,
                                     "pay_reason": "market", "effective_on": "2024-03-01"}),
    Call("GET", "/api/cases", {"status": "open"}),
    Call("GET", "/api/cases/{case_id}", {"case_id": "CASE"}),
    Call("POST", "/api/cases/{case_id}/comments", {"case_id": "CASE"}, {"text": "seen it"}),
    Call("POST", "/api/cases/{case_id}/approval", {"case_id": "CASE"},
         {"override": "walking the API"}),
    Call("POST", "/api/cases/{case_id}/decline", {"case_id": "CASE"}, {"reason": "not yet"}),
    Call("POST", "/api/cases/{case_id}/deferral", {"case_id": "CASE"}, {"reason": "next year"}),
    Call("POST", "/api/cases/{case_id}/withdrawal", {"case_id": "CASE"}, {"reason": "oops"}),
    Call("POST", "/api/imports", body={"format": "jsonl", "text": "IMPORT"}),
    Call("POST", "/api/compensation/cycles",
         body={"name": "cycle {n}", "effective_on": "2024-06-01", "budget_percent": 3.0}),
    Call("GET", "/api/compensation/cycles"),
    Call("GET", "/api/compensation/cycles/{name}", {"name": "2024"}),
    Call("POST", "/api/compensation/cycles/{name}/proposals", {"name": "2024"},
         {"person": "emp", "kind": "merit", "percent": 2.0, "reason": "a good year"}),
    Call("POST", "/api/compensation/raises",
         body={"person": "emp", "kind": "adjustment", "amount": 1000, "reason": "market"}),
    Call("GET", "/api/compensation/proposals", {"awaiting": "true"}),
    Call("POST", "/api/compensation/proposals/{proposal_id}/approval", {"proposal_id": "1"}),
    Call("POST", "/api/compensation/proposals/{proposal_id}/decline", {"proposal_id": "2"},
         {"reason": "not now"}),
    Call("POST", "/api/compensation/proposals/{proposal_id}/withdrawal", {"proposal_id": "1"},
         {"reason": "the budget was cut"}),
    Call("POST", "/api/compensation/cycles/{name}/close", {"name": "2023"}),
    Call("POST", "/api/compensation/cycles/{name}/reopen", {"name": "2023"}),
    Call("POST", "/api/compensation/cycles/{name}/apply", {"name": "2023"}),
    Call("POST", "/api/review-cycles", body={
        "name": "walk", "period_start": "2024-01-01", "period_end": "2024-12-31",
        "forms": ["self", "manager", "peer"], "due": {"self": "2024-12-15"}}),
    Call("GET", "/api/review-cycles"),
    Call("POST", "/api/review-cycles/{name}/nominations", {"name": "walk"},
         {"person": "emp", "peer": "peer", "anonymous": True}),
    Call("POST", "/api/review-cycles/{name}/reviews", {"name": "walk"},
         {"person": "emp", "form": "manager", "rating": 3, "ratings": {"coding": 1},
          "goals": [{"goal": "ship it", "result": "met", "value": 9.5}],
          "comment": "walking the API"}),
    Call("GET", "/api/review-cycles/{name}/progress", {"name": "walk"}),
    Call("GET", "/api/people/{ref}/reviews", {"ref": "emp"}),
    Call("PATCH", "/api/review-cycles/{name}", {"name": "walk"}, {"status": "closed"}),
    Call("GET", "/api/audit", {"limit": "5"}),
    # calibration: the seeded org has no review cycle, so these are refused (404) after
    # their input is checked (tests/web/test_calibration_web.py walks a session)
    Call("GET", "/api/calibration"),
    Call("POST", "/api/calibration", body={"cycle": "2025", "team": "mgr", "name": "s{n}"}),
    Call("GET", "/api/calibration/{session_id}", {"session_id": "1"}),
    Call("POST", "/api/calibration/{session_id}/changes", {"session_id": "1"},
         {"person": "emp", "rating": 4, "reason": "held to the bar"}),
    Call("POST", "/api/calibration/{session_id}/close", {"session_id": "1"}),
    Call("PUT", "/api/people/{ref}/attributes/{name}", {"ref": "emp", "name": "location"},
         {"value": "Lisbon"}),
    Call("GET", "/api/people/{ref}/attributes", {"ref": "emp"}),
    Call("GET", "/api/fairness", {"attribute": "gender", "since": "2020-01-01",
                                  "min_group": "1"}),
    Call("DELETE", "/api/people/{ref}/attributes/{name}", {"ref": "emp", "name": "location"}),
    # signing out and revoking come last: they end what the other calls use
    Call("DELETE", "/api/tokens/{token_id}", {"token_id": "TOKEN"}),
    Call("DELETE", "/api/session"),
]

_numbers = itertools.count(1)


def fresh_event(app) -> int:
    return ledger.record_event(app.state.trellis.uow(), "emp", EventKind.CERTIFICATION,
                               date(2023, 1, 1), {"certification": f"cert {next(_numbers)}"},
                               author="someone@x.org").id


def fresh_nominee(app, n: int) -> str:
    """A new report of mgr's (one open case per person: each call nominates its own)."""
    from trellis.services import people

    handle = f"nominee{n}"
    people.add_person(app.state.trellis.uow(), handle, f"Nominee {n}", role="eng1",
                      hired_on=date(2021, 1, 1), author="t", manager="mgr", pay=45000)
    return handle


def fresh_case(app, n: int) -> int:
    """An open case for a new nominee, proposed by mgr: waiting for boss (skip-level),
    who is also the HR admin, hr@x.org."""
    from trellis.domain.approvals import Signer
    from trellis.services import cases

    uow = app.state.trellis.uow
    with uow() as u:
        mgr = u.people.find("mgr")
    return cases.open_case(uow(), fresh_nominee(app, n), "eng2", justification="ready",
                           by=Signer(mgr.id, "mgr@x.org")).case.id


def _import_text(n: int) -> str:
    rows = [{"record": "person", "handle": f"imp{n}", "name": "Imported One"},
            {"record": "event", "person": f"imp{n}", "kind": "hire",
             "effective_on": "2023-01-02", "role": "eng1"}]
    return "\n".join(json.dumps(r) for r in rows)


def _fill(value: Any, n: int) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, n) for k, v in value.items()}
    if value == "FRAMEWORK":
        return TINY.read_text(encoding="utf-8").replace("name: Tiny Co", f"name: Tiny Co {n}")
    if value == "IMPORT":
        return _import_text(n)
    return value.replace("{n}", str(n)) if isinstance(value, str) else value


def request_of(app, call: Call, client, params: dict[str, Any] | None = None,
               body: Any = None) -> tuple[str, dict[str, Any], Any]:
    """The URL, query and JSON body of ``call`` (``params``/``body`` replace its own)."""
    n = next(_numbers)
    given = dict(call.params if params is None else params)
    if given.get("event_id") == "EVENT":
        given["event_id"] = str(fresh_event(app))
    if given.get("token_id") == "TOKEN":
        made = client.post("/api/tokens", json={"name": f"to revoke {n}"})
        given["token_id"] = str(made.json()["id"])
    if given.get("ref") == "NOMINEE" or (isinstance(call.body, dict)
                                         and call.body.get("person") == "NOMINEE"):
        nominee = fresh_nominee(app, n)
        given = {k: (nominee if v == "NOMINEE" else v) for k, v in given.items()}
        if body is None and isinstance(call.body, dict):
            body = {**call.body, "person": nominee}
    if given.get("case_id") == "CASE":
        given["case_id"] = str(fresh_case(app, n))
    path, query = call.path, {}
    for name, value in given.items():
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", quote(str(_fill(value, n)), safe=""))
        else:
            query[name] = _fill(value, n)
    return path, query, _fill(call.body if body is None else body, n)


def send(app, client, call: Call, params: dict[str, Any] | None = None, body: Any = None):
    path, query, payload = request_of(app, call, client, params, body)
    return client.request(call.method, path, params=query,
                          json=payload if call.method in ("POST", "PUT", "PATCH") else None)
