"""The comparison table: promotions against micro-progressions on seven features, from a ledger.

One walk over each person's events (in ledger order, with the band upgrades the fold
derived) yields flat records; pandas aggregates them. The features (docs/strategy.md):

- **definition**: events of each kind, grouped as promotion or micro-progression (skill
  steps, criteria demonstrated, certifications, projects led, responsibilities taken on,
  recognitions, lateral moves, compensation, band upgrades). An assessment is evidence of
  a criterion, not an advance: it is not counted. Hire-day events (baseline assessments, the primary
  duty) are not progress and are left out everywhere.
- **frequency**: events per person-year of employment in the window, and the median months
  between a person's consecutive events of the group.
- **impact on salary**: base-pay change per event, in percent of the pay just before it.
  The pay before is the pay recorded by pay events (hire, promotion, lateral move, merit
  and adjustment), as calibration reads it; a promotion's change is its pay over that, a
  merit raise or adjustment its percent (or amount over that pay); a band upgrade's pay
  step comes from the profile (``pay_after / pay_before``). Bonuses and spot bonuses are
  one-off and reported apart. The share of base-pay growth is each group's summed pay
  changes (in currency) over both groups' sum.
- **impact on role**: level ranks gained and track changes per promotion (per lateral move
  for micro-progressions); responsibilities taken on, mastery steps, criteria demonstrated
  and projects led per person-year, and the share of duties outside the person's own
  track.
- **motivation**: consecutive check-ins (at most 200 days apart) bracket intervals; an
  interval holding a promotion counts for promotions, one holding micro-progressions only
  for micro-progressions. Mean engagement of the check-in before and the one after, the
  change, and the change from the check-in before to the check-ins nearest 1, 2 and 4
  quarters after the interval's first such event (within 46 days): how long it lasts.
- **career growth**: people with at least half a year of employment in the window are split
  at the median micro-progression rate (events per person-year) into *few* and *many*;
  for each, mastery steps, criteria demonstrated and promotions per person-year (a
  criteria framework has no mastery steps, a mastery one no criteria: that row then says
  "insufficient data"), and the Kaplan-Meier median
  months from a hire or promotion to the next promotion (censored at a departure or the
  end of the window).
- **suitability**: the same table, recomputed for the people whose latest role is on a
  structured track and for those on a dynamic one.

Every cell carries its sample size ``n``; below ``min_n`` (default ``MIN_N``) it holds no
value and says "insufficient data (n=...)".
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats  # type: ignore[import-untyped]

from trellis.domain.coverage_noise import Z95
from trellis.domain.events import left_voluntarily
from trellis.domain.ledger_rows import EventRow

from .ledger_groups import PersonRows, by_person
from .record_columns import RecordColumns

MIN_N = 10  # the smallest sample a cell shows a value for
MIN_SPLIT_YEARS = 0.5  # employment in the window a person needs to join the few/many split
PAIR_DAYS = 200  # check-ins further apart than this bracket nothing
QUARTER_DAYS = 91.3125
LAG_QUARTERS = (1, 2, 4)
LAG_TOLERANCE_DAYS = 46
DAYS_PER_MONTH = 30.4375
DAYS_PER_YEAR = 365.25

KINDS = ("hire", "promotion", "lateral_move", "skill_step", "demonstrated", "certification",
         "project_leadership", "responsibility", "recognition", "compensation", "check_in",
         "departure")
MICRO_KINDS = ("skill_step", "demonstrated", "certification", "project_leadership",
               "responsibility", "recognition", "lateral_move", "compensation", "band_upgrade")
_ADVANCES = frozenset({"promotion", *MICRO_KINDS})
PROMOTION, MICRO = "promotion", "micro_progression"
FEW, MANY = "few_micro", "many_micro"
ROLE_TYPES = ("structured", "dynamic")


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure with its sample and its 95% interval; ``value`` is None when the sample
    is too small. ``ci`` is None for a count of the whole ledger (no sample to vary) and
    for a share of the whole pay growth."""

    value: float | None
    n: int
    note: str | None = None  # why there is no value (or a qualifier)
    ci: tuple[float, float] | None = None

    def to_document(self) -> dict[str, Any]:
        return {"value": self.value, "n": self.n, "status": self.note or "ok",
                "ci95": None if self.ci is None else list(self.ci)}

    def text(self, pattern: str = "{:.2f}") -> str:
        if self.value is None:
            return self.note or "-"
        within = "" if self.ci is None else (
            f"95% CI {pattern.format(self.ci[0])} to {pattern.format(self.ci[1])}, ")
        return f"{pattern.format(self.value)} ({within}n={self.n:,})"


def cell(value: float | None, n: int, min_n: int, digits: int = 3,
         ci: tuple[float, float] | None = None) -> Cell:
    if n < min_n or value is None or not np.isfinite(value):
        return Cell(None, n, f"insufficient data (n={n})")
    return Cell(round(float(value), digits), n,
                ci=None if ci is None else (round(ci[0], digits), round(ci[1], digits)))


# --- 95% intervals: each the textbook one for its statistic


def mean_cell(values: pd.Series, min_n: int, n: int | None = None) -> Cell:
    """The mean with Student's t interval (``n``: the sample shown, when not the values')."""
    x = values.to_numpy(float)
    if len(x) < 2:
        return cell(_mean(values), len(x) if n is None else n, min_n)
    half = float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    mean = float(x.mean())
    return cell(mean, len(x) if n is None else n, min_n, ci=(mean - half, mean + half))


def median_cell(values: pd.Series, min_n: int) -> Cell:
    """The median with the distribution-free interval of order statistics: ranks k and
    n - k + 1, k the binomial(n, 1/2) 2.5% point (at least 95%)."""
    x = np.sort(values.to_numpy(float))
    if len(x) == 0:
        return cell(None, 0, min_n)
    k = max(int(stats.binom.ppf(0.025, len(x), 0.5)), 1)
    return cell(float(np.median(x)), len(x), min_n, ci=(float(x[k - 1]), float(x[-k])))


def rate_cell(count: float, years: float, n: int, min_n: int) -> Cell:
    """Events per person-year with the exact (Garwood) Poisson interval on the count."""
    if years <= 0:
        return cell(None, n, min_n)
    low = float(stats.chi2.ppf(0.025, 2 * count) / 2) if count > 0 else 0.0
    high = float(stats.chi2.ppf(0.975, 2 * count + 2) / 2)
    return cell(count / years, n, min_n, ci=(low / years, high / years))


@dataclass(frozen=True, slots=True)
class Measure:
    id: str
    label: str
    cells: Mapping[str, Cell]  # column -> cell; a missing column does not apply
    unit: str = ""

    def to_document(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "unit": self.unit,
                "cells": {k: c.to_document() for k, c in self.cells.items()}}


@dataclass(frozen=True, slots=True)
class Feature:
    id: str
    label: str
    measures: tuple[Measure, ...]
    note: str = ""
    detail: Mapping[str, Any] = field(default_factory=dict)

    def measure(self, measure_id: str) -> Measure:
        return next(m for m in self.measures if m.id == measure_id)

    def to_document(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "note": self.note,
                "measures": [m.to_document() for m in self.measures],
                "detail": dict(self.detail)}


@dataclass(frozen=True, slots=True)
class Table:
    people: int
    person_years: float
    min_n: int
    features: tuple[Feature, ...]
    by_role_type: Mapping[str, Table] = field(default_factory=dict)

    def feature(self, feature_id: str) -> Feature:
        return next(f for f in self.features if f.id == feature_id)

    def to_document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"people": self.people,
                               "person_years": round(self.person_years, 2),
                               "min_n": self.min_n,
                               "features": [f.to_document() for f in self.features]}
        if self.by_role_type:
            doc["suitability"] = {k: t.to_document() for k, t in self.by_role_type.items()}
        return doc


@dataclass(frozen=True, slots=True)
class Roles:
    """What the table needs to know of roles (from every framework version)."""

    rank: Mapping[str, int]
    track: Mapping[str, str]
    role_type: Mapping[str, str]  # track id -> structured | dynamic


@dataclass(frozen=True, slots=True)
class BandStep:
    on: date
    pay_before: int | None
    pay_after: int | None


# --- the walk: one pass over each person's events


EVENT_COLUMNS = ("person_id", "on", "kind", "pay_pct", "pay_delta", "one_off", "one_off_pct",
                 "levels", "track_change", "mastery_steps", "side_duty")
# Millions of events at 55,000 people: a name as a category code, a small count or a
# yes/no/unknown as a small number take a byte or a few instead of an 8-byte pointer or
# int, and every figure read of them is the same (each is cast to float before a mean).
EVENT_DTYPES = {"kind": "category", "levels": "float32", "track_change": "float32",
                "mastery_steps": "int16", "side_duty": "float32"}
PEOPLE_COLUMNS = ("person_id", "role_type", "years")
INTERVAL_COLUMNS = ("person_id", "group", "before", "after", "lag1", "lag2", "lag4")
SPELL_COLUMNS = ("person_id", "months", "promoted")


@dataclass
class _Records:
    # promotions and micro-progressions apart: every aggregate reads one group or the
    # other, and a frame of both held beside each group's copy was the step's peak
    promotions: RecordColumns = field(default_factory=lambda: RecordColumns(EVENT_COLUMNS))
    micro: RecordColumns = field(default_factory=lambda: RecordColumns(EVENT_COLUMNS))
    people: RecordColumns = field(default_factory=lambda: RecordColumns(PEOPLE_COLUMNS))
    intervals: RecordColumns = field(default_factory=lambda: RecordColumns(INTERVAL_COLUMNS))
    spells: RecordColumns = field(default_factory=lambda: RecordColumns(SPELL_COLUMNS))


def _walk(person_id: int, rows: Sequence[EventRow], band_steps: Sequence[BandStep],
          roles: Roles, since: date | None, end: date, out: _Records) -> None:
    timeline = sorted([(r.effective_on, 0, r.kind, r.details) for r in rows]
                      + [(b.on, 1, "band_upgrade", {"before": b.pay_before,
                                                    "after": b.pay_after})
                         for b in band_steps], key=lambda x: (x[0], x[1]))
    hired: date | None = None
    left: date | None = None
    pay: int | None = None
    role: str | None = None
    checkins: list[tuple[date, int]] = []
    marks: list[tuple[date, str]] = []  # (date, group) of events in the window
    promoted_on: list[date] = []
    for on, _, kind, d in timeline:
        if kind == "hire":
            hired, left, pay, role = on, None, d.get("pay"), d.get("role")
            continue
        if hired is None:
            continue
        if kind == "departure":
            left = on
            continue
        if kind == "check_in":
            if d.get("engagement") is not None:
                checkins.append((on, int(d["engagement"])))
            continue
        if kind not in _ADVANCES:
            continue  # an assessment, a verification: evidence, not an advance
        counted = on != hired and (since is None or on >= since) and on <= end
        pct = delta = one_off = one_off_pct = None
        levels = track_change = None
        steps = 0
        side = None
        if kind in ("promotion", "lateral_move"):
            new_role, new_pay = d.get("role"), d.get("pay")
            if new_pay and pay:
                pct, delta = 100 * (new_pay / pay - 1), new_pay - pay
            if role is not None and new_role is not None and role in roles.rank \
                    and new_role in roles.rank:
                levels = roles.rank[new_role] - roles.rank[role]
                track_change = roles.track[new_role] != roles.track[role]
            role = new_role
            pay = new_pay or pay
        elif kind == "compensation":
            how = d.get("compensation_kind", "merit")
            amount, percent = d.get("amount"), d.get("percent")
            if how == "bonus":
                one_off = amount if amount is not None else (
                    round(pay * percent / 100) if pay and percent is not None else None)
                if one_off is not None and pay:
                    one_off_pct = 100 * one_off / pay
                kind = "bonus"
            else:
                kind = how  # merit or adjustment
                if pay:
                    delta = amount if amount is not None else round(pay * (percent or 0) / 100)
                    pct = 100 * delta / pay
                    pay = pay + delta
        elif kind == "band_upgrade":
            before, after = d.get("before"), d.get("after")
            if before and after and after != before:
                pct, delta = 100 * (after / before - 1), after - before
        elif kind == "recognition":
            amount = d.get("amount")
            if amount:
                one_off = amount
                one_off_pct = 100 * amount / pay if pay else None
            if d.get("recognition_kind") == "spot_bonus":
                kind = "spot_bonus"
        elif kind == "skill_step":
            steps = int(d.get("to_mastery", 0)) - int(d.get("from_mastery", 0))
        elif kind == "responsibility":
            if not d.get("share"):
                continue  # a duty ended: not an advance
            own = roles.track.get(role or "")
            side = own is not None and d.get("function") != own
        if not counted:
            continue
        group = PROMOTION if kind == "promotion" else MICRO
        (out.promotions if group == PROMOTION else out.micro).append(
            (person_id, on, kind, pct, delta, one_off, one_off_pct, levels, track_change,
             steps, side))
        marks.append((on, group))
        if group == PROMOTION:
            promoted_on.append(on)
    if hired is None:
        return
    start = max(hired, since) if since else hired
    stop = min(left or end, end)
    years = max(0.0, (stop - start).days / DAYS_PER_YEAR)
    track = roles.track.get(role or "")
    out.people.append((person_id, roles.role_type.get(track or "", "structured"), years))
    _intervals(person_id, checkins, marks, out)
    # spells from the hire (or a promotion) to the next promotion, starting in the window
    starts = [hired, *promoted_on]
    for i, s in enumerate(starts):
        if since is not None and s < since:
            continue
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        finish = nxt or stop
        if finish >= s:
            out.spells.append((person_id, (finish - s).days / DAYS_PER_MONTH, nxt is not None))


def _intervals(person_id: int, checkins: list[tuple[date, int]],
               marks: list[tuple[date, str]], out: _Records) -> None:
    if len(checkins) < 2 or not marks:
        return
    checkins.sort()
    days = [c[0].toordinal() for c in checkins]
    found: dict[int, dict[str, date]] = {}  # index of the check-in after -> group -> first
    for on, group in marks:
        after = bisect.bisect_left(days, on.toordinal())
        if after == 0 or after >= len(days) or days[after] - days[after - 1] > PAIR_DAYS:
            continue
        firsts = found.setdefault(after, {})
        firsts.setdefault(group, on)
    for after, firsts in found.items():
        group = PROMOTION if PROMOTION in firsts else MICRO
        first = firsts[group].toordinal()
        before = checkins[after - 1][1]
        lags: list[float | None] = []
        for k in LAG_QUARTERS:
            target = first + k * QUARTER_DAYS
            j = bisect.bisect_left(days, target)
            best = None
            for cand in (j - 1, j):
                off = abs(days[cand] - target) if after <= cand < len(days) else None
                if off is not None and off <= LAG_TOLERANCE_DAYS and (
                        best is None or off < abs(days[best] - target)):
                    best = cand
            lags.append(None if best is None else checkins[best][1] - before)
        out.intervals.append((person_id, group, before, checkins[after][1], *lags))


# --- aggregation


def _mean(values: pd.Series) -> float | None:
    return float(values.mean()) if len(values) else None


def km_median(months: np.ndarray, events: np.ndarray) -> float | None:
    """The Kaplan-Meier median (months until survival falls to one half), or None."""
    return km_median_interval(months, events)[0]


def km_median_interval(months: np.ndarray, events: np.ndarray
                       ) -> tuple[float | None, float | None, float | None]:
    """The Kaplan-Meier median and its 95% interval: the first times the curve's pointwise
    band (Greenwood's variance on log(-log S), lifelines' default) falls to one half, its
    lower edge first; None where a curve never does (not reached, or no upper bound)."""
    if len(months) == 0:
        return None, None, None
    order = np.lexsort((~events.astype(bool), months))
    t, e = months[order], events[order].astype(bool)
    at_risk = len(t)
    survival, greenwood = 1.0, 0.0
    found: list[float | None] = [None, None, None]  # median, lower, upper
    i = 0
    while i < len(t) and found[2] is None:
        j = i
        deaths = 0
        while j < len(t) and t[j] == t[i]:
            deaths += int(e[j])
            j += 1
        if deaths:
            survival *= 1 - deaths / at_risk
            if deaths < at_risk:
                greenwood += deaths / (at_risk * (at_risk - deaths))
            if 0 < survival < 1:
                spread = Z95 * math.sqrt(greenwood) / abs(math.log(survival))
                centre = math.log(-math.log(survival))
                band = (math.exp(-math.exp(centre + spread)),
                        math.exp(-math.exp(centre - spread)))
            else:
                band = (survival, survival)
            for k, s in enumerate((survival, *band)):
                if found[k] is None and s <= 0.5:
                    found[k] = float(t[i])
        at_risk -= j - i
        i = j
    return found[0], found[1], found[2]


def build_table(rows: Iterable[EventRow], roles: Roles, *, end: date,
                band_steps: Mapping[int, Sequence[BandStep]] | None = None,
                people: Iterable[int] | None = None, since: date | None = None,
                min_n: int = MIN_N, by_role_type: bool = True) -> Table:
    """The comparison table of ``people`` (default: everyone with a hire in ``rows``)."""
    wanted = set(people) if people is not None else None
    return build_table_of(by_person(rows, wanted).items(), roles, end=end,
                          band_steps=band_steps, since=since, min_n=min_n,
                          by_role_type=by_role_type)


def build_table_of(groups: PersonRows, roles: Roles, *, end: date,
                   band_steps: Mapping[int, Sequence[BandStep]] | None = None,
                   since: date | None = None, min_n: int = MIN_N,
                   by_role_type: bool = True) -> Table:
    """``build_table`` of rows already grouped by person (``ledger_groups``)."""
    records = _Records()
    steps = band_steps or {}
    for pid, mine in groups:
        _walk(pid, mine, steps.get(pid, ()), roles, since, end, records)
    frames = (records.promotions.frame(EVENT_DTYPES), records.micro.frame(EVENT_DTYPES),
              records.people.frame(), records.intervals.frame({"group": "category"}),
              records.spells.frame())
    table = _table(*frames, min_n=min_n)
    if not by_role_type:
        return table
    people = frames[2]
    split = {}
    for role_type in ROLE_TYPES:  # one role type's copy of the rows at a time
        ids = set(people.loc[people["role_type"] == role_type, "person_id"])
        part = tuple(f[f["person_id"].isin(ids)] for f in frames)
        split[role_type] = _table(*part, min_n=min_n)
        del part
    return Table(table.people, table.person_years, min_n, table.features, split)


def _table(promo: pd.DataFrame, micro: pd.DataFrame, people: pd.DataFrame,
           intervals: pd.DataFrame, spells: pd.DataFrame, *, min_n: int) -> Table:
    years = float(people["years"].sum())
    features = (
        _definition(promo, micro),
        _frequency(promo, micro, years, min_n),
        _salary(promo, micro, min_n),
        _role(promo, micro, years, min_n),
        _motivation(intervals, min_n),
        _growth(promo, micro, people, spells, min_n),
    )
    return Table(len(people), years, min_n, features)


def _definition(promo: pd.DataFrame, micro: pd.DataFrame) -> Feature:
    merged = {"merit": "compensation", "adjustment": "compensation",
              "bonus": "compensation", "spot_bonus": "recognition"}
    counts: dict[str, int] = {}  # counted, then merged: no copy of every event's kind
    for kind, n in micro["kind"].value_counts().items():
        counts[merged.get(kind, kind)] = counts.get(merged.get(kind, kind), 0) + int(n)
    return Feature("definition", "Definition", (
        Measure("events", "events", {PROMOTION: Cell(len(promo), len(promo)),
                                     MICRO: Cell(len(micro), len(micro))}),
    ), note="promotion: a formal step up in title and level; micro-progressions: "
            + ", ".join(k.replace("_", " ") for k in MICRO_KINDS),
        detail={"kinds": {PROMOTION: {"promotion": len(promo)},
                          MICRO: {k: counts.get(k, 0) for k in MICRO_KINDS}}})


def _gaps_months(frame: pd.DataFrame) -> pd.Series:
    if frame.empty:
        return pd.Series(dtype=float)
    ordered = frame[["person_id", "on"]].sort_values(["person_id", "on"])  # not every column
    days = pd.to_datetime(ordered["on"]).diff().dt.days
    same = ordered["person_id"].eq(ordered["person_id"].shift())
    return (days[same] / DAYS_PER_MONTH).astype(float)


def _frequency(promo: pd.DataFrame, micro: pd.DataFrame, years: float, min_n: int
               ) -> Feature:
    def rate(frame: pd.DataFrame) -> Cell:
        return rate_cell(len(frame), years, len(frame), min_n)

    gp, gm = _gaps_months(promo), _gaps_months(micro)
    return Feature("frequency", "Frequency", (
        Measure("per_person_year", "events per person-year",
                {PROMOTION: rate(promo), MICRO: rate(micro)}),
        Measure("months_between", "median months between a person's consecutive events",
                {PROMOTION: median_cell(gp, min_n), MICRO: median_cell(gm, min_n)}, "months"),
    ), note=f"over {years:,.1f} person-years of employment")


def _salary(promo: pd.DataFrame, micro: pd.DataFrame, min_n: int) -> Feature:
    p_pay = promo.dropna(subset=["pay_pct"])
    m_pay = micro.dropna(subset=["pay_pct"])
    p_growth = float(p_pay["pay_delta"].sum())
    m_growth = float(m_pay["pay_delta"].sum())
    total = p_growth + m_growth
    detail: dict[str, Any] = {}
    for kind in ("promotion", "merit", "adjustment", "band_upgrade", "lateral_move"):
        events = promo if kind == "promotion" else micro
        values = events.loc[(events["kind"] == kind), "pay_pct"].dropna()
        detail[kind] = {"median_pct": median_cell(values, min_n).to_document(),
                        "mean_pct": mean_cell(values, min_n).to_document(),
                        "growth": round(float(events.loc[events["kind"] == kind,
                                                         "pay_delta"].sum()), 2)}
    for kind in ("bonus", "spot_bonus"):
        rows = micro[(micro["kind"] == kind) & micro["one_off"].notna()]
        detail[kind] = {
            "median_amount": median_cell(rows["one_off"], min_n).to_document(),
            "median_pct_of_base": median_cell(rows["one_off_pct"].dropna(),
                                              min_n).to_document(),
            "total": round(float(rows["one_off"].sum()), 2)}
    n_pay = len(p_pay) + len(m_pay)
    return Feature("salary", "Impact on salary", (
        Measure("median_pay_change", "median base-pay change per pay-changing event",
                {PROMOTION: median_cell(p_pay["pay_pct"], min_n),
                 MICRO: median_cell(m_pay["pay_pct"], min_n)}, "%"),
        Measure("mean_pay_change", "mean base-pay change per pay-changing event",
                {PROMOTION: mean_cell(p_pay["pay_pct"], min_n),
                 MICRO: mean_cell(m_pay["pay_pct"], min_n)}, "%"),
        Measure("mean_pay_change_all", "mean base-pay change per event (all events)",
                {PROMOTION: mean_cell(p_pay["pay_pct"], min_n, n=len(promo)),
                 MICRO: mean_cell(micro["pay_pct"].astype(float).fillna(0.0), min_n)}, "%"),
        Measure("share_of_growth", "share of base-pay growth",
                {PROMOTION: cell(p_growth / total if total else None, n_pay, min_n),
                 MICRO: cell(m_growth / total if total else None, n_pay, min_n)}, "share"),
    ), note="pay-changing micro-progressions: merit raises, adjustments, band-upgrade pay "
            "steps, lateral moves with pay; bonuses and spot bonuses are one-off (detail)",
        detail=detail)


def _role(promo: pd.DataFrame, micro: pd.DataFrame, years: float, min_n: int) -> Feature:
    moves = micro[micro["kind"] == "lateral_move"]

    def per_year(frame: pd.DataFrame, column: str | None = None) -> Cell:
        value = float(frame[column].sum()) if column else float(len(frame))
        return rate_cell(value, years, len(frame), min_n)

    def mean_of(frame: pd.DataFrame, column: str) -> Cell:
        return mean_cell(frame[column].dropna().astype(float), min_n)

    # each kind's rows with the column read of them (the skill steps are half the events)
    duties = micro.loc[micro["kind"] == "responsibility", ["side_duty"]]
    skills = micro.loc[micro["kind"] == "skill_step", ["mastery_steps"]]
    shown = micro.loc[micro["kind"] == "demonstrated", []]
    return Feature("role", "Impact on role", (
        Measure("levels_per_event", "level ranks gained per promotion (per lateral move)",
                {PROMOTION: mean_of(promo, "levels"), MICRO: mean_of(moves, "levels")}),
        Measure("track_changes", "share of promotions (lateral moves) changing track",
                {PROMOTION: mean_of(promo, "track_change"),
                 MICRO: mean_of(moves, "track_change")}, "share"),
        Measure("responsibilities", "responsibilities taken on per person-year",
                {MICRO: per_year(duties)}),
        Measure("side_duties", "share of responsibilities outside the person's own track",
                {MICRO: mean_of(duties, "side_duty")}, "share"),
        Measure("mastery_steps", "mastery steps per person-year",
                {MICRO: per_year(skills, "mastery_steps")}),
        Measure("criteria", "criteria demonstrated per person-year",
                {MICRO: per_year(shown)}),
        Measure("projects", "projects led per person-year",
                {MICRO: per_year(micro.loc[micro["kind"] == "project_leadership", []])}),
    ), note="promotions change level (and sometimes track); micro-progressions change scope "
            "inside the role: duties, skills, projects")


def _motivation(intervals: pd.DataFrame, min_n: int) -> Feature:
    groups = {g: intervals[intervals["group"] == g] for g in (PROMOTION, MICRO)}

    def column(name: str, value: Any) -> Measure:
        return Measure(name, value[0], {g: value[1](f) for g, f in groups.items()},
                       value[2])

    def mean_of(col: str) -> Any:
        return lambda f: mean_cell(f[col].astype(float), min_n)

    def change(f: pd.DataFrame) -> Cell:
        return mean_cell((f["after"] - f["before"]).astype(float), min_n)

    def lag(col: str) -> Any:
        return lambda f: mean_cell(f[col].dropna().astype(float), min_n)

    measures = [
        column("engagement_before", ("engagement at the check-in before (1-5)",
                                     mean_of("before"), "")),
        column("engagement_after", ("engagement at the check-in after (1-5)",
                                    mean_of("after"), "")),
        column("engagement_change", ("change, before to after", change, "points")),
    ] + [column(f"change_after_{k}q", (f"change, before to {k} quarter{'s' if k > 1 else ''}"
                                       " after", lag(f"lag{k}"), "points"))
         for k in LAG_QUARTERS]
    return Feature("motivation", "Motivation", tuple(measures),
                   note="check-in intervals holding a promotion, or micro-progressions only")


def _growth(promo: pd.DataFrame, micro: pd.DataFrame, people: pd.DataFrame,
            spells: pd.DataFrame, min_n: int) -> Feature:
    eligible = people[people["years"] >= MIN_SPLIT_YEARS].set_index("person_id")
    # each person's counts, summed over a split's people: no copy of the events' rows
    kind = micro["kind"]
    skill = kind == "skill_step"
    per_person = pd.DataFrame({
        "micro": pd.Series(1, index=micro.index), "skills": skill,
        "mastery": micro["mastery_steps"].where(skill, 0), "shown": kind == "demonstrated",
    }).groupby(micro["person_id"]).sum()
    per_person = per_person.join(promo.groupby("person_id").size().rename("promotions"),
                                 how="outer").fillna(0)
    rate = (per_person["micro"].reindex(eligible.index, fill_value=0)
            / eligible["years"]).astype(float)
    threshold = float(rate.median()) if len(rate) else None
    split = {FEW: rate.index[rate <= threshold] if threshold is not None else [],
             MANY: rate.index[rate > threshold] if threshold is not None else []}
    cells: dict[str, dict[str, Cell]] = {"mastery": {}, "criteria": {}, "promotions": {},
                                         "months": {}}
    spell_n: dict[str, dict[str, int]] = {}
    for name, ids in split.items():
        yrs = float(eligible.loc[ids, "years"].sum()) if len(ids) else 0.0
        mine = per_person.reindex(ids, fill_value=0)
        skills, shown, promos = (int(mine[c].sum()) for c in ("skills", "shown", "promotions"))
        cells["mastery"][name] = rate_cell(float(mine["mastery"].sum()), yrs, skills, min_n)
        cells["criteria"][name] = rate_cell(shown, yrs, shown, min_n)
        cells["promotions"][name] = rate_cell(promos, yrs, promos, min_n)
        s = spells[spells["person_id"].isin(ids)]
        promoted = int(s["promoted"].sum())
        spell_n[name] = {"spells": len(s), "promotions": promoted, "people": len(ids)}
        if promoted < min_n:
            cells["months"][name] = Cell(None, len(s), f"insufficient data (n={promoted} "
                                                       "promotions)")
        else:
            median, low, high = km_median_interval(s["months"].to_numpy(float),
                                                   s["promoted"].to_numpy(bool))
            cells["months"][name] = (  # no interval when the band stays above one half
                Cell(None, len(s), "median not reached") if median is None else
                Cell(round(median, 1), len(s), ci=None if high is None else
                     (round(low if low is not None else median, 1), round(high, 1))))
    return Feature("growth", "Career growth", (
        Measure("mastery_steps", "competency (mastery) steps per person-year",
                cells["mastery"]),
        Measure("criteria", "criteria demonstrated per person-year", cells["criteria"]),
        Measure("promotions", "promotions per person-year", cells["promotions"]),
        Measure("months_to_promotion",
                "median months from a hire or promotion to the next promotion (Kaplan-Meier)",
                cells["months"], "months"),
    ), note=("people split at the median micro-progression rate"
             + (f" ({threshold:.1f} per person-year)" if threshold is not None else "")
             + f"; only people with at least {MIN_SPLIT_YEARS:g} years in the window"),
        detail={"split_rate": None if threshold is None else round(threshold, 3),
                "groups": spell_n})


def cohort_figures(rows: Iterable[EventRow], *, end: date, people: Iterable[int]
                   ) -> dict[str, dict[str, float]]:
    """Promotions and voluntary departures per person-year for the *rare* (at or below the
    median micro-progression rate) and *frequent* micro-progressors among ``people``."""
    wanted = set(people)
    hired: dict[int, date] = {}
    left: dict[int, tuple[date, bool]] = {}
    micro: dict[int, int] = {}
    promotions: dict[int, int] = {}
    micro_kinds = set(MICRO_KINDS)
    for r in rows:
        pid = r.person_id
        if pid not in wanted:
            continue
        if r.kind == "hire":
            hired[pid] = r.effective_on
        elif r.kind == "departure":
            left[pid] = (r.effective_on, left_voluntarily(r.details))
        elif pid in hired and r.effective_on != hired[pid] and r.effective_on <= end:
            if r.kind == "promotion":
                promotions[pid] = promotions.get(pid, 0) + 1
            elif r.kind in micro_kinds:
                micro[pid] = micro.get(pid, 0) + 1
    years = {pid: max(0.0, ((left[pid][0] if pid in left else end) - on).days / DAYS_PER_YEAR)
             for pid, on in hired.items()}
    years = {pid: y for pid, y in years.items() if y >= MIN_SPLIT_YEARS}
    rates = {pid: micro.get(pid, 0) / y for pid, y in years.items()}
    if not rates:
        return {}
    threshold = statistics.median(rates.values())
    out: dict[str, dict[str, float]] = {}
    for name, ids in (("rare", [p for p, r in rates.items() if r <= threshold]),
                      ("frequent", [p for p, r in rates.items() if r > threshold])):
        yrs = sum(years[p] for p in ids)
        promos = sum(promotions.get(p, 0) for p in ids)
        quits = sum(1 for p in ids if p in left and left[p][1])
        out[name] = {"people": len(ids), "person_years": round(yrs, 2),
                     "promotions": promos, "voluntary_departures": quits,
                     "micro_rate_threshold": round(threshold, 3),
                     "promotions_per_year": promos / yrs if yrs else 0.0,
                     "retention_per_year": float(np.exp(-quits / yrs)) if yrs else 0.0}
    return out
