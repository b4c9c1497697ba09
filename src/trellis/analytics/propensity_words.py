"""The propensity model's figures in words: p-values, effects and the one-line takeaway."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from trellis.domain.days import day_words

if TYPE_CHECKING:
    from .propensity import Effect, PropensityResult

NAMES = {"logistic": "logistic regression", "gradient_boosting": "gradient boosting"}
SAME_AUC = 0.01  # AUCs closer than this: the models rank people alike


def p_value(p: float) -> str:
    """``p < 0.001`` below a thousandth, else two significant figures."""
    if not math.isfinite(p):
        return "p unknown"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2g}" if p < 0.1 else f"p = {p:.2f}"


def feature_words(name: str) -> str:
    if name.endswith(" missing"):
        return f"having no {feature_words(name.removesuffix(' missing'))}"
    if name.startswith("kpi:"):
        return f"the KPI '{name[4:]}'"
    if "=" in name:
        column, value = name.split("=", 1)
        return f"{column} {value}"
    return name.replace("_12m", " in the last 12 months").replace("_", " ")


def effect_words(e: Effect) -> str:
    """An odds ratio with its interval and p-value, per unit for a yes/no feature and per
    standard deviation otherwise."""
    if e.binary:
        unit = e.odds_ratio_per_unit
        low, high = (e.ci_low ** (1 / e.sd), e.ci_high ** (1 / e.sd)) if e.sd else (
            math.nan, math.nan)
        return (f"{feature_words(e.feature)}: {_times(unit)} the odds (95% CI "
                f"{_num(low)}-{_num(high)}, {p_value(e.p)}, n = {e.n:,})")
    # two decimals throughout, as pages write figures: the standard deviation says how big
    # a step the odds ratio is for, the per-one figure follows from it
    return (f"{feature_words(e.feature)}: each {_num(e.sd)} higher (one standard "
            f"deviation), {_times(e.odds_ratio_per_sd)} the odds (95% CI {_num(e.ci_low)}-"
            f"{_num(e.ci_high)}, {p_value(e.p)}, n = {e.n:,}; each 1 higher, "
            f"{_times(e.odds_ratio_per_unit)})")


def _times(x: float) -> str:
    return f"{_num(x)} times" if math.isfinite(x) else "infinitely many times"


def _num(x: float) -> str:
    if not math.isfinite(x):
        return "inf"
    if x < 0.005:  # a near-separated fit on few people: "0.00 times the odds" reads as none
        return "<0.01"
    return f"{x:,.0f}" if x >= 100 else f"{x:.2f}"


def takeaway(r: PropensityResult) -> str:
    """One sentence: which model ranks better and by how much, and the strongest effect."""
    if not r.sufficient:
        return (f"Not enough data to model promotion: {r.snapshots:,} snapshots of "
                f"{r.people:,} people, {r.positives:,} promoted.")
    scored = [m for m in r.models if m.pooled is not None and m.auc_mean is not None]
    best = max(scored, key=lambda m: m.auc_mean or 0.0)
    other = next((m for m in scored if m is not best), None)
    assert best.auc_mean is not None
    text = (f"On {r.snapshots:,} snapshots of {r.people:,} people ({r.positives:,} promoted "
            f"within {r.horizon_months} months), ")
    if other is not None and other.auc_mean is not None \
            and best.auc_mean - other.auc_mean >= SAME_AUC:
        text += (f"{NAMES[best.model]} ranks who is promoted better than "
                 f"{NAMES[other.model]} (cross-validated AUC {best.auc_mean:.2f} against "
                 f"{other.auc_mean:.2f})")
    else:
        text += (f"both models rank who is promoted alike (cross-validated AUC "
                 f"{best.auc_mean:.2f})")
    timed = best.time_ordered
    if timed is not None and r.split_on is not None:
        text += f", {timed.value:.2f} on the snapshots from {day_words(r.split_on)} on"
    significant = [e for e in r.effects if math.isfinite(e.p) and e.p < 0.05]
    if significant:
        e = significant[0]
        text += f"; the strongest signal is {effect_words(e)}"
    else:
        text += "; no feature's effect is clear of its uncertainty"
    return text + "."
