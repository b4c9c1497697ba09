"""The fairness audit's math: impact ratios, the four-fifths warning, small groups, scores
at equal evidence, and the attribute rules."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trellis.adapters.attribute_files import parse_attribute_csv
from trellis.analytics import fairness as fa
from trellis.analytics import fairness_outcomes as out
from trellis.domain.attributes import VALUES_MAX, check_bounds, check_name, check_value
from trellis.domain.ledger_rows import EventRow
from trellis.errors import InvalidEvent


def groups_of(counts: dict[str, tuple[int, int]]) -> tuple[pd.Series, pd.Series]:
    """Aligned group labels and outcomes from {group: (people, with the outcome)}."""
    labels, outcomes = [], []
    for g, (n, k) in counts.items():
        labels += [g] * n
        outcomes += [True] * k + [False] * (n - k)
    return pd.Series(labels, dtype=object), pd.Series(outcomes)


def by_group(rates: tuple[fa.GroupRate, ...]) -> dict[str, fa.GroupRate]:
    return {g.group: g for g in rates}


def test_the_impact_ratio_is_the_rate_over_the_highest_rate():
    # 48 of 80 men (60%), 12 of 40 women (30%): 0.30 / 0.60 = 0.5, a warning
    found = by_group(fa.impact_ratios(*groups_of({"M": (80, 48), "F": (40, 12)})))
    assert found["M"].rate == pytest.approx(0.6) and found["M"].impact_ratio == 1.0
    assert found["M"].reference and found["M"].status == fa.OK
    assert found["F"].rate == pytest.approx(0.3)
    assert found["F"].impact_ratio == pytest.approx(0.5)
    assert found["F"].status == fa.BELOW and not found["F"].reference


def test_four_fifths_exactly_is_not_a_warning_and_just_below_is():
    found = by_group(fa.impact_ratios(*groups_of({"a": (50, 25), "b": (50, 20),
                                                  "c": (50, 19)})))
    assert found["b"].impact_ratio == pytest.approx(0.8) and found["b"].status == fa.OK
    assert found["c"].impact_ratio == pytest.approx(0.76) and found["c"].status == fa.BELOW


def test_a_small_group_is_shown_but_neither_judged_nor_the_reference():
    # X: 3 of 3 (100%) would be the reference if judged; with 3 < MIN_GROUP it is not
    found = by_group(fa.impact_ratios(*groups_of({"F": (40, 10), "M": (40, 20),
                                                  "X": (3, 3)})))
    assert found["X"].status == fa.TOO_FEW and found["X"].impact_ratio is None
    assert found["X"].rate == 1.0 and not found["X"].reference
    assert found["M"].reference and found["F"].impact_ratio == pytest.approx(0.5)
    # a smaller minimum judges it, and it becomes the reference
    small = by_group(fa.impact_ratios(*groups_of({"F": (40, 10), "M": (40, 20),
                                                  "X": (3, 3)}), min_group=3))
    assert small["X"].reference and small["M"].impact_ratio == pytest.approx(0.5)


def test_no_outcomes_at_all_gives_no_ratio_and_no_warning():
    found = fa.impact_ratios(*groups_of({"F": (30, 0), "M": (30, 0)}))
    assert {g.status for g in found} == {fa.NO_OUTCOMES}
    assert all(g.impact_ratio is None for g in found)


def test_unrecorded_people_are_left_out_and_counted():
    population = pd.DataFrame({"person_id": [1, 2, 3, 4], "outcome": [True, False, True, True]})
    attributes = pd.DataFrame({"person_id": [1, 2, 3], "gender": ["F", "F", "M"]})
    (audit,) = fa.audit_outcome("promoted", population, attributes, ["gender"], min_group=1)
    assert audit.population == 3 and audit.unrecorded == 1
    assert {g.group: (g.people, g.positives) for g in audit.groups} == {"F": (2, 1),
                                                                        "M": (1, 1)}
    assert audit.warnings == ["promoted: gender = F has an impact ratio of 0.50 (rate 50.0% of "
                              "2 people), below the four-fifths rule's 0.8"]


counts = st.dictionaries(st.sampled_from("abcdef"),
                         st.integers(1, 200).flatmap(
                             lambda n: st.tuples(st.just(n), st.integers(0, n))),
                         min_size=1, max_size=6)


@given(counts, st.integers(1, 50))
def test_ratio_properties(found_counts, min_group):
    rates = fa.impact_ratios(*groups_of(found_counts), min_group=min_group)
    judged = [g for g in rates if g.status != fa.TOO_FEW]
    for g in rates:
        n, k = found_counts[g.group]
        assert (g.people, g.positives) == (n, k) and g.rate == pytest.approx(k / n)
        assert (g.status == fa.TOO_FEW) == (n < min_group)
    ratios = [g.impact_ratio for g in judged if g.impact_ratio is not None]
    assert all(0.0 <= r <= 1.0 + 1e-12 for r in ratios)
    if ratios:  # the highest judged group is the reference, at exactly 1
        assert max(ratios) == pytest.approx(1.0)
        assert any(g.reference for g in judged)
    for g in judged:
        if g.impact_ratio is not None:
            assert (g.status == fa.BELOW) == (g.impact_ratio < fa.FOUR_FIFTHS)


@given(counts, st.integers(2, 5))
def test_ratios_do_not_change_when_every_group_grows_alike(found_counts, factor):
    scaled = {g: (n * factor, k * factor) for g, (n, k) in found_counts.items()}
    a = by_group(fa.impact_ratios(*groups_of(found_counts), min_group=1))
    b = by_group(fa.impact_ratios(*groups_of(scaled), min_group=1))
    for g in a:
        assert a[g].impact_ratio == pytest.approx(b[g].impact_ratio) or (
            a[g].impact_ratio is None and b[g].impact_ratio is None)


def test_evidence_strata():
    found = fa.evidence_stratum(pd.Series([0, 1, 2, 3, 5, 6, 10, 11, 40]))
    assert list(found) == ["0", "1-2", "1-2", "3-5", "3-5", "6-10", "6-10", "11+", "11+"]


def test_a_score_that_only_follows_evidence_ranks_groups_alike():
    # group B has less evidence, and so a lower raw mean; within each stratum the two score
    # the same: standardized, the ratio is 1 and nothing is flagged
    rows = [(i, "A", 10, 0.8) for i in range(40)] + [(40 + i, "A", 0, 0.2) for i in range(10)]
    rows += [(100 + i, "B", 10, 0.8) for i in range(10)]
    rows += [(200 + i, "B", 0, 0.2) for i in range(40)]
    frame = pd.DataFrame(rows, columns=["person_id", "g", "evidence", "score"])
    (audit,) = fa.audit_score("readiness", frame[["person_id", "score", "evidence"]],
                              frame[["person_id", "g"]], ["g"])
    found = {g.group: g for g in audit.groups}
    assert found["A"].mean == pytest.approx(0.68) and found["B"].mean == pytest.approx(0.32)
    # both standardized to the whole population's mix: 50 at 0.8, 50 at 0.2
    assert found["A"].standardized_mean == pytest.approx(0.5)
    assert found["B"].ratio == pytest.approx(1.0) and audit.warnings == []
    assert audit.strata_used == ("0", "6-10") and audit.covered == 100


def test_a_score_that_marks_a_group_down_at_equal_evidence_is_flagged():
    rows = [(i, "A", 4, 0.9) for i in range(30)] + [(100 + i, "B", 4, 0.6) for i in range(30)]
    frame = pd.DataFrame(rows, columns=["person_id", "g", "evidence", "score"])
    (audit,) = fa.audit_score("propensity", frame[["person_id", "score", "evidence"]],
                              frame[["person_id", "g"]], ["g"])
    found = {g.group: g for g in audit.groups}
    assert found["B"].ratio == pytest.approx(0.6 / 0.9) and found["B"].status == fa.BELOW
    assert len(audit.warnings) == 1 and "g = B" in audit.warnings[0]


def row(i: int, person: int, kind: str, on: date, **details: object) -> EventRow:
    return EventRow(i, person, kind, on, details)


def test_outcome_populations():
    state = pd.DataFrame({"person_id": [1, 2, 3, 4],
                          "hired_on": [date(2020, 1, 1), date(2024, 6, 1), date(2020, 1, 1),
                                       date(2026, 1, 1)],
                          "departed_on": [None, None, date(2023, 12, 31), None]})
    ids = out.employed(state, date(2024, 1, 1), date(2024, 12, 31))
    assert sorted(ids) == [1, 2]  # 3 left before the window, 4 joined after it
    rows = [row(1, 1, "compensation", date(2024, 3, 1), compensation_kind="merit", percent=3.0),
            row(2, 2, "compensation", date(2024, 7, 1), compensation_kind="bonus", amount=500),
            row(3, 2, "compensation", date(2023, 7, 1), compensation_kind="merit", amount=900)]
    raised = out.had_event(rows, ids, date(2024, 1, 1), date(2024, 12, 31), out.is_raise)
    assert dict(zip(raised["person_id"], raised["outcome"], strict=True)) == {1: True, 2: False}


def test_cycle_ratings_take_the_latest_manager_review_and_calibration_raises():
    reviews = [row(1, 1, "review", date(2024, 12, 1), cycle="2024", reviewer_role="manager",
                   rating=2),
               row(2, 1, "review", date(2024, 12, 5), cycle="2024", reviewer_role="manager",
                   rating=4),
               row(3, 2, "review", date(2024, 12, 1), cycle="2024", reviewer_role="self",
                   rating=5),
               row(4, 3, "review", date(2024, 12, 1), cycle="2024", reviewer_role="manager",
                   rating=3),
               row(5, 3, "review", date(2023, 12, 1), cycle="2023", reviewer_role="manager",
                   rating=5)]
    ratings = out.cycle_ratings(reviews, "2024")
    assert ratings.to_dict() == {1: 4, 3: 3}
    high = out.rated_high(ratings, 4)
    assert dict(zip(high["person_id"], high["outcome"], strict=True)) == {1: True, 3: False}
    assert out.cycles_of(reviews) == [("2023", date(2023, 12, 1)), ("2024", date(2024, 12, 5))]
    calibrations = [row(6, 3, "calibration", date(2025, 1, 5), cycle="2024", session="s",
                        from_rating=3, to_rating=5, reason="r"),
                    row(7, 3, "calibration", date(2025, 1, 6), cycle="2024", session="s",
                        from_rating=5, to_rating=4, reason="r"),
                    row(8, 1, "calibration", date(2025, 1, 6), cycle="2024", session="s",
                        from_rating=4, to_rating=3, reason="r")]
    raised = out.raised_in_calibration(calibrations, ratings, "2024")
    assert dict(zip(raised["person_id"], raised["outcome"], strict=True)) == {1: False, 3: True}


@pytest.mark.parametrize(("low", "high", "expected"), [(1, 3, 3), (1, 4, 4), (1, 5, 4),
                                                       (0, 9, 8)])
def test_the_default_high_rating(low, high, expected):
    assert out.default_high(low, high) == expected


def test_attribute_names_and_values():
    assert check_name(" Age_Band ") == "age_band"
    for bad in ("", "1st", "age band", "x" * 41, "gender;"):
        with pytest.raises(InvalidEvent, match="invalid attribute name"):
            check_name(bad)
    assert check_value(" London ", "location") == "London"
    with pytest.raises(InvalidEvent, match="needs a value"):
        check_value("  ", "location")
    with pytest.raises(InvalidEvent, match="at most 80"):
        check_value("x" * 81, "location")
    with pytest.raises(InvalidEvent, match="control character"):
        check_value("a\nb", "location")
    check_bounds({"id": [str(i) for i in range(VALUES_MAX)]})
    with pytest.raises(InvalidEvent, match="51 distinct values"):
        check_bounds({"id": [str(i) for i in range(VALUES_MAX + 1)]})


def test_an_attribute_csv_locates_every_problem_by_line_and_column():
    text = ("handle,gender,Bad Name,gender\n"
            "ada,F,x,y\n"
            "alan,M\n"
            ",F,x,y\n"
            "grace," + "z" * 81 + ",x,y\n")
    rows, problems = parse_attribute_csv(text.splitlines(keepends=True), "a.csv")
    shown = [str(p) for p in problems]
    assert shown[0].startswith("a.csv:1:3: invalid attribute name 'Bad Name'")
    assert shown[1] == "a.csv:1:4: column 'gender' is given twice"
    assert shown[2] == "a.csv:3:3: 2 cells where the header has 4"
    assert shown[3] == "a.csv:4:1: a row needs a handle"
    assert shown[4].startswith("a.csv:5:2: attribute gender is 81 characters long")
    assert [r.handle for r in rows] == ["ada", "grace"]
    assert rows[0].values == {"gender": (2, "F")}


def test_an_attribute_csv_without_attribute_columns_is_refused():
    _, problems = parse_attribute_csv(["name,gender\n"], "b.csv")
    assert str(problems[0]) == "b.csv:1:1: the first column must be 'handle'"
    _, problems = parse_attribute_csv(["handle\n", "ada\n"], "c.csv")
    assert "c.csv:1:2: no attribute columns" in str(problems[0])


def test_scores_all_zero_are_marked_not_judged():
    frame = pd.DataFrame({"person_id": range(60), "score": 0.0, "evidence": 2,
                          "g": ["A"] * 30 + ["B"] * 30})
    (audit,) = fa.audit_score("readiness", frame[["person_id", "score", "evidence"]],
                              frame[["person_id", "g"]], ["g"])
    assert {g.status for g in audit.groups} == {fa.ALL_ZERO} and audit.warnings == []


def _fisher_two_sided(a: int, n1: int, c: int, n2: int) -> float:
    """Fisher's exact test by hand: the hypergeometric probabilities of every table with
    the same margins, summed over those no more likely than the one seen."""
    from math import comb

    k = a + c
    def prob(x: int) -> float:
        return comb(n1, x) * comb(n2, k - x) / comb(n1 + n2, k)
    seen = prob(a)
    return sum(prob(x) for x in range(max(0, k - n2), min(k, n1) + 1)
               if prob(x) <= seen * (1 + 1e-7))


def test_each_group_is_tested_against_the_reference_group_with_fishers_exact_test():
    # the demo's gender audit: F 5 of 60 promoted, M 7 of 49 (the highest), X 4 too few
    found = by_group(fa.impact_ratios(*groups_of({"F": (60, 5), "M": (49, 7), "X": (4, 0)})))
    assert found["M"].reference and found["M"].p_value is None
    assert found["F"].status == fa.BELOW
    assert found["F"].p_value == pytest.approx(_fisher_two_sided(5, 60, 7, 49))
    assert found["F"].p_value > 0.3  # below four-fifths, yet well within chance
    assert found["X"].p_value is None  # too few to judge: not tested either
    big = by_group(fa.impact_ratios(*groups_of({"M": (800, 480), "F": (400, 120)})))
    assert big["F"].p_value == pytest.approx(_fisher_two_sided(120, 400, 480, 800))
    assert big["F"].p_value < 1e-6
