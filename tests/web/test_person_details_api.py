"""``PATCH /api/people/{ref}``: a person's details changed through the API with the same
rights, refusals and audit entry as the person page's *Change details* form."""

from __future__ import annotations

from datetime import date

import pytest

from trellis.services import people

from .conftest import client_for, signed_in


@pytest.fixture(scope="module")
def kit(app) -> str:
    """A person of mgr's team nobody else's test touches."""
    people.add_person(app.state.trellis.uow(), "kit", "Kit Carter", role="eng1",
                      hired_on=date(2022, 2, 1), author="t", email="kit@x.org",
                      manager="mgr")
    return "kit"


def details(clients, ref: str) -> tuple[str, str | None, str | None]:
    person = clients["hr"].get(f"/api/people/{ref}").json()
    return person["name"], person["email"], person["manager"]


def updates(clients, resource: str) -> list[dict]:
    return [e for e in clients["hr"].get("/api/audit?limit=50").json()
            if e["action"] == "person.update" and e["resource"] == resource]


def test_an_hr_admin_changes_every_detail_and_the_change_is_attributed(clients, kit):
    hr = clients["hr"]
    r = hr.patch("/api/people/kit", json={"name": "Kit Carter-Jones", "email": "kit.cj@x.org",
                                          "manager": "boss"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["handle"], body["name"], body["email"], body["manager"]) == (
        "kit", "Kit Carter-Jones", "kit.cj@x.org", "boss")
    assert details(clients, "kit") == ("Kit Carter-Jones", "kit.cj@x.org", "boss")
    entry = updates(clients, "person/kit")[0]
    assert entry["user"] == "hr@x.org"
    assert entry["detail"] == {"name": {"from": "Kit Carter", "to": "Kit Carter-Jones"},
                               "email": {"from": "kit@x.org", "to": "kit.cj@x.org"},
                               "manager": {"from": "mgr", "to": "boss"}}
    # the team moved with the manager: kit is in boss's direct reports now, not mgr's
    assert "kit" not in {p["handle"] for p in clients["manager"].get("/api/people").json()}
    # null clears the email and the manager; a field left out is kept
    r = hr.patch("/api/people/kit", json={"email": None, "manager": None})
    assert r.status_code == 200, r.text
    assert details(clients, "kit") == ("Kit Carter-Jones", None, None)
    assert updates(clients, "person/kit")[0]["detail"] == {
        "email": {"from": "kit.cj@x.org", "to": None}, "manager": {"from": "boss", "to": None}}
    r = hr.patch("/api/people/kit", json={"name": "Kit Carter", "email": "kit@x.org",
                                          "manager": "mgr"})
    assert r.status_code == 200 and details(clients, "kit") == ("Kit Carter", "kit@x.org",
                                                                "mgr")


def test_the_api_and_the_form_are_one_use_case(clients, kit):
    """The same change through either leaves the same audit entry, by whoever made it."""
    hr = clients["hr"]
    form = hr.post("/people/kit/details", data={
        "csrf_token": hr.headers["X-CSRF-Token"], "name": "Kit C"}, follow_redirects=False)
    assert form.status_code == 303
    by_form = updates(clients, "person/kit")[0]
    api = hr.patch("/api/people/kit", json={"name": "Kit Carter"})
    assert api.status_code == 200
    by_api = updates(clients, "person/kit")[0]
    assert by_form["detail"] == {"name": {"from": "Kit Carter", "to": "Kit C"}}
    assert by_api["detail"] == {"name": {"from": "Kit C", "to": "Kit Carter"}}
    assert by_form["user"] == by_api["user"] == "hr@x.org"


def test_nothing_asked_changes_nothing(clients, kit):
    before = len(updates(clients, "person/kit"))
    r = clients["hr"].patch("/api/people/kit", json={})
    assert r.status_code == 200 and r.json()["name"] == "Kit Carter"
    r = clients["hr"].patch("/api/people/kit", json={"name": "Kit Carter"})
    assert r.status_code == 200
    assert len(updates(clients, "person/kit")) == before  # no change, no entry


def test_a_person_changes_their_own_name_and_only_that(clients):
    emp = clients["employee"]
    r = emp.patch("/api/people/emp", json={"name": "Emma Ployee"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Emma Ployee"
    assert updates(clients, "person/emp")[0]["user"] == "emp@x.org"
    r = emp.patch("/api/people/emp", json={"name": "Em Ployee", "manager": "peer"})
    assert r.status_code == 403
    assert r.json()["detail"] == "you may change only Emma Ployee's name"
    assert details(clients, "emp") == ("Emma Ployee", "emp@x.org", "mgr")  # nothing at all
    assert emp.patch("/api/people/emp", json={"name": "Em Ployee"}).status_code == 200


@pytest.mark.parametrize(("who", "ref", "status", "detail"), [
    ("manager", "emp", 403, "you may not change Em Ployee's details: HR admins can, and "
     "each person their own name"),
    ("manager", "mgr", 403, "you may change only Meg Manager's name"),
    ("employee", "peer", 403, "you may not change Pe Er's details: HR admins can, and each "
     "person their own name"),
    ("employee", "peer@x.org", 404, "unknown person 'peer@x.org'"),  # not theirs to look up
    ("hr", "nobody", 404, "unknown person 'nobody'"),
])
def test_who_may_not_change_whom(clients, who, ref, status, detail):
    body = {"email": "mgr2@x.org"} if ref == "mgr" else {"name": "Someone Else"}
    before = details(clients, "peer" if "peer" in ref else "emp" if ref == "emp" else "mgr")
    r = clients[who].patch(f"/api/people/{ref}", json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == detail
    assert details(clients, "peer" if "peer" in ref else "emp" if ref == "emp"
                   else "mgr") == before


@pytest.mark.parametrize(("body", "status", "detail"), [
    ({"email": "emp@x.org"}, 409, "another person already has the email emp@x.org"),
    ({"manager": "emp"}, 422,
     "Em Ployee reports to Bo Boss: a manager cannot be someone in their own team"),
    ({"manager": "boss"}, 422,
     "Bo Boss cannot be their own manager"),
    ({"manager": "nobody"}, 404, "unknown person 'nobody'"),
    ({"name": " "}, 422, "a person needs a name"),
    ({"name": None}, 422, "name: a person needs a name"),
    ({"email": "not-an-email"}, 422, "invalid email"),
])
def test_bad_details_are_refused_whole(clients, body, status, detail):
    r = clients["hr"].patch("/api/people/boss", json={"name": "Bo Changed", **body}
                            if "name" not in body else body)
    assert r.status_code == status, r.text
    assert detail in r.json()["detail"] and "\n" not in r.json()["detail"]
    assert details(clients, "boss") == ("Bo Boss", "hr@x.org", None)


@pytest.mark.parametrize("body", [{"handle": "bo"}, {"name": ""}, {"name": "a\x00b"},
                                  {"email": "x" * 300}, ["name"]])
def test_a_malformed_request_is_a_422_naming_the_field(clients, body):
    r = clients["hr"].patch("/api/people/boss", json=body)
    assert r.status_code == 422, r.text
    assert details(clients, "boss") == ("Bo Boss", "hr@x.org", None)


def test_signed_out_or_without_the_csrf_token_nothing_changes(app, clients):
    with client_for(app) as anonymous:
        r = anonymous.patch("/api/people/emp", json={"name": "X"})
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
    hr = signed_in(app, "hr")
    del hr.headers["X-CSRF-Token"]
    r = hr.patch("/api/people/emp", json={"name": "X"})
    assert r.status_code == 403
    token = clients["hr"].post("/api/tokens", json={"name": "read", "scope": "read",
                                                    "days": 1}).json()["token"]
    with client_for(app) as script:
        r = script.patch("/api/people/emp", json={"name": "X"},
                         headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 403
    assert details(clients, "emp")[0] == "Em Ployee"
