"""The strategy simulator checked against held-back history.

    .venv/bin/python bench/simulate_backtest.py [--people 2000] [--years 6] [--seed 7]
        [--db URL] [--real job_retention] [--holdout-years 2] [--replicates 200]

Calibrates the simulator (``analytics.calibration``) on the ledger up to ``--holdout-years``
before its end (the cut), starts a trajectory from every individual contributor present at
the cut (their profile on that day), simulates the held-back years at the organization's
own behaviour (balanced effort) and prints, per career stage at the cut, simulated against
actual:

- promotions per person a year (promotions in the window over the cohort, per year);
- departures: the share of the cohort that left in the window;
- pay growth: the median pay of those still employed at the end over the cohort's median
  pay at the cut, minus one (the same statistic on both sides, leavers included in the
  starting median).

First it prints where the promotion and departure models came from: the ledger before
the cut, or the published default where that ledger is too thin to contradict it (on
job_retention's six months before the cut nobody has been in a role long enough to be
promoted, so the default's 14% a year is simulated against a dataset that has no
promotions at all).

The simulated figure is the median over ``--replicates`` runs of the whole cohort (each
run one trajectory per person) with its 5th-95th percentile interval: the spread an
organization of that size would see by chance alone. "in" marks an actual figure inside
the interval.

The ledger is the demo (``trellis demo``, generated into a temporary SQLite file), an
existing database (``--db``), or a real dataset (``--real job_retention``: 3,770 people
followed for 12 months, departures only; give ``--holdout-years 0.5``; the table is followed
by the CSV's own Kaplan-Meier figures around the cut, from lifelines). No real dataset the
project can build has two years of careers with promotions and pay.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from trellis.adapters import peopleanalytics as pa
from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.analytics.calibration import PANEL_KINDS, calibrate
from trellis.analytics.simulator import Strategy, simulate
from trellis.analytics.strategy_effects import KINDS as EFFECT_KINDS
from trellis.analytics.strategy_effects import leaving_effects, strategy_effects
from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.career_stage import STAGES, CareerStage, StageThresholds, career_stage
from trellis.domain.ledger_rows import EventRow
from trellis.domain.profile import Profile
from trellis.services import clock
from trellis.services.compare import roles_of
from trellis.services.demo import run_demo
from trellis.services.frameworks import load_framework, version_in_force
from trellis.services.profiles import profile_of
from trellis.services.simulation import _band_steps, _start
from trellis.services.transfer import import_ledger
from trellis.settings import Settings

BALANCED = Strategy("balanced", 0.5)


@dataclass(frozen=True)
class Row:
    stage: str
    people: int
    actual: tuple[float, float, float]  # promotions a year, departed share, pay growth
    simulated: list[tuple[float, float, float]]  # one per replicate


def open_demo(folder: Path, people: int, years: float, seed: int, today: date) -> Trellis:
    trellis = open_trellis(Settings(database_url=f"sqlite:///{folder / 'demo.db'}",
                                    author="bench"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=people,
             years=years, seed=seed, author="bench", today=today)
    return trellis


def open_real(folder: Path, name: str) -> tuple[Trellis, date]:
    if name != "job_retention":
        raise SystemExit(f"no real ledger '{name}' with a history to hold back: "
                         "job_retention is the one")
    source = pa.job_retention_ledger(pa.read_dataset(name), role="eng-l1")
    trellis = open_trellis(Settings(database_url=f"sqlite:///{folder / 'real.db'}",
                                    author="bench"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    load_framework(trellis.uow(), framework, document, author="bench", activate=True)
    import_ledger(trellis.uow(), source.people, source.events, author="bench")
    return trellis, source.as_of


def backtest(trellis: Trellis, end: date, holdout_years: float, replicates: int,
             seed: int) -> tuple[list[Row], date, int, str]:
    """The rows, the cut, the individual contributors present then, and where the
    simulator's promotion and departure models came from (the ledger, or a default)."""
    cut = end - timedelta(days=round(365.25 * holdout_years))
    quarters = max(1, round(4 * holdout_years))
    with trellis.uow() as uow:
        framework = uow.frameworks.catalog[version_in_force(uow, cut).id]
        everyone = uow.people.all()
        managers = {p.manager_id for p in everyone if p.manager_id is not None}
        events: Sequence[EventRow] = uow.events.of_kinds(PANEL_KINDS)
        ics = [p for p in everyone if p.id not in managers]
        hired = {e.person_id: e.effective_on for e in events if e.kind == "hire"}
        left = {e.person_id: e.effective_on for e in events if e.kind == "departure"}
        present = [p for p in ics if p.id in hired and hired[p.id] <= cut
                   and (p.id not in left or left[p.id] > cut)]
        at_cut = {p.id: profile_of(uow, p, cut).profile for p in ics
                  if p.id in hired and hired[p.id] <= cut}
        before = {p.id: at_cut[p.id] for p in present}
        after = {p.id: profile_of(uow, p, end).profile for p in present
                 if p.id not in left or left[p.id] > end}
    # band upgrades come from the profiles (the fold derives them), as in `trellis simulate`
    calibration = calibrate(framework, [e for e in events if e.effective_on <= cut], end=cut,
                            people=[p.id for p in ics],
                            band_upgrades={i: _band_steps(p) for i, p in at_cut.items()})
    # the leaving effect of frequent micro-progression, as `trellis simulate` applies it
    with trellis.uow() as uow:
        roles = roles_of(uow)
        effect_rows = [e for e in uow.events.of_kinds(EFFECT_KINDS) if e.effective_on <= cut]
    leaving = leaving_effects(strategy_effects(effect_rows, roles, end=cut,
                                               people=[p.id for p in ics],
                                               thresholds=calibration.thresholds))
    promoted: dict[int, int] = {}
    for e in events:
        if e.kind == "promotion" and cut < e.effective_on <= end:
            promoted[e.person_id] = promoted.get(e.person_id, 0) + 1
    rows = []
    for stage in STAGES:
        cohort = [p for pid, p in before.items()
                  if _stage(p, cut, calibration.thresholds) == stage]
        if not cohort:
            continue
        ids = [p.person_id for p in cohort]
        start_pay = [p.pay for p in cohort if p.pay]
        end_pay = [after[i].pay for i in ids if i in after and after[i].pay]
        growth = (float(np.median(end_pay)) / float(np.median(start_pay)) - 1
                  if start_pay and end_pay else math.nan)
        actual = (sum(promoted.get(i, 0) for i in ids) / len(ids) / holdout_years,
                  sum(1 for i in ids if i in left and cut < left[i] <= end) / len(ids),
                  growth)
        start = _start(cohort, framework, cut, calibration)
        median_start = float(np.median(start.pay))
        simulated = []
        for r in range(replicates):
            out = simulate(calibration, start, BALANCED, quarters=quarters, runs=len(cohort),
                           rng=np.random.default_rng([seed, r]), band_sample=len(cohort),
                           leaving=leaving)
            pay = out.horizon["pay"][1]
            simulated.append((out.promotions / holdout_years, 1 - float(out.survival[-1]),
                              pay / median_start - 1 if median_start > 0 else math.nan))
        rows.append(Row(stage.value, len(cohort), actual, simulated))
    models = (f"promotion model: {calibration.promotion.source} "
              f"({calibration.promotion.events:,} promotions in {calibration.promotion.n:,} "
              f"quarters); departure model: {calibration.departure.source} "
              f"({calibration.departure.events:,} voluntary departures and "
              f"{calibration.departure.other_events:,} others in "
              f"{calibration.departure.n:,} quarters); leaving effect of frequent "
              "micro-progression: " + (", ".join(
                  f"{stage}/{kind} x{e.ratio:.2f} above {e.threshold:g} a quarter"
                  for (stage, kind), e in sorted(leaving.items())) or "none decided"))
    return rows, cut, len(present), models


def _stage(p: Profile, on: date, thresholds: StageThresholds) -> CareerStage:
    years = (on - p.hired_on).days / 365.25 if p.hired_on else 0.0
    return career_stage(years, p.level_rank, thresholds)


def report(rows: list[Row]) -> None:
    names = ("promotions a year", "departed", "pay growth")
    print(f"{'stage':<6} {'people':>6}  {'figure':<18} {'actual':>8} {'simulated':>10} "
          f"{'5-95% interval':>18}")
    for row in rows:
        sims = np.array(row.simulated, dtype=float)
        for i, name in enumerate(names):
            actual = row.actual[i]
            if math.isnan(actual) or np.isnan(sims[:, i]).all():
                print(f"{row.stage:<6} {row.people:>6}  {name:<18} {'no data':>8}")
                continue
            lo, mid, hi = np.nanpercentile(sims[:, i], [5, 50, 95])
            inside = "in" if lo <= actual <= hi else "OUT"
            print(f"{row.stage:<6} {row.people:>6}  {name:<18} {actual:>8.1%} {mid:>10.1%} "
                  f"  [{lo:>6.1%}, {hi:>6.1%}] {inside}")


def job_retention_check(holdout_years: float) -> None:
    """The CSV's own departure figures around the cut, by Kaplan-Meier (lifelines): what the
    simulator could have seen before the cut against what happened after it.

    Every one of the 3,770 people is followed from month 1 of the same year (the ledger
    hires them all on its first day), so time since entry and calendar month are one clock:
    no split by calendar period against tenure can tell a calendar shift from a tenure
    effect in this data. The ledger writes a departure on the first day of the month after
    ``month``, so its calendar quarter k holds the departures of months 3k to 3k + 2 (the
    first quarter months 1 and 2); people the source censored before month 12 (``left`` 0)
    become departures too, "censored in the source data"."""
    from lifelines import KaplanMeierFitter

    frame = pa.read_dataset("job_retention")
    cut = round(12 * (1 - holdout_years))
    last = cut // 3 - 1  # the calibration's last whole quarter before the cut
    if last < 1:
        return
    months = range(3 * last, 3 * last + 3)
    print(f"\nthe CSV by Kaplan-Meier (lifelines), the cut after month {cut}:")
    for words, event in (
            ("departures as the ledger holds them (censored before month 12 as leaving)",
             ((frame["left"] == 1) | (frame["month"] < 12)).astype(int)),
            ("departures as the CSV holds them (left = 1; its censoring kept)", frame["left"])):
        fit = KaplanMeierFitter().fit(frame["month"], event)
        s = fit.survival_function_at_times(range(13)).to_numpy()
        hazard = 1 - s[1:] / s[:-1]
        quarter = 1 - s[months[-1]] / s[months[0] - 1]
        print(f"  {words}:")
        print("    a month, months 1-12: " + " ".join(f"{h:.1%}" for h in hazard))
        print(f"    months {months[0]}-{months[-1]} (the last whole quarter before the cut) "
              f"{quarter:.1%} a quarter, carried over the {12 - cut} months after the cut: "
              f"{1 - (1 - quarter) ** ((12 - cut) / 3):.1%}; what happened among those "
              f"there after month {cut}: {1 - s[12] / s[cut]:.1%}")
    print("  Everyone enters in month 1 together: tenure and calendar month are one clock here,"
          "\n  so the rise after the cut cannot be told apart as calendar or tenure; nothing "
          "before\n  the cut shows it, and the simulator carries the last quarter it saw.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--years", type=float, default=6)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="an existing Trellis database URL instead of the demo")
    parser.add_argument("--real", help="a real dataset: job_retention")
    parser.add_argument("--holdout-years", type=float, default=2.0)
    parser.add_argument("--replicates", type=int, default=200)
    args = parser.parse_args()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        end = clock.today()
        if args.db:
            trellis = open_trellis(Settings(database_url=args.db, author="bench"))
            subject = args.db
        elif args.real:
            trellis, end = open_real(Path(folder), args.real)
            subject = f"the real '{args.real}' dataset"
        else:
            trellis = open_demo(Path(folder), args.people, args.years, args.seed, end)
            subject = (f"the demo ({args.people:,} people, {args.years:g} years, "
                       f"seed {args.seed})")
        built = time.perf_counter()
        try:
            rows, cut, present, models = backtest(trellis, end, args.holdout_years, args.replicates,
                                          args.seed)
        finally:
            trellis.close()
    print(f"simulation backtest on {subject}: calibrated to {cut}, {present:,} individual "
          f"contributors then, simulated to {end} ({args.replicates} replicates)")
    print(models)
    report(rows)
    if args.real == "job_retention":
        job_retention_check(args.holdout_years)
    print(f"(ledger built in {built - began:.1f} s, backtest {time.perf_counter() - built:.1f} s)")


if __name__ == "__main__":
    main()
