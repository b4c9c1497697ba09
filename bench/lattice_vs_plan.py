"""How far a person's plan to their next role is from `trellis paths`' first move there.

Run: .venv/bin/python bench/lattice_vs_plan.py sqlite:////tmp/lp.db [--people 60]

On a demo database (`trellis --db URL demo --people 3000`): for active people whose plan to
the next role up their track holds exactly the direct move's mastery steps, the path's
gap months (its work at the person's pace: rate times focus) against the plan's step
months (each at the focus of the lanes still open) and its P50. The lattice prices every
move at one focus; the ratio is what the plan's lane focus adds.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import replace

from trellis.bootstrap import open_trellis
from trellis.domain.plan import make_plan, resolve_target
from trellis.domain.plan_steps import StepKind
from trellis.errors import TrellisError
from trellis.services import clock, lattice
from trellis.services.effort import plan_models
from trellis.services.plan_retarget import throughput_of
from trellis.settings import Settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db")
    parser.add_argument("--people", type=int, default=60)
    args = parser.parse_args()
    trellis = open_trellis(Settings(database_url=args.db, author="bench"))
    model = plan_models(trellis.uow())[1]
    lat = lattice.load_lattice(trellis.uow())
    with trellis.uow() as uow:
        people = [(p.id, p.handle) for p in uow.people.all()]
    rows = []
    for person_id, handle in people:
        with trellis.uow() as uow:
            profile = uow.state.current(person_id)
            if profile is None or not profile.active or profile.role is None:
                continue
            framework = uow.frameworks.catalog[profile.framework_version]
            nxt = framework.next_role(profile.role)
            if nxt is None:
                continue
            profile = replace(profile, as_of=clock.today())
            throughput = throughput_of(uow, model, profile, clock.today())
        try:
            plan = make_plan(profile, framework, resolve_target(framework, profile, role=nxt.id),
                             model, throughput)
        except TrellisError:
            continue
        direct = [p for p in lattice.paths(trellis.uow(), handle, nxt.id, k=10,
                                           lattice=lat).paths
                  if p.roles == (profile.role, nxt.id)]
        if not direct or any(s.kind is not StepKind.STEP for s in plan.steps):
            continue
        move = direct[0].moves[0]
        if {(s.competency, s.to_mastery) for s in plan.steps} != \
                {(s.competency, s.to_mastery) for s in move.steps}:
            continue
        rows.append((handle, len(plan.steps), move.work * 3 / move.pace,
                     sum(s.months for s in plan.steps), plan.forecast.months[1]))
        if len(rows) >= args.people:
            break
    for handle, steps, gap, planned, p50 in rows[:5]:
        print(f"{handle:22s} {steps:2d} steps: paths {gap:5.1f} months, plan's steps "
              f"{planned:5.1f}, P50 {p50:5.1f}")
    steps_ratio = [r[3] / r[2] for r in rows]
    p50_ratio = [r[4] / r[2] for r in rows]
    print(f"{len(rows)} people: the plan's step months are {statistics.median(steps_ratio):.2f}"
          f" times the path's gap months (median; {min(steps_ratio):.2f}-"
          f"{max(steps_ratio):.2f}), its P50 {statistics.median(p50_ratio):.2f} times "
          f"({min(p50_ratio):.2f}-{max(p50_ratio):.2f})")
    trellis.close()


if __name__ == "__main__":
    main()
