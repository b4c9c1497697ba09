"""Review cycles over the API, for each role (tests/web/conftest.py's organization):

    boss (hr) ── mgr (manager) ── emp (employee)
         └────── peer (employee)

HR opens and closes cycles; the signed-in user is the reviewer, so everyone writes only the
review their place in the org chart allows; a refusal is a 403 and writes nothing; ratings
are read by the circle (a reviewer sees only what they wrote) and every read is audited.
The tests run in order: one cycle, walked from opening to closing.
"""

from __future__ import annotations

from datetime import date

import pytest

from trellis.services import clock

CYCLE = "2026-h2"
URL = f"/api/review-cycles/{CYCLE}"


def review_events(clients) -> list[dict]:
    out = []
    for who in ("boss", "mgr", "emp", "peer"):
        r = clients["hr"].get(f"/api/people/{who}/timeline")
        assert r.status_code == 200, r.text
        out += [e for e in r.json() if e["kind"] == "review"]
    return out


def audit(clients, action: str) -> list[dict]:
    r = clients["hr"].get("/api/audit")
    assert r.status_code == 200, r.text
    return [e for e in r.json() if e["action"] == action]


@pytest.fixture(scope="module")
def today() -> date:
    return clock.today()


def test_only_hr_opens_a_cycle(clients, today):
    body = {"name": CYCLE, "period_start": f"{today.year}-01-01",
            "period_end": today.isoformat(), "forms": ["self", "manager", "peer", "upward"],
            "due": {"self": today.isoformat()}}
    for who in ("manager", "employee"):
        r = clients[who].post("/api/review-cycles", json=body)
        assert r.status_code == 403, r.text
    assert clients["hr"].get("/api/review-cycles").json() == []
    r = clients["hr"].post("/api/review-cycles", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["people"] == 4 and r.json()["status"] == "open"
    assert r.json()["due"] == {"self": today.isoformat()}
    listed = clients["employee"].get("/api/review-cycles").json()
    assert [(c["name"], c["people"], c["opened_by"]) for c in listed] == [(CYCLE, 4, None)]
    assert audit(clients, "review_cycle.open")[0]["user"] == "hr@x.org"


def test_a_cycle_for_a_team_and_bad_input_are_refused_in_one_line(clients, today):
    r = clients["hr"].post("/api/review-cycles", json={
        "name": "team", "period_start": f"{today.year}-01-01",
        "period_end": today.isoformat(), "team": "mgr"})
    assert r.status_code == 201 and r.json()["people"] == 1  # emp only
    r = clients["hr"].post("/api/review-cycles", json={
        "name": "back", "period_start": "2026-05-01", "period_end": "2026-01-01"})
    assert r.status_code == 422
    assert "ends (1 Jan 2026) before it starts (1 May 2026)" in r.json()["detail"]
    r = clients["hr"].post("/api/review-cycles", json={
        "name": "x" * 500, "period_start": "2026-01-01", "period_end": "2026-02-01"})
    assert r.status_code == 422
    names = [c["name"] for c in clients["hr"].get("/api/review-cycles").json()]
    assert names == [CYCLE, "team"]


def test_the_manager_or_hr_nominates_peers_and_no_one_else(clients):
    before = len(audit(clients, "review.nominate"))
    for who in ("employee", "peer"):
        r = clients[who].post(f"{URL}/nominations", json={"person": "emp", "peer": "peer"})
        assert r.status_code == 403, r.text
    r = clients["manager"].post(f"{URL}/nominations",
                                json={"person": "emp", "peer": "peer", "anonymous": True})
    assert r.status_code == 201, r.text
    r = clients["hr"].post(f"{URL}/nominations", json={"person": "emp", "peer": "peer"})
    assert r.status_code == 409  # already nominated
    assert len(audit(clients, "review.nominate")) == before + 1


@pytest.mark.parametrize(("who", "person", "form"), [
    ("peer", "emp", "self"),         # a self review is the person's own
    ("hr", "emp", "manager"),        # HR is not emp's manager
    ("employee", "emp", "manager"),  # nor is emp
    ("manager", "emp", "peer"),      # mgr was not nominated
    ("hr", "emp", "peer"),
    ("peer", "mgr", "upward"),       # peer does not report to mgr
    ("manager", "emp", "upward"),
])
def test_a_review_by_the_wrong_person_is_a_403_and_writes_nothing(clients, who, person,
                                                                  form):
    before = review_events(clients)
    r = clients[who].post(f"{URL}/reviews", json={"person": person, "form": form,
                                                   "rating": 3})
    assert r.status_code == 403, r.text
    assert "\n" not in r.json()["detail"]
    assert review_events(clients) == before


def test_each_writes_the_review_their_place_allows(clients):
    writes = [("employee", {"person": "emp", "form": "self", "rating": 4,
                            "ratings": {"coding": 3},
                            "goals": [{"goal": "ship the API", "result": "met",
                                       "value": 98.5}],
                            "comment": "a good year"}),
              ("manager", {"person": "emp", "form": "manager", "rating": 3,
                           "ratings": {"coding": 2}, "comment": "solid"}),
              ("peer", {"person": "emp", "form": "peer", "rating": 5,
                        "comment": "great pairing"}),
              ("employee", {"person": "mgr", "form": "upward", "rating": 4})]
    for who, body in writes:
        r = clients[who].post(f"{URL}/reviews", json=body)
        assert r.status_code == 201, (who, r.text)
        assert r.json()["form"] == body["form"]
    entries = audit(clients, "review.submit")
    assert sorted(str(e["user"]) for e in entries) == ["None", "emp@x.org", "mgr@x.org",
                                                       "peer@x.org"]  # upward: "a report"
    # the upward review of mgr is not on the timeline hr@x.org reads: boss is mgr's manager,
    # so reads upward feedback only aggregated (docs/reviews.md); its writer sees it
    assert len(review_events(clients)) == 3
    mine = clients["employee"].get("/api/people/mgr/timeline").json()
    assert len([e for e in mine if e["kind"] == "review"]) == 1


@pytest.mark.parametrize(("body", "message"), [
    ({"person": "peer", "form": "self", "rating": 9}, "rating 9 is outside the scale"),
    ({"person": "mgr", "form": "self", "rating": 0}, "outside the scale"),
    ({"person": "peer", "form": "self", "rating": 3, "ratings": {"coding": 9}}, "above"),
    ({"person": "peer", "form": "self", "rating": 3, "ratings": {"nope": 1}},
     "'nope' is not a competency"),
    ({"person": "emp", "form": "self", "rating": 3}, "already has a self review"),
])
def test_bad_reviews_are_4xx_in_one_line_with_nothing_written(clients, body, message):
    who = {"emp": "employee", "mgr": "manager", "peer": "peer"}[body["person"]]
    before = review_events(clients)
    r = clients[who].post(f"{URL}/reviews", json=body)
    assert 400 <= r.status_code < 500, r.text
    assert message in r.json()["detail"] and "\n" not in r.json()["detail"]
    assert review_events(clients) == before


def test_a_review_of_someone_not_in_the_cycle_is_refused(clients):
    before = review_events(clients)
    r = clients["manager"].post("/api/review-cycles/team/reviews",
                                json={"person": "mgr", "form": "self", "rating": 3})
    assert r.status_code == 422
    assert r.json()["detail"] == "Meg Manager is not in review cycle 'team'"
    r = clients["manager"].post("/api/review-cycles/nope/reviews",
                                json={"person": "emp", "form": "manager", "rating": 3})
    assert r.status_code == 404
    assert review_events(clients) == before


def ratings_of(doc: dict) -> dict[str, list[tuple]]:
    return {role: [(r["rating"], r["reviewer"], r["anonymous"]) for r in records]
            for role, records in doc["cycles"][CYCLE].items()}


@pytest.mark.parametrize("who", ["employee", "manager"])
def test_the_circle_reads_every_review_with_the_anonymous_peer_unnamed(clients, who):
    r = clients[who].get("/api/people/emp/reviews")
    assert r.status_code == 200, r.text
    assert ratings_of(r.json()) == {"self": [(4, "emp", False)],
                                    "manager": [(3, "mgr", False)],
                                    "peer": [(5, None, True)]}
    self_review = r.json()["cycles"][CYCLE]["self"][0]
    assert self_review["label"] == "exceeds"
    assert self_review["ratings"] == {"coding": {"rating": 3}}
    assert self_review["goals"] == [{"goal": "ship the API", "result": "met", "value": 98.5}]


def test_hr_sees_who_the_anonymous_peer_was(clients):
    doc = clients["hr"].get("/api/people/emp/reviews").json()
    assert ratings_of(doc)["peer"] == [(5, "peer", True)]


def test_a_peer_reads_only_what_they_wrote_and_an_outsider_nothing(clients):
    r = clients["peer"].get("/api/people/emp/reviews")
    assert r.status_code == 200, r.text
    assert ratings_of(r.json()) == {"peer": [(5, "peer", True)]}
    assert r.json()["cycles"][CYCLE]["peer"][0]["comment"] == "great pairing"
    r = clients["peer"].get("/api/people/mgr/reviews")
    assert r.status_code == 403
    assert clients["peer"].get("/api/people/3/reviews").status_code == 404  # by id: unknown


def test_every_read_of_ratings_is_audited(clients):
    before = audit(clients, "reviews.read")
    clients["manager"].get("/api/people/emp/reviews")
    after = audit(clients, "reviews.read")
    assert len(after) == len(before) + 1
    newest = after[0]
    assert (newest["user"], newest["resource"]) == ("mgr@x.org", "person/emp/reviews")
    assert newest["detail"] == {"reviews": 3, "whole": True}
    peers = [e for e in after if e["user"] == "peer@x.org"]
    assert peers and peers[-1]["detail"] == {"reviews": 1, "whole": False}


def test_progress_is_scoped_by_role(clients):
    seen = {}
    for who in ("hr", "manager", "employee", "peer"):
        r = clients[who].get(f"{URL}/progress")
        assert r.status_code == 200, r.text
        seen[who] = {p["person"]: p for p in r.json()["people"]}
    assert sorted(seen["hr"]) == ["boss", "emp", "mgr", "peer"]
    assert sorted(seen["manager"]) == ["emp", "mgr"]
    assert sorted(seen["employee"]) == ["emp"]
    assert sorted(seen["peer"]) == ["peer"]
    emp = seen["manager"]["emp"]
    assert emp["submitted"] == ["self", "manager", "peer"]
    assert (emp["peers_done"], emp["peers_nominated"]) == (1, 1)
    assert seen["hr"]["mgr"]["submitted"] == ["upward"]


def test_only_hr_closes_and_reopens_and_a_closed_cycle_takes_no_review(clients):
    assert clients["manager"].patch(URL, json={"status": "closed"}).status_code == 403
    r = clients["hr"].patch(URL, json={"status": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    before = review_events(clients)
    r = clients["peer"].post(f"{URL}/reviews", json={"person": "peer", "form": "self",
                                                      "rating": 3})
    assert r.status_code == 422 and "closed" in r.json()["detail"]
    assert review_events(clients) == before
    assert clients["hr"].patch(URL, json={"status": "closed"}).status_code == 409
    r = clients["hr"].patch(URL, json={"status": "open"})
    assert r.status_code == 200 and r.json()["status"] == "open"
    assert [e["action"] for e in audit(clients, "review_cycle.reopen")] == [
        "review_cycle.reopen"]
