"""How well plans' readiness forecasts hold: `trellis plan backtest` on a demo organization.

    .venv/bin/python bench/plan_backtest.py [--people 300] [--years 6] [--seed 3]
                                            [--at DATE ... | --years-before N ...]
                                            [--no-refreshes | --refreshes-only]
                                            [--db URL]

Builds the demo organization (services.demo.run_demo, as `trellis demo`) in a temporary
SQLite database, or reads the ledger at ``--db``, and for each date (default: one, two and
three years before the ledger's end) plans for everyone employed then from their profile on
that date and scores the P10/P90 interval and the P50 against the readiness dates that
followed (services.plan_backtest), without and with refreshes of stale evidence. Aim: 80%
+/- 5 of the people scored inside [P10, P90].

Real data: no real ledger with step history ships with Trellis or sits in
../shared/data. O*NET and Monzo's files are frameworks (roles and what they expect), not
careers; the peopleanalyticsdata datasets hold one row a person (a rating, a promotion),
no dated skill steps. So this prints the demo's figures, which prove little (the demo's
generator was written beside the planner); run it with ``--db`` on a real ledger.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import Trellis, open_trellis
from trellis.services import clock
from trellis.services.demo import run_demo
from trellis.services.plan_backtest import backtest
from trellis.settings import Settings


def report(trellis: Trellis, dates: list[date] | None, before: list[float] | None = None,
           refreshes_too: bool = True, only_refreshes: bool = False) -> None:
    with trellis.uow() as uow:
        last = max((e.effective_on for e in uow.events.stream()), default=None)
    if last is None:
        print("the ledger has no events")
        return
    dates = dates or [last - timedelta(days=round(365.25 * y)) for y in before or (3, 2, 1)]
    for at, refreshes in [(at, r) for at in dates
                          for r in ((True,) if only_refreshes else
                                    (False, True) if refreshes_too else (False,))]:
        start = time.perf_counter()
        b = backtest(trellis.uow(), at, refreshes=refreshes)
        took = time.perf_counter() - start
        cov = "n/a" if b.coverage is None else f"{b.coverage:.1%}"
        err = "n/a" if b.median_error is None else (
            f"{b.median_error:+.1f} months (absolute {b.median_abs_error:.1f})")
        print(f"--at {at}{' --refreshes' if refreshes else ''}: employed {b.employed}, "
              f"planned {len(b.cases)}, reached "
              f"{b.reached}, censored {b.censored} (undecided {b.count('undecided')}); "
              f"scored {b.scored}: inside {b.count('inside')}, early {b.count('early')}, "
              f"late {b.count('late')}")
        km = "n/a" if b.censored_coverage is None else f"{b.censored_coverage:.1%}"
        low, high = b.spread_range
        print(f"    coverage of [P10, P90] {cov} (aim 80% +/- 5), counting the undecided "
              f"{km}; median P50 error {err}; spread {b.spread:g} (95% likelihood "
              f"{low:g}-{high:g}, fitted on plans before the date); {took:.1f} s")
        print("    percentiles by tenth (Kaplan-Meier, 10% each if calibrated): "
              + " ".join(f"{m:.0%}" for m in b.pit))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--years", type=float, default=6)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--at", action="append", type=date.fromisoformat,
                        help="a date to plan from (repeatable)")
    parser.add_argument("--db", help="a ledger to backtest instead of a fresh demo")
    parser.add_argument("--years-before", type=float, action="append", dest="before",
                        help="plan this many years before the ledger's end (repeatable; "
                             "default 3, 2 and 1)")
    parser.add_argument("--no-refreshes", action="store_true",
                        help="score without refreshes only")
    parser.add_argument("--refreshes-only", action="store_true",
                        help="score with refreshes only")
    args = parser.parse_args()
    if args.db:
        print(f"ledger {args.db}")
        report(open_trellis(Settings(database_url=args.db)), args.at, args.before,
               not args.no_refreshes,
               args.refreshes_only)
        return
    with tempfile.TemporaryDirectory() as tmp:
        trellis = open_trellis(Settings(database_url=f"sqlite:///{Path(tmp) / 'org.db'}"),
                               create=True)
        path = shipped_framework_path("software-company")
        assert path is not None
        framework, document = read_framework_file(path)
        run_demo(trellis.uow, framework=framework, document=document, people=args.people,
                 years=args.years, seed=args.seed, author="bench", today=clock.today())
        print(f"demo: {args.people} people, {args.years:g} years, seed {args.seed}, "
              "software-company")
        report(trellis, args.at, args.before, not args.no_refreshes,
               args.refreshes_only)
        trellis.close()
    print("real data: none; no real ledger with dated skill steps is available (O*NET and "
          "Monzo are frameworks, peopleanalyticsdata has one row a person); see --db")


if __name__ == "__main__":
    main()
