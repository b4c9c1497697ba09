"""The promotion-propensity model's data: snapshots of people at decision points.

A promotion is decided at particular moments: a promotion round, the end of a review
cycle. A snapshot is taken only there, never at every quarter since the first hire:

- ``reviews``: one decision point per review cycle, at the end of the day of its latest
  review or calibration event (the cycle's ratings are all in);
- ``promotions``: the organization's promotion rounds, the day before the first promotion
  of each calendar month that holds promotions, when the organization promotes in rounds
  (at most ``ROUNDS_PER_YEAR`` such months a year); an organization that promotes all year
  round gets the last day of each quarter from its first promotion on;
- ``Nm`` (``3m``, ``6m``, ``12m``): every N months back from the last day whose horizon
  is known, to its first promotion or review;
- ``auto``: ``reviews`` when the ledger has at least two review cycles with a known
  horizon (so a time-ordered check is possible), else whichever of ``reviews`` and
  ``promotions`` has more decision points with a known horizon.

A snapshot at the end of day ``d`` sees the person's ledger up to and including ``d``
(the fold of trellis.domain.profile, so calibrated ratings, verification, criteria and
retractions count as everywhere); its label is a promotion in the ``horizon`` months after
``d``; a decision point whose horizon runs past ``as_of`` is left out (its label is not
known yet). Features:

- the latest manager review's overall rating (the calibrated one when a calibration
  changed it), the mean of its competency and criterion ratings, the share of its goals met
  (partly counts a half), and its KPI figures (``kpi:GOAL``) for goals recorded with a
  figure in at least a quarter of the snapshots (at most ``MAX_KPIS``);
- coverage of the next role's expectations and criteria and the readiness score
  (trellis.domain.readiness; empty at the top of a track);
- micro-progressions in the last ``WINDOW_MONTHS`` months: mastery steps reached (the net
  rise of mastery, so re-recording a level counts nothing), criteria met, certifications,
  recognitions, projects led. Events on a promotion day count; the hire day is the
  baseline the person arrived with (skills assessed on joining are not progress);
- years in level, level rank, track, recognitions and certifications so far, and the
  latest check-in's engagement.

Missing values (no review yet, top of track) stay NaN: the models handle them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from trellis.domain.criteria import met_on
from trellis.domain.events import Event, EventKind, GoalOutcome
from trellis.domain.framework import Framework, ReviewForm
from trellis.domain.ledger_rows import EventRow
from trellis.domain.profile import LayerStep, Profile, ProfileBuilder, live_events, order
from trellis.domain.readiness import assess
from trellis.errors import LedgerRuleBroken, TrellisError

from .evidence import _add_months, months_between
from .record_columns import RowColumns

WINDOWS = ("auto", "reviews", "promotions")
WINDOW_MONTHS = 12
HORIZON_MONTHS = 12
ROUNDS_PER_YEAR = 4  # more promotion months a year than this: promotions run all year
KPI_SHARE = 0.25
MAX_KPIS = 5
DECISION_KINDS = (EventKind.PROMOTION, EventKind.REVIEW, EventKind.CALIBRATION)

NUMERIC = ("rating", "competency_rating", "goals_met", "coverage", "readiness",
           "mastery_steps_12m", "criteria_12m", "certifications_12m", "recognitions_12m",
           "projects_12m", "years_in_level", "level_rank", "recognitions", "certifications",
           "engagement")
CATEGORICAL = ("track",)
KPI = "_kpi:"  # a snapshot's KPI figure, by goal, until ``_with_kpis`` keeps the common ones
GOAL_CREDIT = {GoalOutcome.MET: 1.0, GoalOutcome.PARTLY: 0.5, GoalOutcome.NOT: 0.0}


@dataclass(frozen=True, slots=True)
class DecisionPoints:
    """Where snapshots are taken, and which rule chose them."""

    window: str  # reviews | promotions | quarters | Nm
    days: tuple[date, ...]


def parse_window(text: str) -> str:
    """``auto``, ``reviews``, ``promotions`` or a number of months (``6m``)."""
    word = text.strip().lower()
    if word in WINDOWS:
        return word
    months = word.removesuffix("m")
    if months.isdigit() and 1 <= int(months) <= 60:
        return f"{int(months)}m"
    raise TrellisError(f"unknown {{window}} {text!r}: use auto, reviews, promotions or a "
                       "number of months from 1m to 60m", window="window")


def decision_points(rows: Iterable[EventRow], window: str, as_of: date,
                    horizon: int = HORIZON_MONTHS, since: date | None = None
                    ) -> DecisionPoints:
    """The decision points of ``rows`` (promotion, review and calibration light rows)
    whose ``horizon`` months are known by ``as_of``, from ``since`` on."""
    promotions: list[date] = []
    cycles: dict[str, date] = {}
    for row in rows:
        if row.effective_on > as_of:
            continue
        if row.kind == EventKind.PROMOTION.value:
            promotions.append(row.effective_on)
        elif row.kind in (EventKind.REVIEW.value, EventKind.CALIBRATION.value):
            cycle = str(row.details.get("cycle"))
            cycles[cycle] = max(cycles.get(cycle, row.effective_on), row.effective_on)
    last = _add_months(as_of, -horizon)
    reviews = sorted(set(cycles.values()))
    known = sum(d <= last for d in reviews)
    if window == "auto" and known < 2:
        rounds = _promotion_rounds(promotions, last)
        window = "promotions" if sum(d <= last for d in rounds[1]) > known else "reviews"
    elif window == "auto":
        window = "reviews"
    if window == "reviews":
        name, days = window, reviews
    elif window == "promotions":
        name, days = _promotion_rounds(promotions, last)
    else:
        starts = [*promotions, *reviews]
        first = min(starts, default=last)
        step = int(window.removesuffix("m"))
        days, day, k = [], last, 0
        while day >= first:
            days.append(day)
            k += 1
            day = _add_months(last, -step * k)
        name = window
    kept = tuple(sorted(d for d in set(days) if d <= last and (since is None or d >= since)))
    return DecisionPoints(name, kept)


def _promotion_rounds(promotions: Sequence[date], last: date) -> tuple[str, list[date]]:
    if not promotions:
        return "promotions", []
    months = sorted({(d.year, d.month) for d in promotions})
    years = max(1.0, (months[-1][0] * 12 + months[-1][1] - months[0][0] * 12
                      - months[0][1] + 1) / 12)
    if len(months) / years <= ROUNDS_PER_YEAR:
        first_of = {m: min(d for d in promotions if (d.year, d.month) == m) for m in months}
        return "promotions", [d - timedelta(days=1) for d in first_of.values()]
    first = min(promotions)
    quarter_ends = []
    month = ((first.month - 1) // 3) * 3 + 3  # the end of the first promotion's quarter
    day = _add_months(date(first.year, month, 1), 1) - timedelta(days=1)
    while day <= last:
        quarter_ends.append(day)
        day = _add_months(day + timedelta(days=1), 3) - timedelta(days=1)
    return "quarters", quarter_ends


# --- snapshots


def snapshots(people: Iterable[tuple[int, Sequence[Event]]], points: DecisionPoints,
              frameworks: Mapping[int, Framework], as_of: date,
              horizon: int = HORIZON_MONTHS, kpis: Sequence[str] | None = None
              ) -> tuple[pd.DataFrame, dict[int, str]]:
    """A row per person in a level at each decision point; returns the table and the
    people whose history the fold refuses (left out, with the reason). ``kpis``: the goals
    whose figures are features (a fitted model's, to score snapshots it never saw), instead
    of those recorded in a quarter of these snapshots."""
    records = RowColumns()
    refused: dict[int, str] = {}
    for person_id, events in people:
        try:
            records.extend(_person(person_id, events, points.days, frameworks, as_of, horizon))
        except LedgerRuleBroken as exc:
            refused[person_id] = str(exc)
    figures = {name.removeprefix(KPI): np.array(column, dtype=float)
               for name, column in records.pop_columns(KPI).items()}
    frame = records.frame() if len(records) else pd.DataFrame(
        columns=["person_id", "on", *NUMERIC, *CATEGORICAL, "promoted"])
    return _with_kpis(frame, figures, kpis), refused


def _person(person_id: int, events: Sequence[Event], days: Sequence[date],
            frameworks: Mapping[int, Framework], as_of: date, horizon: int
            ) -> list[dict[str, object]]:
    ordered = [e for e in order(live_events(events)) if e.effective_on <= as_of]
    if not ordered or not days:
        return []
    promotions = [e.effective_on for e in ordered if e.kind is EventKind.PROMOTION]
    recognitions = [e.effective_on for e in ordered if e.kind is EventKind.RECOGNITION]
    builder = ProfileBuilder(person_id, frameworks)
    out = []
    i = 0
    for d in days:
        while i < len(ordered) and ordered[i].effective_on <= d:
            builder.apply(ordered[i])
            i += 1
        if builder.hired_on is None or builder.hired_on >= d or builder.role is None \
                or builder.departed_on is not None:
            continue
        profile = builder.snapshot(d)
        end = _add_months(d, horizon)
        row = _features(profile, frameworks, recognitions)
        row.update(person_id=person_id, on=d,
                   promoted=any(d < p <= end for p in promotions))
        out.append(row)
    return out


def _features(p: Profile, frameworks: Mapping[int, Framework],
              recognitions: Sequence[date]) -> dict[str, object]:
    assert p.role is not None and p.hired_on is not None and p.role_since is not None
    framework = frameworks[p.framework_version] if p.framework_version is not None else None
    d = p.as_of
    # the window: the last WINDOW_MONTHS months, never before the end of the hire day
    start = max(_add_months(d, -WINDOW_MONTHS), p.hired_on)
    row: dict[str, object] = {
        "years_in_level": months_between(p.role_since, d) / 12.0,
        "level_rank": float(p.level_rank) if p.level_rank is not None else math.nan,
        "track": p.track or "",
        "recognitions": float(p.recognitions.count),
        "certifications": float(len(p.certifications)),
        "engagement": float(p.engagement) if p.engagement is not None else math.nan,
        "mastery_steps_12m": float(sum(_mastery_on(layer.steps, d) - _mastery_on(
            layer.steps, start) for layer in p.mastery.values())),
        "certifications_12m": float(sum(start < m.on <= d for m in p.certifications)),
        "projects_12m": float(sum(start < m.on <= d for m in p.projects)),
        "recognitions_12m": float(sum(start < r <= d for r in recognitions)),
        "criteria_12m": math.nan, "coverage": math.nan, "readiness": math.nan,
    }
    row.update(_review_features(p))
    if framework is not None and p.role in framework.roles:
        if framework.criteria:
            policy = framework.criteria_policy
            met = (met_on(record, framework.criteria[c], policy)
                   for c, record in p.criteria.items() if c in framework.criteria)
            row["criteria_12m"] = float(sum(1 for m in met if m is not None and start < m))
        target = framework.next_role(p.role)
        if target is not None:
            readiness = assess(p, target, framework)
            row["coverage"], row["readiness"] = readiness.coverage, readiness.score
    return row


def _mastery_on(steps: Sequence[LayerStep], day: date) -> int:
    reached = 0
    for step in steps:
        if step.on > day:
            break
        reached = step.to_mastery
    return reached


def _review_features(p: Profile) -> dict[str, object]:
    """The latest manager review's overall rating (calibrated when calibrated), its item
    ratings' mean, its goals met and its KPI figures."""
    latest = None
    for by_role in p.reviews.values():
        for record in by_role.get(ReviewForm.MANAGER.value, ()):
            if latest is None or (record.on, record.event_id) > (latest.on, latest.event_id):
                latest = record
    out: dict[str, object] = {"rating": math.nan, "competency_rating": math.nan,
                              "goals_met": math.nan}
    if latest is None:
        return out
    out["rating"] = float(latest.overall)
    if latest.ratings:
        out["competency_rating"] = float(np.mean([r.rating for r in latest.ratings]))
    if latest.goals:
        out["goals_met"] = float(np.mean([GOAL_CREDIT[g.result] for g in latest.goals]))
        # each figure a column of its own (``KPI`` and the goal), not a dict in every row:
        # a dict a snapshot was most of the table's memory as it was collected
        out.update({KPI + g.goal.strip().lower(): g.value for g in latest.goals
                    if g.value is not None})
    return out


def _with_kpis(frame: pd.DataFrame, kpis: Mapping[str, np.ndarray],
               wanted: Sequence[str] | None = None) -> pd.DataFrame:
    """The KPI figures recorded often enough to be a feature (or the ``wanted`` goals'),
    as ``kpi:GOAL`` columns (``kpis``: each goal's figures, NaN where a snapshot has none,
    goals in the order the snapshots first show them; a figure is never NaN: the ledger's
    JSON has none)."""
    if wanted is not None:
        for name in wanted:
            frame[f"kpi:{name}"] = kpis.get(name, np.full(len(frame), math.nan))
        return frame
    # the snapshots holding a figure (not the figures' sum, which kept a goal of large
    # figures however rarely it was recorded); ties in the order the goals were first seen
    counts = Counter({name: int(np.count_nonzero(~np.isnan(values)))
                      for name, values in kpis.items()})
    common = [name for name, n in counts.most_common(MAX_KPIS) if n >= KPI_SHARE * len(frame)]
    for name in common:
        frame[f"kpi:{name}"] = kpis[name]
    return frame


def feature_columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """The numeric and categorical feature columns a snapshot table holds."""
    kpis = sorted(c for c in frame.columns if str(c).startswith("kpi:"))
    return [*NUMERIC, *kpis], list(CATEGORICAL)
