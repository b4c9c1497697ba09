"""The propensity models' matrices and estimators (trellis.analytics.propensity).

The logistic model's design is learned on a training set and applied to any set: medians
and indicators for missing values, the track one-hot against its most common value,
standardized columns, and the columns constant or dependent in that training set left
out. The boosting model takes raw numbers (missing values kept) and category codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from . import identifiability as ident


class Features:
    """The snapshot table's features as arrays, read from the frame once: the numbers and
    category codes in one float matrix (NaN where missing) and each category's text. A
    design is learned on, and applied to, rows of it by index: a fold or a time-ordered
    split never copies the table (a frame's rows held every column again, dates and text
    included)."""

    def __init__(self, frame: pd.DataFrame, numeric: Sequence[str],
                 categorical: Sequence[str]) -> None:
        self.rows = len(frame)
        self.column = {c: j for j, c in enumerate(numeric)}
        self.text = {c: frame[c].astype(str).to_numpy() for c in categorical}
        self.levels = {c: sorted(set(text)) for c, text in self.text.items()}
        # the numbers, then each category's code (its place in ``levels``): the
        # boosting model's matrix as it is
        self.values = np.empty((self.rows, len(self.column) + len(self.text)))
        for c, j in self.column.items():
            self.values[:, j] = frame[c].to_numpy(dtype=float)
        for j, (c, text) in enumerate(self.text.items(), start=len(self.column)):
            codes = {v: i for i, v in enumerate(self.levels[c])}
            self.values[:, j] = [codes[v] for v in text]

    def numbers(self, c: str, rows: np.ndarray | None = None) -> np.ndarray:
        x: np.ndarray = self.values[:, self.column[c]]
        return x if rows is None else x[rows]

    def words(self, c: str, rows: np.ndarray | None = None) -> np.ndarray:
        x: np.ndarray = self.text[c]
        return x if rows is None else x[rows]


Source: TypeAlias = "pd.DataFrame | Features"


def _features(source: Source, numeric: Sequence[str], categorical: Sequence[str]
              ) -> Features:
    return source if isinstance(source, Features) else Features(source, numeric, categorical)


class Design:
    """The logistic model's matrix, learned on a training set and applied to any set:
    medians and indicators for missing values, the track one-hot, standardized columns.
    The set is a frame, or ``rows`` of a ``Features`` (None: all of them)."""

    def __init__(self, source: Source, numeric: Sequence[str],
                 categorical: Sequence[str], with_missing: Sequence[str],
                 rows: np.ndarray | None = None) -> None:
        self.numeric, self.with_missing = list(numeric), list(with_missing)
        self.categorical = list(categorical)
        data = _features(source, self.numeric, self.categorical)
        self.medians: dict[str, float] = {}
        for c in numeric:
            x = data.numbers(c, rows)
            self.medians[c] = float(np.nanmedian(x)) if (~np.isnan(x)).any() else 0.0
        self.levels: dict[str, list[str]] = {}
        for c in categorical:
            counts = pd.Series(data.words(c, rows)).value_counts()
            self.levels[c] = [str(v) for v in sorted(counts.index)
                              if v != counts.index[0]]  # the most common is the reference
        every = np.ones(len(self._names), dtype=bool)
        raw = self._raw(data, rows, every)
        self.mean, self.sd = raw.mean(axis=0), raw.std(axis=0)
        # a column whose every value is 0 or 1 (an indicator: its effect is per unit)
        self.binary = np.array([bool(np.isin(raw[:, j], (0.0, 1.0)).all())
                                for j in range(raw.shape[1])], dtype=bool)
        # A column constant in this training set (no reviews before the cutoff, say), or
        # a combination of others here, would make the fit singular: it is left out.
        self.keep = self.sd > 0
        self.sd[~self.keep] = 1.0
        names = [n for n, k in zip(self._names, self.keep, strict=True) if k]
        raw -= self.mean
        raw /= self.sd
        dependent = ident.collinear(raw if self.keep.all() else raw[:, self.keep], names)
        del raw
        self.keep &= np.array([n not in dependent for n in self._names], dtype=bool)

    def __eq__(self, other: object) -> bool:
        """The same design learned: every column, median, level, mean and sd exactly."""
        if not isinstance(other, Design):
            return NotImplemented
        return (self.numeric, self.with_missing, self.categorical, self.medians,
                self.levels) == (other.numeric, other.with_missing, other.categorical,
                                 other.medians, other.levels) and all(
            np.array_equal(x, y) for x, y in ((self.mean, other.mean), (self.sd, other.sd),
                                              (self.binary, other.binary),
                                              (self.keep, other.keep)))

    __hash__ = None  # type: ignore[assignment]

    @property
    def _names(self) -> list[str]:
        return [*self.numeric, *(f"{c} missing" for c in self.with_missing),
                *(f"{c}={v}" for c, values in self.levels.items() for v in values)]

    @property
    def names(self) -> list[str]:
        return [n for n, k in zip(self._names, self.keep, strict=True) if k]

    def _raw(self, data: Features, rows: np.ndarray | None, columns: np.ndarray
             ) -> np.ndarray:
        """The unscaled columns (those ``columns`` marks), filled into one array."""
        n = data.rows if rows is None else len(rows)
        out = np.empty((n, int(columns.sum())))
        j, k = 0, 0
        for c in self.numeric:
            if columns[k]:
                x = data.numbers(c, rows)
                np.copyto(out[:, j], x)
                out[np.isnan(x), j] = self.medians[c]
                j += 1
            k += 1
        for c in self.with_missing:
            if columns[k]:
                out[:, j] = np.isnan(data.numbers(c, rows))
                j += 1
            k += 1
        for c, values in self.levels.items():
            text = data.words(c, rows)
            for v in values:
                if columns[k]:
                    out[:, j] = text == v
                    j += 1
                k += 1
        return out

    def matrix(self, source: Source, rows: np.ndarray | None = None) -> np.ndarray:
        """The standardized matrix of the kept columns (one array, scaled in place)."""
        data = _features(source, self.numeric, self.categorical)
        scaled = self._raw(data, rows, self.keep)
        scaled -= self.mean[self.keep]
        scaled /= self.sd[self.keep]
        return scaled


class LogisticScorer:
    """The logistic model fitted on every snapshot, kept as numbers: its design (learned on
    those snapshots) and coefficients on the standardized columns. A stored model holds no
    scikit-learn object (services.org_models reads back Trellis, numpy and pandas types
    only), so a person is scored later through the same matrix and linear predictor the
    fit's ``predict_proba`` used."""

    def __init__(self, design: Design, coef: np.ndarray, intercept: float) -> None:
        self.design = design
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = float(intercept)

    def __eq__(self, other: object) -> bool:
        """The same fit: the same design and coefficients, exactly."""
        if not isinstance(other, LogisticScorer):
            return NotImplemented
        return self.design == other.design and self.intercept == other.intercept \
            and np.array_equal(self.coef, other.coef)

    __hash__ = None  # type: ignore[assignment]

    @property
    def columns(self) -> list[str]:
        """The snapshot columns it reads."""
        return [*self.design.numeric, *self.design.categorical]

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The probability of a promotion within the horizon for each snapshot in ``frame``
        (the snapshot table's columns; a track it never saw counts as the reference)."""
        from scipy.special import expit  # type: ignore[import-untyped]

        p: np.ndarray = expit(self.design.matrix(frame) @ self.coef + self.intercept)
        return p


def logistic_model() -> Any:
    """An unpenalized logistic regression fitted to near machine precision by Newton's
    method, so two fits of the same data agree."""
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10, max_iter=200)


def boosting_model(rows: int = 10_000) -> Any:
    """Gradient boosting with small steps and shallow trees whose leaves hold at least
    1/50 of the training rows (10 to 100), a fixed 100 trees: scikit-learn's defaults,
    and early stopping on a random share of rows (the same person on both sides), overfit
    a person's repeated snapshots into overconfident top deciles."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        learning_rate=0.05, max_iter=100, max_depth=3,
        min_samples_leaf=int(min(100, max(10, rows // 50))), l2_regularization=1.0,
        early_stopping=False, random_state=0)


class Boosting:
    """The boosting model on a training set, with the columns it never saw a value of
    (every review after the cutoff, say) held at zero on both sides: scikit-learn cannot
    bin a column of missing values only."""

    def __init__(self, categorical: Sequence[int]) -> None:
        self.categorical = list(categorical)
        self.model: Any = None
        self.empty = np.zeros(0, dtype=bool)

    def fit(self, x: np.ndarray, y: np.ndarray) -> Boosting:
        self.model = boosting_model(len(y))
        if self.categorical:
            self.model.set_params(categorical_features=self.categorical)
        self.empty = np.isnan(x).all(axis=0)
        self.model.fit(self._held(x), y)
        return self

    def _held(self, x: np.ndarray) -> np.ndarray:
        if not self.empty.any():
            return x
        x = x.copy()
        x[:, self.empty] = 0.0
        return x

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p: np.ndarray = self.model.predict_proba(self._held(x))
        return p


def boosting(categorical: Sequence[int]) -> Boosting:
    return Boosting(categorical)


def wald_covariance(z: np.ndarray, p: np.ndarray, chunk: int = 50_000) -> np.ndarray | None:
    """The inverse information matrix of a logistic fit (intercept first); None when it
    is singular to working precision. Summed ``chunk`` rows at a time: the weighted
    design is never held whole beside the design."""
    w = p * (1 - p)
    info = np.zeros((z.shape[1] + 1, z.shape[1] + 1))
    for start in range(0, len(z), chunk):
        x = np.column_stack([np.ones(len(z[start:start + chunk])), z[start:start + chunk]])
        info += x.T @ (x * w[start:start + chunk, None])
    if np.linalg.cond(info) > 1e12:
        return None
    inverse: np.ndarray = np.linalg.inv(info)
    return inverse
