"""Criteria frameworks, pure: what a role expects, when a criterion is met, readiness with
criteria, points and band gates worked out by hand, and the file's checks with their lines.
"""

from __future__ import annotations

from datetime import date, datetime
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.adapters.framework_files import parse_framework
from trellis.domain.days import day_words
from trellis.domain.events import Assessed, Assessor, Demonstrated, Event, Hire, SkillStep
from trellis.domain.framework import Framework
from trellis.domain.profile import fold
from trellis.domain.profile_document import profile_from_document, profile_to_document
from trellis.domain.readiness import assess
from trellis.errors import FrameworkInvalid, LedgerRuleBroken

D = date.fromisoformat
TODAY = D("2024-07-01")
FRESH, STALE = D("2024-01-01"), D("2020-06-01")  # 6 months old; 49 months old

FRAMEWORK = """\
id: crit
name: Criteria co
tracks:
  - {id: eng, name: Engineering}
  - {id: mgr, name: Management}
levels:
  - {id: L1, name: One}
  - {id: L2, name: Two}
  - {id: L3, name: Three}
skill_bands:
  - id: craft
    name: Craft
    competencies:
      - {id: coding, name: Coding}
    levels:
      - {name: Coder, k: 1, mastery: 2}
topics:
  - id: comms
    name: Communication
    criteria:
      - {id: comms.1, level: L1, text: Gives status updates}
      - {id: comms.2, level: L2, text: Gives feedback upwards, examples: [told the CTO]}
  - id: code
    name: Code
    tracks: [eng]
    criteria:
      - {id: code.1, level: L1, text: Writes tests}
      - {id: code.2, level: L2, text: Designs services, proficiency: 3}
roles:
  - {id: eng-1, track: eng, level: L1, title: Engineer 1}
  - {id: eng-2, track: eng, level: L2, title: Engineer 2, expects: {coding: 3}}
  - {id: eng-3, track: eng, level: L3, title: Engineer 3, band_levels: {craft: 1}}
  - {id: mgr-2, track: mgr, level: L2, title: Manager 2}
"""


def load(text: str = FRAMEWORK) -> Framework:
    return parse_framework(text, "crit.yaml")[0]


def problems(text: str) -> list[str]:
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, "crit.yaml")
    return [f"{p.line}: {p.path}: {p.message}" for p in caught.value.problems]


class Ledger:
    """A person's events, built one by one, folded on demand."""

    def __init__(self, framework: Framework, role: str = "eng-1") -> None:
        self.framework, self.ids = framework, count(1)
        self.events = [self._event(D("2019-01-01"), Hire(role))]

    def _event(self, on: date, details: object, evidence: str | None = None,
               author: str = "tester") -> Event:
        return Event(next(self.ids), 1, on, details, datetime(2024, 1, 1), author,  # type: ignore[arg-type]
                     evidence=evidence, framework_version=1)

    def demonstrate(self, criterion: str, on: date = FRESH) -> Ledger:
        self.events.append(self._event(on, Demonstrated(criterion), evidence="a link"))
        return self

    def assess(self, criterion: str, proficiency: int, assessor: Assessor,
               on: date = FRESH) -> Ledger:
        self.events.append(self._event(on, Assessed(criterion, proficiency, assessor)))
        return self

    def step(self, competency: str, start: int, end: int, on: date = FRESH) -> Ledger:
        self.events.append(self._event(on, SkillStep(competency, start, end)))
        return self

    def profile(self, at: date = TODAY):  # type: ignore[no-untyped-def]
        return fold(1, self.events, {1: self.framework}, at)


# --- what a role expects


def test_a_role_expects_its_levels_criteria_and_those_below_from_shared_and_own_topics():
    fw = load()
    assert fw.roles["eng-1"].criteria == ("comms.1", "code.1")
    assert fw.roles["eng-2"].criteria == ("comms.1", "comms.2", "code.1", "code.2")
    assert fw.roles["mgr-2"].criteria == ("comms.1", "comms.2")  # the generic topic only
    assert fw.criteria["comms.2"].examples == ("told the CTO",)
    assert fw.criteria["code.2"].topic == "code"


def test_without_cumulative_a_role_expects_its_own_level_only():
    fw = load(FRAMEWORK.replace("topics:", "criteria: {cumulative: false}\ntopics:", 1))
    assert fw.roles["eng-2"].criteria == ("comms.2", "code.2")


def test_a_framework_may_hold_criteria_and_no_skill_bands():
    text = FRAMEWORK.split("skill_bands:")[0] + "topics:" + FRAMEWORK.split(
        "topics:")[1].replace(", expects: {coding: 3}", "").replace(
        ", band_levels: {craft: 1}", "")
    fw = load(text)
    assert not fw.competencies and len(fw.criteria) == 4


# --- when a criterion is met


def test_a_demonstration_meets_a_criterion_and_a_self_assessment_alone_does_not():
    fw = load()
    p = Ledger(fw).demonstrate("comms.1").assess("code.1", 3, Assessor.SELF).profile()
    r = assess(p, fw.roles["eng-1"], fw)
    assert [g.criterion for g in r.criteria_gaps] == ["code.1"]
    assert r.criteria_gaps[0].self_assessed == 3 and r.criteria_gaps[0].manager_assessed is None
    assert r.score == 50.0  # 1 of 2 criteria, fresh


def test_a_manager_assessment_meets_at_met_at_and_a_criterions_own_proficiency_overrides():
    fw = load()
    ledger = Ledger(fw, "eng-2").step("coding", 0, 3)
    ledger.assess("comms.1", 2, Assessor.MANAGER).assess("comms.2", 1, Assessor.MANAGER)
    ledger.assess("code.1", 2, Assessor.PEER).assess("code.2", 2, Assessor.MANAGER)
    r = assess(ledger.profile(), fw.roles["eng-2"], fw)
    # met: comms.1 (2 >= 2), code.1 (peer 2); not: comms.2 (1 < 2), code.2 (2 < its own 3)
    assert [g.criterion for g in r.criteria_gaps] == ["comms.2", "code.2"]
    # nano-steps: coding 3 of 3 + 2 of 4 criteria = 5 of 7
    assert r.score == round(100 * 5 / 7, 1)


def test_self_assessments_count_where_the_framework_says_so():
    fw = load(FRAMEWORK.replace("topics:", "criteria: {self_assessment_counts: true}\n"
                                "topics:", 1))
    p = Ledger(fw).assess("code.1", 2, Assessor.SELF).profile()
    assert [g.criterion for g in assess(p, fw.roles["eng-1"], fw).criteria_gaps] == ["comms.1"]


def test_stale_evidence_counts_for_the_stale_weight():
    # mgr-2 expects comms.1 (fresh) and comms.2 (stale, 0.8): 100 * 1.8 / 2 = 90
    fw = load()
    p = Ledger(fw, "mgr-2").demonstrate("comms.2", STALE).demonstrate("comms.1").profile()
    r = assess(p, fw.roles["mgr-2"], fw)
    assert (r.score, r.coverage) == (90.0, 100.0)
    eng2 = fw.roles["eng-2"]
    p = Ledger(fw).step("coding", 0, 3).demonstrate("comms.1").demonstrate(
        "code.1", STALE).profile()
    r = assess(p, eng2, fw)
    # nano: coding 3 (fresh) + comms.1 1 + code.1 0.8 of 3 + 4 = 7 -> 100 * 4.8 / 7
    assert r.score == round(100 * 4.8 / 7, 1) and r.coverage == round(100 * 5 / 7, 1)
    assert [(g.criterion, g.stale) for g in r.criteria_gaps] == [
        ("comms.2", False), ("code.1", True), ("code.2", False)]


def test_criteria_coverage_is_a_requirement_that_refuses_a_promotion():
    fw = load()
    p = Ledger(fw, "mgr-2").demonstrate("comms.1").profile()
    r = assess(p, fw.roles["mgr-2"], fw)
    rule = next(q for q in r.requirements if q.kind == "criteria")
    assert (rule.met, rule.has, rule.needs) == (False, 1, 2)
    assert rule.detail == "1 of 2 criteria met (50%, needs 100%)"
    assert not r.gates_hold and not r.ready and r.blocking == (rule,)


def test_a_lower_coverage_setting_is_met_by_fewer_criteria():
    fw = load(FRAMEWORK.replace("topics:", "criteria: {coverage: 50}\ntopics:", 1))
    p = Ledger(fw, "mgr-2").demonstrate("comms.1").profile()
    r = assess(p, fw.roles["mgr-2"], fw)
    assert r.gates_hold and r.score == 50.0 and not r.ready  # the score still says 50


def test_a_band_level_the_role_requires_is_a_gate():
    fw = load()
    ledger = Ledger(fw, "eng-2")
    r = assess(ledger.profile(), fw.roles["eng-3"], fw)
    gate = next(g for g in r.gates if g.kind == "band_level")
    assert not gate.holds and gate.detail == "Craft at band level 0, needs 1 (Coder)"
    r = assess(ledger.step("coding", 0, 2).profile(), fw.roles["eng-3"], fw)
    assert next(g for g in r.gates if g.kind == "band_level").holds


# --- points decide too

POINTS = FRAMEWORK.replace("roles:", """\
points:
  - id: growth
    mastery_points: [0, 1, 3, 6, 12, 20]
    levels:
      - {level: L1, min_points: 0}
      - {level: L2, min_points: 6}
      - {level: L3, min_points: 20}
    titles:
      - {role: eng-3, min: 12}
roles:""", 1)


def test_a_points_threshold_is_a_requirement_with_its_gap_and_half_of_the_score():
    fw = load(POINTS)
    ledger = Ledger(fw, "eng-2").step("coding", 0, 1)
    r = assess(ledger.profile(), fw.roles["eng-3"], fw)
    points = next(q for q in r.requirements if q.kind == "points")
    assert (points.met, points.has, points.needs) == (False, 1, 20)
    assert points.detail == ("19 points short (1 of 20): cheapest ways to get them: "
                             "Coding 1 -> 2 (+2)")
    title = next(q for q in r.requirements if q.kind == "title")
    assert (title.met, title.needs) == (False, 12)
    # eng-3 expects no mastery and 4 criteria, none met: nano 0; points: the higher bar,
    # 100 * 1/20 = 5; the score is their mean
    assert r.score == 2.5 and not r.gates_hold


def test_zero_points_is_not_ready_for_a_role_that_expects_nothing_else():
    text = POINTS.split("topics:")[0] + "points:" + POINTS.partition("\npoints:")[2]
    text = text.replace(", expects: {coding: 3}", "").replace(", band_levels: {craft: 1}", "")
    fw = load(text)
    r = assess(Ledger(fw, "eng-1").profile(), fw.roles["eng-3"], fw)
    assert r.score == 0.0 and not r.ready and not r.gates_hold  # it used to say 100


# --- adding evidence never lowers readiness

criteria_ids = st.sampled_from(["comms.1", "comms.2", "code.1", "code.2"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(criteria_ids, st.sampled_from([FRESH, STALE])), max_size=6),
       criteria_ids, st.sampled_from([FRESH, STALE]))
def test_a_demonstration_never_lowers_readiness(earlier, criterion, on):
    fw = load(POINTS)
    ledger = Ledger(fw, "eng-2")
    for c, day in sorted(earlier, key=lambda e: e[1]):
        ledger.demonstrate(c, day)
    before = assess(ledger.profile(), fw.roles["eng-3"], fw).score
    after = assess(ledger.demonstrate(criterion, max(on, *(d for _, d in earlier or [(0, on)]))
                                      ).profile(), fw.roles["eng-3"], fw).score
    assert after >= before


# --- the ledger's rules for criteria events


def test_a_demonstration_needs_evidence_and_a_known_criterion():
    fw = load()
    ledger = Ledger(fw)
    ledger.events.append(ledger._event(FRESH, Demonstrated("comms.1")))
    with pytest.raises(LedgerRuleBroken) as caught:
        ledger.profile()
    text = fw.criteria["comms.1"].text
    assert str(caught.value) == (f"a criterion shown on {day_words(FRESH)}: give the evidence "
                                 f'(text or a link) that shows "{text}"')
    assert caught.value.on_command_line() == (f"demonstrated on {FRESH}: give the evidence "
                                              "(text or a link) that shows comms.1")
    with pytest.raises(LedgerRuleBroken) as caught:
        Ledger(fw).demonstrate("nope").profile()
    assert str(caught.value).endswith(f"unknown criterion 'nope' in the {fw.name} framework")
    assert caught.value.on_command_line().endswith(
        f"unknown criterion 'nope' in framework '{fw.key}'")
    with pytest.raises(LedgerRuleBroken, match=r"^an assessment on .*: proficiency 4 is above "
                                               r"the scale's maximum 3$"):
        Ledger(fw).assess("comms.1", 4, Assessor.PEER).profile()


def test_self_and_manager_assessments_are_kept_apart_and_survive_the_document():
    fw = load()
    p = Ledger(fw).assess("comms.1", 1, Assessor.SELF).assess("comms.1", 3, Assessor.MANAGER)\
        .demonstrate("comms.1").profile()
    record = p.criteria["comms.1"]
    assert {k: a.proficiency for k, a in record.assessments.items()} == {"self": 1,
                                                                         "manager": 3}
    assert record.demonstrations == 1
    assert profile_from_document(profile_to_document(p)) == p


# --- the file's checks


def test_bad_criteria_are_reported_with_their_line():
    bad = FRAMEWORK.replace("{id: comms.2, level: L2", "{id: comms.1, level: L9").replace(
        "tracks: [eng]", "tracks: [ops]").replace("proficiency: 3", "proficiency: 5")
    assert problems(bad) == [
        "22: topics[0].criteria[1].id: duplicate criterion id 'comms.1'",
        "22: topics[0].criteria[1].level: unknown level 'L9' (a criterion belongs to one of "
        "the framework's levels)",
        "25: topics[1].tracks[0]: unknown track 'ops'",
        "28: topics[1].criteria[1].proficiency: proficiency must be 1-3",
    ]


def test_bad_policy_and_band_levels_are_reported():
    bad = FRAMEWORK.replace("topics:", "criteria: {met_at: 4, coverage: 0}\ntopics:", 1) \
        .replace("band_levels: {craft: 1}", "band_levels: {craft: 2, people: 1}")
    assert problems(bad) == [
        "17: criteria.coverage: Input should be greater than 0",
    ]
    assert problems(bad.replace(", coverage: 0", "")) == [
        "17: criteria.met_at: met_at must be 1-3, the proficiency scale",
        "33: roles[2].band_levels.craft: band 'craft' has levels 1-1",
        "33: roles[2].band_levels.people: unknown skill band 'people'",
    ]


def test_a_framework_needs_skill_bands_or_topics():
    text = FRAMEWORK.split("skill_bands:")[0] + "roles:\n  - {id: e, track: eng, level: L1, " \
        "title: E}\n"
    assert problems(text) == ["1: skill_bands: a framework needs skill bands or topics"]
