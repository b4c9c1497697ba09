"""Raises on the web: nothing reaches the ledger without its approver, nobody outside the
chain proposes, signs or sees a proposal, and every read and write is audited.

The seeded org (tests/web/conftest.py): boss (HR admin, 90,000) manages mgr (60,000) and
peer (46,000); mgr manages emp (45,000, +3% in 2022: 46,350). TINY's chain for raises is
the skip level: for emp, boss. Cycle '2024' (3%): mgr's team is emp alone, a payroll of
46,350 and a budget of 1,390. The tests share one database, in order.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select

from trellis.adapters import tables as t


def counts(app) -> tuple[int, int]:
    with app.state.trellis.uow() as uow:
        c = uow.connection
        return (c.scalar(select(func.count()).select_from(t.events).where(
                    t.events.c.kind == "compensation")),
                c.scalar(select(func.count()).select_from(t.comp_proposals)))


def audit(app) -> list[dict]:
    with app.state.trellis.uow() as uow:
        return uow.audit.entries()


def test_the_plus_sixty_percent_direct_write_no_longer_lands(app, clients):
    before = counts(app)
    api = clients["manager"].post("/api/people/emp/events", json={
        "kind": "compensation", "details": {"compensation_kind": "merit", "percent": 60}})
    assert api.status_code == 422
    assert api.json()["detail"] == ("a raise needs an approver: propose it with POST "
                                    "/api/compensation/raises (nothing was recorded)")
    assert counts(app) == before
    hr = clients["hr"].post("/api/people/emp/events", json={
        "kind": "compensation", "details": {"percent": 60}})
    assert hr.status_code == 422 and counts(app) == before  # HR follows the chain too

    page = clients["manager"].post("/people/emp/events", data={
        "kind": "compensation", "percent": "60", "reason": "counter-offer"})
    assert page.status_code == 200
    assert ("Raise proposed: awaiting the skip level&#39;s approval. Nothing is recorded "
            "until it is approved (Pay, Raises awaiting approval).") in page.text
    assert counts(app) == (before[0], before[1] + 1)  # a proposal, no event
    no_reason = clients["manager"].post("/people/emp/events", data={
        "kind": "compensation", "percent": "5"})
    assert no_reason.status_code == 422
    assert "Not proposed: give a reason: an off-cycle raise says why" in no_reason.text

    waiting = clients["hr"].get("/api/compensation/proposals?awaiting=true").json()
    [p] = [x for x in waiting if x["id"] == 1]
    assert (p["person"], p["amount"], p["pay_before"], p["can_sign"]) == ("emp", 27_810,
                                                                          46_350, True)
    assert p["band_warning"] == ("new pay €74,160 is above the Engineer I band "
                                 "(€40,000-€50,000)")
    signed = clients["hr"].post("/api/compensation/proposals/1/approval")
    assert signed.status_code == 200, signed.text
    assert signed.json()["status"] == "applied" and signed.json()["event"] is not None
    assert counts(app)[0] == before[0] + 1
    timeline = clients["employee"].get("/api/people/emp/timeline").json()
    [raise_] = [e for e in timeline if e["id"] == signed.json()["event"]]
    assert raise_["details"]["amount"] == 27_810 and raise_["details"]["proposal"] == 1


def test_outside_the_chain_is_refused_and_nothing_is_written(app, clients):
    before = counts(app)
    body = {"person": "emp", "kind": "merit", "percent": 2.0, "reason": "x"}
    for who in ("peer", "employee"):
        r = clients[who].post("/api/compensation/cycles/2024/proposals", json=body)
        assert r.status_code == 403, (who, r.text)
    assert counts(app) == before
    made = clients["manager"].post("/api/compensation/cycles/2024/proposals", json=body)
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    assert made.json()["amount"] == 1_483  # 2% of 74,160, after the first test's raise
    before = counts(app)
    for who, why in (("peer", "not yours to sign"),
                     ("employee", "you cannot approve your own raise"),
                     ("manager", "you proposed this raise and cannot approve it")):
        r = clients[who].post(f"/api/compensation/proposals/{pid}/approval")
        assert r.status_code == 403 and why in r.json()["detail"], (who, r.text)
        page = clients[who].post(f"/comp/proposals/{pid}/approve")
        assert page.status_code == 403 and "Not signed" in page.text
    assert counts(app) == before
    with app.state.trellis.uow() as uow:
        assert uow.compensation.proposal(pid).steps[0].decision is None
    assert clients["peer"].get("/api/compensation/cycles/2024").status_code == 403
    assert clients["hr"].post(f"/api/compensation/proposals/{pid}/approval").status_code == 200


def test_over_budget_without_a_reason_is_refused_with_the_figures(app, clients):
    before = counts(app)
    r = clients["manager"].post("/api/compensation/cycles/2024/proposals", json={
        "person": "emp", "kind": "merit", "amount": 5_000})
    assert r.status_code in (409, 422)
    assert counts(app) == before


def test_proposals_are_private_to_the_chain_hr_and_the_person_once_applied(app, clients):
    made = clients["manager"].post("/api/compensation/raises", json={
        "person": "emp", "kind": "adjustment", "amount": 500, "reason": "market"})
    assert made.status_code == 201, made.text
    pid = made.json()["id"]
    seen = {who: {p["id"] for p in clients[who].get("/api/compensation/proposals").json()}
            for who in ("hr", "manager", "employee", "peer")}
    assert pid in seen["hr"] and pid in seen["manager"]
    assert pid not in seen["employee"] and not seen["peer"]
    clients["hr"].post(f"/api/compensation/proposals/{pid}/approval")
    mine = clients["employee"].get("/api/compensation/proposals").json()
    assert pid in {p["id"] for p in mine} and all(p["status"] == "applied" for p in mine)
    reads = [e for e in audit(app) if e["action"] == "pay.read"
             and e["resource"] == "compensation/proposals"]
    assert {e["user_email"] for e in reads} >= {"hr@x.org", "mgr@x.org", "emp@x.org"}


def test_the_cycle_page_shows_a_manager_their_people_and_is_audited(app, clients):
    page = clients["manager"].get("/comp/cycles/2024")
    assert page.status_code == 200
    assert 'id="row-emp"' in page.text and 'id="row-peer"' not in page.text
    assert "Meg Manager&#39;s team" in page.text  # the team by its manager's name
    assert '<a href="/people/emp">Em Ployee</a>' in page.text
    assert "Effective 1 Jan 2024" in page.text and "Open for proposals" in page.text
    hr_page = clients["hr"].get("/comp/cycles/2024")
    assert 'id="row-peer"' in hr_page.text and 'id="row-mgr"' in hr_page.text
    doc = clients["manager"].get("/api/compensation/cycles/2024").json()
    assert [g["group"] for g in doc["groups"]] == ["mgr's team"]
    [group] = doc["groups"]
    [emp] = doc["people"]
    assert group["payroll"] > 0 and emp["currency"] == "EUR"
    for figure in (group["payroll"], group["budget"], emp["pay"]):  # currency, separators
        assert f"€{figure:,}" in page.text
    main = page.text.split("<main", 1)[1]
    assert not re.search(r"(?<!&)#\d", main)  # no "#12" as a label
    assert any(e["action"] == "pay.read" and e["resource"] == "compensation/2024"
               and e["user_email"] == "mgr@x.org" for e in audit(app))
    assert clients["employee"].get("/comp/cycles/2024").status_code == 403
    listing = clients["manager"].get("/comp")
    assert listing.status_code == 200 and "/comp/cycles/2024" in listing.text
    approvals = clients["hr"].get("/comp/approvals")
    assert approvals.status_code == 200 and "Raises awaiting your approval" in approvals.text


def test_a_manager_proposes_on_the_cycle_page_and_hr_applies(app, clients):
    page = clients["hr"].post("/comp/cycles/2024/propose", data={
        "person": "mgr", "kind": "adjustment", "percent": "abc", "reason": "kept"},
        follow_redirects=False)
    assert page.status_code == 422 and "the raise in percent must be a number" in page.text
    assert "--percent" not in page.text
    row = page.text.split('id="row-mgr"', 1)[1].split("</tr>", 1)[0]
    assert 'data-notice="row-mgr"' in row  # the refusal at the row acted on
    assert 'value="abc"' in row and 'value="kept"' in row
    assert '<option value="adjustment" selected>Adjustment</option>' in row
    outside = clients["manager"].post("/comp/cycles/2024/propose", data={
        "person": "peer", "kind": "merit", "percent": "1"}, follow_redirects=False)
    assert outside.status_code == 403 and 'data-notice="people"' in outside.text
    ok = clients["hr"].post("/comp/cycles/2024/propose", data={
        "person": "peer", "kind": "merit", "percent": "1", "reason": ""},
        follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/comp/cycles/2024#row-peer"
    shown = clients["hr"].get("/comp/cycles/2024")
    row = shown.text.split('id="row-peer"', 1)[1].split("</tr>", 1)[0]
    assert "Proposed +€460 (+1%) on €46,000 for Pe Er" in row  # 1% of 46,000
    assert "Merit +€460 (+1%)" in row and "Awaiting the skip level&#39;s approval" in row
    assert "Proposed +€460" not in clients["hr"].get("/comp/cycles/2024").text  # one-shot
    [pid] = [p["id"] for p in clients["hr"].get("/api/compensation/proposals").json()
             if p["person"] == "peer" and p["status"] == "proposed"]
    # peer's skip level: nobody above boss, so the step falls to HR; hr@x.org proposed it
    refused = clients["hr"].post(f"/api/compensation/proposals/{pid}/approval")
    assert refused.status_code == 403
    declined = clients["hr"].post(f"/api/compensation/proposals/{pid}/decline",
                                  json={"reason": "no"})
    assert declined.status_code == 403
    assert clients["manager"].post("/api/compensation/cycles/2024/apply").status_code == 403


def test_approvals_page_names_people_and_answers_at_the_row(app, clients):
    made = clients["manager"].post("/api/compensation/raises", json={
        "person": "emp", "kind": "adjustment", "amount": 1_200, "reason": "market rate"})
    assert made.status_code == 201, made.text
    pid, before = made.json()["id"], made.json()["pay_before"]
    page = clients["hr"].get("/comp/approvals")
    row = page.text.split(f'id="proposal-{pid}"', 1)[1].split("</tr>", 1)[0]
    assert '<a href="/people/emp">Em Ployee</a>' in row and "Off-cycle" in row
    assert f"+€1,200 on €{before:,}" in row and "Adjustment" in row
    assert "Meg Manager" in row and "mgr@x.org" not in row  # the proposer by name
    assert "Awaiting the skip level&#39;s approval (Bo Boss)" in row
    assert not re.search(rf"(?<!&)#{pid}\b", row)  # no "#3" label ("&#39;" is a quote)
    refused = clients["manager"].post(f"/comp/proposals/{pid}/approve",
                                      follow_redirects=False)
    assert refused.status_code == 403  # the manager sees it, awaiting someone else
    row = refused.text.split(f'id="proposal-{pid}"', 1)[1].split("</tr>", 1)[0]
    assert "Not signed: you proposed this raise" in row
    outside = clients["peer"].post(f"/comp/proposals/{pid}/approve", follow_redirects=False)
    assert outside.status_code == 403 and f'id="proposal-{pid}"' not in outside.text
    assert 'data-notice="signed"' in outside.text  # at the top: the row is not shown
    no_reason = clients["hr"].post(f"/comp/proposals/{pid}/decline", data={"reason": " "},
                                   follow_redirects=False)
    assert no_reason.status_code == 422
    row = no_reason.text.split(f'id="proposal-{pid}"', 1)[1].split("</tr>", 1)[0]
    assert f'data-notice="proposal-{pid}"' in row and "Not signed" in row
    signed = clients["hr"].post(f"/comp/proposals/{pid}/approve", follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/comp/approvals#signed"
    after = clients["hr"].get("/comp/approvals")
    assert "Approved: +€1,200 for Em Ployee (applied)." in after.text
    assert f'id="proposal-{pid}"' not in after.text


def cycle_names(clients) -> set[str]:
    return {c["name"] for c in clients["hr"].get("/api/compensation/cycles").json()}


def test_hr_opens_a_cycle_from_the_cycles_page(app, clients):
    listing = clients["hr"].get("/comp")
    assert 'action="/comp/cycles#open-cycle"' in listing.text
    assert '<option value="mgr">Meg Manager</option>' in listing.text  # managers by name
    assert "trellis comp cycle open" not in listing.text
    assert "1 Jan 2024" in listing.text and "Open for proposals" in listing.text
    assert "open-cycle" not in clients["manager"].get("/comp").text  # HR's form only
    good = {"name": "2025 team", "effective_on": "2025-01-01", "budget_percent": "2.5",
            "team": "mgr"}
    before = cycle_names(clients)
    for change, why, code in (
            ({"name": ""}, "Not opened: the name", 422),
            ({"effective_on": "next year"}, "the effective date must be a day", 422),
            ({"budget_percent": "0"}, "the budget is a percentage of payroll above 0", 422),
            ({"budget_percent": "lots"}, "the budget is a percentage", 422),
            ({"team": "nobody"}, "Not opened: ", 404),
            ({"name": "2024"}, "Not opened: ", 409)):
        sent = {**good, **change}
        r = clients["hr"].post("/comp/cycles", data=sent, follow_redirects=False)
        assert r.status_code == code and why in r.text, (change, r.status_code)
        assert 'data-notice="open-cycle"' in r.text
        for field in ("name", "effective_on", "budget_percent"):  # the form comes back
            assert f'name="{field}"' in r.text and f'value="{sent[field]}"' in r.text
        assert '<option value="mgr" selected>' in r.text or sent["team"] != "mgr"
    assert cycle_names(clients) == before  # nothing opened
    assert clients["manager"].post("/comp/cycles", data=good).status_code == 403
    assert clients["employee"].post("/comp/cycles", data=good).status_code == 403
    assert cycle_names(clients) == before

    ok = clients["hr"].post("/comp/cycles", data=good, follow_redirects=False)
    assert ok.status_code == 303
    assert ok.headers["location"] == "/comp/cycles/2025%20team#cycle"
    page = clients["hr"].get("/comp/cycles/2025%20team")
    assert ("Opened 2025 team: 1 person, effective 1 Jan 2025, a budget of 2.5% of each "
            "team&#39;s payroll.") in page.text  # emp alone is under mgr
    doc = clients["hr"].get("/api/compensation/cycles/2025%20team").json()
    assert doc["cycle"]["budget_percent"] == 2.5 and [p["person"] for p in doc["people"]] \
        == ["emp"]
    [entry] = [e for e in audit(app) if e["action"] == "comp.cycle.open"
               and e["resource"] == "compensation/2025 team"]
    assert entry["user_email"] == "hr@x.org"


def test_closing_and_applying_a_cycle_ask_first(app, clients):
    url = "/comp/cycles/2025%20team/status"
    ask = clients["hr"].post(url, data={"action": "close"}, follow_redirects=False)
    assert ask.status_code == 200 and "Yes, close it" in ask.text
    assert clients["hr"].get("/api/compensation/cycles/2025%20team").json()[
        "cycle"]["status"] == "open"  # nothing changed yet
    closed = clients["hr"].post(url, data={"action": "close", "confirmed": "yes"},
                                follow_redirects=False)
    assert closed.status_code == 303
    assert "Closed to new proposals." in clients["hr"].get("/comp/cycles/2025%20team").text
    again = clients["hr"].post(url, data={"action": "close", "confirmed": "yes"})
    assert again.status_code == 409 and "Not done: " in again.text
    assert clients["manager"].post(url, data={"action": "reopen"}).status_code == 403
    reopened = clients["hr"].post(url, data={"action": "reopen"}, follow_redirects=False)
    assert reopened.status_code == 303  # reopening is not weighty: no question
    ask = clients["hr"].post(url, data={"action": "apply"})
    assert "Yes, apply the raises" in ask.text and 'name="confirmed" value="yes"' in ask.text
    applied = clients["hr"].post(url, data={"action": "apply", "confirmed": "yes"},
                                 follow_redirects=False)
    assert applied.status_code == 303
    page = clients["hr"].get("/comp/cycles/2025%20team")
    assert "Applied: 0 raises recorded." in page.text and "Applied: the raises" in page.text
    assert any(e["action"] == "comp.cycle.apply" for e in audit(app))


def test_hr_searches_and_filters_a_cycles_people_and_an_answer_keeps_the_filters(clients):
    r = clients["hr"].post("/comp/cycles", data={
        "name": "2026 list", "effective_on": "2026-01-01", "budget_percent": "3", "team": ""},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    url = "/comp/cycles/2026%20list"
    doc = clients["hr"].get("/api/compensation/cycles/2026%20list").json()
    everyone = {p["person"] for p in doc["people"]}
    assert len(everyone) >= 3 and all(p["proposal"] is None for p in doc["people"])

    def rows(path: str) -> set[str]:
        page = clients["hr"].get(path)
        assert page.status_code == 200, page.text[:300]
        return set(re.findall(r'<tr id="row-([^"]+)"', page.text))

    assert rows(url) == everyone and rows(f"{url}?q=ploy") == {"emp"}
    assert rows(f"{url}?state=none") == everyone and rows(f"{url}?state=awaiting") == set()
    [team] = [g["group"] for g in doc["groups"] if g["manager"] == "mgr"]
    assert rows(f"{url}?team={team}") == {p["person"] for p in doc["people"]
                                          if p["group"] == team}
    bad = clients["hr"].get(f"{url}?state=late")
    assert bad.status_code == 422 and "Show people with one of: no raise proposed" in bad.text
    assert clients["hr"].get(f"{url}?team=nobody").status_code == 422
    assert clients["hr"].get(f"{url}?page=two").status_code == 422
    ok = clients["hr"].post(f"{url}/propose", data={
        "person": "emp", "kind": "merit", "percent": "1", "reason": "market", "q": "ploy",
        "state": "none"},
        follow_redirects=False)
    assert ok.status_code == 303, ok.text
    assert ok.headers["location"] == f"{url}?q=ploy&state=none#row-emp"
    # emp now has a raise awaiting approval: off the filtered list, the answer at its top
    page = clients["hr"].get(ok.headers["location"])
    assert 'data-notice="people"' in page.text and "Nobody matches these filters." in page.text
    assert rows(f"{url}?state=awaiting") == {"emp"}
