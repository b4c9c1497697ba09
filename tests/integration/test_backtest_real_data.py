"""The simulator's departures at a cut of the real ``job_retention`` data (its first 600
people), against lifelines' Kaplan-Meier estimate on the same rows of the CSV: what the
calibration sees before the cut, and how the people there are started (bench/
simulate_backtest.py --real job_retention --holdout-years 0.5 on all 3,770)."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest

from conftest import make_trellis
from trellis.adapters import peopleanalytics as pa
from trellis.analytics.calibration import PANEL_KINDS, calibrate
from trellis.analytics.simulator import Strategy, simulate
from trellis.bootstrap import Trellis
from trellis.services.frameworks import version_in_force
from trellis.services.profiles import profile_of
from trellis.services.simulation import _start
from trellis.services.transfer import import_ledger

pytestmark = pytest.mark.skipif(importlib.util.find_spec("peopleanalyticsdata") is None,
                                reason="the peopleanalyticsdata package is not installed")
CUT = date(2020, 7, 2)  # half a year before the data's end, as the bench cuts it


@pytest.fixture
def ledger(sqlite_url: str) -> Iterator[Trellis]:
    t = make_trellis(sqlite_url)
    yield t
    t.close()


def test_departures_before_the_cut_are_kaplan_meiers_and_carry_on_from_tenure_at_the_cut(
        ledger: Trellis) -> None:
    from lifelines import KaplanMeierFitter

    frame = pa.read_dataset("job_retention").head(600)
    source = pa.job_retention_ledger(frame, role="eng1")
    import_ledger(ledger.uow(), source.people, source.events, author="tester")
    with ledger.uow() as uow:
        framework = uow.frameworks.catalog[version_in_force(uow, CUT).id]
        rows = [e for e in uow.events.of_kinds(PANEL_KINDS) if e.effective_on <= CUT]
        left = {e.person_id for e in rows if e.kind == "departure"}
        present = [profile_of(uow, p, CUT).profile for p in uow.people.all()
                   if p.id not in left]
    model = calibrate(framework, rows, end=CUT).departure
    # the ledger's departures: the CSV's leavers (voluntary) and those it censored before
    # month 12 (written as involuntary), each on the first day of the month after
    # ``month``; its second quarter (April-June) holds months 3-5, the last whole one
    # before the cut. The voluntary hazard is Kaplan-Meier's with the CSV's own censoring,
    # voluntary and other together Kaplan-Meier's of every departure: within 0.003, the
    # panel counting a leaver's quarter in full where Kaplan-Meier stops at the month
    def km(event) -> float:
        s = KaplanMeierFitter().fit(frame["month"], event).survival_function_at_times(
            range(13)).to_numpy()
        return float(1 - s[5] / s[2])

    assert model.by_quarter[1] == pytest.approx(km(frame["left"]), abs=0.003)
    everyone = ((frame["left"] == 1) | (frame["month"] < 12)).astype(int)
    assert model.by_quarter[1] + model.other_hazard(1) == pytest.approx(km(everyone),
                                                                          abs=0.003)
    # past the data the last whole quarter's rate carries on
    assert model.by_quarter[2] == model.by_quarter[3] == model.by_quarter[1]
    # everyone there at the cut is two calendar quarters since the hire, as the panel
    # counts the quarter holding most of the first simulated one
    assert len(present) == int((frame["month"] >= 7).sum())
    cal = calibrate(framework, rows, end=CUT)
    start = _start(present, framework, CUT, cal)
    assert set(start.quarters_since.tolist()) == {2}
    assert np.isnan(start.pay).all()  # the data has no pay: none is invented
    out = simulate(cal, start, Strategy("balanced", 0.5), quarters=2, runs=40_000,
                   rng=np.random.default_rng(3))
    carried = 1 - math.prod(1 - model.hazard(q) - model.other_hazard(q) for q in (2, 3))
    assert 1 - out.survival[-1] == pytest.approx(carried, abs=0.006)
    assert np.isnan(out.horizon["pay"]).all()
