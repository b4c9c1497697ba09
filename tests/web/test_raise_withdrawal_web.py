"""Withdrawing an approved raise on the web: the API and the cycle's page (with a
confirmation, the message at the row), who may, every refusal in one line with nothing
changed, the audit entry, and the cycle's history.

The seeded org (tests/web/conftest.py): boss (HR admin) manages mgr and peer; mgr manages
emp (46,350 EUR). TINY's chain for raises is the skip level: boss signs mgr's proposals for
emp. Cycles '2023' and '2024' (3%): mgr's team is emp alone, a budget of 1,390. The tests
share one database, in order.
"""

from __future__ import annotations

from sqlalchemy import select

from trellis.adapters import tables as t


def rows(app) -> list[tuple]:
    with app.state.trellis.uow() as uow:
        return [tuple(r) for r in uow.connection.execute(
            select(t.comp_proposals).order_by(t.comp_proposals.c.id))]


def approved(clients, cycle: str, amount: int) -> int:
    made = clients["manager"].post(f"/api/compensation/cycles/{cycle}/proposals", json={
        "person": "emp", "kind": "merit", "amount": amount})
    assert made.status_code == 201, made.text
    signed = clients["hr"].post(f"/api/compensation/proposals/{made.json()['id']}/approval")
    assert signed.status_code == 200 and signed.json()["status"] == "approved", signed.text
    return int(made.json()["id"])


def test_the_api_refuses_in_one_line_and_changes_nothing(app, clients):
    pid = approved(clients, "2024", 1_000)
    before = rows(app)
    url = f"/api/compensation/proposals/{pid}/withdrawal"
    for who, body, code, detail in (
            ("peer", {"reason": "x"}, 403,
             "you may not withdraw this raise: its proposer, the proposer's managers and HR "
             "admins do"),
            ("employee", {"reason": "x"}, 403, "you cannot withdraw your own raise"),
            ("manager", {}, 422, "give a reason: why the approved raise is withdrawn"),
            ("manager", {"reason": "   "}, 422,
             "give a reason: why the approved raise is withdrawn")):
        r = clients[who].post(url, json=body)
        assert (r.status_code, r.json()["detail"]) == (code, detail), (who, r.text)
    missing = clients["hr"].post("/api/compensation/proposals/99999/withdrawal",
                                 json={"reason": "x"})
    assert missing.status_code == 404
    assert rows(app) == before
    budget = clients["manager"].get("/api/compensation/cycles/2024").json()["groups"]
    assert [(g["approved"], g["remaining"]) for g in budget] == [(1_000, 390)]


def test_the_page_asks_first_then_withdraws_and_answers_at_the_row(app, clients):
    page = clients["manager"].get("/comp/cycles/2024").text
    row = page.split('id="row-emp"', 1)[1].split("</tr>", 1)[0]
    assert "Approved: recorded when the cycle is applied" in row
    assert 'action="/comp/cycles/2024/withdraw#row-emp"' in row and ">Withdraw<" in row
    [pid] = [p["id"] for p in clients["hr"].get("/api/compensation/proposals").json()
             if p["status"] == "approved"]
    empty = clients["manager"].post("/comp/cycles/2024/withdraw", data={
        "proposal": pid, "person": "emp", "reason": ""}, follow_redirects=False)
    assert empty.status_code == 422
    row = empty.text.split('id="row-emp"', 1)[1].split("</tr>", 1)[0]
    assert 'data-notice="row-emp"' in row
    assert "Not withdrawn: give a reason: why the approved raise is withdrawn" in row
    before = rows(app)
    ask = clients["manager"].post("/comp/cycles/2024/withdraw", data={
        "proposal": pid, "person": "emp", "reason": "the team's budget was cut"},
        follow_redirects=False)
    assert ask.status_code == 200 and "Withdraw this approved raise?" in ask.text
    assert "Yes, withdraw the raise" in ask.text and 'name="confirmed" value="yes"' in ask.text
    assert "+€1,000 on €46,350 for Em Ployee" in ask.text
    assert 'value="the team&#39;s budget was cut"' in ask.text  # carried to the second post
    assert rows(app) == before  # nothing changed yet
    done = clients["manager"].post("/comp/cycles/2024/withdraw", data={
        "proposal": pid, "person": "emp", "reason": "the team's budget was cut",
        "confirmed": "yes"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/comp/cycles/2024#row-emp"
    page = clients["manager"].get("/comp/cycles/2024").text
    row = page.split('id="row-emp"', 1)[1].split("</tr>", 1)[0]
    assert 'data-notice="row-emp"' in row
    assert "Withdrawn: the raise of +€1,000 for Em Ployee will not be recorded." in row
    assert "Withdrawn after approval: not recorded" in row
    assert "Withdrawn by Meg Manager on " in row and "the team&#39;s budget was cut" in row
    assert ">Propose<" in row  # another raise may be proposed
    history = page.split('id="withdrawn"', 1)[1].split("</section>", 1)[0]
    assert "Em Ployee" in history and "Bo Boss" in history  # approved by, then withdrawn by
    assert "Meg Manager" in history and "the team&#39;s budget was cut" in history
    main = page.split("<main", 1)[1]
    assert "mgr@x.org" not in main and "hr@x.org" not in main  # names, not accounts


def test_the_withdrawal_is_attributable_and_visible_in_the_api(app, clients):
    doc = clients["hr"].get("/api/compensation/cycles/2024").json()
    [w] = doc["withdrawn"]
    assert w["person"] == "emp" and w["proposal"]["status"] == "withdrawn"
    assert (w["proposal"]["withdrawal"]["by"], w["proposal"]["withdrawal"]["reason"]) == (
        "mgr@x.org", "the team's budget was cut")
    assert [s["decided_by"] for s in w["proposal"]["steps"]] == ["hr@x.org"]
    assert [(g["approved"], g["remaining"]) for g in doc["groups"]
            if g["manager"] == "mgr"] == [(0, 1_390)]
    with app.state.trellis.uow() as uow:
        [entry] = [e for e in uow.audit.entries() if e["action"] == "comp.withdraw"]
    assert entry["user_email"] == "mgr@x.org"
    assert entry["resource"] == f"person/emp/proposals/{w['proposal']['id']}"
    assert entry["detail"]["reason"] == "the team's budget was cut"
    again = clients["hr"].post(f"/api/compensation/proposals/{w['proposal']['id']}/withdrawal",
                               json={"reason": "twice"})
    assert again.status_code == 409
    assert again.json()["detail"].startswith("this raise is already withdrawn on ")


def test_not_approved_and_already_applied_are_refused(app, clients):
    made = clients["manager"].post("/api/compensation/cycles/2024/proposals", json={
        "person": "emp", "kind": "merit", "amount": 300})
    pid = made.json()["id"]
    r = clients["hr"].post(f"/api/compensation/proposals/{pid}/withdrawal",
                           json={"reason": "x"})
    assert r.status_code == 422 and r.json()["detail"] == (
        "this raise is proposed, not approved: only an approved raise is withdrawn "
        "(decline it instead)")
    old = approved(clients, "2023", 500)
    applied = clients["hr"].post("/api/compensation/cycles/2023/apply")
    assert applied.status_code == 200, applied.text
    [event] = applied.json()["events"]
    before = rows(app)
    r = clients["hr"].post(f"/api/compensation/proposals/{old}/withdrawal",
                           json={"reason": "too late"})
    assert event  # the raise is in the ledger: the page names no event id
    assert r.status_code == 409 and r.json()["detail"] == (
        "this raise is already applied: its raise is in the ledger: correct it with a new "
        "event, a retraction of that one with a reason or another pay change")
    assert rows(app) == before


def test_a_withdrawal_from_a_filtered_list_comes_back_to_it(clients):
    opened = clients["hr"].post("/comp/cycles", data={
        "name": "2025 back", "effective_on": "2025-01-01", "budget_percent": "3",
        "team": ""}, follow_redirects=False)
    assert opened.status_code == 303, opened.text
    pid = approved(clients, "2025%20back", 200)
    url = "/comp/cycles/2025%20back"
    shown = {"q": "ploy", "state": "approved", "page": "1"}
    row = clients["manager"].get(f"{url}?q=ploy&state=approved").text.split(
        'id="row-emp"', 1)[1].split("</tr>", 1)[0]
    assert '<input type="hidden" name="state" value="approved">' in row
    ask = clients["manager"].post(f"{url}/withdraw", data={
        "proposal": pid, "person": "emp", "reason": "reorganized", **shown},
        follow_redirects=False)
    assert ask.status_code == 200 and "Withdraw this approved raise?" in ask.text
    assert 'name="state" value="approved"' in ask.text  # the list's filters, carried
    assert f'href="{url}?q=ploy&amp;state=approved#row-emp"' in ask.text  # "no": back to it
    done = clients["manager"].post(f"{url}/withdraw", data={
        "proposal": pid, "person": "emp", "reason": "reorganized", "confirmed": "yes",
        **shown}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{url}?q=ploy&state=approved#row-emp"
    # no longer approved, emp has left the filtered list: the answer stands at its top
    page = clients["manager"].get(done.headers["location"]).text
    assert 'data-notice="people"' in page and "Nobody matches these filters." in page
    assert "Withdrawn: the raise of +€200 for Em Ployee will not be recorded." in page
