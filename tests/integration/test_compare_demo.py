"""The comparison table on a 500-person demo organization, whose true rates are known
(trellis.demo.generator: promotion raises near 9.5%, merit raises near 3.3%)."""

from __future__ import annotations

import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.analytics.compare import FEW, MANY, MICRO, PROMOTION
from trellis.bootstrap import open_trellis
from trellis.services import clock
from trellis.services.advice import advise
from trellis.services.compare import compare
from trellis.services.demo import run_demo
from trellis.settings import Settings

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite:///{tmp_path_factory.mktemp('compare') / 'demo.db'}"
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    summary = run_demo(trellis.uow, framework=framework, document=document, people=500,
                       years=4, seed=7, author="tester", today=clock.today())
    yield trellis, summary
    trellis.close()


def test_pay_changes_match_the_generator(demo) -> None:
    trellis, _ = demo
    t = compare(trellis.uow()).table
    salary = t.feature("salary")
    promo = salary.measure("median_pay_change").cells[PROMOTION]
    assert promo.value is not None and abs(promo.value - 9.5) < 0.5 and promo.n > 100
    merit = salary.detail["merit"]["median_pct"]
    assert abs(merit["value"] - 3.3) < 0.3 and merit["n"] > 500
    share = salary.measure("share_of_growth").cells
    assert share[PROMOTION].value + share[MICRO].value == pytest.approx(1.0, abs=1e-3)
    assert 0.05 < share[PROMOTION].value < 0.6


def test_frequencies_are_counts_over_person_years(demo) -> None:
    trellis, summary = demo
    t = compare(trellis.uow()).table
    counts = t.feature("definition").measure("events").cells
    assert counts[PROMOTION].value == summary.events_by_kind["promotion"]
    freq = t.feature("frequency").measure("per_person_year").cells
    # Cells hold values rounded to 3 decimals (analytics.compare.cell), so compare within
    # half a unit of the third decimal, not a relative 1e-3: with seed 7, 188 promotions
    # over 1,576.96 person-years is 0.11922 a year, stored as 0.119 (0.18% off, yet exact
    # to the cell's precision); 18,381 micro-progressions give 11.65598, stored as 11.656.
    for group in (PROMOTION, MICRO):
        assert freq[group].value == pytest.approx(counts[group].value / t.person_years,
                                                  abs=5e-4)
    assert t.person_years == pytest.approx(summary.person_years, rel=0.01)
    assert freq[PROMOTION].value == pytest.approx(summary.promotions_per_person_year, rel=0.02)


def test_every_cell_carries_its_sample_and_the_effects_show(demo) -> None:
    trellis, _ = demo
    t = compare(trellis.uow()).table
    for table in (t, *t.by_role_type.values()):
        for f in table.features:
            for m in f.measures:
                for c in m.cells.values():
                    assert c.n >= 0 and (c.value is not None or c.note)
    motivation = t.feature("motivation").measure("engagement_change").cells
    assert motivation[PROMOTION].value > 0.5 > motivation[MICRO].value  # true jump 0.9
    growth = t.feature("growth").measure("promotions").cells
    assert growth[MANY].value > growth[FEW].value
    assert set(t.by_role_type) == {"structured", "dynamic"}
    assert sum(s.people for s in t.by_role_type.values()) == t.people


def test_team_and_person_scopes(demo) -> None:
    trellis, summary = demo
    team = compare(trellis.uow(), team=summary.manager)
    assert team.scope == "team" and 0 < team.table.people < 500
    one = compare(trellis.uow(), person=summary.rich_career)
    assert one.table.people == 1
    cellp = one.table.feature("salary").measure("median_pay_change").cells[PROMOTION]
    assert cellp.value is None and cellp.note.startswith("insufficient data (n=")


def _advise_everyone(trellis, every: int) -> None:
    with trellis.uow() as uow:
        states = uow.state.rows(None, ["person_id", "role", "departed_on"])
        left = {r.person_id for r in uow.events.of_kinds(["departure"])}
        everyone = {p.id for p in uow.people.all()}
    active = sorted(s["person_id"] for s in states if s["role"] and s["departed_on"] is None)
    assert active == sorted(everyone - left) and len(active) > 200
    top = 0
    for pid in active[::every]:
        found = advise(trellis.uow(), str(pid), simulate_runs=0)
        assert len(found.actions) == 3, (pid, found.notes)
        assert len({a.text for a in found.actions}) == 3
        top += any("top of the" in n for n in found.notes)
    assert top > 0  # people with no next role (and so no readiness gap) are among them


def test_every_active_person_gets_three_actions_sampled(demo) -> None:
    trellis, _ = demo
    _advise_everyone(trellis, every=20)


@pytest.mark.slow
def test_every_active_person_gets_three_actions(demo) -> None:
    trellis, _ = demo
    _advise_everyone(trellis, every=1)
