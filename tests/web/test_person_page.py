"""The person page: its summary first, the timeline's filters and pages, the log form's
feedback (the message at the form, the values kept), retracting an event from its row with
a reason and a confirmation, and changing a person's details.

Kit (a module of its own: the seeded organization of conftest plus Kit) reports to mgr:
hired on 2022-01-03 with two baseline steps that day, 30 certifications, a promotion and a
kudos from Pe Er.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from trellis.domain.events import EventKind
from trellis.services import ledger, people, recognition

HIRED = date(2022, 1, 3)
CERTIFICATIONS = 30


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def rows(html: str) -> list[str]:
    """The timeline rows' texts, in page order."""
    return [text_of(m) for m in re.findall(r'<li class="event[^"]*".*?</li>', html, re.S)]


def row_of(html: str, event_id: int) -> str:
    found = re.search(rf'<li class="event[^"]*" id="event-{event_id}".*?</li>', html, re.S)
    assert found, f"no row for event {event_id}"
    return found.group(0)


def part(html: str, element_id: str, end: str = "</section>") -> str:
    """The inside of the element with ``element_id``, up to ``end``."""
    return html.split(f'id="{element_id}"', 1)[1].split(">", 1)[1].split(end)[0]


def csrf(client) -> str:
    return client.headers["X-CSRF-Token"]


@pytest.fixture(scope="module")
def kit(app) -> dict[str, int]:
    uow = app.state.trellis.uow
    people.add_person(uow(), "kit", "Kit Carter", role="eng1", hired_on=HIRED, author="t",
                      manager="mgr", pay=48_000, email="kit@x.org")
    for comp in ("coding", "communication"):  # the profile Kit was hired with
        ledger.record_event(uow(), "kit", EventKind.SKILL_STEP, HIRED,
                            {"competency": comp, "from_mastery": 0, "to_mastery": 1},
                            author="t")
    ids = {}
    for i in range(CERTIFICATIONS):
        ids[f"cert{i}"] = ledger.record_event(
            uow(), "kit", EventKind.CERTIFICATION, date(2022, 2, 1) + timedelta(days=7 * i),
            {"certification": f"Course {i:02d}"}, author="mgr@x.org").id
    ids["promotion"] = ledger.record_event(
        uow(), "kit", EventKind.PROMOTION, date(2023, 6, 1), {"role": "eng2", "pay": 52_000},
        author="t").id
    ids["kudos"] = recognition.recognize(uow(), "kit", "untangled the release", giver="peer",
                                         author="peer@x.org", on=date(2023, 7, 1)).event.id
    return ids


def test_the_summary_comes_first_in_words(clients, kit):
    assert clients["manager"].post("/api/people/kit/plan", json={}).status_code == 201
    page = clients["manager"].get("/people/kit")
    assert page.status_code == 200
    html = page.text
    summary = part(html, "summary")
    words = text_of(summary)
    assert words.startswith("Kit Carter Engineer II level L2 (Mid)")
    assert "kit@x.org" not in summary and "(kit)" not in words  # no handle, no email
    # readiness for Senior Engineer (tiny.yaml: coding 3, design systems 2, mentoring 2,
    # communication 2) from Kit's coding 1 and communication 1: four competencies short,
    # three listed in the API's order and one more
    assert "Readiness for Senior Engineer" in words
    gaps = clients["manager"].get("/api/people/kit/readiness").json()["document"]["gaps"]
    short = {(g["name"], g["has"], g["needs"]) for g in gaps if g["steps_missing"]}
    assert short == {("Coding", 1, 3), ("Design systems", 0, 2), ("Mentoring", 0, 2),
                     ("Communication", 1, 2)}
    listed = [f"{g['name']}: mastery {g['has']}, needs {g['needs']}" for g in gaps
              if g["steps_missing"]]
    assert all(x in words for x in listed[:3]) and listed[3] not in words
    assert "1 more competency to grow" in words
    plan = clients["manager"].get("/api/people/kit/plan").json()["document"]
    open_steps = [s for s, status in zip(plan["steps"], plan["progress"], strict=True)
                  if status != "done"][:3]
    listed = re.findall(r"<li>([^<]+?) <span", html.split('data-testid="next-steps"')[1]
                        .split("</ol>")[0])
    names = {"coding": "Coding", "communication": "Communication", "mentoring": "Mentoring",
             "design_systems": "Design systems"}
    assert [unescape(x) for x in listed] == [
        f"{names[s['competency']]}: mastery {s['from']} → {s['to']}" for s in open_steps]
    assert "Kudos from Pe Er, 1 Jul 2023: “untangled the release”" in words
    assert "€52,000" in words  # the manager sees pay, with the framework's currency
    # the summary, the log button and the section links come before every section
    order = [html.index(x) for x in ('id="summary"', 'id="log"', 'href="#timeline"',
                                     'id="plan"', 'id="competencies"', 'id="timeline"',
                                     'id="recognition"')]
    assert order == sorted(order)


def test_a_colleague_sees_the_summary_without_pay_readiness_or_plan(clients, kit):
    html = clients["peer"].get("/people/kit").text
    summary = part(html, "summary")
    assert "52,000" not in html and 'class="hidden-pay">hidden' in summary
    assert "Readiness for" not in html and 'data-testid="next-steps"' not in html
    assert 'id="log"' not in html and "Retract…" not in html


def test_baseline_rows_are_hidden_until_asked_for(clients, kit):
    c = clients["manager"]
    shown = rows(c.get("/people/kit?kind=skill_step").text)
    assert shown == []  # both skill steps are the hire-day baseline
    page = c.get("/people/kit").text
    assert "2 from the starting profile at hire not shown" in text_of(page)
    with_baseline = rows(c.get("/people/kit?kind=skill_step&baseline=1").text)
    assert [r.split(" Skill step ")[1].split(" Verify")[0] for r in with_baseline] == [
        "Communication: mastery 0 → 1", "Coding: mastery 0 → 1"]


def test_filters_promotions_and_one_kind(clients, kit):
    c = clients["manager"]
    promotions = rows(c.get("/people/kit?kind=promotions").text)
    assert len(promotions) == 1 and "Promoted to Engineer II (Mid), pay €52,000" in promotions[0]
    certs = c.get("/people/kit?kind=certification").text
    assert "1\N{EN DASH}25 of 30 events, newest first" in text_of(certs)
    assert all(" Certification " in r for r in rows(certs))
    micro = text_of(c.get("/people/kit?kind=micro").text)
    assert "of 31 events" in micro  # 30 certifications and the kudos, no hire, no promotion


def test_pending_filter_shows_only_what_waits_for_verification(clients):
    emp = clients["employee"]
    r = emp.post("/people/emp/events", data={
        "csrf_token": csrf(emp), "kind": "certification", "certification": "Pending Cert",
        "evidence": "https://example.org/c/1"}, follow_redirects=False)
    assert r.status_code == 303
    pending = rows(clients["manager"].get("/people/emp?pending=1").text)
    assert pending and all("pending verification" in p for p in pending)
    assert any("Certified: Pending Cert" in p for p in pending)
    everything = rows(clients["manager"].get("/people/emp").text)
    assert len(everything) > len(pending)


def test_pages_of_25_newest_first(clients, kit):
    c = clients["manager"]
    first = c.get("/people/kit?kind=certification").text
    second = c.get("/people/kit?kind=certification&page=2").text
    names = [re.search(r"Course (\d\d)", r).group(1) for r in rows(first) + rows(second)]
    assert names == [f"{i:02d}" for i in reversed(range(CERTIFICATIONS))]
    assert len(rows(first)) == 25 and "26\N{EN DASH}30 of 30" in text_of(second)
    assert 'href="/people/kit?kind=certification&amp;page=2#timeline" rel="next"' in first
    assert "Page 2 of 2" in text_of(second) and 'rel="prev"' in second
    # a link to one event opens the page that holds it
    oldest = c.get(f"/people/kit?kind=certification&event={kit['cert0']}").text
    assert f'id="event-{kit["cert0"]}"' in oldest and "Page 2 of 2" in text_of(oldest)


@pytest.mark.parametrize(("query", "message"), [
    ("kind=nonsense", "unknown timeline filter 'nonsense'"),
    ("page=zero", "page 'zero' is not a page number"),
])
def test_a_bad_filter_is_refused_at_the_timeline(clients, kit, query, message):
    r = clients["manager"].get(f"/people/kit?{query}")
    assert r.status_code == 422
    timeline = part(r.text, "timeline")
    alert = re.search(r'<p class="alert notice" role="alert" id="timeline-notice"[^>]*>'
                      r"([^<]*)</p>", timeline)
    assert alert and message in unescape(alert.group(1))


def test_a_refused_log_keeps_its_values_and_says_why_at_the_form(clients):
    emp = clients["employee"]
    r = emp.post("/people/emp/events", data={
        "csrf_token": csrf(emp), "kind": "skill_step", "competency": "mentoring",
        "from_mastery": "0", "to_mastery": "5", "evidence": "trust me, it is 5"})
    assert r.status_code == 422
    log = r.text.split('<details class="log-progress" id="log" open>')[1].split("</details>")[0]
    assert 'role="alert"' in log and "jumps 5 mastery levels" in unescape(log)
    assert log.index('role="alert"') < log.index("<form")  # above the form it is about
    assert 'value="trust me, it is 5"' in log and 'value="5"' in log
    assert re.search(r'<option value="mentoring" data-mastery="\d+" selected>', log)
    assert 'action="/people/emp/events#log"' in log  # the browser lands on it


def test_a_logged_step_answers_at_its_row_once(clients):
    emp = clients["employee"]
    r = emp.post("/people/emp/events", data={
        "csrf_token": csrf(emp), "kind": "project_leadership", "project": "Billing revamp"},
        follow_redirects=False)
    assert r.status_code == 303
    event_id = int(re.search(r"\?event=(\d+)#event-(\d+)$", r.headers["location"]).group(1))
    page = emp.get(r.headers["location"].split("#")[0]).text
    row = row_of(page, event_id)
    assert re.search(r'role="status"[^>]*>Recorded: Led project Billing revamp\.', row)
    again = emp.get(f"/people/emp?event={event_id}").text
    assert "Recorded: Led project Billing revamp" not in again  # one-shot


def test_mark_done_opens_the_log_form_filled_in(clients):
    page = clients["employee"].get(
        "/people/emp?log=skill_step&competency=coding&from_mastery=1&to_mastery=2").text
    log = page.split('<details class="log-progress" id="log" open>')[1].split("</details>")[0]
    assert re.search(r'<option value="coding" data-mastery="\d+" selected>', log)
    assert 'name="from_mastery" type="number" min="0" max="10" data-for="skill_step" ' \
           'value="1"' in log


def test_retract_asks_a_reason_then_confirmation_then_strikes_the_row(app, clients, kit):
    c = clients["manager"]
    target = kit["cert29"]
    page = c.get("/people/kit").text
    assert f'action="/people/kit/events/{target}/retract#event-{target}"' in row_of(page,
                                                                                  target)
    no_reason = c.post(f"/people/kit/events/{target}/retract",
                       data={"csrf_token": csrf(c), "reason": "  "})
    assert no_reason.status_code == 422
    row = row_of(no_reason.text, target)
    assert "<details class=\"row-action\" open>" in row
    assert "Not retracted: give a reason" in unescape(row)
    asked = c.post(f"/people/kit/events/{target}/retract", data={
        "csrf_token": csrf(c), "reason": "entered twice", "back": "/people/kit"})
    assert asked.status_code == 200
    words = text_of(asked.text)
    assert "Retract this event?" in words and "“Certified: Course 29” of " in words
    assert 'name="confirmed" value="yes"' in asked.text and "Yes, retract it" in words
    assert f'href="/people/kit#event-{target}">Cancel' in asked.text
    timeline = c.get("/api/people/kit/timeline").json()
    assert next(e for e in timeline if e["id"] == target)["retracted_by"] is None
    done = c.post(f"/people/kit/events/{target}/retract", data={
        "csrf_token": csrf(c), "reason": "entered twice", "back": "/people/kit",
        "confirmed": "yes"}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/people/kit?event={target}#event-{target}"
    shown = c.get(done.headers["location"].split("#")[0]).text
    row = row_of(shown, target)
    assert 'class="event micro_progression retracted"' in row
    assert "<del>Certified: Course 29</del>" in row
    assert re.search(r'role="status"[^>]*>Retracted “Certified: Course 29” of [^:]+: '
                     r"entered twice</p>", unescape(row))
    retraction = next(e for e in c.get("/api/people/kit/timeline").json()
                      if e["kind"] == "retraction")
    assert retraction["author"] == "mgr@x.org" and retraction["details"]["reason"] == \
        "entered twice"
    assert any("Retraction Retracted “Certified: Course 29” of " in r
               for r in rows(shown))  # the retraction's own row, in words
    audit = clients["hr"].get("/api/audit?limit=20").json()
    assert any(e["action"] == "event.retract" and e["user"] == "mgr@x.org" for e in audit)
    again = c.post(f"/people/kit/events/{target}/retract", data={
        "csrf_token": csrf(c), "reason": "twice", "confirmed": "yes"})
    assert again.status_code == 422 and "already retracted" in again.text


def test_only_the_chain_and_hr_retract(clients, kit):
    target = kit["cert28"]
    for who in ("employee", "peer"):
        c = clients[who]
        r = c.post(f"/people/kit/events/{target}/retract", data={
            "csrf_token": csrf(c), "reason": "mine now", "confirmed": "yes"})
        assert r.status_code in (403, 404), who
    emp = clients["employee"]
    own = emp.get("/people/emp").text
    assert "Retract…" not in own  # nobody retracts their own career's events
    r = emp.post("/people/kit/events/987654/retract", data={
        "csrf_token": csrf(emp), "reason": "x"})
    assert r.status_code == 404
    timeline = clients["hr"].get("/api/people/kit/timeline").json()
    assert next(e for e in timeline if e["id"] == target)["retracted_by"] is None


def test_hr_changes_details_with_an_audit_entry(clients, kit):
    hr = clients["hr"]
    r = hr.post("/people/kit/details", data={
        "csrf_token": csrf(hr), "name": "Kit Carter-Jones", "email": "kit.cj@x.org",
        "manager": "boss"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/people/kit#details"
    page = hr.get("/people/kit").text
    details = part(page, "details")
    assert re.search(r'role="status"[^>]*>Changed: name, email, manager\.</p>', details)
    assert text_of(part(page, "summary")).startswith("Kit Carter-Jones")
    assert "Bo Boss" in text_of(details)
    person = hr.get("/api/people/kit").json()
    assert (person["name"], person["email"], person["manager"]) == (
        "Kit Carter-Jones", "kit.cj@x.org", "boss")
    [entry] = [e for e in hr.get("/api/audit?limit=20").json()
               if e["action"] == "person.update" and e["resource"] == "person/kit"][:1]
    assert entry["user"] == "hr@x.org"
    assert entry["detail"]["manager"] == {"from": "mgr", "to": "boss"}
    assert entry["detail"]["name"] == {"from": "Kit Carter", "to": "Kit Carter-Jones"}
    back = hr.post("/people/kit/details", data={
        "csrf_token": csrf(hr), "name": "Kit Carter", "email": "kit@x.org", "manager": "mgr"},
        follow_redirects=False)
    assert back.status_code == 303


@pytest.mark.parametrize(("who", "data", "status", "message"), [
    ("hr", {"name": "Bo", "email": "emp@x.org", "manager": ""}, 409,
     "another person already has the email emp@x.org"),
    ("hr", {"name": "Bo Boss", "email": "hr@x.org", "manager": "emp"}, 422,
     "Em Ployee reports to Bo Boss: a manager cannot be someone in their own team"),
    ("hr", {"name": " ", "email": "hr@x.org", "manager": ""}, 422, "a person needs a name"),
    ("hr", {"name": "Bo", "email": "not-an-email", "manager": ""}, 422, "invalid email"),
])
def test_bad_details_are_refused_at_the_form_and_nothing_changes(clients, who, data,
                                                                   status, message):
    c = clients[who]
    r = c.post("/people/boss/details", data={"csrf_token": csrf(c), **data})
    assert r.status_code == status, r.text
    details = part(r.text, "details")
    assert '<details class="edit-details" open>' in details
    assert message in unescape(details)
    assert f'value="{data["email"]}"' in details  # what was typed comes back
    person = clients["hr"].get("/api/people/boss").json()
    assert (person["name"], person["email"], person["manager"]) == ("Bo Boss", "hr@x.org",
                                                                    None)


def test_a_person_changes_only_their_own_name(clients):
    emp, mgr = clients["employee"], clients["manager"]
    r = emp.post("/people/emp/details", data={"csrf_token": csrf(emp), "name": "Em Ployee",
                                              "manager": "peer"})
    assert r.status_code == 403
    assert "Not changed: you may change only Em Ployee's name" in unescape(r.text)
    page = part(emp.get("/people/emp").text, "details")
    assert 'id="d-name"' in page and 'id="d-manager"' not in page and 'id="d-email"' not in page
    assert mgr.post("/people/emp/details", data={"csrf_token": csrf(mgr),
                                                 "name": "X"}).status_code == 403
    renamed = emp.post("/people/emp/details", data={"csrf_token": csrf(emp),
                                                    "name": "Emma Ployee"},
                       follow_redirects=False)
    assert renamed.status_code == 303
    assert clients["hr"].get("/api/people/emp").json()["name"] == "Emma Ployee"
    emp.post("/people/emp/details", data={"csrf_token": csrf(emp), "name": "Em Ployee"})


def test_a_done_plan_step_links_to_the_event_that_did_it(app, clients, kit):
    c = clients["manager"]
    if c.get("/api/people/kit/plan").status_code != 200:
        assert c.post("/api/people/kit/plan", json={}).status_code == 201
    plan = c.get("/api/people/kit/plan").json()["document"]
    step = next(s for s, status in zip(plan["steps"], plan["progress"], strict=True)
                if status != "done" and s.get("competency"))
    page = c.get("/people/kit").text
    mark = (f'href="?log=skill_step&amp;competency={step["competency"]}&amp;from_mastery='
            f'{step["from"]}&amp;to_mastery={step["to"]}#log" class="mark-done"')
    assert mark in part(page, "plan")
    done = ledger.record_event(app.state.trellis.uow(), "kit", EventKind.SKILL_STEP,
                               date.today(), {"competency": step["competency"],
                                              "from_mastery": step["from"],
                                              "to_mastery": step["to"]}, author="mgr@x.org")
    plan_html = part(c.get("/people/kit").text, "plan")
    assert f'href="?event={done.id}#event-{done.id}" class="done-by"' in plan_html
    assert mark not in plan_html


def test_a_manager_logs_a_lateral_move_by_role_title(clients, kit):
    c = clients["manager"]
    page = c.get("/people/kit").text
    log = part(page, "log", "</details>")
    assert '<option value="des2">Designer II</option>' in log
    assert '<option value="promotion"' not in log  # promotions go through a case
    r = c.post("/people/kit/events", data={"csrf_token": csrf(c), "kind": "lateral_move",
                                           "role": "des2", "evidence": "moved teams"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    event_id = int(r.headers["location"].rsplit("#event-", 1)[1])
    row = row_of(c.get(r.headers["location"].split("#")[0]).text, event_id)
    assert "Moved to Designer II (Mid)" in text_of(row)
    assert "Recorded: Moved to Designer II (Mid)" in text_of(row)


def test_a_share_of_time_is_given_in_percent(clients):
    emp = clients["employee"]
    r = emp.post("/people/emp/events", data={
        "csrf_token": csrf(emp), "kind": "responsibility", "function": "design",
        "share_percent": "30"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    event_id = int(r.headers["location"].rsplit("#event-", 1)[1])
    entry = next(e for e in emp.get("/api/people/emp/timeline").json() if e["id"] == event_id)
    assert entry["details"]["share"] == pytest.approx(0.30)
    row = row_of(emp.get(r.headers["location"].split("#")[0]).text, event_id)
    assert "Took on 30% in Design" in text_of(row)
    bad = emp.post("/people/emp/events", data={
        "csrf_token": csrf(emp), "kind": "responsibility", "function": "design",
        "share_percent": "130"})
    assert bad.status_code == 422
    log = part(bad.text, "log", "</details>")
    assert "the share of time must be a percentage from 0 to 100, not &#39;130&#39;" in log
    assert 'name="share_percent" type="number" step="1" min="0" max="100" ' \
           'data-for="responsibility" value="130"' in log
