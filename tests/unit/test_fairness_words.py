"""The fairness page's sentences, from the audit's document."""

from trellis.entrypoints.web.fairness_words import outcome_takeaway, outcome_warnings


def group(name, people, positives, status, ratio, reference=False, p=None):
    return {"group": name, "people": people, "positives": positives,
            "rate": positives / people, "impact_ratio": ratio, "status": status,
            "reference": reference, "p_value": p}


GENDER = {"outcome": "promoted", "attribute": "gender", "groups": [
    group("F", 60, 5, "below 0.8", 0.58, p=0.5432),
    group("M", 49, 7, "ok", 1.0, reference=True),
    group("X", 4, 0, "too few to judge", None)]}


def test_a_gap_below_four_fifths_says_whether_chance_explains_it():
    said = outcome_takeaway(GENDER)
    assert said == (
        "F: 8.3% (5 of 60) promoted, against 14.3% (7 of 49) of M; 58% of their rate, "
        "below four-fifths. With groups this size, a gap this large can be chance "
        "(Fisher's exact test, p = 0.54): watch it, but it proves nothing yet.")
    clear = {**GENDER, "groups": [{**GENDER["groups"][0], "p_value": 0.0004},
                                  *GENDER["groups"][1:]]}
    assert outcome_takeaway(clear).endswith(
        "A gap this large is unlikely by chance alone (Fisher's exact test, p < 0.001).")


def test_every_group_within_and_nothing_to_judge():
    within = {**GENDER, "groups": [group("F", 60, 6, "ok", 0.84, p=0.6),
                                   group("M", 49, 7, "ok", 1.0, reference=True)]}
    assert outcome_takeaway(within) == (
        "Every group judged is within four-fifths of the highest rate (M, 14.3% (7 of 49)).")
    few = {**GENDER, "groups": [group("X", 4, 0, "too few to judge", None)]}
    assert outcome_takeaway(few).startswith("No group is large enough to judge")


def test_the_warnings_name_the_outcome_the_attribute_and_the_score():
    doc = {"outcomes": [GENDER], "scores": [{"score": "propensity", "attribute": "location",
           "groups": [{"group": "Lisbon", "ratio": 1.0, "status": "ok"},
                      {"group": "Toronto", "ratio": 0.64, "status": "below 0.8"},
                      {"group": "Remote", "ratio": None, "status": "too few to judge"}]}]}
    warnings = outcome_warnings(doc)
    assert warnings[0].startswith("Promoted, by gender: F: 8.3% (5 of 60) promoted")
    assert warnings[1] == ("Propensity at equal evidence, by location: Toronto scores 64% "
                           "of Lisbon's, below four-fifths.")
    assert len(warnings) == 2
