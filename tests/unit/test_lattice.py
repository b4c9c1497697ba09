"""The lattice: move kinds, costs against hand-computed values, explicit moves, laterals."""

from __future__ import annotations

import pytest

from conftest import TINY
from trellis.adapters.framework_files import parse_framework, read_framework_file
from trellis.analytics.lattice_graph import build_lattice
from trellis.domain.effort import EffortModel, Estimate
from trellis.domain.framework import MoveKind
from trellis.domain.lattice import Pricing, classify_move, describe_path, pricing, relation
from trellis.domain.throughput import Difficulty, Prior, Rated, ThroughputModel
from trellis.errors import FrameworkInvalid

GRID = """
id: grid
name: Grid
tracks: [{id: a, name: A}, {id: b, name: B}]
levels: [{id: L1, name: One}, {id: L2, name: Two}, {id: L3, name: Three}]
skill_bands:
  - id: s
    name: S
    competencies: [{id: x, name: X}, {id: y, name: Y}]
roles:
  - {id: a1, track: a, level: L1, title: A1, expects: {x: 1}}
  - {id: a2, track: a, level: L2, title: A2, expects: {x: 2}}
  - {id: a3, track: a, level: L3, title: A3, expects: {x: 3}}
  - {id: b1, track: b, level: L1, title: B1, expects: {y: 1}}
  - {id: b2, track: b, level: L2, title: B2, expects: {x: 1, y: 2}}
lattice:
  lanes: 2
  weights: {vertical: 0, lateral: 3, diagonal: 5}
"""

# Work per step, in median steps: y to 1 is 1 (its own estimate); any other step to m is
# 2, 4, 6. At a pace of 2 median steps a quarter a median step takes M = 1.5 months; the
# framework's ``lanes: 2`` no longer divides anything.
PACE = 2.0
M = 3 / PACE
MODEL = Pricing(EffortModel(
    by_step={("y", 1): Estimate(1.0, 0.5, 5, "competency")},
    by_mastery={m: Estimate(months, 0.5, 5, "mastery")
                for m, months in {1: 2.0, 2: 4.0, 3: 6.0}.items()},
), {}, PACE)


def grid(extra: str = ""):
    return parse_framework(GRID + extra)[0]


def test_move_kinds_follow_level_rank_and_track():
    fw = grid()
    assert classify_move(fw, "a1", "a2") is MoveKind.VERTICAL
    assert classify_move(fw, "a2", "a3") is MoveKind.VERTICAL
    assert classify_move(fw, "a1", "a3") is None  # two levels up
    assert classify_move(fw, "a2", "a1") is MoveKind.DOWN  # down the same track
    assert classify_move(fw, "a3", "a1") is None  # two levels down
    assert classify_move(fw, "a1", "b1") is MoveKind.LATERAL
    assert classify_move(fw, "a1", "b2") is MoveKind.DIAGONAL
    assert classify_move(fw, "b2", "a1") is MoveKind.DOWN  # a step down, elsewhere
    assert classify_move(fw, "b1", "a3") is None
    assert classify_move(fw, "a1", "a1") is None
    assert relation(fw, "b1", "a3") is MoveKind.DIAGONAL
    assert relation(fw, "a1", "a3") is MoveKind.VERTICAL
    assert relation(fw, "a3", "a1") is MoveKind.DOWN
    assert relation(fw, "a1", "a1") is None


def test_another_role_of_the_same_track_and_level_is_a_lateral_move():
    # the grid has one role per cell: add a twin of a1
    fw = parse_framework(GRID.replace(
        "  - {id: b1,", "  - {id: a1x, track: a, level: L1, title: A1X, expects: {x: 1}}\n"
        "  - {id: b1,"))[0]
    assert classify_move(fw, "a1", "a1x") is MoveKind.LATERAL
    assert relation(fw, "a1x", "a1") is MoveKind.LATERAL
    assert classify_move(fw, "a2", "a1x") is MoveKind.DOWN
    g = build_lattice(fw, MODEL)
    assert g.kind("a1", "a1x") is MoveKind.LATERAL
    assert g.cost[g.index["a1"], g.index["a1x"]] == pytest.approx(0 + 3)  # no gap: friction


def test_the_graph_has_the_same_kinds_as_the_rule():
    fw = grid()
    g = build_lattice(fw, MODEL)
    for a in fw.roles:
        for b in fw.roles:
            assert g.kind(a, b) is classify_move(fw, a, b), (a, b)


def test_vertical_skips_levels_a_track_lacks():
    fw, _ = read_framework_file(TINY)
    assert classify_move(fw, "des2", "eng3") is MoveKind.DIAGONAL
    assert classify_move(fw, "des1", "des2") is MoveKind.VERTICAL


def test_move_costs_match_hand_computed_values():
    g = build_lattice(grid(), MODEL)
    cost = lambda a, b: float(g.cost[g.index[a], g.index[b]])  # noqa: E731
    assert cost("a1", "a2") == pytest.approx(4 * M + 0)  # x 1->2
    assert cost("a1", "b1") == pytest.approx(1 * M + 3)  # y 0->1
    assert cost("a1", "b2") == pytest.approx((1 + 4) * M + 5)  # y 0->2
    assert cost("b1", "a2") == pytest.approx((2 + 4) * M + 5)  # x 0->2
    assert cost("b2", "a3") == pytest.approx((4 + 6) * M + 5)  # x 1->3
    assert cost("a2", "b2") == pytest.approx((1 + 4) * M + 3)
    assert cost("a1", "a3") == float("inf")


def test_the_best_paths_and_their_costs():
    g = build_lattice(grid(), MODEL)
    found = g.best_paths("a1", "a3", 3, {"x": 1})
    assert found[0] == (["a1", "a2", "a3"], pytest.approx((4 + 6) * M))
    # then a1 -> b1 -> a2 -> a3: y 0->1 + lateral, x 0->2 + diagonal, x 2->3; and
    # a1 -> b2 -> a2 -> a3: y 0->2 + diagonal, x 1->2 + lateral, x 2->3
    assert found[1] == (["a1", "b1", "a2", "a3"],
                        pytest.approx(1 * M + 3 + (2 + 4) * M + 5 + 6 * M))
    assert found[2] == (["a1", "b2", "a2", "a3"],
                        pytest.approx((1 + 4) * M + 5 + 4 * M + 3 + 6 * M))


def test_the_first_move_is_priced_from_the_persons_own_mastery():
    g = build_lattice(grid(), MODEL)
    (path, months), = g.best_paths("a1", "b1", 1, {"x": 1, "y": 1})
    assert path == ["a1", "b1"] and months == pytest.approx(3)  # no gap: the weight only
    (path, months), = g.best_paths("a1", "b1", 1, {})
    assert months == pytest.approx(1 * M + 3)


def test_each_move_is_priced_at_the_pace_of_the_role_it_leaves():
    fw = grid()
    slow = Pricing(MODEL.work, {"b1": 1.0}, PACE)  # a median step a quarter from b1
    g = build_lattice(fw, slow)
    assert g.cost[g.index["b1"], g.index["a2"]] == pytest.approx((2 + 4) * 3 / 1.0 + 5)
    assert g.cost[g.index["a1"], g.index["b1"]] == pytest.approx(1 * M + 3)
    # a person's own pace prices their first move only
    path = describe_path(fw, slow, {}, ["a1", "b1", "a2"], first_pace=6.0)
    assert [m.months for m in path.moves] == [round(1 * 3 / 6.0 + 3, 2),
                                              round((2 + 4) * 3 / 1.0 + 5, 2)]
    assert [(m.work, m.pace) for m in path.moves] == [(1.0, 6.0), (6.0, 1.0)]
    first = g.costs_from("a1", {}, (), pace=6.0)
    assert first[g.index["b1"]] == pytest.approx(1 * 3 / 6.0 + 3)


def test_prices_come_from_the_throughput_model():
    fw = grid()
    model = ThroughputModel(
        Difficulty({("y", 1): Rated(0.5, 9, "competency")}, {2: Rated(1.2, 9, "mastery")}),
        by_role={("a", "L1"): Prior(1.5, 4.0, 10, "a/L1", focus=0.8)},
        by_level={"L2": Prior(2.5, 4.0, 10, "L2", focus=0.6)},
        overall=Prior(2.0, 4.0, 30, "organization", focus=0.5))
    prices = pricing(fw, model)
    # the role's track and level, else its level, else the organization, times the focus
    assert prices.paces["a1"] == pytest.approx(1.5 * 0.8)
    assert prices.paces["b2"] == pytest.approx(2.5 * 0.6)
    assert prices.paces["b1"] == prices.default == pytest.approx(2.0 * 0.5)
    # the plan's difficulties: y 0->1 its own, x 1->2 its mastery's, x 0->1 the default
    # (the months of a step to mastery 1 over those to mastery 3: 1.5 / 5)
    g = build_lattice(fw, prices)
    assert g.cost[g.index["b1"], g.index["a1"]] == pytest.approx(0.3 * 3 / (2.0 * 0.5) + 3)
    assert g.cost[g.index["a1"], g.index["a2"]] == pytest.approx(1.2 * 3 / (1.5 * 0.8))
    assert g.cost[g.index["a1"], g.index["b1"]] == pytest.approx(0.5 * 3 / (1.5 * 0.8) + 3)


def test_describe_path_counts_each_step_once_along_the_path():
    fw = grid()
    path = describe_path(fw, MODEL, {"x": 1}, ["a1", "b1", "b2", "a3"])
    assert [m.kind for m in path.moves] == [MoveKind.LATERAL, MoveKind.VERTICAL,
                                            MoveKind.DIAGONAL]
    # b1 -> b2 needs only y 1->2: x 1 was carried from a1 (the graph's estimate adds x 0->1)
    assert [(s.competency, s.to_mastery, s.months) for s in path.moves[1].steps] == [
        ("y", 2, 4 * M)]
    assert [m.months for m in path.moves] == [1 * M + 3, 4 * M, (4 + 6) * M + 5]
    assert path.months == pytest.approx(15 * M + 8)
    g = build_lattice(fw, MODEL)
    graph_cost = sum(float(g.cost[g.index[a], g.index[b]])
                     for a, b in [("b1", "b2"), ("b2", "a3")]) + 1 * M + 3
    assert graph_cost == pytest.approx(17 * M + 8)  # the upper bound the search ranks by


def test_explicit_moves_add_and_price_edges():
    fw = grid("  moves:\n    - {from: b1, to: a3, kind: diagonal, weight: 1}\n"
              "    - {from: a1, to: b1, kind: lateral}\n")
    g = build_lattice(fw, MODEL)
    assert g.kind("b1", "a3") is MoveKind.DIAGONAL
    assert g.cost[g.index["b1"], g.index["a3"]] == pytest.approx((2 + 4 + 6) * M + 1)
    assert g.cost[g.index["a1"], g.index["b1"]] == pytest.approx(1 * M + 3)
    assert g.best_paths("b1", "a3", 1)[0] == (["b1", "a3"], pytest.approx(12 * M + 1))
    path = describe_path(fw, MODEL, {"y": 1}, ["b1", "a3"])
    assert path.moves[0].weight == 1 and path.months == pytest.approx(12 * M + 1)


@pytest.mark.parametrize(("moves", "message"), [
    ("- {from: a1, to: zz, kind: lateral}", "lattice.moves[0].to: unknown role 'zz'"),
    ("- {from: a1, to: a1, kind: lateral}", "lattice.moves[0]: a move needs two different"),
    ("- {from: a1, to: b1, kind: sideways}", "lattice.moves[0].kind"),
])
def test_explicit_moves_are_validated(moves, message):
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(GRID + "  moves:\n    " + moves + "\n")
    assert message in str(caught.value)


def test_frameworks_without_a_lattice_section_get_the_defaults():
    fw, document = read_framework_file(TINY)
    assert fw.lattice.lanes == 3
    assert fw.lattice.weight_of(MoveKind.LATERAL) == 3
    assert "lattice" not in document


def test_vertical_moves_respect_readiness_gates():
    fw = parse_framework(GRID.replace("{id: L2, name: Two}", "{id: L2, name: Two, min_months: 10}")
                         .replace("competencies: [{id: x, name: X}, {id: y, name: Y}]",
                                  "competencies: [{id: x, name: X}, {id: y, name: Y}]\n"
                                  "    levels: [{name: Broad, k: 2, mastery: 3}]")
                         .replace("title: A3, expects: {x: 3}}",
                                  "title: A3, expects: {x: 3}, band_levels: {s: 1}}"))[0]
    g = build_lattice(fw, MODEL)
    assert g.cost[g.index["a1"], g.index["a2"]] == pytest.approx(10)  # gap 6 months, gate 10
    assert g.cost[g.index["a1"], g.index["b2"]] == pytest.approx((1 + 4) * M + 5)  # diagonal
    path = describe_path(fw, MODEL, {"x": 1}, ["a1", "a2", "a3"])
    up, top = path.moves
    assert (up.months, up.gate_months, up.blocked) == (10, 10, ())
    assert top.gate_months == 0 and top.months == 6 * M  # x 2->3, 6 median steps
    # the band needs x and y at 3; a3 expects only x: the gate blocks the move
    assert top.blocked == ("band 'S' level 1 (Broad) is not reached by the role's "
                           "expectations",)
    assert describe_path(fw, MODEL, {"x": 3, "y": 3}, ["a2", "a3"]).moves[0].blocked == ()
