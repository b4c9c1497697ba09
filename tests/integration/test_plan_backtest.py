"""``plan backtest`` on a small hand-built ledger with known outcomes (TINY, today fixed at
2026-01-01, plans on 2025-01-01), and promotions that retarget the active plan."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from lifelines import KaplanMeierFitter
from scipy import stats
from sqlalchemy import func, select

from trellis.adapters import tables as t
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind
from trellis.domain.throughput import DAYS_PER_QUARTER, learn_throughput
from trellis.errors import PlanRejected
from trellis.services import clock, plan_retarget
from trellis.services.effort import careers
from trellis.services.ledger import record_event
from trellis.services.people import add_person
from trellis.services.plan_backtest import BacktestRejected, backtest, backtest_to_document
from trellis.services.plan_outcomes import held_out, plan_outcomes
from trellis.services.plans import checkin, create_plan, show_plan
from trellis.services.readiness import promote

K = EventKind
AT = date(2025, 1, 1)
HIRED = date(2024, 1, 1)


def step(trellis: Trellis, who: str, competency: str, frm: int, to: int, on: date) -> None:
    record_event(trellis.uow(), who, K.SKILL_STEP, on,
                 {"competency": competency, "from_mastery": frm, "to_mastery": to},
                 author="tester")


def hire(trellis: Trellis, who: str, role: str, on: date = HIRED) -> None:
    add_person(trellis.uow(), who, who.title(), role=role, hired_on=on, author="tester")


@pytest.fixture
def ledger(trellis: Trellis, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    """ada reaches eng2 on 2025-05-01; bob leaves first; cy never gets there; dee is at the
    top; eve was ready already; fay was hired after the date. Every eng1 has a baseline
    of coding 1 on the hire date, and no other step before 2025-01-01."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 1, 1, 9, 0))
    for who in ("ada", "bob", "cy"):
        hire(trellis, who, "eng1")
        step(trellis, who, "coding", 0, 1, HIRED)
    hire(trellis, "dee", "eng3")
    hire(trellis, "eve", "eng1")
    step(trellis, "eve", "coding", 0, 2, HIRED)
    step(trellis, "eve", "communication", 0, 1, HIRED)
    hire(trellis, "fay", "eng1", date(2025, 6, 1))
    step(trellis, "ada", "communication", 0, 1, date(2025, 3, 1))
    step(trellis, "ada", "coding", 1, 2, date(2025, 5, 1))  # ready for eng2 that day
    step(trellis, "bob", "communication", 0, 1, date(2025, 2, 1))
    record_event(trellis.uow(), "bob", K.DEPARTURE, date(2025, 4, 1), {}, author="tester")
    step(trellis, "cy", "mentoring", 0, 1, date(2025, 8, 1))  # not what eng2 needs
    step(trellis, "dee", "mentoring", 0, 1, date(2025, 10, 1))  # the ledger's last event
    yield trellis


def test_a_backtest_scores_known_outcomes(ledger: Trellis):
    found = backtest(ledger.uow(), AT)
    assert found.ledger_end == date(2025, 10, 1)
    assert found.employed == 5  # fay was hired after the date
    assert found.skipped == {"already ready": 1, "top of track": 1}
    cases = {c.handle: c for c in found.cases}
    assert set(cases) == {"ada", "bob", "cy"}
    ada, bob, cy = cases["ada"], cases["bob"], cases["cy"]
    assert (ada.reached_on, ada.censored_on) == (date(2025, 5, 1), None)
    assert (bob.reached_on, bob.censored_on, bob.censored_by) == (None, date(2025, 4, 1),
                                                                  "departure")
    assert (cy.reached_on, cy.censored_on, cy.censored_by) == (None, date(2025, 10, 1),
                                                               "ledger end")
    # Each plans communication 0->1 and coding 1->2: 0.3 + 0.6 median steps (no history:
    # the documented difficulties). Fewer than 8 spells: the default prior, 2 median steps a
    # quarter worth 2 quarters; their own record is no step in the 366 days since the
    # baseline. So lambda ~ Gamma(4, 2 + q) and (1 / b) T ~ BetaPrime(0.9, 4).
    q = 366 / DAYS_PER_QUARTER
    b = 2 + q
    for c in (ada, bob, cy):
        assert c.steps == 2 and c.work == pytest.approx(0.9)
        for got, p in zip((c.p10, c.p50, c.p90), (0.1, 0.5, 0.9), strict=True):
            months = 3 * b * stats.betaprime.ppf(p, 0.9, 4.0)
            assert abs((got - AT).days - months * 30.4375) <= 1.5, (c.handle, p)

    def outcome(c: object, on: date | None, censored: date | None) -> str:
        assert hasattr(c, "p10")
        if on is not None:
            return "early" if on < c.p10 else "late" if on > c.p90 else "inside"
        assert censored is not None
        return "late" if censored > c.p90 else "undecided"

    expected = {h: outcome(c, c.reached_on, c.censored_on) for h, c in cases.items()}
    assert {h: c.outcome for h, c in cases.items()} == expected
    scored = [o for o in expected.values() if o != "undecided"]
    doc = backtest_to_document(found)
    assert doc["reached"] == 1 and doc["censored"] == 2 and doc["scored"] == len(scored)
    assert doc["coverage"] == round(scored.count("inside") / len(scored), 4)
    assert doc["median_p50_error_months"] == round(
        (date(2025, 5, 1) - ada.p50).days / 30.4375, 2)
    # each person's percentile: the forecast's P(ready by the date reached or censored)
    for c in (ada, bob, cy):
        end = c.reached_on or c.censored_on
        assert end is not None
        by_scipy = stats.betaprime.cdf((end - AT).days / DAYS_PER_QUARTER / b, 0.9, 4.0)
        assert c.percentile == pytest.approx(float(by_scipy), abs=1e-6)
    # counting the undecided: Kaplan-Meier over all three, as lifelines computes it
    km = KaplanMeierFitter().fit([c.percentile for c in (ada, bob, cy)],
                                 [c.reached_on is not None for c in (ada, bob, cy)])
    expected_share = (float(km.survival_function_at_times(0.1 - 1e-9).iloc[0])
                      - float(km.survival_function_at_times(0.9).iloc[0]))
    assert found.censored_coverage == pytest.approx(expected_share, abs=1e-9)
    assert doc["coverage_counting_undecided"] == round(expected_share, 4)
    low, high = found.spread_range
    assert (low, high) == (0.0, 0.0)  # no earlier plans decided: nothing fitted
    # the follow-up: ada, reached, would have been followed to the ledger's end; bob to his
    # departure; cy to the end. Two lanes each (communication, coding).
    for c, until in ((ada, date(2025, 10, 1)), (bob, date(2025, 4, 1)),
                     (cy, date(2025, 10, 1))):
        by_scipy = stats.betaprime.cdf((until - AT).days / DAYS_PER_QUARTER / b, 0.9, 4.0)
        assert c.followed == pytest.approx(float(by_scipy), abs=1e-6)
        assert c.lanes == 2
        assert c.record == pytest.approx(q, abs=1e-3)  # the 366 days since the baseline
    assert ada.followed > ada.percentile
    assert [d["lanes"] for d in doc["cases"]] == [2, 2, 2]


def test_nothing_after_the_date_leaks_into_the_forecasts(ledger: Trellis):
    before = {c.handle: (c.p10, c.p50, c.p90) for c in backtest(ledger.uow(), AT).cases}
    for k, comp in enumerate(("coding", "design_systems", "communication")):
        step(ledger, "dee", comp, 0, 1, date(2025, 6, 1) + timedelta(days=k))  # later work
    after = {c.handle: (c.p10, c.p50, c.p90) for c in backtest(ledger.uow(), AT).cases}
    assert after == before


def test_held_out_plans_are_followed_only_up_to_the_model_s_date(ledger: Trellis):
    # The spread's fit reads plans drawn up before the model's date and follows them up to
    # it, never past: ada's readiness on 2025-05-01 is censored on a date before it.
    uow = ledger.uow()
    with uow.reading():
        by_person = defaultdict(list)
        for e in uow.events.stream():
            by_person[e.person_id].append(e)
        history = careers(uow)
        model = learn_throughput(history.values(), AT)
        ids = {p.id: p.handle for p in uow.people.all()}
        for until, ada in [(date(2025, 4, 30), (None, date(2025, 4, 30), "ledger end")),
                           (date(2025, 5, 1), (date(2025, 5, 1), None, ""))]:
            found = plan_outcomes(by_person, uow.frameworks.catalog, history, model, AT,
                                  until)
            cases = {ids[c.person_id]: c for c in found.cases}
            assert (cases["ada"].reached_on, cases["ada"].censored_on,
                    cases["ada"].censored_by) == ada
            assert cases["bob"].censored_by == "departure"
            quarters = {ids[o.person_id]: h.quarters
                        for o, h in zip(found.cases, held_out(found, AT), strict=True)}
            assert quarters["cy"] == pytest.approx((until - AT).days / DAYS_PER_QUARTER)


@pytest.mark.parametrize(("at", "message", "words"), [
    (date(2026, 6, 1), "--at 2026-06-01 is in the future",
     "the date planned from 1 Jun 2026 is in the future"),
    (date(2023, 12, 31), "--at 2023-12-31 is before the ledger's first event (2024-01-01)",
     "the date planned from 31 Dec 2023 is before the ledger's first event (1 Jan 2024)"),
    (date(2025, 10, 1), "--at 2025-10-01 is on or after the ledger's last event (2025-10-01): "
                        "nothing after it to score against",
     "the date planned from 1 Oct 2025 is on or after the ledger's last event (1 Oct 2025): "
     "nothing after it to score against"),
])
def test_a_date_the_backtest_cannot_use_is_one_line(ledger: Trellis, at: date, message: str,
                                                    words: str):
    with pytest.raises(BacktestRejected) as info:
        backtest(ledger.uow(), at)
    assert info.value.on_command_line() == message
    assert str(info.value) == words  # days as pages write them
    assert "\n" not in str(info.value)


def test_an_empty_ledger_has_nothing_to_backtest(trellis: Trellis):
    with pytest.raises(BacktestRejected, match="the ledger has no events"):
        backtest(trellis.uow(), AT)


# --- a promotion retargets the active plan, in its own transaction


@pytest.fixture
def ada(trellis: Trellis, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    hire(trellis, "ada", "eng1")
    step(trellis, "ada", "coding", 0, 1, date(2024, 6, 1))
    yield trellis


def plans_count(trellis: Trellis) -> int:
    with trellis.uow() as uow:
        return int(uow.connection.scalar(select(func.count()).select_from(t.plans)) or 0)


def test_a_promotion_to_the_target_retargets_the_plan_to_the_next_role(ada: Trellis):
    create_plan(ada.uow(), "ada", author="tester")  # to eng2
    checkin(ada.uow(), "ada", notes="early close", early=True, author="tester")
    kept = show_plan(ada.uow(), "ada").stored.plan.checkins
    promote(ada.uow(), "ada", "eng2", override="a reorganization", author="hr")
    view = show_plan(ada.uow(), "ada")
    plan = view.stored.plan
    assert view.stored.version == 3 and view.stored.author == "hr"
    assert plan.target.role == "eng3" and plan.steps
    assert plan.note.command.startswith("promoted to eng2 on 2025-01-10: retargeted from eng2 "
                                        "to eng3")
    assert plan.note.words.startswith("promoted to Engineer II on 10 Jan 2025: retargeted "
                                      "from Engineer II to Senior Engineer")
    assert plan.checkins == kept and len(kept) == 1
    assert {s.competency for s in plan.steps} >= {"design_systems", "mentoring"}


def test_a_promotion_to_the_top_of_the_track_closes_the_plan(ada: Trellis):
    create_plan(ada.uow(), "ada", role="eng2", author="tester")
    record_event(ada.uow(), "ada", K.PROMOTION, date(2025, 1, 10), {"role": "eng3"},
                 author="tester")  # `trellis log promotion` goes the same way
    view = show_plan(ada.uow(), "ada")
    assert view.stored.version == 2 and view.stored.plan.complete
    assert view.stored.plan.note.command == ("promoted to eng3 on 2025-01-10, the top of track "
                                             "eng: no role above to plan for; plan closed")


def test_a_plan_aimed_higher_or_elsewhere_is_left_alone(ada: Trellis):
    create_plan(ada.uow(), "ada", role="eng3", author="tester")
    promote(ada.uow(), "ada", "eng2", override="early", author="hr")
    assert show_plan(ada.uow(), "ada").stored.version == 1  # eng3 is still above
    create_plan(ada.uow(), "ada", competencies={"mentoring": 2}, author="tester")
    record_event(ada.uow(), "ada", K.PROMOTION, date(2025, 1, 10), {"role": "eng3"},
                 author="tester")
    assert show_plan(ada.uow(), "ada").stored.version == 2  # not a role target


def test_the_promotion_and_the_retargeting_are_one_transaction(
        ada: Trellis, monkeypatch: pytest.MonkeyPatch):
    create_plan(ada.uow(), "ada", author="tester")
    with ada.uow() as uow:
        events = uow.events.count()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the re-plan failed")

    monkeypatch.setattr(plan_retarget, "make_plan", broken)
    with pytest.raises(RuntimeError, match="the re-plan failed"):
        promote(ada.uow(), "ada", "eng2", override="a reorganization", author="hr")
    with ada.uow() as uow:  # neither the promotion nor a new plan was written
        assert uow.events.count() == events
        assert uow.state.current(1) is not None and uow.state.current(1).role == "eng1"
    assert plans_count(ada) == 1 and show_plan(ada.uow(), "ada").stored.version == 1


def test_a_plan_on_someone_who_left_is_refused(ada: Trellis):
    record_event(ada.uow(), "ada", K.DEPARTURE, date(2025, 1, 5), {}, author="tester")
    with pytest.raises(PlanRejected, match="not employed here"):
        create_plan(ada.uow(), "ada", author="tester")


def test_counting_refreshes_scores_readiness_after_the_freshness_discount(
        trellis: Trellis, monkeypatch: pytest.MonkeyPatch):
    # old's coding 2 dates from the 2019 hire: stale by 2025 (36 months), so the plan to eng2
    # refreshes it (coding 2->3) besides communication 0->1. Communication comes on
    # 2025-03-01: every requirement is met (before the freshness discount); the refresh on
    # 2025-06-01 makes readiness itself 100.
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 1, 1, 9, 0))
    hire(trellis, "old", "eng1", date(2019, 1, 1))
    step(trellis, "old", "coding", 0, 2, date(2019, 1, 1))
    step(trellis, "old", "communication", 0, 1, date(2025, 3, 1))
    step(trellis, "old", "coding", 2, 3, date(2025, 6, 1))
    step(trellis, "old", "mentoring", 0, 1, date(2025, 9, 1))
    (plain,) = backtest(trellis.uow(), AT).cases
    (counted,) = backtest(trellis.uow(), AT, refreshes=True).cases
    assert (plain.steps, plain.reached_on) == (1, date(2025, 3, 1))
    assert (counted.steps, counted.reached_on) == (2, date(2025, 6, 1))
    assert counted.work > plain.work and counted.p50 > plain.p50
    assert backtest_to_document(backtest(trellis.uow(), AT, refreshes=True))["refreshes"]
