"""Calibrate the strategy simulator from the ledger: rates and effect sizes, with their samples.

The ledger is cut into *person-quarters* (calendar quarters of individual contributors'
employment). For each one it knows the career stage at its start (``domain.career_stage``),
the level rank, the quarters in level and since the last progression (hire, promotion or
lateral move), readiness for the next role (the share of the next role's expectations met,
as in ``trellis.demo``), and what happened in it. From those:

- per stage and quarter: skill steps (hire-day baseline assessments left out), the share of
  them toward the next role, readiness gained per such step, readiness right after a
  promotion, recognitions, certifications, projects led, lateral moves, band upgrades;
- merit raises (mean, sd, how many a year), promotion raises against the pay recorded
  by pay events, the pay step of a band upgrade;
- promotion: a logistic model of "promoted this quarter" on readiness, years in level
  (capped at four) and level rank, fitted on quarters from the shortest time in level seen
  before a promotion; departure: a hazard per band of quarters since the last progression
  (a linear one, fitted by least squares and capped where the data ends, where a band is
  thin) of *voluntary* departures, and beside it the rate of every other departure
  (involuntary, retirement) per band, which ends a career without being a choice to leave
  (docs/strategy.md#which-departures-are-leaving); engagement: check-in changes
  regressed on quarters elapsed, promotions, lateral moves and recognitions between them.

Exposure counts the share of a quarter a person was employed; the quarter a person leaves
counts in full (the simulator lets people leave at quarter ends). Every figure is an
``Estimate`` carrying its sample size and its source: a stage's figure falls back to all
stages pooled, then to a documented default (docs/strategy.md), when its sample is thin.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from trellis.domain.career_stage import DEFAULT_THRESHOLDS, STAGES, StageThresholds, career_stage
from trellis.domain.events import left_voluntarily
from trellis.domain.framework import Framework
from trellis.domain.ledger_rows import EventRow

from .ledger_groups import PersonRows, by_person
from .record_columns import RecordColumns

LEDGER, POOLED = "ledger", "ledger (all stages pooled)"
MIN_EXPOSURE = 40.0  # person-quarters behind a stage's rate
MIN_EVENTS = 20  # promotions or departures behind a hazard model
MIN_RAISES = 10
MIN_PAIRS = 30  # pairs of consecutive check-ins
TIME_CAP_QUARTERS = 16
CLOSED_EXPECTED = 5.0  # promotions expected from a role that saw none: a chance below 1%
# Bands of quarters since the last progression with a departure rate of their own: the
# first year quarter by quarter (a new role's risk changes fastest then, and the data are
# densest), falling back to the whole first year (FIRST_YEAR) where a quarter is thin.
DEPARTURE_BANDS = ((0, 1), (1, 2), (2, 3), (3, 4), (4, 8), (8, 12), (12, 16), (16, 24),
                   (24, 1 << 20))
FIRST_YEAR = (0, 4)

SURVEY = "published surveys (GUIDE.md)"
ASSUMED = "Trellis assumption"
# Defaults when the ledger is thin. See docs/strategy.md for their sources.
DEFAULTS: dict[str, tuple[float, str]] = {
    "merit_raise_mean": (3.3, SURVEY + ": merit raise about 3.3%"),
    "merit_raise_sd": (1.0, ASSUMED),
    "merits_per_year": (1.0, ASSUMED + ": one merit cycle a year"),
    "promotion_raise_mean": (9.5, SURVEY + ": promotion raise about 9-10%"),
    "promotion_raise_sd": (2.0, ASSUMED),
    "promotions_per_year": (0.14, SURVEY + ": about 14% promoted a year"),
    "band_pay_step": (0.0, ASSUMED + ": band upgrades carry no pay"),
    "skill_steps": (1.0, ASSUMED),
    "directed_share": (0.7, ASSUMED),
    "readiness_per_step": (0.08, ASSUMED + ": about twelve steps from promotion to ready"),
    "readiness_after_promotion": (0.3, ASSUMED),
    "recognitions": (0.8, ASSUMED),
    "certifications": (0.04, ASSUMED),
    "projects": (0.1, ASSUMED),
    "lateral_moves": (0.01, ASSUMED),
    "band_upgrades": (0.05, ASSUMED),
    "departure_base": (0.03, ASSUMED + ": about 12% leave a year"),
    "departure_slope": (0.002, ASSUMED),
    "departure_max": (0.1, ASSUMED),
    "engagement_decay": (0.05, ASSUMED),
    "engagement_promotion_jump": (0.8, ASSUMED),
    "engagement_lateral_jump": (0.4, ASSUMED),
    "engagement_recognition_lift": (0.03, ASSUMED),
    "engagement_start": (3.8, ASSUMED),
}
STAGE_RATES = ("skill_steps", "directed_share", "readiness_per_step",
               "readiness_after_promotion", "recognitions", "certifications", "projects",
               "lateral_moves", "band_upgrades", "promotions_per_year")


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float
    n: float  # the sample behind it: events, raises, pairs or person-quarters
    source: str

    @classmethod
    def default(cls, name: str) -> Estimate:
        value, source = DEFAULTS[name]
        return cls(value, 0, "default: " + source)


def _defaults(names: Iterable[str]) -> dict[str, Estimate]:
    return {name: Estimate.default(name) for name in names}


@dataclass(frozen=True, slots=True)
class PromotionModel:
    """P(promoted in a quarter) = logistic(intercept + readiness * r + years_in_level *
    min(quarters in level, 16) / 4 + rank * level rank), from ``min_quarters`` in level."""

    intercept: float
    readiness: float
    years_in_level: float
    rank: float
    min_quarters: int
    n: int  # person-quarters fitted
    events: int  # promotions among them
    source: str

    def probability(self, readiness: float, quarters_in_level: int, rank: int) -> float:
        if quarters_in_level < self.min_quarters:
            return 0.0
        z = (self.intercept + self.readiness * readiness + self.rank * rank
             + self.years_in_level * min(quarters_in_level, TIME_CAP_QUARTERS) / 4)
        return 1 / (1 + math.exp(-z))

    @classmethod
    def default(cls) -> PromotionModel:
        quarterly = 1 - (1 - DEFAULTS["promotions_per_year"][0]) ** 0.25
        readiness, years = 2.0, 0.2
        intercept = math.log(quarterly / (1 - quarterly)) - readiness * 0.5 - years * 1.5
        return cls(intercept, readiness, years, 0.0, 2, 0, 0,
                   "default: " + DEFAULTS["promotions_per_year"][1])


@dataclass(frozen=True, slots=True)
class DepartureModel:
    """P(leaving in a quarter) by quarters since the last progression: the observed rate of
    its band (``by_quarter``, one value per quarter, the last for every later quarter; since
    a promotion or a lateral move ``after_move``, since the hire ``by_quarter``), or without
    bands min(max_hazard, base + slope * quarters since progression)."""

    base: float
    slope: float
    max_hazard: float
    n: int
    events: int
    source: str
    by_quarter: tuple[float, ...] = ()
    after_move: tuple[float, ...] = ()  # the same since a promotion or a lateral move
    # Every other departure (involuntary, retirement) a quarter, per quarter since the last
    # progression (the last for every later quarter): no choice to leave, so no effect of
    # a strategy applies to it, but the headcount loses them all the same.
    others: tuple[float, ...] = ()
    other_events: int = 0

    def hazard(self, quarters_since_progression: int, moved: bool = False) -> float:
        """The chance of leaving voluntarily in the quarter."""
        q = quarters_since_progression
        bands = self.after_move if moved and self.after_move else self.by_quarter
        if bands:
            return bands[min(q, len(bands) - 1)]
        return min(self.max_hazard, max(0.0, self.base + self.slope * q))

    def other_hazard(self, quarters_since_progression: int) -> float:
        """The chance of any other departure in the quarter."""
        if not self.others:
            return 0.0
        return self.others[min(quarters_since_progression, len(self.others) - 1)]

    @classmethod
    def default(cls) -> DepartureModel:
        return cls(DEFAULTS["departure_base"][0], DEFAULTS["departure_slope"][0],
                   DEFAULTS["departure_max"][0], 0, 0, "default: " + ASSUMED)


@dataclass(frozen=True, slots=True)
class Calibration:
    stages: Mapping[str, Mapping[str, Estimate]]  # stage -> STAGE_RATES name -> estimate
    pay: Mapping[str, Estimate]  # merit_raise_mean/sd, merits_per_year, promotion_raise_*...
    engagement: Mapping[str, Estimate]
    promotion: PromotionModel
    departure: DepartureModel
    person_quarters: float = 0.0
    people: int = 0
    promotions_per_person_year: float = 0.0
    thresholds: StageThresholds = field(default_factory=StageThresholds)
    # roles nobody was promoted from where the promotion model expects CLOSED_EXPECTED or
    # more: the top of their track's ladder in practice (the simulator stops there)
    closed_roles: tuple[str, ...] = ()
    people_with_pay: int = 0  # spells with a pay figure recorded (hire, promotion, raise)

    def rate(self, stage: str, name: str) -> float:
        return self.stages[stage][name].value

    def raise_words(self) -> str:
        """The raises the simulator grows pay by, in words: "no pay data" when the ledger
        records no pay at all (its simulated pay is then none either), and a raise the
        ledger holds too few of marked as the published figure it assumes, not the
        ledger's."""
        if not self.people_with_pay:
            return "no pay data"
        parts = []
        for name, words in (("merit_raise_mean", "merit raise"),
                            ("promotion_raise_mean", "promotion raise")):
            e = self.pay[name]
            parts.append(f"{words} {e.value:.2f}%" + (
                "" if e.n else " (assumed from published surveys: too few in the ledger)"))
        return ", ".join(parts)

    def to_document(self) -> dict[str, Any]:
        return {
            "people": self.people, "person_quarters": round(self.person_quarters, 1),
            "promotions_per_person_year": round(self.promotions_per_person_year, 4),
            "stage_thresholds": asdict(self.thresholds),
            "stages": {s: {k: asdict(e) for k, e in rates.items()}
                       for s, rates in self.stages.items()},
            "pay": {k: asdict(e) for k, e in self.pay.items()},
            "engagement": {k: asdict(e) for k, e in self.engagement.items()},
            "promotion": asdict(self.promotion),
            "departure": asdict(self.departure),
            "closed_roles": list(self.closed_roles),
            "people_with_pay": self.people_with_pay,
        }


def default_calibration(thresholds: StageThresholds = DEFAULT_THRESHOLDS) -> Calibration:
    """Every figure at its documented default: for an empty ledger, and for tests."""
    return Calibration(
        stages={s.value: _defaults(STAGE_RATES) for s in STAGES},
        pay=_defaults(("merit_raise_mean", "merit_raise_sd", "merits_per_year",
                       "promotion_raise_mean", "promotion_raise_sd", "band_pay_step")),
        engagement=_defaults(("engagement_decay", "engagement_promotion_jump",
                              "engagement_lateral_jump", "engagement_recognition_lift",
                              "engagement_start")),
        promotion=PromotionModel.default(), departure=DepartureModel.default(),
        thresholds=thresholds)


# --- the person-quarter panel

PANEL_KINDS = ("hire", "promotion", "lateral_move", "skill_step", "certification",
               "project_leadership", "recognition", "compensation", "check_in", "departure")
COUNTS = ("skill", "directed", "recognitions", "certifications", "projects", "laterals",
          "promoted", "departed", "band_upgrades", "departed_other")


def _quarter(d: date) -> int:
    return d.year * 4 + (d.month - 1) // 3


def _quarter_start(q: int) -> date:
    return date(q // 4, q % 4 * 3 + 1, 1)


def quarters_in_role(since: date, today: date) -> int:
    """Quarters in a role begun on ``since`` for a simulated quarter starting ``today``,
    counted as the panel counts them: calendar quarters from the role's to the one holding
    most of the simulated quarter (its middle). Elapsed time rounded down instead would
    start trajectories up to a quarter short of the panel's count, hence of the promotion
    model's gate and of their departure band."""
    return max(0, _quarter(today + timedelta(days=45)) - _quarter(since))


class _Panel:
    """Walks each person's events quarter by quarter and collects the panel's rows."""

    def __init__(self, framework: Framework, end: date, thresholds: StageThresholds) -> None:
        self.fw, self.end, self.thresholds = framework, end, thresholds
        self.end_q = _quarter(end)
        self.rows = RecordColumns(COLUMNS)
        self.merit: list[float] = []
        # per spell: (hired, left or None, days of its merit raises), for merits a year
        self.spells: list[tuple[date, date | None, list[date]]] = []
        self.promotion_raises: list[float] = []
        self.band_steps: list[float] = []
        self.after_promotion: list[tuple[int, float]] = []  # stage, readiness
        self.pairs: list[tuple[float, float, int, int, int]] = []  # d_eng, quarters, p, l, r
        self.engagement_start: list[int] = []
        self.paid = 0  # spells with any pay recorded
        self._needs: dict[str, dict[str, int] | None] = {}

    def need(self, role: str | None) -> dict[str, int] | None:
        if role is None or role not in self.fw.roles:
            return None
        if role not in self._needs:
            nxt = self.fw.next_role(role)
            self._needs[role] = ({c: m for c, m in nxt.expects.items() if m > 0} or None
                                 if nxt else None)
        return self._needs[role]

    def readiness(self, role: str | None, mastery: Mapping[str, int]) -> float:
        need = self.need(role)
        if not need:
            return math.nan
        return sum(1 for c, m in need.items() if mastery.get(c, 0) >= m) / len(need)

    def rank(self, role: str | None) -> int:
        return self.fw.rank_of(role) if role in self.fw.roles else 1  # type: ignore[arg-type]

    def person(self, events: Sequence[EventRow], band_ups: Sequence[tuple[date, float]]) -> None:
        timeline = sorted([(e.effective_on, 0, e.kind, e.details) for e in events]
                          + [(on, 1, "band_upgrade", {"pct": pct}) for on, pct in band_ups],
                          key=lambda x: (x[0], x[1]))
        s: dict[str, Any] | None = None  # the open spell
        for on, _, kind, d in timeline:
            if s is None:
                if kind != "hire":
                    continue
                s = self._hire(on, d)
                continue
            q = _quarter(on)
            while s["q"] < q:
                self._flush(s)
            c = s["counts"]
            if kind == "skill_step":
                comp, to = d.get("competency"), int(d.get("to_mastery", 0))
                if on != s["hired"]:
                    need = self.need(s["role"]) or {}
                    c["skill"] += 1
                    if comp in need and s["mastery"].get(comp, 0) < need[comp]:
                        c["directed"] += 1
                s["mastery"][comp] = to
            elif kind in ("promotion", "lateral_move"):
                pay = d.get("pay")
                if kind == "promotion":
                    c["promoted"] += 1
                    s["promotions"] += 1
                    if pay and s["pay"]:
                        self.promotion_raises.append(100 * (pay / s["pay"] - 1))
                else:
                    c["laterals"] += 1
                    s["laterals"] += 1
                if pay:
                    s["pay"] = pay
                s["role"], s["role_q"], s["progress_q"] = d.get("role"), q, q
                s["moved"] = True
            elif kind == "compensation":
                self._compensation(s, d)
                if d.get("compensation_kind", "merit") == "merit":
                    s["merits"].append(on)
            elif kind == "recognition":
                c["recognitions"] += 1
                s["recognitions"] += 1
            elif kind == "certification":
                c["certifications"] += 1
            elif kind == "project_leadership":
                c["projects"] += 1
            elif kind == "band_upgrade":
                c["band_upgrades"] += 1
                self.band_steps.append(d["pct"])
            elif kind == "check_in" and d.get("engagement") is not None:
                self._check_in(s, on, int(d["engagement"]))
            elif kind == "departure":
                # voluntary departures are the leaving the models compare; the others end
                # the career all the same (the simulator's headcount loses both)
                c["departed" if left_voluntarily(d) else "departed_other"] += 1
                self._flush(s, last=True)
                self.spells.append((s["hired"], on, s["merits"]))
                self.paid += bool(s["pay"])
                s = None
        if s is not None:
            while s["q"] <= self.end_q:
                self._flush(s)
            self.spells.append((s["hired"], None, s["merits"]))
            self.paid += bool(s["pay"])

    def _hire(self, on: date, d: Mapping[str, Any]) -> dict[str, Any]:
        q = _quarter(on)
        return {"hired": on, "q": q, "role": d.get("role"), "pay": d.get("pay"),
                "mastery": {}, "role_q": q, "progress_q": q, "moved": False,
                "promotions": 0, "laterals": 0,
                "recognitions": 0, "check_in": None, "counts": dict.fromkeys(COUNTS, 0),
                "start": None, "merits": []}

    def _compensation(self, s: dict[str, Any], d: Mapping[str, Any]) -> None:
        kind, pay = d.get("compensation_kind", "merit"), s["pay"]
        if kind == "bonus":
            return
        pct, amount = d.get("percent"), d.get("amount")
        if pct is None and amount is not None and pay:
            pct = 100 * amount / pay
        if kind == "merit" and pct is not None:
            self.merit.append(float(pct))
        if pay:
            s["pay"] = pay + (amount if amount is not None else round(pay * (pct or 0) / 100))

    def _check_in(self, s: dict[str, Any], on: date, value: int) -> None:
        last = s["check_in"]
        now = (on, value, s["promotions"], s["laterals"], s["recognitions"])
        if last is None:
            self.engagement_start.append(value)
        else:
            self.pairs.append((value - last[1], (on - last[0]).days / 91.3125,
                               now[2] - last[2], now[3] - last[3], now[4] - last[4]))
        s["check_in"] = now

    def _flush(self, s: dict[str, Any], last: bool = False) -> None:
        """Close the spell's current quarter as a panel row and open the next."""
        q, role = s["q"], s["role"]
        qs, qe = _quarter_start(q), _quarter_start(q + 1)
        days = (qe - qs).days
        lo = max(qs.toordinal(), s["hired"].toordinal() + 1)
        hi = min(qe.toordinal() - 1, self.end.toordinal())
        frac = max(0.0, (hi - lo + 1) / days)
        start = s["start"]
        if start is None:  # the quarter's opening state, kept from the last flush
            start = (role, self.readiness(role, s["mastery"]), s["role_q"], s["progress_q"],
                     s["moved"])
        role0, ready0, role_q0, progress_q0, moved0 = start
        rank0 = self.rank(role0)
        years = max(0.0, (qs - s["hired"]).days / 365.25)
        stage = STAGES.index(career_stage(years, rank0, self.thresholds))
        c = s["counts"]
        ready_end = self.readiness(role, s["mastery"])
        moved = c["promoted"] or c["laterals"]
        first = q == _quarter(s["hired"])
        gain = ready_end - ready0 if not moved and not first else math.nan
        whole = qe.toordinal() - 1 <= self.end.toordinal()  # not cut short by the end
        self.rows.append((stage, rank0, frac, ready0, q - role_q0, q - progress_q0, gain,
                          *(c[k] for k in COUNTS), moved0, whole, role0))
        if c["promoted"] and not math.isnan(ready_end):
            years_next = max(0.0, (qe - s["hired"]).days / 365.25)
            self.after_promotion.append((STAGES.index(career_stage(
                years_next, self.rank(role), self.thresholds)), ready_end))
        s["counts"] = dict.fromkeys(COUNTS, 0)
        s["q"] = q + 1
        s["start"] = None if last else (role, ready_end, s["role_q"], s["progress_q"],
                                        s["moved"])


COLUMNS = ("stage", "rank", "frac", "readiness", "quarters_in_level", "quarters_since",
           "readiness_gain", *COUNTS, "moved", "whole", "role")


def calibrate(framework: Framework, events: Iterable[EventRow], *, end: date,
              people: Iterable[int] | None = None,
              band_upgrades: Mapping[int, Sequence[tuple[date, float]]] | None = None,
              thresholds: StageThresholds = DEFAULT_THRESHOLDS) -> Calibration:
    """Every simulator parameter from ledger rows of ``PANEL_KINDS``, through ``end``.

    ``people`` limits the panel (Trellis passes individual contributors: people with no
    reports); ``band_upgrades`` are each person's (date, pay step in percent) from their
    profiles, as band upgrades are derived by the fold rather than recorded as events.
    """
    wanted = set(people) if people is not None else None
    return calibrate_of(framework, by_person(events, wanted).items(), end=end,
                        band_upgrades=band_upgrades, thresholds=thresholds)


def calibrate_of(framework: Framework, groups: PersonRows, *, end: date,
                 band_upgrades: Mapping[int, Sequence[tuple[date, float]]] | None = None,
                 thresholds: StageThresholds = DEFAULT_THRESHOLDS) -> Calibration:
    """``calibrate`` of rows already grouped by person (``ledger_groups``), the panel's
    people only."""
    panel = _Panel(framework, end, thresholds)
    ups = band_upgrades or {}
    people = 0
    for pid, rows in groups:
        panel.person(rows, ups.get(pid, ()))
        people += 1
    df = panel.rows.frame()  # the frame holds them now
    if df.empty:
        return default_calibration(thresholds)
    stages = _stage_rates(df, panel.after_promotion)
    exposure = float(df["frac"].sum())
    # the columns the hazard models read: the whole quarters are nearly every row
    whole = df.loc[df["whole"], ["readiness", "promoted", "quarters_in_level", "rank",
                                 "departed", "departed_other", "frac", "quarters_since",
                                 "moved", "role"]]
    promotion = _promotion(whole)
    return Calibration(
        stages=stages, pay=_pay(panel, exposure), engagement=_engagement(panel),
        # The hazard models see whole quarters only: the one the end cuts short holds
        # its first days, whose events need not be a quarter's (dates often cluster on a
        # month's or a cycle's first day), and the logistic counts a row as a quarter.
        promotion=promotion, departure=_with_others(_departure(whole), whole),
        closed_roles=_closed_roles(whole, promotion), person_quarters=exposure,
        people=people, people_with_pay=panel.paid,
        promotions_per_person_year=float(df["promoted"].sum()) / max(exposure, 1e-9) * 4,
        thresholds=thresholds)


def _stage_rates(df: pd.DataFrame, after: Sequence[tuple[int, float]]
                 ) -> dict[str, dict[str, Estimate]]:
    sums = df.groupby("stage")[["frac", *COUNTS]].sum()
    total = df[["frac", *COUNTS]].sum()
    movable = df.loc[df["readiness_gain"].notna(), ["stage", "readiness_gain", "directed"]]
    gain = movable.groupby("stage")[["readiness_gain", "directed"]].sum()
    gain_all = movable[["readiness_gain", "directed"]].sum()
    after_df = pd.DataFrame(list(after), columns=["stage", "readiness"])

    def ratio(num: float, den: float, n: float, source: str, name: str,
              minimum: float = MIN_EXPOSURE, scale: float = 1.0) -> Estimate | None:
        if n < minimum or den <= 0:
            return None
        return Estimate(round(scale * num / den, 5), round(n, 1), source)

    def figures(row: pd.Series, g: pd.Series | None, ready: pd.Series, source: str
                ) -> dict[str, Estimate | None]:
        exposure = float(row["frac"])
        out: dict[str, Estimate | None] = {
            name: ratio(float(row[col]), exposure, exposure, source, name)
            for name, col in (("skill_steps", "skill"), ("recognitions", "recognitions"),
                              ("certifications", "certifications"), ("projects", "projects"),
                              ("lateral_moves", "laterals"), ("band_upgrades", "band_upgrades"))
        }
        out["promotions_per_year"] = ratio(float(row["promoted"]), exposure, exposure,
                                           source, "promotions_per_year", scale=4)
        out["directed_share"] = ratio(float(row["directed"]), float(row["skill"]),
                                      float(row["skill"]), source, "directed_share")
        out["readiness_per_step"] = (ratio(float(g["readiness_gain"]), float(g["directed"]),
                                           float(g["directed"]), source, "readiness_per_step")
                                     if g is not None else None)
        out["readiness_after_promotion"] = (
            Estimate(round(float(ready.mean()), 4), len(ready), source)
            if len(ready) >= MIN_RAISES else None)
        return out

    pooled = figures(total, gain_all, after_df["readiness"], POOLED)
    result: dict[str, dict[str, Estimate]] = {}
    for i, stage in enumerate(STAGES):
        row = sums.loc[i] if i in sums.index else pd.Series(0.0, index=sums.columns)
        g = gain.loc[i] if i in gain.index else None
        mine = figures(row, g, after_df.loc[after_df["stage"] == i, "readiness"], LEDGER)
        result[stage.value] = {
            name: mine[name] or pooled[name] or Estimate.default(name) for name in STAGE_RATES
        }
    return result


def _estimate(values: Sequence[float], name: str, stat: str = "mean",
              minimum: int = MIN_RAISES) -> Estimate:
    if len(values) < minimum:
        return Estimate.default(name)
    array = np.asarray(values, dtype=float)
    value = float(array.std(ddof=1)) if stat == "sd" else float(array.mean())
    return Estimate(round(value, 4), len(values), LEDGER)


def _pay(panel: _Panel, exposure: float) -> dict[str, Estimate]:
    merit, raises = panel.merit, panel.promotion_raises
    years = exposure / 4
    return {
        "merit_raise_mean": _estimate(merit, "merit_raise_mean"),
        "merit_raise_sd": _estimate(merit, "merit_raise_sd", "sd"),
        "merits_per_year": _merit_cycle(panel, years),
        "promotion_raise_mean": _estimate(raises, "promotion_raise_mean"),
        "promotion_raise_sd": _estimate(raises, "promotion_raise_sd", "sd"),
        "band_pay_step": _estimate(panel.band_steps, "band_pay_step"),
    }


def _merit_cycle(panel: _Panel, years: float) -> Estimate:
    """The chance of a merit raise in a year for someone employed all of it: the simulator
    gives one every fourth quarter, with this chance, to whoever is still employed. Merits
    over all person-years would count the years a hire or a leaver is employed only part
    of, and miss the cycle, as chances the employed missed. Calendar years employed from
    1 January to 31 December (within the ledger), with a merit raise in them or not; merits
    over person-years where fewer than MIN_EXPOSURE / 4 such years exist."""
    full = got = 0
    end = panel.end
    through = end.year - (end < date(end.year, 12, 31))  # the last year the ledger holds
    for hired, left, merits in panel.spells:
        first = hired.year + (hired > date(hired.year, 1, 1))
        last = through if left is None else min(through, left.year - 1)
        years_with = {d.year for d in merits}
        for year in range(first, last + 1):
            full += 1
            got += year in years_with
    if full >= MIN_EXPOSURE / 4 and got:
        return Estimate(round(got / full, 4), full, LEDGER + ": years employed in full")
    if years >= MIN_EXPOSURE / 4 and panel.merit:
        return Estimate(round(min(1.0, len(panel.merit) / years), 4), round(years, 1), LEDGER)
    return Estimate.default("merits_per_year")


def _engagement(panel: _Panel) -> dict[str, Estimate]:
    names = ("engagement_decay", "engagement_promotion_jump", "engagement_lateral_jump",
             "engagement_recognition_lift")
    out = _defaults(names)
    pairs = np.asarray(panel.pairs, dtype=float).reshape(-1, 5)
    if len(pairs) >= MIN_PAIRS:
        x = pairs[:, 1:]
        coef, *_ = np.linalg.lstsq(x, pairs[:, 0], rcond=None)
        events = {"engagement_decay": len(pairs),
                  "engagement_promotion_jump": int(pairs[:, 2].sum()),
                  "engagement_lateral_jump": int(pairs[:, 3].sum()),
                  "engagement_recognition_lift": int(pairs[:, 4].sum())}
        for name, value in zip(names, (-coef[0], coef[1], coef[2], coef[3]), strict=True):
            if events[name] >= MIN_EVENTS:
                out[name] = Estimate(round(float(value), 4), events[name], LEDGER)
    out["engagement_start"] = _estimate([float(v) for v in panel.engagement_start],
                                        "engagement_start")
    return out


def _promotion(df: pd.DataFrame) -> PromotionModel:
    at_risk = df[df["readiness"].notna()]
    promoted = at_risk[at_risk["promoted"] > 0]
    if len(promoted) < MIN_EVENTS:
        return _rare_promotion(at_risk)
    min_q = int(promoted["quarters_in_level"].min())
    fit = at_risk[at_risk["quarters_in_level"] >= min_q]
    x = np.column_stack([
        np.ones(len(fit)), fit["readiness"].to_numpy(float),
        np.minimum(fit["quarters_in_level"].to_numpy(float), TIME_CAP_QUARTERS) / 4,
        fit["rank"].to_numpy(float)])
    y = (fit["promoted"].to_numpy(float) > 0).astype(float)
    beta = logistic_fit(x, y)
    if beta is None:
        return PromotionModel.default()
    b0, b1, b2, b3 = (round(float(b), 5) for b in beta)
    return PromotionModel(b0, b1, b2, b3, min_quarters=min_q, n=len(fit),
                          events=int(y.sum()), source=LEDGER)


def _closed_roles(df: pd.DataFrame, model: PromotionModel) -> tuple[str, ...]:
    """Roles nobody was promoted from although the model expects CLOSED_EXPECTED or more
    promotions in their quarters (Poisson: no promotion at all then has a chance below 1%).
    The model has no term for a ladder that ends early (an individual contributor's track
    that stops at a level while its next role exists for managers, say); a ledger that
    never promotes from a role where it would be expected to says so."""
    if model.n == 0 or not len(df):
        return ()
    rows = df[df["readiness"].notna() & (df["quarters_in_level"] >= model.min_quarters)
              & df["role"].notna()]
    z = (model.intercept + model.readiness * rows["readiness"].to_numpy(float)
         + model.years_in_level * np.minimum(rows["quarters_in_level"].to_numpy(float),
                                             TIME_CAP_QUARTERS) / 4
         + model.rank * rows["rank"].to_numpy(float))
    by_role = pd.DataFrame({"role": rows["role"].to_numpy(), "expected": 1 / (1 + np.exp(-z)),
                            "promoted": rows["promoted"].to_numpy(float)}
                           ).groupby("role")[["expected", "promoted"]].sum()
    closed = by_role[(by_role["promoted"] == 0) & (by_role["expected"] >= CLOSED_EXPECTED)]
    return tuple(sorted(str(r) for r in closed.index))


def _rare_promotion(at_risk: pd.DataFrame) -> PromotionModel:
    """Too few promotions for the logistic. The default (published rates) stands where the
    ledger is too small to contradict it: where the default would expect fewer than
    MIN_EVENTS promotions in its quarters. Otherwise the ledger has shown it does not
    promote at the published rate, and its own constant rate holds: (promotions + 0.5) /
    (quarters + 1), the Jeffreys estimate, defined when no promotion was seen."""
    default = PromotionModel.default()
    rows = at_risk[at_risk["quarters_in_level"] >= default.min_quarters]
    z = (default.intercept + default.readiness * rows["readiness"].to_numpy(float)
         + default.years_in_level * np.minimum(rows["quarters_in_level"].to_numpy(float),
                                               TIME_CAP_QUARTERS) / 4
         + default.rank * rows["rank"].to_numpy(float))
    if float((1 / (1 + np.exp(-z))).sum()) < MIN_EVENTS:
        return default
    k, n = int((rows["promoted"] > 0).sum()), len(rows)
    p = (k + 0.5) / (n + 1)
    return PromotionModel(round(math.log(p / (1 - p)), 5), 0.0, 0.0, 0.0,
                          default.min_quarters, n, k,
                          f"{LEDGER}: {k} promotions in {n:,} quarters, too few for the "
                          "logistic and fewer than the published rate expects")


def logistic_fit(x: np.ndarray, y: np.ndarray, iterations: int = 50,
                 ridge: float = 1e-6) -> np.ndarray | None:
    """Maximum-likelihood logistic coefficients by Newton's method (None if it diverges)."""
    beta = np.zeros(x.shape[1])
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(x @ beta, -30, 30)))
        w = p * (1 - p)
        hessian = x.T @ (x * w[:, None]) + ridge * np.eye(x.shape[1])
        step = np.linalg.solve(hessian, x.T @ (y - p) - ridge * beta)
        beta = beta + step
        if not np.all(np.isfinite(beta)):
            return None
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def _with_others(model: DepartureModel, df: pd.DataFrame) -> DepartureModel:
    """``model`` with the rate of the other departures per band of quarters since the
    last progression: a band's own where it holds MIN_EVENTS of them, else the rate over
    every quarter (none seen: 0, not a default, as no ledger is assumed to dismiss); a
    band past every quarter the ledger holds keeps the band before it."""
    y = df["departed_other"].to_numpy(float) if "departed_other" in df else \
        np.zeros(len(df))
    if not y.sum():
        return model
    frac = df["frac"].to_numpy(float)
    since = df["quarters_since"].to_numpy(float)
    overall = float(y.sum()) / max(float(frac.sum()), 1e-9)
    last_seen = float(since[frac > 0].max(initial=0))
    out: list[float] = []
    for lo, hi in DEPARTURE_BANDS:
        inside = (since >= lo) & (since < hi)
        left, exposure = float(y[inside].sum()), float(frac[inside].sum())
        if out and lo > last_seen:
            rate = out[-1]  # past the data, as the voluntary bands
        else:
            rate = left / exposure if left >= MIN_EVENTS and exposure > 0 else overall
        out += [round(rate, 5)] * (min(hi, DEPARTURE_BANDS[-1][0] + 1) - lo)
    return replace(model, others=tuple(out), other_events=int(y.sum()))


def _departure(df: pd.DataFrame) -> DepartureModel:
    """The voluntary departures' hazard (the ``departed`` column)."""
    y = df["departed"].to_numpy(float)
    if y.sum() < MIN_EVENTS:
        return DepartureModel.default()
    frac = df["frac"].to_numpy(float)
    since = df["quarters_since"].to_numpy(float)
    # E[departed] = frac * (base + slope * since): least squares without an intercept.
    (base, slope), *_ = np.linalg.lstsq(np.column_stack([frac, frac * since]), y, rcond=None)
    top = float(np.quantile(since, 0.99))
    cap = max(float(base), float(base + slope * top))
    # The hazard need not be a line: a new role's first year and long stagnation can both
    # be risky, and a promotion's new role need not be as risky as a hire's. Each band's
    # own rate, since a hire and since a promotion or move, where it holds MIN_EVENTS
    # departures; else both kinds pooled; else (a first-year quarter) the first year's;
    # else the line. A band past every quarter the ledger holds keeps the last band's rate:
    # a hazard that changed with tenure inside the data is not carried past it by a line.
    moved = (df["moved"].to_numpy(bool) if "moved" in df
             else np.zeros(len(df), bool))

    def observed(lo: int, hi: int, mask: np.ndarray | None) -> float | None:
        pooled = (since >= lo) & (since < hi)
        inside = pooled if mask is None else pooled & mask
        for where in (inside, pooled):
            exposure, left = float(frac[where].sum()), float(y[where].sum())
            if left >= MIN_EVENTS and exposure > 0:
                return left / exposure
        return None

    last_seen = float(since[frac > 0].max(initial=0))

    def bands(mask: np.ndarray | None) -> list[float]:
        out: list[float] = []
        for lo, hi in DEPARTURE_BANDS:
            rate = None
            if out and lo > last_seen:
                rate = out[-1]  # past the data
            rate = rate if rate is not None else observed(lo, hi, mask)
            if rate is None and hi <= FIRST_YEAR[1]:
                rate = observed(*FIRST_YEAR, mask)
            if rate is None:
                rate = min(cap, max(0.0, float(base + slope * (lo + min(hi, top + 1)) / 2)))
            out += [round(rate, 5)] * (min(hi, DEPARTURE_BANDS[-1][0] + 1) - lo)
        return out

    by_quarter = bands(~moved if moved.any() else None)
    after_move = tuple(bands(moved)) if moved.any() else ()
    return DepartureModel(round(float(base), 5), round(float(slope), 6), round(cap, 5),
                          len(df), int(y.sum()), LEDGER, tuple(by_quarter), after_move)
