"""The use case behind ``trellis evidence``: what the ledger says about how people advance.

One read of the ledger's light rows (hires, promotions, departures and four kinds of
micro-progression, retractions honoured) feeds the survival analyses (see
trellis.analytics.evidence): time in level by micro-progression rate and Cox models of
promotion and departure. The promotion-propensity models (trellis.analytics.propensity)
fold each person's ledger to the organization's decision points. ``evidence_to_document``
is the stable JSON shape (docs/evidence.md). The evidence for today with the default
options is an organization model (services.org_models): fitted once per state of the
ledger, then read; other dates and options are fitted when asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from trellis.analytics import evidence as ev
from trellis.analytics import propensity as pr
from trellis.analytics import propensity_snapshots as ps
from trellis.analytics.propensity_words import effect_words, p_value
from trellis.domain.days import day_term
from trellis.errors import TrellisError

from . import clock, org_models
from .ledger_snapshot import LedgerSnapshot, read_snapshot
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
    propensity: pr.PropensityResult
    window: str = "auto"
    refused: int = 0  # people whose history the fold refuses, left out of the snapshots


def _fit_today(uow: UnitOfWork, params: Mapping[str, Any], ledger: LedgerSnapshot
              ) -> Evidence:
    return fit_evidence(uow, as_of=clock.today(), ledger=ledger)


EVIDENCE = org_models.ModelKind(
    "evidence", 3, _fit_today, ("trellis.analytics.evidence", "trellis.analytics.cox_counting",
                                "trellis.analytics.propensity",
                                "trellis.analytics.propensity_design",
                                "trellis.analytics.propensity_snapshots"),
    description="time in level, Cox models, promotion propensity (evidence, fairness, report)",
    kinds=tuple(sorted({k.value for k in (*ev.KINDS, *ps.DECISION_KINDS)})),
    reads_as="the evidence figures")


def evidence_model(uow: UnitOfWork) -> org_models.Fitted[Evidence]:
    """Today's evidence with the default options, as stored (see services.org_models)."""
    return org_models.load(uow, EVIDENCE)


def evidence(uow: UnitOfWork, *, as_of: date | None = None, since: date | None = None,
             min_months: float = ev.MIN_MONTHS, window: str = "auto",
             horizon: int = ps.HORIZON_MONTHS, split: date | None = None) -> Evidence:
    """Every analysis on the ledger as it stood on ``as_of`` (today when None).

    ``since`` is the first decision point the propensity models may snapshot; ``window``
    chooses the decision points (auto, reviews, promotions or ``Nm``); ``horizon`` the
    months a promotion is looked for after a snapshot; ``split`` the time-ordered check's
    cutoff (default: about the last 30% of snapshots); ``min_months`` the shortest spell
    the survival analyses keep. Today with the defaults reads the stored model.
    """
    if as_of in (None, clock.today()) and since is None and min_months == ev.MIN_MONTHS \
            and window == "auto" and horizon == ps.HORIZON_MONTHS and split is None:
        return evidence_model(uow).value
    return fit_evidence(uow, as_of=as_of, since=since, min_months=min_months,
                        window=window, horizon=horizon, split=split)


def fit_evidence(uow: UnitOfWork, *, as_of: date | None = None, since: date | None = None,
                 min_months: float = ev.MIN_MONTHS, window: str = "auto",
                 horizon: int = ps.HORIZON_MONTHS, split: date | None = None,
                 ledger: LedgerSnapshot | None = None) -> Evidence:
    """The analyses fitted now (``evidence`` reads the stored ones when it can); the light
    rows from ``ledger`` when given (a snapshot of the model's kinds), else from the store."""
    window = ps.parse_window(window)
    if not 1 <= horizon <= 60:
        raise TrellisError(f"{{horizon}} {horizon}: use 1 to 60 months",
                           horizon="the horizon")
    as_of = as_of or clock.today()
    if ledger is None:
        ledger = read_snapshot(uow, EVIDENCE.kinds)
    with uow.reading():
        first = ledger.first_day(ev.KINDS)
        if first is not None and as_of < first:
            raise TrellisError("{at} {on} is before the ledger's first event ({first})",
                               at="the date analysed", on=day_term(as_of),
                               first=day_term(first))
        if since is not None and since > as_of:
            raise TrellisError("{since} {on} is after the date analysed ({at})",
                               since="the start date", on=day_term(since), at=day_term(as_of))
        points = ps.decision_points(ledger.stream(ps.DECISION_KINDS), window, as_of,
                                    horizon, since)
        if split is not None and (not points.days or not
                                  points.days[0] < split <= points.days[-1]):
            span = (f"{points.days[0]} to {points.days[-1]}" if points.days
                    else "there are none")
            raise TrellisError(f"{{split}} {split} is outside the decision points ({span}): "
                               "give a date after the first and up to the last",
                               split="the split date")
        people = ledger.person_ids(ev.KINDS) if points.days else []
        snapshots, refused = ps.snapshots(uow.events.of_people(people, as_of), points,
                                          uow.frameworks.catalog, as_of, horizon)
    every_spell = ev.spell_table_of(ledger.people(ev.KINDS), as_of)
    spells = ev.spell_sample(every_spell, min_months)
    days = ev.EventDays(ledger.people(ev.MICRO.values()), as_of)
    pieces = ev.spell_pieces(spells, days, min_months)
    landmark = ev.landmark_of(min_months)
    return Evidence(
        as_of=as_of, since=since, min_months=min_months, spells=spells,
        snapshots=snapshots,
        time_in_level=ev.time_in_level(spells, ev.landmark_rates(spells, days, landmark),
                                       landmark),
        promotion=ev.cox_model(pieces, "promotion"),
        departure=ev.cox_model(pieces, "departure"),
        propensity=pr.fit_propensity(snapshots, window=points.window,
                                     decision_points=len(points.days), horizon=horizon,
                                     split_on=split),
        window=points.window, refused=len(refused),
    )


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
             "ci_high": _num(h.ci_high), "p": _num(h.p, 6), "p_text": p_value(h.p)}
            for h in result.covariates
        ],
        "dropped": list(result.dropped),
        "not_identifiable": dict(result.not_identifiable),
        "note": result.note,
    }


def evidence_to_document(found: Evidence) -> dict[str, Any]:
    spells = found.spells
    curves = found.time_in_level
    prop = found.propensity
    landmark = ev.landmark_of(found.min_months)
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
            "split": "tertiles of micro-progressions per year in the 12 months before "
                     f"month {landmark:g}" if len(curves) > 1 else "none",
            "landmark_months": landmark,
            "groups": [
                {"group": c.group, "rate_from": _num(c.rate_from, 3),
                 "rate_to": _num(c.rate_to, 3), "spells": c.spells,
                 "promotions": c.promotions,
                 "status": "ok" if c.sufficient else INSUFFICIENT,
                 "median_months": c.median_months,
                 "median_months_ci95": list(c.median_ci),
                 "promoted_by_months": {str(h): v for h, v in c.promoted_by.items()},
                 "promoted_by_months_ci95": {str(h): None if v is None else list(v)
                                             for h, v in c.promoted_by_ci.items()}}
                for c in curves
            ],
        },
        "promotion_model": cox_to_document(found.promotion),
        "departure_model": cox_to_document(found.departure),
        "propensity": propensity_to_document(prop, found.refused),
    }


def propensity_to_document(prop: pr.PropensityResult, refused: int = 0) -> dict[str, Any]:
    doc = prop.to_document()
    doc["status"] = "ok" if prop.sufficient else INSUFFICIENT
    doc["refused_people"] = refused
    for model in doc["models"]:
        for key in ("auc_mean", "auc_sd", "brier"):
            model[key] = _num(model[key])
        model["fold_aucs"] = [_num(a) for a in model["fold_aucs"]]
        for key in ("pooled", "time_ordered"):
            if model[key] is not None:
                model[key] = {k: _num(v) if isinstance(v, float) else v
                              for k, v in model[key].items()}
        model["calibration"] = [{k: _num(v) if isinstance(v, float) else v
                                 for k, v in b.items()} for b in model["calibration"]]
    doc["effects"] = [{**{k: _num(v, 6) if isinstance(v, float) else v
                          for k, v in e.items()}, "p": _p(e["p"]), "p_text": p_value(e["p"]),
                       "in_words": words}
                      for e, words in zip(doc["effects"], (
                          effect_words(x) for x in prop.effects), strict=True)]
    doc["importances"] = [{k: _num(v, 6) if isinstance(v, float) else v
                           for k, v in i.items()} for i in doc["importances"]]
    return doc


def _p(value: float) -> float | None:
    return None if value != value else round(value, 6)  # NaN: not computable
