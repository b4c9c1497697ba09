"""A refused action reads in people's words on the page: the person by name, the signed-in
user as "you", never a handle or an email (the command line keeps those: tests/cli)."""

from __future__ import annotations

import re
from datetime import date
from html import unescape


def alerts(html: str) -> str:
    """The text of every alert on the page, tags taken out."""
    found = re.findall(r'role="alert"[^>]*>(.*?)</', html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", a)) for a in found)


def no_handles_or_emails(text: str) -> None:
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+", text), text
    assert not re.search(r"\b(emp|peer|mgr|boss)\b", text), text


def test_a_refused_log_names_the_person_and_says_you(clients):
    peer = clients["peer"]
    r = peer.post("/people/emp/events", data={
        "csrf_token": str(peer.headers["X-CSRF-Token"]), "kind": "certification",
        "certification": "Borrowed Cert", "evidence": "https://example.org/c/9"})
    assert r.status_code == 403
    said = alerts(r.text)
    assert "you may not record a certification for Em Ployee" in said
    no_handles_or_emails(said)


def test_a_refused_team_names_the_manager_by_name_and_your_team(clients):
    r = clients["manager"].get("/org/compare?team=boss")
    assert r.status_code == 403
    said = alerts(r.text)
    assert "Bo Boss is not in your team" in said
    no_handles_or_emails(said)


def test_the_api_says_the_same_words(clients):
    r = clients["peer"].post("/api/people/emp/events", json={
        "kind": "certification", "details": {"certification": "Borrowed Cert"}})
    assert r.status_code == 403
    assert r.json()["detail"] == "you may not record a certification for Em Ployee"


def test_a_role_refusal_names_the_role_in_words(clients):
    r = clients["employee"].get("/team")
    assert r.status_code == 403
    said = alerts(r.text)
    assert "This needs the manager role" in said
    assert "hr_admin" not in said


# --- ids and ISO dates: a page and the API name roles, levels, frameworks, plan targets
# and days in words; the command line keeps the ids and ISO dates (tests/cli, and each
# service's test of on_command_line)

ID_OR_ISO_DAY = re.compile(r"\b(eng[123]|L[123]|tiny|zz|\d{4}-\d{2}-\d{2})\b")


def no_ids(text: str) -> None:
    assert not ID_OR_ISO_DAY.search(text), text


def detail(r) -> str:
    said = r.json()["detail"]
    no_ids(said)
    no_handles_or_emails(said)
    return said


def test_readiness_below_the_current_level_names_role_and_levels(clients):
    r = clients["hr"].get("/api/people/mgr/readiness?target=eng1")
    assert r.status_code == 422
    assert detail(r) == "the target Engineer I (Junior) is below Meg Manager's current level Mid"


def open_cycle(hr, name: str) -> None:
    """A review cycle for the first half of 2026, opened by the HR admin's client."""
    assert hr.post("/api/review-cycles", json={
        "name": name, "period_start": "2026-01-01", "period_end": "2026-06-30"}
    ).status_code == 201


def test_an_unknown_role_or_level_names_the_framework_and_the_choices(clients):
    r = clients["hr"].get("/api/explore?role=zz")
    assert r.status_code == 404
    assert r.json()["detail"] == "unknown role 'zz' in the Tiny Co framework"
    hr = clients["hr"]
    open_cycle(hr, "words")
    r = hr.post("/api/calibration", json={"cycle": "words", "level": "L9"})
    assert r.status_code == 404
    assert r.json()["detail"] == ("unknown level 'L9' in the Tiny Co framework (its levels: "
                                  "Junior, Mid, Senior)")
    r = hr.post("/api/calibration", json={"cycle": "words", "track": "design"})
    assert r.status_code == 422
    assert r.json()["detail"] == "nobody in review cycle 'words' is in the Design track"


def test_a_team_filter_names_its_choices_as_the_list_shows_them(clients):
    r = clients["hr"].get("/team?track=zz")
    assert r.status_code == 422
    said = alerts(r.text)
    assert "The track is one of: Engineering, Design" in said
    no_ids(said)
    r = clients["hr"].get("/team?level=zz")
    assert "The level is one of: Junior, Mid, Senior" in alerts(r.text)


def test_a_plan_target_is_named_in_words(clients):
    r = clients["employee"].post("/api/people/emp/plan", json={"competencies": {"coding": 9}})
    assert r.status_code == 422
    assert detail(r) == "mastery 9 for Coding is outside its scale 1-5"
    r = clients["hr"].post("/api/people/mgr/plan", json={"role": "eng1"})
    assert r.status_code == 422
    assert detail(r) == "Engineer I (level Junior) is below the current level Mid"


def test_a_promotion_case_below_the_current_level_names_roles_and_levels(clients):
    r = clients["hr"].post("/api/cases", json={"person": "mgr", "to_role": "eng1",
                                               "justification": "x"})
    assert r.status_code == 422
    assert detail(r) == ("a case for a role below the current one is refused: Engineer I "
                         "(Junior) is below Meg Manager's Engineer II (Mid)")


def test_an_unknown_event_has_no_id_on_the_page_or_in_the_api(clients):
    r = clients["hr"].post("/api/events/999999/retraction", json={"reason": "typo"})
    assert r.status_code == 404
    assert r.json()["detail"] == "unknown event"


def test_someone_who_left_is_named_with_the_day_as_pages_write_it(clients):
    hr = clients["hr"]
    assert hr.post("/api/people", json={"handle": "gone", "name": "Gone Person",
                                        "role": "eng1", "hired_on": "2020-01-01"}
                   ).status_code == 201
    assert hr.post("/api/people/gone/events", json={
        "kind": "departure", "effective_on": "2024-06-30"}).status_code == 201
    r = hr.get("/api/people/gone/readiness")
    assert r.status_code == 422
    assert detail(r) == "Gone Person left on 30 Jun 2024: readiness is for people in a role"
    r = hr.post("/api/cases", json={"person": "gone", "to_role": "eng2", "justification": "x"})
    assert r.status_code == 422
    assert detail(r) == ("Gone Person left on 30 Jun 2024: a promotion case is for someone "
                         "in a role")


def test_a_refused_recognition_names_its_kind_in_words(clients):
    r = clients["peer"].post("/api/people/emp/recognitions",
                             json={"citation": "thanks", "kind": "spot_bonus"})
    assert r.status_code == 403
    assert detail(r).startswith("you may not give Em Ployee a spot bonus: colleagues give")


# --- something asked for by a number that is not there: a 404 with a sentence, on the page
# and in the API (the number is the user's own, typed in the address); the command line
# keeps "unknown promotion case 42" (tests/cli)


def test_an_unknown_case_session_or_proposal_is_a_sentence_with_a_404(clients):
    hr = clients["hr"]
    for address, said in (("/cases/9999", "There is no promotion case 9999"),
                          ("/cases/0", "There is no promotion case 0"),
                          ("/cases/9999/export", "There is no promotion case 9999"),
                          ("/org/calibration/9999", "There is no calibration session 9999")):
        r = hr.get(address)
        assert (r.status_code, alerts(r.text)) == (404, said), address
    r = hr.post("/cases/9999/comment", data={
        "csrf_token": str(hr.headers["X-CSRF-Token"]), "text": "hello"})
    assert (r.status_code, alerts(r.text)) == (404, "There is no promotion case 9999")
    r = hr.post("/comp/proposals/9999/approve",
                data={"csrf_token": str(hr.headers["X-CSRF-Token"])})
    assert (r.status_code, alerts(r.text)) == (404, "Not signed: there is no proposal 9999")
    for address, said in (("/api/cases/9999", "there is no promotion case 9999"),
                          ("/api/calibration/9999", "there is no calibration session 9999")):
        r = hr.get(address)
        assert (r.status_code, r.json()["detail"]) == (404, said), address
    r = hr.post("/api/compensation/proposals/9999/approval")
    assert (r.status_code, r.json()["detail"]) == (404, "there is no proposal 9999")


# --- a plan a promotion retargeted says so in role titles and days; the command line's
# note keeps the ids and ISO days (tests/integration/test_plan_backtest.py)


def test_a_retargeted_or_closed_plan_says_why_in_titles_and_days(app, clients):
    from trellis.domain.events import EventKind
    from trellis.services import ledger, people

    uow = app.state.trellis.uow
    people.add_person(uow(), "rae", "Rae Target", role="eng1", hired_on=date(2021, 1, 1),
                      author="t", manager="mgr")
    hr = clients["hr"]
    assert hr.post("/api/people/rae/plan", json={"role": "eng2"}).status_code == 201
    ledger.record_event(uow(), "rae", EventKind.PROMOTION, date(2024, 3, 1),
                        {"role": "eng2"}, author="t")
    note = hr.get("/api/people/rae/plan").json()["document"]["note"]
    assert note.startswith("promoted to Engineer II on 1 Mar 2024: retargeted from "
                           "Engineer II to Senior Engineer")
    no_ids(note)
    ledger.record_event(uow(), "rae", EventKind.PROMOTION, date(2024, 9, 2),
                        {"role": "eng3"}, author="t")
    note = hr.get("/api/people/rae/plan").json()["document"]["note"]
    assert note == ("promoted to Senior Engineer on 2 Sep 2024, the top of the Engineering "
                    "track: no role above to plan for; plan closed")
    page = unescape(re.sub(r"<[^>]+>", " ", hr.get("/people/rae").text))
    assert " ".join(note.split()) in " ".join(page.split())


# --- a calibration session's default name is its cycle and its group's id ("titles team
# mgr": unique, and what the command line types); a page titles it with the group in words


def test_a_default_session_name_reads_with_the_group_by_name(clients):
    hr = clients["hr"]
    open_cycle(hr, "titles")
    r = hr.post("/api/calibration", json={"cycle": "titles", "team": "mgr"})
    assert r.status_code == 201
    made = r.json()["document"]
    assert made["name"] == "titles team mgr"  # the key the command line finds it by
    page = hr.get(f"/org/calibration/{made['id']}").text
    title = unescape(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1))
    assert title == "Calibration: titles · Meg Manager's team"
    listing = unescape(hr.get("/org/calibration").text)
    assert f'<a href="/org/calibration/{made["id"]}">titles · Meg Manager\'s team</a>' \
        in listing
    no_handles_or_emails(title)
    r = hr.post(f"/api/calibration/{made['id']}/changes",
                json={"person": "boss", "rating": 4, "reason": "x"})
    assert (r.status_code, r.json()["detail"]) == (422, (
        "Bo Boss is not in calibration session “titles · Meg Manager's team” (review cycle "
        "'titles')"))
    assert hr.post(f"/api/calibration/{made['id']}/close").status_code == 200
    r = hr.post(f"/api/calibration/{made['id']}/close")
    assert (r.status_code, r.json()["detail"]) == (
        409, "calibration session “titles · Meg Manager's team” is already closed")
    r = hr.post("/org/calibration", data={"csrf_token": str(hr.headers["X-CSRF-Token"]),
                                          "cycle": "titles", "group": "level:L1"})
    assert r.status_code == 200  # after the redirect to the new session
    assert "Opened titles · Level Junior: " in unescape(r.text)


# --- the person page's timeline: each line in words from the entry's details (roles by
# title and level name, functions by track, people by name, pay with its currency), never
# an id; the API's summary keeps the command line's ids


def test_timeline_lines_on_the_person_page_name_no_ids(app, clients):
    from trellis.domain.events import EventKind
    from trellis.services import ledger, people, recognition

    uow = app.state.trellis.uow
    people.add_person(uow(), "tim", "Tim Line", role="eng1", hired_on=date(2021, 1, 4),
                      author="t", manager="mgr", pay=45_000)
    step = ledger.record_event(uow(), "tim", EventKind.SKILL_STEP, date(2022, 2, 1), {
        "competency": "coding", "from_mastery": 0, "to_mastery": 1}, author="t")
    ledger.retract_event(uow(), step.id, "entered twice", author="t")
    ledger.record_event(uow(), "tim", EventKind.PROMOTION, date(2023, 6, 1),
                        {"role": "eng2", "pay": 52_000}, author="t")
    ledger.record_event(uow(), "tim", EventKind.RESPONSIBILITY, date(2023, 7, 3),
                        {"function": "design", "share": 0.3}, author="t")
    recognition.recognize(uow(), "tim", "untangled the release", giver="peer",
                          author="peer@x.org", on=date(2023, 8, 1))
    html = clients["hr"].get("/people/tim?baseline=1").text
    lines = [" ".join(unescape(re.sub(r"<[^>]+>", " ", m)).split()) for m in
             re.findall(r'<span class="summary">(.*?)</span>', html, re.S)]
    assert lines == [  # newest first: the retraction is dated today
        "Retracted “Coding: mastery 0 → 1” of 1 Feb 2022: entered twice",
        "Kudos from Pe Er: untangled the release", "Took on 30% in Design",
        "Promoted to Engineer II (Mid), pay €52,000", "Coding: mastery 0 → 1",
        "Hired as Engineer I (Junior), pay €45,000"]
    for said in lines:
        no_ids(said)
        no_handles_or_emails(said)
    api = clients["hr"].get("/api/people/tim/timeline").json()
    assert "Promoted to Engineer II (L2), pay 52,000" in [e["summary"] for e in api]


def test_a_case_packet_names_functions_and_steps_in_words(app, clients):
    from trellis.domain.events import EventKind
    from trellis.services import ledger, people

    uow = app.state.trellis.uow
    people.add_person(uow(), "pia", "Pia Packet", role="eng1", hired_on=date(2021, 1, 4),
                      author="t", manager="mgr")
    for kind, details in ((EventKind.RESPONSIBILITY, {"function": "design", "share": 0.3}),
                          (EventKind.SKILL_STEP, {"competency": "coding", "from_mastery": 0,
                                                  "to_mastery": 1})):
        ledger.record_event(uow(), "pia", kind, date(2023, 7, 3), details, author="t",
                            verifier="mgr@x.org")
    hr = clients["hr"]
    r = hr.post("/api/cases", json={"person": "pia", "to_role": "eng2",
                                    "justification": "ready"})
    assert r.status_code == 201, r.text
    for address in (f"/cases/{r.json()['document']['id']}",
                    f"/cases/{r.json()['document']['id']}/export"):
        html = hr.get(address).text
        packet = " ".join(" ".join(unescape(re.sub(r"<[^>]+>", " ", m)).split()) for m in
                          re.findall(r"<li>(.*?)</li>", html, re.S))
        assert "Took on 30% in Design" in packet, address
        assert "Coding: mastery 0 → 1" in packet, address
