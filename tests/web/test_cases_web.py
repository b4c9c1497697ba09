"""Promotion cases on the web: a manager proposes, the chain signs in order, only the last
approval records the promotion; outsiders see nothing and sign nothing; every read and
write is audited; the pages and the printable export.

    boss (hr_admin: hr@x.org)      emp's chain: mgr, then boss (the skip-level)
    ├── mgr (manager: mgr@x.org)
    │   └── emp (employee: emp@x.org)
    └── peer (employee: peer@x.org)
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from trellis.adapters import tables as t
from trellis.entrypoints.web.headers import CSP


def counts(app) -> tuple[int, int, int, int]:
    with app.state.trellis.uow() as uow:
        c = uow.connection
        return tuple(c.scalar(select(func.count()).select_from(table)) for table in (
            t.events, t.promotion_cases, t.promotion_case_comments,
            t.audit_log))  # type: ignore[return-value]


def signed_steps(app, case_id: int) -> list[str | None]:
    with app.state.trellis.uow() as uow:
        return [s.decision for s in uow.cases.get(case_id).steps]


def audited(clients, action: str, resource: str) -> list[dict]:
    return [e for e in clients["hr"].get("/api/audit?limit=2000").json()
            if e["action"] == action and e["resource"] == resource]


def test_a_case_from_proposal_to_promotion(app, clients):
    r = clients["manager"].post("/api/cases", json={
        "person": "emp", "to_role": "eng2", "justification": "runs the release train"})
    assert r.status_code == 201, r.text
    case = r.json()["document"]
    cid = case["id"]
    # emp earns 45,000 raised 3% = 46,350; the eng2 band starts at 48,000
    assert case["pay"] == 48000 and case["status"] == "open"
    assert [(s["approver"], s["signer"]) for s in case["steps"]] == [
        ("skip_level", "boss"), ("hr", "hr")]
    assert case["packet"]["readiness"]["target"]["id"] == "eng2"

    before = counts(app)
    for who in ("peer", "manager", "employee"):  # outsider, proposer, the person
        refused = clients[who].post(f"/api/cases/{cid}/approval", json={})
        assert refused.status_code == 403, (who, refused.text)
    assert counts(app)[:3] == before[:3] and signed_steps(app, cid) == [None, None]
    assert not audited(clients, "case.approve", f"case/{cid}")
    assert clients["peer"].get(f"/api/cases/{cid}").status_code == 404
    assert clients["peer"].post(f"/api/cases/{cid}/comments",
                                json={"text": "let me in"}).status_code == 404

    first = clients["hr"].post(f"/api/cases/{cid}/approval", json={})  # boss, the skip-level
    assert first.status_code == 201, first.text
    assert first.json()["document"]["status"] == "open" and counts(app)[0] == before[0]
    last = clients["hr"].post(f"/api/cases/{cid}/approval", json={})  # as the HR admin
    assert last.status_code == 201, last.text
    done = last.json()["document"]
    assert done["status"] == "approved" and done["event_id"] is not None
    assert counts(app)[0] == before[0] + 1  # exactly one event: the promotion
    timeline = clients["employee"].get("/api/people/emp/timeline").json()
    promotions = [e for e in timeline if e["kind"] == "promotion"]
    assert len(promotions) == 1 and promotions[0]["id"] == done["event_id"]
    assert promotions[0]["details"] == {"role": "eng2", "pay": 48000, "case": cid}
    assert "(case " in promotions[0]["summary"]

    mine = clients["employee"].get("/api/cases").json()["document"]["cases"]
    assert [c["id"] for c in mine] == [cid]
    assert clients["peer"].get("/api/cases").json()["document"]["cases"] == []
    for action in ("case.open", "case.approve", "case.read"):
        assert audited(clients, action, f"case/{cid}"), action
    assert audited(clients, "pay.read", f"case/{cid}")


def test_decline_needs_a_reason_and_writes_no_event(app, clients):
    r = clients["manager"].post("/api/people/emp/promotions", json={
        "to_role": "eng3", "justification": "acts as a senior", "pay": 75000,
        "pay_reason": "retention"})
    assert r.status_code == 201, r.text
    cid = r.json()["document"]["id"]
    before = counts(app)
    blank = clients["hr"].post(f"/api/cases/{cid}/decline", json={"reason": "   "})
    assert blank.status_code == 422 and "reason" in blank.json()["detail"]
    no = clients["hr"].post(f"/api/cases/{cid}/decline", json={"reason": "not a year in L2"})
    assert no.status_code == 201 and no.json()["document"]["status"] == "declined"
    assert counts(app)[0] == before[0]
    again = clients["hr"].post(f"/api/cases/{cid}/approval", json={})
    assert again.status_code == 422 and "declined" in again.json()["detail"]


def test_refused_proposals_write_nothing(app, clients):
    before = counts(app)
    cases = [("peer", {"person": "emp", "to_role": "eng3", "justification": "x"}, 403),
             ("manager", {"person": "emp", "to_role": "eng1", "justification": "x"}, 422),
             ("manager", {"person": "emp", "to_role": "eng3", "justification": " "}, 422),
             ("manager", {"person": "emp", "to_role": "nope", "justification": "x"}, 404)]
    for who, body, status in cases:
        r = clients[who].post("/api/cases", json=body)
        assert r.status_code == status, (body, r.text)
    below = clients["manager"].post("/api/cases", json=cases[1][1]).json()["detail"]
    assert "a case for a role below the current one" in below
    blank = clients["manager"].post("/api/cases", json=cases[2][1]).json()["detail"]
    assert blank == "a promotion case needs a justification"
    assert counts(app)[:3] == before[:3]
    assert clients["hr"].get("/api/cases/999999").status_code == 404


def test_the_pages_propose_show_sign_and_export(app, clients):
    manager, hr = clients["manager"], clients["hr"]
    person = manager.get("/people/emp").text
    assert 'action="/cases/new"' in person and "/promote" not in person
    confirm = manager.get("/cases/new?person=emp&to_role=eng3")
    assert confirm.status_code == 200
    assert "Readiness" in confirm.text and 'name="justification"' in confirm.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', confirm.text).group(1)
    empty = manager.post("/cases", data={"csrf_token": csrf, "person": "emp",
                                         "to_role": "eng3", "justification": ""})
    assert empty.status_code == 422 and "needs a justification" in empty.text
    made = manager.post("/cases", data={"csrf_token": csrf, "person": "emp", "to_role": "eng3",
                                        "justification": "designs the platform",
                                        "pay": "72000"}, follow_redirects=False)
    assert made.status_code == 303, made.text
    assert made.headers["location"].endswith("#case-h")  # the page opens on its notice
    cid = int(made.headers["location"].split("#")[0].rsplit("/", 1)[1])
    page = hr.get(f"/cases/{cid}")
    assert page.status_code == 200 and 'id="approve-form"' in page.text
    assert 'id="approve-form"' not in manager.get(f"/cases/{cid}").text  # the proposer
    listing = manager.get("/cases").text
    assert f'href="/cases/{cid}"' in listing
    before = counts(app)
    hr_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    outsider = clients["peer"]
    peer_csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                          outsider.get("/cases").text).group(1)
    refused = outsider.post(f"/cases/{cid}/approve", data={"csrf_token": peer_csrf})
    assert refused.status_code == 403 and counts(app)[:3] == before[:3]
    assert signed_steps(app, cid) == [None, None]
    said = hr.post(f"/cases/{cid}/comment", data={"csrf_token": hr_csrf,
                                                  "text": "strong packet"})
    assert said.status_code == 200 and "strong packet" in said.text
    exported = hr.get(f"/cases/{cid}/export")
    assert exported.status_code == 200
    assert exported.headers["content-security-policy"] == CSP
    html = exported.text
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "@media print" in html and "designs the platform" in html
    shown = re.sub(r"<[^>]+>", " ", html)  # read by a committee: names, titles and days
    assert "Skip-level manager: Bo Boss" in shown and "Meg Manager (their management" in shown
    assert not re.search(r"\b(eng\d|skip_level|mgr|emp)\b|\d{4}-\d\d-\d\d", shown), shown
    assert audited(clients, "case.export", f"case/{cid}")


def test_the_case_pages_name_people_and_roles_and_the_last_approval_asks_first(app, clients):
    manager, hr = clients["manager"], clients["hr"]
    open_case = [c for c in hr.get("/api/cases").json()["document"]["cases"]
                 if c["status"] == "open" and c["person"] == "emp"]
    cid = open_case[0]["id"]  # emp to eng3, opened by the test before
    page = hr.get(f"/cases/{cid}").text
    assert ">Em Ployee</a>" in page and "Skip-level manager: Bo Boss" in page
    assert "put forward by Meg Manager (their management chain)" in page
    assert "eng3" not in re.sub(r'(href|value|action)="[^"]*"', "", page)  # titles only
    listing = manager.get("/cases").text
    assert '<a href="/people/emp">Em Ployee</a>' in listing and "Skip-level manager" in listing
    person = hr.get("/people/emp").text  # the person page's list says it as the cases page
    assert re.search(rf'Case {cid}</a>: to [^<]*, open, waiting for Skip-level manager: Bo Boss',
                     person) and "skip_level" not in person
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    first = hr.post(f"/cases/{cid}/approve", data={"csrf_token": csrf},
                    follow_redirects=False)  # the skip-level's step: no question
    assert first.status_code == 303 and signed_steps(app, cid) == ["approved", None]
    before = counts(app)
    ask = hr.post(f"/cases/{cid}/approve", data={"csrf_token": csrf, "override": "ready"})
    assert ask.status_code == 200 and "Approve the promotion of Em Ployee?" in ask.text
    assert 'name="confirmed" value="yes"' in ask.text and 'value="ready"' in ask.text
    assert counts(app)[0] == before[0] and signed_steps(app, cid) == ["approved", None]
    yes = hr.post(f"/cases/{cid}/approve", data={"csrf_token": csrf, "override": "ready",
                                                 "confirmed": "yes"}, follow_redirects=False)
    assert yes.status_code == 303 and signed_steps(app, cid) == ["approved", "approved"]
    assert counts(app)[0] == before[0] + 1  # the promotion, once
    done = hr.get(f"/cases/{cid}").text
    assert "Recorded as a promotion on" in done and "Em Ployee's timeline" in done
    org = hr.get("/org").text  # the audit log names the case by whose it is, not its number
    assert re.search(r"approved a promotion case</td><td[^>]*>Em Ployee&#39;s promotion case for "
                     r"Senior Engineer<", org) and f"case {cid}<" not in org
