"""Calibration, pure: the ``calibration`` event's fields, the fold that sets a manager
review's calibrated rating beside the original (and a retraction that undoes it), the
distribution against a target, and 9-box placement on every boundary."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_criteria import load
from test_reviews import MANAGER, SELF, Reviews

from trellis.domain.calibration_sessions import (
    Band,
    CalibrationSession,
    GroupKind,
    SessionStatus,
    default_name,
    distribution,
    nine_box,
    performance_band,
    readiness_band,
    target_counts,
)
from trellis.domain.events import (
    Calibration,
    EventKind,
    details_from_mapping,
    details_to_mapping,
)
from trellis.domain.framework import RatingScale
from trellis.domain.profile_document import profile_from_document, profile_to_document
from trellis.domain.timeline import describe
from trellis.errors import InvalidEvent, LedgerRuleBroken

D = date.fromisoformat
LOW, MID, HIGH = Band.LOW, Band.MID, Band.HIGH
JULY = date(2024, 7, 1)


class Calibrated(Reviews):
    def calibrate(self, start: int, end: int, cycle: str = "2024",
                  on: date = JULY) -> Calibrated:
        self.events.append(self._event(on, Calibration(cycle, "s1", start, end, "the bar"),
                                       author="hr@x"))
        return self


# --- the event


def test_the_event_reads_plain_data_and_says_what_is_wrong_in_one_line():
    plain = {"cycle": "2024", "session": "s1", "from_rating": "3", "to_rating": 4,
             "reason": " held to the bar "}
    d = details_from_mapping(EventKind.CALIBRATION, plain)
    assert d == Calibration("2024", "s1", 3, 4, "held to the bar")
    assert details_to_mapping(d) == {"cycle": "2024", "session": "s1", "from_rating": 3,
                                     "to_rating": 4, "reason": "held to the bar"}
    for fields, message in (
            ({**plain, "reason": ""}, "calibration: reason is required"),
            ({**plain, "to_rating": "x"}, "calibration: to_rating must be an integer, got 'x'"),
            ({**plain, "from_rating": -1}, "calibration: from_rating cannot be negative"),
            ({**plain, "to_rating": 3}, "calibration: the rating is already 3; a calibration "
                                        "changes it")):
        with pytest.raises(InvalidEvent) as caught:
            details_from_mapping(EventKind.CALIBRATION, fields)
        assert str(caught.value) == message


# --- the fold


def test_the_profile_shows_the_calibrated_rating_beside_the_managers_original():
    p = Calibrated(load()).review(SELF, 5).review(MANAGER, 3).calibrate(3, 4).profile()
    record = p.reviews["2024"]["manager"][0]
    assert (record.rating, record.calibrated, record.overall) == (3, 4, 4)
    assert record.calibration_event == 4
    assert p.reviews["2024"]["self"][0].calibrated is None  # only the manager's is calibrated
    doc = profile_to_document(p)["reviews"]["2024"]
    assert (doc["manager"][0]["rating"], doc["manager"][0]["calibrated"],
            doc["manager"][0]["calibration_event_id"]) == (3, 4, 4)
    assert "calibrated" not in doc["self"][0]  # an uncalibrated review reads as before
    assert profile_from_document(profile_to_document(p)) == p


def test_a_second_calibration_starts_from_the_first_and_a_retraction_undoes_one():
    ledger = Calibrated(load()).review(MANAGER, 3).calibrate(3, 4).calibrate(4, 2)
    assert ledger.profile().reviews["2024"]["manager"][0].overall == 2
    ledger.retract(4)  # the second: the first stands again
    record = ledger.profile().reviews["2024"]["manager"][0]
    assert (record.rating, record.calibrated, record.calibration_event) == (3, 4, 3)


def test_the_fold_refuses_a_calibration_that_does_not_match_the_ledger():
    cases = [
        (Calibrated(load()).review(MANAGER, 3).calibrate(2, 4),
         "the cycle '2024' rating is 3, not 2"),
        (Calibrated(load()).review(MANAGER, 3).calibrate(3, 6),
         "rating 6 is outside the scale 1-5"),
        (Calibrated(load()).review(SELF, 3).calibrate(3, 4),
         "no manager review in cycle '2024' to calibrate"),
        # the first of two retracted: the second no longer starts where the rating stands
        (Calibrated(load()).review(MANAGER, 3).calibrate(3, 4).calibrate(4, 2).retract(3),
         "the cycle '2024' rating is 3, not 4"),
    ]
    for ledger, message in cases:
        with pytest.raises(LedgerRuleBroken) as caught:
            ledger.profile()
        assert str(caught.value) == f"a calibration on 1 Jul 2024: {message}"
        assert caught.value.on_command_line() == f"calibration on 2024-07-01: {message}"


def test_the_timeline_says_what_changed_and_why():
    ledger = Calibrated(load()).review(MANAGER, 3).calibrate(3, 4)
    text = describe(ledger.events[-1], ledger.framework)
    assert text == "Rating in cycle 2024 calibrated from 3 to 4 (exceeds) in session s1: " \
        "the bar"


# --- the distribution against the target

SCALE = RatingScale(1, 5)
TARGET = {1: 5.0, 2: 15.0, 3: 50.0, 4: 20.0, 5: 10.0}


def test_counts_shares_target_counts_and_differences_by_hand():
    ratings = [3] * 9 + [4] * 6 + [5] * 3 + [2] * 2  # 20 people
    rows = distribution(ratings, SCALE, TARGET)
    assert [(r.rating, r.count, r.percent, r.target_count, r.difference) for r in rows] == [
        (1, 0, 0.0, 1, -1), (2, 2, 10.0, 3, -1), (3, 9, 45.0, 10, -1), (4, 6, 30.0, 4, 2),
        (5, 3, 15.0, 2, 1)]
    assert [r.target_percent for r in rows] == [5.0, 15.0, 50.0, 20.0, 10.0]
    assert rows[2].label == "meets"


def test_whole_people_by_largest_remainders_lower_rating_first_on_a_tie():
    # 7 people: exact 0.35, 1.05, 3.5, 1.4, 0.7 -> floors 0,1,3,1,0 (5), two left over:
    # the largest remainders are 0.7 (5) and then 0.5 (3)
    assert target_counts(7, SCALE, TARGET) == {1: 0, 2: 1, 3: 4, 4: 1, 5: 1}
    assert target_counts(2, RatingScale(1, 2), {1: 50.0, 2: 50.0}) == {1: 1, 2: 1}
    assert target_counts(1, RatingScale(1, 2), {1: 50.0, 2: 50.0}) == {1: 1, 2: 0}


def test_without_a_target_there_are_no_target_columns():
    rows = distribution([1, 5], SCALE, {})
    assert all(r.target_count is None and r.difference is None for r in rows)
    assert distribution([], SCALE, TARGET)[2].percent == 0.0


@given(st.lists(st.integers(1, 5), max_size=300),
       st.lists(st.floats(0, 100, allow_nan=False), min_size=5, max_size=5))
def test_the_targets_add_up_to_the_people_and_the_counts_to_the_ratings(ratings, shares):
    target = {r: s for r, s in zip(range(1, 6), shares, strict=True) if s > 0}
    rows = distribution(ratings, SCALE, target)
    assert [r.count for r in rows] == [Counter(ratings)[k] for k in range(1, 6)]
    if target:
        assert sum(r.target_count or 0 for r in rows) == len(ratings)
        assert sum(r.difference or 0 for r in rows) == 0
        n = len(ratings)  # each target count within one person of its exact share
        total = sum(target.values())
        assert all(abs((r.target_count or 0) - n * target.get(r.rating, 0) / total) < 1
                   for r in rows)


# --- the 9-box


@pytest.mark.parametrize(("scale", "bands"), [
    (RatingScale(1, 5), [LOW, LOW, MID, HIGH, HIGH]),  # positions 0, .25, .5, .75, 1
    (RatingScale(1, 4), [LOW, MID, HIGH, HIGH]),  # 1/3 and 2/3 exactly fall upward
    (RatingScale(1, 3), [LOW, MID, HIGH]),
    (RatingScale(0, 6), [LOW, LOW, MID, MID, HIGH, HIGH, HIGH]),  # 2/6 mid, 4/6 high
    (RatingScale(1, 1), [HIGH]),
])
def test_performance_thirds_of_the_scale_on_the_boundaries(scale, bands):
    assert [performance_band(r, scale) for r in range(scale.min, scale.max + 1)] == bands


def test_readiness_thresholds_on_the_boundaries():
    assert [readiness_band(s) for s in (0, 49.9, 50, 79.9, 80, 100)] == [
        LOW, LOW, MID, MID, HIGH, HIGH]


def test_every_box_is_there_and_each_person_in_exactly_one():
    boxes = nine_box([(1, 5, 90.0), (2, 3, 50.0), (3, 1, 10.0), (4, 5, 10.0)], SCALE)
    assert len(boxes) == 9
    assert boxes[(HIGH, HIGH)] == (1,) and boxes[(MID, MID)] == (2,)
    assert boxes[(LOW, LOW)] == (3,) and boxes[(HIGH, LOW)] == (4,)
    assert sum(len(v) for v in boxes.values()) == 4


@given(st.lists(st.tuples(st.integers(1, 7), st.floats(0, 100, allow_nan=False)),
                max_size=100), st.integers(1, 7))
def test_placement_is_monotone_and_total(placed, top):
    scale = RatingScale(1, top)
    rows = [(i, min(r, top), s) for i, (r, s) in enumerate(placed)]
    boxes = nine_box(rows, scale)
    assert sorted(p for people in boxes.values() for p in people) == [i for i, _, _ in rows]
    order = {LOW: 0, MID: 1, HIGH: 2}
    for (_, r1, s1) in rows:  # a higher rating or score is never in a lower band
        for (_, r2, s2) in rows:
            if r1 <= r2:
                assert order[performance_band(r1, scale)] <= order[performance_band(r2, scale)]
            if s1 <= s2:
                assert order[readiness_band(s1)] <= order[readiness_band(s2)]


def session_named(name: str) -> CalibrationSession:
    at = datetime(2024, 12, 1, 9, 0)
    return CalibrationSession(1, name, 1, "2024", GroupKind.TEAM, "bob", 2,
                              SessionStatus.OPEN, "hr@x.org", at, at)


def test_a_session_is_titled_with_its_group_in_words():
    names = {"bob": "Bob Okafor", "elena.larsen": "Elena Larsen"}
    made = session_named(default_name("2024", GroupKind.TEAM, "bob"))
    assert made.name == "2024 team bob"  # unique and typed as it is on the command line
    assert made.title("Bob Okafor's team", names) == "2024 · Bob Okafor's team"
    typed = session_named("q4 with elena.larsen")  # a name someone gave, its handle named
    assert typed.title("Bob Okafor's team", names) == "q4 with Elena Larsen"
