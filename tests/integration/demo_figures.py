"""The published figures the demo is calibrated to, measured on an exported ledger with
pandas, independently of the generator and of Trellis's analytics (docs/strategy.md cites
each figure's source).

``measure`` takes the flat records ``trellis export`` writes (people, then events) and the
framework (for level ranks only), and returns every figure with its sample size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from math import erf, sqrt
from typing import Any

import numpy as np
import pandas as pd

from trellis.domain.framework import Framework

YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Figures:
    promoted_a_year: float  # share of people employed on 1 January promoted that year
    promoted_by_stage: dict[str, float]  # the same by level at 1 January: L1-2, L3-4, L5+
    headcount_years: int  # people counted on the 1 Januaries
    promotion_raise: float  # mean percent of the pay before
    merit_raise: float  # mean percent
    raises: int
    retention: dict[str, float]  # 3 years after the hire: promoted, lateral, neither
    retention_n: dict[str, int]
    engagement_after: dict[int, float]  # quarter after a promotion -> mean change
    engagement_n: int
    ratings: dict[int, float]  # manager reviews' overall rating -> share
    rating_mean: float
    rating_sd: float
    rating_skew: float
    normal_gap: float  # largest gap between the shares and a rounded normal's
    overlap: float  # share of steps worked on while another competency stepped
    pace_spread: float  # coefficient of variation of steps per year across people


def frame(records: Iterable[Mapping[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = list(records)
    people = pd.DataFrame([r for r in rows if r["record"] == "person"])
    events = pd.DataFrame([r for r in rows if r["record"] == "event"])
    events["on"] = pd.to_datetime(events["effective_on"]).dt.date
    return people, events


def measure(records: Iterable[Mapping[str, Any]], framework: Framework, end: date) -> Figures:
    people, events = frame(records)
    managers = set(people["manager"].dropna())
    hires = events[events["kind"] == "hire"].set_index("person")["on"]
    left = events[events["kind"] == "departure"].set_index("person")["on"]
    moves = events[events["kind"].isin(["hire", "promotion", "lateral_move"])]
    promo = events[events["kind"] == "promotion"]

    # --- promotions a year, per 1 January headcount, by the level held that day
    rank = {r: framework.rank_of(r) for r in framework.roles}
    counted = promoted = 0
    by_stage: dict[str, list[int]] = {"early": [0, 0], "mid": [0, 0], "late": [0, 0]}
    first = min(hires) + YEAR
    for year in range(first.year + 1, end.year):
        jan1, dec31 = date(year, 1, 1), date(year, 12, 31)
        here = [h for h, on in hires.items() if on <= jan1
                and (h not in left or left[h] > jan1)]
        held = (moves[moves["on"] <= jan1].sort_values("on").groupby("person")["role"].last())
        up = set(promo[(promo["on"] >= jan1) & (promo["on"] <= dec31)]["person"])
        for h in here:
            r = rank[held[h]]
            stage = "early" if r <= 2 else "mid" if r <= 4 else "late"
            by_stage[stage][0] += 1
            by_stage[stage][1] += h in up
        counted += len(here)
        promoted += len(up & set(here))

    # --- raises: pay followed through hire, merit, adjustment, promotion and move events
    pay_events = events[events["kind"].isin(["hire", "promotion", "lateral_move",
                                             "compensation"])].sort_values(["person", "on"])
    promotion_raises, merits = [], []
    for _, mine in pay_events.groupby("person", sort=False):
        pay = None
        for e in mine.itertuples():
            if e.kind == "compensation":
                if e.compensation_kind == "bonus" or pay is None:
                    continue
                change = round(pay * e.percent / 100) if not pd.isna(e.percent) else e.amount
                if e.compensation_kind == "merit":
                    merits.append(100 * change / pay)
                pay += change
            elif not pd.isna(e.pay):
                if e.kind == "promotion" and pay:
                    promotion_raises.append(100 * (e.pay / pay - 1))
                pay = e.pay

    # --- three-year retention by what happened in those years (individual contributors)
    groups: dict[str, list[bool]] = {"promoted": [], "lateral": [], "neither": []}
    moved = events[events["kind"].isin(["promotion", "lateral_move"])].copy()
    moved["horizon"] = moved["person"].map(hires) + 3 * YEAR
    moved = moved[moved["on"] <= moved["horizon"]]
    promoted_by = set(moved[moved["kind"] == "promotion"]["person"])
    lateral_by = set(moved[moved["kind"] == "lateral_move"]["person"])
    for h, on in hires.items():
        if on + 3 * YEAR > end or h in managers:
            continue
        group = ("promoted" if h in promoted_by else "lateral" if h in lateral_by
                 else "neither")
        groups[group].append(not (h in left and left[h] <= on + 3 * YEAR))

    # --- check-ins around a promotion: the last one before it, and those after
    checks = events[events["kind"] == "check_in"][["person", "on", "engagement"]]
    by_person = {h: g.sort_values("on") for h, g in checks.groupby("person")}
    changes: dict[int, list[float]] = {q: [] for q in range(1, 7)}
    for p in promo.itertuples():
        mine = by_person.get(p.person)
        if mine is None:
            continue
        before = mine[(mine["on"] < p.on) & (mine["on"] >= p.on - timedelta(days=120))]
        if before.empty:
            continue
        base = float(before["engagement"].iloc[-1])
        later = mine[mine["on"] >= p.on]
        nxt = promo[(promo["person"] == p.person) & (promo["on"] > p.on)]
        stop = nxt["on"].min() if not nxt.empty else date.max
        for c in later[later["on"] < stop].itertuples():
            q = 1 + (c.on - p.on).days // 91
            if q in changes:
                changes[q].append(float(c.engagement) - base)

    # --- manager review ratings
    reviews = events[(events["kind"] == "review") & (events["reviewer_role"] == "manager")]
    values = reviews["rating"].astype(int)
    shares = values.value_counts(normalize=True).reindex(range(1, 6), fill_value=0.0)
    mu, sd = float(values.mean()), float(values.std())
    cdf = [0.5 * (1 + erf((x - mu) / (sd * sqrt(2)))) for x in (1.5, 2.5, 3.5, 4.5)]
    normal = np.diff([0.0, *cdf, 1.0])
    skew = float(((values - mu) ** 3).mean() / values.std(ddof=0) ** 3)

    # --- skill steps: competencies in progress at once, and each person's pace
    steps = events[(events["kind"] == "skill_step")].copy()
    steps["hired"] = steps["person"].map(hires)
    steps = steps[steps["on"] > steps["hired"]].sort_values(["person", "on"])
    overlap: list[bool] = []
    pace: list[float] = []
    for h, mine in steps.groupby("person"):
        # work on one competency: from its previous step, within a year; it overlaps
        # another competency's when that one's step falls inside it
        last: dict[str, date] = {}
        done = list(zip(mine["on"], mine["competency"], strict=True))
        for on, comp in done:
            if comp in last and (on - last[comp]).days <= 365:
                overlap.append(any(last[comp] < d < on and c != comp for d, c in done))
            last[comp] = on
        employed = ((left.get(h, end) if h in left else end) - hires[h]).days / 365.25
        if employed >= 2 and h not in managers:
            pace.append(len(mine) / employed)

    return Figures(
        promoted_a_year=promoted / counted, headcount_years=counted,
        promoted_by_stage={s: up / n for s, (n, up) in by_stage.items() if n},
        promotion_raise=float(np.mean(promotion_raises)), merit_raise=float(np.mean(merits)),
        raises=len(promotion_raises),
        retention={g: float(np.mean(v)) for g, v in groups.items() if v},
        retention_n={g: len(v) for g, v in groups.items()},
        engagement_after={q: float(np.mean(v)) for q, v in changes.items() if v},
        engagement_n=len(changes[1]),
        ratings={int(k): float(v) for k, v in shares.items()}, rating_mean=mu, rating_sd=sd,
        rating_skew=skew, normal_gap=float(np.max(np.abs(shares.to_numpy() - normal))),
        overlap=float(np.mean(overlap)) if overlap else 0.0,
        pace_spread=float(np.std(pace) / np.mean(pace)) if pace else 0.0,
    )
