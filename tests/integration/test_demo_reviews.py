"""The demo's yearly review cycles: two closed years and this year's open cycle, with
ratings that follow each person's actual year and the demo accounts' team left to write."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from scipy.stats import spearmanr

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.events import MICRO_PROGRESSIONS, EventKind
from trellis.services import clock, reviews
from trellis.services.demo import run_demo
from trellis.settings import Settings

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "today", lambda: TODAY)
        summary = run_demo(trellis.uow, framework=framework, document=document, people=150,
                           years=4, seed=11, author="tester", today=TODAY)
        yield trellis, summary
    trellis.close()


def test_two_closed_years_and_this_years_open_cycle(demo):
    trellis, summary = demo
    found = reviews.cycles(trellis.uow())
    assert [(c.name, c.status.value) for c, _ in found] == [
        ("2024", "closed"), ("2025", "closed"), ("2026", "open")]
    assert all(n > 50 for _, n in found)
    assert summary.review_cycles == 3 and summary.current_cycle == "2026"
    assert "trellis review progress 2026" in summary.describe("x")


def test_closed_cycles_hold_self_and_manager_reviews_for_almost_everyone(demo):
    trellis, _ = demo
    for name in ("2024", "2025"):
        rows = reviews.cycle_progress(trellis.uow(), name).rows
        both = sum(1 for r in rows if {f.value for f in r.submitted} == {"self", "manager"})
        assert both / len(rows) > 0.9, name  # the top of the org has no manager review
        late = [r for r in rows if r.overdue]  # who had no manager left to write theirs
        assert len(late) < 0.1 * len(rows) and all(
            [f.value for f in r.overdue] == ["manager"] for r in late)


def test_this_year_has_reviews_in_overdue_and_the_demo_team_left_to_write(demo):
    trellis, summary = demo
    found = reviews.cycle_progress(trellis.uow(), "2026")
    submitted = Counter(f.value for r in found.rows for f in r.submitted)
    overdue = Counter(f.value for r in found.rows for f in r.overdue)
    assert submitted["self"] > 0.4 * len(found.rows) and submitted["manager"] > 0
    assert overdue["self"] > 0.2 * len(found.rows)
    assert submitted["peer"] > 0 and any(r.peers_nominated for r in found.rows)
    team = {p.id for p in found.people.values()
            if p.handle == summary.manager or (p.manager_id is not None and
                                               found.people.get(p.manager_id) is not None and
                                               found.people[p.manager_id].handle
                                               == summary.manager)}
    assert team
    assert all(not r.submitted for r in found.rows if r.person_id in team)


def test_manager_ratings_follow_each_persons_year(demo):
    """Checked against the ledger itself: the micro-progressions and promotions each person
    had in 2025, against the 2025 manager rating (a rank correlation)."""
    trellis, _ = demo
    pairs = []
    with trellis.uow() as uow:
        for person in uow.people.all():
            events = uow.events.for_person(person.id)
            hired = next(e.effective_on for e in events if e.kind is EventKind.HIRE)
            rating = next((e.details.rating for e in events if e.kind is EventKind.REVIEW
                           and e.details.cycle == "2025"
                           and e.details.reviewer_role.value == "manager"), None)
            if rating is None:
                continue
            year = [e for e in events if date(2025, 1, 1) <= e.effective_on <= date(2025, 12, 31)
                    and e.effective_on != hired]
            progress = sum(3 if e.kind is EventKind.PROMOTION else 1 for e in year
                           if e.kind in MICRO_PROGRESSIONS or e.kind is EventKind.PROMOTION
                           or e.kind is EventKind.LATERAL_MOVE)
            pairs.append((progress, rating))
    assert len(pairs) > 50
    rho = spearmanr([p for p, _ in pairs], [r for _, r in pairs]).statistic
    assert rho > 0.4, rho
    assert len({r for _, r in pairs}) >= 4  # the scale is used, not one rating for all


def test_early_in_january_no_review_is_dated_after_today():
    from trellis.demo import DemoParameters, generate_organization
    from trellis.services.demo_reviews import plan_demo_reviews

    path = shipped_framework_path("software-company")
    assert path is not None
    framework, _ = read_framework_file(path)
    today = date(2027, 1, 3)
    org = generate_organization(framework, people=40, years=3, seed=2, end=today,
                                params=DemoParameters())
    plan = plan_demo_reviews(org, framework, seed=2, today=today)
    assert [c.name for c in plan.cycles] == ["2025", "2026", "2027"]
    assert plan.events and max(e.effective_on for e in plan.events) <= today
    current = plan.cycles[-1]
    assert all(on >= current.start for on in current.due.values())
    assert all(e.effective_on >= current.start for e in plan.events if e.details.cycle == "2027")
