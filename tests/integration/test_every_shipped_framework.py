"""Every framework shipped with Trellis validates, loads, and gives a person at each level of
each track a readiness for the next role and a plan toward it, through the use cases."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from conftest import make_trellis
from trellis.adapters.framework_files import SHIPPED, read_framework_file, shipped_framework_path
from trellis.services import clock
from trellis.services.people import add_person
from trellis.services.plans import create_plan
from trellis.services.readiness import readiness_for


@pytest.mark.parametrize("name", SHIPPED)
def test_a_person_at_each_level_gets_readiness_and_a_plan(name: str, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2025, 1, 10, 9, 0))
    path = shipped_framework_path(name)
    assert path is not None
    framework, _ = read_framework_file(path)
    trellis = make_trellis(f"sqlite:///{tmp_path / 'shipped.db'}", path)
    try:
        checked = 0
        for i, role in enumerate(sorted(framework.roles.values(),
                                        key=lambda r: (r.track, framework.rank_of(r.id)))):
            following = framework.next_role(role.id)
            if following is None:
                continue
            handle = f"p{i}"
            add_person(trellis.uow(), handle, f"Person {i}", role=role.id,
                       hired_on=date(2023, 1, 2), author="tester")
            found = readiness_for(trellis.uow(), handle)
            r = found.readiness
            assert r.target.id == following.id
            assert not r.ready  # nobody is ready for the next level on the hire alone
            assert r.requirements, f"{following.id} asks for nothing"
            plan = create_plan(trellis.uow(), handle, author="tester").stored.plan
            assert plan.steps, f"no steps from {role.id} to {following.id}"
            checked += 1
        assert checked >= len(framework.tracks)
    finally:
        trellis.close()
