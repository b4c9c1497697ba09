"""The lattice and plans price the same nano-steps alike: on a 500-person demo, the months
`trellis paths` gives a person's first move to their next role are the months of the
steps their plan draws up for that role, at the same pace (the plan drafted on its own,
by domain.plan, from the throughput plans read)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
from trellis.bootstrap import open_trellis
from trellis.domain.plan import make_plan, resolve_target
from trellis.domain.plan_steps import StepKind
from trellis.services import clock, lattice
from trellis.services.demo import run_demo
from trellis.services.effort import plan_models
from trellis.services.plan_retarget import throughput_of
from trellis.settings import Settings

pytestmark = pytest.mark.usefixtures("demo_day")  # conftest.DEMO_DAY


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    url = f"sqlite:///{tmp_path_factory.mktemp('lattice-plan') / 'demo.db'}"
    trellis = open_trellis(Settings(database_url=url, author="tester"), create=True)
    path = shipped_framework_path("software-company")
    assert path is not None
    framework, document = read_framework_file(path)
    run_demo(trellis.uow, framework=framework, document=document, people=500, years=4,
             seed=7, author="tester", today=clock.today())
    yield trellis
    trellis.close()


def plan_at_one_pace(trellis, person_id: int, target: str):
    """The person's plan for ``target``, each step at the pace the lattice gives a gap
    (their throughput's rate times its focus; the plan's own focus by lanes open left
    out), with the throughput it was made at."""
    model = plan_models(trellis.uow())[1]
    uow = trellis.uow()
    with uow:
        profile = replace(uow.state.current(person_id), as_of=clock.today())
        framework = uow.frameworks.catalog[profile.framework_version]
        throughput = throughput_of(uow, model, profile, clock.today())
    one_pace = replace(throughput, lane_focus=(), last_focus=None)
    goal = resolve_target(framework, profile, role=target)
    return make_plan(profile, framework, goal, model, one_pace), throughput


def test_paths_price_the_first_move_as_the_plan_prices_its_steps(demo):
    checked = 0
    uow = demo.uow()
    with uow:
        people = [(p.id, p.handle) for p in uow.people.all()]
    for person_id, handle in people:
        with demo.uow() as u:
            profile = u.state.current(person_id)
            if profile is None or not profile.active or profile.role is None:
                continue
            nxt = u.frameworks.catalog[profile.framework_version].next_role(profile.role)
        if nxt is None:
            continue
        found = lattice.paths(demo.uow(), handle, nxt.id, k=10)
        direct = [p for p in found.paths if p.roles == (profile.role, nxt.id)]
        if not direct or not direct[0].moves[0].steps:
            continue
        move = direct[0].moves[0]
        plan, throughput = plan_at_one_pace(demo, person_id, nxt.id)
        if any(s.kind is not StepKind.STEP for s in plan.steps) or \
                {(s.competency, s.to_mastery) for s in plan.steps} != \
                {(s.competency, s.to_mastery) for s in move.steps}:
            continue  # a refresh, or a band's steps beyond the role: not the move's gap
        # the same steps, the same work each (the plan's difficulties)
        assert sorted((s.competency, s.to_mastery, round(s.difficulty, 3))
                      for s in plan.steps) == \
            sorted((s.competency, s.to_mastery, round(s.work, 3)) for s in move.steps)
        # at the same pace: the person's rate times its focus
        assert move.pace == pytest.approx(throughput.rate * throughput.focus, abs=1e-4)
        planned = sum(s.months for s in plan.steps)
        assert sum(s.months for s in move.steps) == pytest.approx(planned, abs=0.01 * len(
            plan.steps))
        assert move.months == pytest.approx(max(planned + move.weight, move.gate_months),
                                            abs=0.01 * len(plan.steps))
        checked += 1
        if checked == 5:
            break
    assert checked == 5
