"""The lattice's fit: hand-computed on a small framework, and its properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.adapters.framework_files import parse_framework
from trellis.analytics.lattice_fit import FIT_WEIGHTS, LEVEL_FACTOR, build_fit, explain
from trellis.analytics.lattice_graph import build_lattice
from trellis.domain.framework import MoveKind
from trellis.domain.lattice import OBSERVED_PULL, observed_fit, pricing
from trellis.domain.throughput import ThroughputModel
from trellis.services.lattice import Lattice, Start, rank_moves

# Three competencies; importance only on a and b. c is one level up, in another track.
SMALL = """
id: small
name: Small
tracks: [{id: t, name: T}, {id: u, name: U}]
levels: [{id: L1, name: One}, {id: L2, name: Two}]
skill_bands:
  - {id: s, name: S, competencies: [{id: x, name: X}, {id: y, name: Y}, {id: z, name: Z}]}
roles:
  - {id: a, track: t, level: L1, title: Data Analyst, expects: {x: 2, y: 1},
     attributes: {importance: {x: 4, y: 2, z: 1}, interests: {Investigative: 6, Social: 2}}}
  - {id: b, track: t, level: L1, title: Data Engineer, expects: {x: 2, y: 2},
     attributes: {importance: {x: 4, y: 3, z: 1}, interests: {Investigative: 5, Social: 3}}}
  - {id: c, track: u, level: L2, title: Nurse, expects: {z: 3},
     attributes: {importance: {x: 1, y: 1, z: 5}, interests: {Investigative: 2, Social: 6}}}
"""


def centred_cosine(vectors: dict[str, list[float]], p: str, q: str) -> float:
    mean = [sum(v[i] for v in vectors.values()) / len(vectors) for i in range(3)]
    a = [v - m for v, m in zip(vectors[p], mean, strict=True)]
    b = [v - m for v, m in zip(vectors[q], mean, strict=True)]
    dot = sum(i * j for i, j in zip(a, b, strict=True))
    return max(0.0, dot / math.sqrt(sum(i * i for i in a) * sum(j * j for j in b)))


def test_fit_of_a_hand_made_framework_matches_a_hand_computation():
    fw = parse_framework(SMALL)[0]
    fit = build_fit(fw)
    # skills: expects * importance, measured from the average role
    skills = {"a": [8, 2, 0], "b": [8, 6, 0], "c": [0, 0, 15]}
    interests = {"a": [6, 2, 0], "b": [5, 3, 0], "c": [2, 6, 0]}
    for p, q in (("a", "b"), ("a", "c")):
        assert fit.part("skills", p, q) == pytest.approx(centred_cosine(skills, p, q), abs=1e-5)
    assert fit.part("interests", "a", "b") == pytest.approx(
        centred_cosine(interests, "a", "b"), abs=1e-5)
    # titles: "data" is shared by a and b; TF-IDF cosine with smoothed idf, sublinear tf
    idf_data, idf_one = math.log(4 / 3) + 1, math.log(4 / 2) + 1
    titles = idf_data ** 2 / (idf_data ** 2 + idf_one ** 2)
    assert fit.part("titles", "a", "b") == pytest.approx(titles, abs=1e-5)
    assert fit.part("titles", "a", "c") == 0.0
    parts = ("skills", "interests", "titles")  # no description, tasks, tools, knowledge
    assert set(fit.parts) == set(parts)
    expected = sum(FIT_WEIGHTS[p] * fit.part(p, "a", "b") for p in parts) / \
        sum(FIT_WEIGHTS[p] for p in parts)
    assert float(fit.fit[fit.index["a"], fit.index["b"]]) == pytest.approx(expected, abs=1e-5)
    across = sum(FIT_WEIGHTS[p] * fit.part(p, "a", "c") for p in parts) / \
        sum(FIT_WEIGHTS[p] for p in parts) * (1 - LEVEL_FACTOR)  # one level apart
    assert float(fit.fit[fit.index["a"], fit.index["c"]]) == pytest.approx(across, abs=1e-5)


def test_the_fit_in_words():
    fw = parse_framework(SMALL)[0]
    fit = build_fit(fw)
    words = explain(fw, fit, "a", "b")
    assert words[0] == "shares 1 of 2 skills at similar importance"  # x (4 vs 4); y 2 vs 3
    assert "same interests (Investigative, Social)" in words
    assert explain(fw, fit, "a", "c")[-2:] == ["different interests (Investigative vs Social)",
                                               "1 level up"]


def test_explore_ranks_by_fit_and_the_budget_only_filters():
    fw = parse_framework(SMALL)[0]
    prices = pricing(fw, ThroughputModel())
    lat = Lattice(fw, prices, build_lattice(fw, prices), build_fit(fw))
    start = Start(fw.roles["a"], None, dict(fw.roles["a"].expects))
    wide = rank_moves(lat, start, None, 10)  # no budget
    assert [d.role.id for d in wide.of(MoveKind.LATERAL)] == ["b"]  # same track, same level
    assert [d.role.id for d in wide.of(MoveKind.DIAGONAL)] == ["c"]
    assert wide.top_of_track  # no level above a in track t
    months = wide.of(MoveKind.DIAGONAL)[0].months
    narrow = rank_moves(lat, start, months - 0.01, 10)
    assert narrow.of(MoveKind.DIAGONAL) == () and narrow.of(MoveKind.LATERAL)
    observed = Lattice(lat.framework, lat.prices, lat.graph, lat.fit, {("a", "c"): 7})
    made = rank_moves(observed, start, math.inf, 10).of(MoveKind.DIAGONAL)[0].fit
    assert made.observed == 7 and made.score == pytest.approx(observed_fit(made.base, 7),
                                                              abs=1e-3)
    assert made.reasons[-1] == "7 people made this move"


VECTOR = st.lists(st.integers(0, 5), min_size=3, max_size=3)
WEIGHTS = st.lists(st.floats(1, 5), min_size=3, max_size=3)


def framework_of(expects: list[list[int]], weights: list[list[float]], level_of: list[int]):
    roles = "\n".join(
        f"  - {{id: r{i}, track: {'tu'[i % 2]}, level: L{level_of[i]}, title: Role {i}, "
        f"expects: {{x: {e[0]}, y: {e[1]}, z: {e[2]}}}, "
        f"attributes: {{importance: {{x: {w[0]}, y: {w[1]}, z: {w[2]}}}}}}}"
        for i, (e, w) in enumerate(zip(expects, weights, strict=True)))
    return parse_framework(SMALL.split("roles:")[0] + "roles:\n" + roles + "\n")[0]


@settings(max_examples=25, deadline=None)
@given(st.lists(VECTOR, min_size=3, max_size=5), st.lists(WEIGHTS, min_size=5, max_size=5),
       st.lists(st.integers(1, 2), min_size=5, max_size=5))
def test_identical_roles_fit_1_and_the_skill_part_is_symmetric(expects, weights, levels):
    n = len(expects)
    # r0 and r1 are the same role in two tracks at one level (titles differ only by number:
    # give them the same expectations and importance)
    expects = [expects[0], expects[0], *expects[2:]]
    weights = [weights[0], weights[0], *weights[2:n]]
    levels = [1, 1, *levels[2:n]]
    fw = framework_of(expects, weights, levels)
    fit = build_fit(fw)
    skills = fit.parts["skills"]
    assert np.allclose(skills, skills.T, atol=1e-6)
    assert ((fit.fit >= 0) & (fit.fit <= 1)).all()
    if fit.part("skills", "r0", "r1") is not None:
        assert fit.part("skills", "r0", "r1") == pytest.approx(1, abs=1e-5)
    twin = parse_framework(SMALL.replace("title: Data Engineer, expects: {x: 2, y: 2}",
                                         "title: Data Analyst, expects: {x: 2, y: 1}")
                           .replace("importance: {x: 4, y: 3, z: 1}, interests: "
                                    "{Investigative: 5, Social: 3}",
                                    "importance: {x: 4, y: 2, z: 1}, interests: "
                                    "{Investigative: 6, Social: 2}"))[0]
    twins = build_fit(twin)
    assert float(twins.fit[twins.index["a"], twins.index["b"]]) == pytest.approx(1, abs=1e-5)


@given(st.floats(0, 1), st.integers(0, 50))
def test_observed_moves_only_raise_the_fit(fit, moves):
    raised = observed_fit(fit, moves)
    assert fit - 1e-12 <= raised <= 1
    assert observed_fit(fit, moves + 1) >= raised
    assert observed_fit(0.5, 1) == pytest.approx(1 - 0.5 * (1 - OBSERVED_PULL))
