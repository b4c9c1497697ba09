"""Organization models as projections: stored with their ledger position, read, refreshed;
and the advice that reads them (its reasons against the models' own numbers)."""

from __future__ import annotations

import pickle
import zlib
from datetime import date, datetime

import pytest

from conftest import make_trellis
from tenure_ledger import tenure_ledger
from trellis.bootstrap import Trellis
from trellis.domain.events import EventKind, Hire, Recognition
from trellis.domain.records import EventRecord, PersonRecord
from trellis.services import clock, org_models
from trellis.services.advice import advise
from trellis.services.ledger import find_person, record_event
from trellis.services.people import erase_person
from trellis.services.refresh import ORG_MODELS, refresh_models
from trellis.services.simulation import CALIBRATION, STRATEGY_EFFECTS, simulate
from trellis.services.transfer import import_ledger


@pytest.fixture
def tenure(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Trellis:
    monkeypatch.setattr(clock, "now", lambda: datetime(2021, 12, 31, 12, 0))
    trellis = make_trellis(sqlite_url)
    people, events = tenure_ledger()
    people.append(PersonRecord(900, "dee", "Dee Signer"))  # on a role with no pay band
    events += [EventRecord(901, "dee", date(2021, 3, 1), Hire(role="des1")),
               EventRecord(902, "dee", date(2021, 6, 1), Recognition(citation="ok"))]
    import_ledger(trellis.uow(), people, events, author="tester")
    yield trellis
    trellis.close()


def test_advice_says_the_data_does_not_decide_when_tenure_explains_the_difference(tenure):
    found = advise(tenure.uow(), "vet35", simulate_runs=2_000)
    assert (found.stage, found.role_type) == ("early", "structured")
    effects = org_models.load(tenure.uow(), STRATEGY_EFFECTS).value.of("early", "structured")
    assert effects is not None and effects.promotion is not None
    p = effects.promotion
    odds = next(r for r in found.recommendation.reasons if "were promoted" in r)
    assert (f"{p.frequent_events} promotions in {p.frequent_years:,.0f} person-years "
            f"({p.frequent_people} people)") in odds
    assert (f"promoted {p.frequent_standardized:.1%} a person-year against "
            f"{p.rare_standardized:.1%} for rare ones, compared at the same time in level") \
        in odds
    assert "the data does not decide whether micro-progressions lead to promotions" in odds
    assert found.cohort["promotion"]["decided"] is False
    # the crude figures would have said 6.2% against 1.2%: five times as often
    assert (f"{6 / 97.5:.1%}", f"{2 / 162.5:.1%}") == ("6.2%", "1.2%")
    # early 0.35 + structured 0.10, nothing from the undecided cohort; the simulation's
    # rule adds 0.10 when the promotion strategy's median pay leads by 3% or more
    simulated = next(r for r in found.recommendation.reasons
                     if r.startswith("Simulated median pay"))
    lead = 0.10 if simulated.endswith("; promotion leads.") else 0.0
    assert found.recommendation.promotion_effort == pytest.approx(0.45 + lead)


def test_how_many_stay_comes_from_the_simulation_the_advice_runs(tenure):
    found = advise(tenure.uow(), "vet35", simulate_runs=2_000)
    with tenure.uow() as uow:
        seed = find_person(uow, "vet35").id  # advice seeds its simulation with the id
    sim = simulate(tenure.uow(), person="vet35", strategy="promotion,balanced,micro",
                   years=5, runs=2_000, seed=seed)
    by_name = {o.strategy.name: o for o in sim.outcomes}
    stay = next(r for r in found.recommendation.reasons if "still employed" in r)
    d = sim.calibration.departure
    if d.n:
        assert (f"{d.n:,.0f} person-quarters, {d.events:,} voluntary departures and "
                f"{d.other_events:,} others") in stay
    for s in found.simulated:
        o = by_name[s.name]
        assert s.still_employed == float(o.survival[-1])
        assert s.still_employed_1y == float(o.survival[4])
        assert f"{s.name} {s.still_employed_1y:.0%} and {s.still_employed:.0%}" in stay
    assert not any("stay a year" in r for r in found.recommendation.reasons)


def test_no_pay_recorded_reads_no_pay_data_not_zero(tenure):
    found = advise(tenure.uow(), "dee", simulate_runs=500)
    assert found.simulated and all(s.pay_p50 is None for s in found.simulated)
    pay = next(r for r in found.recommendation.reasons if "median pay" in r)
    assert "no pay data" in pay
    doc = found.to_document()
    assert all(s["pay_p50"] is None for s in doc["simulation"])


def test_a_model_is_stored_with_its_position_and_read_back(tenure):
    first = org_models.load(tenure.uow(), CALIBRATION)
    assert first.rebuilt and not first.stale
    with tenure.uow() as uow:
        head = uow.models.header("calibration", "{}")
        assert head is not None and head.position == uow.models.position()
        assert head.as_of == date(2021, 12, 31)
    again = org_models.load(tenure.uow(), CALIBRATION)
    assert not again.rebuilt and again.value == first.value
    assert again.built_at == first.built_at


def test_a_write_makes_a_model_stale_and_on_a_small_ledger_it_is_rebuilt_at_once(tenure):
    first = org_models.load(tenure.uow(), STRATEGY_EFFECTS)
    record_event(tenure.uow(), "vet35", EventKind.RECOGNITION, date(2021, 12, 1),
                 {"citation": "late"}, author="tester")
    again = org_models.load(tenure.uow(), STRATEGY_EFFECTS)
    assert again.rebuilt and again.position.last_event > first.position.last_event


def test_an_expensive_stale_model_is_served_with_its_date_and_the_hook_told(
        tenure, monkeypatch):
    first = org_models.load(tenure.uow(), STRATEGY_EFFECTS)
    monkeypatch.setattr(org_models, "SYNC_EVENTS", 0)  # as on a large organization
    record_event(tenure.uow(), "vet35", EventKind.RECOGNITION, date(2021, 12, 1),
                 {"citation": "late"}, author="tester")
    told: list[int] = []
    tenure.on_stale = lambda: told.append(1)
    stale = org_models.load(tenure.uow(), STRATEGY_EFFECTS)
    assert stale.stale and not stale.rebuilt and told == [1] and stale.behind == 1
    assert stale.value == first.value
    assert stale.note() == ("The strategy figures are as of 31 Dec 2021, 1 event behind the "
                            "ledger, until the models are rebuilt")
    assert any(n.startswith("The strategy figures are as of")
               for n in advise(tenure.uow(), "vet35", simulate_runs=0).notes)
    done = refresh_models(tenure.refresh_uow())
    rebuilt = {d.name for d in done if d.rebuilt}
    assert "strategy_effects" in rebuilt
    assert all(kind.reads_as for kind in ORG_MODELS)  # each noted in words
    fresh = org_models.load(tenure.uow(), STRATEGY_EFFECTS)
    assert not fresh.stale and told == [1, 1]  # advise read it stale once more


def test_the_background_refresh_rebuilds_what_was_served_stale(tenure, monkeypatch):
    org_models.load(tenure.uow(), STRATEGY_EFFECTS)
    monkeypatch.setattr(org_models, "SYNC_EVENTS", 0)
    record_event(tenure.uow(), "vet35", EventKind.RECOGNITION, date(2021, 12, 1),
                 {"citation": "late"}, author="tester")
    background = org_models.BackgroundRefresh(
        lambda: org_models.refresh(tenure.refresh_uow(), (STRATEGY_EFFECTS,)) and None)
    tenure.on_stale = background.schedule
    try:
        assert org_models.load(tenure.uow(), STRATEGY_EFFECTS).stale
        assert background.idle(60) and background.passes == 1
        assert not org_models.load(tenure.uow(), STRATEGY_EFFECTS).stale
    finally:
        background.stop()


def test_a_new_day_makes_a_dated_model_stale_but_not_the_effort_estimates(tenure,
                                                                           monkeypatch):
    refresh_models(tenure.uow())
    monkeypatch.setattr(clock, "now", lambda: datetime(2022, 1, 1, 8, 0))
    done = {d.name: d.rebuilt for d in refresh_models(tenure.uow())}
    assert done["calibration"] and done["evidence"] and done["strategy_effects"]
    assert not done["effort"] and not done["lattice_moves"]
    assert {k.name for k in ORG_MODELS} == set(done)


def test_code_that_changed_or_a_payload_that_cannot_be_read_is_rebuilt(tenure):
    org_models.load(tenure.uow(), CALIBRATION)
    with tenure.uow() as uow:
        at = uow.models.position()
        uow.models.put("calibration", "{}", org_models.code_format(CALIBRATION), at,
                       clock.today(), clock.now(), 9.0, b"not a model")
        uow.commit()
    assert org_models.load(tenure.uow(), CALIBRATION).rebuilt
    hostile = zlib.compress(pickle.dumps(print))  # builtins.print: refused all the same?
    evil = zlib.compress(b"cos\nsystem\n(S'true'\ntR.")  # os.system: never built
    with pytest.raises(pickle.UnpicklingError):
        org_models.decode(evil)
    assert org_models.decode(hostile) is print  # a harmless builtin is a plain value


def test_an_erasure_drops_every_model(tenure):
    refresh_models(tenure.uow())
    erase_person(tenure.uow(), "vet00", author="tester")
    with tenure.uow() as uow:
        assert uow.models.headers() == []


def test_a_failed_background_pass_is_reported_and_the_next_one_runs(tmp_path):
    from trellis.services.refresh import refresh_in_a_process

    missing = f"sqlite:///{tmp_path / 'nowhere' / 'trellis.db'}"
    with pytest.raises(RuntimeError, match="trellis refresh exited with"):
        refresh_in_a_process(missing)
    errors: list[BaseException] = []
    calls: list[int] = []

    def run() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away")

    background = org_models.BackgroundRefresh(run, errors.append)
    try:
        background.schedule()
        assert background.idle(30)
        background.schedule()
        assert background.idle(30)
    finally:
        background.stop()
    assert [str(e) for e in errors] == ["the database went away"] and len(calls) == 2


def test_one_background_pass_at_a_time_across_workers(tenure, monkeypatch):
    from trellis.services.refresh import claim_refresh, release_refresh

    assert claim_refresh(tenure.uow())
    assert not claim_refresh(tenure.uow())  # another worker's pass is running
    release_refresh(tenure.uow())
    assert claim_refresh(tenure.uow())
    later = datetime(2021, 12, 31, 13, 1)  # 61 minutes on: that pass died
    monkeypatch.setattr(clock, "now", lambda: later)
    assert claim_refresh(tenure.uow())


def test_a_pay_band_is_no_pay_record_every_pay_figure_says_no_pay_data(tenure, tmp_path):
    """vet35's role has a pay band (45,000 midpoint) but the ledger records no pay for
    anyone: advice, simulate, its document, the report and the calibration's raises all say
    there is no pay data instead of a figure grown from the band or from survey raises."""
    from trellis.analytics.report_html import _simulations
    from trellis.services.report import gather

    found = advise(tenure.uow(), "vet35", simulate_runs=500)
    assert found.simulated and all(s.pay_p50 is None for s in found.simulated)
    pay = next(r for r in found.recommendation.reasons if "median pay" in r)
    assert "no pay data" in pay and "45," not in pay
    sim = simulate(tenure.uow(), person="vet35", strategy="balanced", years=2, runs=500)
    assert sim.to_document()["strategies"][0]["horizon"]["pay"]["p50"] is None
    assert sim.calibration.people_with_pay == 0
    assert sim.calibration.raise_words() == "no pay data"
    cohort = simulate(tenure.uow(), strategy="balanced", years=2, runs=500)
    assert cohort.to_document()["strategies"][0]["horizon"]["pay"] == {
        "p10": None, "p50": None, "p90": None}
    rows = [r for s in _simulations(gather(tenure.uow())) for r in s.get("rows", ())]
    assert rows and all(r["pay"] == "no pay data" for r in rows)


def test_recorded_pay_is_simulated_and_its_raises_are_marked_assumed(tenure):
    """One hire with pay: that person's simulated pay starts from it (the raises the
    ledger lacks are the published ones, said to be assumed)."""
    people = [PersonRecord(910, "pam", "Pam Paid")]
    events = [EventRecord(911, "pam", date(2021, 2, 1), Hire(role="eng1", pay=50_000))]
    import_ledger(tenure.uow(), people, events, author="tester")
    sim = simulate(tenure.uow(), person="pam", strategy="balanced", years=1, runs=2_000)
    p10, p50, p90 = sim.outcomes[0].horizon["pay"]
    assert 50_000 <= p10 <= p50 <= p90 <= 50_000 * 1.2  # from her pay, a year of raises
    assert sim.calibration.people_with_pay == 1
    words = sim.calibration.raise_words()
    assert words.startswith("merit raise 3.30% (assumed from published surveys")
