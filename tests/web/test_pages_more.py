"""The pages for strategy advice, the comparison table by team or person, and making a
plan from a person's page (the seeded organization of ``conftest``: boss > mgr > emp, and
boss > peer)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from trellis.domain import access
from trellis.entrypoints.web.compare_words import figure
from trellis.entrypoints.web.formatting import day
from trellis.entrypoints.web.views import advice_without_pay


def text_of(html: str) -> str:
    """The page's words, tags taken out and whitespace collapsed."""
    words = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([,.;:)])", r"\1", words)


def csrf(client) -> str:
    return str(client.headers["X-CSRF-Token"])


def plan_of(client, ref: str = "emp") -> dict:
    r = client.get(f"/api/people/{ref}/plan")
    assert r.status_code == 200, r.text
    return dict(r.json()["document"])


# --- making a plan (first: the page without a plan)


def test_the_plan_form_defaults_to_the_next_role_for_the_private_circle(clients):
    page = clients["employee"].get("/people/emp")
    assert page.status_code == 200
    assert 'id="plan-form"' in page.text and "No plan yet" in page.text
    assert re.search(r'<option value="eng2"\s+selected>Engineer II \(level L2\): the next role',
                     page.text), page.text
    assert '<option value="eng1"' not in page.text  # not the role held, nothing below
    assert '<label for="plan-capacity">' in page.text  # empty: the pace learned
    assert re.search(r'name="capacity" type="number"[^>]* value=""', page.text)
    assert 'id="plan-form"' in clients["manager"].get("/people/emp").text
    assert 'id="plan-form"' in clients["hr"].get("/people/emp").text
    peer_view = clients["peer"].get("/people/emp").text
    assert 'id="plan-form"' not in peer_view and 'action="/people/emp/plan"' not in peer_view
    # the top of a track with no role at or above its level elsewhere: nothing to aim at
    assert 'id="plan-form"' not in clients["hr"].get("/people/boss").text


def test_making_a_plan_from_the_page_shows_its_milestones(clients):
    c = clients["employee"]
    r = c.post("/people/emp/plan", data={"csrf_token": csrf(c), "role": "eng2",
                                         "capacity": "2"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/people/emp?planned=") and \
        r.headers["location"].endswith("#plan")
    doc = plan_of(c)
    assert doc["target"]["role"] == "eng2" and doc["capacity"] == 2 and doc["author"] == \
        "emp@x.org"
    page = c.get(r.headers["location"])
    words = text_of(page.text)
    assert f"Plan version {doc['version']} made." in words
    assert "Toward Engineer II" in words and "Quarter 1" in words
    first = doc["steps"][doc["milestones"][0]["steps"][0]]
    name = first["competency"].capitalize()  # tiny.yaml: "communication" is Communication
    assert f"{name}: mastery {first['from']} → {first['to']}" in words
    last = doc["milestones"][-1]  # the forecast's median falls in the last quarter
    low, high = last["likely_done"]
    assert last["forecast_p50"] == doc["forecast"]["dates"]["p50"]
    assert (f"Readiness 100% once these are done, likely by {day(last['forecast_p50'])}. By "
            f"the quarter's end, 8 in 10 at this pace have done {low} to {high} of the "
            "plan's steps.") in words
    assert "Re-plan" in words and 'value="2"' in page.text  # the form keeps the plan's capacity
    audit = clients["hr"].get("/api/audit?limit=20").json()
    assert any(e["action"] == "plan.create" and e["user"] == "emp@x.org" for e in audit)


def test_re_planning_from_the_page_makes_a_new_version(clients):
    c = clients["manager"]
    before = plan_of(c)
    r = c.post("/people/emp/plan", data={"csrf_token": csrf(c), "role": "eng3",
                                         "capacity": "4"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    after = plan_of(clients["employee"])
    assert after["version"] > before["version"] and after["versions"] == before["versions"] + 1
    assert after["target"]["role"] == "eng3" and after["capacity"] == 4
    assert after["author"] == "mgr@x.org"
    assert "Toward Senior Engineer" in text_of(clients["employee"].get("/people/emp").text)


def test_a_plan_is_refused_to_people_outside_the_private_circle(clients):
    c = clients["peer"]
    before = plan_of(clients["employee"])["version"]
    r = c.post("/people/emp/plan", data={"csrf_token": csrf(c), "role": "eng2",
                                         "capacity": "3"}, follow_redirects=False)
    assert r.status_code == 403
    assert "may not see Em Ployee's private career data" in text_of(r.text)
    assert 'id="plan-form"' not in r.text
    assert plan_of(clients["employee"])["version"] == before
    assert c.get("/api/people/emp/plan").status_code == 403
    no_token = clients["employee"].post("/people/emp/plan", data={"role": "eng2",
                                                                  "capacity": "3"},
                                        headers={"X-CSRF-Token": ""})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    assert plan_of(clients["employee"])["version"] == before


@pytest.mark.parametrize(("role", "capacity", "status", "message"), [
    ("eng2", "13", 422, "capacity must be a whole number of steps a quarter from 1 to 12"),
    ("eng2", "0", 422, "capacity must be a whole number of steps a quarter from 1 to 12"),
    ("eng2", "two", 422, "capacity must be a whole number of steps a quarter from 1 to 12"),
    ("zzz", "3", 404, "unknown role 'zzz'"),
])
def test_bad_plan_input_is_shown_in_the_form(clients, role, capacity, status, message):
    c = clients["employee"]
    before = plan_of(c)["version"]
    r = c.post("/people/emp/plan", data={"csrf_token": csrf(c), "role": role,
                                         "capacity": capacity})
    assert r.status_code == status, r.text
    alert = re.search(r'<p class="alert notice" role="alert" id="plan-notice" '
                      r'data-notice="plan">([^<]*)</p>', r.text)
    assert alert and message in unescape(alert.group(1)), r.text
    assert f'value="{capacity}"' in r.text  # what was typed comes back
    assert plan_of(c)["version"] == before


def test_a_role_below_the_current_level_is_refused_in_place(clients):
    c = clients["hr"]
    r = c.post("/people/mgr/plan", data={"csrf_token": csrf(c), "role": "eng1",
                                         "capacity": "3"})
    assert r.status_code == 422
    assert "Not planned: Engineer I (level Junior) is below the current level Mid" in \
        text_of(r.text)


# --- advice


def test_advice_is_on_its_own_page_for_the_private_circle(clients):
    api = clients["employee"].get("/api/people/emp/advice")
    assert api.status_code == 200, api.text
    doc = api.json()["document"]
    for who in ("employee", "manager", "hr"):
        page = clients[who].get("/people/emp/advice")
        assert page.status_code == 200, (who, page.text)
        words = text_of(page.text)
        strategy = doc["recommendation"]["strategy"]
        effort = round(doc["recommendation"]["promotion_effort"] * 100)
        assert f"Recommended: {strategy}, about {effort}% of effort toward promotion" in words
        assert all(text_of(reason).strip() in words for reason in
                   doc["recommendation"]["reasons"] if "median pay" not in reason)
        # each action, its ids read as names (a competency's id as its name, any case)
        assert all(text_of(a["text"]).strip().casefold()[:12] in words.casefold()
                   for a in doc["actions"])
        assert "`" not in words and "trellis plan" not in words  # no command-line text
        assert doc["cohort"]["description"] in words
    own = text_of(clients["employee"].get("/people/emp/advice").text)
    assert "Which strategy works for people like me" in own
    # the tiny organization: too few people like emp to compare, and the page says so
    assert "Too few" in own
    pays = [s["pay_p50"] for s in doc["simulation"]]
    assert pays and all(f"{p:,.0f}" in own for p in pays)  # the circle sees pay
    audit = clients["hr"].get("/api/audit?limit=50").json()
    assert any(e["action"] == "pay.read" and e["resource"] == "person/emp/advice"
               and e["user"] == "mgr@x.org" for e in audit)


def test_the_person_page_links_the_advice_only_for_the_private_circle(clients):
    own = clients["employee"].get("/me").text
    assert 'href="/people/emp/advice"' in own and "Which strategy works for people like me" in own
    assert 'href="/org/compare?person=emp"' in own
    managed = clients["manager"].get("/people/emp").text
    assert 'href="/people/emp/advice"' in managed
    assert "Which strategy works for people like Em Ployee" in unescape(managed)
    peer_view = clients["peer"].get("/people/emp").text
    assert "/advice" not in peer_view and "Which strategy works" not in peer_view
    assert "/org/compare" not in peer_view


def test_advice_is_refused_outside_the_private_circle(clients):
    api = clients["peer"].get("/api/people/emp/advice").json()
    sim = clients["employee"].get("/api/people/emp/advice").json()["document"]["simulation"]
    r = clients["peer"].get("/people/emp/advice")
    assert r.status_code == 403
    assert "You may not see Em Ployee's private career data" in text_of(r.text)
    assert "Recommended" not in r.text
    assert not any(f"{s['pay_p50']:,.0f}" in r.text for s in sim)
    assert api["status"] == 403
    assert clients["manager"].get("/people/peer/advice").status_code == 403  # not their team
    assert clients["peer"].get("/people/nobody/advice").status_code == 404


def test_advice_pay_follows_the_pay_rule(clients, monkeypatch):
    """Were pay ever narrower than the private circle, the page would hide the simulated
    pay (the table and the reason quoting it), as every page hides pay."""
    doc = clients["employee"].get("/api/people/emp/advice").json()["document"]
    figures = [f"{s['pay_p50']:,.0f}" for s in doc["simulation"]]
    hidden = advice_without_pay(doc)
    assert all(s["pay_p50"] is None for s in hidden["simulation"])
    assert not any(f in r for f in figures for r in hidden["recommendation"]["reasons"])
    monkeypatch.setattr(access, "can_see_pay", lambda *args: False)
    page = clients["manager"].get("/people/emp/advice")
    assert page.status_code == 200
    assert not any(f in page.text for f in figures)
    cells = re.findall(r'data-testid="sim-pay">(.*?)</td>', page.text)
    assert cells and all("hidden" in c for c in cells)


# --- comparison by team and person


def cell_values(doc: dict) -> list[str]:
    """Every figure of the document as the page writes it (9.489 percent: "9.5%"), and
    each one's 95% interval in brackets beside it."""
    return [figure(cell["value"], m["unit"]) + ("" if not cell["ci95"] else " ({} to {})".format(
                *(figure(x, m["unit"]) for x in cell["ci95"])))
            for f in doc["features"] for m in f["measures"]
            for cell in m["cells"].values() if cell["value"] is not None]


def test_a_manager_compares_their_own_team_by_default(clients):
    c = clients["manager"]
    page = c.get("/org/compare")
    assert page.status_code == 200, page.text
    words = text_of(page.text)
    doc = c.get("/api/compare").json()["document"]
    assert doc["scope"] == "team" and doc["subject"] == "mgr"
    assert "Promotions against micro-progressions in your team" in words
    assert doc["people"] == 1  # the team is one report: it reads as one career
    assert f"One career, {doc['person_years']:,.0f} years of employment" in words
    assert all(v in words for v in cell_values(doc))
    named = text_of(c.get("/org/compare?team=Meg+Manager").text)
    assert named.count("in the team of Meg Manager") == 1
    assert '<label for="cmp-team">' in page.text and '<label for="cmp-person">' in page.text
    team = c.get("/team").text
    assert 'href="/org/compare?team=mgr"' in team
    assert 'href="/org/compare">Compare</a>' in team  # in the main menu


def test_a_manager_is_refused_another_team_in_place(clients):
    r = clients["manager"].get("/org/compare?team=boss")
    assert r.status_code == 403
    alert = re.search(r'id="compare-error">([^<]*)<', r.text)
    assert alert and "Bo Boss is not in your team" in unescape(alert.group(1))
    assert 'value="boss"' in r.text and "<table" not in r.text
    assert clients["manager"].get("/org/compare?person=peer").status_code == 403


def test_compare_for_a_person(clients):
    c = clients["manager"]
    r = c.get("/org/compare?person=emp")
    assert r.status_code == 200, r.text
    doc = c.get("/api/compare?person=emp").json()["document"]
    words = text_of(r.text)
    assert "Promotions against micro-progressions in the career of Em Ployee" in words
    assert "One career, " in words and all(v in words for v in cell_values(doc))
    assert 'id="cmp-person" name="person" value="Em Ployee"' in r.text  # not its handle
    typed = c.get("/org/compare?person=ployee")
    assert 'name="person" value="ployee"' in typed.text  # a name stays as typed
    own = clients["employee"].get("/org/compare")  # an employee: their own career
    assert own.status_code == 200 and "in your career" in text_of(own.text)
    unknown = c.get("/org/compare?person=Nobody+Here")
    assert unknown.status_code == 404 and "No one you may see is called" in unknown.text
    refused = clients["employee"].get("/org/compare?team=mgr")
    assert refused.status_code == 403 and "This needs the manager role" in refused.text
    assert 'href="/org/compare">Compare' not in own.text  # employees reach it from their page


@pytest.mark.parametrize(("query", "status", "message"), [
    ("team=nobody", 404, "No one you may see is called 'nobody'"),
    ("team=mgr&person=emp", 422, "Give a team or a person, not both"),
    ("team=emp", 422, "Em Ployee has no reports"),
])
def test_bad_compare_input_is_a_clear_4xx(clients, query, status, message):
    r = clients["hr"].get(f"/org/compare?{query}")
    assert r.status_code == status, r.text
    alert = re.search(r'id="compare-error">([^<]*)<', r.text)
    assert alert and message in unescape(alert.group(1)), r.text


def test_hr_admins_keep_the_organization_by_default(clients):
    hr = clients["hr"]
    page = hr.get("/org/compare")
    doc = hr.get("/api/compare").json()["document"]
    assert page.status_code == 200 and doc["scope"] == "organization"
    words = text_of(page.text)
    assert "in this organization" in words and f"{doc['people']} people" in words
    assert "in the team of Meg Manager" in text_of(hr.get("/org/compare?team=mgr").text)
    assert 'href="/org/compare?team=mgr"' in hr.get("/team?manager=mgr").text
