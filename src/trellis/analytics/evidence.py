"""Evidence: do micro-progressions lead to promotions, and does stagnation lead to departures?

Two analyses over the ledger, each reported with its sample size, and as "insufficient
data" (never a number) when the sample is too small:

- **time in level**: Kaplan-Meier curves of the time from a spell's start (hire or
  promotion) to the next promotion, for the spells still in level at a landmark (12
  months), split into tertiles of their micro-progression rate over those months;
  departures and today censor a spell.
- **Cox models** of promotion and of voluntary departure on micro-progression rates
  (skill steps, certifications, recognitions, project leadership per year) known at the
  time: each spell is cut into quarterly pieces, each carrying the rates of the twelve
  months before it (``spell_pieces``), a time-varying model in counting-process form
  (trellis.analytics.cox_counting): hazard ratios per one more event a year, with 95%
  confidence intervals. A departure of another kind (involuntary, retirement) censors
  the spell: the departure model is cause-specific. A coefficient that marks separation is
  reported as not identifiable, never as a hazard ratio (trellis.analytics.identifiability).

The rates are never a spell's whole count over its length: that uses events after a time
to explain the hazard at it and divides by the outcome time itself, and on data whose
outcomes are independent of every covariate it gave hazard ratios of 40 (docs/evidence.md).

Promotion propensity, as ``trellis evidence`` reports it and the fairness audit scores it,
lives in trellis.analytics.propensity (snapshots at decision points, two models, two
validations).

A *spell* is one person's stay in one level: it starts at a hire or a promotion and ends
at the next promotion, a departure, or ``as_of`` (censored). Durations are calendar months
(whole months, then the remaining days as a share of the next month), so a spell from
15 January to 15 April is exactly 3 months. The spell table's rates are its events per
year of the spell (a description; the models use ``spell_pieces``). Events dated on a
spell's first day (on the hire day, a baseline assessment of skills the person brought)
are not progress within it and are not counted; spells of zero length are left out, and
the survival analyses keep spells of at least ``MIN_MONTHS`` (see ``spell_sample``).
"""

from __future__ import annotations

import calendar
import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from trellis.domain.coverage_noise import Z95
from trellis.domain.events import EventKind
from trellis.domain.ledger_rows import EventRow

from . import cox_counting
from .identifiability import extreme
from .ledger_groups import PersonRows, by_person

# The micro-progressions the models use, by their column names.
MICRO: dict[str, str] = {
    "skill_steps": EventKind.SKILL_STEP.value,
    "certifications": EventKind.CERTIFICATION.value,
    "recognitions": EventKind.RECOGNITION.value,
    "project_leadership": EventKind.PROJECT_LEADERSHIP.value,
}
RATES = tuple(f"{name}_per_year" for name in MICRO)
KINDS = (EventKind.HIRE, EventKind.PROMOTION, EventKind.DEPARTURE,
         *(EventKind(k) for k in MICRO.values()))
VOLUNTARY = "voluntary"

MIN_MONTHS = 3.0  # shorter spells are left out of the spell analyses (see spell_sample)
MIN_SPELLS = 20  # fewer spells (or snapshots) than this: insufficient data
MIN_EVENTS = 5  # fewer events (or positives, or negatives) than this: insufficient data
HORIZONS = (24, 36, 48)  # months in level at which the curves (from month 12) are read


# --- calendar months


def months_between(start: date, end: date) -> float:
    """Calendar months from ``start`` to ``end``: whole months, then a share of the next."""
    whole = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, whole) > end:
        whole -= 1
    anchor = _add_months(start, whole)
    following = _add_months(start, whole + 1)
    return whole + (end - anchor).days / (following - anchor).days


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


# --- the spell table


SPELL_COLUMNS = ("person_id", "spell", "role", "start", "end", "months", "years", "promoted",
                 "departed", "departure_kind", *MICRO, *RATES, "micro_per_year")


def spell_table(rows: Iterable[EventRow], as_of: date) -> pd.DataFrame:
    """One row per person and level: when it started and ended, how, and its rates.

    ``rows`` are live ledger rows of ``KINDS`` in ledger order (date, then id); rows after
    ``as_of`` are ignored. ``promoted`` and ``departed`` (voluntary departures only) are
    the events; ``departure_kind`` names any departure that ended the spell.
    """
    return spell_table_of(by_person(rows).items(), as_of)


def spell_table_of(groups: PersonRows, as_of: date) -> pd.DataFrame:
    """``spell_table`` of rows already grouped by person (``ledger_groups``)."""
    records: list[tuple[Any, ...]] = []
    for person_id, rows in groups:
        events = [row for row in rows if row.effective_on <= as_of]
        if events:
            records.extend(_spells_of(person_id, events, as_of))
    frame = pd.DataFrame.from_records(
        records, columns=["person_id", "spell", "role", "start", "end", "promoted",
                          "departure_kind", *MICRO])
    del records
    frame["months"] = [months_between(s, e) for s, e in zip(frame["start"], frame["end"],
                                                              strict=True)]
    frame["years"] = frame["months"] / 12.0
    frame["promoted"] = frame["promoted"].astype(bool)
    frame["departed"] = (frame["departure_kind"] == VOLUNTARY).to_numpy(dtype=bool)
    for name, rate in zip(MICRO, RATES, strict=True):
        frame[rate] = frame[name].astype(float) / frame["years"]
    frame["micro_per_year"] = frame[list(RATES)].sum(axis=1)
    return frame[list(SPELL_COLUMNS)].reset_index(drop=True)


def _spells_of(person_id: int, events: list[EventRow], as_of: date) -> list[tuple[Any, ...]]:
    """One person's spells: (person, number, role, start, end, promoted, departure kind,
    micro-progression counts...), zero-length spells left out."""
    out: list[tuple[Any, ...]] = []
    start: date | None = None
    role: str | None = None
    counts = dict.fromkeys(MICRO.values(), 0)
    for e in events:
        ended: tuple[bool, str | None] | None = None
        if e.kind == EventKind.HIRE.value:
            if start is None:
                start, role = e.effective_on, e.details.get("role")
                counts = dict.fromkeys(counts, 0)
            continue
        if start is None:
            continue  # nothing before a hire (or after a departure) belongs to a spell
        if e.kind == EventKind.PROMOTION.value:
            ended = (True, None)
        elif e.kind == EventKind.DEPARTURE.value:
            ended = (False, str(e.details.get("departure_kind", VOLUNTARY)))
        elif e.kind in counts and e.effective_on != start:
            counts[e.kind] += 1
        if ended is not None:
            if e.effective_on > start:
                out.append((person_id, len(out), role, start, e.effective_on, *ended,
                            *counts.values()))
            counts = dict.fromkeys(counts, 0)
            if ended[0]:
                start, role = e.effective_on, e.details.get("role")
            else:
                start = None
    if start is not None and as_of > start:
        out.append((person_id, len(out), role, start, as_of, False, None, *counts.values()))
    return out


def spell_sample(spells: pd.DataFrame, min_months: float = MIN_MONTHS) -> pd.DataFrame:
    """The spells the survival analyses use: those lasting at least ``min_months``.

    A rate over a few days (one kudos in a spell's first week is dozens a year) says
    little, and such spells (departures in the first weeks, censored recent hires) would
    dominate a Cox model. Keeping spells of at least ``min_months`` is the same as starting
    every spell's clock at ``min_months`` (a delayed entry, ``spell_pieces``): the analyses
    describe people who stayed in a level that long.
    """
    return spells[spells["months"] >= min_months].reset_index(drop=True)


# --- rates known at the time


PIECE_MONTHS = 3  # spells are cut into pieces at each quarter from their start
WINDOW_MONTHS = 12  # a piece's rate: the events of the trailing twelve months
LANDMARK_MONTHS = 12  # the time-in-level curves: spells in level this long, by its rate
PIECE_COLUMNS = ("person_id", "spell", "start", "stop", "promoted", "departed", *RATES)


class EventDays:
    """Each person's micro-progression days, for counts in a window of days."""

    def __init__(self, groups: PersonRows, as_of: date) -> None:
        code = {kind: i for i, kind in enumerate(MICRO.values())}
        keys = [_key(row.person_id, code[row.kind], row.effective_on.toordinal())
                for _, rows in groups for row in rows
                if row.kind in code and row.effective_on <= as_of]
        self.keys = np.sort(np.asarray(keys, dtype=np.int64))

    def counts(self, person_ids: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Events of each kind (columns, ``MICRO``'s order) on days in [lo, hi)."""
        out = np.empty((len(person_ids), len(MICRO)))
        for k in range(len(MICRO)):
            first = np.searchsorted(self.keys, _key(person_ids, k, lo), side="left")
            last = np.searchsorted(self.keys, _key(person_ids, k, hi), side="left")
            out[:, k] = last - first
        return out


def _key(person_id: Any, kind: int, day: Any) -> Any:
    return (np.asarray(person_id, dtype=np.int64) * len(MICRO) + kind) * 10_000_000 + day


def _date_at(start: date, months: float) -> date:
    """The day ``months`` calendar months after ``start`` (``months_between``'s inverse)."""
    whole = math.floor(months)
    anchor = _add_months(start, whole)
    if months == whole:
        return anchor
    following = _add_months(start, whole + 1)
    return date.fromordinal(anchor.toordinal()
                            + round((months - whole) * (following - anchor).days))


def _window(start: date, at: float) -> tuple[int, int, float]:
    """The days [lo, hi) of a rate as of ``at`` months into a spell, and its years: the
    trailing twelve months, or the months since the spell's first day (not counted)."""
    hi = _date_at(start, at).toordinal()
    if at > WINDOW_MONTHS:
        return _date_at(start, at - WINDOW_MONTHS).toordinal(), hi, WINDOW_MONTHS / 12.0
    if hi <= start.toordinal():  # the spell's first day (--min-months 0): nothing known
        return hi, hi, 1.0
    return start.toordinal() + 1, hi, at / 12.0


def spell_pieces(spells: pd.DataFrame, days: EventDays,
                 min_months: float = MIN_MONTHS) -> pd.DataFrame:
    """The spells as counting-process pieces (start, stop] in months, each carrying the
    rates known at its start, for the Cox models.

    A spell is cut at each quarter from its start (3, 6, 9... months); a piece's rates are
    the events of each kind in the twelve months before its start (before month 12: since
    the spell's first day, per year of that time), never an event after it. Every spell
    enters at ``min_months`` (``spell_sample``'s delayed entry): its first piece runs from
    0 to the first cut past ``min_months`` and carries the rates as of ``min_months``
    (no spell of the sample ends before it, so those are what was known at any event the
    piece holds). The event (promotion, voluntary departure) is on a spell's last piece.
    """
    ids: list[int] = []
    spell_no: list[int] = []
    starts: list[float] = []
    stops: list[float] = []
    last: list[bool] = []
    lo: list[int] = []
    hi: list[int] = []
    years: list[float] = []
    for person, number, start, months in zip(spells["person_id"], spells["spell"],
                                             spells["start"], spells["months"], strict=True):
        cuts = [float(c) for c in range(PIECE_MONTHS, math.ceil(months), PIECE_MONTHS)
                if min_months < c < months]
        bounds = [0.0, *cuts, float(months)]
        for i, (a, b) in enumerate(itertools.pairwise(bounds)):
            w = _window(start, a if i else min(min_months, float(months)))
            ids.append(person)
            spell_no.append(number)
            starts.append(a)
            stops.append(b)
            last.append(i == len(bounds) - 2)
            lo.append(w[0])
            hi.append(w[1])
            years.append(w[2])
    counts = days.counts(np.asarray(ids, dtype=np.int64), np.asarray(lo, dtype=np.int64),
                         np.asarray(hi, dtype=np.int64))
    frame = pd.DataFrame({"person_id": ids, "spell": spell_no, "start": starts,
                          "stop": stops})
    ends = spells.set_index(["person_id", "spell"])[["promoted", "departed"]]
    outcome = ends.reindex(pd.MultiIndex.from_arrays([frame["person_id"], frame["spell"]]))
    ended = np.asarray(last, dtype=bool)
    for column in ("promoted", "departed"):
        frame[column] = outcome[column].to_numpy(dtype=bool) & ended
    rates = counts / np.asarray(years)[:, None] if len(years) else counts
    for k, rate in enumerate(RATES):
        frame[rate] = rates[:, k]
    return frame[list(PIECE_COLUMNS)]


def landmark_of(min_months: float) -> float:
    """The curves' landmark: twelve months, or the shortest spell kept when longer."""
    return max(float(LANDMARK_MONTHS), min_months)


def landmark_rates(spells: pd.DataFrame, days: EventDays,
                   landmark: float = LANDMARK_MONTHS) -> pd.Series:
    """Each spell's micro-progressions per year in the twelve months before ``landmark``
    (its first twelve at the default landmark; NaN for a spell shorter than the landmark):
    the rate the time-in-level curves group by."""
    reached = (spells["months"] >= landmark).to_numpy()
    out = np.full(len(spells), np.nan)
    if reached.any():
        windows = [_window(s, landmark) for s in spells["start"][reached]]
        counts = days.counts(spells["person_id"].to_numpy(dtype=np.int64)[reached],
                             np.asarray([w[0] for w in windows], dtype=np.int64),
                             np.asarray([w[1] for w in windows], dtype=np.int64))
        out[reached] = counts.sum(axis=1) / np.asarray([w[2] for w in windows])
    return pd.Series(out, index=spells.index, name="landmark_per_year")


# --- time in level (Kaplan-Meier)


@dataclass(frozen=True, slots=True)
class Curve:
    """One group's Kaplan-Meier curve of the share still in level (not yet promoted)."""

    group: str
    rate_from: float
    rate_to: float
    spells: int
    promotions: int
    sufficient: bool
    median_months: float | None = None  # None: not reached (or insufficient data)
    # its 95% interval: where the band's lower and upper edges fall to one half (None: not)
    median_ci: tuple[float | None, float | None] = (None, None)
    promoted_by: dict[int, float | None] = field(default_factory=dict)  # months -> share
    promoted_by_ci: dict[int, tuple[float, float] | None] = field(default_factory=dict)
    months: tuple[float, ...] = ()
    still_in_level: tuple[float, ...] = ()
    lower: tuple[float, ...] = ()
    upper: tuple[float, ...] = ()


def time_in_level(spells: pd.DataFrame, rates: pd.Series,
                  landmark: float = LANDMARK_MONTHS) -> list[Curve]:
    """Kaplan-Meier curves of time to promotion of the spells still in level at
    ``landmark`` months, one per tertile of their rate over those months (``rates``,
    ``landmark_rates``): a rate known when the curves start, not one the rest of the
    spell makes. Time is months in level; the curves start at the landmark."""
    reached = rates.notna().to_numpy()
    spells, rates = spells[reached], rates[reached]
    names: tuple[str, ...]
    if len(spells) < 3 * MIN_SPELLS:
        names = ("all",)
        groups = [spells]
        edges = [(float(rates.min()) if len(spells) else 0.0,
                  float(rates.max()) if len(spells) else 0.0)]
    else:
        low, high = float(rates.quantile(1 / 3)), float(rates.quantile(2 / 3))
        names = ("low", "middle", "high")
        groups = [spells[rates <= low], spells[(rates > low) & (rates <= high)],
                  spells[rates > high]]
        edges = [(float(rates.min()), low), (low, high), (high, float(rates.max()))]
    return [_curve(name, group, edge, landmark)
            for name, group, edge in zip(names, groups, edges, strict=True)]


def _curve(name: str, group: pd.DataFrame, edges: tuple[float, float],
           landmark: float) -> Curve:
    n, events = len(group), int(group["promoted"].sum())
    if n < MIN_SPELLS or events < MIN_EVENTS:
        return Curve(name, edges[0], edges[1], n, events, False)
    km = KaplanMeierFitter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km.fit(group["months"] - landmark, group["promoted"], label=name)
    survival = km.survival_function_[name]
    ci = km.confidence_interval_survival_function_
    median = float(km.median_survival_time_) + landmark
    band = median_survival_times(ci).iloc[0]  # the band's edges' first times at one half
    median_ci = tuple(round(float(x) + landmark, 2) if math.isfinite(x) else None
                      for x in band)
    promoted_by: dict[int, float | None] = {}
    promoted_by_ci: dict[int, tuple[float, float] | None] = {}
    last = float(group["months"].max())
    for h in HORIZONS:  # none by the landmark: every spell of the curve was in level then
        inside = landmark < h <= last
        promoted_by[h] = round(1.0 - float(km.predict(h - landmark)), 4) if inside else None
        at = ci[ci.index <= h - landmark].iloc[-1]  # the band is a step function too
        promoted_by_ci[h] = ((round(1.0 - float(at.iloc[1]), 4),
                              round(1.0 - float(at.iloc[0]), 4)) if inside else None)
    return Curve(
        name, edges[0], edges[1], n, events, True,
        median_months=round(median, 2) if math.isfinite(median) else None,
        median_ci=(median_ci[0], median_ci[1]),
        promoted_by=promoted_by, promoted_by_ci=promoted_by_ci,
        months=tuple(float(x) + landmark for x in survival.index),
        still_in_level=tuple(float(x) for x in survival.to_numpy()),
        lower=tuple(float(x) for x in ci.iloc[:, 0].to_numpy()),
        upper=tuple(float(x) for x in ci.iloc[:, 1].to_numpy()),
    )


# --- Cox proportional hazards


@dataclass(frozen=True, slots=True)
class HazardRatio:
    covariate: str
    coef: float
    hazard_ratio: float
    ci_low: float
    ci_high: float
    p: float


@dataclass(frozen=True, slots=True)
class CoxResult:
    event: str  # "promotion" or "departure"
    spells: int
    events: int
    sufficient: bool
    covariates: tuple[HazardRatio, ...] = ()
    dropped: tuple[str, ...] = ()  # covariates without variation: not estimable
    concordance: float | None = None
    note: str | None = None
    not_identifiable: dict[str, str] = field(default_factory=dict)  # covariate -> why


def cox_model(pieces: pd.DataFrame, event: str,
              covariates: Sequence[str] = RATES) -> CoxResult:
    """A Cox model of ``event`` ("promotion" or "departure") on the rates known at each
    piece's start (``spell_pieces``): a time-varying Cox model in counting-process form."""
    if "stop" not in pieces:
        raise ValueError("cox_model fits spell_pieces, not the spell table")
    column = {"promotion": "promoted", "departure": "departed"}[event]
    n = int((pieces["start"] == 0).sum())  # each spell's first piece starts at 0
    events = int(pieces[column].sum()) if len(pieces) else 0
    if n < MIN_SPELLS or events < MIN_EVENTS:
        return CoxResult(event, n, events, False)
    kept = [c for c in covariates if pieces[c].nunique() > 1]
    dropped = tuple(c for c in covariates if c not in kept)
    blocked: dict[str, str] = {}
    while True:
        if not kept:
            return CoxResult(event, n, events, False, dropped=dropped,
                             note="no covariate varies" if not blocked
                             else "no covariate is identifiable", not_identifiable=blocked)
        try:
            fitted = cox_counting.fit(pieces["start"].to_numpy(dtype=float),
                                      pieces["stop"].to_numpy(dtype=float),
                                      pieces[column].to_numpy(dtype=bool),
                                      pieces[kept].to_numpy(dtype=float))
        except cox_counting.NotConverged as exc:
            return CoxResult(event, n, events, False, dropped=dropped,
                             note=f"the model did not converge: {exc}",
                             not_identifiable=blocked)
        sds = [float(pieces[c].std()) for c in kept]
        extreme_ones = extreme(list(fitted.coef), sds, kept, "a hazard ratio")
        extreme_ones.update({c: "quasi-separation: no finite standard error (not "
                             "identifiable)" for c, se in zip(kept, fitted.se, strict=True)
                             if not math.isfinite(se) and c not in extreme_ones})
        if not extreme_ones:
            break
        blocked.update(extreme_ones)  # refit without them: the rest may still be estimable
        kept = [c for c in kept if c not in extreme_ones]
    ratios = tuple(
        HazardRatio(name, float(b), math.exp(b), math.exp(b - Z95 * se),
                    math.exp(b + Z95 * se), float(p))
        for name, b, se, p in zip(kept, fitted.coef, fitted.se, fitted.p, strict=True)
    )
    return CoxResult(event, n, events, True, ratios, dropped, fitted.concordance, None,
                     blocked)
