"""Promotion readiness, pure: hand-computed scores, each gate, the explanation, monotonicity.

Frameworks and profiles are built by hand here, so each expected value can be worked out on
paper from the numbers in the test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.domain.framework import (
    Competency,
    Framework,
    Level,
    ReadinessPolicy,
    Role,
    SkillBand,
    Track,
)
from trellis.domain.profile import CompetencyLayer, LayerStep, Profile, RecognitionSummary
from trellis.domain.readiness import assess, explain, is_fresh, readiness_to_document
from trellis.errors import PromotionRefused, Term
from trellis.services.readiness import failing

D = date.fromisoformat
COMPETENCIES = ("coding", "mentoring", "testing", "design")
TODAY = D("2024-07-01")
LONG_AGO = D("2020-01-01")


def framework(*roles: Role, policy: ReadinessPolicy | None = None,
              min_months: dict[str, float] | None = None) -> Framework:
    months = min_months or {}
    return Framework(
        key="hand", name="Hand-built",
        tracks={"eng": Track("eng", "Engineering")},
        levels={lv: Level(lv, lv, rank, min_months=months.get(lv))
                for rank, lv in enumerate(("L1", "L2", "L3"), start=1)},
        bands={"all": SkillBand("all", "All", COMPETENCIES)},
        competencies={c: Competency(c, c.title(), "all") for c in COMPETENCIES},
        roles={r.id: r for r in roles},
        readiness=policy or ReadinessPolicy(),
    )


def role(expects: dict[str, int], *, level: str = "L2", must_have: tuple[str, ...] = (),
         role_id: str = "target") -> Role:
    return Role(role_id, "eng", level, "Target Engineer", expects=expects, must_have=must_have)


def profile(mastery: dict[str, tuple[int, date]], *, as_of: date = TODAY,
            level_rank: int = 1, hired_on: date = LONG_AGO,
            last_promotion_on: date | None = None) -> Profile:
    layers = {c: CompetencyLayer(c, m, on, (LayerStep(on, 0, m, i),))
              for i, (c, (m, on)) in enumerate(mastery.items(), start=1)}
    return Profile(
        person_id=1, as_of=as_of, hired_on=hired_on, departed_on=None, role="now",
        title="Now", track="eng", level=f"L{level_rank}", level_rank=level_rank, pay=None,
        currency=None, role_since=last_promotion_on or hired_on,
        last_promotion_on=last_promotion_on, promotions=0, mastery=layers,
        responsibilities={}, recognitions=RecognitionSummary(), certifications=(),
        projects=(), micro_progressions={}, bonuses=0, engagement=None,
        last_event_on=None, framework_version=1)


FRESH, STALE = D("2024-01-01"), D("2020-06-01")  # 182 days old; 49 months old


# --- the score


def test_the_worked_example_of_the_issue():
    # expects coding 3, mentoring 2; has coding 2 (fresh), mentoring 2 (stale, weight 0.8)
    # score = 100 * (2 + 2 * 0.8) / (3 + 2) = 72.0; coverage = 100 * (2 + 2) / 5 = 80.0
    target = role({"coding": 3, "mentoring": 2})
    r = assess(profile({"coding": (2, FRESH), "mentoring": (2, STALE)}), target,
               framework(target))
    assert (r.score, r.coverage) == (72.0, 80.0)
    assert [(g.competency, g.has, g.needs, g.steps_missing, g.stale) for g in r.gaps] == [
        ("coding", 2, 3, 1, False), ("mentoring", 2, 2, 0, True)]
    assert r.steps_missing == 1 and r.gates == () and not r.ready


def test_a_gap_weighs_by_its_size():
    # expects coding 4, testing 1; has coding 2, testing 1 (all fresh):
    # the coding gap of two steps costs twice a gap of one: 100 * (2 + 1) / 5 = 60.0
    target = role({"coding": 4, "testing": 1})
    r = assess(profile({"coding": (2, FRESH), "testing": (1, FRESH)}), target,
               framework(target))
    assert (r.score, r.coverage, r.steps_missing) == (60.0, 60.0, 2)
    assert [g.competency for g in r.gaps] == ["coding"]


def test_mastery_above_the_need_counts_only_up_to_the_need():
    # expects coding 2, mentoring 2; has coding 5, mentoring 0: 100 * (2 + 0) / 4 = 50.0
    target = role({"coding": 2, "mentoring": 2})
    r = assess(profile({"coding": (5, FRESH)}), target, framework(target))
    assert (r.score, r.coverage) == (50.0, 50.0)
    assert [(g.competency, g.has, g.steps_missing) for g in r.gaps] == [("mentoring", 0, 2)]


def test_a_role_that_expects_nothing_is_fully_covered():
    target = role({"coding": 0})
    r = assess(profile({}), target, framework(target))
    assert (r.score, r.coverage, r.gaps) == (100.0, 100.0, ())


def test_the_freshness_window_and_weight_come_from_the_policy():
    # fresh_months 12 = 365.25 days. coding reached 365 days ago: fresh; testing 366: stale.
    # stale_weight 0.25: score = 100 * (3 + 1 * 0.25) / (3 + 1) = 81.25 -> 81.2
    policy = ReadinessPolicy(fresh_months=12, stale_weight=0.25, ready_at=80)
    target = role({"coding": 3, "testing": 1})
    p = profile({"coding": (3, TODAY - timedelta(days=365)),
                 "testing": (1, TODAY - timedelta(days=366))})
    r = assess(p, target, framework(target, policy=policy))
    assert (r.score, r.coverage) == (81.2, 100.0)
    assert [(g.competency, g.stale, g.steps_missing) for g in r.gaps] == [("testing", True, 0)]
    assert r.ready  # 81.2 >= 80 and no gate
    assert is_fresh(TODAY - timedelta(days=365), TODAY, 12)
    assert not is_fresh(TODAY - timedelta(days=366), TODAY, 12)


def test_a_stale_weight_of_one_ignores_age():
    policy = ReadinessPolicy(stale_weight=1.0)
    target = role({"coding": 2})
    r = assess(profile({"coding": (2, STALE)}), target, framework(target, policy=policy))
    assert (r.score, r.gaps) == (100.0, ())


# --- the gates


def test_a_must_have_competency_below_its_expectation_fails_its_gate():
    target = role({"coding": 3, "mentoring": 2}, must_have=("coding", "mentoring"))
    r = assess(profile({"coding": (2, FRESH), "mentoring": (2, FRESH)}), target,
               framework(target))
    assert [(g.name, g.holds, g.detail) for g in r.gates] == [
        ("must have coding", False, "coding at mastery 2, needs 3"),
        ("must have mentoring", True, "mentoring at mastery 2, needs 2"),
    ]
    assert not r.gates_hold and not r.ready and r.score == 80.0


def test_a_must_have_gate_reads_by_name_and_mastery_name_in_words():
    """The detail names the competency by id (the command line's); its words by name, each
    mastery with its name on the competency's scale; a refusal says each reading."""
    target = role({"coding": 3, "mentoring": 2}, must_have=("coding", "mentoring"))
    r = assess(profile({"coding": (2, FRESH), "mentoring": (2, FRESH)}), target,
               framework(target))
    assert [g.in_words for g in r.gates] == [
        "Coding at mastery 2 (working), needs 3 (practitioner)",
        "Mentoring at mastery 2 (working), needs 2 (working)"]
    failed = failing(r)
    assert failed.words == "Coding at mastery 2 (working), needs 3 (practitioner)"
    assert failed.command == "coding at mastery 2, needs 3"
    refusal = PromotionRefused("a requirement for {role} fails: {failed}", r,
                               role=Term(target.title, target.id), failed=failed)
    assert str(refusal) == ("a requirement for Target Engineer fails: Coding at mastery 2 "
                            "(working), needs 3 (practitioner)")
    assert refusal.on_command_line() == ("a requirement for target fails: coding at mastery "
                                         "2, needs 3")


def test_time_in_level_counts_from_the_last_promotion():
    # L2 asks 12 months; promoted 2023-01-01, asked on 2023-07-01: 181 days
    # = 181 / 30.4375 = 5.95 -> 5.9 months, short of 12
    target = role({"coding": 1}, level="L2")
    fw = framework(target, min_months={"L2": 12})
    p = profile({"coding": (1, D("2023-01-01"))}, as_of=D("2023-07-01"),
                last_promotion_on=D("2023-01-01"))
    r = assess(p, target, fw)
    assert [(g.name, g.holds, g.detail) for g in r.gates] == [
        ("time in level", False, "5.9 of 12 months in level")]
    assert r.score == 100.0 and not r.ready
    # a year and a day later it holds: 366 / 30.4375 = 12.02 -> 12
    later = assess(replace(p, as_of=D("2024-01-02")), target, fw)
    assert [(g.holds, g.detail) for g in later.gates] == [(True, "12 of 12 months in level")]
    assert later.ready


def test_time_in_level_counts_from_the_hire_when_never_promoted():
    # hired 2024-01-01, asked on 2024-07-01: 182 / 30.4375 = 5.98 -> 6.0 months
    target = role({"coding": 1}, level="L2")
    p = profile({"coding": (1, FRESH)}, hired_on=D("2024-01-01"))
    r = assess(p, target, framework(target, min_months={"L2": 6}))
    assert [(g.holds, g.detail) for g in r.gates] == [(True, "6 of 6 months in level")]


def test_time_in_level_does_not_gate_a_move_at_the_same_level():
    target = role({"coding": 1}, level="L2")
    p = profile({"coding": (1, FRESH)}, level_rank=2, hired_on=D("2024-06-01"))
    r = assess(p, target, framework(target, min_months={"L2": 12}))
    assert r.gates == () and r.ready


# --- the explanation and the document


def test_the_explanation_names_the_missing_competencies_stale_evidence_and_failed_gates():
    target = role({"coding": 3, "mentoring": 2, "testing": 1}, must_have=("coding",))
    p = profile({"coding": (1, FRESH), "mentoring": (2, STALE), "testing": (1, FRESH)},
                hired_on=D("2024-03-01"))
    fw = framework(target, min_months={"L2": 9})
    r = assess(p, target, fw)
    # (1 + 2 * 0.8 + 1) / 6 = 60.0; coverage 4 / 6 = 66.7; 122 days = 4 months
    assert (r.score, r.coverage) == (60.0, 66.7)
    text = explain(r, "Ada")
    assert text.startswith("Ada is 60% ready for Target Engineer (target).")
    assert "2 mastery steps to go: Coding 1 -> 3 (2 steps)." in text
    assert "Evidence for Mentoring is older than the freshness window" in text
    assert "Not yet: coding at mastery 1, needs 3; 4 of 9 months in level." in text
    assert text.endswith("Ready at 100% with every gate holding.")


def test_the_explanation_of_someone_ready():
    target = role({"coding": 2})
    text = explain(assess(profile({"coding": (3, FRESH)}), target, framework(target)), "Bo")
    assert "Every expected competency is at the level the role asks for." in text
    assert text.endswith("Ready for promotion.")


def test_the_document_shape():
    target = role({"coding": 3, "mentoring": 2}, must_have=("coding",))
    fw = framework(target)
    doc = readiness_to_document(
        assess(profile({"coding": (2, FRESH), "mentoring": (2, STALE)}), target, fw), fw)
    assert doc == {
        "target": {"id": "target", "title": "Target Engineer", "track": "eng", "level": "L2",
                   "level_rank": 2},
        "score": 72.0, "coverage": 80.0, "freshness_discount": 8.0, "ready_at": 100.0,
        "ready": False, "gates_hold": False,
        "gates": [{"name": "must have coding", "holds": False,
                   "detail": "coding at mastery 2, needs 3"}],
        "steps_missing": 1,
        "gaps": [
            {"competency": "coding", "name": "Coding", "has": 2, "needs": 3,
             "steps_missing": 1, "stale": False},
            {"competency": "mentoring", "name": "Mentoring", "has": 2, "needs": 2,
             "steps_missing": 0, "stale": True},
        ],
        "criteria_missing": 0,
        "criteria_gaps": [],
        "requirements": [
            {"kind": "expectations", "name": "expected mastery", "met": False,
             "detail": "1 mastery step short", "has": 4.0, "needs": 5.0},
            {"kind": "must_have", "name": "must have coding", "met": False,
             "detail": "coding at mastery 2, needs 3", "has": None, "needs": None},
        ],
    }


# --- monotonicity: adding mastery never lowers readiness

mastery_levels = st.integers(min_value=0, max_value=5)
days_before = st.integers(min_value=0, max_value=3000)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Profile, Role, Framework, str, date]:
    expects = draw(st.dictionaries(st.sampled_from(COMPETENCIES), mastery_levels, min_size=1))
    must_have = tuple(draw(st.lists(st.sampled_from(sorted(expects)), unique=True)))
    target = role(expects, level=draw(st.sampled_from(("L1", "L2", "L3"))),
                  must_have=must_have)
    policy = ReadinessPolicy(
        fresh_months=draw(st.floats(min_value=1, max_value=60)),
        stale_weight=draw(st.floats(min_value=0, max_value=1)),
        ready_at=draw(st.floats(min_value=0, max_value=100)))
    fw = framework(target, policy=policy,
                   min_months={"L2": draw(st.integers(0, 24)), "L3": draw(st.integers(0, 36))})
    owned = draw(st.dictionaries(st.sampled_from(COMPETENCIES),
                                 st.tuples(st.integers(1, 4), days_before)))
    mastery = {c: (m, TODAY - timedelta(days=ago)) for c, (m, ago) in owned.items()}
    p = profile(mastery, level_rank=draw(st.integers(1, 3)),
                hired_on=TODAY - timedelta(days=draw(days_before)))
    # one more step in any competency (the scale goes to 5), dated at or after its last
    # step and no later than the day the profile is read
    grown = draw(st.sampled_from(COMPETENCIES))
    last = mastery[grown][1] if grown in mastery else TODAY - timedelta(days=3000)
    on = last + timedelta(days=draw(st.integers(0, (TODAY - last).days)))
    return p, target, fw, grown, on


def with_step(p: Profile, competency: str, on: date) -> Profile:
    layer = p.mastery.get(competency)
    before = layer.mastery if layer else 0
    steps = (*(layer.steps if layer else ()), LayerStep(on, before, before + 1, 999))
    return replace(p, mastery={**p.mastery, competency: CompetencyLayer(
        competency, before + 1, on, steps)})


@settings(max_examples=400, deadline=None)
@given(cases())
def test_adding_a_skill_step_never_lowers_readiness(case):
    p, target, fw, grown, on = case
    before, after = assess(p, target, fw), assess(with_step(p, grown, on), target, fw)
    assert after.score >= before.score
    assert after.coverage >= before.coverage
    assert after.steps_missing <= before.steps_missing
    held = {g.name for g in before.gates if g.holds}
    assert held <= {g.name for g in after.gates if g.holds}
    assert after.ready or not before.ready


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_a_fresh_step_on_a_stale_competency_already_met_restores_its_credit(weight):
    # has mentoring 2 of 2 on stale evidence; a step to 3 today makes it fresh again
    target = role({"mentoring": 2})
    fw = framework(target, policy=ReadinessPolicy(stale_weight=weight))
    p = profile({"mentoring": (2, STALE)})
    assert assess(p, target, fw).score == 100 * weight
    assert assess(with_step(p, "mentoring", TODAY), target, fw).score == 100.0


def test_a_certification_naming_a_competency_refreshes_its_evidence():
    from trellis.domain.profile import Milestone

    target = role({"coding": 3, "mentoring": 2})
    fw = framework(target)
    stale = profile({"coding": (3, FRESH), "mentoring": (2, STALE)})
    assert assess(stale, target, fw).score == 92.0  # 100 * (3 + 2 * 0.8) / 5
    certified = replace(stale, certifications=(
        Milestone(D("2024-03-01"), 9, "Coaching certificate", "mentoring"),))
    assert certified.evidence_on("mentoring") == D("2024-03-01")
    assert assess(certified, target, fw).score == 100.0
    unrelated = replace(stale, certifications=(
        Milestone(D("2024-03-01"), 9, "AWS", "coding"),))
    assert assess(unrelated, target, fw).score == 92.0
