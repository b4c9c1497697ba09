"""Promotion propensity: two models side by side, validated twice, explained in words.

On the snapshots of trellis.analytics.propensity_snapshots, an explainable **logistic
regression** (unpenalized, on standardized features, missing values imputed by the median
with a missing-value indicator, the track one-hot against its most common value) and
scikit-learn's **HistGradientBoostingClassifier** (missing values and the track handled
natively) are each validated

- by **cross-validation grouped by person** (nobody's snapshots on both sides), with the
  out-of-fold predictions' calibration by decile and Brier score, and
- **in time order**: fitted on the snapshots whose horizon ended by a cutoff date and
  scored on those taken from it on (the date is reported), so the check is the one a
  person using the model meets: predicting the next round from the past ones.

Every AUC has its sample and a 95% interval (Hanley and McNeil). The logistic model's
effects are odds ratios per standard deviation (and per unit) with Wald 95% intervals and
p-values, computed from the fit's information matrix; the boosting model's are permutation
importances (the drop in held-out AUC when a feature is shuffled). Covariates that cannot
be estimated (trellis.analytics.identifiability) are reported as such, never as a number.

``fit_propensity`` is a function from the snapshot table and options to a plain result
(dataclasses of numbers, strings and dates) that ``to_document`` turns into JSON.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from . import identifiability as ident
from .evidence import _add_months
from .propensity_design import (
    Boosting,
    Design,
    Features,
    LogisticScorer,
    boosting,
    logistic_model,
    wald_covariance,
)
from .propensity_snapshots import HORIZON_MONTHS, feature_columns

FOLDS = 5
MIN_SNAPSHOTS = 20
MIN_EVENTS = 5  # positives and negatives each, in a fit and in a scored set
TEST_SHARE = 0.3  # the time-ordered check scores about the last 30% of snapshots
Z95 = 1.959963984540054
WIDEST = 1e6  # an odds ratio's 95% interval wider than this factor: not identifiable
IMPORTANCE_ROWS = 2000  # rows of a held-out fold the permutation importance shuffles


@dataclass(frozen=True, slots=True)
class Auc:
    value: float
    low: float
    high: float
    n: int
    positives: int


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    decile: int
    snapshots: int
    predicted: float
    observed: float


@dataclass(frozen=True, slots=True)
class Validation:
    """One model's cross-validated and time-ordered figures."""

    model: str  # logistic | gradient_boosting
    fold_aucs: tuple[float, ...] = ()
    auc_mean: float | None = None
    auc_sd: float | None = None
    pooled: Auc | None = None  # the out-of-fold predictions together
    brier: float | None = None
    calibration: tuple[CalibrationBin, ...] = ()
    time_ordered: Auc | None = None


@dataclass(frozen=True, slots=True)
class Effect:
    """A logistic effect: odds ratio per sd (and per unit) with its 95% interval."""

    feature: str
    sd: float
    odds_ratio_per_sd: float
    ci_low: float
    ci_high: float
    odds_ratio_per_unit: float
    p: float
    binary: bool
    n: int  # snapshots the feature was observed in (not imputed)


@dataclass(frozen=True, slots=True)
class Importance:
    feature: str
    auc_drop: float
    sd: float
    repeats: int


@dataclass(frozen=True, slots=True)
class PropensityResult:
    snapshots: int
    people: int
    positives: int
    sufficient: bool
    window: str = ""
    horizon_months: int = HORIZON_MONTHS
    decision_points: int = 0
    first: date | None = None
    last: date | None = None
    folds: int = 0
    split_on: date | None = None  # the time-ordered cutoff
    train_snapshots: int = 0
    test_snapshots: int = 0
    models: tuple[Validation, ...] = ()
    effects: tuple[Effect, ...] = ()  # largest |log odds ratio per sd| first
    importances: tuple[Importance, ...] = ()
    not_identifiable: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    takeaway: str = ""
    # the logistic model on every snapshot (the one ``effects`` describe), to score people
    # with (the fairness audit); not part of the document
    scorer: LogisticScorer | None = field(default=None, compare=False, repr=False)

    def model(self, name: str) -> Validation | None:
        return next((m for m in self.models if m.model == name), None)

    def to_document(self) -> dict[str, Any]:
        """Plain data (dates stay dates): what a cache stores; ``from_document`` reads it
        (without the scorer)."""
        doc = asdict(replace(self, scorer=None))
        del doc["scorer"]
        return doc

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> PropensityResult:
        def day(value: Any) -> date | None:
            return date.fromisoformat(value) if isinstance(value, str) else value

        def auc(value: dict[str, Any] | None) -> Auc | None:
            return Auc(**value) if value is not None else None

        models = tuple(Validation(
            m["model"], tuple(m["fold_aucs"]), m["auc_mean"], m["auc_sd"], auc(m["pooled"]),
            m["brier"], tuple(CalibrationBin(**b) for b in m["calibration"]),
            auc(m["time_ordered"])) for m in doc["models"])
        plain = {k: v for k, v in doc.items() if k in cls.__dataclass_fields__}
        return cls(**{**plain, "first": day(doc["first"]), "last": day(doc["last"]),
                      "split_on": day(doc["split_on"]), "models": models,
                      "effects": tuple(Effect(**e) for e in doc["effects"]),
                      "importances": tuple(Importance(**i) for i in doc["importances"]),
                      "not_identifiable": dict(doc["not_identifiable"]),
                      "notes": tuple(doc["notes"])})


# --- the fit


def fit_propensity(frame: pd.DataFrame, *, window: str = "", decision_points: int = 0,
                   horizon: int = HORIZON_MONTHS, split_on: date | None = None,
                   folds: int = FOLDS) -> PropensityResult:
    """Both models on the snapshots in ``frame`` (person_id, on, features, promoted)."""
    n = len(frame)
    y = frame["promoted"].to_numpy(dtype=int) if n else np.zeros(0, dtype=int)
    people = int(frame["person_id"].nunique()) if n else 0
    base: dict[str, Any] = dict(snapshots=n, people=people, positives=int(y.sum()),
                                window=window, horizon_months=horizon,
                                decision_points=decision_points,
                                first=min(frame["on"]) if n else None,
                                last=max(frame["on"]) if n else None)
    if n < MIN_SNAPSHOTS or y.sum() < MIN_EVENTS or n - y.sum() < MIN_EVENTS \
            or people < folds:
        return _with_takeaway(PropensityResult(**base, sufficient=False, notes=(
            f"insufficient data: {n} snapshots of {people} people, {int(y.sum())} promoted "
            f"(needs {MIN_SNAPSHOTS} snapshots, {MIN_EVENTS} promoted and {MIN_EVENTS} not, "
            f"and {folds} people)",)))
    numeric, categorical = feature_columns(frame)
    numeric = [c for c in numeric if c in frame]
    blocked = ident.constant(frame, [*numeric, *categorical])
    numeric = [c for c in numeric if c not in blocked]
    categorical = [c for c in categorical if c not in blocked]
    if not numeric and not categorical:
        return _with_takeaway(PropensityResult(**base, sufficient=False,
                                               not_identifiable=blocked,
                                               notes=("no feature varies",)))
    separated = ident.separation(frame, numeric, y)
    linear = [c for c in numeric if c not in separated]
    with_missing = [c for c in linear if frame[c].isna().any()]
    indicators = pd.DataFrame({f"{c} missing": frame[c].isna().astype(float)
                               for c in with_missing})
    separated.update(ident.separation(indicators, list(indicators.columns), y))
    with_missing = [c for c in with_missing if f"{c} missing" not in separated]
    del indicators
    # The features read once into arrays (the boosting model's matrix among them): the
    # folds and the time-ordered split index rows of them, never copies of the frame.
    data = Features(frame, numeric, categorical)
    design = Design(data, linear, categorical, with_missing)
    collinear = {n: "collinear: a linear combination of the other features"
                 for n in design._names if n not in design.names}
    linear = [c for c in linear if c not in collinear]
    with_missing = [c for c in with_missing if f"{c} missing" not in collinear]
    notes: list[str] = []
    blocked_logistic = {**separated, **collinear}

    groups = frame["person_id"].to_numpy()
    days = frame["on"].to_numpy(dtype=object)
    oof = {"logistic": np.full(n, np.nan), "gradient_boosting": np.full(n, np.nan)}
    fold_aucs: dict[str, list[float]] = {"logistic": [], "gradient_boosting": []}
    drops: dict[str, list[float]] = {}
    xb = data.values
    boost_names = [*numeric, *categorical]
    cats = [len(numeric) + i for i in range(len(categorical))]
    from sklearn.model_selection import GroupKFold
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    # One thread: the boosting's OpenMP threads cost more than they save on the few
    # thousand rows of a fold, and far more on a machine whose cores are busy.
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(limits=1):
        warnings.simplefilter("always")
        for train, test in GroupKFold(n_splits=folds).split(xb, y, groups):
            if len(np.unique(y[train])) < 2:
                continue
            d = Design(data, linear, categorical, with_missing, train)
            model = logistic_model().fit(d.matrix(data, train), y[train])
            oof["logistic"][test] = model.predict_proba(d.matrix(data, test))[:, 1]
            del model
            boost = boosting(cats).fit(xb[train], y[train])
            oof["gradient_boosting"][test] = boost.predict_proba(xb[test])[:, 1]
            if len(np.unique(y[test])) == 2:
                for name in oof:
                    fold_aucs[name].append(_auc(y[test], oof[name][test]))
                _permutation(boost, xb[test], y[test], boost_names, drops)
        effects, extreme, scorer = _effects(data, y, linear, categorical, with_missing)
        timed = _time_ordered(data, days, y, split_on, horizon, linear, categorical,
                              with_missing, cats)
    notes += sorted({str(w.message).splitlines()[0] for w in caught})
    blocked_logistic.update(extreme)
    split, train_n, test_n, timed_aucs, why = timed
    if why:
        notes.append(why)
    models = tuple(_validation(name, y, oof[name], fold_aucs[name], timed_aucs.get(name))
                   for name in oof)
    importances = tuple(sorted(
        (Importance(f, float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else 0.0,
                    len(v)) for f, v in drops.items()), key=lambda i: -i.auc_drop))
    result = PropensityResult(
        **base, sufficient=any(m.auc_mean is not None for m in models), folds=folds,
        split_on=split, train_snapshots=train_n, test_snapshots=test_n, models=models,
        effects=tuple(e for e in effects if e.feature not in extreme),
        importances=importances, not_identifiable={**blocked, **blocked_logistic},
        notes=tuple(notes), scorer=scorer)
    return _with_takeaway(result)


def _with_takeaway(result: PropensityResult) -> PropensityResult:
    from .propensity_words import takeaway

    return replace(result, takeaway=takeaway(result))


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, p))


def auc_with_interval(y: np.ndarray, p: np.ndarray) -> Auc:
    """The ROC AUC with the Hanley-McNeil 95% interval."""
    a = _auc(y, p)
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt(max(0.0, (a * (1 - a) + (n1 - 1) * (q1 - a * a)
                             + (n0 - 1) * (q2 - a * a)) / (n1 * n0)))
    return Auc(a, max(0.0, a - Z95 * se), min(1.0, a + Z95 * se), len(y), n1)


def _validation(name: str, y: np.ndarray, predicted: np.ndarray, aucs: list[float],
                timed: Auc | None) -> Validation:
    scored = ~np.isnan(predicted)
    if not aucs or len(np.unique(y[scored])) < 2:
        return Validation(name, time_ordered=timed)
    ys, ps = y[scored], predicted[scored]
    bins = []
    if len(ys) >= 10:
        frame = pd.DataFrame({"p": ps, "y": ys})
        frame["bin"] = pd.qcut(frame["p"].rank(method="first"), 10, labels=False)
        for b, part in frame.groupby("bin"):
            bins.append(CalibrationBin(int(b) + 1, len(part), float(part["p"].mean()),
                                       float(part["y"].mean())))
    return Validation(name, tuple(aucs), float(np.mean(aucs)),
                      float(np.std(aucs, ddof=1)) if len(aucs) > 1 else None,
                      auc_with_interval(ys, ps), float(np.mean((ps - ys) ** 2)),
                      tuple(bins), timed)


def _permutation(model: Boosting, x: np.ndarray, y: np.ndarray, names: Sequence[str],
                 drops: dict[str, list[float]]) -> None:
    from sklearn.inspection import permutation_importance

    if len(y) > IMPORTANCE_ROWS:
        keep = np.random.default_rng(0).choice(len(y), IMPORTANCE_ROWS, replace=False)
        x, y = x[keep], y[keep]
        if len(np.unique(y)) < 2:
            return
    found = permutation_importance(model.model, model._held(x), y, scoring="roc_auc",
                                   n_repeats=3,
                                   random_state=0)
    for name, values in zip(names, found.importances, strict=True):
        drops.setdefault(name, []).extend(float(v) for v in values)


def _effects(data: Features, y: np.ndarray, numeric: Sequence[str],
             categorical: Sequence[str], with_missing: Sequence[str]
             ) -> tuple[list[Effect], dict[str, str], LogisticScorer]:
    """The logistic model on every snapshot: odds ratios with Wald intervals, and the
    model itself as a scorer."""
    design = Design(data, numeric, categorical, with_missing)
    z = design.matrix(data)
    model = logistic_model().fit(z, y)
    beta = model.coef_[0]
    scorer = LogisticScorer(design, beta.copy(), float(model.intercept_[0]))
    extreme = ident.extreme(beta, np.ones_like(beta), design.names, "an odds ratio")
    cov = wald_covariance(z, model.predict_proba(z)[:, 1])
    del z, model
    se = np.sqrt(np.diag(cov))[1:] if cov is not None else np.full(len(beta), np.nan)
    observed = {c: int((~np.isnan(data.numbers(c))).sum()) for c in numeric}
    binaries = design.binary[design.keep]
    sds = design.sd[design.keep]
    out = []
    for i, name in enumerate(design.names):
        b, s, sd = float(beta[i]), float(se[i]), float(sds[i])
        binary = bool(binaries[i])
        p = math.erfc(abs(b / s) / math.sqrt(2)) if s > 0 and math.isfinite(s) else math.nan
        out.append(Effect(name, sd, _exp(b), _exp(b - Z95 * s), _exp(b + Z95 * s),
                          _exp(b / sd), p, binary, observed.get(name, data.rows)))
    for e in out:  # an interval this wide is a likelihood with no maximum (separation)
        if e.ci_low <= 0 or not math.isfinite(e.ci_high) or e.ci_high / e.ci_low > WIDEST:
            extreme[e.feature] = (f"quasi-separation: the 95% interval of its odds ratio runs "
                                  f"from {e.ci_low:.3g} to {e.ci_high:.3g} (not identifiable)")
    if cov is None:
        extreme.update({n: "not identifiable: the information matrix is singular"
                        for n in design.names})
    out.sort(key=lambda e: -abs(math.log(e.odds_ratio_per_sd))
             if e.odds_ratio_per_sd > 0 and math.isfinite(e.odds_ratio_per_sd) else 0)
    return out, extreme, scorer


def _exp(x: float) -> float:
    return math.exp(x) if x < 700 else math.inf


def _time_ordered(data: Features, on: np.ndarray, y: np.ndarray, split_on: date | None,
                  horizon: int, linear: Sequence[str], categorical: Sequence[str],
                  with_missing: Sequence[str], cats: Sequence[int]
                  ) -> tuple[date | None, int, int, dict[str, Auc], str | None]:
    """Fit on the snapshots whose horizon ended by the cutoff, score those from it on
    (``on``: each snapshot's date)."""
    days = sorted(set(on))
    if len(days) < 2:
        return None, 0, 0, {}, (f"time-ordered check: not possible with one decision point "
                                f"({days[0]}): it fits on earlier rounds and scores later ones")
    if split_on is None:
        counts = pd.Series(on).value_counts()
        later = 0
        for d in reversed(days):
            if later + counts[d] > TEST_SHARE * len(on) and later:
                break
            later += counts[d]
            split_on = d
    assert split_on is not None
    ends = np.array([_add_months(d, horizon) <= split_on for d in on], dtype=bool)
    after = np.array([d >= split_on for d in on], dtype=bool)
    train_n, test_n = int(ends.sum()), int(after.sum())
    why = None
    for name, mask in (("fitted", ends), ("scored", after)):
        k = int(y[mask].sum())
        if k < MIN_EVENTS or mask.sum() - k < MIN_EVENTS:
            why = (f"time-ordered check: insufficient data ({mask.sum()} snapshots {name}, "
                   f"{k} promoted, around {split_on}; it needs decision points whose "
                   f"{horizon} months ended before others)")
    if why:
        return split_on, train_n, test_n, {}, why
    train, test = np.flatnonzero(ends), np.flatnonzero(after)
    d = Design(data, linear, categorical, with_missing, train)
    out = {"logistic": auc_with_interval(y[after], logistic_model().fit(
        d.matrix(data, train), y[ends]).predict_proba(d.matrix(data, test))[:, 1])}
    xb = data.values
    boost = boosting(cats).fit(xb[ends], y[ends])
    out["gradient_boosting"] = auc_with_interval(y[after], boost.predict_proba(xb[after])[:, 1])
    return split_on, train_n, test_n, out, None
