"""The evidence pipeline on real data: two public datasets, imported as Trellis ledgers.

Each dataset goes through the ordinary import (adapters.peopleanalytics maps it), then
``trellis evidence`` runs on the ledger, and its estimates must equal a direct fit of the
same model on the original CSV: the check that spells, durations, censoring, rates,
snapshots and labels are what they should be.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from conftest import make_trellis
from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import parse_framework
from trellis.analytics.propensity_design import boosting_model, logistic_model
from trellis.bootstrap import Trellis
from trellis.services.evidence import evidence, evidence_to_document
from trellis.services.frameworks import load_framework
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
    # The ledger's model is time-varying (each quarter's piece carries the rates of the
    # months before it), but here a carrier event falls in every month of a spell, so the
    # rate known at every piece is 12 x the CSV's covariate: the counting-process fit is
    # this fixed-covariate one. Both fitted to the optimum (lifelines stops at 1e-7).
    direct = csv[csv["month"] >= found.min_months].assign(
        female=lambda d: (d["gender"] == "F").astype(float),
        high=lambda d: (d["level"] == "High").astype(float),
        intention=lambda d: d["intention"].astype(float))
    cph = CoxPHFitter().fit(direct[["month", "left", "intention", "female", "high"]],
                            duration_col="month", event_col="left",
                            fit_options={"precision": 1e-12, "r_precision": 1e-14})

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


def _direct_cv(x: np.ndarray, y: np.ndarray) -> dict[str, list[float]]:
    """The same two models on the CSV's columns, with scikit-learn's own pieces: scaled
    columns into the unpenalized logistic regression, the raw ones into boosting; the same
    grouped folds (one group a row, in the CSV's order, as the ledger's people are)."""
    from threadpoolctl import threadpool_limits

    out: dict[str, list[float]] = {"logistic": [], "gradient_boosting": []}
    with threadpool_limits(limits=1):  # as the ledger's fit (two busy cores, tiny folds)
        return _direct_folds(x, y, out)


def _direct_folds(x: np.ndarray, y: np.ndarray, out: dict[str, list[float]]
                  ) -> dict[str, list[float]]:
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    for train, test in GroupKFold(n_splits=5).split(x, y, np.arange(len(y))):
        pipeline = make_pipeline(StandardScaler(), logistic_model()).fit(x[train], y[train])
        out["logistic"].append(roc_auc_score(y[test], pipeline.predict_proba(x[test])[:, 1]))
        boost = boosting_model(len(train)).fit(x[train], y[train])
        out["gradient_boosting"].append(roc_auc_score(y[test],
                                                      boost.predict_proba(x[test])[:, 1]))
    return out


def _reviewed_framework(trellis: Trellis) -> None:
    text = Path(pa.__file__).parents[1].joinpath("frameworks", "software-company.yaml"
                                                 ).read_text(encoding="utf-8")
    framework, doc = parse_framework(text + "reviews: {rating: {min: 1, max: 4}, forms: "
                                     "[manager]}\n", "sc+reviews")
    load_framework(trellis.uow(), framework, doc, author="t", activate=True)


def test_salespeople_auc_through_reviews_matches_a_direct_fit_on_the_csv(ledger: Trellis
                                                                         ) -> None:
    """Performance rating, sales and customer rating travel as a manager review (its
    overall rating and two KPI figures); the AUC through the ledger is the CSV's."""
    csv = pa.read_dataset("salespeople").dropna()
    _reviewed_framework(ledger)
    source, _ = pa.salespeople_ledger(csv, role="eng-l2", promoted_to="eng-l3",
                                      cycle="2021")
    import_ledger(ledger.uow(), source.people, source.events, author="tester")
    found = evidence(ledger.uow(), as_of=source.as_of)
    prop = found.propensity
    assert found.window == "reviews" and prop.decision_points == 1
    assert (prop.snapshots, prop.positives) == (350, int(csv["promoted"].sum()))
    shown = {c: float(found.snapshots[c].iloc[0]) for c in ("rating", "kpi:sales",
                                                               "kpi:customer rating")}
    first = csv.iloc[0]
    assert shown == {"rating": first["performance"], "kpi:sales": first["sales"],
                     "kpi:customer rating": first["customer_rate"]}
    direct = _direct_cv(csv[["performance", "sales", "customer_rate"]].to_numpy(dtype=float),
                        csv["promoted"].to_numpy(dtype=int))
    for name, aucs in direct.items():
        mine = prop.model(name)
        assert mine is not None and mine.auc_mean is not None
        assert mine.auc_mean == pytest.approx(np.mean(aucs), abs=0.01)
        assert len(mine.fold_aucs) == 5
    assert prop.model("logistic").auc_mean == pytest.approx(  # type: ignore[union-attr]
        np.mean(direct["logistic"]), abs=1e-9)  # the same model on the same folds
    assert prop.effects[0].feature == "kpi:sales" and prop.effects[0].p < 0.001
    assert prop.split_on is None and "one decision point" in prop.notes[-1]
    assert "track" in prop.not_identifiable and "years_in_level" in prop.not_identifiable


def test_promotion_auc_matches_a_direct_fit(ledger: Trellis) -> None:
    """``promotion``: the covariates as carrier events before one promotion round; the
    ledger's snapshot at the round holds them (totals and last-12-month counts, which are
    the same here: reported collinear), and its AUCs are the CSV's."""
    csv = pa.read_dataset("promotion")
    source = pa.promotion_ledger(csv, role="eng1", promoted_to="eng2")
    import_ledger(ledger.uow(), source.people, source.events, author="tester")

    found = evidence(ledger.uow(), as_of=source.as_of, since=source.since,
                     horizon=source.horizon)
    prop = found.propensity
    assert found.window == "promotions" and prop.decision_points == 1
    assert prop.snapshots == len(csv) == 1134
    assert prop.positives == int(csv["promoted"].sum())
    collinear = {k for k, v in prop.not_identifiable.items() if v.startswith("collinear")}
    assert len(collinear) == 2  # certifications/_12m and recognitions/_12m: one of each
    direct = _direct_cv(csv[["diverse", "flexible", "store", "year"]].to_numpy(dtype=float),
                        csv["promoted"].to_numpy(dtype=int))
    for name, aucs in direct.items():
        mine = prop.model(name)
        assert mine is not None and mine.auc_mean == pytest.approx(np.mean(aucs), abs=0.01)
    ours = {e.feature: e for e in prop.effects}
    direct_fit = logistic_model().fit(
        csv[["diverse", "flexible", "store", "year"]].to_numpy(dtype=float),
        csv["promoted"].to_numpy())
    assert ours["years_in_level"].odds_ratio_per_unit == pytest.approx(
        float(np.exp(direct_fit.coef_[0][3])), rel=1e-6)
    assert ours["projects_12m"].odds_ratio_per_unit == pytest.approx(
        float(np.exp(direct_fit.coef_[0][2])), rel=1e-6)
