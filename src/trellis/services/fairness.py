"""The use case behind ``trellis fairness`` and the HR fairness page: outcome rates and
impact ratios per group of each HR attribute, and the readiness and propensity scores
audited at equal evidence (trellis.analytics.fairness has the math; docs/fairness.md).

One read: the attributes, the current-state table's employment dates, and the ledger's
light rows of the kinds the outcomes and the evidence counts need. Readiness is the
organization's pipeline (services.readiness.team_readiness), today; propensity is the
evidence's decision-point model's score of each person's profile today, stored
(services.fairness_scores).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from trellis.analytics import evidence as ev
from trellis.analytics import fairness as fa
from trellis.analytics import fairness_outcomes as out
from trellis.domain.events import EventKind
from trellis.domain.ledger_rows import EventRow
from trellis.errors import InvalidEvent, NotFound, Term

from . import clock, org_models
from .fairness_scores import SCORE_MODEL
from .frameworks import version_in_force
from .readiness import team_readiness
from .unit_of_work import UnitOfWork

# The calibration helper's event kind: audited as soon as the ledger knows it.
CALIBRATION = "calibration"
HAS_CALIBRATION = CALIBRATION in {k.value for k in EventKind}
# What the outcomes read: the window's events, and every review (to find the cycles).
WINDOW_KINDS = (EventKind.PROMOTION.value, EventKind.RECOGNITION.value,
                EventKind.COMPENSATION.value)
CYCLE_KINDS = (EventKind.REVIEW.value, *([CALIBRATION] if HAS_CALIBRATION else []))
KINDS = sorted({*WINDOW_KINDS, *CYCLE_KINDS, *(k.value for k in ev.KINDS)})
WINDOW_DAYS = 365


@dataclass(frozen=True, slots=True)
class FairnessReport:
    since: date
    until: date
    as_of: date  # the scores' date (today)
    min_group: int
    attributes: tuple[str, ...]
    cycle: str | None  # the review cycle audited (None: no reviews)
    rating_scale: tuple[int, int] | None
    high_rating: int | None
    outcomes: tuple[fa.Audit, ...]
    scores: tuple[fa.ScoreAudit, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def warnings(self) -> list[str]:
        return [*(w for a in self.outcomes for w in a.warnings),
                *(w for s in self.scores for w in s.warnings)]

    def to_document(self) -> dict[str, Any]:
        return {
            "since": self.since, "until": self.until, "scores_as_of": self.as_of,
            "min_group": self.min_group, "four_fifths": fa.FOUR_FIFTHS,
            "attributes": list(self.attributes), "cycle": self.cycle,
            "rating_scale": list(self.rating_scale) if self.rating_scale else None,
            "high_rating": self.high_rating,
            "outcomes": [_audit_document(a) for a in self.outcomes],
            "scores": [_score_document(s) for s in self.scores],
            "warnings": self.warnings, "notes": list(self.notes),
        }


def _r(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _audit_document(a: fa.Audit) -> dict[str, Any]:
    return {"outcome": a.outcome, "attribute": a.attribute, "population": a.population,
            "unrecorded": a.unrecorded,
            "groups": [{"group": g.group, "people": g.people, "positives": g.positives,
                        "rate": _r(g.rate), "impact_ratio": _r(g.impact_ratio),
                        "status": g.status, "reference": g.reference,
                        "p_value": _r(g.p_value)} for g in a.groups]}


def _score_document(s: fa.ScoreAudit) -> dict[str, Any]:
    return {"score": s.score, "attribute": s.attribute, "people": s.people,
            "strata_used": list(s.strata_used), "covered": s.covered,
            "groups": [{"group": g.group, "people": g.people, "mean": _r(g.mean),
                        "standardized_mean": _r(g.standardized_mean), "ratio": _r(g.ratio),
                        "status": g.status} for g in s.groups]}


def fairness(uow: UnitOfWork, *, attributes: list[str] | None = None,
             cycle: str | None = None, since: date | None = None, until: date | None = None,
             high_rating: int | None = None, min_group: int = fa.MIN_GROUP,
             scores: bool = True) -> FairnessReport:
    """The audit of every outcome (and, with ``scores``, readiness and propensity) for each
    attribute (default: every attribute recorded). The window is [since, until], by default
    the year up to today; ``cycle`` defaults to the newest cycle with reviews."""
    today = clock.today()
    until = until or today
    since = since or until - timedelta(days=WINDOW_DAYS - 1)
    if since > until:
        raise InvalidEvent(f"{{since}} {since} is after {{until}} {until}",
                           since="the start date", until="the end date")
    if min_group < 1:
        raise InvalidEvent("the minimum group size must be at least 1")
    with uow.reading():
        recorded = sorted(uow.attributes.values())
        names = _names(attributes, recorded)
        found = uow.attributes.all(names)
        state = pd.DataFrame(uow.state.rows(columns=["person_id", "hired_on", "departed_on"]),
                             columns=["person_id", "hired_on", "departed_on"])
        rows = [*uow.events.of_kinds(WINDOW_KINDS, between=(since, until)),
                *uow.events.of_kinds(CYCLE_KINDS)]
        career = uow.events.of_kinds(ev.KINDS) if scores else []
        try:
            scale = version_in_force(uow, until).id
            rating = uow.frameworks.catalog[scale].reviews.rating
            rating_scale: tuple[int, int] | None = (rating.min, rating.max)
        except NotFound:
            rating_scale = None
    wide = _wide(found, names)
    by_kind: dict[str, list[EventRow]] = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r)
    notes: list[str] = []
    ids = out.employed(state, since, until)
    audits = [
        *fa.audit_outcome("promoted", out.had_event(by_kind.get("promotion", []), ids, since,
                                                    until), wide, names, min_group),
        *fa.audit_outcome("recognized", out.had_event(by_kind.get("recognition", []), ids,
                                                      since, until), wide, names, min_group),
        *fa.audit_outcome("raised", out.had_event(by_kind.get("compensation", []), ids, since,
                                                  until, out.is_raise), wide, names,
                          min_group),
    ]
    reviews = by_kind.get("review", [])
    cycles = [name for name, _ in out.cycles_of(reviews)]
    if cycle is not None and cycle not in cycles:
        raise NotFound(f"no reviews in cycle '{cycle}'" + (
            f" (cycles with reviews: {', '.join(cycles)})" if cycles else ""))
    chosen = cycle or (cycles[-1] if cycles else None)
    high = None
    ratings = out.cycle_ratings(reviews, chosen) if chosen is not None else None
    if ratings is not None and ratings.empty:
        notes.append(f"no manager review in cycle '{chosen}': ratings are not audited")
    elif chosen is not None and ratings is not None:
        low_end, high_end = rating_scale or (int(ratings.min()), int(ratings.max()))
        high = high_rating if high_rating is not None else out.default_high(low_end, high_end)
        if rating_scale and not low_end <= high <= high_end:
            raise InvalidEvent(f"{{high_rating}} {high} is outside the rating scale "
                               f"{low_end}-{high_end}", high_rating="the high rating")
        audits += fa.audit_outcome(f"rated {high} or above", out.rated_high(ratings, high),
                                   wide, names, min_group)
        if HAS_CALIBRATION:
            audits += fa.audit_outcome("raised in calibration", out.raised_in_calibration(
                by_kind.get(CALIBRATION, []), ratings, chosen), wide, names, min_group)
    else:
        notes.append("no review in the ledger: ratings are not audited")
    score_audits: list[fa.ScoreAudit] = []
    if scores:
        score_audits = _scores(uow, career, today, wide, names, min_group, notes)
    return FairnessReport(since, until, today, min_group, tuple(names), chosen, rating_scale,
                          high, tuple(audits), tuple(score_audits), tuple(notes))


def _names(asked: list[str] | None, recorded: list[str]) -> list[str]:
    if not recorded:
        raise NotFound("no person attributes are recorded: {how}", how=Term(
            "", "set some with `trellis person attribute set` or `trellis person attribute "
            "import`"))
    if not asked:
        return recorded
    names = list(dict.fromkeys(a.strip().lower() for a in asked))
    for name in names:
        if name not in recorded:
            raise NotFound(f"unknown attribute '{name}' (recorded: {', '.join(recorded)})")
    return names


def _wide(found: list[Any], names: list[str]) -> pd.DataFrame:
    """person_id and a column per attribute (missing: NaN)."""
    long = pd.DataFrame([(a.person_id, a.name, a.value) for a in found],
                        columns=["person_id", "name", "value"])
    if long.empty:
        return pd.DataFrame(columns=["person_id", *names])
    wide = long.pivot(index="person_id", columns="name", values="value").reset_index()
    wide.columns.name = None
    return wide


def _scores(uow: UnitOfWork, rows: list[EventRow], today: date, wide: pd.DataFrame,
            names: list[str], min_group: int, notes: list[str]) -> list[fa.ScoreAudit]:
    """Readiness (the pipeline today) and promotion propensity (the evidence model's
    stored scores of each person's profile today), each against micro-progressions in the
    current level."""
    spells = ev.spell_table(rows, today)
    current = spells[~spells["promoted"] & spells["departure_kind"].isna()
                     & (spells["end"] == today)].drop_duplicates("person_id", keep="last")
    evidence = current[list(ev.MICRO)].sum(axis=1).astype(int)
    evidence_of = pd.Series(evidence.to_numpy(), index=current["person_id"].to_numpy())
    out_audits: list[fa.ScoreAudit] = []
    try:
        pipeline = team_readiness(uow)
        ready = pd.DataFrame({"person_id": [e.person.id for e in pipeline.entries],
                              "score": [e.readiness.score for e in pipeline.entries]})
        ready["evidence"] = evidence_of.reindex(ready["person_id"]).fillna(0).to_numpy()
        out_audits += fa.audit_score("readiness", ready, wide, names, min_group)
    except NotFound as exc:
        notes.append(f"readiness is not audited: {exc}")
    fitted = org_models.load(uow, SCORE_MODEL)  # the stored scores: never refitted here
    model = fitted.value
    if model.insufficient is not None:
        notes.append(f"propensity is not audited: {model.insufficient}")
        return out_audits
    notes.append(model.describe())
    if fitted.note() is not None:
        notes.append(f"propensity: {fitted.note()}")
    # the people in a level today (a snapshot) with their evidence in it
    scored = model.scores.merge(pd.DataFrame({"person_id": current["person_id"].to_numpy(),
                                              "evidence": evidence.to_numpy()}),
                                on="person_id", how="inner")
    out_audits += fa.audit_score("propensity", scored, wide, names, min_group)
    return out_audits
