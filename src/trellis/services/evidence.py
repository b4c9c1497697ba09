"""The use case behind ``trellis evidence``: what the ledger says about how people advance.

One read of the ledger (hires, promotions, departures and four kinds of micro-progression,
retractions honoured) feeds three analyses (see trellis.analytics.evidence): time in level
by micro-progression rate, Cox models of promotion and departure, and a promotion
propensity model. ``evidence_to_document`` is the stable JSON shape (docs/evidence.md).
The evidence for today with the default options is an organization model
(services.org_models): fitted once per state of the ledger, then read; other dates and
options are fitted when asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from trellis.analytics import evidence as ev

from . import clock, org_models
from .frameworks import ACTIVE
from .unit_of_work import UnitOfWork

INSUFFICIENT = "insufficient data"


@dataclass(frozen=True, slots=True)
class Evidence:
    as_of: date
    since: date | None
    min_months: float
    spells: pd.DataFrame  # the spells of at least min_months
    snapshots: pd.DataFrame
    time_in_level: list[ev.Curve]
    promotion: ev.CoxResult
    departure: ev.CoxResult
    propensity: ev.PropensityResult


def _fit_today(uow: UnitOfWork, params: Mapping[str, Any]) -> Evidence:
    return fit_evidence(uow, as_of=clock.today())


EVIDENCE = org_models.ModelKind(
    "evidence", 1, _fit_today, ("trellis.analytics.evidence",),
    description="time in level, Cox models, promotion propensity (evidence, fairness, report)")


def evidence_model(uow: UnitOfWork) -> org_models.Fitted[Evidence]:
    """Today's evidence with the default options, as stored (see services.org_models)."""
    return org_models.load(uow, EVIDENCE)


def evidence(uow: UnitOfWork, *, as_of: date | None = None, since: date | None = None,
             min_months: float = ev.MIN_MONTHS) -> Evidence:
    """Every analysis on the ledger as it stood on ``as_of`` (today when None).

    ``since`` is the first quarter of the propensity model's snapshots (default: the
    first hire); ``min_months`` the shortest spell the survival analyses keep. Today with
    the defaults reads the stored model.
    """
    if as_of in (None, clock.today()) and since is None and min_months == ev.MIN_MONTHS:
        return evidence_model(uow).value
    return fit_evidence(uow, as_of=as_of, since=since, min_months=min_months)


def fit_evidence(uow: UnitOfWork, *, as_of: date | None = None, since: date | None = None,
                 min_months: float = ev.MIN_MONTHS) -> Evidence:
    """The analyses fitted now (``evidence`` reads the stored ones when it can)."""
    as_of = as_of or clock.today()
    with uow.reading():
        rows = uow.events.of_kinds(ev.KINDS)
        rank_of = _ranks(uow)
    every_spell = ev.spell_table(rows, as_of)
    spells = ev.spell_sample(every_spell, min_months)
    snapshots = ev.snapshot_table(rows, every_spell, as_of, since, rank_of)
    return Evidence(
        as_of=as_of, since=since, min_months=min_months, spells=spells,
        snapshots=snapshots,
        time_in_level=ev.time_in_level(spells),
        promotion=ev.cox_model(spells, "promotion"),
        departure=ev.cox_model(spells, "departure"),
        propensity=ev.propensity_model(snapshots),
    )


def _ranks(uow: UnitOfWork) -> dict[str, int]:
    """Each role's level rank in every version of the active framework (the newest wins)."""
    key = uow.frameworks.get_meta(ACTIVE)
    ranks: dict[str, int] = {}
    for version in uow.frameworks.versions(key) if key else []:
        framework = uow.frameworks.catalog[version.id]
        ranks.update({role: framework.rank_of(role) for role in framework.roles})
    return ranks


def _num(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def cox_to_document(result: ev.CoxResult) -> dict[str, Any]:
    return {
        "event": result.event,
        "spells": result.spells,
        "events": result.events,
        "status": "ok" if result.sufficient else INSUFFICIENT,
        "concordance": _num(result.concordance),
        "covariates": [
            {"covariate": h.covariate, "coef": _num(h.coef, 6),
             "hazard_ratio": _num(h.hazard_ratio), "ci_low": _num(h.ci_low),
             "ci_high": _num(h.ci_high), "p": _num(h.p, 6)}
            for h in result.covariates
        ],
        "dropped": list(result.dropped),
        "note": result.note,
    }


def evidence_to_document(found: Evidence) -> dict[str, Any]:
    spells = found.spells
    curves = found.time_in_level
    prop = found.propensity
    return {
        "as_of": found.as_of,
        "since": found.since,
        "min_months": found.min_months,
        "spells": {
            "count": len(spells),
            "people": int(spells["person_id"].nunique()) if len(spells) else 0,
            "promotions": int(spells["promoted"].sum()) if len(spells) else 0,
            "voluntary_departures": int(spells["departed"].sum()) if len(spells) else 0,
            "other_departures": int((spells["departure_kind"].notna()
                                     & ~spells["departed"]).sum()) if len(spells) else 0,
            "censored": int((~spells["promoted"] & spells["departure_kind"].isna()).sum())
            if len(spells) else 0,
        },
        "time_in_level": {
            "split": "tertiles of micro-progressions per year" if len(curves) > 1 else "none",
            "groups": [
                {"group": c.group, "rate_from": _num(c.rate_from, 3),
                 "rate_to": _num(c.rate_to, 3), "spells": c.spells,
                 "promotions": c.promotions,
                 "status": "ok" if c.sufficient else INSUFFICIENT,
                 "median_months": c.median_months,
                 "promoted_by_months": {str(h): v for h, v in c.promoted_by.items()}}
                for c in curves
            ],
        },
        "promotion_model": cox_to_document(found.promotion),
        "departure_model": cox_to_document(found.departure),
        "propensity": {
            "snapshots": prop.snapshots,
            "people": prop.people,
            "positives": prop.positives,
            "status": "ok" if prop.sufficient else INSUFFICIENT,
            "folds": prop.folds,
            "auc_mean": _num(prop.auc_mean),
            "auc_sd": _num(prop.auc_sd),
            "fold_aucs": [_num(a) for a in prop.fold_aucs],
            "calibration": [
                {"decile": b.decile, "snapshots": b.snapshots,
                 "predicted": _num(b.predicted), "observed": _num(b.observed)}
                for b in prop.calibration
            ],
            "features": [
                {"feature": f.name, "coef": _num(f.coef, 6),
                 "standardized_coef": _num(f.standardized_coef, 6),
                 "odds_ratio_per_sd": _num(f.odds_ratio_per_sd)}
                for f in prop.features
            ],
            "intercept": _num(prop.intercept, 6),
            "dropped": list(prop.dropped),
            "note": prop.note,
        },
    }
