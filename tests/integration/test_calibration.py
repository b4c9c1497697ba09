"""Calibration recovers the demo generator's true rates from the ledger it wrote.

The demo organization (``trellis.demo``) is generated with known ``DemoParameters``; after
the ordinary import, ``services.simulation`` reads the ledger back and calibrates. Bounds
are a few standard errors of each estimate at this size (1,500 people, 5 years).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis
from trellis.demo import DemoParameters
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.simulation import Simulation, simulate
from trellis.settings import Settings

TRUE = DemoParameters()


@dataclass
class Demo:
    trellis: Trellis
    simulation: Simulation


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    url = f"sqlite:///{tmp_path_factory.mktemp('calibration') / 'demo.db'}"
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=1500, years=5,
             seed=2024, author="tester", today=clock.today())
    result = simulate(trellis.uow(), strategy="all", years=1, runs=20_000, seed=3)
    yield Demo(trellis, result)
    trellis.close()


def test_pay_effects(demo: Demo) -> None:
    pay = demo.simulation.calibration.pay
    assert abs(pay["merit_raise_mean"].value - TRUE.merit_raise_mean) < 0.2
    assert abs(pay["merit_raise_sd"].value - TRUE.merit_raise_sd) < 0.2
    assert abs(pay["promotion_raise_mean"].value - TRUE.promotion_raise_mean) < 0.5
    assert pay["merit_raise_mean"].source == "ledger" and pay["merit_raise_mean"].n > 1000
    # one merit cycle a year, less the skips and the first year of people hired late
    assert 0.75 < pay["merits_per_year"].value <= 1 - TRUE.merit_skip_probability + 0.02


def test_micro_progression_rates_per_stage(demo: Demo) -> None:
    cal = demo.simulation.calibration
    for stage, rates in cal.stages.items():
        assert rates["skill_steps"].source == "ledger", stage
        assert abs(rates["skill_steps"].value / TRUE.skill_steps_per_quarter - 1) < 0.1, stage
        assert abs(rates["certifications"].value - TRUE.certification_probability) < 0.015
        assert abs(rates["projects"].value - TRUE.project_leadership_probability) < 0.03
        # most people get the full kudos rate; the unrecognized and fragmented far less
        assert 0.75 * TRUE.kudos_per_quarter < rates["recognitions"].value < 1.15
        assert 0 < rates["directed_share"].value <= TRUE.skill_step_toward_next_role + 0.05


def test_promotions(demo: Demo) -> None:
    cal = demo.simulation.calibration
    trellis = demo.trellis
    with trellis.uow() as uow:  # the realized rate, counted independently by days
        managers = {p.manager_id for p in uow.people.all() if p.manager_id}
        rows = [r for r in uow.events.of_kinds(["hire", "departure", "promotion"])
                if r.person_id not in managers]
    hired = {r.person_id: r.effective_on for r in rows if r.kind == "hire"}
    left = {r.person_id: r.effective_on for r in rows if r.kind == "departure"}
    today = clock.today()
    years = sum(((left.get(p) or today) - d).days for p, d in hired.items()) / 365.25
    realized = sum(r.kind == "promotion" for r in rows) / years
    assert cal.promotions_per_person_year == pytest.approx(realized, rel=0.03)
    model = cal.promotion
    assert model.source == "ledger"
    assert model.min_quarters == TRUE.promotion_min_quarters
    assert model.readiness > 0 and model.years_in_level > 0 and model.rank < 0
    # rates fall with level, as the generator's level factors do
    rates = [cal.rate(s, "promotions_per_year") for s in ("early", "mid", "late")]
    assert rates[0] > rates[1] > rates[2]


def test_departures_rise_with_stagnation(demo: Demo) -> None:
    d = demo.simulation.calibration.departure
    assert d.source == "ledger" and d.events > 100
    assert abs(d.base - TRUE.departure_base_hazard) < 0.006
    assert abs(d.slope - TRUE.departure_stagnation_slope) < 0.0008
    assert d.hazard(20) > d.hazard(0)


def test_engagement(demo: Demo) -> None:
    e = demo.simulation.calibration.engagement
    assert 0.5 < e["engagement_promotion_jump"].value < 1.2  # 0.9, blurred by rounding
    assert 0.02 < e["engagement_decay"].value < 0.1  # 0.06
    assert 0 < e["engagement_recognition_lift"].value < 0.06  # 0.03


def test_the_simulation_reproduces_last_years_promotion_rate(demo: Demo) -> None:
    with demo.trellis.uow() as uow:
        managers = {p.manager_id for p in uow.people.all() if p.manager_id}
        rows = [r for r in uow.events.of_kinds(["hire", "departure", "promotion"])
                if r.person_id not in managers]
    today = clock.today()
    year_ago = today - timedelta(days=365)
    hired = {r.person_id: r.effective_on for r in rows if r.kind == "hire"}
    left = {r.person_id: r.effective_on for r in rows if r.kind == "departure"}
    years = sum(max(0, (min(left.get(p) or today, today) - max(d, year_ago)).days)
                for p, d in hired.items()) / 365.25
    last_year = sum(r.kind == "promotion" and r.effective_on > year_ago for r in rows) / years
    sim = demo.simulation
    by_name = {o.strategy.name: o for o in sim.outcomes}
    # a year on from today's individual contributors, at the organization's own behaviour
    assert by_name["balanced"].promotions == pytest.approx(last_year, rel=0.2)
    assert by_name["promotion"].promotions > by_name["balanced"].promotions \
        > by_name["micro"].promotions
    assert 0.8 < by_name["balanced"].survival[-1] < 0.97
