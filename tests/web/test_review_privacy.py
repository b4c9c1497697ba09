"""Reviews on the web: ratings stay in the person's circle, and a peer reviewer's name is
HR's to know (peers may review anonymously; neither the reviewee nor their managers see who)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest

from trellis.bootstrap import open_trellis
from trellis.domain.reviews import ReviewForm
from trellis.services import clock, reviews
from trellis.settings import Settings

from .conftest import seed, signed_in


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    from trellis.entrypoints.web.app import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('reviews') / 'trellis.db'}"
    seed(url)
    t = open_trellis(Settings(database_url=url, author="t"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", lambda: datetime(2025, 3, 3, 9, 0))
        reviews.open_cycle(t.uow(), "2025-h1", date(2025, 1, 1), date(2025, 6, 30),
                           forms=[ReviewForm.SELF, ReviewForm.MANAGER, ReviewForm.PEER],
                           author="hr@x.org")
        reviews.nominate(t.uow(), "2025-h1", "emp", "peer", anonymous=True, author="hr@x.org")
        reviews.submit(t.uow(), "2025-h1", "emp", ReviewForm.PEER, 4, by="peer",
                       comment="great pairing", author="peer@x.org")
        reviews.submit(t.uow(), "2025-h1", "emp", ReviewForm.MANAGER, 3, by="mgr",
                       author="mgr@x.org")
    t.close()
    app = create_app(Settings(database_url=url, author="t"))
    yield app
    app.state.trellis.close()


def review_rows(app, who: str) -> dict[str, dict]:
    with signed_in(app, who) as c:
        r = c.get("/api/people/emp/timeline")
        assert r.status_code == 200, r.text
    rows = [e for e in r.json() if e["kind"] == "review"]
    assert len(rows) == 2
    return {(e["details"] or {}).get("reviewer_role", f"hidden-{i}"): e
            for i, e in enumerate(rows)}


@pytest.mark.parametrize("who", ["employee", "manager"])
def test_the_reviewee_and_their_chain_see_the_ratings_but_not_who_the_peer_was(app, who):
    rows = review_rows(app, who)
    peer = rows["peer"]
    assert peer["details"]["rating"] == 4 and "reviewer" not in peer["details"]
    assert peer["author"] == "hidden"
    assert rows["manager"]["author"] == "mgr@x.org"
    assert rows["manager"]["details"]["reviewer"] == "mgr"


def test_hr_sees_who_wrote_each_review(app):
    rows = review_rows(app, "hr")
    assert rows["peer"]["author"] == "peer@x.org"
    assert rows["peer"]["details"]["reviewer"] == "peer"


def test_a_colleague_outside_the_circle_sees_that_there_was_a_review_and_nothing_else(app):
    rows = review_rows(app, "peer")
    assert {e["summary"] for e in rows.values()} == {"Review"}
    assert all(e["details"] is None for e in rows.values())


def test_the_profile_holds_the_reviews_for_the_circle_only(app):
    for who, expected in (("manager", True), ("peer", False)):
        with signed_in(app, who) as c:
            r = c.get("/api/people/emp/profile")
            assert r.status_code == 200, r.text
        assert bool(r.json()["profile"]["reviews"]) is expected, who
