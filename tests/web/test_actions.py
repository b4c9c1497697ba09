"""The Team and Organization actions over the API and the pages: verifying evidence,
recognizing, importing a file, the simulator and the analytics pages."""

from __future__ import annotations

import json
import re
from datetime import date

from trellis.domain.events import EventKind
from trellis.services import ledger


def certification(app, name: str, author: str = "someone@x.org", person: str = "emp") -> int:
    return ledger.record_event(app.state.trellis.uow(), person, EventKind.CERTIFICATION,
                               date(2023, 2, 1), {"certification": name}, author=author).id


def test_a_manager_verifies_evidence_once_and_the_timeline_says_so(app, clients):
    event_id = certification(app, "verify me")
    r = clients["manager"].post(f"/api/events/{event_id}/verification",
                                json={"notes": "saw the certificate"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "verification"
    timeline = clients["employee"].get("/api/people/emp/timeline").json()
    assert next(e for e in timeline if e["id"] == event_id)["verified_by"] == "mgr@x.org"
    again = clients["hr"].post(f"/api/events/{event_id}/verification", json={})
    assert again.status_code == 422 and "already verified" in again.json()["detail"]
    audit = clients["hr"].get("/api/audit?limit=50").json()
    assert any(e["action"] == "event.verify" and e["user"] == "mgr@x.org" for e in audit)


def test_nobody_verifies_their_own_events(app, clients):
    mine = certification(app, "self", author="emp@x.org")
    r = clients["employee"].post(f"/api/events/{mine}/verification", json={})
    assert r.status_code == 403
    by_manager = certification(app, "recorded by the manager", author="mgr@x.org")
    r = clients["manager"].post(f"/api/events/{by_manager}/verification", json={})
    assert r.status_code == 422 and "someone else" in r.json()["detail"]
    bosses = certification(app, "the boss's own", person="boss")
    assert clients["hr"].post(f"/api/events/{bosses}/verification",
                              json={}).status_code == 403  # hr@x.org is boss


def test_only_the_management_chain_verifies(app, clients):
    event_id = certification(app, "peer cannot")
    assert clients["peer"].post(f"/api/events/{event_id}/verification",
                                json={}).status_code == 403
    peers = certification(app, "manager cannot", person="peer")
    assert clients["manager"].post(f"/api/events/{peers}/verification",
                                   json={}).status_code == 403
    r = clients["hr"].post("/api/events/987654/verification", json={})
    assert r.status_code == 404


def test_colleagues_give_kudos_and_managers_any_recognition(clients):
    r = clients["peer"].post("/api/people/emp/recognitions", json={"citation": "helped me"})
    assert r.status_code == 201 and r.json()["details"]["giver"] == "peer"
    refused = clients["peer"].post("/api/people/emp/recognitions",
                                   json={"citation": "x", "kind": "spot_bonus"})
    assert refused.status_code == 403
    assert clients["peer"].post("/api/people/emp/recognitions",
                                json={"citation": "x", "points": 5}).status_code == 403
    assert clients["peer"].post("/api/people/peer/recognitions",
                                json={"citation": "me"}).status_code == 403
    award = clients["manager"].post("/api/people/emp/recognitions",
                                    json={"citation": "shipped", "kind": "award",
                                          "points": 20})
    assert award.status_code == 201, award.text


def test_an_import_with_bad_rows_reports_every_line_and_writes_nothing(clients):
    rows = [{"record": "person", "handle": "good1", "name": "Good One"},
            {"record": "event", "person": "good1", "kind": "hire",
             "effective_on": "2023-01-01", "role": "eng1"},
            {"record": "event", "person": "good1", "kind": "skill_step",
             "effective_on": "not a date"},
            {"record": "alien"}]
    text = "\n".join(json.dumps(r) for r in rows) + "\n{broken"
    r = clients["hr"].post("/api/imports", json={"format": "jsonl", "text": text})
    assert r.status_code == 422
    lines = sorted(p["line"] for p in r.json()["problems"])
    assert lines == [3, 4, 5], r.json()
    assert clients["hr"].get("/api/people/good1").status_code == 404
    csv = "record,handle,name,person,kind,effective_on,role\nperson,good2,Good Two,,,,\n" \
          "event,,,good2,hire,2023-01-01,eng1\n"
    ok = clients["hr"].post("/api/imports", json={"format": "csv", "text": csv})
    assert ok.status_code == 201 and ok.json()["people"] == 1 and ok.json()["events"] == 1
    assert clients["hr"].get("/api/people/good2").status_code == 200


def test_the_import_page_shows_bad_rows_in_place(clients):
    c = clients["hr"]
    csrf = c.headers["X-CSRF-Token"]
    bad = "record,handle,name\nperson,,Nameless\n"
    r = c.post("/org/import", data={"csrf_token": csrf},
               files={"file": ("people.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422, r.text
    assert "line 2" in r.text and "nothing was imported" in r.text, r.text
    good = "record,handle,name\nperson,pageimp,Page Import\n"
    r = c.post("/org/import", data={"csrf_token": csrf},
               files={"file": ("people.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and "Imported people.csv: 1 people" in r.text


def test_the_simulator_is_bounded_and_scoped(clients):
    too_many = clients["hr"].get("/api/simulation?runs=200001")
    assert too_many.status_code == 422
    doc = clients["manager"].get("/api/simulation?person=emp&runs=200&years=2").json()
    assert doc["person"] == "emp" and doc["document"]["runs"] == 200
    assert len(doc["document"]["strategies"][0]["over_time"]["survival"]) == 9
    assert clients["manager"].get("/api/simulation?person=peer&runs=200").status_code == 403
    page = clients["manager"].get("/simulate?run=1&person=emp&runs=200&years=2&seed=0")
    assert page.status_code == 200 and 'data-chart="fan"' in page.text
    wrong = clients["hr"].get("/simulate?run=1&cohort=colour%3Dblue&runs=200&years=2&seed=0")
    assert wrong.status_code == 422 and "Bad cohort filter" in wrong.text
    assert clients["employee"].get("/simulate").status_code == 403


def test_the_pages_render_for_their_roles(clients):
    hr, manager, employee = clients["hr"], clients["manager"], clients["employee"]
    for path in ("/org", "/org/evidence", "/org/compare", "/org/import", "/team", "/team/alerts"):
        assert hr.get(path).status_code == 200, path
    team = manager.get("/team/alerts")
    assert team.status_code == 200 and "Recognition alerts" in team.text
    for path in ("/org/evidence", "/org/import"):
        assert manager.get(path).status_code == 403, path
    emp_page = manager.get("/people/emp")
    assert "Lattice options" in emp_page.text and "Recognize" in emp_page.text
    assert re.search(r'action="/people/emp/events/\d+/verify#event-\d+"', emp_page.text)
    made = employee.post("/api/people/emp/plan", json={})
    assert made.status_code == 201
    first = made.json()["document"]["milestones"][0]["quarter"]  # a slow pace: not always 1
    me = employee.get("/me")
    assert f"Quarter {first}" in me.text and 'class="status' in me.text
    assert "/verify" not in me.text  # nobody verifies their own events


def test_a_check_in_from_the_page_closes_the_quarter_once_it_ends_or_when_told(clients):
    c = clients["manager"]
    made = clients["employee"].post("/api/people/emp/plan", json={}).json()["document"]
    form = {"csrf_token": c.headers["X-CSRF-Token"], "notes": "kick-off", "engagement": "4"}
    r = c.post("/people/emp/check-in", data=form, follow_redirects=False)
    assert r.status_code == 303  # recorded at once: the plan's first quarter has not ended
    plan = clients["employee"].get("/api/people/emp/plan").json()["document"]
    assert plan["version"] == made["version"] and plan["checkins"] == made["checkins"]
    assert "missed" not in plan["progress"]
    form = {**form, "notes": "from the page", "early": "true"}
    asked = c.post("/people/emp/check-in", data=form, follow_redirects=False)
    assert asked.status_code == 200 and "Close quarter 1 of Em Ployee&#39;s plan?" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text  # closing a quarter is confirmed
    assert clients["employee"].get("/api/people/emp/plan").json()["document"]["checkins"] \
        == made["checkins"]
    r = c.post("/people/emp/check-in", data={**form, "confirmed": "yes"},
               follow_redirects=False)
    assert r.status_code == 303 and "#event-" in r.headers["location"]
    plan = clients["employee"].get("/api/people/emp/plan").json()["document"]
    assert plan["checkins"] and plan["checkins"][-1]["notes"] == "from the page"


def test_the_plan_backtest_for_hr_admins(clients):
    r = clients["hr"].get("/api/plans/backtest", params={"at": "2021-06-01"})
    assert r.status_code == 200, r.text
    doc = r.json()["document"]
    assert doc["at"] == "2021-06-01" and doc["planned"] == len(doc["cases"])
    assert doc["planned"] == doc["reached"] + doc["censored"]
    future = clients["hr"].get("/api/plans/backtest", params={"at": "2099-01-01"})
    assert future.status_code == 422 and "is in the future" in future.json()["detail"]
    assert clients["manager"].get("/api/plans/backtest",
                                  params={"at": "2023-06-01"}).status_code == 403
