"""The team alerts' reasons as the page writes them: names for functions, the pages' dates,
and one sentence per fact."""

from datetime import date

from trellis.entrypoints.web.alert_words import fragmentation_reasons, recognition_reasons

TRACKS = {"engineering-management": "Engineering management", "product": "Product management"}


def _flagged(duties, expansions):
    return {"duties": duties, "expansions": expansions}


def test_duties_and_expansions_read_with_names_and_dates():
    person = _flagged(
        [{"function": "engineering-management", "share": 0.2, "since": date(2025, 8, 27)},
         {"function": "product", "share": 0.15, "since": date(2026, 10, 23)}],
        [{"function": "engineering-management", "on": date(2026, 1, 18), "share": 0.2,
          "status": "unrecognized"},
         {"function": "engineering-management", "on": date(2025, 8, 27), "share": 0.1,
          "status": "unrecognized"},
         {"function": "product", "on": date(2026, 10, 23), "share": 0.15, "status": "pending"},
         {"function": "product", "on": date(2024, 1, 2), "share": 0.1,
          "status": "acknowledged"}])
    assert fragmentation_reasons(person, TRACKS, 6) == [
        "Outside the role: 20% of the time in Engineering management since 27 Aug 2025 "
        "and 15% in Product management since 23 Oct 2026.",
        "Took on Engineering management on 27 Aug 2025 and 18 Jan 2026 with no promotion, "
        "band upgrade, recognition or raise within 6 months.",
        "Took on Product management on 23 Oct 2026: still within the 6 months to "
        "acknowledge it.",
    ]


def test_an_unknown_function_keeps_its_id_and_nothing_flagged_says_nothing():
    person = _flagged([{"function": "sales", "share": 0.3, "since": date(2020, 2, 1)}], [])
    assert fragmentation_reasons(person, TRACKS, 1) == [
        "Outside the role: 30% of the time in sales since 1 Feb 2020."]
    assert fragmentation_reasons(_flagged([], []), TRACKS, 6) == []


def test_a_recognition_gap_is_one_sentence_with_whole_days():
    seen = {"gap_days": 1385, "team_median_days": 58.5, "last_on": date(2023, 2, 16)}
    assert recognition_reasons(seen, 90, 2.0) == [
        "1,385 days since the last recognition: past the 90-day threshold and twice the "
        "team's usual gap of 58 days."]  # round half to even, as Python rounds
    never = {"gap_days": 120, "team_median_days": 100.0, "last_on": None}
    assert recognition_reasons(never, 90, 2.0) == [
        "120 days since the hire: past the 90-day threshold."]
    assert recognition_reasons({**never, "gap_days": 80}, 90, 2.0) == []
    assert recognition_reasons({**never, "gap_days": 80, "team_median_days": 30.0}, 90,
                               2.5) == [
        "80 days since the hire: past 2.5 times the team's usual gap of 30 days."]
