"""Calibration on the web: HR admins only (managers, employees and outsiders get 403), every
read and change audited, a change shown on the person's profile beside the manager's rating.

The seeded org (tests/web/conftest.py): boss (HR) manages mgr and peer; mgr manages emp.
Cycle '2025-h1' has manager reviews: mgr 4 (by boss), emp 3 (by mgr), peer 2 (by boss).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from trellis.bootstrap import open_trellis
from trellis.domain.reviews import ReviewForm
from trellis.services import calibration_sessions, clock, reviews
from trellis.settings import Settings

from .conftest import seed, signed_in


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from trellis.entrypoints.web.app import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('calibration') / 'trellis.db'}"
    seed(url)
    t = open_trellis(Settings(database_url=url, author="t"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: datetime(2025, 3, 3, 9, 0))
        reviews.open_cycle(t.uow(), "2025-h1", date(2025, 1, 1), date(2025, 6, 30),
                           forms=[ReviewForm.MANAGER], author="hr@x.org")
        for handle, rating in (("mgr", 4), ("emp", 3), ("peer", 2)):
            reviews.submit(t.uow(), "2025-h1", handle, ReviewForm.MANAGER, rating,
                           author="hr@x.org")
        calibration_sessions.open_session(t.uow(), "2025-h1", team="boss", name="h1",
                                          author="hr@x.org")
    t.close()
    app = create_app(Settings(database_url=url, author="t"))
    yield app
    app.state.trellis.close()


@pytest.fixture(scope="module")
def session_id(app) -> int:
    with signed_in(app, "hr") as c:
        [found] = c.get("/api/calibration").json()
    return int(found["id"])


def test_hr_sees_the_distribution_the_9_box_and_the_list(app, session_id):
    with signed_in(app, "hr") as c:
        r = c.get(f"/api/calibration/{session_id}")
        assert r.status_code == 200, r.text
        doc = r.json()["document"]
        assert [d["count"] for d in doc["distribution"]] == [0, 1, 1, 1, 0]
        assert [(m["handle"], m["rating"]) for m in doc["members"]] == [
            ("mgr", 4), ("emp", 3), ("peer", 2)]
        audit = c.get("/api/audit").json()
    assert any(e["action"] == "calibration.read" for e in audit), audit[:3]


@pytest.mark.parametrize("who", ["manager", "employee", "peer"])
def test_anyone_but_hr_is_refused_every_route(app, session_id, who):
    with signed_in(app, who) as c:
        for method, path, body in (
                ("get", "/api/calibration", None),
                ("get", f"/api/calibration/{session_id}", None),
                ("post", f"/api/calibration/{session_id}/changes",
                 {"person": "emp", "rating": 4, "reason": "mine"}),
                ("post", f"/api/calibration/{session_id}/close", None),
                ("post", "/api/calibration", {"cycle": "2025-h1", "team": "mgr"}),
                ("get", "/org/calibration", None),
                ("get", f"/org/calibration/{session_id}", None)):
            r = c.request(method.upper(), path, json=body)
            assert r.status_code == 403, (path, r.text)
    with signed_in(app, "hr") as c:
        doc = c.get(f"/api/calibration/{session_id}").json()["document"]
    assert doc["changes"] == []  # nothing written


def test_unsigned_requests_are_not_authenticated(app, session_id):
    from .conftest import client_for

    with client_for(app) as c:
        assert c.get(f"/api/calibration/{session_id}").status_code == 401


def test_bad_changes_are_4xx_in_one_line_and_nothing_is_written(app, session_id):
    with signed_in(app, "hr") as c:
        for body, status, detail in (
                ({"person": "emp", "rating": 9, "reason": "x"}, 422,
                 "rating 9 is outside the scale 1-5"),
                ({"person": "emp", "rating": 4, "reason": " "}, 422,
                 "give the reason for the change"),
                ({"person": "boss", "rating": 4, "reason": "x"}, 422,
                 "Bo Boss is not in calibration session “h1”"),
                ({"person": "emp", "rating": 4}, 422, None)):
            r = c.post(f"/api/calibration/{session_id}/changes", json=body)
            assert r.status_code == status, r.text
            if detail:
                assert r.json()["detail"].startswith(detail)
        assert c.get(f"/api/calibration/{session_id + 1000}").status_code == 404
        doc = c.get(f"/api/calibration/{session_id}").json()["document"]
    assert doc["changes"] == []


def test_a_change_by_form_shows_on_the_profile_and_is_audited(app, session_id):
    with signed_in(app, "hr") as c:
        page = c.get(f"/org/calibration/{session_id}")
        assert page.status_code == 200
        html = page.text
        assert "<svg" in html and 'id="ninebox"' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # the CSP allows no inline
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert csrf is not None
        refused = c.post(f"/org/calibration/{session_id}/changes",
                         data={"csrf_token": csrf.group(1), "person": "emp", "rating": "4",
                               "reason": ""})
        assert refused.status_code == 422 and "Not changed: give the reason" in refused.text
        done = c.post(f"/org/calibration/{session_id}/changes", follow_redirects=False,
                      data={"csrf_token": csrf.group(1), "person": "emp", "rating": "4",
                            "reason": "shipped the migration"})
        assert done.status_code == 303, done.text
        after = c.get(done.headers["location"]).text
        assert "shipped the migration" in after and "Changed the rating of Em Ployee" in after
        audit = [e["action"] for e in c.get("/api/audit").json()]
        assert "calibration.change" in audit
        org = c.get("/org").text  # the audit log names the session by its title, not number
        assert re.search(r"read a calibration</td><td[^>]*>calibration session “h1”", org)
        assert f"calibration session {session_id}" not in org
        profile = c.get("/api/people/emp/profile").json()
    manager = profile["profile"]["reviews"]["2025-h1"]["manager"][0]
    assert (manager["rating"], manager["calibrated"]) == (3, 4)
    with signed_in(app, "manager") as c:  # mgr is emp's manager: in the chain, sees it
        mine = c.get("/api/people/emp/profile").json()
    assert mine["profile"]["reviews"]["2025-h1"]["manager"][0]["calibrated"] == 4
    with signed_in(app, "peer") as c:  # outside the chain: no ratings at all
        other = c.get("/api/people/emp/profile").json()
        timeline = c.get("/api/people/emp/timeline").json()
    assert other["profile"]["reviews"] == {}
    [entry] = [e for e in timeline if e["kind"] == "calibration"]
    assert entry["summary"] == "Calibration" and entry["details"] is None


def test_the_generic_event_route_refuses_a_calibration(app):
    with signed_in(app, "hr") as c:
        r = c.post("/api/people/emp/events", json={
            "kind": "calibration", "details": {"cycle": "2025-h1", "session": "h1",
                                               "from_rating": 3, "to_rating": 5,
                                               "reason": "sneaking past the session"}})
        assert r.status_code == 422, r.text
        assert r.json()["detail"] == \
            "calibrate through POST /api/calibration/{session_id}/changes"
        timeline = c.get("/api/people/emp/timeline").json()
    assert not any("sneaking" in (e["summary"] or "") for e in timeline)


def test_hr_opens_a_session_from_the_list_page(app, session_id):
    with signed_in(app, "hr") as c:
        listing = c.get("/org/calibration").text
        assert "trellis calibrate open" not in listing and "/api/calibration" not in listing
        assert "Bo Boss&#39;s team" in listing  # session h1's group, by name
        assert '<option value="2025-h1">2025-h1</option>' in listing
        assert '<option value="team:mgr">Meg Manager&#39;s team</option>' in listing
        assert re.search(r'<option value="level:[^"]+">Level ', listing)
        assert re.search(r'<option value="track:[^"]+">Track ', listing)
        before = len(c.get("/api/calibration").json())
        good = {"cycle": "2025-h1", "group": "team:mgr", "name": "mgr's people"}
        for change, why, code in (
                ({"cycle": ""}, "Not opened: choose the review cycle", 422),
                ({"group": ""}, "Not opened: choose the group", 422),
                ({"group": "team"}, "Not opened: choose the group", 422),
                ({"cycle": "1999"}, "Not opened: ", 404),
                ({"group": "team:nobody"}, "Not opened: ", 404),
                ({"group": "level:nope"}, "Not opened: unknown level", 404)):
            sent = {**good, **change}
            r = c.post("/org/calibration", data=sent, follow_redirects=False)
            assert r.status_code == code and why in r.text, (change, r.status_code)
            form = r.text.split('id="open-session"', 1)[1]
            assert 'data-notice="open-session"' in form
            assert 'value="mgr&#39;s people"' in form  # the name comes back
            if sent["group"] == "team:mgr":
                assert '<option value="team:mgr" selected>' in form
        assert len(c.get("/api/calibration").json()) == before  # nothing opened
        ok = c.post("/org/calibration", data=good, follow_redirects=False)
        assert ok.status_code == 303
        new_id = int(re.fullmatch(r"/org/calibration/(\d+)#session",
                                  ok.headers["location"]).group(1))
        page = c.get(f"/org/calibration/{new_id}").text
        assert "Opened mgr&#39;s people: 1 person to calibrate." in page  # emp alone
        [found] = [s for s in c.get("/api/calibration").json() if s["id"] == new_id]
        assert (found["group_kind"], found["group"], found["members"]) == ("team", "mgr", 1)
        [entry] = [e for e in c.get("/api/audit").json() if e["action"] == "calibration.open"
                   and e["resource"] == f"calibration/{new_id}"]
        assert entry["user"] == "hr@x.org"
    for who in ("manager", "employee"):
        with signed_in(app, who) as c:
            r = c.post("/org/calibration", data={**good, "name": f"by {who}"})
            assert r.status_code == 403
    with signed_in(app, "hr") as c:
        assert len(c.get("/api/calibration").json()) == before + 1
