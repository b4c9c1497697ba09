"""Role fragmentation rules, checked against hand computations."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest

from trellis.domain.fragmentation import (
    Action,
    FragmentationRules,
    Status,
    assess,
    duty_shares,
    fragmentation_index,
)
from trellis.domain.ledger_rows import EventRow

TRACKS = {"eng1": "eng", "eng2": "eng", "pm1": "product", "des1": "design"}
TODAY = date(2025, 1, 1)


def rows(*events: tuple[str, str, dict[str, Any]]) -> list[EventRow]:
    return [EventRow(i, 1, kind, date.fromisoformat(on), details)
            for i, (on, kind, details) in enumerate(events, start=1)]


def test_the_index_is_the_normalized_entropy_of_the_shares():
    # own 0.5, a 0.25, b 0.25 over N = 4 functions: -(0.5 ln 0.5 + 2 * 0.25 ln 0.25) / ln 4
    shares = duty_shares({"a": 0.25, "b": 0.25}, "own")
    assert shares == {"a": 0.25, "b": 0.25, "own": 0.5}
    by_hand = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25)) / math.log(4)
    assert by_hand == pytest.approx(0.75)
    assert fragmentation_index(shares, 4) == pytest.approx(0.75)


def test_index_bounds_and_edge_cases():
    assert fragmentation_index({"own": 1.0}, 4) == 0.0
    assert fragmentation_index({"own": 1.0}, 1) == 0.0  # a single-function framework
    assert fragmentation_index({}, 4) == 0.0
    even = {f: 0.25 for f in "abcd"}
    assert fragmentation_index(even, 4) == pytest.approx(1.0)
    # own 0.8, other 0.2 over two functions
    assert fragmentation_index({"own": 0.8, "x": 0.2}, 2) == pytest.approx(
        -(0.8 * math.log(0.8) + 0.2 * math.log(0.2)) / math.log(2))


def test_the_own_track_takes_what_the_others_leave_and_excess_is_normalized():
    # An explicitly recorded own-track share is ignored: the others decide it.
    assert duty_shares({"own": 1.0, "x": 0.3}, "own") == pytest.approx({"own": 0.7, "x": 0.3})
    assert duty_shares({"x": 0.9, "y": 0.6}, "own") == pytest.approx({"x": 0.6, "y": 0.4})
    assert duty_shares({"x": 0.5, "y": 0.5}, "own") == {"x": 0.5, "y": 0.5}


def run(*events, today=TODAY, upgrades=(), **rules):
    return assess(1, rows(*events), track_of_role=TRACKS, functions=4,
                  band_upgrades=[date.fromisoformat(u) for u in upgrades], today=today,
                  rules=FragmentationRules(**rules))


HIRE = ("2023-01-01", "hire", {"role": "eng1"})


def test_an_expansion_nobody_acknowledged_within_the_window_is_unrecognized():
    found = run(HIRE, ("2023-01-01", "responsibility", {"function": "eng", "share": 1.0}),
                ("2024-01-10", "responsibility", {"function": "product", "share": 0.2}),
                ("2024-03-01", "compensation", {"compensation_kind": "merit", "percent": 3.0}))
    assert found.track == "eng"
    assert [(d.function, d.share, d.since) for d in found.duties] == [
        ("product", 0.2, date(2024, 1, 10))]
    (x,) = found.expansions
    assert x.status is Status.UNRECOGNIZED  # a routine 3% merit raise does not count
    assert found.index == pytest.approx(fragmentation_index({"eng": 0.8, "product": 0.2}, 4),
                                        abs=1e-4)
    age = (TODAY - date(2024, 1, 10)).days
    assert found.risk == pytest.approx(0.5 * found.index + 0.3 * 0.5 + 0.2 * age / 365,
                                       abs=1e-3)
    assert found.action is Action.RECOGNIZE
    assert any("product on 2024-01-10" in r for r in found.reasons)


@pytest.mark.parametrize(("event", "by"), [
    (("2024-02-01", "recognition", {"citation": "thanks", "points": 10}), "recognition"),
    (("2024-02-01", "compensation", {"compensation_kind": "bonus", "amount": 500}), "bonus"),
    (("2024-02-01", "compensation", {"compensation_kind": "merit", "percent": 6.0}), "raise"),
    (("2024-02-01", "promotion", {"role": "eng2"}), "promotion"),
    (("2024-01-10", "recognition", {"citation": "same day", "points": 10}), "recognition"),
])
def test_what_acknowledges_an_expansion(event, by):
    found = run(HIRE, ("2024-01-10", "responsibility", {"function": "product", "share": 0.2}),
                event)
    (x,) = found.expansions
    assert x.status is Status.ACKNOWLEDGED and x.acknowledged_by.startswith(by)


def test_a_band_upgrade_acknowledges_and_late_recognition_does_not():
    base = (HIRE, ("2024-01-10", "responsibility", {"function": "product", "share": 0.2}))
    assert run(*base, upgrades=["2024-05-01"]).expansions[0].status is Status.ACKNOWLEDGED
    late = run(*base, ("2024-08-01", "recognition", {"citation": "late", "points": 5}))
    assert late.expansions[0].status is Status.UNRECOGNIZED  # 6-month window ended 2024-07
    wider = run(*base, ("2024-08-01", "recognition", {"citation": "late", "points": 5}),
                window_months=9)
    assert wider.expansions[0].status is Status.ACKNOWLEDGED


def test_a_recent_expansion_is_pending_and_an_ended_duty_is_not_assessed():
    found = run(HIRE, ("2024-11-01", "responsibility", {"function": "design", "share": 0.1}))
    assert found.expansions[0].status is Status.PENDING
    assert found.action is Action.RECOGNIZE
    ended = run(HIRE, ("2023-05-01", "responsibility", {"function": "design", "share": 0.1}),
                ("2023-09-01", "responsibility", {"function": "design", "share": 0.0}))
    assert ended.duties == () and ended.expansions == () and ended.level == "none"
    assert ended.index == 0.0 and ended.action is Action.NONE


def test_suggested_actions():
    large = run(HIRE, ("2023-06-01", "responsibility", {"function": "product", "share": 0.4}))
    assert large.action is Action.LATERAL_MOVE
    several = run(HIRE, ("2024-01-01", "responsibility", {"function": "product", "share": 0.2}),
                  ("2024-02-01", "responsibility", {"function": "design", "share": 0.2}))
    assert several.index >= 0.5 and several.action is Action.RE_SCOPE
    assert several.level == "high"


def test_a_lateral_move_makes_the_new_function_the_own_track():
    found = run(HIRE, ("2024-01-10", "responsibility", {"function": "product", "share": 0.3}),
                ("2024-03-01", "lateral_move", {"role": "pm1"}),
                ("2024-03-01", "responsibility", {"function": "eng", "share": 0.0}),
                ("2024-03-01", "responsibility", {"function": "product", "share": 1.0}))
    assert found.track == "product" and found.duties == () and found.index == 0.0
