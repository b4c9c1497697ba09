"""The lattice use cases over a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.adapters.onet import read_onet_framework
from trellis.analytics.lattice_graph import KINDS, build_lattice
from trellis.domain.effort import EffortModel
from trellis.domain.framework import MoveKind
from trellis.errors import NotFound, TrellisError
from trellis.services import lattice
from trellis.services.frameworks import load_framework
from trellis.services.ledger import record_event
from trellis.services.people import add_person

ONET = Path(__file__).resolve().parents[3] / "shared" / "data" / "onet"


def hire(trellis, handle="ada", role="eng1"):
    add_person(trellis.uow(), handle, handle.title(), role=role, hired_on=date(2020, 1, 6),
               author="tester")


def test_a_lateral_path_into_another_track_with_its_steps(trellis):
    hire(trellis)
    record_event(trellis.uow(), "ada", "skill_step", date(2020, 3, 1),
                 {"competency": "coding", "from_mastery": 0, "to_mastery": 1},
                 author="tester")
    found = lattice.paths(trellis.uow(), "ada", "des2", k=3)
    assert found.start.role.id == "eng1" and found.target.id == "des2"
    assert len(found.paths) == 3
    months = [p.months for p in found.paths]
    assert months == sorted(months)
    best = found.paths[0]
    assert best.roles[0] == "eng1" and best.roles[-1] == "des2"
    assert any(m.kind is not MoveKind.VERTICAL for m in best.moves)
    steps = {(s.competency, s.to_mastery) for m in best.moves for s in m.steps}
    assert {("design_systems", 1), ("design_systems", 2), ("communication", 2)} <= steps
    assert ("coding", 1) not in steps  # already held


def test_explore_separates_the_kinds_of_move(trellis):
    hire(trellis)
    found = lattice.explore(trellis.uow(), person="ada", budget=60)
    assert found.kinds == (MoveKind.LATERAL, MoveKind.DIAGONAL, MoveKind.VERTICAL)
    assert {d.role.id for d in found.of(MoveKind.VERTICAL)} == {"eng2", "eng3"}
    assert [d.role.id for d in found.of(MoveKind.LATERAL)] == ["des1"]
    assert {d.role.id for d in found.of(MoveKind.DIAGONAL)} == {"des2"}
    assert all(d.months <= 60 for kind in MoveKind for d in found.of(kind))
    assert all(0 <= d.fit.score <= 1 and d.fit.reasons for kind in found.kinds
               for d in found.of(kind))
    vertical = found.of(MoveKind.VERTICAL)
    assert [d.fit.score for d in vertical] == sorted((d.fit.score for d in vertical),
                                                     reverse=True)
    by_role = lattice.explore(trellis.uow(), role="eng2", budget=60)
    assert by_role.start.person is None and by_role.start.role.id == "eng2"
    assert "eng1" not in {d.role.id for kind in MoveKind for d in by_role.of(kind)}
    down = lattice.explore(trellis.uow(), role="eng2", budget=60, down=True)
    assert [d.role.id for d in down.of(MoveKind.DOWN)] == ["eng1", "des1"]  # by fit
    assert down.of(MoveKind.DOWN)[0].levels == -1


def test_explore_within_a_small_budget_finds_less(trellis):
    hire(trellis)
    wide = lattice.explore(trellis.uow(), person="ada", budget=60)
    narrow = lattice.explore(trellis.uow(), person="ada", budget=2)
    count = lambda e: sum(len(e.of(k)) for k in MoveKind)  # noqa: E731
    assert count(narrow) < count(wide)


def test_errors_are_one_line_trellis_errors(trellis):
    hire(trellis)
    with pytest.raises(NotFound, match="unknown role 'nope'"):
        lattice.paths(trellis.uow(), "ada", "nope")
    with pytest.raises(TrellisError, match="already in role eng1"):
        lattice.paths(trellis.uow(), "ada", "eng1")
    with pytest.raises(NotFound, match="unknown person"):
        lattice.explore(trellis.uow(), person="nobody")


def test_no_path_between_unconnected_roles(trellis):
    fw, doc = parse_framework("""
id: gap
name: Gap
tracks: [{id: a, name: A}, {id: b, name: B}]
levels: [{id: L1, name: One}, {id: L2, name: Two}, {id: L3, name: Three}]
skill_bands: [{id: s, name: S, competencies: [{id: x, name: X}]}]
roles:
  - {id: a1, track: a, level: L1, title: A1, expects: {x: 1}}
  - {id: b3, track: b, level: L3, title: B3, expects: {x: 3}}
""")
    load_framework(trellis.uow(), fw, doc, author="tester", activate=True)
    hire(trellis, "bo", role="a1")
    with pytest.raises(NotFound, match="no path from a1 to b3"):
        lattice.paths(trellis.uow(), "bo", "b3")


def test_neighbourhood_starts_at_the_role(trellis):
    hire(trellis)
    start, view = lattice.neighbourhood(trellis.uow(), person="ada", radius=2)
    assert view.roles[0] == "eng1" == start.role.id
    assert {e.kind for e in view.edges} == set(MoveKind) - {MoveKind.DOWN}
    _, view = lattice.neighbourhood(trellis.uow(), person="ada", radius=2, down=True)
    assert MoveKind.DOWN in {e.kind for e in view.edges}


@pytest.mark.skipif(not ONET.is_dir(), reason="the O*NET data folder is absent")
def test_the_onet_lattice_has_every_kind_of_move_and_paths_across_tracks():
    fw, _ = read_onet_framework(ONET)
    g = build_lattice(fw, EffortModel())
    assert {KINDS[k] for k in set(g.kinds.flatten().tolist()) if k >= 0} == set(MoveKind)
    source, target = "15-1212.00", "11-3021.00"  # security analyst -> IT manager
    assert fw.roles[source].track != fw.roles[target].track
    found = g.best_paths(source, target, 5, dict(fw.roles[source].expects))
    assert len(found) == 5
    costs = [c for _, c in found]
    assert costs == sorted(costs)
