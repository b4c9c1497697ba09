"""Which covariates a model can estimate, and why the others cannot be.

A model asked for a number it cannot know still returns one: an odds ratio of 10^12 for a
feature that separates the outcome, a hazard ratio of millions for a covariate that marks
the pieces ending in an event. These checks run before a fit and name the covariates that
are not identifiable, with the reason in words, so a report says "not identifiable"
instead of a number:

- **constant**: no variation (every value the same, or every value missing);
- **separation**: one threshold puts every promoted snapshot on one side (quasi-complete
  separation): the maximum-likelihood coefficient is infinite;
- **collinear**: a linear combination of the covariates before it;
- after a fit, a coefficient past ``EXTREME_PER_SD`` log-odds (or log-hazard) per standard
  deviation is the mark of separation among several covariates together.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

EXTREME_PER_SD = 10.0  # |coef| x sd past this: e^10 = 22,026 times per sd is separation


def constant(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    return {c: "constant: the same value everywhere" for c in columns
            if frame[c].nunique(dropna=True) <= 1}


def separation(frame: pd.DataFrame, columns: Sequence[str], y: np.ndarray) -> dict[str, str]:
    """Covariates one threshold of which puts every positive (or negative) on one side."""
    out = {}
    positive = y.astype(bool)
    for c in columns:
        x = frame[c].to_numpy(dtype=float)
        seen = ~np.isnan(x)
        pos, neg = x[seen & positive], x[seen & ~positive]
        if len(pos) == 0 or len(neg) == 0:
            continue
        binary = bool(np.isin(x[seen], (0.0, 1.0)).all())
        if binary and pos.max() == 0 and neg.min() == 0:
            out[c] = (f"separates the outcome: no snapshot with {c} was promoted (the odds "
                      "ratio is zero: not identifiable)")
        elif binary and pos.min() == 1 and neg.max() == 1:
            out[c] = (f"separates the outcome: every promoted snapshot has {c} (the odds "
                      "ratio is infinite: not identifiable)")
        elif pos.min() >= neg.max():
            out[c] = (f"separates the outcome: every promoted snapshot has {c} >= "
                      f"{pos.min():g} and none without a promotion is above it "
                      "(the odds ratio is infinite: not identifiable)")
        elif pos.max() <= neg.min():
            out[c] = (f"separates the outcome: every promoted snapshot has {c} <= "
                      f"{pos.max():g} and none without a promotion is below it "
                      "(the odds ratio is zero: not identifiable)")
    return out


def collinear(matrix: np.ndarray, names: Sequence[str]) -> dict[str, str]:
    """Columns of ``matrix`` (standardized, no missing values) that are linear combinations
    of the columns before them: each column is kept when it raises the rank of the
    cross-product of those kept (rank of X'X is the rank of X)."""
    if matrix.shape[1] == 0:
        return {}
    gram = matrix.T @ matrix / max(1, len(matrix))
    kept: list[int] = []
    out = {}
    for i, name in enumerate(names):
        trial = [*kept, i]
        block = gram[np.ix_(trial, trial)]
        if np.linalg.matrix_rank(block, tol=1e-9 * max(1.0, float(np.trace(block)))) \
                == len(trial):
            kept.append(i)
        else:
            out[name] = "collinear: a linear combination of the other features"
    return out


def extreme(coefs: Sequence[float], sds: Sequence[float], names: Sequence[str],
            what: str) -> dict[str, str]:
    """Fitted coefficients so large per sd that they mark separation, not an effect."""
    return {n: f"quasi-separation: {what} of e^{abs(c * s):.0f} per sd (not identifiable)"
            for n, c, s in zip(names, coefs, sds, strict=True)
            if (np.isfinite(c * s) and abs(c * s) > EXTREME_PER_SD) or not np.isfinite(c)}
