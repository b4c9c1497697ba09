"""The permission matrix: every API resource against every role, allowed and denied.

Subject of the private cases is ``emp``: the employee themselves, reported (via ``mgr``) to
the manager, and a colleague to ``peer``, who stands for "everyone else". Outside the
private circle a person is found by handle only: by id or email they are unknown (404).
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import TINY
from trellis.domain.events import EventKind
from trellis.services import ledger

ROLES = ("hr", "manager", "employee", "peer", "anonymous")
OK, NO, ANON, UNKNOWN = "ok", 403, 401, 404


def expect(hr=OK, manager=OK, employee=OK, peer=OK):
    return {"hr": hr, "manager": manager, "employee": employee, "peer": peer,
            "anonymous": ANON}


SKILL = {"kind": "skill_step", "details": {"competency": "communication",
                                           "from_mastery": 0, "to_mastery": 1}}
CASES = [
    ("me", "GET", "/api/me", None, expect()),
    ("people list", "GET", "/api/people", None, expect()),
    ("person", "GET", "/api/people/emp", None, expect()),
    ("person by id", "GET", "/api/people/EMP_ID", None, expect(peer=UNKNOWN)),
    ("person by email", "GET", "/api/people/emp@x.org", None, expect(peer=UNKNOWN)),
    ("profile by id", "GET", "/api/people/EMP_ID/profile", None, expect(peer=UNKNOWN)),
    ("kudos by id", "POST", "/api/people/EMP_ID/recognitions", {"citation": "by id"},
     expect(employee=NO, peer=UNKNOWN)),
    ("add person", "POST", "/api/people", {"handle": "new{n}", "name": "New", "role": "eng1",
                                           "hired_on": "2023-01-01"},
     expect(manager=NO, employee=NO, peer=NO)),
    ("profile", "GET", "/api/people/emp/profile", None, expect()),
    ("timeline", "GET", "/api/people/emp/timeline", None, expect()),
    ("layers", "GET", "/api/people/emp/layers", None, expect()),
    ("log micro-progression", "POST", "/api/people/emp/events",
     {"kind": "certification", "details": {"certification": "cert {n}"}},
     expect(peer=NO)),
    ("log pay", "POST", "/api/people/emp/events",
     {"kind": "compensation", "details": {"compensation_kind": "bonus", "amount": 100}},
     expect(employee=NO, peer=NO)),
    ("readiness", "GET", "/api/people/emp/readiness", None, expect(peer=NO)),
    ("team readiness", "GET", "/api/teams/readiness", None, expect(employee=NO, peer=NO)),
    ("plan", "POST", "/api/people/emp/plan", {}, expect(peer=NO)),
    ("check-in", "POST", "/api/people/emp/check-ins", {"notes": "fine", "engagement": 4},
     expect(employee=NO, peer=NO)),
    ("plan backtest", "GET", "/api/plans/backtest?at=2021-06-01", None,
     expect(manager=NO, employee=NO, peer=NO)),
    ("paths", "GET", "/api/people/emp/paths?to=eng3", None, expect(peer=NO)),
    ("explore", "GET", "/api/explore?person=emp", None, expect(peer=NO)),
    ("explore a role", "GET", "/api/explore?role=eng1", None, expect()),
    ("fragmentation", "GET", "/api/teams/fragmentation", None, expect(employee=NO, peer=NO)),
    ("recognition report", "GET", "/api/teams/recognition", None,
     expect(employee=NO, peer=NO)),
    ("give kudos", "POST", "/api/people/emp/recognitions", {"citation": "great work"},
     expect(employee=NO)),
    ("award with points", "POST", "/api/people/emp/recognitions",
     {"citation": "shipped it", "kind": "award", "points": 50}, expect(employee=NO, peer=NO)),
    ("verify evidence", "POST", "/api/events/EVENT/verification", {"notes": "checked"},
     expect(employee=NO, peer=NO)),
    ("simulate a person", "GET", "/api/simulation?person=emp&runs=100&years=1", None,
     expect(employee=NO, peer=NO)),
    ("simulate a cohort", "GET", "/api/simulation?runs=100&years=1", None,
     expect(manager=NO, employee=NO, peer=NO)),
    ("evidence", "GET", "/api/evidence", None, expect(manager=NO, employee=NO, peer=NO)),
    ("compare", "GET", "/api/compare", None, expect(employee=NO, peer=NO)),
    ("compare a person", "GET", "/api/compare?person=emp", None, expect(peer=NO)),
    ("advice", "GET", "/api/people/emp/advice", None, expect(peer=NO)),
    ("import", "POST", "/api/imports", {"format": "jsonl", "text": "IMPORT"},
     expect(manager=NO, employee=NO, peer=NO)),
    ("promotion cases", "GET", "/api/cases", None, expect()),
    ("frameworks", "GET", "/api/frameworks", None, expect()),
    ("active framework", "GET", "/api/frameworks/active", None, expect()),
    ("load framework", "POST", "/api/frameworks", {"text": "FRAMEWORK"},
     expect(manager=NO, employee=NO, peer=NO)),
    ("audit", "GET", "/api/audit", None, expect(manager=NO, employee=NO, peer=NO)),
    ("users", "GET", "/api/users", None, expect(manager=NO, employee=NO, peer=NO)),
    ("create user", "POST", "/api/users", {"email": "u{n}@x.org", "password": "long enough 1"},
     expect(manager=NO, employee=NO, peer=NO)),
    ("tokens", "POST", "/api/tokens", {"name": "script"}, expect()),
    ("attributes", "GET", "/api/people/emp/attributes", None,
     expect(manager=NO, employee=NO, peer=NO)),
    ("set an attribute", "PUT", "/api/people/emp/attributes/gender", {"value": "F"},
     expect(manager=NO, employee=NO, peer=NO)),
    ("fairness", "GET", "/api/fairness", None, expect(manager=NO, employee=NO, peer=NO)),
]


def fresh_event(app, certification: str) -> int:
    event = ledger.record_event(app.state.trellis.uow(), "emp", EventKind.CERTIFICATION,
                                date(2023, 1, 1), {"certification": certification},
                                author="someone@x.org")
    return event.id


def emp_id(app) -> int:
    with app.state.trellis.uow() as uow:
        return uow.people.find("emp").id


def import_text(handle: str) -> str:
    rows = [{"record": "person", "handle": handle, "name": "Imported One"},
            {"record": "event", "person": handle, "kind": "hire", "effective_on": "2023-01-01",
             "role": "eng1"}]
    return "\n".join(json.dumps(r) for r in rows)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_permission_matrix(app, clients, anonymous, role, name, method, path, body, expected):
    client = anonymous if role == "anonymous" else clients[role]
    n = ROLES.index(role) + 1
    if "EVENT" in path:  # a fresh event of emp's, recorded by someone else, to verify
        path = path.replace("EVENT", str(fresh_event(app, f"matrix {n}")))
    path = path.replace("EMP_ID", str(emp_id(app)))
    if body is not None:
        body = {k: (v.format(n=n) if isinstance(v, str) else v) for k, v in body.items()}
        if body.get("text") == "FRAMEWORK":
            tiny = TINY.read_text(encoding="utf-8")
            body["text"] = tiny.replace("name: Tiny Co", f"name: Tiny Co {n}")
        if body.get("text") == "IMPORT":
            body["text"] = import_text(f"imp{n}")
    response = client.request(method, path, json=body)
    want = expected[role]
    if want == OK:
        assert response.status_code in (200, 201), (role, name, response.text)
    else:
        assert response.status_code == want, (role, name, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_pay_is_hidden_from_everyone_else(clients):
    for who in ("hr", "manager", "employee"):
        doc = clients[who].get("/api/people/emp/profile").json()
        assert doc["pay_visible"] and doc["profile"]["pay"]["base"] is not None, who
    doc = clients["peer"].get("/api/people/emp/profile").json()
    assert not doc["pay_visible"]
    assert doc["profile"]["pay"] == {"base": None, "currency": None, "bonuses": None,
                                     "hidden": True}
    events = clients["peer"].get("/api/people/emp/timeline").json()
    pay = [e for e in events if e["kind"] == "compensation"]
    assert pay and all(e["details"] is None and "hidden" in e["summary"] for e in pay)
    hires = [e for e in events if e["kind"] == "hire"]
    assert "pay" not in hires[0]["details"] and "45,000" not in hires[0]["summary"]
    mine = clients["employee"].get("/api/people/emp/timeline").json()
    assert any(e["kind"] == "compensation" and e["details"] for e in mine)


def test_lists_follow_the_role(clients):
    handles = {who: {p["handle"] for p in clients[who].get("/api/people").json()}
               for who in ("hr", "manager", "employee")}
    assert handles["hr"] >= {"boss", "mgr", "emp", "peer"}
    assert handles["manager"] == {"mgr", "emp"}
    assert handles["employee"] == {"emp"}


def test_a_manager_sees_only_their_own_team(clients):
    r = clients["manager"].get("/api/teams/readiness?manager=boss")
    assert r.status_code == 403
    assert clients["hr"].get("/api/teams/readiness?manager=mgr").status_code == 200


def test_reads_of_pay_and_writes_are_audited(clients):
    clients["manager"].get("/api/people/emp/profile")
    clients["peer"].get("/api/people/emp/profile")
    entries = clients["hr"].get("/api/audit?limit=1000").json()
    reads = [(e["user"], e["resource"]) for e in entries if e["action"] == "pay.read"]
    assert ("mgr@x.org", "person/emp/profile") in reads
    assert not any(user == "peer@x.org" for user, _ in reads)
    assert all("password" not in str(e["detail"]) for e in entries)


def test_errors_are_problem_details_not_500s(clients):
    c = clients["hr"]
    cases = [("GET", "/api/people/nobody/profile", None, 404),
             ("POST", "/api/people/emp/events", {"kind": "skill_step"}, 422),
             ("POST", "/api/people/emp/events", {"kind": "nonsense"}, 422),
             ("POST", "/api/people/emp/events", {"kind": "skill_step", "details": {
                 "competency": "coding", "from_mastery": 3, "to_mastery": 1}}, 422),
             ("POST", "/api/people", {"handle": "emp", "name": "E", "role": "eng1",
                                      "hired_on": "2020-01-01"}, 409),
             ("GET", "/api/people/emp/profile?at=notadate", None, 422),
             ("POST", "/api/frameworks", {"text": "id: [broken"}, 422),
             ("POST", "/api/events/999999/retraction", {"reason": "x"}, 404)]
    for method, path, body, status in cases:
        r = c.request(method, path, json=body)
        assert r.status_code == status, (path, r.text)
        problem = r.json()
        assert problem["status"] == status and problem["detail"], problem


DIRECTORY_PRIVATE = ("id", "email", "manager", "hired_on")


def test_the_directory_shows_colleagues_a_name_and_role_and_the_circle_the_rest(clients):
    for who in ("hr", "manager", "employee"):
        card = clients[who].get("/api/people/emp").json()
        assert card["email"] == "emp@x.org" and card["manager"] == "mgr", who
        assert card["hired_on"] == "2021-01-01" and card["id"], who
    card = clients["peer"].get("/api/people/emp").json()
    assert {k: card[k] for k in DIRECTORY_PRIVATE} == dict.fromkeys(DIRECTORY_PRIVATE)
    assert card["name"] == "Em Ployee" and card["role"] == "eng1" and card["handle"] == "emp"


def test_probing_ids_or_emails_tells_a_colleague_nothing(app, clients):
    peer = clients["peer"]
    known, unknown = peer.get(f"/api/people/{emp_id(app)}"), peer.get("/api/people/999999")
    assert known.status_code == unknown.status_code == 404
    assert known.json()["detail"] == f"unknown person '{emp_id(app)}'"
    assert unknown.json()["detail"] == "unknown person '999999'"
    assert peer.get(f"/people/{emp_id(app)}").status_code == 404  # the page too
    assert peer.get("/people/emp").status_code == 200
    profile = peer.get("/api/people/emp/profile").json()["profile"]
    assert profile["person_id"] is None
    timeline = peer.get("/api/people/emp/timeline").json()
    assert {e["author"] for e in timeline} <= {"hidden", None}
    mine = clients["employee"].get("/api/people/emp/timeline").json()
    assert "t" in {e["author"] for e in mine}
