"""The evidence page's figures in words: the Cox models' covariates, their hazard ratios
and the sentence under each table (what the evidence document holds as numbers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trellis.analytics.propensity_words import feature_words

SIGNIFICANT = 0.05  # below it an effect is called one; above, "no clear difference"


def covariate_words(name: str) -> str:
    """"skill_steps_per_year" -> "skill steps a year"; "project_leadership_per_year" ->
    "projects led a year"."""
    name = name.replace("project_leadership", "projects_led")
    return feature_words(name.replace("_per_year", " a year"))


def cox_takeaway(model: Mapping[str, Any]) -> str:
    """Which covariates go with a higher or lower rate of the event, with their 95%
    intervals, and which show no clear difference; how well the model ranks spells."""
    event = "promotion" if model["event"] == "promotion" else "voluntary departure"
    clear, unclear = [], []
    for c in model["covariates"]:
        what = covariate_words(c["covariate"])
        if c["p"] is not None and c["p"] < SIGNIFICANT:
            clear.append(f"{what}: each one more goes with {c['hazard_ratio']:.2f} times the "
                         f"{event} rate (95% CI {c['ci_low']:.2f}-{c['ci_high']:.2f})")
        else:
            unclear.append(what)
    said = "; ".join(clear)[:1].upper() + "; ".join(clear)[1:] + "." if clear else \
        f"No covariate goes clearly with the {event} rate."
    if unclear and clear:
        said += f" No clear difference for {', '.join(unclear)} (p ≥ {SIGNIFICANT:g})."
    if model.get("concordance") is not None:
        said += (f" The model ranks spells right {model['concordance']:.0%} of the time "
                 "(50% is chance). These are associations in this organization's history, "
                 "not causes.")
    return said
