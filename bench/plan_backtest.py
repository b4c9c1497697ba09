"""How well plans' readiness forecasts hold: `trellis plan backtest` on a demo organization.

    .venv/bin/python bench/plan_backtest.py [--people 300] [--years 6]
                                            [--seed 3 | --seeds 1 2 ...]
                                            [--at DATE ... | --years-before N ...]
                                            [--no-refreshes | --refreshes-only]
                                            [--as-of DAY]
                                            [--db URL]

Builds the demo organization (services.demo.run_demo, as `trellis demo`) in a temporary
SQLite database, or reads the ledger at ``--db``, and for each date (default: one, two and
three years before the ledger's end) plans for everyone employed then from their profile on
that date and scores the P10/P90 interval and the P50 against the readiness dates that
followed (services.plan_backtest), without and with refreshes of stale evidence. Aim: 80%
+/- 5 of the people scored inside [P10, P90].

With a few dozen people scored a date, a calibrated forecast's coverage moves by chance
about as much as the aim's band is wide, so each coverage comes with its Wilson 95%
interval and the chance a calibrated forecast lands in 75-85% on that many people
(domain.coverage_noise). Over several dates (and ``--seeds``, each demo built once at
``--db sqlite:////tmp/demo{seed}.db`` and read on later runs) a pooled summary follows:
the shares inside, early and late (10% each for a calibrated forecast), the same by the
lanes the plan's steps lie in, the dates inside 75-85% beside how many a calibrated
forecast would put there on those dates' numbers, the percentiles by tenth, and the share
past P90 by lanes and by the person's own record (under two years, or more).

Real data: no real ledger with step history ships with Trellis or sits in
../shared/data. O*NET and Monzo's files are frameworks (roles and what they expect), not
careers; the peopleanalyticsdata datasets hold one row a person (a rating, a promotion),
no dated skill steps. So this prints the demo's figures, which prove little (the demo's
generator was written beside the planner); run it with ``--db`` on a real ledger.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, datetime, timedelta
from pathlib import Path

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis, sqlite_path
from trellis.domain.coverage_noise import chance_in_band, in_band, wilson_interval
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.plan_backtest import (
    Backtest,
    Case,
    backtest,
    calibrated_shares_of,
    interval_share,
    pit_histogram,
)
from trellis.settings import Settings


def report(trellis: Trellis, dates: list[date] | None, before: list[float] | None = None,
           refreshes_too: bool = True, only_refreshes: bool = False) -> list[Backtest]:
    with trellis.uow() as uow:
        last = max((e.effective_on for e in uow.events.stream()), default=None)
    if last is None:
        print("the ledger has no events")
        return []
    dates = dates or [last - timedelta(days=round(365.25 * y)) for y in before or (3, 2, 1)]
    found = []
    for at, refreshes in [(at, r) for at in dates
                          for r in ((True,) if only_refreshes else
                                    (False, True) if refreshes_too else (False,))]:
        start = time.perf_counter()
        b = backtest(trellis.uow(), at, refreshes=refreshes)
        took = time.perf_counter() - start
        found.append(b)
        inside = b.count("inside")
        cov = "n/a" if b.coverage is None else (
            f"{b.coverage:.1%} (95% {_interval(inside, b.scored)}; a calibrated forecast "
            f"lands in 75-85% on {b.scored} with chance {chance_in_band(b.scored):.0%})")
        err = "n/a" if b.median_error is None else (
            f"{b.median_error:+.1f} months (absolute {b.median_abs_error:.1f})")
        print(f"--at {at}{' --refreshes' if refreshes else ''}: employed {b.employed}, "
              f"planned {len(b.cases)}, reached "
              f"{b.reached}, censored {b.censored} (undecided {b.count('undecided')}); "
              f"scored {b.scored}: inside {inside}, early {b.count('early')}, "
              f"late {b.count('late')}")
        km = "n/a" if b.censored_coverage is None else f"{b.censored_coverage:.1%}"
        low, high = b.spread_range
        print(f"    coverage of [P10, P90] {cov}, counting the undecided "
              f"{km}; median P50 error {err}; spread {b.spread:g} (95% likelihood "
              f"{low:g}-{high:g}, fitted on plans before the date); {took:.1f} s")
        print("    percentiles by tenth (Kaplan-Meier, 10% each if calibrated): "
              + " ".join(f"{m:.0%}" for m in b.pit))
        print(f"    {_calibrated(list(b.cases))}")
    return found


def _interval(successes: int, n: int) -> str:
    low, high = wilson_interval(successes, n)
    return f"{low:.1%}-{high:.1%}"


def _shares(cases: list[Case]) -> str:
    """Coverage, early and late shares of the scored ``cases``, each with its Wilson 95%
    interval (aim 80, 10 and 10)."""
    scored = [c for c in cases if c.outcome != "undecided"]
    n = len(scored)
    if not n:
        return "none scored"
    parts = []
    for outcome in ("inside", "early", "late"):
        k = sum(c.outcome == outcome for c in scored)
        parts.append(f"{outcome} {k / n:.1%} ({_interval(k, n)})")
    return f"scored {n}: " + ", ".join(parts) + f"; {_calibrated(cases)}"


def _calibrated(cases: list[Case]) -> str:
    shares = calibrated_shares_of(cases)
    if shares is None:
        return ""
    early, inside, late = shares
    return (f"calibrated, given the follow-up: inside {inside:.1%}, early {early:.1%}, "
            f"late {late:.1%}")


LONG_RECORD = 8.0  # quarters of a person's own record from which it counts as long


def lanes_band(lanes: int) -> str:
    return f"{lanes} lane{'s' if lanes > 1 else ''}" if lanes < 4 else "4+ lanes"


def pooled(found: list[Backtest]) -> None:
    """One summary over every date (and seed) backtested, for each refreshes setting."""
    for refreshes in (False, True):
        runs = [b for b in found if b.refreshes == refreshes and b.scored]
        if len(runs) < 2:
            continue
        cases = [c for b in runs for c in b.cases]
        print(f"pooled over {len(runs)} dates{', with refreshes' if refreshes else ''} "
              "(aim: inside 80%, early 10%, late 10%):")
        print(f"    {_shares(cases)}")
        coverages = [b.count("inside") / b.scored for b in runs]
        inside = sum(in_band(b.count("inside"), b.scored) for b in runs)
        chances = [chance_in_band(b.scored) for b in runs]
        expected = sum(chances)
        sd = math.sqrt(sum(p * (1 - p) for p in chances))
        print(f"    dates inside 75-85%: {inside} of {len(runs)}; a calibrated forecast, "
              f"on these dates' scored people ({min(b.scored for b in runs)}-"
              f"{max(b.scored for b in runs)}), lands {expected:.1f} +/- {sd:.1f} inside; "
              f"lowest {min(coverages):.1%}, highest {max(coverages):.1%}, mean distance "
              f"from 80% {statistics.mean(abs(c - 0.8) for c in coverages) * 100:.1f} points")
        for band in sorted({lanes_band(c.lanes) for c in cases}):
            print(f"    {band}: {_shares([c for c in cases if lanes_band(c.lanes) == band])}")
        points = [(c.percentile, c.reached_on is not None) for c in cases]
        km = [b.censored_coverage or 0.0 for b in runs]
        print(f"    counting the undecided (Kaplan-Meier over all {len(cases)} plans): "
              f"{interval_share(points):.1%}; by date {min(km):.1%}-{max(km):.1%}, mean "
              f"distance from 80% {statistics.mean(abs(c - 0.8) for c in km) * 100:.1f} "
              "points")
        print("    percentiles by tenth, every plan (Kaplan-Meier): "
              + " ".join(f"{m:.0%}" for m in pit_histogram(points)))
        for band in sorted({lanes_band(c.lanes) for c in cases}):
            tenths = pit_histogram([(c.percentile, c.reached_on is not None) for c in cases
                                    if lanes_band(c.lanes) == band])
            print(f"    {band}, every plan (Kaplan-Meier): below P10 {tenths[0]:.1%}, "
                  f"above P90 {tenths[-1]:.1%}")
        for band in sorted({lanes_band(c.lanes) for c in cases}):
            tails = []
            for label, long in (("record under two years", False),
                                ("two years or more", True)):
                part = [(c.percentile, c.reached_on is not None) for c in cases
                        if lanes_band(c.lanes) == band and (c.record >= LONG_RECORD) == long]
                tails.append(f"{label} {pit_histogram(part)[-1]:.1%} ({len(part)})" if part
                             else f"{label}: none")
            print(f"    {band}, above P90 (Kaplan-Meier) by the person's own record: "
                  + ", ".join(tails))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--years", type=float, default=6)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--seeds", type=int, nargs="+",
                        help="several demos, one a seed, pooled at the end (instead of "
                             "--seed)")
    parser.add_argument("--at", action="append", type=date.fromisoformat,
                        help="a date to plan from (repeatable)")
    parser.add_argument("--db", help="a ledger to backtest instead of a fresh demo; with "
                                     "--seeds, a SQLite URL with {seed}, each demo built "
                                     "there once and read on later runs")
    parser.add_argument("--years-before", type=float, action="append", dest="before",
                        help="plan this many years before the ledger's end (repeatable; "
                             "default 3, 2 and 1)")
    parser.add_argument("--no-refreshes", action="store_true",
                        help="score without refreshes only")
    parser.add_argument("--refreshes-only", action="store_true",
                        help="score with refreshes only")
    parser.add_argument("--as-of", type=date.fromisoformat,
                        help="build the demo and run as on this day (as `trellis demo "
                             "--as-of`), so a figure can be reproduced on a later day")
    args = parser.parse_args()
    noon = datetime(args.as_of.year, args.as_of.month, args.as_of.day, 12) if args.as_of \
        else None
    with clock.standing_at(noon) if noon else nullcontext():
        run_all(parser, args)


def run_all(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:

    def run(trellis: Trellis) -> list[Backtest]:
        return report(trellis, args.at, args.before, not args.no_refreshes,
                      args.refreshes_only)

    if args.seeds:
        if args.db and "{seed}" not in args.db:
            parser.error("with --seeds, --db needs {seed} in it")
        found = []
        for seed in args.seeds:
            found += demo(args, seed, run, args.db.format(seed=seed) if args.db else None)
        pooled(found)
    elif args.db:
        print(f"ledger {args.db}")
        pooled(run(open_trellis(Settings(database_url=args.db))))
    else:
        pooled(demo(args, args.seed, run))
    print("real data: none; no real ledger with dated skill steps is available (O*NET and "
          "Monzo are frameworks, peopleanalyticsdata has one row a person); see --db")


def demo(args: argparse.Namespace, seed: int, run: Callable[[Trellis], list[Backtest]],
         url: str | None = None) -> list[Backtest]:
    """Backtest the demo of ``seed``: read at ``url`` if built there, else built there
    (or in a temporary database without ``url``)."""
    with tempfile.TemporaryDirectory() as tmp:
        kept = f", in {url}" if url else ""
        url = url or f"sqlite:///{Path(tmp) / 'org.db'}"
        path = sqlite_path(url)
        if path is not None and path.exists():
            print(f"demo: seed {seed}, ledger {url}")
            trellis = open_trellis(Settings(database_url=url))
        else:
            trellis = open_trellis(Settings(database_url=url), create=True)
            framework, document = read_framework_file(shipped_framework_path(
                "software-company") or Path())
            run_demo(trellis.uow, framework=framework, document=document,
                     people=args.people, years=args.years, seed=seed, author="bench",
                     today=clock.today())
            print(f"demo: {args.people} people, {args.years:g} years, seed {seed}, "
                  f"software-company{kept}")
        found = run(trellis)
        trellis.close()
    return found


if __name__ == "__main__":
    main()
