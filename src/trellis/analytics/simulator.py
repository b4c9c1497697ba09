"""The strategy simulator: a quarterly Monte Carlo model of careers, vectorized with numpy.

Every trajectory is one row of a few arrays of shape ``(runs,)``; the only Python loop is
over quarters. Each quarter, for every trajectory still employed (equations in
docs/strategy.md; rates per career stage from ``analytics.calibration``):

- skill steps toward the next role ~ Poisson(skill * d(e)) and other steps ~ Poisson(skill
  * (1 - d(e))) (Poisson thinning); readiness += steps toward the next role * gain;
- recognitions ~ Poisson(rate * m(e)); a certification, a project led, a lateral move and a
  band upgrade each with probability 1 - exp(-rate * m(e));
- a promotion, from ``min_quarters`` in level and below the track's top level, with
  probability logistic(b0 + b1 readiness + b2 years in level + b3 rank) * a(e);
- pay: a merit raise every fourth quarter (with probability merits a year), the promotion
  raise, the band upgrade's pay step;
- engagement += -decay + lift * recognitions + jump * promoted + lateral jump, kept in 1-5;
- a departure at the quarter's end: voluntary with the calibrated hazard of its band of
  quarters since the last hire, promotion or lateral move, times the leaving effect of
  frequent micro-progression (below), plus every other departure's rate (involuntary,
  retirement), which no strategy changes.

The leaving effect (``LeavingEffect``, from ``analytics.strategy_effects``: the figure
``trellis advise`` quotes) is per career stage and role type: a trajectory whose
micro-progressions a quarter over the previous four quarters (fewer at the start: none
simulated yet, no effect) exceed the cohort's threshold leaves at ``ratio`` times the rate
of one at or below it, both scaled so that the observed mix (a share ``f`` of the
person-years frequent) keeps the calibrated rate: rare ``r / (f * ratio + 1 - f)``,
frequent ``ratio`` times that. Micro-progressions counted for it are the panel's kinds the
simulator draws: skill steps, recognitions, certifications, projects led, lateral moves and
merit raises (band upgrades are derived, not counted, as in the panel).

A strategy is the share ``e`` of effort aimed at promotion: it sets the share d(e) of skill
steps toward the next role, the promotion factor a(e) = 0.5 + e and the micro-progression
factor m(e) = 1.5 - e; the organization's observed behaviour is taken as balanced (e = 0.5,
all factors 1).

Random numbers come as 16-bit lanes of the generator's raw 64-bit output (probabilities
resolved to 1/65,536) and Poisson counts from a per-stage inverse-CDF table: the same
draws as ``rng.poisson`` in distribution, at a fraction of the cost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from trellis.domain.career_stage import STAGES, StageThresholds
from trellis.errors import TrellisError

from .calibration import TIME_CAP_QUARTERS, Calibration

LANE = 65536  # 16-bit uniform lanes
PERCENTILES = (10, 50, 90)
METRICS = ("pay", "level", "steps", "engagement")
BAND_SAMPLE = 20_000  # trajectories behind the bands over time (the horizon uses all)
PRESETS: dict[str, float] = {"promotion": 0.8, "balanced": 0.5, "micro": 0.2}
Array = NDArray[Any]


@dataclass(frozen=True, slots=True)
class Strategy:
    """A share of effort aimed at promotion (the rest goes to micro-progressions)."""

    name: str
    promotion_effort: float

    def directed_share(self, observed: float) -> float:
        """d(e): 0 at e = 0, the observed share at e = 0.5, 1 at e = 1 (piecewise linear)."""
        e = self.promotion_effort
        if e <= 0.5:
            return 2 * e * observed
        return observed + (2 * e - 1) * (1 - observed)

    @property
    def promotion_factor(self) -> float:
        return 0.5 + self.promotion_effort

    @property
    def micro_factor(self) -> float:
        return 1.5 - self.promotion_effort


def parse_strategies(text: str) -> list[Strategy]:
    """``promotion``, ``micro``, ``balanced``, ``all`` or a promotion-effort share (a MIX
    such as ``0.3``), comma-separated."""
    out: list[Strategy] = []
    for part in (p.strip().lower() for p in text.split(",")):
        if part == "all":
            out += [Strategy(name, share) for name, share in PRESETS.items()]
        elif part in PRESETS:
            out.append(Strategy(part, PRESETS[part]))
        else:
            try:
                share = float(part)
            except ValueError:
                share = math.nan
            if not 0 <= share <= 1:
                raise TrellisError(
                    f"unknown strategy '{part}': use promotion, micro, balanced, all or a "
                    "promotion-effort share from 0 to 1 (such as 0.3)")
            out.append(Strategy(f"mix {share:g}", share))
    unique = {s.name: s for s in out}
    return list(unique.values())


@dataclass(frozen=True, slots=True)
class LeavingEffect:
    """Frequent against rare micro-progressors' voluntary departures in one cohort (career
    stage and role type), as ``analytics.strategy_effects`` measured them."""

    threshold: float  # micro-progressions a quarter over the previous year: above, frequent
    ratio: float  # frequent micro-progressors' rate over rare ones', at the same time in level
    frequent_share: float  # of the cohort's person-years

    def factors(self) -> tuple[float, float]:
        """The calibrated hazard's multipliers for a rare and a frequent micro-progressor:
        their mix at the observed share averages 1."""
        norm = self.frequent_share * self.ratio + 1 - self.frequent_share
        return 1 / norm, self.ratio / norm


@dataclass(frozen=True, slots=True)
class Start:
    """The people trajectories start from (arrays of one length: one entry per person)."""

    rank: Array
    top_rank: Array  # no promotion at or above it
    pay: Array  # NaN: no pay recorded (its trajectories count in no pay figure)
    readiness: Array
    quarters_in_level: Array
    quarters_since: Array  # since the last promotion, lateral move or the hire
    years: Array  # since the hire
    engagement: Array
    moved: Array | None = None  # the last progression was a promotion or a move, not the hire
    structured: Array | None = None  # on a structured track (None: all are)

    def __len__(self) -> int:
        return len(self.rank)

    @classmethod
    def of(cls, **values: Any) -> Start:
        arrays = {k: np.atleast_1d(np.asarray(v)) for k, v in values.items()
                  if v is not None}
        size = max(len(a) for a in arrays.values())
        return cls(**{k: np.broadcast_to(a, (size,)) for k, a in arrays.items()})


@dataclass(frozen=True, slots=True)
class Bands:
    p10: Array
    p50: Array
    p90: Array


@dataclass(frozen=True, slots=True)
class Outcome:
    strategy: Strategy
    quarters: int
    runs: int
    survival: Array  # share still employed, quarters + 1 values
    bands: Mapping[str, Bands]  # METRICS over time, among those still employed (or none)
    horizon: Mapping[str, tuple[float, float, float]]  # P10/P50/P90 at the horizon
    promotions: float  # mean per trajectory
    micro_progressions: float
    seconds: float = 0.0
    extra: Mapping[str, float] = field(default_factory=dict)

    def to_document(self) -> dict[str, Any]:
        def rounded(a: Array) -> list[float | None]:
            return [None if math.isnan(v) else round(float(v), 3) for v in a]

        return {
            "strategy": self.strategy.name, "promotion_effort": self.strategy.promotion_effort,
            "quarters": self.quarters, "runs": self.runs,
            "horizon": {m: dict(zip(("p10", "p50", "p90"),
                                    (None if math.isnan(v) else round(v, 3) for v in h),
                                    strict=True)) for m, h in self.horizon.items()},
            "survival": round(float(self.survival[-1]), 4),
            "promotions_mean": round(self.promotions, 3),
            "micro_progressions_mean": round(self.micro_progressions, 2),
            "over_time": {"survival": rounded(self.survival), **{
                m: {"p10": rounded(b.p10), "p50": rounded(b.p50), "p90": rounded(b.p90)}
                for m, b in self.bands.items()}},
        }


def poisson_table(means: Array) -> Array:
    """Inverse-CDF lookup: table[s * LANE + u] ~ Poisson(means[s]) for u uniform in lanes."""
    return np.concatenate([_poisson_lanes(float(mean)) for mean in means])


_U = (np.arange(LANE) + 0.5) / LANE
_K = np.arange(64)
_LOG_FACTORIAL = np.array([math.lgamma(i + 1) for i in _K])


@lru_cache(maxsize=256)
def _poisson_lanes(mean: float) -> Array:
    """One mean's lanes: the number of cumulative probabilities at or below each lane's
    uniform (``searchsorted(cdf, u, side="right")``), counted from the other side: the
    cdf's 64 values placed among the lanes, then a running count. The same integers, a
    fraction of the work; kept per mean, since every request of one calibration and
    strategy asks for the same ones (read only)."""
    pmf = np.exp(-mean + _K * math.log(mean) - _LOG_FACTORIAL) if mean > 0 else \
        (_K == 0).astype(float)
    first_lane = np.searchsorted(_U, np.cumsum(pmf), side="left")
    table = np.cumsum(np.bincount(first_lane, minlength=LANE + 1)[:LANE]).astype(np.int8)
    table.flags.writeable = False
    return table


def threshold(p: Array | float) -> Array:
    """A probability as a 16-bit lane threshold: ``lane < threshold`` has that chance."""
    return np.round(np.clip(np.asarray(p, dtype=np.float64), 0, 1) * LANE).astype(np.int32)


def stage_of(years: Array, rank: Array, t: StageThresholds) -> Array:
    """``domain.career_stage`` over arrays: 0 early, 1 mid, 2 late."""
    by_rank = (rank >= t.mid_rank).astype(np.int8) + (rank >= t.late_rank)
    by_years = (years >= t.mid_years).astype(np.int8) + (years >= t.late_years)
    return np.maximum(by_rank, by_years)


def simulate(calibration: Calibration, start: Start, strategy: Strategy, *, quarters: int,
             runs: int, rng: np.random.Generator, band_sample: int = BAND_SAMPLE,
             bands: bool = True,
             leaving: Mapping[tuple[str, str], LeavingEffect] | None = None) -> Outcome:
    """Run ``runs`` trajectories for ``quarters`` quarters from ``start`` under ``strategy``;
    without ``bands`` the percentiles over time are not taken (``Outcome.bands`` empty: most
    of a small run's time), the rest the same to the bit (the same draws). ``leaving``: the
    leaving effect per (stage, role type); a cohort without one has none."""
    import time

    began = time.perf_counter()
    cal, e = calibration, strategy
    stages = [s.value for s in STAGES]

    def per_stage(name: str) -> Array:
        return np.array([cal.rate(s, name) for s in stages])

    skill = per_stage("skill_steps")
    directed = np.array([e.directed_share(min(1.0, max(0.0, d)))
                         for d in per_stage("directed_share")])
    mf = e.micro_factor
    t_dir = poisson_table(skill * directed)
    t_oth = poisson_table(skill * (1 - directed))
    t_rec = poisson_table(per_stage("recognitions") * mf)
    th_cert, th_proj, th_lat, th_band = (
        threshold(1 - np.exp(-per_stage(name) * mf))
        for name in ("certifications", "projects", "lateral_moves", "band_upgrades"))
    gain = per_stage("readiness_per_step").astype(np.float32)
    after = per_stage("readiness_after_promotion").astype(np.float32)
    pay_cal, eng_cal, pm, dm = cal.pay, cal.engagement, cal.promotion, cal.departure
    merit_mu, merit_sd = pay_cal["merit_raise_mean"].value, pay_cal["merit_raise_sd"].value
    th_merit = int(threshold(pay_cal["merits_per_year"].value))
    promo_mu, promo_sd = (pay_cal["promotion_raise_mean"].value,
                          pay_cal["promotion_raise_sd"].value)
    band_step = np.float32(1 + pay_cal["band_pay_step"].value / 100)
    decay, jump = eng_cal["engagement_decay"].value, eng_cal["engagement_promotion_jump"].value
    lateral_jump = eng_cal["engagement_lateral_jump"].value
    lift = np.float32(eng_cal["engagement_recognition_lift"].value)
    attempt = np.float32(e.promotion_factor * LANE)

    # --- the trajectories' state
    members = len(start)
    sample = min(runs, band_sample)
    who = np.arange(runs) % members
    if members > sample:
        rng.shuffle(who)
    rank = start.rank[who].astype(np.int8)
    top = start.top_rank[who].astype(np.int8)
    pay = start.pay[who].astype(np.float32)
    ready = start.readiness[who].astype(np.float32)
    tin = start.quarters_in_level[who].astype(np.int16)
    since = start.quarters_since[who].astype(np.int16)
    years0 = start.years[who].astype(np.float32)
    eng = start.engagement[who].astype(np.float32)
    cohort_type = (np.zeros(runs, np.int8) if start.structured is None
                   else (~start.structured[who].astype(bool)).astype(np.int8))  # 1 dynamic
    moved_ever = (start.moved[who].astype(bool) if start.moved is not None
                  else np.zeros(runs, bool))
    del who
    steps = np.zeros(runs, np.int16)
    micro = np.zeros(runs, np.int16)
    promos = np.zeros(runs, np.int8)
    alive = np.ones(runs, bool)
    survival = np.ones(quarters + 1)
    over_time = {m: np.full((3, quarters + 1), np.nan) for m in METRICS}
    values: dict[str, Array] = {"pay": pay, "level": rank, "steps": steps, "engagement": eng}
    if bands:
        _bands(over_time, values, alive, sample, 0)
    bits = rng.bit_generator
    # Lookup tables over the small integer states: departure thresholds by quarters since
    # the last progression, the promotion score's readiness-free part by (time, rank).
    longest = int(since.max(initial=0)) + quarters + 1
    quits = np.array([[dm.hazard(q, m) for q in range(longest + 1)] for m in (False, True)])
    others = np.array([dm.other_hazard(q) for q in range(longest + 1)])
    th_leave = threshold(quits + others).astype(np.int32)
    effect = _leaving_tables(leaving, stages)
    if effect is not None:
        p_quit, p_other = quits.astype(np.float32), others.astype(np.float32)
        recent = np.zeros((4, runs), np.int16)  # counted micro-progressions, the last 4 quarters
        window = np.zeros(runs, np.int16)  # their sum, kept as quarters enter and leave
        cut, leave_factor = effect
        frequent_quarters = at_risk_quarters = 0  # how many of the effect's were frequent
    score = (pm.intercept + pm.years_in_level / 4 * np.minimum(
        np.arange(TIME_CAP_QUARTERS + 1), TIME_CAP_QUARTERS)[:, None]
        + pm.rank * np.arange(128)[None, :]).astype(np.float32).ravel()
    b_ready = np.float32(pm.readiness)
    one, f_decay = np.float32(1), np.float32(decay)

    for q in range(quarters):
        lanes = bits.random_raw(runs * 10 // 4 + 1).view(np.uint16)[:runs * 10].reshape(10, runs)
        stage = stage_of(years0 + np.float32(q / 4), rank, cal.thresholds)
        offset = stage.astype(np.int32) * LANE
        if effect is None or q == 0:  # no history simulated yet: the calibrated rate
            leave = alive & (lanes[0] < th_leave[moved_ever.view(np.int8), since])
        else:
            c = stage.astype(np.int32) * 2 + cohort_type
            above = window > cut[c] * np.float32(min(4, q))  # the rate over the window
            counted_cohort = alive & np.isfinite(cut[c])
            frequent_quarters += int(np.count_nonzero(above & counted_cohort))
            at_risk_quarters += int(np.count_nonzero(counted_cohort))
            p = p_quit[moved_ever.view(np.int8), since]
            p *= leave_factor[c * 2 + above]
            p += p_other[since]
            leave = alive & (lanes[0] < threshold(p))
        kd = t_dir[offset + lanes[1]] * alive
        ko = t_oth[offset + lanes[2]] * alive
        kr = t_rec[offset + lanes[3]] * alive
        cert = alive & (lanes[4] < th_cert[stage])
        proj = alive & (lanes[5] < th_proj[stage])
        band = alive & (lanes[6] < th_band[stage])
        lat = alive & (lanes[7] < th_lat[stage])
        eligible = alive & (tin >= pm.min_quarters) & (rank < top)
        ready += kd * gain[stage]
        np.minimum(ready, one, out=ready)
        z = score[np.minimum(tin, TIME_CAP_QUARTERS).astype(np.int32) * 128 + rank]
        z += b_ready * ready
        np.negative(z, out=z)
        np.exp(z, out=z)
        z += one
        promoted = eligible & (lanes[8] * z < attempt)  # lane < attempt * logistic(score)
        lat &= ~promoted
        # pay: band upgrades, the yearly merit cycle, promotion raises
        np.multiply(pay, band_step, out=pay, where=band)
        merit = None
        if q % 4 == 3:
            merit = alive & (lanes[9] < th_merit)
            factor = rng.standard_normal(runs, dtype=np.float32)
            factor *= np.float32(merit_sd / 100)
            factor += np.float32(1 + merit_mu / 100)
            np.multiply(pay, factor, out=pay, where=merit)
        n_promoted = int(np.count_nonzero(promoted))
        if n_promoted:
            raise_ = rng.standard_normal(n_promoted, dtype=np.float32)
            pay[promoted] *= 1 + (np.float32(promo_mu) + np.float32(promo_sd) * raise_) / 100
        # level, clocks, counts, engagement
        rank += promoted
        if n_promoted:  # readiness for the role after next, as calibrated: by the new stage
            ready[promoted] = after[stage_of(years0[promoted] + np.float32((q + 1) / 4),
                                             rank[promoted], cal.thresholds)]
        moved = promoted | lat
        moved_ever |= moved
        # the quarter after a promotion or move is the new role's first, as the panel counts
        # it (analytics.calibration: calendar quarters since the role's quarter)
        tin *= ~moved
        tin += alive
        since *= ~moved
        since += alive
        kd += ko
        steps += kd
        kd += kr
        micro += kd
        micro += cert
        micro += proj
        micro += lat
        micro += band
        promos += promoted
        if effect is not None:  # this quarter's, for the next four quarters' departures
            counted = recent[q % 4]
            window -= counted  # the quarter leaving the window
            counted[:] = kd  # skill steps and recognitions
            counted += cert
            counted += proj
            counted += lat
            if merit is not None:
                counted += merit
            window += counted
        change = kr * lift
        change -= f_decay
        change += np.float32(jump) * promoted
        change += np.float32(lateral_jump) * lat
        np.add(eng, change, out=eng, where=alive)
        np.clip(eng, one, np.float32(5), out=eng)
        alive &= ~leave
        survival[q + 1] = np.count_nonzero(alive) / runs
        if bands:
            _bands(over_time, values, alive, sample, q + 1)

    horizon = _stacked_percentiles(values, alive)
    taken = {m: Bands(*over_time[m]) for m in METRICS} if bands else {}
    # the share of simulated person-quarters under an effect that were frequent, against
    # the observed share the effect is scaled by (a diagnostic: docs/strategy.md)
    extra = ({"leaving_frequent_share": frequent_quarters / at_risk_quarters}
             if effect is not None and at_risk_quarters else {})
    return Outcome(strategy, quarters, runs, survival, taken, horizon,
                   promotions=float(promos.mean()), micro_progressions=float(micro.mean()),
                   seconds=time.perf_counter() - began, extra=extra)


def _leaving_tables(leaving: Mapping[tuple[str, str], LeavingEffect] | None,
                    stages: list[str]) -> tuple[Array, Array] | None:
    """Per cohort (stage * 2 + dynamic): the threshold, and the multipliers (cohort * 2:
    rare, cohort * 2 + 1: frequent); a cohort without an effect never counts as frequent,
    at 1. None: no cohort has an effect."""
    if not leaving:
        return None
    cut = np.full(len(stages) * 2, np.inf, np.float32)
    factor = np.ones(len(stages) * 4, np.float32)
    for (stage, role_type), e in leaving.items():
        if stage not in stages:
            continue
        i = stages.index(stage) * 2 + (role_type == "dynamic")
        cut[i] = e.threshold
        factor[2 * i], factor[2 * i + 1] = e.factors()
    return cut, factor


def _percentiles(values: Array) -> tuple[float, float, float]:
    """P10/P50/P90 of the finite values: a trajectory started without pay (NaN) has no
    pay to count; none with pay at all reads NaN ("no pay data"), never 0."""
    if values.dtype.kind == "f":
        values = values[np.isfinite(values)]
    if values.size == 0:
        return (math.nan, math.nan, math.nan)
    p10, p50, p90 = np.percentile(values, PERCENTILES)
    return float(p10), float(p50), float(p90)


# Metrics whose values share a dtype are taken in one call (rows of one array: numpy works
# row by row as on each alone, in the same dtype, so the figures are the same to the bit):
# the float32 ones, and the small integers (as int16, which holds both exactly).
_STACKED = (("pay", "engagement"), ("level", "steps"))


def _stacked_percentiles(values: Mapping[str, Array], mask: Array
                         ) -> dict[str, tuple[float, float, float]]:
    out: dict[str, tuple[float, float, float]] = {}
    for names in _STACKED:
        rows = [values[m][mask] for m in names]
        if rows[0].size == 0:
            out.update({m: (math.nan, math.nan, math.nan) for m in names})
            continue
        if rows[0].dtype.kind == "f" and not all(np.isfinite(r).all() for r in rows):
            # trajectories without pay (NaN) count for engagement, not for pay: each alone
            out.update({m: _percentiles(r) for m, r in zip(names, rows, strict=True)})
            continue
        kind = np.result_type(*rows) if rows[0].dtype.kind == "f" else np.int16
        found = np.percentile(np.stack([r.astype(kind, copy=False) for r in rows]),
                              PERCENTILES, axis=1)
        out.update({m: (float(found[0, i]), float(found[1, i]), float(found[2, i]))
                    for i, m in enumerate(names)})
    return {m: out[m] for m in values}


def _bands(out: dict[str, Array], values: Mapping[str, Array], alive: Array, sample: int,
           q: int) -> None:
    mask = alive[:sample]
    found = _stacked_percentiles({m: v[:sample] for m, v in values.items()}, mask)
    for m in values:
        out[m][:, q] = found[m]
