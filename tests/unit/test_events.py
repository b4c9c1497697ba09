"""Event details built from plain data: coercions, required fields, enums, one-line errors."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trellis.domain.events import (
    DETAIL_FIELDS,
    DETAILS,
    Advance,
    Certification,
    CheckIn,
    Compensation,
    CompensationKind,
    Departure,
    DepartureKind,
    EventKind,
    Hire,
    LateralMove,
    ProjectLeadership,
    Promotion,
    Recognition,
    RecognitionKind,
    Responsibility,
    Retraction,
    SkillStep,
    advance_of,
    details_from_mapping,
    details_to_mapping,
    kind_from_text,
)
from trellis.errors import InvalidEvent, TrellisError

K = EventKind


def build(kind: EventKind, **data):
    return details_from_mapping(kind, data)


def refused(kind: EventKind, data: dict) -> str:
    with pytest.raises(InvalidEvent) as info:
        details_from_mapping(kind, data)
    message = str(info.value)
    assert "\n" not in message
    assert isinstance(info.value, TrellisError)
    return message


# --- every kind, from the strings a CSV row or a CLI flag gives --------------------------


def test_hire_from_csv_strings():
    assert build(K.HIRE, role=" eng1 ", pay="45000", currency="EUR") == Hire("eng1", 45000, "EUR")
    assert build(K.HIRE, role="eng1") == Hire("eng1", None, None)


def test_promotion_and_lateral_move():
    assert build(K.PROMOTION, role="eng2", pay=54000, override_reason="exceptional") == \
        Promotion("eng2", 54000, "exceptional")
    assert build(K.LATERAL_MOVE, role="des1", pay="") == LateralMove("des1", None)


def test_skill_step_coerces_integers_from_text_and_whole_floats():
    assert build(K.SKILL_STEP, competency="coding", from_mastery="0", to_mastery="2") == \
        SkillStep("coding", 0, 2)
    assert build(K.SKILL_STEP, competency="coding", from_mastery=1.0, to_mastery=2.0) == \
        SkillStep("coding", 1, 2)


def test_certification_project_and_check_in():
    assert build(K.CERTIFICATION, certification="CKA", issuer="CNCF", competency="coding") == \
        Certification("CKA", "CNCF", "coding")
    assert build(K.PROJECT_LEADERSHIP, project="Atlas", team_size="6") == \
        ProjectLeadership("Atlas", 6)
    assert build(K.CHECK_IN) == CheckIn(None, None)
    assert build(K.CHECK_IN, engagement="4", notes="good quarter") == CheckIn(4, "good quarter")


def test_responsibility_share_is_a_number():
    assert build(K.RESPONSIBILITY, function="design", share="0.25") == \
        Responsibility("design", 0.25, None)
    assert build(K.RESPONSIBILITY, function="design", share=0) == Responsibility("design", 0.0)


def test_recognition_defaults_and_enum_is_case_insensitive():
    assert build(K.RECOGNITION, citation="shipped v2") == \
        Recognition("shipped v2", RecognitionKind.KUDOS, 0, None, None)
    r = build(K.RECOGNITION, citation="on call hero", recognition_kind=" Spot_Bonus ",
              points="10", giver="bob", amount="500")
    assert r == Recognition("on call hero", RecognitionKind.SPOT_BONUS, 10, "bob", 500)


def test_compensation_amount_or_percent():
    assert build(K.COMPENSATION, amount="3000") == Compensation(CompensationKind.MERIT, 3000)
    assert build(K.COMPENSATION, compensation_kind="bonus", percent="5") == \
        Compensation(CompensationKind.BONUS, None, 5.0)


def test_departure_and_retraction():
    assert build(K.DEPARTURE) == Departure(DepartureKind.VOLUNTARY, None)
    assert build(K.DEPARTURE, departure_kind="RETIREMENT", notes="well earned") == \
        Departure(DepartureKind.RETIREMENT, "well earned")
    assert build(K.RETRACTION, retracts="12", reason="typo") == Retraction(12, "typo")


def test_unrelated_keys_and_empty_values_are_ignored():
    row = {"record": "event", "person": "ada", "role": "eng1", "competency": "coding",
           "share": "", "pay": None}
    assert details_from_mapping(K.HIRE, row) == Hire("eng1")


# --- what is refused, and the one line that says why ------------------------------------


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        (K.HIRE, {}, "hire: role is required"),
        (K.HIRE, {"role": ""}, "hire: role is required"),
        (K.HIRE, {"role": "   "}, "hire: role must be text, got '   '"),
        (K.PROMOTION, {"pay": 1}, "promotion: role is required"),
        (K.SKILL_STEP, {"competency": "coding", "to_mastery": 1},
         "skill_step: from_mastery is required"),
        (K.SKILL_STEP, {"competency": "coding", "from_mastery": 0, "to_mastery": "two"},
         "skill_step: to_mastery must be an integer, got 'two'"),
        (K.SKILL_STEP, {"competency": "coding", "from_mastery": 0, "to_mastery": 1.5},
         "skill_step: to_mastery must be an integer, got '1.5'"),
        (K.SKILL_STEP, {"competency": "coding", "from_mastery": False, "to_mastery": 1},
         "skill_step: from_mastery must be an integer, got 'False'"),
        (K.SKILL_STEP, {"competency": "coding", "from_mastery": 2, "to_mastery": 2},
         "skill_step: to_mastery (2) must be above from_mastery (2)"),
        (K.SKILL_STEP, {"competency": "coding", "from_mastery": 3, "to_mastery": 1},
         "skill_step: to_mastery (1) must be above from_mastery (3)"),
        (K.SKILL_STEP, {"competency": "coding", "from_mastery": -1, "to_mastery": 1},
         "skill_step: from_mastery cannot be negative"),
        (K.SKILL_STEP, {"competency": ["coding"], "from_mastery": 0, "to_mastery": 1},
         "skill_step: competency must be text, got a list"),
        (K.CERTIFICATION, {"issuer": "AWS"}, "certification: certification is required"),
        (K.PROJECT_LEADERSHIP, {"project": "x", "team_size": "many"},
         "project_leadership: team_size must be an integer, got 'many'"),
        (K.RESPONSIBILITY, {"function": "eng"}, "responsibility: share is required"),
        (K.RESPONSIBILITY, {"function": "eng", "share": "half"},
         "responsibility: share must be a number, got 'half'"),
        (K.RESPONSIBILITY, {"function": "eng", "share": True},
         "responsibility: share must be a number, got 'True'"),
        (K.RESPONSIBILITY, {"function": "eng", "share": 1.5},
         "responsibility: share must be between 0 and 1, got 1.5"),
        (K.RESPONSIBILITY, {"function": "eng", "share": -0.1},
         "responsibility: share must be between 0 and 1, got -0.1"),
        (K.RECOGNITION, {"points": 3}, "recognition: citation is required"),
        (K.RECOGNITION, {"citation": "x", "recognition_kind": "medal"},
         "recognition: recognition_kind must be one of kudos, award, spot_bonus, got 'medal'"),
        (K.RECOGNITION, {"citation": "x", "points": -5},
         "recognition: points cannot be negative"),
        (K.COMPENSATION, {}, "compensation: give exactly one of amount or percent"),
        (K.COMPENSATION, {"amount": 100, "percent": 3},
         "compensation: give exactly one of amount or percent"),
        (K.COMPENSATION, {"percent": 150}, "compensation: percent 150.0 is not a plausible change"),
        (K.COMPENSATION, {"percent": -50}, "compensation: percent -50.0 is not a plausible change"),
        (K.COMPENSATION, {"compensation_kind": "raise", "amount": 1},
         "compensation: compensation_kind must be one of merit, adjustment, bonus, promotion, "
         "got 'raise'"),
        (K.CHECK_IN, {"engagement": 0}, "check_in: engagement must be 1-5, got 0"),
        (K.CHECK_IN, {"engagement": 6}, "check_in: engagement must be 1-5, got 6"),
        (K.DEPARTURE, {"departure_kind": "fired"},
         "departure: departure_kind must be one of voluntary, involuntary, retirement, "
         "got 'fired'"),
        (K.HIRE, {"role": "eng1", "pay": -1}, "hire: pay cannot be negative"),
        (K.PROMOTION, {"role": "eng2", "pay": "-10"}, "promotion: pay cannot be negative"),
        (K.LATERAL_MOVE, {"role": "des1", "pay": -3}, "lateral_move: pay cannot be negative"),
        (K.RETRACTION, {"retracts": 5}, "retraction: reason is required"),
        (K.RETRACTION, {"retracts": 0, "reason": "x"}, "retraction: retracts must be an event id"),
        (K.RETRACTION, {"retracts": "seven", "reason": "x"},
         "retraction: retracts must be an integer, got 'seven'"),
    ],
)
def test_refused_with_one_line_naming_the_field(kind, data, message):
    assert refused(kind, data) == message


def test_compensation_percent_bounds_are_inclusive_at_100_only():
    assert build(K.COMPENSATION, percent=100).percent == 100.0
    assert build(K.COMPENSATION, percent=-49.9).percent == -49.9


def test_kind_from_text_accepts_dashes_and_case():
    assert kind_from_text(" Skill-Step ") is K.SKILL_STEP
    assert kind_from_text("LATERAL_MOVE") is K.LATERAL_MOVE


def test_kind_from_text_names_every_known_kind():
    with pytest.raises(InvalidEvent) as info:
        kind_from_text("raise")
    message = str(info.value)
    assert message.startswith("unknown event kind 'raise' (known: hire, promotion, ")
    assert all(k.value in message for k in EventKind)


# --- classification -----------------------------------------------------------------------


def test_advance_of_every_kind():
    expected = {
        K.HIRE: Advance.NONE,
        K.PROMOTION: Advance.PROMOTION,
        K.LATERAL_MOVE: Advance.MICRO,
        K.SKILL_STEP: Advance.MICRO,
        K.CERTIFICATION: Advance.MICRO,
        K.PROJECT_LEADERSHIP: Advance.MICRO,
        K.RESPONSIBILITY: Advance.MICRO,
        K.RECOGNITION: Advance.MICRO,
        K.COMPENSATION: Advance.MICRO,
        K.CHECK_IN: Advance.NONE,
        K.DEPARTURE: Advance.NONE,
        K.RETRACTION: Advance.NONE,
        K.VERIFICATION: Advance.NONE,
        K.DEMONSTRATED: Advance.MICRO,
        K.ASSESSED: Advance.NONE,
        K.REVIEW: Advance.NONE,
        K.CALIBRATION: Advance.NONE,
    }
    assert set(expected) == set(EventKind)
    for kind, advance in expected.items():
        assert advance_of(kind) is advance, kind


def test_every_kind_has_a_details_class_and_flat_field_names():
    assert set(DETAILS) == set(EventKind)
    for kind, cls in DETAILS.items():
        assert cls.kind is kind
        assert {f.name for f in dataclasses.fields(cls)} <= set(DETAIL_FIELDS)
    assert len(DETAIL_FIELDS) == len(set(DETAIL_FIELDS))


# --- round trip: any valid details survive details_to_mapping -> details_from_mapping ------

# Valid text holds no control characters (docs/ledger.md, "Limits").
text = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1,
               max_size=20).map(str.strip).filter(bool)
maybe_text = st.none() | text
pay = st.none() | st.integers(0, 10_000_000)
currency = st.none() | st.from_regex(r"[A-Z]{3}", fullmatch=True)


@st.composite
def skill_steps(draw):
    start = draw(st.integers(0, 8))
    return SkillStep(draw(text), start, draw(st.integers(start + 1, 9)))


@st.composite
def compensations(draw):
    kind = draw(st.sampled_from(CompensationKind))
    if draw(st.booleans()):
        return Compensation(kind, draw(st.integers(-100_000, 100_000)), None)
    percent = draw(st.floats(-49.9, 100.0, allow_nan=False))
    return Compensation(kind, None, percent)


any_details = st.one_of(
    st.builds(Hire, text, pay, currency),
    st.builds(Promotion, text, pay, maybe_text),
    st.builds(LateralMove, text, pay),
    skill_steps(),
    st.builds(Certification, text, maybe_text, maybe_text),
    st.builds(ProjectLeadership, text, st.none() | st.integers(1, 500)),
    st.builds(Responsibility, text, st.floats(0.0, 1.0, allow_nan=False), maybe_text),
    st.builds(Recognition, text, st.sampled_from(RecognitionKind), st.integers(0, 1000),
              maybe_text, st.none() | st.integers(0, 100_000)),
    compensations(),
    st.builds(CheckIn, st.none() | st.integers(1, 5), maybe_text),
    st.builds(Departure, st.sampled_from(DepartureKind), maybe_text),
    st.builds(Retraction, st.integers(1, 2**40), text),
)


@given(any_details)
def test_details_round_trip_through_plain_data(details):
    data = details_to_mapping(details)
    assert all(not isinstance(v, RecognitionKind | CompensationKind | DepartureKind)
               for v in data.values())
    assert details_from_mapping(details.kind, data) == details


@given(any_details)
def test_details_round_trip_through_csv_text(details):
    """A CSV cell is text: every field must come back from its str()."""
    data = {k: str(v) for k, v in details_to_mapping(details).items()}
    assert details_from_mapping(details.kind, data) == details
