"""The evidence pipeline on real data: two public datasets, imported as Trellis ledgers.

Each dataset goes through the ordinary import (adapters.peopleanalytics maps it), then
``trellis evidence`` runs on the ledger, and its estimates must equal a direct fit of the
same model on the original CSV: the check that spells, durations, censoring, rates,
snapshots and labels are what they should be.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import numpy as np
import pytest

from conftest import make_trellis
from trellis.adapters import peopleanalytics as pa
from trellis.analytics.evidence import logistic_model
from trellis.bootstrap import Trellis
from trellis.services.evidence import evidence, evidence_to_document
from trellis.services.transfer import import_ledger

pytestmark = pytest.mark.skipif(importlib.util.find_spec("peopleanalyticsdata") is None,
                                reason="the peopleanalyticsdata package is not installed")


@pytest.fixture
def ledger(sqlite_url: str) -> Iterator[Trellis]:
    t = make_trellis(sqlite_url)
    yield t
    t.close()


def test_job_retention_departure_hazard_ratios_match_a_direct_cox_fit(ledger: Trellis) -> None:
    from lifelines import CoxPHFitter

    csv = pa.read_dataset("job_retention")
    source = pa.job_retention_ledger(csv, role="eng1")
    summary = import_ledger(ledger.uow(), source.people, source.events, author="tester")
    assert summary.people == len(csv) == 3770

    found = evidence(ledger.uow(), as_of=source.as_of)
    doc = evidence_to_document(found)

    # The same model on the CSV: duration = month, event = left, spells of >= 3 months.
    direct = csv[csv["month"] >= found.min_months].assign(
        female=lambda d: (d["gender"] == "F").astype(float),
        high=lambda d: (d["level"] == "High").astype(float),
        intention=lambda d: d["intention"].astype(float))
    cph = CoxPHFitter().fit(direct[["month", "left", "intention", "female", "high"]],
                            duration_col="month", event_col="left")

    departure = found.departure
    assert departure.sufficient
    assert departure.spells == len(direct)
    assert departure.events == int(direct["left"].sum())
    assert departure.dropped == ("skill_steps_per_year",)  # no skill steps in the data
    ours = {h.covariate: h for h in departure.covariates}
    pairs = {"recognitions_per_year": "intention", "certifications_per_year": "female",
             "project_leadership_per_year": "high"}
    for covariate, column in pairs.items():
        # Rates per year are 12 x the covariate (one carrier event a month), so the
        # coefficient is 1/12 of the CSV's and the hazard ratio its 12th root.
        mine, theirs = ours[covariate], cph.summary.loc[column]
        assert mine.coef * 12 == pytest.approx(theirs["coef"], rel=1e-6)
        assert mine.hazard_ratio ** 12 == pytest.approx(theirs["exp(coef)"], rel=1e-6)
        assert mine.ci_low ** 12 == pytest.approx(theirs["exp(coef) lower 95%"], rel=1e-6)
        assert mine.ci_high ** 12 == pytest.approx(theirs["exp(coef) upper 95%"], rel=1e-6)
        assert mine.p == pytest.approx(theirs["p"], rel=1e-6, abs=1e-12)
    # Concordance compares predicted hazards, whose near-ties round differently at 12x.
    assert departure.concordance == pytest.approx(cph.concordance_index_, abs=1e-3)
    # Intention to leave is the dataset's strong signal.
    assert ours["recognitions_per_year"].hazard_ratio ** 12 > 1.15
    assert doc["promotion_model"]["status"] == "insufficient data"  # nobody is promoted
    assert doc["spells"]["voluntary_departures"] == int(direct["left"].sum())


def test_promotion_logistic_coefficients_match_a_direct_fit(ledger: Trellis) -> None:
    csv = pa.read_dataset("promotion")
    source = pa.promotion_ledger(csv, role="eng1", promoted_to="eng2")
    import_ledger(ledger.uow(), source.people, source.events, author="tester")

    found = evidence(ledger.uow(), as_of=source.as_of, since=source.since)
    snapshots = found.snapshots
    assert len(snapshots) == len(csv) == 1134  # one snapshot a person: the review quarter
    assert int(snapshots["promoted_12m"].sum()) == int(csv["promoted"].sum())

    columns = ["diverse", "flexible", "store", "year"]
    direct = logistic_model().fit(csv[columns].to_numpy(dtype=float),
                                  csv["promoted"].to_numpy())
    theirs = dict(zip(columns, direct.coef_[0], strict=True))
    prop = found.propensity
    assert prop.sufficient
    assert set(prop.dropped) == {"skill_steps_in_level", "level_rank"}  # constant here
    ours = {f.name: f.coef for f in prop.features}
    pairs = {"certifications_in_level": "diverse", "recognitions_in_level": "flexible",
             "project_leadership_in_level": "store", "years_in_level": "year"}
    for feature, column in pairs.items():
        assert ours[feature] == pytest.approx(theirs[column], rel=1e-6)
    assert prop.intercept == pytest.approx(float(direct.intercept_[0]), rel=1e-6)
    assert prop.auc_mean is not None and 0.0 < prop.auc_mean < 1.0
    assert len(prop.calibration) == 10
    assert np.isclose(sum(b.snapshots for b in prop.calibration), len(csv))
