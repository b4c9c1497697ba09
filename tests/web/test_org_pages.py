"""The Team list (sort, filter, search, paging, reasons), the organization overview, the
people directory's privacy per role, and the return to the page asked for after signing
in (HR's accounts and tokens: test_accounts_web).

    boss (hr_admin: hr@t.org; Senior Engineer)
    ├── mgr (manager: mgr@t.org; Engineer II)
    │   ├── p00 .. p59: Person 00 .. 59 (even: Engineer I, odd: Designer I)
    │   └── mid (Engineer II, no mentoring: the Senior Engineer gate fails)
    └── out (employee: out@t.org; Engineer I, outside mgr's team)
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from conftest import FIXTURES, POSTGRES_URL, make_trellis
from trellis.adapters.database import temporary_schema
from trellis.domain.access import Role
from trellis.domain.events import EventKind
from trellis.services import accounts, ledger, people, readiness, recognition
from trellis.settings import Settings
from web.conftest import PASSWORD, client_for

TEAM = 60
ROLES = {i: ("eng1" if i % 2 == 0 else "des1") for i in range(TEAM)}
NAMES = {f"p{i:02d}": f"Person {i:02d}" for i in range(TEAM)}
RECOGNIZED = {"p03", "p10", "p20"}  # recognized today; everyone else never
# Fresh steps toward Engineer II (coding 2, communication 1): p04 has them all (ready), p06
# and p08 coding 1 only.
SKILLED = {"p04": [("coding", 1), ("coding", 2), ("communication", 1)],
           "p06": [("coding", 1)], "p08": [("coding", 1)]}


def seed(url: str) -> None:
    t = make_trellis(url, FIXTURES / "tiny-gates.yaml")
    add = people.add_person
    hired = date(2022, 1, 3)
    add(t.uow(), "boss", "Bo Boss", role="eng3", hired_on=hired, author="t",
        email="hr@t.org", pay=91000)
    add(t.uow(), "mgr", "Meg Manager", role="eng2", hired_on=hired, author="t",
        manager="boss", email="mgr@t.org", pay=61000)
    add(t.uow(), "out", "Otto Outside", role="eng1", hired_on=hired, author="t",
        manager="boss", email="out@t.org", pay=45500)
    add(t.uow(), "mid", "Mia Middle", role="eng2", hired_on=hired, author="t",
        manager="mgr", email="mid@t.org", pay=52000)
    for i in range(TEAM):
        handle = f"p{i:02d}"
        add(t.uow(), handle, NAMES[handle], role=ROLES[i], author="t", manager="mgr",
            hired_on=hired + timedelta(days=i), email=f"{handle}@t.org", pay=44000 + i)
    for handle, steps in SKILLED.items():
        for competency, to in steps:
            ledger.record_event(t.uow(), handle, EventKind.SKILL_STEP,
                                date.today() - timedelta(days=30),
                                {"competency": competency, "from_mastery": to - 1,
                                 "to_mastery": to}, author="t")
    for handle in RECOGNIZED:
        recognition.recognize(t.uow(), handle, "shipped it", author="t", giver="mgr")
    for email, role, handle in (("hr@t.org", Role.HR_ADMIN, "boss"),
                                ("mgr@t.org", Role.MANAGER, "mgr"),
                                ("out@t.org", Role.EMPLOYEE, "out"),
                                ("p00@t.org", Role.EMPLOYEE, "p00")):
        accounts.create_user(t.uow(), email, PASSWORD, role, person=handle, author="t")
    t.close()


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path_factory):
    if request.param == "sqlite":
        found = f"sqlite:///{tmp_path_factory.mktemp('org') / 'org.db'}"
        seed(found)
        yield found
        return
    if not POSTGRES_URL:
        pytest.skip("TRELLIS_TEST_POSTGRES_URL is not set")
    with temporary_schema(POSTGRES_URL, "trellis_org") as found:
        seed(found)
        yield found


@pytest.fixture(scope="module")
def app(url):
    from trellis.entrypoints.web.app import create_app

    app = create_app(Settings(database_url=url, author="t"))
    yield app
    app.state.trellis.close()


def sign_in(app, email, password=PASSWORD):
    c = client_for(app)
    r = c.post("/api/session", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


@pytest.fixture(scope="module")
def hr(app):
    return sign_in(app, "hr@t.org")


@pytest.fixture(scope="module")
def manager(app):
    return sign_in(app, "mgr@t.org")


@pytest.fixture(scope="module")
def outsider(app):
    return sign_in(app, "out@t.org")


def rows(html: str) -> list[str]:
    """The names in the team list's rows, in order."""
    if '<table class="team-list">' not in html:
        return []
    body = html.split('<table class="team-list">', 1)[1].split("</table>", 1)[0]
    return [unescape(n) for n in re.findall(r'<td data-label="Person"><a href="/people/[^"]+">'
                                            r"([^<]+)</a>", body)]


# --- the team list


def test_the_team_list_pages_by_50_sorted_by_name(manager):
    team = sorted([*NAMES.values(), "Mia Middle"])
    first = manager.get("/team")
    assert first.status_code == 200
    assert rows(first.text) == team[:50]
    assert "Showing 1 to 50 of 61" in first.text and "Page 1 of 2" in first.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    second = manager.get("/team?page=2")
    assert rows(second.text) == team[50:] and "Showing 51 to 61 of 61" in second.text
    assert 'rel="prev"' in second.text and 'rel="next"' not in second.text
    assert rows(manager.get("/team?page=9").text) == team[50:]  # past the end: the last page
    reverse = manager.get("/team?sort=name&dir=desc")
    assert rows(reverse.text) == sorted(team, reverse=True)[:50]


@pytest.mark.parametrize("query, problem", [
    ("page=0", "A page number is 1 or more"), ("page=two", "'two' is not a page number"),
    ("sort=salary", "Sort by one of"), ("band=great", "Readiness is one of"),
    ("track=sales", "The track is one of: Engineering, Design"),
    ("level=L9", "The level is one of: Junior, Mid, Senior"), ("dir=up", "Dir: asc or desc")])
def test_a_bad_list_parameter_is_a_one_line_422(manager, query, problem):
    r = manager.get(f"/team?{query}")
    assert r.status_code == 422
    alert = re.search(r'<p role="alert">([^<]*)</p>', r.text).group(1)
    assert problem in unescape(alert) and "\n" not in alert


def test_filters_search_and_the_other_sorts(manager, url):
    design = manager.get("/team?track=design")
    assert rows(design.text) == sorted(n for h, n in NAMES.items() if ROLES[int(h[1:])]
                                       == "des1")
    searched = rows(manager.get("/team?q=person+1").text)  # every word, anywhere
    assert searched == sorted(n for n in NAMES.values() if "1" in n)
    assert rows(manager.get("/team?q=son+05").text) == ["Person 05"]
    assert rows(manager.get("/team?q=MIDDLE").text) == ["Mia Middle"]
    assert "Nobody matches these filters." in manager.get("/team?q=zzz").text
    level = rows(manager.get("/team?level=L2").text)
    assert level == ["Mia Middle"]
    unrecognized = rows(manager.get("/team?unrecognized=1&page=1").text)
    everyone = sorted([*NAMES.values(), "Mia Middle"])
    assert unrecognized == [n for n in everyone if n not in {NAMES[h] for h in RECOGNIZED}][:50]
    by_level = rows(manager.get("/team?sort=level&dir=desc").text)
    assert by_level[0] == "Mia Middle"  # the only one at Mid; then the juniors by name
    assert by_level[1:] == sorted(NAMES.values())[:49]
    by_recognition = rows(manager.get("/team?sort=last_recognition&dir=desc").text)
    assert set(by_recognition[:3]) == {NAMES[h] for h in RECOGNIZED}
    by_time = rows(manager.get("/team?sort=time_in_level").text)  # latest hired first
    assert by_time[:3] == ["Person 59", "Person 58", "Person 57"]


def test_readiness_sort_band_and_failing_match_the_readiness_use_case(manager, url):
    t = make_trellis(url, None)
    try:
        found = {n: readiness.readiness_for(t.uow(), h).readiness
                 for h, n in [*NAMES.items(), ("mid", "Mia Middle")]}
        scores = {n: r.score for n, r in found.items()}
        mid = readiness.readiness_for(t.uow(), "mid").readiness
    finally:
        t.close()
    page = manager.get("/team?sort=readiness")
    listed = rows(page.text)
    expected = sorted(scores, key=lambda n: (-scores[n], n.lower()))
    # Highest score first; equal scores by name.
    assert [scores[n] for n in listed] == [scores[n] for n in expected[:50]]
    ready = rows(manager.get("/team?band=ready").text)
    assert ready == sorted(n for n, r in found.items() if r.ready) == ["Person 04"]
    failing = manager.get("/team?failing=1")
    assert rows(failing.text) == ["Mia Middle"]
    reasons = [unescape(r) for r in re.findall(r"<li>([^<]+)</li>", failing.text.split(
        '<ul class="reasons">', 1)[1].split("</ul>", 1)[0])]
    # Senior Engineer must have coding and mentoring at 3 and 2; Mia has neither; and 12
    # months in level, of which she has had all (hired in 2022).
    assert [q.kind for q in mid.blocking] == ["must_have", "must_have"]
    assert reasons == ["Coding must reach mastery 3 first (now 0)",
                       "Mentoring must reach mastery 2 first (now 0)"]


def test_who_sees_which_team(hr, manager, outsider):
    everyone = hr.get("/team?q=e")
    assert "Everyone in the organization" in everyone.text
    assert "Otto Outside" in rows(hr.get("/team?q=otto").text)
    assert rows(manager.get("/team?q=otto").text) == []
    assert outsider.get("/team").status_code == 403
    scoped = hr.get("/team?manager=mgr")
    assert "Meg Manager's team" in scoped.text and "Showing 1 to 50 of 61" in scoped.text
    assert manager.get("/team?manager=boss").status_code == 403


def test_the_alerts_are_filtered_and_paged(manager):
    """Each list 50 a page, in the report's order (never recognized: the longest gap first,
    that is the earliest hired), filtered by name and severity; a bad choice is a 422."""
    def people(path: str) -> list[str]:
        table = unescape(manager.get(path).text).split('id="recog-h"')[1]
        return re.findall(r'<td data-label="Person"><a href="/people/[^"]+">([^<]+)</a>',
                          table)

    never = ["Mia Middle"] + [NAMES[h] for h in sorted(NAMES) if h not in RECOGNIZED]
    assert people("/team/alerts") + people("/team/alerts?rpage=2") == never
    assert people("/team/alerts?rpage=9") == never[50:]  # past the end: the last page
    page = manager.get("/team/alerts").text
    assert 'href="/team/alerts?rpage=2#recog-h" rel="next">Next 50</a>' in page
    assert "Page 1 of 2" in page
    assert people("/team/alerts?q=middle") == ["Mia Middle"]
    assert people("/team/alerts?q=person+1") == [  # every word, in the name or handle
        n for n in never if n.startswith("Person") and "1" in n]
    assert people("/team/alerts?severity=chronic") == never[:50]  # never recognized
    lapse = unescape(manager.get("/team/alerts?severity=lapse").text)
    assert "No recognition alert matches the filters." in lapse
    assert f"{len(never)} people not recognized for a while" in lapse  # before filters
    for bad, says in (("risk=bold", "Risk is one of: high, medium, low"),
                      ("severity=mild", "Severity is one of: chronic, lapse"),
                      ("rpage=two", "Rpage: 'two' is not a page number"),
                      ("fpage=0", "A page number is 1 or more")):
        refused = manager.get(f"/team/alerts?{bad}")
        assert refused.status_code == 422 and says in unescape(refused.text), bad


def test_the_alerts_page_and_the_overview(hr, manager, url):
    alerts = manager.get("/team/alerts")
    assert alerts.status_code == 200 and "Recognition alerts" in alerts.text
    # The page says first how many people each list holds: mgr's 61 reports, less the
    # three recognized today (everyone else was hired in 2022 and never recognized).
    lead = unescape(alerts.text).split('id="frag-h"')[0]
    unrecognized = TEAM + 1 - len(RECOGNIZED & set(NAMES))
    assert "Alerts in Meg Manager's team" in lead
    assert '0 people with fragmented duties</a>' in lead
    assert f'{unrecognized} people not recognized for a while</a>' in lead
    # 50 a page: the rest on the second page of that list.
    recognition_table = alerts.text.split('id="recog-h"')[1]
    assert recognition_table.count('<td data-label="Person">') == 50 < unrecognized
    assert f"Showing 1 to 50 of {unrecognized}" in recognition_table
    second = manager.get("/team/alerts?rpage=2").text.split('id="recog-h"')[1]
    assert second.count('<td data-label="Person">') == unrecognized - 50
    assert "Nobody's duties are fragmented." in unescape(alerts.text)
    everyone = unescape(hr.get("/team/alerts").text)
    assert "Alerts for everyone in the organization" in everyone
    assert f"{4 + TEAM - len(RECOGNIZED)} people not recognized for a while" in everyone
    overview = hr.get("/org")
    assert overview.status_code == 200
    text = unescape(overview.text)
    active = 4 + TEAM
    assert f"{active} people are active." in text
    engineers = 3 + TEAM // 2  # boss, mgr and mid are engineers, not juniors
    juniors = TEAM + 1  # p00..p59 and out
    assert f"The largest level is Junior ({round(juniors / active * 100)}% of everyone)" in text
    assert f"the largest track Engineering ({round((engineers + 1) / active * 100)}%)" in text
    never = active - len(RECOGNIZED)
    assert (f"{never} people ({round(never / active * 100)}%) have not been recognized in the "
            f"last 90 days, {never} of them never.") in text
    assert (f"1 of {active} people ({round(100 / active)}%) are ready for their next role now; "
            f"0 (0%) are close, and 1 is at the top of their track.") in text
    promotions = re.search(r"In (\d{4}), (\d+)% of people were promoted", text)
    assert promotions and promotions.group(2) == "0"  # nobody was ever promoted here
    # This year's row of the rates table, against a count of the seed: five skill steps
    # and three recognitions (both micro-progressions), no promotion, and the days each
    # of the 64 people has worked this year so far.
    today = date.today()
    on = today - timedelta(days=30)
    hires = [date(2022, 1, 3)] * 4 + [date(2022, 1, 3) + timedelta(days=i) for i in range(TEAM)]
    start = date(today.year, 1, 1)
    years = sum((today - max(h, start)).days + 1 for h in hires) / 365.25
    micro = (5 if on.year == today.year else 0) + len(RECOGNIZED)
    row = (f'<th scope="row">{today.year} (so far)</th><td>{years:,.0f}</td><td>0</td>'
           f"<td>0.0%</td><td>{micro}</td><td>{micro / years:.1f}</td>")
    assert row in overview.text
    assert manager.get("/org").status_code == 403
    assert 'data-org-chart="rates"' in overview.text and "<caption" in overview.text


# --- the directory


def entry(html: str, name: str) -> str:
    found = re.search(r'<li class="directory-entry">((?:(?!</li>\s*<li).)*?' + re.escape(name)
                      + r".*?)</li>\s*(?:<li|</ul>)", html, re.S)
    assert found, name
    return found.group(1)


def test_the_directory_shows_each_viewer_only_what_they_may_see(hr, manager, outsider):
    for viewer in (hr, manager, outsider):
        page = viewer.get("/people?q=otto")
        assert page.status_code == 200 and "Otto Outside" in page.text
        assert "Engineer I" in page.text and "45,500" not in page.text and "45500" not in page.text
    assert "out@t.org" in hr.get("/people?q=otto").text  # HR: everyone's contact details
    assert "out@t.org" in outsider.get("/people?q=otto").text  # their own
    assert "out@t.org" not in manager.get("/people?q=otto").text  # not in their team
    mine = manager.get("/people?q=mia").text
    assert "mid@t.org" in mine and "reports to" in mine  # a report of theirs
    theirs = outsider.get("/people?q=mia").text
    assert "Mia Middle" in theirs and "mid@t.org" not in theirs and "reports to" not in theirs
    # An email matches only where the viewer may see it: searching tells an outsider nothing.
    assert "Mia Middle" not in outsider.get("/people?q=mid@t.org").text
    assert "Mia Middle" in hr.get("/people?q=mid@t.org").text


def test_the_directory_pages_and_refuses_a_bad_page(outsider):
    first = outsider.get("/people")
    assert "Showing 1 to 50 of 64" in first.text and "Page 1 of 2" in first.text
    last = outsider.get("/people?page=2")
    assert "Showing 51 to 64 of 64" in last.text
    assert outsider.get("/people?page=-1").status_code == 422


# --- back to the page asked for after signing in


def login_form(c, next_value: str | None = None) -> str:
    page = c.get("/login" + (f"?next={next_value}" if next_value is not None else "")).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_deep_link_comes_back_after_signing_in(app):
    c = client_for(app)
    asked = c.get("/team?sort=level&dir=desc", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=/team%3Fsort%3Dlevel%26dir%3Ddesc"
    form = c.get(asked.headers["location"]).text
    assert 'name="next" value="/team?sort=level&amp;dir=desc"' in form
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    done = c.post("/login", data={"email": "mgr@t.org", "password": PASSWORD,
                                  "csrf_token": csrf, "next": "/team?sort=level&dir=desc"},
                  follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/team?sort=level&dir=desc"
    wrong = client_for(app)
    csrf = login_form(wrong, "/team")
    again = wrong.post("/login", data={"email": "mgr@t.org", "password": "nope nope nope",
                                       "csrf_token": csrf, "next": "/team"})
    assert again.status_code == 401 and 'name="next" value="/team"' in again.text


@pytest.mark.parametrize("target", [
    "//evil.example/x", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
    "evil.example", "/login?next=/team", "/ team", "/\ttab", ""])
def test_next_never_leaves_the_site(app, target):
    c = client_for(app)
    csrf = login_form(c)
    done = c.post("/login", data={"email": "mgr@t.org", "password": PASSWORD,
                                  "csrf_token": csrf, "next": target}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/me"
    page = c.get("/login", params={"next": target}).text
    assert 'name="next"' not in page



def test_yearly_counts_leave_out_retracted_events_and_the_hire_day(sqlite_trellis):
    t = sqlite_trellis
    people.add_person(t.uow(), "ana", "Ana", role="eng1", hired_on=date(2021, 3, 1), author="t")
    step = {"competency": "coding", "from_mastery": 0, "to_mastery": 1}
    ledger.record_event(t.uow(), "ana", EventKind.SKILL_STEP, date(2021, 3, 1), step,
                        author="t")  # the baseline, on the hire day
    kept = ledger.record_event(t.uow(), "ana", EventKind.CERTIFICATION, date(2022, 5, 1),
                               {"certification": "CKA"}, author="t")
    dropped = ledger.record_event(t.uow(), "ana", EventKind.CERTIFICATION, date(2022, 6, 1),
                                  {"certification": "AWS"}, author="t")
    ledger.retract_event(t.uow(), dropped.id, "entered twice", author="t")
    with t.uow() as uow:
        everything = uow.events.count_by_year([EventKind.SKILL_STEP, EventKind.CERTIFICATION])
        advances = uow.events.count_by_year([EventKind.SKILL_STEP, EventKind.CERTIFICATION],
                                            after_hire_day=True)
    assert kept.effective_on.year == 2022
    assert everything == {(2021, "skill_step"): 1, (2022, "certification"): 1}
    assert advances == {(2022, "certification"): 1}


def test_a_failing_rule_reads_in_words():
    from trellis.adapters.framework_files import read_framework_file
    from trellis.domain.readiness import Requirement
    from trellis.services.team_list import reason

    framework, _ = read_framework_file(FIXTURES / "tiny-gates.yaml")
    senior = framework.roles["eng3"]
    said = [reason(Requirement(kind, name, False, detail), senior, framework)
            for kind, name, detail in (
                ("must_have", "must have design_systems", "design_systems at mastery 1, needs 2"),
                ("time_in_level", "time in level", "11.6 of 12 months in level"),
                ("criteria", "criteria coverage", "3 of 4 criteria met (75%, needs 100%)"),
                ("points", "growth points for L3", "5 points short (10 of 15): cheapest ways "
                 "to get them: Coding 1 -> 2 (+5)"))]
    assert said == ["Design systems must reach mastery 2 first (now 1)",
                    "11 of the 12 months in the level it asks for",
                    "criteria coverage: 3 of 4 criteria met (75%, needs 100%)",
                    "points for the Senior level: 5 points short (10 of 15): cheapest ways "
                    "to get them: Coding 1 to 2 (+5)"]
