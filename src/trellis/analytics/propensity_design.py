"""The propensity models' matrices and estimators (trellis.analytics.propensity).

The logistic model's design is learned on a training set and applied to any set: medians
and indicators for missing values, the track one-hot against its most common value,
standardized columns, and the columns constant or dependent in that training set left
out. The boosting model takes raw numbers (missing values kept) and category codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import identifiability as ident


class Design:
    """The logistic model's matrix, learned on a training set and applied to any set:
    medians and indicators for missing values, the track one-hot, standardized columns."""

    def __init__(self, frame: pd.DataFrame, numeric: Sequence[str],
                 categorical: Sequence[str], with_missing: Sequence[str]) -> None:
        self.numeric, self.with_missing = list(numeric), list(with_missing)
        self.medians = {c: float(np.nanmedian(frame[c].to_numpy(dtype=float)))
                        if frame[c].notna().any() else 0.0 for c in numeric}
        self.levels: dict[str, list[str]] = {}
        for c in categorical:
            counts = frame[c].astype(str).value_counts()
            self.levels[c] = [str(v) for v in sorted(counts.index)
                              if v != counts.index[0]]  # the most common is the reference
        raw = self._raw(frame)
        self.mean, self.sd = raw.mean(axis=0), raw.std(axis=0)
        # A column constant in this training set (no reviews before the cutoff, say), or
        # a combination of others here, would make the fit singular: it is left out.
        self.keep = self.sd > 0
        self.sd[~self.keep] = 1.0
        names = [n for n, k in zip(self._names, self.keep, strict=True) if k]
        dependent = ident.collinear(((raw - self.mean) / self.sd)[:, self.keep], names)
        self.keep &= np.array([n not in dependent for n in self._names], dtype=bool)

    @property
    def _names(self) -> list[str]:
        return [*self.numeric, *(f"{c} missing" for c in self.with_missing),
                *(f"{c}={v}" for c, values in self.levels.items() for v in values)]

    @property
    def names(self) -> list[str]:
        return [n for n, k in zip(self._names, self.keep, strict=True) if k]

    def _raw(self, frame: pd.DataFrame) -> np.ndarray:
        parts = [frame[c].to_numpy(dtype=float) for c in self.numeric]
        parts = [np.where(np.isnan(x), self.medians[c], x) for c, x in zip(
            self.numeric, parts, strict=True)]
        parts += [frame[c].isna().to_numpy(dtype=float) for c in self.with_missing]
        for c, values in self.levels.items():
            text = frame[c].astype(str).to_numpy()
            parts += [(text == v).astype(float) for v in values]
        return np.column_stack(parts) if parts else np.zeros((len(frame), 0))

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        scaled: np.ndarray = ((self._raw(frame) - self.mean) / self.sd)[:, self.keep]
        return scaled


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


def boosting_matrix(frame: pd.DataFrame, numeric: Sequence[str], categorical: Sequence[str],
                    levels: dict[str, list[str]]) -> np.ndarray:
    """The boosting model's matrix: raw numbers (NaN kept) and category codes."""
    parts = [frame[c].to_numpy(dtype=float) for c in numeric]
    for c in categorical:
        codes = {v: i for i, v in enumerate(levels[c])}
        parts.append(frame[c].astype(str).map(codes).to_numpy(dtype=float))
    matrix: np.ndarray = np.column_stack(parts)
    return matrix


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


def wald_covariance(z: np.ndarray, p: np.ndarray) -> np.ndarray | None:
    """The inverse information matrix of a logistic fit (intercept first); None when it
    is singular to working precision."""
    x = np.column_stack([np.ones(len(z)), z])
    w = p * (1 - p)
    info = x.T @ (x * w[:, None])
    if np.linalg.cond(info) > 1e12:
        return None
    inverse: np.ndarray = np.linalg.inv(info)
    return inverse
