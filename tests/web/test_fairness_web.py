"""The fairness audit and person attributes on the web: HR admins only; everyone else gets a
403 from every route, and no person page ever shows an attribute."""

from __future__ import annotations

import re
from datetime import date

import pytest

from trellis.entrypoints.web.formatting import day

OTHERS = ("manager", "employee", "peer")
ROUTES = [("GET", "/api/fairness", None), ("GET", "/org/fairness", None),
          ("GET", "/api/people/emp/attributes", None),
          ("PUT", "/api/people/emp/attributes/location", {"value": "Atlantis"}),
          ("DELETE", "/api/people/emp/attributes/gender", None)]


@pytest.mark.parametrize("who", OTHERS)
@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_everyone_but_hr_is_refused(clients, anonymous, who, method, path, body):
    r = clients[who].request(method, path, json=body)
    assert r.status_code == 403, (who, path, r.text)
    r = anonymous.request(method, path, json=body, follow_redirects=False)
    assert r.status_code in (401, 303)


def test_hr_sets_reads_and_removes_attributes_and_each_is_audited(app, clients):
    hr = clients["hr"]
    r = hr.put("/api/people/peer/attributes/Location", json={"value": "Lisbon"})
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in ("person", "name", "value", "set_by")} == {
        "person": "peer", "name": "location", "value": "Lisbon", "set_by": "hr@x.org"}
    listed = hr.get("/api/people/peer/attributes").json()
    assert [(a["name"], a["value"]) for a in listed] == [("location", "Lisbon")]
    assert hr.delete("/api/people/peer/attributes/location").status_code == 204
    assert hr.get("/api/people/peer/attributes").json() == []
    with app.state.trellis.uow() as uow:
        actions = [e["action"] for e in uow.audit.entries()
                   if e["user_email"] == "hr@x.org" and "peer/attributes" in e["resource"]]
    assert {"attribute.set", "attributes.read", "attribute.unset"} <= set(actions)


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("PUT", "/api/people/nobody/attributes/gender", {"value": "F"}, 404),
    ("PUT", "/api/people/emp/attributes/gender", {"value": "x" * 81}, 422),
    ("PUT", "/api/people/emp/attributes/gender", {"value": ""}, 422),
    ("PUT", "/api/people/emp/attributes/bad%20name", {"value": "F"}, 422),
    ("DELETE", "/api/people/emp/attributes/age_band", None, 404),
    ("GET", "/api/fairness?attribute=age_band", None, 404),
    ("GET", "/api/fairness?since=2025-01-02&until=2025-01-01", None, 422),
])
def test_bad_input_is_a_4xx(clients, method, path, body, status):
    r = clients["hr"].request(method, path, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_hr_reads_the_audit_and_its_page(app, clients):
    hr = clients["hr"]
    r = hr.get("/api/fairness", params={"since": "2020-01-01", "min_group": "1"})
    assert r.status_code == 200, r.text
    doc = r.json()["document"]
    assert doc["attributes"] == ["gender"] and doc["min_group"] == 1
    promoted = next(a for a in doc["outcomes"] if a["outcome"] == "promoted")
    assert promoted["population"] == 1 and promoted["unrecorded"] == 3  # only emp has one
    page = hr.get("/org/fairness")
    assert page.status_code == 200 and "Fairness audit" in page.text
    assert "too few to judge" in page.text  # emp alone: under the minimum of 20
    assert "<td>Too few to judge</td>" in page.text  # a group's status in words
    assert "trellis fairness --json" not in page.text and "/api/fairness" not in page.text
    whole = hr.get("/api/fairness").json()["document"]
    since = date.fromisoformat(whole["since"][:10])
    assert f"From {since.day} {since.strftime('%b')} {since.year} to " in page.text
    for note in whole["notes"]:  # the notes' ISO days read as days on the page
        for iso in re.findall(r"\d{4}-\d{2}-\d{2}", note):
            assert day(iso) in page.text
    with app.state.trellis.uow() as uow:
        assert any(e["action"] == "fairness.read" for e in uow.audit.entries())


def test_no_person_page_shows_an_attribute(clients):
    hr = clients["hr"]
    assert hr.put("/api/people/emp/attributes/location",
                  json={"value": "Atlantis-7f3"}).status_code == 200
    try:
        for who in ("hr", "manager", "employee", "peer"):
            for path in ("/people/emp", "/me", "/api/people/emp", "/api/people/emp/profile"):
                r = clients[who].get(path)
                assert "Atlantis-7f3" not in r.text, (who, path)
    finally:
        hr.delete("/api/people/emp/attributes/location")
