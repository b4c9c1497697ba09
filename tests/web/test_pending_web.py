"""Pending verification on the web: the bug of issue 12 (an employee's own skill step and a
0 -> 5 jump raised their band and pay at once), then the manager's verify button."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import FIXTURES, make_trellis
from trellis.domain.access import Role
from trellis.domain.events import EventKind
from trellis.services import accounts, ledger, people

from .conftest import PASSWORD, client_for

BANDS = FIXTURES / "tiny-bands.yaml"
USERS = {"manager": "lead@p.org", "employee": "kim@p.org", "peer": "pat@p.org"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from trellis.entrypoints.web.app import create_app
    from trellis.settings import Settings

    url = f"sqlite:///{tmp_path_factory.mktemp('pending') / 'trellis.db'}"
    t = make_trellis(url, BANDS)
    add = people.add_person
    add(t.uow(), "lead", "Lee Lead", role="eng3", hired_on=date(2020, 1, 1), author="t",
        pay=80000, email="lead@p.org")
    add(t.uow(), "kim", "Kim Kay", role="eng1", hired_on=date(2024, 1, 1), author="t",
        manager="lead", pay=50000, email="kim@p.org")
    add(t.uow(), "pat", "Pat Peer", role="eng1", hired_on=date(2024, 1, 1), author="t",
        manager="lead", pay=50000, email="pat@p.org")
    for step in ((0, 1), (1, 2)):  # recorded by the manager: they count at once
        ledger.record_event(t.uow(), "kim", EventKind.SKILL_STEP, date(2024, 6, 1),
                            {"competency": "coding", "from_mastery": step[0],
                             "to_mastery": step[1]}, author="lead@p.org")
    roles = {"manager": (Role.MANAGER, "lead"), "employee": (Role.EMPLOYEE, "kim"),
             "peer": (Role.EMPLOYEE, "pat")}
    for who, email in USERS.items():
        accounts.create_user(t.uow(), email, PASSWORD, roles[who][0], person=roles[who][1],
                             author="t")
    t.close()
    app = create_app(Settings(database_url=url, author="t"))
    yield app
    app.state.trellis.close()


@pytest.fixture(scope="module")
def clients(app):
    out = {}
    for who, email in USERS.items():
        c = client_for(app)
        r = c.post("/api/session", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        out[who] = c
    return out


def log_on_page(c, **fields) -> object:
    return c.post("/people/kim/events", data={"csrf_token": c.headers["X-CSRF-Token"],
                                               **fields}, follow_redirects=False)


def profile(c) -> dict:
    r = c.get("/api/people/kim/profile")
    assert r.status_code == 200, r.text
    return r.json()["profile"]


def moved(doc: dict) -> tuple:
    return ({c: v["mastery"] for c, v in doc["competencies"].items()}, doc["bands"],
            doc["pay"]["base"])


def test_own_steps_and_a_jump_leave_band_and_pay_unchanged_until_the_manager_verifies(
        app, clients):
    me, boss = clients["employee"], clients["manager"]
    before = moved(profile(me))
    assert before == ({"coding": 2}, {}, 50000)
    # the employee's own steps: testing 0 -> 1 -> 2 would reach Practitioner (+3% pay)
    ids = []
    for start in (0, 1):
        r = log_on_page(me, kind="skill_step", competency="testing", from_mastery=str(start),
                        to_mastery=str(start + 1), evidence="my PRs")
        assert r.status_code == 303, r.text
        ids.append(int(r.headers["location"].split("#event-")[1]))
    # and the 0 -> 5 jump, "trust me": refused over the API (nothing written) and the page
    jump = me.post("/api/people/kim/events", json={
        "kind": "skill_step", "evidence": "trust me",
        "details": {"competency": "mentoring", "from_mastery": 0, "to_mastery": 5}})
    assert jump.status_code == 422
    assert jump.json()["detail"] == (
        "skill_step: mentoring 0 -> 5 jumps 5 mastery levels: name a verifier who checked "
        "the evidence, record one level at a time, or rate it in a review")
    page = log_on_page(me, kind="skill_step", competency="mentoring", from_mastery="0",
                       to_mastery="5", evidence="trust me")
    assert "Not recorded: Skill step: Mentoring 0 → 5 jumps 5 mastery levels" in page.text
    # over the API the answer says so too
    r = me.post("/api/people/kim/events", json={
        "kind": "certification", "details": {"certification": "CKA"}, "evidence": "no. 1"})
    assert r.status_code == 201 and r.json()["pending"]
    # naming themselves as the verifier is no verifier
    selfie = me.post("/api/people/kim/events", json={
        "kind": "skill_step", "verifier": "kim", "details": {
            "competency": "mentoring", "from_mastery": 0, "to_mastery": 5}})
    assert selfie.status_code == 422 and "other than Kim Kay who" in selfie.json()["detail"]

    doc = profile(me)
    assert moved(doc) == before  # band and pay unchanged: 50,000, no Practitioner
    assert [(p["event_id"], p["kind"], p["would_change"]) for p in doc["pending"]] == [
        (ids[0], "skill_step", "testing mastery 0 -> 1"),
        (ids[1], "skill_step", "testing mastery 1 -> 2"),
        (r.json()["id"], "certification", "CKA")]
    assert doc["certifications"] == []
    taken_on = doc["pending"][0]["on"]
    # the person and the manager both see them on the page and the timeline
    for c in (me, boss):
        text = c.get("/people/kim").text
        assert "Pending verification" in text and "Testing mastery 0 → 1" in text
        assert f'data-testid="pending-{ids[0]}"' in text
    timeline = {e["id"]: e["pending"] for e in me.get("/api/people/kim/timeline").json()}
    assert timeline[ids[0]] and timeline[ids[1]]
    # the employee cannot verify their own step; a colleague outside the chain neither
    assert me.post(f"/api/events/{ids[0]}/verification", json={}).status_code == 403
    assert clients["peer"].post(f"/api/events/{ids[0]}/verification",
                                json={}).status_code == 403
    # the peer sees the pending items, without who recorded them
    assert {p["author"] for p in profile(clients["peer"])["pending"]} == {"hidden"}

    # the manager verifies the first step on the page: mastery moves, band and pay not yet
    r = boss.post(f"/people/kim/events/{ids[0]}/verify",
                  data={"csrf_token": boss.headers["X-CSRF-Token"]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    doc = profile(me)
    assert moved(doc) == ({"coding": 2, "testing": 1}, {}, 50000)
    assert doc["competencies"]["testing"]["reached_on"] == taken_on  # its own date
    # verifying the second reaches the band: +3% of 50,000, dated on the verification
    assert boss.post(f"/api/events/{ids[1]}/verification", json={}).status_code == 201
    doc = profile(me)
    assert moved(doc) == ({"coding": 2, "testing": 2}, {"craft": 1}, 51500)
    assert [p["kind"] for p in doc["pending"]] == ["certification"]
    (upgrade,) = doc["band_upgrades"]
    assert (upgrade["trigger_event_id"], upgrade["pay_after"]) == (ids[1], 51500)


def test_a_step_the_manager_records_counts_at_once(clients):
    boss = clients["manager"]
    before = profile(boss)["competencies"].get("mentoring", {}).get("mastery", 0)
    r = boss.post("/api/people/kim/events", json={
        "kind": "skill_step", "details": {"competency": "mentoring",
                                          "from_mastery": before, "to_mastery": before + 1}})
    assert r.status_code == 201, r.text
    assert not r.json()["pending"]
    assert profile(boss)["competencies"]["mentoring"]["mastery"] == before + 1
