"""Do frequent micro-progressors get promoted more, or leave less, at the same time in level?

The panel is the calibration's (``analytics.calibration``): individual contributors'
person-quarters, each with its share of the quarter employed, the career stage at its
start (``domain.career_stage``) and its quarters in level; a quarter holding a departure
counts in full and holds it, as the simulator's departure model counts it. Only a
*voluntary* departure is leaving here, as in the calibration's departure hazard and the
Cox model of ``analytics.evidence``: any other (involuntary, retirement, or a source's
censoring written as one) ends the person's quarters without being counted as an event
(docs/strategy.md#which-departures-are-leaving). To each quarter
it adds the role type of the role held at its start and the person's micro-progressions
per quarter over the previous four (fewer just after the hire; the hire quarter itself has
no history and is left out). Hire-day events, ended duties and band upgrades (derived, not
recorded) are not micro-progressions here.

Per career stage and role type (the people advice calls "like you"), person-quarters are
split at the median of that rate into *rare* (at or below) and *frequent* (above). A
longer time in level brings both more micro-progressions and a promotion nearer, and an
organization promotes in rounds (a year with a round holds both the promotions and the
evidence written for them), so the groups are compared within *strata*: a band of time in
level (``BANDS``, in quarters) in one calendar year. In each stratum both groups' rates
of promotion and of departure per person-year; the difference standardized over the
strata (weights: the stratum's person-years), with a 95% interval from Poisson variances
((events + 0.5) / years squared per cell, so an empty cell still carries uncertainty).
Quarters of one person are not independent: the interval is, if anything, too narrow, so
"the data does not decide" errs on the side of deciding.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from trellis.domain.advice import RateComparison
from trellis.domain.career_stage import STAGES, StageThresholds, career_stage
from trellis.domain.events import left_voluntarily
from trellis.domain.ledger_rows import EventRow

from .calibration import _quarter, _quarter_start
from .compare import Roles
from .ledger_groups import PersonRows, by_person
from .simulator import LeavingEffect

BANDS = (0, 4, 8, 16)  # quarters in level: [0, 4), [4, 8), [8, 16), 16 and more
MIN_BAND_YEARS = 1.0  # person-years each group needs in a stratum for it to count
Z95 = 1.959964
KINDS = ("hire", "promotion", "lateral_move", "departure", "skill_step", "demonstrated",
         "certification", "project_leadership", "responsibility", "recognition",
         "compensation")
_MICRO = frozenset(KINDS[4:]) | {"lateral_move"}


@dataclass(frozen=True, slots=True)
class CohortEffects:
    stage: str
    role_type: str
    people: int
    person_years: float
    threshold: float | None  # micro-progressions a quarter splitting rare from frequent
    promotion: RateComparison | None
    departure: RateComparison | None


@dataclass(frozen=True, slots=True)
class StrategyEffects:
    cohorts: Mapping[tuple[str, str], CohortEffects]  # (stage, role type) ->

    def of(self, stage: str, role_type: str) -> CohortEffects | None:
        return self.cohorts.get((stage, role_type))


def _panel(person: Sequence[EventRow], roles: Roles, end: date, thresholds: StageThresholds
           ) -> list[tuple[int, int, float, int, float, int, int, int]]:
    """(stage, structured?, share of the quarter employed, stratum, micro rate, promoted,
    departed, calendar year) per quarter of one person's employment."""
    hired: date | None = None
    moves: list[tuple[int, str]] = []  # (quarter, role from then)
    micro: Counter[int] = Counter()
    promoted: Counter[int] = Counter()
    left: date | None = None
    quit = False  # the departure was voluntary
    for r in person:
        if r.kind == "hire":
            if hired is not None:
                break  # a rehire: the first spell is the panel's, as calibration reads it
            hired = r.effective_on
            moves.append((_quarter(hired), str(r.details.get("role", ""))))
            continue
        if hired is None or r.effective_on > end:
            continue
        q = _quarter(r.effective_on)
        if r.kind == "departure":
            left = r.effective_on
            quit = left_voluntarily(r.details)
            break
        if r.kind in ("promotion", "lateral_move"):
            moves.append((q, str(r.details.get("role", ""))))
            if r.kind == "promotion":
                promoted[q] += 1
        if r.kind in _MICRO and r.effective_on != hired and (
                r.kind != "responsibility" or r.details.get("share")):
            micro[q] += 1
    if hired is None:
        return []
    q0, last = _quarter(hired), _quarter(left or end)
    rows = []
    move = 0
    for q in range(q0, last + 1):
        while move + 1 < len(moves) and moves[move + 1][0] < q:
            move += 1
        role_q, role = moves[move]
        qs, qe = _quarter_start(q), _quarter_start(q + 1)
        lo = max(qs.toordinal(), hired.toordinal() + 1)
        hi = min(qe.toordinal() - 1, end.toordinal())
        frac = max(0.0, (hi - lo + 1) / (qe - qs).days)
        window = min(4, q - q0)
        if window == 0 or frac <= 0:
            continue
        rate = sum(micro[k] for k in range(q - window, q)) / window
        years = max(0.0, (qs - hired).days / 365.25)
        rank = roles.rank.get(role, 1)
        stage = STAGES.index(career_stage(years, rank, thresholds))
        structured = roles.role_type.get(roles.track.get(role, ""), "structured") == \
            "structured"
        in_level = q - role_q
        band = sum(1 for b in BANDS[1:] if in_level >= b)
        departed = int(quit and q == last)
        rows.append((stage, int(structured), frac, qs.year * len(BANDS) + band, rate,
                     int(promoted[q] > 0), departed, qs.year))
    return rows


def strategy_effects(rows: Iterable[EventRow], roles: Roles, *, end: date,
                     people: Iterable[int], thresholds: StageThresholds) -> StrategyEffects:
    """The comparison for every career stage and role type, from ledger rows of ``KINDS``
    of the individual contributors ``people``."""
    return strategy_effects_of(by_person(rows, set(people)).items(), roles, end=end,
                               thresholds=thresholds)


def strategy_effects_of(groups: PersonRows, roles: Roles, *, end: date,
                        thresholds: StageThresholds) -> StrategyEffects:
    """``strategy_effects`` of the individual contributors' rows, already grouped by
    person (``ledger_groups``)."""
    table: list[tuple[int, ...] | tuple[float, ...]] = []
    owners: list[int] = []
    for pid, mine in groups:
        found = _panel(mine, roles, end, thresholds)
        table += found
        owners += [pid] * len(found)
    if not table:
        return StrategyEffects({})
    a = np.asarray(table, dtype=float)
    del table
    who = np.asarray(owners)
    cohorts: dict[tuple[str, str], CohortEffects] = {}
    for i, stage in enumerate(STAGES):
        for structured, role_type in ((1, "structured"), (0, "dynamic")):
            mask = (a[:, 0] == i) & (a[:, 1] == structured)
            if not mask.any():
                continue
            c, ids = a[mask], who[mask]
            threshold = float(np.median(c[:, 4]))
            frequent = c[:, 4] > threshold
            cohorts[stage.value, role_type] = CohortEffects(
                stage.value, role_type, len(set(ids.tolist())),
                round(float(c[:, 2].sum()) / 4, 2), round(threshold, 3),
                compare_rates("promotion", c[:, 5], c, ids, frequent),
                compare_rates("departure", c[:, 6], c, ids, frequent))
    return StrategyEffects(cohorts)


def compare_rates(outcome: str, events: np.ndarray, c: np.ndarray, ids: np.ndarray,
                  frequent: np.ndarray) -> RateComparison | None:
    """Frequent against rare: crude rates per person-year, and the difference standardized
    over the strata (column 3) where both groups have ``MIN_BAND_YEARS``."""
    years = c[:, 2] / 4
    if not frequent.any() or frequent.all():
        return None
    diff = var = rare_std = weight = 0.0
    bands = 0
    for band in np.unique(c[:, 3]):
        in_band = c[:, 3] == band
        f, r = in_band & frequent, in_band & ~frequent
        yf, yr = float(years[f].sum()), float(years[r].sum())
        if yf < MIN_BAND_YEARS or yr < MIN_BAND_YEARS:
            continue
        ef, er = float(events[f].sum()), float(events[r].sum())
        w = yf + yr
        diff += w * (ef / yf - er / yr)
        rare_std += w * er / yr
        var += w * w * ((ef + 0.5) / yf ** 2 + (er + 0.5) / yr ** 2)
        weight += w
        bands += 1
    if not bands:
        return None
    diff, rare_std, se = diff / weight, rare_std / weight, math.sqrt(var) / weight
    yf, yr = float(years[frequent].sum()), float(years[~frequent].sum())
    ef, er = int(events[frequent].sum()), int(events[~frequent].sum())
    return RateComparison(
        outcome, frequent_rate=ef / yf, rare_rate=er / yr, frequent_events=ef,
        rare_events=er, frequent_years=round(yf, 2), rare_years=round(yr, 2),
        frequent_people=len(set(ids[frequent].tolist())),
        rare_people=len(set(ids[~frequent].tolist())),
        # the frequent group's rate is never below 0: on few person-years the normal
        # interval would reach past that, so it stops at -rare_std (0.0, never -0.0)
        difference=diff, ci_low=max(diff - Z95 * se, -rare_std if rare_std else 0.0),
        ci_high=diff + Z95 * se,
        rare_standardized=rare_std, bands=bands)


def leaving_effect(c: CohortEffects) -> LeavingEffect | None:
    """What the simulator carries of one cohort's departure comparison: its ratio where
    the advice's reason decides (enough people in each group, an interval that excludes
    0) and a rare group's rate to scale from; None (no effect) otherwise, as the reason
    then says the data does not decide."""
    d = c.departure
    if d is None or c.threshold is None or not d.enough or not d.decided \
            or d.rare_standardized <= 0:
        return None
    years = d.frequent_years + d.rare_years
    return LeavingEffect(c.threshold, max(0.0, d.ratio),
                         d.frequent_years / years if years else 0.0)


def leaving_effects(effects: StrategyEffects) -> dict[tuple[str, str], LeavingEffect]:
    """``leaving_effect`` of every cohort that has one."""
    out = {}
    for key, c in effects.cohorts.items():
        found = leaving_effect(c)
        if found is not None:
            out[key] = found
    return out
