"""The fairness audit of a 10,000-person demo organization.

    .venv/bin/python bench/fairness.py [--people 10000] [--repeat 3]

Builds the demo organization (services.demo.run_demo, as `trellis demo`: every person gets
a gender and a location) in a temporary SQLite database, then times
`services.fairness.fairness` over the whole organization, in two parts, each against a
floor measured in the same run:

- the outcome audit alone (``scores=False``): floor, the reads it makes (the attributes,
  the state table's dates, the window's promotions, recognitions and raises, every review)
  with no analysis. Target: at most 2x that floor (about 2 s on an idle 2-core machine).
- with readiness and propensity at equal evidence: floor, the outcome audit's reads and the
  scores themselves as the rest of Trellis reads them (the organization's readiness
  pipeline, the stored propensity scores, and the spell table that counts each person's
  evidence in level), with no audit. Target: at most 1.5x that floor (the audit adds its
  strata, not another analysis).

The propensity scores are an organization model (services.fairness_scores): the first
audit builds the evidence model and scores everyone's profile today, once per state of
the ledger; that build is timed apart. Prints medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.analytics import evidence as ev
from trellis.bootstrap import open_trellis
from trellis.services import clock, org_models
from trellis.services.demo import run_demo
from trellis.services.evidence import EVIDENCE
from trellis.services.fairness import CYCLE_KINDS, WINDOW_DAYS, WINDOW_KINDS, fairness
from trellis.services.fairness_scores import SCORE_MODEL
from trellis.services.readiness import team_readiness
from trellis.settings import Settings


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", help="Audit this demo database instead of building one "
                        "(made by `trellis demo --people N`).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'org.db'}"
        trellis = open_trellis(Settings(database_url=url), create=not args.db)
        start = time.perf_counter()
        if not args.db:
            path = shipped_framework_path("software-company")
            assert path is not None
            framework, document = read_framework_file(path)
            run_demo(trellis.uow, framework=framework, document=document, people=args.people,
                     years=5, seed=7, author="bench", today=clock.today())
        built = time.perf_counter() - start
        with trellis.uow().reading() as uow:
            people, events = uow.people.count(), uow.events.count()

        today = clock.today()
        since = today - timedelta(days=WINDOW_DAYS - 1)

        def floor() -> int:
            with trellis.uow().reading() as uow:
                found = uow.attributes.all()
                uow.state.rows(columns=["person_id", "hired_on", "departed_on"])
                return len(found) + len(uow.events.of_kinds(WINDOW_KINDS,
                                                            between=(since, today))) \
                    + len(uow.events.of_kinds(CYCLE_KINDS))

        def scores_floor() -> object:
            floor()
            team_readiness(trellis.uow())
            with trellis.uow().reading() as uow:
                rows = uow.events.of_kinds(ev.KINDS)
            ev.spell_table(rows, today)
            return org_models.load(trellis.uow(), SCORE_MODEL).value

        start = time.perf_counter()
        org_models.load(trellis.uow(), EVIDENCE)  # built and stored: what the scores read
        built_evidence = time.perf_counter() - start
        start = time.perf_counter()
        report = fairness(trellis.uow())  # builds the scores; warm: imports, statements
        first = time.perf_counter() - start
        scores = org_models.load(trellis.uow(), SCORE_MODEL).value
        outcomes, outcome_runs = timed(lambda: fairness(trellis.uow(), scores=False),
                                       args.repeat)
        floor_median, _ = timed(floor, args.repeat)
        everything, all_runs = timed(lambda: fairness(trellis.uow()), args.repeat)
        scores_median, _ = timed(scores_floor, args.repeat)
        trellis.close()
    print(f"demo organization: {people:,} people, {events:,} events"
          + ("" if args.db else f", built in {built:.1f} s"))
    print(f"audit: {len(report.outcomes)} outcome tables, {len(report.scores)} score tables, "
          f"{len(report.warnings)} warnings (attributes drawn at random: chance alone)")
    print(f"  the evidence model built in {built_evidence:.1f} s; the first audit, scoring "
          f"{len(scores.scores):,} people's profiles today, {first:.1f} s")
    print(f"  {scores.describe()}")
    print(f"  outcomes only: median {outcomes:.3f} s of {args.repeat} "
          f"({', '.join(f'{t:.3f}' for t in outcome_runs)}); floor (the same reads, no "
          f"analysis) {floor_median:.3f} s: {outcomes / floor_median:.2f}x")
    print(f"  with readiness and propensity: median {everything:.3f} s "
          f"({', '.join(f'{t:.3f}' for t in all_runs)}); floor (the same reads, the "
          f"readiness pipeline, the stored scores and the spell table, no audit) "
          f"{scores_median:.3f} s: "
          f"{everything / scores_median:.2f}x")
    met = outcomes <= 2 * floor_median and everything <= 1.5 * scores_median
    print("  targets: outcomes at most 2x their floor, the whole audit at most 1.5x its "
          "scores' floor -> "
          f"{'met' if met else 'NOT met'}")
    if not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
