"""Criteria over the web: recording demonstrated and assessed events (who may assess as
whom), refusals in one line with nothing written, and the person page's criteria: the
form's choices, the criteria met per topic and the readiness gap in words.

The organization of ``conftest`` (boss > mgr > emp, boss > peer), on a criteria framework.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape

import pytest

from conftest import FIXTURES, POSTGRES_URL, make_trellis
from trellis.adapters.database import temporary_schema
from trellis.services import accounts, people

from .conftest import PASSWORD, USERS

CRITERIA = FIXTURES / "criteria-tracks.yaml"


def seed(url: str) -> None:
    t = make_trellis(url, CRITERIA)
    add = people.add_person
    add(t.uow(), "boss", "Bo Boss", role="backend-2", hired_on=date(2019, 1, 1), author="t",
        email="hr@x.org")
    add(t.uow(), "mgr", "Meg Manager", role="backend-2", hired_on=date(2020, 1, 1),
        author="t", manager="boss", email="mgr@x.org")
    add(t.uow(), "emp", "Em Ployee", role="backend-1", hired_on=date(2021, 1, 1), author="t",
        manager="mgr", email="emp@x.org")
    add(t.uow(), "peer", "Pe Er", role="web-1", hired_on=date(2021, 6, 1), author="t",
        manager="boss", email="peer@x.org")
    for email, role, handle in USERS.values():
        accounts.create_user(t.uow(), email, PASSWORD, role, person=handle, author="t")
    t.close()


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def web_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('criteria-web') / 'trellis.db'}"
        seed(url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    with temporary_schema(POSTGRES_URL, "trellis_test") as url:
        seed(url)
        yield url


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def record(client, ref: str, kind: str, evidence: str | None = None, **details: object):
    return client.post(f"/api/people/{ref}/events",
                       json={"kind": kind, "evidence": evidence, "effective_on": "2024-03-01",
                             "details": details})


def events_of(client, ref: str = "emp") -> int:
    return len(client.get(f"/api/people/{ref}/timeline").json())


def test_the_person_shows_a_criterion_and_assesses_it_themselves(clients):
    emp = clients["employee"]
    r = record(emp, "emp", "demonstrated", "https://example.com/status-notes",
               criterion="comms.1")
    assert r.status_code == 201, r.text
    assert r.json()["summary"] == ('Demonstrated "Gives regular status updates" (comms.1): '
                                   "https://example.com/status-notes")
    assert r.json()["advance"] == "micro_progression"
    # the person's own demonstration waits for their manager (pending verification)
    shown = r.json()["id"]
    doc = emp.get("/api/people/emp/profile").json()["profile"]
    assert "comms.1" not in doc["criteria"]
    assert [p["event_id"] for p in doc["pending"]] == [shown]
    assert clients["manager"].post(f"/api/events/{shown}/verification",
                                   json={}).status_code == 201
    r = record(emp, "emp", "assessed", criterion="be.1", proficiency=3, assessor="self")
    assert r.status_code == 201, r.text
    assert r.json()["summary"] == ('Assessed "Writes well-tested services" (be.1) at 3 '
                                   "(role model) by self")


def test_the_manager_and_a_peer_assess_and_each_is_kept_apart(clients):
    r = record(clients["manager"], "emp", "assessed", criterion="be.1", proficiency=1)
    assert r.status_code == 201, r.text and r.json()["details"]["assessor"] == "manager"
    r = record(clients["peer"], "emp", "assessed", criterion="comms.2", proficiency=2,
               assessor="peer")
    assert r.status_code == 201, r.text
    doc = clients["manager"].get("/api/people/emp/profile").json()["profile"]
    assessments = doc["criteria"]["be.1"]["assessments"]
    assert {who: a["proficiency"] for who, a in assessments.items()} == {"manager": 1,
                                                                          "self": 3}


@pytest.mark.parametrize(("who", "kind", "details", "evidence", "status", "message"), [
    ("employee", "assessed", {"criterion": "be.1", "proficiency": 2}, None, 403,
     "you may record only a self assessment of Em Ployee"),
    ("employee", "assessed", {"criterion": "be.1", "proficiency": 2, "assessor": "manager"},
     None, 403, "you may record only a self assessment of Em Ployee"),
    ("peer", "assessed", {"criterion": "be.1", "proficiency": 2, "assessor": "self"}, None,
     403, "you may record only a peer assessment of Em Ployee"),
    ("peer", "demonstrated", {"criterion": "be.1"}, "x", 403,
     "you may not record a criterion shown for Em Ployee"),
    ("employee", "demonstrated", {"criterion": "be.1"}, None, 422,
     'give the evidence (text or a link) that shows "Writes well-tested services"'),
    ("employee", "demonstrated", {"criterion": "nope"}, "x", 422, "unknown criterion 'nope'"),
    ("employee", "demonstrated", {}, "x", 422, "demonstrated: criterion is required"),
    ("manager", "assessed", {"criterion": "be.1", "proficiency": 4}, None, 422,
     "proficiency 4 is above the scale's maximum 3"),
    ("manager", "assessed", {"criterion": "be.1", "proficiency": 2, "assessor": "boss"},
     None, 422, "assessor"),
])
def test_refusals_say_why_in_one_line_and_write_nothing(clients, who, kind, details,
                                                        evidence, status, message):
    before = events_of(clients["hr"])
    r = record(clients[who], "emp", kind, evidence, **details)
    assert r.status_code == status, r.text
    assert message in r.json()["detail"] and "\n" not in r.json()["detail"]
    assert events_of(clients["hr"]) == before


def test_the_page_offers_the_criteria_and_shows_them_met_and_missing_in_words(clients):
    page = clients["manager"].get("/people/emp")
    assert page.status_code == 200, page.text
    html = page.text
    assert '<select id="criterion" name="criterion" data-for="demonstrated assessed">' in html
    assert re.search(r'<optgroup label="Communication"><option value="comms.1">Gives regular '
                     r"status updates \(L1, met\)</option>", html), html
    assert '<option value="manager">manager</option>' in html  # a manager picks who assessed
    words = text_of(html)
    assert "Communication 1 of 1 criteria the role expects met" in words
    assert "✔ Gives regular status updates (level L1, met 1 Mar 2024)" in words
    # readiness for backend-2: comms.2 is met by the peer's 2; be.1 and be.2 still to show
    gaps = text_of(html.split('id="criteria-gaps"')[1].split("</table>")[0])
    assert "Criteria to show (2 not met yet)" in gaps
    assert "Writes well-tested services L1 3 1 not met" in gaps  # self 3, manager 1
    assert "Designs services others build on L2 \N{EN DASH} \N{EN DASH} not met" in gaps
    assert "✘ criteria coverage: 2 of 4 criteria met (50%, needs 100%)" in words
    own = clients["employee"].get("/people/emp").text
    assert re.search(r'<select id="assessor" name="assessor" data-for="assessed">'
                     r'<option value="self">self</option></select>', own)


def test_the_log_form_records_a_demonstration(clients):
    c = clients["employee"]
    r = c.post("/people/emp/events", data={
        "csrf_token": c.headers["X-CSRF-Token"], "kind": "demonstrated",
        "effective_on": "2024-04-01", "criterion": "be.2", "assessor": "self",
        "evidence": "the payments service design doc"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    timeline = c.get("/api/people/emp/timeline").json()
    shown = next(e for e in reversed(timeline) if e["kind"] == "demonstrated")
    assert shown["summary"] == ('Demonstrated "Designs services others build on" '
                                "(be.2): the payments service design doc")
    assert shown["pending"]  # the person's own: it counts once the manager verifies it
