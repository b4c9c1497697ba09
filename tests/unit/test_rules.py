"""Level rules with hand-computed values: expectations, points, bands, band upgrades."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from trellis.adapters.framework_files import parse_framework
from trellis.domain.events import Event, Hire, Retraction, SkillStep
from trellis.domain.profile import fold
from trellis.domain.rules import evaluate_rules, rules_to_document
from trellis.domain.timeline import build_timeline, entry_document
from trellis.errors import FrameworkInvalid

TEXT = """\
id: rules
name: Rules Co
tracks:
  - {id: eng, name: Engineering}
  - {id: ops, name: Operations}
levels:
  - {id: L1, name: One}
  - {id: L2, name: Two, min_months: 12}
  - {id: L3, name: Three}
skill_bands:
  - id: craft
    name: Craft
    levels:
      - {name: Practitioner, k: 2, mastery: 2}
      - {name: Advanced, k: 3, mastery: 3, pay_step: {percent: 5}}
    competencies:
      - {id: coding, name: Coding}
      - {id: testing, name: Testing}
      - {id: design, name: Design}
  - id: people
    name: People
    levels:
      - {name: Helpful, average: 1.5, pay_step: {amount: 1000}}
    competencies:
      - {id: mentoring, name: Mentoring}
      - {id: speaking, name: Speaking}
roles:
  - {id: e1, track: eng, level: L1, title: Engineer, expects: {coding: 1}}
  - {id: e2, track: eng, level: L2, title: Engineer II, expects: {coding: 2, testing: 2},
     must_have: [coding]}
  - {id: e3, track: eng, level: L3, title: Senior, expects: {coding: 3, testing: 3, design: 2}}
  - {id: o1, track: ops, level: L1, title: Operator, expects: {testing: 1}}
points:
  - id: growth
    tracks: [eng]
    mastery_points: [0, 1, 3, 6, 10, 15]
    competency_points: {design: [0, 2, 5, 9, 14, 20]}
    weights: {coding: 2}
    levels:
      - {level: L1, min_points: 0}
      - {level: L2, min_points: 10}
      - {level: L3, min_points: 25}
    titles:
      - {role: e1, min: 0, max: 9}
      - {role: e2, min: 10, max: 24}
      - {role: e3, min: 20}
"""

FRAMEWORK, _ = parse_framework(TEXT, "rules.yaml")
FRAMEWORKS = {0: FRAMEWORK}
HIRED = date(2021, 1, 4)


def career(*steps: tuple[str, str, int, int], pay: int = 50_000) -> list[Event]:
    events = [Event(1, 1, HIRED, Hire("e1", pay), datetime(2024, 1, 1), "t")]
    for i, (on, comp, start, end) in enumerate(steps, start=2):
        events.append(Event(i, 1, date.fromisoformat(on), SkillStep(comp, start, end),
                            datetime(2024, 1, 1), "t"))
    return events


def test_points_per_band_total_level_and_eligible_titles():
    # coding 3 (6 points, weight 2 -> 12), testing 2 (3), design 1 (own table: 2) = craft 17;
    # mentoring 2 (3) = people 3; total 20: level L2 (10 <= 20 < 25); titles e2 and e3.
    events = career(("2021-02-01", "coding", 0, 1), ("2021-03-01", "coding", 1, 2),
                    ("2021-04-01", "coding", 2, 3), ("2021-05-01", "testing", 0, 1),
                    ("2021-06-01", "testing", 1, 2), ("2021-07-01", "design", 0, 1),
                    ("2021-08-01", "mentoring", 0, 1), ("2021-09-01", "mentoring", 1, 2))
    profile = fold(1, events, FRAMEWORKS, date(2022, 1, 1))
    report = rules_to_document(evaluate_rules(profile, FRAMEWORK))
    assert report["points"] == [{"rule": "growth", "per_band": {"craft": 17.0, "people": 3.0},
                                 "total": 20.0, "level": "L2",
                                 "eligible_titles": ["e2", "e3"]}]


def test_expectations_of_the_current_and_next_role():
    events = career(("2021-02-01", "coding", 0, 1), ("2021-03-01", "testing", 0, 1))
    report = evaluate_rules(fold(1, events, FRAMEWORKS, date(2022, 1, 1)), FRAMEWORK)
    current, following = report.expectations
    assert (current.role, current.met, current.expected, dict(current.gaps)) == \
        ("e1", 1, 1, {})
    assert (following.role, following.met, following.expected, dict(following.gaps)) == \
        ("e2", 0, 2, {"coding": (1, 2), "testing": (1, 2)})


def test_band_level_by_k_of_n_and_by_average():
    events = career(("2021-02-01", "coding", 0, 1), ("2021-03-01", "coding", 1, 2),
                    ("2021-04-01", "testing", 0, 1), ("2021-05-01", "testing", 1, 2),
                    ("2021-06-01", "mentoring", 0, 1), ("2021-07-01", "mentoring", 1, 2),
                    ("2021-08-01", "speaking", 0, 1))
    profile = fold(1, events, FRAMEWORKS, date(2022, 1, 1))
    # craft: 2 of 3 at mastery 2 -> level 1; people: average (2 + 1) / 2 = 1.5 -> level 1
    assert profile.bands == {"craft": 1, "people": 1}
    bands = rules_to_document(evaluate_rules(profile, FRAMEWORK))["bands"]
    assert bands["craft"] == {"level": 1, "name": "Practitioner",
                              "next": "Advanced: 3 of 3 at mastery 3+"}
    assert bands["people"]["next"] is None


def test_a_band_upgrade_is_dated_at_its_trigger_and_carries_its_pay_step():
    events = career(("2021-02-01", "mentoring", 0, 1), ("2021-03-01", "mentoring", 1, 2),
                    ("2021-04-01", "speaking", 0, 1), pay=50_000)
    profile = fold(1, events, FRAMEWORKS, date(2022, 1, 1))
    (upgrade,) = profile.band_upgrades
    # average reaches 1.5 only with the speaking step (event 4): +1000 pay step
    assert (upgrade.on, upgrade.band, upgrade.from_level, upgrade.to_level, upgrade.trigger,
            upgrade.pay_before, upgrade.pay_after) == \
        (date(2021, 4, 1), "people", 0, 1, 4, 50_000, 51_000)
    assert profile.pay == 51_000
    assert profile.micro_progressions["band_upgrade"] == 1
    # before the trigger there was no upgrade and no raise
    earlier = fold(1, events, FRAMEWORKS, date(2021, 3, 15))
    assert (earlier.band_upgrades, earlier.pay) == ((), 50_000)


def test_each_band_level_is_its_own_upgrade_with_its_own_pay_step():
    steps = [("2021-02-01", "coding", 0, 1), ("2021-02-02", "coding", 1, 2),
             ("2021-02-03", "coding", 2, 3), ("2021-02-04", "testing", 0, 1),
             ("2021-02-05", "testing", 1, 2), ("2021-02-06", "testing", 2, 3),
             ("2021-02-07", "design", 0, 1), ("2021-02-08", "design", 1, 2)]
    # craft reaches level 1 with testing 2 (event 6); level 2 needs design 3 too (event 10)
    events = career(*steps, ("2021-03-01", "design", 2, 3), pay=40_000)
    profile = fold(1, events, FRAMEWORKS, date(2022, 1, 1))
    assert [(u.from_level, u.to_level, u.trigger, u.pay_after) for u in profile.band_upgrades] \
        == [(0, 1, 6, 40_000), (1, 2, 10, 42_000)]  # level 2 pays 5% of 40,000


def test_retracting_the_trigger_retracts_the_upgrade_and_its_pay_step():
    events = career(("2021-02-01", "mentoring", 0, 1), ("2021-03-01", "mentoring", 1, 2),
                    ("2021-04-01", "speaking", 0, 1))
    events.append(Event(5, 1, date(2021, 5, 1), Retraction(4, "not yet"),
                        datetime(2024, 1, 1), "t"))
    profile = fold(1, events, FRAMEWORKS, date(2022, 1, 1))
    assert (profile.band_upgrades, profile.bands, profile.pay) == ((), {}, 50_000)


def test_the_timeline_shows_a_derived_band_upgrade_after_its_trigger():
    events = career(("2021-02-01", "mentoring", 0, 1), ("2021-03-01", "mentoring", 1, 2),
                    ("2021-04-01", "speaking", 0, 1))
    entries = build_timeline(events, FRAMEWORKS)
    kinds = [(e.id, e.kind) for e in entries]
    assert kinds[-2:] == [(4, "skill_step"), (None, "band_upgrade")]
    derived = entry_document(entries[-1])
    assert (derived["derived_from"], derived["advance"], derived["details"]["pay_after"]) == \
        (4, "micro_progression", 51_000)
    assert entries[-1].summary == \
        "Band upgrade: People level 0 -> 1 (Helpful), pay 51,000, from event 4"


@pytest.mark.parametrize(("change", "path", "message"), [
    ("{name: Practitioner, k: 2, mastery: 2}", "skill_bands[0].levels[0]",
     "give either k and mastery, or average"),
    ("{name: Practitioner, k: 4, mastery: 2}", "skill_bands[0].levels[0].k",
     "k must be 1-3, the band's size"),
    ("{name: Practitioner, k: 2, mastery: 9}", "skill_bands[0].levels[0].mastery",
     "mastery must be 1-5"),
])
def test_band_level_mistakes_are_reported(change, path, message):
    text = TEXT.replace("{name: Practitioner, k: 2, mastery: 2}", change)
    if "k: 2, mastery: 2" in change:  # make it ambiguous: both kinds of condition
        text = text.replace(change, "{name: Practitioner, k: 2, mastery: 2, average: 2}")
    with pytest.raises(FrameworkInvalid) as info:
        parse_framework(text, "rules.yaml")
    assert [(p.path, p.message) for p in info.value.problems] == [(path, message)]


@pytest.mark.parametrize(("old", "new", "path", "message"), [
    ("must_have: [coding]", "must_have: [design]", "roles[1].must_have[0]",
     "'design' is not one of the role's expectations"),
    ("tracks: [eng]", "tracks: [sales]", "points[0].tracks[0]", "unknown track 'sales'"),
    ("weights: {coding: 2}", "weights: {cooking: 2}", "points[0].weights.cooking",
     "unknown competency 'cooking'"),
    ("{level: L3, min_points: 25}", "{level: L3, min_points: 5}", "points[0].levels[2]",
     "levels and their points must both rise"),
    ("mastery_points: [0, 1, 3, 6, 10, 15]", "mastery_points: [0, 1, 3, 2, 10, 15]",
     "points[0].mastery_points", "points must not fall as mastery rises"),
    ("design: [0, 2, 5, 9, 14, 20]", "design: [0, 2, 5]", "points[0].competency_points.design",
     "needs 6 entries (mastery 0-5)"),
    ("{role: e3, min: 20}", "{role: e9, min: 20}", "points[0].titles[2].role",
     "unknown role 'e9'"),
])
def test_rule_mistakes_are_reported_by_path(old, new, path, message):
    with pytest.raises(FrameworkInvalid) as info:
        parse_framework(TEXT.replace(old, new), "rules.yaml")
    assert [(p.path, p.message) for p in info.value.problems] == [(path, message)]
