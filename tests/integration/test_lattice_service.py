"""The lattice use cases over a real database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.adapters.onet import read_onet_framework
from trellis.analytics.lattice_graph import KINDS, build_lattice
from trellis.domain.framework import MoveKind
from trellis.domain.lattice import pricing
from trellis.domain.throughput import ThroughputModel
from trellis.errors import InvalidEvent, NotFound, TrellisError
from trellis.services import lattice
from trellis.services.frameworks import load_framework
from trellis.services.ledger import record_event
from trellis.services.people import add_person

ONET = Path(os.environ.get("TRELLIS_ONET_DIR")
            or Path(__file__).resolve().parents[3] / "shared" / "data" / "onet")


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
    with pytest.raises(TrellisError, match="already in role Engineer I") as held:
        lattice.paths(trellis.uow(), "ada", "eng1")
    assert held.value.on_command_line().endswith("already in role eng1 (Engineer I)")
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
    with pytest.raises(NotFound) as none:
        lattice.paths(trellis.uow(), "bo", "b3")
    assert none.value.on_command_line() == "no path from a1 to b3 in the lattice"


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
    g = build_lattice(fw, pricing(fw, ThroughputModel()))
    assert {KINDS[k] for k in set(g.kinds.flatten().tolist()) if k >= 0} == set(MoveKind)
    source, target = "15-1212.00", "11-3021.00"  # security analyst -> IT manager
    assert fw.roles[source].track != fw.roles[target].track
    found = g.best_paths(source, target, 5, dict(fw.roles[source].expects))
    assert len(found) == 5
    costs = [c for _, c in found]
    assert costs == sorted(costs)


SPREAD = """
id: spread
name: Spread
tracks: [{id: a, name: A}, {id: b, name: B}, {id: c, name: C}]
levels: [{id: L1, name: One}, {id: L2, name: Two}]
skill_bands: [{id: s, name: S, competencies: [{id: x, name: X}, {id: y, name: Y}]}]
roles:
  - {id: a1, track: a, level: L1, title: Data Analyst, expects: {x: 2}}
  - {id: b1, track: b, level: L1, title: Data Scientist, expects: {x: 2, y: 1}}
  - {id: c1, track: c, level: L1, title: Shop Clerk, expects: {y: 2}}
  - {id: a2, track: a, level: L2, title: Lead Analyst, expects: {x: 3}}
  - {id: e1, track: a, level: L1, title: Empty}
"""


def spread(trellis):
    fw, doc = parse_framework(SPREAD)
    load_framework(trellis.uow(), fw, doc, author="tester", activate=True)


def test_moves_people_made_raise_the_fit_and_change_the_ranking(trellis):
    spread(trellis)
    before = lattice.explore(trellis.uow(), role="a1", budget=120)
    order = [d.role.id for d in before.of(MoveKind.LATERAL)]
    assert order[0] == "b1" and "c1" in order[1:]  # a shop clerk fits a data analyst less
    assert before.observed == 0
    for n, handle in enumerate(("ann", "ben", "cy")):
        hire(trellis, handle, role="a1")
        record_event(trellis.uow(), handle, "lateral_move", date(2021, 3, 1 + n),
                     {"role": "c1"}, author="tester")
    hire(trellis, "dee", role="a1")
    record_event(trellis.uow(), "dee", "promotion", date(2021, 6, 1), {"role": "a2"},
                 author="tester")  # a vertical move: not counted
    after = lattice.explore(trellis.uow(), role="a1", budget=120)
    assert after.observed == 3
    first = after.of(MoveKind.LATERAL)[0]
    assert first.role.id == "c1" and first.fit.observed == 3
    assert first.fit.score == pytest.approx(1 - (1 - first.fit.base) * 0.8 ** 3, abs=1e-3)
    assert "3 people made this move" in first.fit.reasons
    framework = lattice.load_lattice(trellis.uow()).framework
    assert lattice.observed_moves(trellis.uow(), framework) == {("a1", "c1"): 3}


def test_the_budget_filters_and_sort_cost_reorders(trellis):
    spread(trellis)
    by_fit = lattice.explore(trellis.uow(), role="a1", budget=120)
    by_cost = lattice.explore(trellis.uow(), role="a1", budget=120, sort="cost")
    fit_order = [d.role.id for d in by_fit.of(MoveKind.LATERAL)]
    cost_order = [d.role.id for d in by_cost.of(MoveKind.LATERAL)]
    assert sorted(fit_order) == sorted(cost_order)
    months = [d.months for d in by_cost.of(MoveKind.LATERAL)]
    assert months == sorted(months)
    cheapest = min(months)
    narrow = lattice.explore(trellis.uow(), role="a1", budget=cheapest)
    assert [d.months for d in narrow.of(MoveKind.LATERAL)] == [cheapest]


def test_top_of_a_track_is_said(trellis):
    spread(trellis)
    found = lattice.explore(trellis.uow(), role="b1", budget=120)
    assert found.top_of_track and found.of(MoveKind.VERTICAL) == ()
    assert not lattice.explore(trellis.uow(), role="a1", budget=120).top_of_track


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"role": "zz"}, NotFound, "unknown role 'zz' in the Spread framework"),
    ({"role": "a1", "budget": -1}, InvalidEvent, "the budget must be more than 0 months"),
    ({"role": "a1", "budget": 0}, InvalidEvent, "the budget must be more than 0 months"),
    ({"role": "a1", "sort": "name"}, InvalidEvent, "unknown sort 'name': use fit or cost"),
    ({"role": "e1"}, InvalidEvent, "Empty expects nothing: the lattice cannot "
     "price or fit moves from it"),
])
def test_bad_explore_input_is_one_clear_line(trellis, kwargs, error, message):
    spread(trellis)
    with pytest.raises(error) as caught:
        lattice.explore(trellis.uow(), **kwargs)
    assert str(caught.value) == message


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"role": "zz"}, "unknown role 'zz' in framework 'spread'"),
    ({"role": "e1"}, "role e1 (Empty) expects nothing: the lattice cannot price or fit moves "
     "from it"),
])
def test_the_command_line_names_roles_and_frameworks_by_id(trellis, kwargs, message):
    spread(trellis)
    with pytest.raises(TrellisError) as caught:
        lattice.explore(trellis.uow(), **kwargs)
    assert caught.value.on_command_line() == message
