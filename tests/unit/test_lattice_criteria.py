"""The lattice on a criteria framework: each criterion the target expects and one lacks is a
nano-step, so moves between tracks that share topics cost less. Costs worked out by hand."""

from __future__ import annotations

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.analytics.lattice_fit import build_fit, explain
from trellis.analytics.lattice_graph import build_lattice
from trellis.domain.effort import DEFAULT_CRITERION_MONTHS, EffortModel, Estimate
from trellis.domain.framework import Framework, MoveKind
from trellis.domain.lattice import Pricing, criteria_steps, criterion_months, describe_path

# Tracks a and b share the topic 'shared'; track c shares nothing. a2 also expects coding 1.
CRITERIA_GRID = """
id: crit-grid
name: Criteria grid
tracks: [{id: a, name: A}, {id: b, name: B}, {id: c, name: C}]
levels: [{id: L1, name: One}, {id: L2, name: Two}]
skill_bands:
  - {id: s, name: S, competencies: [{id: coding, name: Coding}]}
topics:
  - id: shared
    name: Shared
    tracks: [a, b]
    criteria:
      - {id: g.1, level: L1, text: Gives status updates}
      - {id: g.2, level: L2, text: Gives feedback upwards}
  - id: own-a
    name: A's own
    tracks: [a]
    criteria:
      - {id: a.1, level: L1, text: Writes tests}
      - {id: a.2, level: L2, text: Designs services}
  - id: own-b
    name: B's own
    tracks: [b]
    criteria:
      - {id: b.1, level: L1, text: Draws wireframes}
  - id: own-c
    name: C's own
    tracks: [c]
    criteria:
      - {id: c.1, level: L1, text: Closes the books}
      - {id: c.2, level: L1, text: Reconciles accounts}
roles:
  - {id: a1, track: a, level: L1, title: A1}
  - {id: a2, track: a, level: L2, title: A2, expects: {coding: 1}}
  - {id: b1, track: b, level: L1, title: B1}
  - {id: c1, track: c, level: L1, title: C1}
lattice:
  lanes: 2
  weights: {vertical: 0, lateral: 3, diagonal: 5}
"""

# Work in median steps: b.1 has its own estimate (1); every other criterion and coding 1
# are 2. At 2 median steps a quarter, a median step takes M = 1.5 months (the framework's
# ``lanes: 2`` no longer divides).
PACE = 2.0
M = 3 / PACE
WORK = EffortModel(by_mastery={1: Estimate(2.0, 0.5, 5, "mastery")},
                   by_criterion={"b.1": Estimate(1.0, 0.5, 5, "criterion")},
                   criteria_overall=Estimate(2.0, 0.5, 20, "criteria"))
MODEL = Pricing(WORK, {}, PACE)


@pytest.fixture(scope="module")
def fw() -> Framework:
    return parse_framework(CRITERIA_GRID)[0]


def test_a_criterion_is_priced_by_the_estimates_plans_use(fw):
    assert criterion_months(WORK, fw.criteria["b.1"]) == 1.0  # its own
    assert criterion_months(WORK, fw.criteria["c.1"]) == 2.0  # every criterion's
    level = EffortModel(by_criteria_level={"L1": Estimate(3.0, 0.5, 5, "level")})
    assert criterion_months(level, fw.criteria["c.1"]) == 3.0  # its level's
    assert criterion_months(EffortModel(), fw.criteria["c.1"]) == DEFAULT_CRITERION_MONTHS
    steps = criteria_steps(fw, WORK, {"g.1"}, fw.roles["a2"], PACE)
    assert [(s.criterion, s.text, s.months, s.work) for s in steps] == [
        ("g.2", "Gives feedback upwards", 2 * M, 2.0), ("a.1", "Writes tests", 2 * M, 2.0),
        ("a.2", "Designs services", 2 * M, 2.0)]


# (source, target, kind, months): the gap's work * 3 / pace + the kind's weight
HAND = [
    ("a1", "b1", MoveKind.LATERAL, 1.0 * M + 3),  # b.1 only: g.1 is shared
    ("a1", "c1", MoveKind.LATERAL, (2 + 2) * M + 3),  # c.1, c.2: nothing shared
    ("b1", "a1", MoveKind.LATERAL, 2 * M + 3),  # a.1
    ("a1", "a2", MoveKind.VERTICAL, (2 + 2 + 2) * M + 0),  # g.2, a.2 and coding 0 -> 1
    ("b1", "a2", MoveKind.DIAGONAL, (2 + 2 + 2 + 2) * M + 5),  # g.2, a.1, a.2, coding
    ("c1", "a2", MoveKind.DIAGONAL, (2 * 4 + 2) * M + 5),  # every criterion of a2, coding
]


@pytest.mark.parametrize(("source", "target", "kind", "months"), HAND)
def test_a_move_costs_the_criteria_the_target_adds(fw, source, target, kind, months):
    graph = build_lattice(fw, MODEL)
    assert graph.kind(source, target) is kind
    assert graph.cost[graph.index[source], graph.index[target]] == pytest.approx(months)
    path = describe_path(fw, MODEL, dict(fw.roles[source].expects), [source, target],
                         fw.roles[source].criteria)
    assert path.months == pytest.approx(months)


def test_tracks_sharing_topics_are_closer_than_tracks_sharing_none(fw):
    graph = build_lattice(fw, MODEL)
    cost = graph.cost[graph.index["a1"]]
    assert cost[graph.index["b1"]] < cost[graph.index["c1"]]  # 1 M + 3 < 4 M + 3
    fit = build_fit(fw)
    assert fit.part("criteria", "a1", "b1") == pytest.approx(1 / 3)  # g.1 of g.1, a.1, b.1
    assert fit.part("criteria", "a1", "c1") == 0.0
    assert explain(fw, fit, "a1", "b1")[0] == "shares 1 of 3 criteria"


def test_a_move_lists_the_criteria_to_show_and_counts_each_once_along_a_path(fw):
    path = describe_path(fw, MODEL, {}, ["c1", "a1", "a2"], fw.roles["c1"].criteria)
    first, second = path.moves
    assert [c.criterion for c in first.criteria] == ["g.1", "a.1"]
    assert first.months == (2 + 2) * M + 3
    assert [c.criterion for c in second.criteria] == ["g.2", "a.2"]  # g.1, a.1 are shown
    assert [(s.competency, s.to_mastery) for s in second.steps] == [("coding", 1)]
    assert second.months == (2 + 2 + 2) * M
    assert path.months == (2 + 2) * M + 3 + (2 + 2 + 2) * M


def test_a_person_who_has_met_a_criterion_moves_for_less(fw):
    graph = build_lattice(fw, MODEL)
    # someone in a1 who has already shown b.1 moves to b1 for the friction alone
    row = graph.costs_from("a1", {}, {"g.1", "a.1", "b.1"})
    assert row[graph.index["b1"]] == pytest.approx(3.0)
    # ... and someone in a1 who has met nothing pays for g.1 too
    assert graph.costs_from("a1", {}, set())[graph.index["b1"]] == pytest.approx(
        (2 + 1) * M + 3)
    (roles, months), = graph.best_paths("a1", "b1", 1, {}, {"g.1", "a.1", "b.1"})
    assert (roles, months) == (["a1", "b1"], pytest.approx(3.0))


def test_the_cheapest_path_goes_through_the_shared_track(fw):
    graph = build_lattice(fw, MODEL)
    reached = graph.reachable("c1", 100.0)
    # c1 -> a2 directly: 10 M + 5; c1 -> a1 -> a2: (4 M + 3) + 6 M, cheaper
    assert reached["a2"] == (pytest.approx(10 * M + 3), ["c1", "a1", "a2"])
