"""The pure fold: hand-built events over the TINY framework, no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TINY
from trellis.adapters.framework_files import framework_from_document, read_framework_file
from trellis.domain.events import (
    Certification,
    CheckIn,
    Compensation,
    CompensationKind,
    Departure,
    Event,
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
)
from trellis.domain.profile import LayerStep, check_history, fold
from trellis.errors import LedgerRuleBroken

FRAMEWORK, _ = read_framework_file(TINY)
FRAMEWORKS = {1: FRAMEWORK}
HIRED = date(2020, 1, 1)


class Ledger:
    """Hand-built events for person 1, ids in the order they are added."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._ids = count(1)

    def add(self, on: date | str, details, version: int = 1) -> Event:
        on = date.fromisoformat(on) if isinstance(on, str) else on
        event = Event(next(self._ids), 1, on, details, datetime(2024, 1, 1), "tester",
                      framework_version=version)
        self.events.append(event)
        return event

    def fold(self, at: date | str = "2030-01-01", frameworks=FRAMEWORKS):
        at = date.fromisoformat(at) if isinstance(at, str) else at
        return fold(1, self.events, frameworks, at)


def hired(role: str = "eng1", pay: int | None = 45000, currency: str | None = None) -> Ledger:
    ledger = Ledger()
    ledger.add(HIRED, Hire(role, pay, currency))
    return ledger


def broken(ledger: Ledger) -> tuple[str, str]:
    """The refusal as a page says it (names, titles, days in words) and as the command
    line does (ids, ISO days)."""
    with pytest.raises(LedgerRuleBroken) as info:
        check_history(1, ledger.events, FRAMEWORKS)
    return str(info.value), info.value.on_command_line()


# --- each kind's effect -----------------------------------------------------------------


def test_hire_sets_role_level_pay_and_framework_currency():
    p = hired().fold("2020-01-01")
    assert (p.role, p.title, p.track, p.level, p.level_rank) == \
        ("eng1", "Engineer I", "eng", "L1", 1)
    assert (p.pay, p.currency, p.hired_on, p.role_since) == (45000, "EUR", HIRED, HIRED)
    assert p.active and p.departed_on is None
    assert p.promotions == 0 and p.last_promotion_on is None
    assert p.micro_progressions == {} and p.bonuses == 0
    assert p.framework_version == 1 and p.last_event_on == HIRED


def test_hire_currency_overrides_the_framework():
    assert hired(currency="GBP").fold().currency == "GBP"


def test_nothing_before_the_hire():
    p = hired().fold("2019-12-31")
    assert p.role is None and p.hired_on is None and not p.active
    assert p.months_in_role is None and p.months_since_promotion is None


def test_promotion_changes_role_level_pay_and_resets_time_in_role():
    ledger = hired()
    ledger.add("2021-07-01", Promotion("eng2", 54000))
    p = ledger.fold("2022-01-01")
    assert (p.role, p.level, p.level_rank, p.pay) == ("eng2", "L2", 2, 54000)
    assert p.promotions == 1 and p.last_promotion_on == date(2021, 7, 1)
    assert p.role_since == date(2021, 7, 1)
    # 184 days / 30.4375 = 6.045... months
    assert p.months_in_role == 6.0 and p.months_since_promotion == 6.0
    assert p.micro_progressions == {}


def test_promotion_without_pay_keeps_pay():
    ledger = hired()
    ledger.add("2021-01-01", Promotion("eng3"))
    p = ledger.fold()
    assert (p.role, p.pay, p.level_rank) == ("eng3", 45000, 3)


def test_months_since_promotion_counts_from_the_hire_until_a_promotion():
    p = hired().fold("2021-01-01")  # 366 days / 30.4375 = 12.02
    assert p.months_in_role == 12.0 and p.months_since_promotion == 12.0


def test_lateral_move_to_the_same_level_is_a_micro_progression():
    ledger = hired()
    ledger.add("2020-06-01", LateralMove("des1", 46000))
    p = ledger.fold()
    assert (p.role, p.track, p.level, p.pay) == ("des1", "design", "L1", 46000)
    assert p.role_since == date(2020, 6, 1) and p.promotions == 0
    assert p.micro_progressions == {"lateral_move": 1}


def test_lateral_move_down_a_level_is_allowed():
    ledger = hired("eng2", 54000)
    ledger.add("2020-06-01", LateralMove("des1"))
    p = ledger.fold()
    assert (p.role, p.level_rank, p.pay) == ("des1", 1, 54000)


def test_merit_raise_in_percent_is_computed_on_base_pay():
    ledger = hired(pay=45000)
    ledger.add("2021-01-01", Compensation(CompensationKind.MERIT, percent=3.5))
    ledger.add("2022-01-01", Compensation(CompensationKind.MERIT, percent=3.5))
    # 45000 * 1.035 = 46575; 46575 * 0.035 = 1630.125 -> 1630; 46575 + 1630 = 48205
    assert ledger.fold("2021-06-01").pay == 46575
    assert ledger.fold().pay == 48205
    assert ledger.fold().micro_progressions == {"compensation": 2}


def test_adjustment_by_amount_and_a_pay_cut():
    ledger = hired(pay=45000)
    ledger.add("2021-01-01", Compensation(CompensationKind.ADJUSTMENT, amount=2500))
    ledger.add("2021-02-01", Compensation(CompensationKind.MERIT, percent=-10))
    # 47500 - 4750 = 42750
    assert ledger.fold().pay == 42750


def test_bonus_does_not_change_base_pay():
    ledger = hired(pay=45000)
    ledger.add("2021-01-01", Compensation(CompensationKind.BONUS, amount=2000))
    ledger.add("2021-06-01", Compensation(CompensationKind.BONUS, percent=10))
    p = ledger.fold()
    assert p.pay == 45000
    assert p.bonuses == 2000 + 4500


def test_amount_raise_with_no_pay_recorded_starts_from_zero():
    ledger = hired(pay=None)
    ledger.add("2021-01-01", Compensation(CompensationKind.MERIT, amount=1000))
    assert ledger.fold().pay == 1000


def test_responsibilities_set_replace_and_share_zero_removes_the_function():
    ledger = hired()
    ledger.add("2020-03-01", Responsibility("design", 0.2, "design reviews"))
    ledger.add("2020-04-01", Responsibility("eng", 0.5))
    ledger.add("2020-05-01", Responsibility("design", 0.3))
    assert ledger.fold("2020-05-01").responsibilities == {"design": 0.3, "eng": 0.5}
    ledger.add("2020-06-01", Responsibility("design", 0.0))
    p = ledger.fold()
    assert p.responsibilities == {"eng": 0.5}
    assert p.micro_progressions == {"responsibility": 4}


def test_recognitions_in_date_order_and_spot_bonus_amounts_count_as_bonuses():
    ledger = hired()
    ledger.add("2020-09-01", Recognition("launch", RecognitionKind.AWARD, 50, "bob", 1000))
    ledger.add("2020-03-01", Recognition("helped on call"))
    p = ledger.fold()
    assert (p.recognitions.count, p.recognitions.points) == (2, 50)
    assert p.recognitions.by_kind == {"kudos": 1, "award": 1}
    assert [(r.on, r.recognition_kind, r.points, r.citation, r.giver, r.event_id)
            for r in p.recognitions.recent] == [
        (date(2020, 3, 1), "kudos", 0, "helped on call", None, 3),
        (date(2020, 9, 1), "award", 50, "launch", "bob", 2),
    ]
    assert p.last_recognition_on == date(2020, 9, 1)
    assert p.bonuses == 1000 and p.pay == 45000
    assert p.micro_progressions == {"recognition": 2}


def test_certifications_and_projects_are_dated_milestones():
    ledger = hired()
    ledger.add("2020-04-01", Certification("CKA", "CNCF", "coding"))
    ledger.add("2020-05-01", ProjectLeadership("Atlas", 5))
    p = ledger.fold()
    assert [(m.on, m.title, m.event_id) for m in p.certifications] == \
        [(date(2020, 4, 1), "CKA", 2)]
    assert [(m.on, m.title, m.event_id) for m in p.projects] == \
        [(date(2020, 5, 1), "Atlas", 3)]
    assert p.micro_progressions == {"certification": 1, "project_leadership": 1}


def test_check_in_sets_engagement_and_is_not_a_micro_progression():
    ledger = hired()
    ledger.add("2020-03-01", CheckIn(4, "fine"))
    ledger.add("2020-06-01", CheckIn(None, "no score this time"))
    p = ledger.fold()
    assert p.engagement == 4 and p.micro_progressions == {}


def test_competency_layers_with_their_dates():
    ledger = hired()
    ledger.add("2020-02-01", SkillStep("coding", 0, 1))
    ledger.add("2020-08-01", SkillStep("coding", 1, 3))
    ledger.add("2020-05-01", SkillStep("mentoring", 0, 2))
    p = ledger.fold()
    coding, mentoring = p.mastery["coding"], p.mastery["mentoring"]
    assert (coding.mastery, coding.reached_on) == (3, date(2020, 8, 1))
    assert coding.steps == (LayerStep(date(2020, 2, 1), 0, 1, 2),
                            LayerStep(date(2020, 8, 1), 1, 3, 3))
    assert (mentoring.mastery, mentoring.reached_on) == (2, date(2020, 5, 1))
    assert p.mastery_of("coding") == 3 and p.mastery_of("communication") == 0
    assert set(p.mastery) == {"coding", "mentoring"}
    assert p.micro_progressions == {"skill_step": 3}
    # at a date between the two coding steps
    mid = ledger.fold("2020-06-30")
    assert mid.mastery["coding"].mastery == 1 and len(mid.mastery["coding"].steps) == 1


def test_departure_ends_activity_and_rehire_is_allowed():
    ledger = hired()
    ledger.add("2021-01-01", Departure())
    p = ledger.fold("2021-06-01")
    assert p.departed_on == date(2021, 1, 1) and not p.active
    assert p.role == "eng1"  # the last role is kept
    ledger.add("2022-01-01", Hire("eng2", 56000))
    again = ledger.fold()
    assert again.active and again.hired_on == date(2022, 1, 1) and again.departed_on is None
    assert (again.role, again.pay, again.role_since) == ("eng2", 56000, date(2022, 1, 1))


def test_same_day_events_apply_in_recorded_order():
    ledger = hired()
    ledger.add("2020-02-01", SkillStep("coding", 0, 1))
    ledger.add("2020-02-01", SkillStep("coding", 1, 2))
    assert ledger.fold().mastery_of("coding") == 2


def test_fold_at_a_past_date_ignores_later_events():
    ledger = hired()
    ledger.add("2021-01-01", Promotion("eng2", 54000))
    ledger.add("2021-06-01", Recognition("x"))
    p = ledger.fold("2020-12-31")
    assert (p.as_of, p.role, p.pay, p.promotions, p.recognitions.count) == \
        (date(2020, 12, 31), "eng1", 45000, 0, 0)
    assert p.last_event_on == HIRED
    # and on the day itself, the event counts
    assert ledger.fold("2021-01-01").role == "eng2"


# --- retraction ---------------------------------------------------------------------------


def test_a_retracted_event_disappears_at_every_date():
    ledger = hired()
    promo = ledger.add("2021-01-01", Promotion("eng2", 54000))
    ledger.add("2021-03-01", SkillStep("coding", 0, 1))
    ledger.add("2023-05-01", Retraction(promo.id, "recorded in error"))
    for at in ("2021-02-01", "2022-01-01", "2023-06-01"):
        p = ledger.fold(at)
        assert (p.role, p.pay, p.promotions, p.last_promotion_on) == ("eng1", 45000, 0, None)
    # the skill step is unaffected, and the retraction itself is not a micro-progression
    assert ledger.fold().micro_progressions == {"skill_step": 1}


def test_retracting_the_first_skill_step_makes_the_next_one_inconsistent():
    ledger = hired()
    first = ledger.add("2020-02-01", SkillStep("coding", 0, 1))
    ledger.add("2020-03-01", SkillStep("coding", 1, 2))
    ledger.add("2020-04-01", Retraction(first.id, "not yet"))
    assert broken(ledger) == ("a skill step on 1 Mar 2020: Coding is at mastery 0, not 1",
                              "skill_step on 2020-03-01: coding is at mastery 0, not 1")


# --- the ledger's rules -------------------------------------------------------------------


def test_event_before_the_hire():
    ledger = hired()
    ledger.add("2019-12-31", SkillStep("coding", 0, 1))
    assert broken(ledger) == ("a skill step on 31 Dec 2019 is before the hire",
                              "skill_step on 2019-12-31 is before the hire")


def test_no_hire_at_all():
    ledger = Ledger()
    ledger.add("2020-01-01", Recognition("x"))
    assert broken(ledger) == ("a recognition on 1 Jan 2020 is before the hire",
                              "recognition on 2020-01-01 is before the hire")


def test_event_after_the_departure():
    ledger = hired()
    ledger.add("2021-01-01", Departure())
    ledger.add("2021-02-01", Compensation(amount=100))
    assert broken(ledger) == (
        "a pay change on 1 Feb 2021 is after the departure on 1 Jan 2021",
        "compensation on 2021-02-01 is after the departure on 2021-01-01")


def test_second_hire_while_employed():
    ledger = hired()
    ledger.add("2021-01-01", Hire("eng2"))
    assert broken(ledger) == ("a hire on 1 Jan 2021: already hired on 1 Jan 2020",
                              "hire on 2021-01-01: already hired on 2020-01-01")


def test_promotion_to_the_same_level():
    ledger = hired("eng2", 54000)
    ledger.add("2021-01-01", Promotion("des2"))
    assert broken(ledger) == (
        "a promotion on 1 Jan 2021 to Designer II (level Mid) is not above the current "
        "level Mid",
        "promotion on 2021-01-01 to 'des2' (level L2) is not above the current level L2")


def test_promotion_to_a_lower_level():
    ledger = hired("eng3", 70000)
    ledger.add("2021-01-01", Promotion("eng1"))
    assert broken(ledger) == (
        "a promotion on 1 Jan 2021 to Engineer I (level Junior) is not above the current "
        "level Senior",
        "promotion on 2021-01-01 to 'eng1' (level L1) is not above the current level L3")


def test_lateral_move_up_a_level():
    ledger = hired()
    ledger.add("2021-01-01", LateralMove("des2"))
    assert broken(ledger) == (
        "a lateral move on 1 Jan 2021 to Designer II goes up a level: record it as a "
        "promotion",
        "lateral_move on 2021-01-01 to 'des2' goes up a level: record it as a promotion")


def test_lateral_move_to_the_same_role():
    ledger = hired()
    ledger.add("2021-01-01", LateralMove("eng1"))
    assert broken(ledger) == ("a lateral move on 1 Jan 2021: already in role Engineer I",
                              "lateral_move on 2021-01-01: already in role 'eng1'")


def test_skill_step_whose_start_disagrees_with_current_mastery():
    ledger = hired()
    ledger.add("2020-02-01", SkillStep("coding", 0, 2))
    ledger.add("2020-03-01", SkillStep("coding", 1, 3))
    assert broken(ledger) == ("a skill step on 1 Mar 2020: Coding is at mastery 2, not 1",
                              "skill_step on 2020-03-01: coding is at mastery 2, not 1")


def test_first_skill_step_must_start_at_zero():
    ledger = hired()
    ledger.add("2020-02-01", SkillStep("mentoring", 1, 2))
    assert broken(ledger) == (
        "a skill step on 1 Feb 2020: Mentoring is at mastery 0, not 1",
        "skill_step on 2020-02-01: mentoring is at mastery 0, not 1")


def test_skill_step_above_the_scale_maximum():
    ledger = hired()
    ledger.add("2020-02-01", SkillStep("coding", 0, 6))
    assert broken(ledger) == (
        "a skill step on 1 Feb 2020: mastery 6 is above the Coding scale's maximum 5",
        "skill_step on 2020-02-01: mastery 6 is above the coding scale's maximum 5")


@pytest.mark.parametrize(
    ("details", "words", "command"),
    [
        (Promotion("eng9"), "a promotion on 1 Feb 2020: unknown role 'eng9'",
         "promotion on 2020-02-01: unknown role 'eng9'"),
        (LateralMove("pm1"), "a lateral move on 1 Feb 2020: unknown role 'pm1'",
         "lateral_move on 2020-02-01: unknown role 'pm1'"),
        (SkillStep("juggling", 0, 1), "a skill step on 1 Feb 2020: unknown competency "
         "'juggling'", "skill_step on 2020-02-01: unknown competency 'juggling'"),
        (Certification("PMP", None, "juggling"),
         "a certification on 1 Feb 2020: unknown competency 'juggling'",
         "certification on 2020-02-01: unknown competency 'juggling'"),
        (Responsibility("sales", 0.2),
         "a responsibility on 1 Feb 2020: unknown function 'sales' (functions are the "
         "framework's tracks: Engineering, Design)",
         "responsibility on 2020-02-01: unknown function 'sales' (functions are the "
         "framework's tracks: eng, design)"),
    ],
)
def test_unknown_references(details, words, command):
    """What was given and is unknown reads as given; the rest in each reading's words."""
    ledger = hired()
    ledger.add("2020-02-01", details)
    assert broken(ledger) == (words, command)


def test_percent_raise_with_no_pay_recorded():
    ledger = hired(pay=None)
    ledger.add("2020-02-01", Compensation(CompensationKind.MERIT, None, 3.0))
    assert broken(ledger) == (
        "a pay change on 1 Feb 2020: a percent change needs a known base pay",
        "compensation on 2020-02-01: a percent change needs a known base pay")


def test_hire_into_an_unknown_role():
    ledger = hired("cto")
    assert broken(ledger) == ("a hire on 1 Jan 2020: unknown role 'cto'",
                              "hire on 2020-01-01: unknown role 'cto'")


def test_unknown_framework_version():
    ledger = Ledger()
    ledger.add(HIRED, Hire("eng1"), version=7)
    assert broken(ledger) == ("unknown framework version 7",) * 2


def test_fold_at_a_date_before_a_broken_event_still_works():
    ledger = hired()
    ledger.add("2021-01-01", Promotion("eng1"))
    assert ledger.fold("2020-12-31").role == "eng1"
    with pytest.raises(LedgerRuleBroken):
        ledger.fold("2021-01-01")


def test_events_use_the_framework_version_of_their_date():
    """A role only in version 2 is known to events recorded against version 2."""
    v2_doc = dict(read_framework_file(TINY)[1])
    v2_doc["roles"] = [*v2_doc["roles"], {"id": "eng4", "track": "eng", "level": "L3",
                                          "title": "Staff Engineer"}]
    frameworks = {1: FRAMEWORK, 2: framework_from_document(v2_doc)}
    ledger = hired()
    ledger.add("2022-01-01", Promotion("eng4", 80000), version=2)
    p = ledger.fold(frameworks=frameworks)
    assert (p.title, p.level_rank, p.framework_version) == ("Staff Engineer", 3, 2)
    # the same promotion written against version 1 names a role that does not exist there
    as_v1 = replace(ledger.events[1], framework_version=1)
    with pytest.raises(LedgerRuleBroken, match="unknown role 'eng4'"):
        check_history(1, [ledger.events[0], as_v1], frameworks)


# --- properties ---------------------------------------------------------------------------

COMPETENCIES = ("coding", "design_systems", "mentoring", "communication")


@st.composite
def step_ledgers(draw):
    """A hire then random valid skill steps, each starting where its competency stands."""
    ledger = hired()
    mastery = dict.fromkeys(COMPETENCIES, 0)
    day = HIRED
    for _ in range(draw(st.integers(0, 15))):
        open_ = [c for c in COMPETENCIES if mastery[c] < 5]
        if not open_:
            break
        comp = draw(st.sampled_from(open_))
        to = draw(st.integers(mastery[comp] + 1, 5))
        day += timedelta(days=draw(st.integers(0, 200)))
        ledger.add(day, SkillStep(comp, mastery[comp], to))
        mastery[comp] = to
    return ledger


@settings(max_examples=60, deadline=None)
@given(step_ledgers())
def test_mastery_is_the_last_steps_and_layers_are_ordered(ledger):
    p = ledger.fold()
    steps = [e for e in ledger.events if isinstance(e.details, SkillStep)]
    for comp in COMPETENCIES:
        mine = [e for e in steps if e.details.competency == comp]
        if not mine:
            assert comp not in p.mastery
            continue
        layer = p.mastery[comp]
        assert layer.mastery == mine[-1].details.to_mastery
        assert layer.reached_on == mine[-1].effective_on
        dates = [s.on for s in layer.steps]
        assert dates == sorted(dates)
        assert [s.event_id for s in layer.steps] == [e.id for e in mine]
        for before, after in zip(layer.steps, layer.steps[1:], strict=False):
            assert after.from_mastery == before.to_mastery
    assert p.micro_progressions.get("skill_step", 0) == len(steps)


MIXED = st.sampled_from([
    Recognition("thanks"), CheckIn(3), Compensation(amount=500),
    Compensation(CompensationKind.MERIT, percent=3.0), Responsibility("design", 0.1),
    Certification("cert"), ProjectLeadership("p"),
])


@st.composite
def mixed_ledgers(draw):
    ledger = draw(step_ledgers())
    for _ in range(draw(st.integers(0, 6))):
        on = HIRED + timedelta(days=draw(st.integers(0, 2000)))
        ledger.add(on, draw(MIXED))
    return ledger


@settings(max_examples=60, deadline=None)
@given(mixed_ledgers(), st.integers(-10, 2500))
def test_folding_at_a_date_equals_folding_the_events_up_to_it(ledger, offset):
    at = HIRED + timedelta(days=offset)
    upto = [e for e in ledger.events if e.effective_on <= at]
    assert fold(1, ledger.events, FRAMEWORKS, at) == fold(1, upto, FRAMEWORKS, at)


@settings(max_examples=30, deadline=None)
@given(mixed_ledgers(), st.data())
def test_retracting_a_micro_progression_equals_never_recording_it(ledger, data):
    candidates = [e for e in ledger.events[1:] if not isinstance(e.details, SkillStep)]
    if not candidates:
        return
    target = data.draw(st.sampled_from(candidates))
    without = [e for e in ledger.events if e.id != target.id]
    retraction = Event(10_000, 1, date(2029, 1, 1), Retraction(target.id, "x"),
                       datetime(2029, 1, 1), "tester", framework_version=1)
    at = date(2030, 1, 1)
    assert fold(1, [*ledger.events, retraction], FRAMEWORKS, at) == \
        fold(1, without, FRAMEWORKS, at)


def test_event_kind_of_hand_built_events():
    assert hired().events[0].kind is EventKind.HIRE
