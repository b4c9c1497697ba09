"""The fairness audit's promotion-propensity scores: the evidence's decision-point model
applied to each employed person's profile today (docs/fairness.md).

The evidence model (services.evidence; trellis.analytics.propensity on the snapshots of
trellis.analytics.propensity_snapshots) fits its logistic regression on snapshots taken
only at the organization's decision points. That fitted model, kept as its design and
coefficients (``LogisticScorer``: the model whose effects the evidence page reports),
scores one more snapshot of every employed person, taken today by the same code that took
the training snapshots (``snapshots`` at a single decision point, today, with the model's
own KPI goals), so the features it was fitted on and those it scores cannot drift apart.
The boosting model validated beside it is not kept: a stored model holds no scikit-learn
object (services.org_models), and the audit needs a score it can reproduce.

Folding everyone's ledger to today is a fit's work, not a request's: the scores are an
organization model of their own, fitted once per state of the ledger (and day) from the
stored evidence, and read by the audit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from trellis.analytics import propensity as pr
from trellis.analytics import propensity_snapshots as ps

from . import clock, org_models
from .evidence import EVIDENCE
from .ledger_snapshot import LedgerSnapshot
from .unit_of_work import UnitOfWork

TODAY = "today"  # the one decision point of the scored snapshots


@dataclass(frozen=True, slots=True)
class PropensityScores:
    """Each employed person's probability of a promotion within the model's horizon, from
    their snapshot on ``as_of``, and what the model was fitted on."""

    as_of: date
    scores: pd.DataFrame  # person_id, score
    snapshots: int  # the model's: snapshots, people and promoted snapshots
    people: int
    positives: int
    window: str
    decision_points: int
    first: date | None  # the first and last decision point snapshotted
    last: date | None
    horizon_months: int
    auc: float | None  # the logistic model's pooled cross-validated AUC
    time_ordered_auc: float | None
    refused: int = 0  # people whose ledger today's rules refuse: not scored
    insufficient: str | None = None  # why nobody is scored

    def describe(self) -> str:
        """The model in one sentence, for the audit's notes."""
        auc = f"; cross-validated AUC {self.auc:.2f}" if self.auc is not None else ""
        timed = (f", {self.time_ordered_auc:.2f} in time order"
                 if self.time_ordered_auc is not None else "")
        refused = (f"; {self.refused:,} people whose ledger the rules refuse are not scored"
                   if self.refused else "")
        points = (f"at 1 decision point ({self.window}, {self.first})"
                  if self.decision_points == 1 else
                  f"at {self.decision_points} decision points ({self.window}, {self.first} "
                  f"to {self.last})")
        return (f"propensity: the evidence's logistic model of a promotion within "
                f"{self.horizon_months} months, fitted on {self.snapshots:,} snapshots of "
                f"{self.people:,} people {points}{auc}{timed}; each person scored on their "
                f"profile of {self.as_of}{refused}")


def score_today(uow: UnitOfWork, model: pr.PropensityResult, today: date
                ) -> PropensityScores:
    """``model``'s scores of everyone employed on ``today``, each snapshotted on it."""
    base: dict[str, Any] = dict(
        as_of=today, snapshots=model.snapshots, people=model.people,
        positives=model.positives, window=model.window,
        decision_points=model.decision_points, first=model.first, last=model.last,
        horizon_months=model.horizon_months)
    logistic = model.model("logistic")
    base["auc"] = logistic.pooled.value if logistic and logistic.pooled else None
    base["time_ordered_auc"] = (logistic.time_ordered.value
                                if logistic and logistic.time_ordered else None)
    empty = pd.DataFrame({"person_id": pd.Series(dtype=int), "score": pd.Series(dtype=float)})
    scorer = model.scorer
    if not model.sufficient or scorer is None:
        return PropensityScores(scores=empty, **base, insufficient=(
            "the propensity model has insufficient data"
            + (f" ({model.notes[0]})" if model.notes else "")))
    goals = [c.removeprefix("kpi:") for c in scorer.columns if c.startswith("kpi:")]
    with uow.reading():
        employed = [r["person_id"] for r in uow.state.rows(columns=["person_id",
                                                                   "departed_on"])
                    if r["departed_on"] is None or r["departed_on"] > today]
        frame, refused = ps.snapshots(uow.events.of_people(employed, today),
                                      ps.DecisionPoints(TODAY, (today,)),
                                      uow.frameworks.catalog, today, model.horizon_months,
                                      kpis=goals)
    scores = pd.DataFrame({"person_id": frame["person_id"].to_numpy(dtype=int),
                           "score": scorer.predict(frame) if len(frame) else []})
    return PropensityScores(scores=scores, **base, refused=len(refused))


def _fit(uow: UnitOfWork, params: Mapping[str, Any], ledger: LedgerSnapshot
         ) -> PropensityScores:
    found = org_models.load(uow, EVIDENCE)
    if found.stale:  # scores stored as current are a current model's
        found = org_models.build(uow, EVIDENCE)
    return score_today(uow, found.value.propensity, clock.today())


SCORE_MODEL = org_models.ModelKind(
    "fairness_scores", 2, _fit,
    ("trellis.analytics.propensity", "trellis.analytics.propensity_design",
     "trellis.analytics.propensity_snapshots", "trellis.services.fairness_scores"),
    description="the evidence's propensity model's scores of everyone employed, today",
    reads_as="the fairness scores")
