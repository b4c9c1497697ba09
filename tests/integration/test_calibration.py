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

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY

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
    # one merit cycle a year among those employed all year, less the skips
    assert 0.75 < pay["merits_per_year"].value <= 1 - TRUE.merit_skip_probability + 0.02


def _individual_rows(demo: Demo, kinds: list[str]) -> list:
    with demo.trellis.uow() as uow:
        managers = {p.manager_id for p in uow.people.all() if p.manager_id}
        return [r for r in uow.events.of_kinds(kinds) if r.person_id not in managers]


def test_micro_progression_rates_per_stage(demo: Demo) -> None:
    cal = demo.simulation.calibration
    # skill steps a quarter, counted independently by days of employment
    rows = _individual_rows(demo, ["hire", "departure", "skill_step"])
    hired = {r.person_id: r.effective_on for r in rows if r.kind == "hire"}
    left = {r.person_id: r.effective_on for r in rows if r.kind == "departure"}
    quarters = sum(((left.get(p) or clock.today()) - d).days
                   for p, d in hired.items()) / 91.3125
    steps = sum(r.kind == "skill_step" and r.effective_on != hired[r.person_id] for r in rows)
    pooled = sum(cal.rate(s, "skill_steps") * cal.stages[s]["skill_steps"].n
                 for s in cal.stages) / sum(cal.stages[s]["skill_steps"].n for s in cal.stages)
    assert pooled == pytest.approx(steps / quarters, rel=0.05)
    # higher mastery steps take longer (DemoParameters.step_difficulty)
    assert cal.rate("early", "skill_steps") > cal.rate("late", "skill_steps")
    for stage, rates in cal.stages.items():
        assert rates["skill_steps"].source == "ledger", stage
        assert 0.6 < rates["skill_steps"].value < 2.0, stage
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
    # readiness grows with time in level (people keep learning), so the two effects are
    # not told apart at this size: only readiness and level are checked
    assert model.readiness > 0 and model.rank < 0
    # rates fall with level, as the generator's level factors do
    rates = [cal.rate(s, "promotions_per_year") for s in ("early", "mid", "late")]
    assert rates[0] > rates[1] > rates[2]


def test_departures_by_quarters_since_the_last_progression(demo: Demo) -> None:
    """Each band's hazard, since the hire and since a promotion or move, against departures
    over person-quarters counted by days (the shape itself, a new role's risk then
    stagnation's, is checked on a larger demo in tests/unit/test_demo_generator.py)."""
    d = demo.simulation.calibration.departure
    assert d.source == "ledger" and d.events > 100
    assert len(d.by_quarter) == 25
    rows = _individual_rows(demo, ["hire", "departure", "promotion", "lateral_move"])
    marks: dict[int, list] = {}
    left, ended = {}, {}  # voluntary departures (the hazard's events); every departure
    for r in rows:
        if r.kind == "departure":
            ended[r.person_id] = r.effective_on
            if r.details.get("departure_kind", "voluntary") == "voluntary":
                left[r.person_id] = r.effective_on
        else:
            marks.setdefault(r.person_id, []).append(r.effective_on)
    today = clock.today()
    # the first year's quarters 1-3 (quarter 0 is the hire's own calendar quarter, which
    # the simulator never starts in; each first-year quarter has its own rate)
    bands = ((1, 4), (8, 12), (16, 24))
    exposure: dict[tuple[bool, int], float] = {}
    departed: dict[tuple[bool, int], int] = {}
    for person, days in marks.items():
        days.sort()
        stop = ended.get(person) or today
        for i, start in enumerate(days):
            until = min(days[i + 1] if i + 1 < len(days) else stop, stop)
            for lo, hi in bands:
                a = start + timedelta(days=round(lo * 91.3125))
                z = min(until, start + timedelta(days=round(hi * 91.3125)))
                if z > a:
                    key = (i > 0, lo)  # since a promotion or move, or since the hire
                    exposure[key] = exposure.get(key, 0.0) + (z - a).days / 91.3125
                    departed[key] = departed.get(key, 0) + (
                        person in left and a < left[person] <= z and until == stop)
    checked = 0
    for (moved, lo), n in departed.items():
        if n >= 30:  # a band's own rate (else calibration pools or takes the line)
            quarters = range(lo, 4) if lo == 1 else range(lo, lo + 1)
            mean = sum(d.hazard(q, moved) for q in quarters) / len(quarters)
            assert mean == pytest.approx(n / exposure[moved, lo], rel=0.2), \
                (moved, lo, n, d.by_quarter, d.after_move)
            checked += 1
    assert checked >= 3 and len(d.after_move) == 25
    # a promotion's new role is riskier than a hire's in the demo (8 points against 2), in
    # the quarter after it
    assert d.hazard(1, moved=True) > d.hazard(1, moved=False)
    assert d.hazard(1) > TRUE.departure_base_hazard


def test_engagement(demo: Demo) -> None:
    e = demo.simulation.calibration.engagement
    assert 0.5 < e["engagement_promotion_jump"].value < 1.2  # 0.9, blurred by rounding
    # the lift fades (half a quarter later): between check-ins a quarter apart the
    # regression sees a small net decay
    assert -0.05 < e["engagement_decay"].value < 0.1
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
    here = [p for p, d in hired.items() if d <= year_ago
            and (left.get(p) is None or left[p] > year_ago)]
    stayed = sum(1 for p in here if left.get(p) is None or left[p] > today) / len(here)
    assert by_name["balanced"].survival[-1] == pytest.approx(stayed, abs=0.06)
