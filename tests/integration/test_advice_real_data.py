"""Advice on the real ``job_retention`` ledger (adapters.peopleanalytics): its leaving
figures are the CSV's own, computed here with pandas, and the simulation beside the reason
moves the way the reason says (bench/advice_real_data.py prints the same on the command
line)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pytest

from conftest import make_trellis
from trellis.adapters import peopleanalytics as pa
from trellis.bootstrap import Trellis
from trellis.services import clock, org_models
from trellis.services.advice import advise
from trellis.services.simulation import STRATEGY_EFFECTS
from trellis.services.transfer import import_ledger

pytestmark = pytest.mark.skipif(importlib.util.find_spec("peopleanalyticsdata") is None,
                                reason="the peopleanalyticsdata package is not installed")
TOLERANCE = 0.005  # a rate per person-year: rounding of a quarter's days, nothing more


@pytest.fixture
def retention(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    t = make_trellis(sqlite_url)
    source = pa.job_retention_ledger(pa.read_dataset("job_retention"), role="eng1")
    import_ledger(t.uow(), source.people, source.events, author="tester")
    monkeypatch.setattr(clock, "now",
                        lambda: datetime.combine(source.as_of, datetime.min.time()))
    yield t
    t.close()


def csv_rates(threshold: float) -> dict[str, tuple[int, int, float]]:
    """People, voluntary departures and person-years per group, from the CSV with pandas.

    The ledger writes ``month`` months of carriers (``intention`` recognitions, a
    certification if F, a project led if the level is High: the rate a month), hires
    everyone on 1 January and writes the departure on the first of the month after
    ``month``. The comparison leaves out the hire's own quarter (no history: months 1-2's
    departures are not in it), splits people at ``threshold`` micro-progressions a quarter
    (3 months of carriers), counts the quarter holding a departure in full (the simulator's
    convention: leaving at quarter ends) and its last quarter's single day (the ledger ends
    on 1 January). Only ``left = 1`` is a departure; a row the CSV censored before month 12
    ends its exposure there, as any involuntary departure does."""
    frame = pa.read_dataset("job_retention")
    seen = frame[frame["month"] >= 3]  # a departure on 1 April or later: in the panel
    carriers = seen["intention"] + (seen["gender"] == "F") + (seen["level"] == "High")
    years = np.where(seen["month"] < 12, 0.25 * (seen["month"] // 3), 0.75 + 0.25 / 90)
    frequent = (3 * carriers > threshold).to_numpy()
    left = (seen["left"] == 1).to_numpy()
    return {name: (int(mask.sum()), int(left[mask].sum()), float(years[mask].sum()))
            for name, mask in (("frequent", frequent), ("rare", ~frequent))}


def test_the_leaving_rates_are_the_csvs_and_the_simulation_agrees_with_the_reason(
        retention: Trellis) -> None:
    with retention.uow() as uow:
        active = next(r["person_id"] for r in uow.state.rows(
            None, ["person_id", "departed_on"]) if r["departed_on"] is None)
    found = advise(retention.uow(), str(active), simulate_runs=4_000)
    effects = org_models.load(retention.uow(), STRATEGY_EFFECTS).value.of(
        found.stage, found.role_type)
    assert effects is not None and effects.threshold is not None
    d = effects.departure
    assert d is not None and d.decided and d.enough
    csv = csv_rates(effects.threshold)
    for group, (people, events, years) in csv.items():
        assert getattr(d, f"{group}_people") == people
        assert getattr(d, f"{group}_events") == events
        assert getattr(d, f"{group}_rate") == pytest.approx(events / years, abs=TOLERANCE)
    # the rates the reason quotes, standardized over the strata (2020, and the one day of
    # 2021 the ledger ends on), within a point of the CSV's
    f_csv, r_csv = (csv[g][1] / csv[g][2] for g in ("frequent", "rare"))
    assert d.frequent_standardized == pytest.approx(f_csv, abs=0.01)
    assert d.rare_standardized == pytest.approx(r_csv, abs=0.01)
    # the reason says the simulation applies the ratio, the simulation says so too, and
    # its strategies move as the reason reads: frequent micro-progressors leave more here,
    # so the micro-progression strategy keeps the fewest
    leaving = next(r for r in found.recommendation.reasons if r.startswith("Leaving"))
    assert f"applies it: frequent micro-progressors leave at {d.ratio:.2f} times" in leaving
    stay = next(r for r in found.recommendation.reasons if "still employed" in r)
    assert f"{d.ratio:.2f} times the rate of rare ones" in stay
    assert found.to_document()["simulation_leaving_ratio"] == round(d.ratio, 4)
    by_name = {s.name: s for s in found.simulated}
    assert d.difference > 0
    assert by_name["micro"].still_employed_1y < by_name["balanced"].still_employed_1y \
        < by_name["promotion"].still_employed_1y
