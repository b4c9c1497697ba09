"""Upward reviews are anonymous to the manager reviewed: the manager and their chain (an HR
admin in that chain too) read them only aggregated, and only once the cycle's minimum of
reports have written; nothing names, dates or orders a reviewer in the API's JSON, the
pages' HTML, the command line's output or the CSV export. An HR admin outside the chain
reads them one by one; a report reads only their own.

    hr (HR admin, outside lead's chain)
    head (HR admin, lead's manager)
    └── lead (manager)
        └── r1 Ann Alpha, r2 Ben Beta, r3 Cai Gamma, r4 Dee Delta (employees)

Cycle '2025' (minimum 3): r1, r2, r3 write upward reviews of lead (4, 2 and 5; coding 1, 2
and 3), on 3, 5 and 4 March. Cycle '2024' (minimum 4): r1, r2, r3 write too, one short.
"""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from conftest import make_trellis
from trellis.domain.access import Role
from trellis.domain.reviews import ReviewForm
from trellis.services import accounts, clock, people, reviews
from trellis.settings import Settings

from .conftest import PASSWORD, client_for

REPORTS = {"r1": ("Ann Alpha", 4, 1, "Zeta: sets clear goals"),
           "r2": ("Ben Beta", 2, 2, "alpha: more feedback please"),
           "r3": ("Cai Gamma", 5, 3, "Middle: very supportive")}
DAYS = {"r1": 3, "r2": 5, "r3": 4}
ACCOUNTS = {"hr": Role.HR_ADMIN, "head": Role.HR_ADMIN, "lead": Role.MANAGER,
            "r1": Role.EMPLOYEE, "r2": Role.EMPLOYEE, "r3": Role.EMPLOYEE, "r4": Role.EMPLOYEE}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('upward') / 'trellis.db'}"


@pytest.fixture(scope="module")
def event_ids(url: str) -> dict[str, list[int]]:
    t = make_trellis(url)
    add = people.add_person
    add(t.uow(), "hr", "Hana Hr", role="eng3", hired_on=date(2019, 1, 1), author="t",
        pay=90_000)
    add(t.uow(), "head", "Hugo Head", role="eng3", hired_on=date(2019, 1, 1), author="t",
        pay=90_000)
    add(t.uow(), "lead", "Lena Lead", role="eng3", hired_on=date(2020, 1, 1), author="t",
        manager="head", pay=80_000)
    for handle, name in (*((h, v[0]) for h, v in REPORTS.items()), ("r4", "Dee Delta")):
        add(t.uow(), handle, name, role="eng1", hired_on=date(2021, 1, 1), author="t",
            manager="lead", pay=45_000)
    for handle, role in ACCOUNTS.items():
        accounts.create_user(t.uow(), f"{handle}@x.org", PASSWORD, role, person=handle,
                             author="t")
    ids: dict[str, list[int]] = {}
    with pytest.MonkeyPatch.context() as patch:
        for name, least in (("2024", 4), ("2025", 3)):
            year = int(name)
            patch.setattr(clock, "now", lambda year=year: datetime(year, 3, 1, 9, 0))
            reviews.open_cycle(t.uow(), name, date(year, 1, 1), date(year, 6, 30),
                               forms=[ReviewForm.SELF, ReviewForm.MANAGER, ReviewForm.UPWARD],
                               upward_minimum=least, author="hr@x.org")
            for handle, (_, rating, coding, comment) in REPORTS.items():
                patch.setattr(clock, "now", lambda year=year, handle=handle: datetime(
                    year, 3, DAYS[handle], 9, 0))
                ids.setdefault(name, []).append(reviews.submit(
                    t.uow(), name, "lead", ReviewForm.UPWARD, rating, ratings={"coding": coding},
                    comment=comment, by=handle, author=f"{handle}@x.org"))
            patch.setattr(clock, "now", lambda year=year: datetime(year, 3, 9, 9, 0))
            reviews.submit(t.uow(), name, "lead", ReviewForm.MANAGER, 3, by="head",
                           comment="a steady year", author="head@x.org")
    t.close()
    return ids


@pytest.fixture(scope="module")
def app(url: str, event_ids) -> Iterator:
    from trellis.entrypoints.web.app import create_app

    app = create_app(Settings(database_url=url, author="t"))
    yield app
    app.state.trellis.close()


def client(app, who: str):
    c = client_for(app)
    r = c.post("/api/session", json={"email": f"{who}@x.org", "password": PASSWORD})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c


def identifying(event_ids: dict[str, list[int]]) -> list[str]:
    """What would tell a reviewer apart: names, handles, emails, days written, event ids."""
    out = [v[0] for v in REPORTS.values()]
    out += [f'"{h}"' for h in REPORTS] + [f"{h}@x.org" for h in REPORTS]
    out += [f"2025-03-0{d}" for d in DAYS.values()] + [f"2024-03-0{d}" for d in DAYS.values()]
    out += [f"{d} Mar 2025" for d in DAYS.values()]
    out += [f'"event_id":{i}' for ids in event_ids.values() for i in ids]
    out += [f'"id":{i},' for ids in event_ids.values() for i in ids]
    return out


def no_leak(text: str, event_ids) -> None:
    compact = text.replace(" ", "")
    for word in identifying(event_ids):
        assert word.replace(" ", "") not in compact, word


EXPECTED_2025 = {
    "shown": True, "minimum": 3, "reviews": 3,
    "mean": round(statistics.mean(v[1] for v in REPORTS.values()), 1),  # 3.7
    "distribution": {"2": 1, "4": 1, "5": 1},
    "items": [{"item": "coding", "mean": round(statistics.mean(v[2] for v in
                                                               REPORTS.values()), 1),
               "rated_by": 3}],
    "comments": sorted((v[3] for v in REPORTS.values()), key=str.casefold)}


@pytest.mark.parametrize("who", ["lead", "head"])
def test_the_manager_and_their_chain_read_only_the_summary_from_the_minimum(app, event_ids,
                                                                          who):
    c = client(app, who)
    r = c.get("/api/people/lead/reviews")
    assert r.status_code == 200, r.text
    doc = r.json()
    assert all("upward" not in by_role for by_role in doc["cycles"].values())
    assert doc["upward"] == {"2025": EXPECTED_2025, "2024": {"shown": False, "minimum": 4}}
    assert EXPECTED_2025["mean"] == 3.7 and EXPECTED_2025["comments"][0].startswith("alpha")
    assert doc["cycles"]["2025"]["manager"][0]["rating"] == 3  # the rest reads as before
    no_leak(r.text.replace(" ", ""), event_ids)


@pytest.mark.parametrize("who", ["lead", "head"])
def test_no_upward_review_in_the_timeline_or_the_profile(app, event_ids, who):
    c = client(app, who)
    timeline = c.get("/api/people/lead/timeline")
    assert timeline.status_code == 200
    rows = [e for e in timeline.json() if e["kind"] == "review"]
    assert [(e["details"] or {}).get("reviewer_role") for e in rows] == ["manager", "manager"]
    no_leak(timeline.text, event_ids)
    profile = c.get("/api/people/lead/profile")
    assert profile.status_code == 200
    assert all("upward" not in by_role
               for by_role in profile.json()["profile"]["reviews"].values())
    no_leak(profile.text, event_ids)


@pytest.mark.parametrize("who", ["lead", "head"])
def test_the_pages_show_the_summary_in_words_and_nobody(app, event_ids, who):
    c = client(app, who)
    page = c.get("/people/lead/reviews")
    assert page.status_code == 200
    html = page.text
    part = html.split('data-testid="upward-2025"', 1)[1].split("</div>", 1)[0]
    assert "3 reports wrote upward reviews" in part and "a mean of 3.7 on a scale of 1 to" \
        in part
    comments = part.split('class="upward-comments"', 1)[1]
    at = [comments.index(v) for v in ("alpha: more", "Middle: very", "Zeta: sets")]
    assert at == sorted(at)  # alphabetical, not the order written (r1, r3, r2)
    below = html.split('data-testid="upward-2024"', 1)[1].split("</div>", 1)[0]
    assert "once at least 4 reports have written it" in below and "Zeta" not in below
    main = html.split("<main", 1)[1]
    for word in ("Ann Alpha", "Ben Beta", "Cai Gamma", "r1@x.org", "3 Mar 2025",
                 "4 Mar 2025", "5 Mar 2025", "/people/r1"):
        assert word not in main, word
    person = c.get("/people/lead").text
    assert "Upward review" not in person
    for ids in event_ids.values():
        for i in ids:
            assert f"event-{i}\"" not in person


def test_an_hr_admin_outside_the_chain_reads_them_one_by_one(app, event_ids):
    c = client(app, "hr")
    doc = c.get("/api/people/lead/reviews").json()
    upward = doc["cycles"]["2025"]["upward"]
    assert sorted(r["reviewer"] for r in upward) == ["r1", "r2", "r3"]
    assert sorted(r["event_id"] for r in upward) == sorted(event_ids["2025"])
    assert len(doc["cycles"]["2024"]["upward"]) == 3  # every one kept, not the latest
    assert doc["upward"] == {}
    timeline = c.get("/api/people/lead/timeline").json()
    assert {e["id"] for e in timeline} >= set(event_ids["2025"])


def test_a_report_reads_only_their_own_and_one_who_wrote_none_nothing(app, event_ids):
    r1 = client(app, "r1").get("/api/people/lead/reviews")
    assert r1.status_code == 200
    doc = r1.json()
    assert doc["upward"] == {}
    [mine] = doc["cycles"]["2025"]["upward"]
    assert (mine["rating"], mine["reviewer"]) == (4, "r1")
    assert "Ben Beta" not in r1.text and '"r2"' not in r1.text
    assert "manager" not in doc["cycles"]["2025"]
    own = [e["id"] for e in client(app, "r1").get("/api/people/lead/timeline").json()
           if e["kind"] == "review"]
    everyone = {i for ids in event_ids.values() for i in ids}
    assert set(own) & everyone == {event_ids["2024"][0], event_ids["2025"][0]}  # theirs only
    assert client(app, "r4").get("/api/people/lead/reviews").status_code == 403


def test_the_command_line_and_the_csv_export_leak_nothing(cli, url, event_ids, tmp_path):
    db = ("--db", url)
    shown = cli(*db, "review", "show", "lead", "--json")
    assert shown.code == 0, shown.err
    doc = json.loads(shown.out)
    assert doc["upward"]["2025"] == EXPECTED_2025
    assert doc["upward"]["2024"] == {"shown": False, "minimum": 4}
    assert all("upward" not in by_role for by_role in doc["cycles"].values())
    no_leak(shown.out.replace(" ", "").replace("\n", ""), event_ids)
    text = cli(*db, "review", "show", "lead")
    assert "upward feedback in '2025': 3 reviews, mean rating 3.7 (2: 1, 4: 1, 5: 1)" \
        in text.out
    assert "upward feedback in '2024': shown once at least 4 reports have written it" \
        in text.out
    assert "r1" not in text.out and "Ann Alpha" not in text.out
    for command in (("timeline", "lead", "--json"), ("profile", "lead", "--json")):
        out = cli(*db, *command)
        assert out.code == 0, out.err
        assert '"upward"' not in out.out and "upward review" not in out.out.lower()
        no_leak(out.out.replace(" ", "").replace("\n", ""), event_ids)
    path = tmp_path / "ledger.csv"
    exported = cli(*db, "export", "--out", str(path))
    assert exported.code == 0, exported.err
    assert "left out 6 upward review event(s)" in exported.err
    with path.open() as f:
        rows = list(csv.DictReader(f))
    assert rows and not any("upward" in json.dumps(row) for row in rows)
    assert not any(f"{h}@x.org" in json.dumps(row) for row in rows for h in REPORTS
                   if row.get("kind") == "review")
    full = tmp_path / "backup.csv"
    assert cli(*db, "export", "--out", str(full), "--with-upward-reviews").code == 0
    with full.open() as f:
        assert sum("upward" in json.dumps(row) for row in csv.DictReader(f)) == 6


def test_the_minimum_is_a_setting_of_the_cycle(app, cli, url):
    hr = client(app, "hr")
    body = {"name": "2026", "period_start": "2026-01-01", "period_end": "2026-06-30",
            "forms": ["upward"]}
    for bad in (1, 51, 0):
        r = hr.post("/api/review-cycles", json={**body, "upward_minimum": bad})
        assert r.status_code == 422, r.text
    made = hr.post("/api/review-cycles", json={**body, "upward_minimum": 5})
    assert made.status_code == 201 and made.json()["upward_minimum"] == 5
    listed = {c["name"]: c["upward_minimum"] for c in hr.get("/api/review-cycles").json()}
    assert listed == {"2024": 4, "2025": 3, "2026": 5}
    page = hr.post("/reviews/cycles", data={"name": "2027", "start": "2027-01-01",
                                            "end": "2027-06-30", "form_upward": "on",
                                            "upward_minimum": "1"})
    assert page.status_code == 422
    assert "Not opened: upward feedback is shown from 2 to 50 reports" in page.text
    assert 'value="1"' in page.text  # the value typed, kept
    ok = hr.post("/reviews/cycles", data={"name": "2027", "start": "2027-01-01",
                                          "end": "2027-06-30", "form_upward": "on",
                                          "upward_minimum": "4"}, follow_redirects=False)
    assert ok.status_code == 303
    opened = cli("--db", url, "review", "cycle", "open", "2028", "--start", "2028-01-01",
                 "--end", "2028-06-30", "--upward-minimum", "1")
    assert opened.code != 0 and "--upward-minimum 1 must be from 2 to 50" in opened.err
    assert cli("--db", url, "review", "cycle", "open", "2028", "--start", "2028-01-01",
               "--end", "2028-06-30", "--upward-minimum", "6").code == 0
    listed = json.loads(cli("--db", url, "review", "cycle", "list", "--json").out)
    assert {c["name"]: c["upward_minimum"] for c in listed} == {
        "2024": 4, "2025": 3, "2026": 5, "2027": 4, "2028": 6}


def test_progress_outside_hr_does_not_say_who_has_written_upward(app):
    lead = client(app, "lead").get("/api/review-cycles/2024/progress")
    assert lead.status_code == 200, lead.text
    doc = lead.json()
    assert "upward" not in doc["cycle"]["forms"]
    assert all("upward" not in r["submitted"] and "upward" not in r["overdue"]
               for r in doc["people"])
    page = client(app, "lead").get("/reviews/2024/progress")
    assert page.status_code == 200 and ">upward<" not in page.text
    hr = client(app, "hr").get("/api/review-cycles/2024/progress").json()
    [row] = [r for r in hr["people"] if r["person"] == "lead"]
    assert "upward" in row["submitted"]  # HR chases who has not written


def test_the_audit_log_never_says_which_report_wrote_or_read_one(app, event_ids):
    """HR's audit log (an HR admin in the chain reads it too) names the cycle and the
    manager of each upward review, "a report" for who, and the day only; a report reading
    the review they wrote is not named either."""
    assert client(app, "r2").get("/api/people/lead/reviews").status_code == 200
    log = client(app, "head").get("/api/audit", params={"limit": 10_000})
    assert log.status_code == 200, log.text
    about = [e for e in log.json() if e["resource"].startswith("person/lead/reviews")]
    upward = [e for e in about if e["detail"].get("form") == "upward"]
    submitted = sorted(e["at"] for e in upward if e["action"] == "review.submit")
    assert submitted == sorted(f"{y}-03-0{d}T00:00:00Z" for y in (2024, 2025)
                               for d in DAYS.values())
    reads = [e["action"] for e in upward if e["action"] != "review.submit"]
    assert reads and set(reads) == {"reviews.read"}  # r2's here (r1's too, run with the rest)
    for e in upward:
        assert e["user"] is None and e["resource"] == "person/lead/reviews"
        assert e["detail"]["by"] == "a report", e
    for e in about:  # nothing about lead's reviews names a report or an upward review's id
        text = json.dumps(e)
        assert not any(f"{h}@x.org" in text for h in REPORTS), e
        assert not any(e["resource"].endswith(f"/{i}") for ids in event_ids.values()
                       for i in ids), e
    managers = [e["user"] for e in about if e["detail"].get("form") == "manager"]
    assert managers == ["head@x.org", "head@x.org"]  # any other review names its writer
