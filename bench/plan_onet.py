"""One plan on the O*NET framework (35 competencies on a 0-7 scale, ~900 roles).

    .venv/bin/python bench/plan_onet.py [--onet DIR] [--repeat 50]

Builds the O*NET framework from ../shared/data/onet (the directory beside the repository,
or --onet), takes a person in a job zone 2 role with that role's mastery (a third of it on
stale evidence), and times one plan to the job zone 4 role of the same track with the most
steps: target resolution, steps, order, milestones and the 200-run forecast. The effort
model holds an estimate for every (competency, mastery), as a learned one would. Prints
the median of ``--repeat`` runs. Floor, measured in the same run: ``assess()`` alone for
the same person and target. Target: under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from trellis.adapters.onet import read_onet_framework
from trellis.domain.effort import default_months
from trellis.domain.events import Event, Hire, SkillStep
from trellis.domain.framework import Framework, Role
from trellis.domain.plan import make_plan, resolve_target
from trellis.domain.profile import Profile, fold
from trellis.domain.readiness import assess
from trellis.domain.throughput import Difficulty, Rated, ThroughputModel

TODAY = date(2025, 1, 1)


def find_onet(given: str | None) -> Path | None:
    if given:
        return Path(given)
    here = Path(__file__).resolve().parent
    for base in (here.parent, *here.parents):
        candidate = base / "shared" / "data" / "onet"
        if candidate.is_dir():
            return candidate
    return None


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pick_roles(framework: Framework) -> tuple[Role, Role]:
    """A job zone 2 role and the job zone 4 role of its track farthest above it."""
    best: tuple[int, Role, Role] | None = None
    for low in framework.roles.values():
        if low.level != "job-zone-2":
            continue
        for high in framework.roles_of_track(low.track):
            if high.level != "job-zone-4":
                continue
            gap = sum(max(0, m - low.expects.get(c, 0)) for c, m in high.expects.items())
            if best is None or gap > best[0]:
                best = (gap, low, high)
    assert best is not None
    return best[1], best[2]


def person(framework: Framework, role: Role) -> Profile:
    hired = TODAY - timedelta(days=365 * 6)
    events = [Event(1, 1, hired, Hire(role.id), datetime(2025, 1, 1), "bench",
                    framework_version=1)]
    for n, (c, m) in enumerate(sorted(role.expects.items())):
        if m > 0:
            on = hired + timedelta(days=30 if n % 3 == 0 else 1500 + n * 10)  # a third stale
            events.append(Event(len(events) + 1, 1, on, SkillStep(c, 0, m),
                                datetime(2025, 1, 1), "bench", framework_version=1))
    return fold(1, events, {1: framework}, TODAY)


def effort(framework: Framework) -> ThroughputModel:
    """A difficulty for every mastery step, as a learned model has."""
    return ThroughputModel(Difficulty(by_step={
        (c, m): Rated(default_months(m, comp.scale.max) / 5 * (0.8 + 0.02 * (i % 20)), 40,
                      "competency")
        for i, (c, comp) in enumerate(sorted(framework.competencies.items()))
        for m in range(1, comp.scale.max + 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onet", help="The O*NET directory (default: ../shared/data/onet).")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    directory = find_onet(args.onet)
    if directory is None or not directory.is_dir():
        print("skipped: no O*NET directory (give --onet DIR)")
        sys.exit(0)
    framework, _ = read_onet_framework(directory)
    low, high = pick_roles(framework)
    profile = person(framework, low)
    model = effort(framework)

    def one_plan() -> object:
        target = resolve_target(framework, profile, role=high.id)
        return make_plan(profile, framework, target, model, capacity=4, start=TODAY)

    plan = make_plan(profile, framework, resolve_target(framework, profile, role=high.id),
                     model, capacity=4, start=TODAY)
    assert plan.forecast is not None
    median = timed(one_plan, args.repeat)
    floor = timed(lambda: assess(profile, high, framework), args.repeat)
    print(f"O*NET: {len(framework.competencies)} competencies, {len(framework.roles)} roles; "
          f"{low.id} ({low.title}) -> {high.id} ({high.title})")
    print(f"plan: {len(plan.steps)} nano-steps in {len(plan.milestones)} quarters at 4 median "
          f"steps a quarter, readiness {plan.readiness:g} -> 100, P50 {plan.forecast.dates[1]} "
          f"(work {plan.forecast.work:g} median steps)")
    print(f"one plan: {median * 1000:.1f} ms (median of {args.repeat}); floor, assess() "
          f"alone: {floor * 1000:.3f} ms; target: under 50 ms")


if __name__ == "__main__":
    main()
