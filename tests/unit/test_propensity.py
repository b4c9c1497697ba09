"""The propensity models and their guards, each against an independent computation.

Snapshots from hand-built events over the TINY framework (no database); the estimators on
small generated tables, checked against statsmodels (the logistic model's Wald intervals),
scikit-learn's own pieces and lifelines.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime
from itertools import count

import numpy as np
import pandas as pd
import pytest

from conftest import TINY
from trellis.adapters.framework_files import read_framework_file
from trellis.analytics import evidence as ev
from trellis.analytics import identifiability as ident
from trellis.analytics import propensity as pr
from trellis.analytics import propensity_snapshots as ps
from trellis.analytics.propensity_words import effect_words, p_value
from trellis.domain.days import day_words
from trellis.domain.events import (
    Calibration,
    Departure,
    Event,
    GoalOutcome,
    GoalResult,
    Hire,
    ItemRating,
    Promotion,
    Recognition,
    Review,
    SkillStep,
)
from trellis.domain.framework import ReviewForm
from trellis.domain.ledger_rows import EventRow
from trellis.errors import TrellisError

FRAMEWORK, _ = read_framework_file(TINY)
FRAMEWORKS = {1: FRAMEWORK}
AS_OF = date(2024, 12, 31)


class Ledger:
    def __init__(self) -> None:
        self.events: dict[int, list[Event]] = {}
        self._ids = count(1)

    def add(self, person: int, on: str, details: object) -> None:
        self.events.setdefault(person, []).append(Event(
            next(self._ids), person, date.fromisoformat(on), details,  # type: ignore[arg-type]
            datetime(2024, 1, 1), "tester", framework_version=1))

    def rows(self) -> list[EventRow]:
        out = [EventRow(e.id, e.person_id, e.details.kind.value, e.effective_on,
                        {"cycle": getattr(e.details, "cycle", None)})
               for events in self.events.values() for e in events]
        return sorted(out, key=lambda r: (r.effective_on, r.id))


def ledger() -> Ledger:
    out = Ledger()
    # Ada: hire-day baseline coding 1; coding 2 in 2022; a manager review rated 3 that a
    # calibration raised to 4, with a competency rating and two goals; promoted 2023-06-01
    # with a skill step on the promotion day itself.
    out.add(1, "2021-01-15", Hire("eng1"))
    out.add(1, "2021-01-15", SkillStep("coding", 0, 1))
    out.add(1, "2022-03-01", SkillStep("coding", 1, 2))
    out.add(1, "2022-12-10", Review("2022", ReviewForm.MANAGER, 3,
                                    ratings=(ItemRating("coding", 2), ItemRating("mentoring", 1)),
                                    goals=(GoalResult("sales", GoalOutcome.MET, 120.0),
                                           GoalResult("docs", GoalOutcome.PARTLY))))
    out.add(1, "2022-12-20", Calibration("2022", "eng", 3, 4, "strong year"))
    out.add(1, "2023-06-01", Promotion("eng2"))
    out.add(1, "2023-06-01", SkillStep("communication", 0, 1))
    out.add(1, "2023-07-01", Recognition("thanks"))
    # Bob: hired 2022, a self review only, leaves 2023-03-01.
    out.add(2, "2022-02-01", Hire("eng1"))
    out.add(2, "2022-12-05", Review("2022", ReviewForm.SELF, 5))
    out.add(2, "2023-03-01", Departure())
    # Cy: hired in 2023 (after the 2022 cycle), reviewed in the 2023 cycle.
    out.add(3, "2023-01-02", Hire("eng2"))
    out.add(3, "2023-12-15", Review("2023", ReviewForm.MANAGER, 2))
    return out


def test_review_cycles_end_at_their_latest_review_or_calibration() -> None:
    data = ledger()
    points = ps.decision_points(data.rows(), "reviews", AS_OF)
    assert points == ps.DecisionPoints("reviews", (date(2022, 12, 20), date(2023, 12, 15)))
    # the 2023 cycle's horizon (12 months) ends after AS_OF - 1 day: not known yet
    assert ps.decision_points(data.rows(), "reviews", date(2024, 12, 14)).days == (
        date(2022, 12, 20),)
    assert ps.decision_points(data.rows(), "reviews", AS_OF, since=date(2023, 1, 1)).days == (
        date(2023, 12, 15),)
    # auto: two review cycles with a known horizon, so reviews
    assert ps.decision_points(data.rows(), "auto", AS_OF).window == "reviews"


def test_promotion_rounds_and_all_year_promotions() -> None:
    rounds = [EventRow(i, i, "promotion", date(y, m, d), {})
              for i, (y, m, d) in enumerate([(2020, 1, 1), (2020, 1, 9), (2020, 7, 1),
                                             (2021, 1, 1), (2021, 7, 1)])]
    points = ps.decision_points(rounds, "promotions", AS_OF)
    assert points.window == "promotions"
    assert points.days == (date(2019, 12, 31), date(2020, 6, 30), date(2020, 12, 31),
                           date(2021, 6, 30))
    monthly = [EventRow(i, i, "promotion", date(2020 + i // 12, i % 12 + 1, 15), {})
               for i in range(36)]  # every month of 2020-2022
    points = ps.decision_points(monthly, "promotions", date(2023, 12, 31))
    assert points.window == "quarters"
    assert points.days[0] == date(2020, 3, 31) and points.days[-1] == date(2022, 12, 31)
    assert len(points.days) == 12  # never before the first promotion
    every = ps.decision_points(monthly, "6m", date(2023, 12, 31))
    assert every.days == (date(2020, 6, 30), date(2020, 12, 31), date(2021, 6, 30),
                          date(2021, 12, 31), date(2022, 6, 30), date(2022, 12, 31))


@pytest.mark.parametrize("text", ["weekly", "0m", "61m", "m", ""])
def test_an_unknown_window_is_refused_in_one_line(text: str) -> None:
    with pytest.raises(TrellisError) as caught:
        ps.parse_window(text)
    assert str(caught.value).startswith(f"unknown window {text!r}")
    assert caught.value.on_command_line().startswith(f"unknown --window {text!r}")
    assert "\n" not in str(caught.value)
    assert ps.parse_window(" 6M ") == "6m" and ps.parse_window("Reviews") == "reviews"


def test_snapshots_fold_the_ledger_at_each_decision_point() -> None:
    data = ledger()
    points = ps.decision_points(data.rows(), "reviews", AS_OF)
    frame, refused = ps.snapshots(data.events.items(), points, FRAMEWORKS, AS_OF)
    assert not refused
    rows = {(r.person_id, r.on): r for r in frame.itertuples(index=False)}
    assert set(rows) == {(1, date(2022, 12, 20)), (2, date(2022, 12, 20)),
                         (1, date(2023, 12, 15)), (3, date(2023, 12, 15))}
    ada = rows[(1, date(2022, 12, 20))]
    assert ada.rating == 4  # the calibrated rating, not the manager's 3
    assert ada.competency_rating == 1.5 and ada.goals_met == 0.75
    kpis = frame.set_index(["person_id", "on"])["kpi:sales"]
    assert kpis[(1, date(2022, 12, 20))] == 120.0 and math.isnan(kpis[(3, date(2023, 12, 15))])
    assert ada.mastery_steps_12m == 1  # coding 1 -> 2; the hire-day baseline is not progress
    assert ada.promoted and ada.level_rank == 1 and ada.track == "eng"
    assert ada.years_in_level == pytest.approx(ev.months_between(date(2021, 1, 15),
                                                                 date(2022, 12, 20)) / 12)
    # readiness for eng2 (coding 2, communication 1): 2 of 3 nano-steps
    assert ada.coverage == pytest.approx(100 * 2 / 3, abs=0.1)
    after = rows[(1, date(2023, 12, 15))]
    assert after.level_rank == 2 and not after.promoted
    assert after.mastery_steps_12m == 1  # the promotion day's step counts
    assert after.recognitions_12m == 1 and after.recognitions == 1
    bob = rows[(2, date(2022, 12, 20))]
    assert math.isnan(bob.rating)  # a self review is not the rating that counts
    assert not bob.promoted
    cy = rows[(3, date(2023, 12, 15))]
    assert cy.rating == 2 and math.isnan(cy.goals_met)


def test_snapshots_for_a_fitted_model_keep_its_kpi_goals() -> None:
    data = ledger()
    today = ps.DecisionPoints("today", (AS_OF,))
    frame, _ = ps.snapshots(data.events.items(), today, FRAMEWORKS, AS_OF,
                            kpis=["sales", "nps"])
    # Ada's latest manager review (2022) recorded sales; nobody ever recorded an nps
    assert [c for c in frame if c.startswith("kpi:")] == ["kpi:sales", "kpi:nps"]
    sales = frame.set_index("person_id")["kpi:sales"]
    assert sales[1] == 120.0 and math.isnan(sales[3]) and frame["kpi:nps"].isna().all()
    assert set(frame["person_id"]) == {1, 3}  # Bob left in 2023: not in a level today
    assert set(frame["on"]) == {AS_OF} and not frame["promoted"].any()


def test_a_kpi_is_a_feature_when_a_quarter_of_the_snapshots_record_it() -> None:
    nan = math.nan
    frame = pd.DataFrame({"person_id": range(8)})
    kpis = {"revenue": np.array([1e6, *[nan] * 7]),  # large figures, one snapshot in 8
            "nps": np.array([0.1, 0.2, 0.1, *[nan] * 5]),  # small figures, three in 8
            "defects": np.array([nan, 0.0, nan, 0.0, *[nan] * 4])}  # zeros, two in 8
    kept = ps._with_kpis(frame, kpis)
    assert [c for c in kept if c.startswith("kpi:")] == ["kpi:nps", "kpi:defects"]
    np.testing.assert_array_equal(kept["kpi:defects"], kpis["defects"])  # NaN: not recorded


# --- the estimators on generated tables


def table(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rating = rng.integers(1, 6, n).astype(float)
    years = rng.gamma(2.0, 1.0, n)
    track = rng.choice(["eng", "design", "product"], n)
    logit = -3 + 0.8 * rating + 0.3 * years + np.where(track == "design", 0.5, 0.0)
    promoted = rng.random(n) < 1 / (1 + np.exp(-logit))
    return pd.DataFrame({"person_id": np.arange(n) // 2, "on": [date(2020 + i % 4, 12, 31)
                                                                for i in range(n)],
                         "rating": rating, "years_in_level": years, "track": track,
                         "promoted": promoted})


def test_logistic_effects_and_intervals_equal_statsmodels() -> None:
    import statsmodels.api as sm

    frame = table()
    result = pr.fit_propensity(frame, window="reviews", decision_points=4)
    assert result.sufficient and result.snapshots == 400 and result.people == 200
    reference = frame["track"].value_counts().index[0]  # the most common track
    x = pd.DataFrame({"rating": frame["rating"], "years_in_level": frame["years_in_level"],
                      **{f"track={t}": (frame["track"] == t).astype(float)
                         for t in sorted(set(frame["track"]) - {reference})}})
    z = (x - x.mean()) / x.std(ddof=0)
    fit = sm.Logit(frame["promoted"].astype(float), sm.add_constant(z)).fit(disp=0)
    ci = fit.conf_int()
    effects = {e.feature: e for e in result.effects}
    for name in x.columns:
        e = effects[name]
        assert e.odds_ratio_per_sd == pytest.approx(math.exp(fit.params[name]), rel=1e-6)
        assert e.ci_low == pytest.approx(math.exp(ci.loc[name, 0]), rel=1e-5)
        assert e.ci_high == pytest.approx(math.exp(ci.loc[name, 1]), rel=1e-5)
        assert e.p == pytest.approx(fit.pvalues[name], rel=1e-4, abs=1e-12)
        assert e.odds_ratio_per_unit == pytest.approx(
            math.exp(fit.params[name] / x[name].std(ddof=0)), rel=1e-6)
    assert all(effects[c].binary for c in x.columns[2:]) and not effects["rating"].binary
    assert result.effects[0].feature == "rating"  # the largest effect per sd first


def test_cross_validated_auc_equals_scikit_learn_on_the_same_folds() -> None:
    from sklearn.compose import make_column_transformer
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = table()
    result = pr.fit_propensity(frame)
    y = frame["promoted"].to_numpy(dtype=int)
    x = frame[["rating", "years_in_level", "track"]]
    aucs, pooled = [], np.zeros(len(y))
    for train, test in GroupKFold(n_splits=5).split(x, y, frame["person_id"]):
        model = make_pipeline(make_column_transformer(
            (StandardScaler(), ["rating", "years_in_level"]),
            (make_pipeline(OneHotEncoder(drop="first", sparse_output=False),
                           StandardScaler()), ["track"])), pr.logistic_model())
        model.fit(x.iloc[train], y[train])
        pooled[test] = model.predict_proba(x.iloc[test])[:, 1]
        aucs.append(roc_auc_score(y[test], pooled[test]))
    logistic = result.model("logistic")
    assert logistic is not None and logistic.auc_mean is not None
    assert logistic.fold_aucs == pytest.approx(aucs, abs=1e-6)
    assert logistic.auc_sd == pytest.approx(np.std(aucs, ddof=1), abs=1e-6)
    assert logistic.pooled is not None
    assert logistic.pooled.value == pytest.approx(roc_auc_score(y, pooled), abs=1e-6)
    assert logistic.brier == pytest.approx(np.mean((pooled - y) ** 2), abs=1e-8)
    assert sum(b.snapshots for b in logistic.calibration) == 400
    assert logistic.calibration[-1].observed > logistic.calibration[0].observed
    boosting = result.model("gradient_boosting")
    assert boosting is not None and boosting.auc_mean is not None
    assert {i.feature for i in result.importances} == {"rating", "years_in_level", "track"}
    assert result.importances[0].feature == "rating"
    assert all(i.repeats == 15 for i in result.importances)


def test_the_scorer_is_the_logistic_fit_on_every_snapshot() -> None:
    """What the fairness audit scores people with: the fit on every snapshot, as numbers,
    predicts new snapshots as scikit-learn's own pipeline fitted on the same table does
    (an unpenalized fit's probabilities do not depend on how its columns are coded)."""
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = table()
    frame.loc[frame.index % 7 == 0, "rating"] = np.nan  # no review yet: median + indicator
    result = pr.fit_propensity(frame)
    assert result.scorer is not None
    assert result.scorer.columns == ["rating", "years_in_level", "track"]
    model = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                       StandardScaler()), ["rating", "years_in_level"]),
        (make_pipeline(OneHotEncoder(drop="first", sparse_output=False), StandardScaler()),
         ["track"])), pr.logistic_model())
    columns = ["rating", "years_in_level", "track"]
    model.fit(frame[columns], frame["promoted"].to_numpy(dtype=int))
    new = table(50, seed=9)
    new.loc[::5, "rating"] = np.nan
    np.testing.assert_allclose(result.scorer.predict(new),
                               model.predict_proba(new[columns])[:, 1], rtol=1e-7)
    # the scorer is not part of the document, nor of a result's equality
    assert "scorer" not in result.to_document()
    assert replace(result, scorer=None) == result
    # two fits of the same table keep the same scorer, exactly (a refresh pass's model
    # equals the one built alone); another table's differs
    assert pr.fit_propensity(frame).scorer == result.scorer
    assert pr.fit_propensity(table(seed=4)).scorer != result.scorer


def test_the_auc_interval_is_hanley_mcneil() -> None:
    y = np.array([0, 0, 1, 0, 1, 1, 0, 1, 1, 0])
    p = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.9, 0.2, 0.6, 0.3, 0.5])
    a = 0.68  # 17 of the 25 positive-negative pairs are ordered right
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt((a * (1 - a) + 4 * (q1 - a * a) + 4 * (q2 - a * a)) / 25)
    auc = pr.auc_with_interval(y, p)
    assert auc.value == pytest.approx(a)
    assert (auc.low, auc.high) == pytest.approx((a - 1.959964 * se, 1.0))  # capped at 1
    assert (auc.n, auc.positives) == (10, 5)


def test_time_ordered_check_fits_on_the_past_and_scores_the_future() -> None:
    from sklearn.metrics import roc_auc_score

    frame = table()
    result = pr.fit_propensity(frame, horizon=12)
    # 4 decision dates, 100 snapshots each: the last (30% of 400 is 120) is scored; fitted
    # on the snapshots whose 12 months ended by then (the first three)
    assert result.split_on == date(2023, 12, 31)
    assert (result.train_snapshots, result.test_snapshots) == (300, 100)
    train = frame[frame["on"] <= date(2022, 12, 31)]
    test = frame[frame["on"] >= date(2023, 12, 31)]
    d = pr.Design(train, ["rating", "years_in_level"], ["track"], [])
    model = pr.logistic_model().fit(d.matrix(train), train["promoted"].astype(int))
    expected = roc_auc_score(test["promoted"].astype(int),
                             model.predict_proba(d.matrix(test))[:, 1])
    logistic = result.model("logistic")
    assert logistic is not None and logistic.time_ordered is not None
    assert logistic.time_ordered.value == pytest.approx(expected, abs=1e-9)
    assert logistic.time_ordered.n == 100
    assert f"on the snapshots from {day_words(result.split_on)} on" in result.takeaway
    # a plain document (what a cache keeps), through JSON and back, is the same result
    import orjson

    text = orjson.dumps(result.to_document(), option=orjson.OPT_NON_STR_KEYS,
                        default=date.isoformat)
    assert pr.PropensityResult.from_document(orjson.loads(text)) == result


def test_constant_separating_and_collinear_features_are_not_identifiable() -> None:
    frame = table()
    frame["level_rank"] = 2.0
    frame["years_x2"] = frame["years_in_level"] * 2  # collinear with years_in_level
    frame["certifications"] = np.where(frame["promoted"], 1.0, 0.0)  # separates
    from trellis.analytics import propensity_snapshots

    original = propensity_snapshots.NUMERIC
    try:
        propensity_snapshots.NUMERIC = (*original, "years_x2")  # type: ignore[misc]
        result = pr.fit_propensity(frame)
    finally:
        propensity_snapshots.NUMERIC = original  # type: ignore[misc]
    why = result.not_identifiable
    assert why["level_rank"].startswith("constant")
    assert why["certifications"].startswith("separates the outcome")
    assert why["years_x2"].startswith("collinear")
    assert {e.feature for e in result.effects} - {"rating", "years_in_level"} == {
        f"track={t}" for t in set(frame["track"]) - {frame["track"].value_counts().index[0]}}
    # boosting still uses the separating feature, and it ranks perfectly
    boosting = result.model("gradient_boosting")
    assert boosting is not None and boosting.auc_mean == pytest.approx(1.0)


def test_separation_guard() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    frame = pd.DataFrame({"a": [0, 1, 1, 1, 2, 3.0], "b": [1, 0, 1, 0, 1, 0.0]})
    found = ident.separation(frame, ["a", "b"], y)
    assert set(found) == {"a"} and "odds ratio is infinite" in found["a"]


def test_too_little_data_and_p_values_in_words() -> None:
    small = table(n=30)
    small["promoted"] = False
    small.loc[:2, "promoted"] = True
    result = pr.fit_propensity(small)
    assert not result.sufficient and result.snapshots == 30 and result.positives == 3
    assert "insufficient data" in result.notes[0] and "Not enough data" in result.takeaway
    assert p_value(0.0004) == "p < 0.001" and p_value(0.0123) == "p = 0.012"
    assert p_value(0.5) == "p = 0.50"
    document = result.to_document()
    assert document["snapshots"] == 30 and list(document["models"]) == []


def test_snapshot_rows_kept_by_column_make_the_frame_from_records_makes():
    """``RowColumns`` (the snapshots' rows, a list per key) against pandas' own reading of
    the dicts: keys missing from some rows, a key first seen late, None, text, dates,
    booleans, nested dicts, a column that is NaN throughout."""
    import math
    from datetime import date

    import pandas as pd

    from trellis.analytics.record_columns import RowColumns

    rows = [
        {"person_id": 1, "on": date(2024, 1, 1), "x": 1.5, "track": "eng", "_kpis": {},
         "promoted": False, "gone": math.nan},
        {"person_id": 2, "on": date(2024, 4, 1), "x": None, "track": "", "_kpis": {"a": 1},
         "promoted": True, "gone": math.nan},
        {"person_id": 3, "on": date(2024, 7, 1), "track": "ops", "late": 2.0,
         "promoted": False, "gone": math.nan, "_kpis": {}},
        {"person_id": 4, "on": date(2024, 7, 1), "x": 3.0, "track": "eng", "_kpis": {},
         "promoted": False, "gone": math.nan},
    ]
    kept = RowColumns()
    kept.extend(rows[:1])
    kept.extend(rows[1:])
    assert len(kept) == 4
    got, expected = kept.frame(), pd.DataFrame.from_records(rows)
    assert list(got.columns) == list(expected.columns)
    assert got.dtypes.to_dict() == expected.dtypes.to_dict()
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_an_effect_reads_with_two_decimals_and_its_step() -> None:
    # the figures of the demo's evidence page on 3 Dec 2026, which read "each sd (0.776)
    # higher ... 4.685 times per unit"
    effect = pr.Effect("certifications", sd=0.776, odds_ratio_per_sd=3.32, ci_low=0.61,
                       ci_high=18.14, odds_ratio_per_unit=4.685, p=0.17, binary=False, n=118)
    assert effect_words(effect) == (
        "certifications: each 0.78 higher (one standard deviation), 3.32 times the odds "
        "(95% CI 0.61-18.14, p = 0.17, n = 118; each 1 higher, 4.68 times)")
    wide = replace(effect, sd=185.0, odds_ratio_per_sd=1643.0, ci_low=153.0, ci_high=17667.0,
                   odds_ratio_per_unit=1.041, p=0.0001)
    assert effect_words(wide).endswith("p < 0.001, n = 118; each 1 higher, 1.04 times)")
    # the 40-person demo's level rank (26 people, nearly separated), which read "0.00 times
    # the odds (95% CI 0.00-0.03 ..."
    tiny = replace(effect, feature="level_rank", sd=1.6, odds_ratio_per_sd=0.0012,
                   ci_low=0.00004, ci_high=0.03, odds_ratio_per_unit=0.0149, p=0.0002)
    assert effect_words(tiny) == (
        "level rank: each 1.60 higher (one standard deviation), <0.01 times the odds "
        "(95% CI <0.01-0.03, p < 0.001, n = 118; each 1 higher, 0.01 times)")
