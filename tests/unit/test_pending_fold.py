"""Pending verification in the pure fold: a self-reported advance moves nothing until
someone else verifies it; then it counts from its own date, and what it unlocks (a band
upgrade and its pay step) is dated on the verification."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from itertools import count

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.adapters.framework_files import parse_framework
from trellis.domain.events import (
    Certification,
    Event,
    Hire,
    ProjectLeadership,
    Retraction,
    SkillStep,
    Verification,
)
from trellis.domain.framework import VerificationPolicy
from trellis.domain.people import Person
from trellis.domain.profile import fold, fold_from, replay
from trellis.domain.profile_document import profile_from_document, profile_to_document
from trellis.domain.timeline import build_timeline
from trellis.domain.verification import check_jump
from trellis.errors import InvalidEvent, LedgerRuleBroken

TEXT = """\
id: pend
name: Pending Co
tracks:
  - {id: eng, name: Engineering}
levels:
  - {id: L1, name: One}
  - {id: L2, name: Two}
skill_bands:
  - id: craft
    name: Craft
    levels:
      - {name: Practitioner, k: 2, mastery: 2, pay_step: {percent: 3}}
    competencies:
      - {id: coding, name: Coding}
      - {id: testing, name: Testing}
roles:
  - {id: e1, track: eng, level: L1, title: Engineer, expects: {coding: 2, testing: 2}}
  - {id: e2, track: eng, level: L2, title: Engineer II, expects: {coding: 3, testing: 3}}
"""
FRAMEWORK, _ = parse_framework(TEXT)
FRAMEWORKS = {1: FRAMEWORK}
HIRED = date(2021, 1, 4)
ME, BOSS = "dana@example.org", "boss@example.org"


class Ledger:
    def __init__(self, pay: int = 50_000) -> None:
        self.events: list[Event] = []
        self._ids = count(1)
        self.add(HIRED, Hire("e1", pay), BOSS)

    def add(self, on: date | str, details, author: str = BOSS, *, own: bool = False,
            frameworks_version: int = 1) -> Event:
        on = date.fromisoformat(on) if isinstance(on, str) else on
        event = Event(next(self._ids), 1, on, details, datetime(2024, 1, 1), author,
                      evidence="https://example.org/pr", framework_version=frameworks_version,
                      self_reported=own)
        self.events.append(event)
        return event

    def own(self, on: str, details) -> Event:
        return self.add(on, details, ME, own=True)

    def fold(self, at: str = "2030-01-01", frameworks=FRAMEWORKS):
        return fold(1, self.events, frameworks, date.fromisoformat(at))


def test_an_own_step_is_pending_and_moves_nothing():
    ledger = Ledger()
    ledger.add("2021-02-01", SkillStep("coding", 0, 2))
    mine = ledger.own("2021-03-01", SkillStep("testing", 0, 2))  # would reach the band
    p = ledger.fold()
    assert p.mastery_of("testing") == 0 and p.bands == {} and p.pay == 50_000
    assert [e.id for e in p.pending] == [mine.id]
    assert p.micro_progressions.get("skill_step") == 1  # only the manager's step


def test_the_same_step_recorded_by_the_manager_counts_at_once():
    ledger = Ledger()
    ledger.add("2021-02-01", SkillStep("coding", 0, 2))
    ledger.add("2021-03-01", SkillStep("testing", 0, 2))
    p = ledger.fold()
    assert p.bands == {"craft": 1} and p.pay == 51_500 and p.pending == ()


def test_a_verified_step_counts_from_its_own_date_and_its_pay_step_from_the_verification():
    ledger = Ledger()
    ledger.add("2021-02-01", SkillStep("coding", 0, 2))
    mine = ledger.own("2021-03-01", SkillStep("testing", 0, 2))
    ledger.add("2021-05-10", Verification(mine.id), BOSS)
    p = ledger.fold()
    layer = p.mastery["testing"]
    assert (layer.mastery, layer.reached_on) == (2, date(2021, 3, 1))
    (upgrade,) = p.band_upgrades
    assert (upgrade.on, upgrade.trigger, upgrade.pay_before, upgrade.pay_after) == \
        (date(2021, 5, 10), mine.id, 50_000, 51_500)  # 3% of 50,000, not back-dated
    assert p.pay == 51_500 and p.pending == ()
    assert p.micro_progressions["skill_step"] == 2
    # between the step and its verification it was pending, as the person saw it then
    before = ledger.fold("2021-04-01")
    assert before.mastery_of("testing") == 0 and before.pay == 50_000
    assert [e.id for e in before.pending] == [mine.id]


def test_a_verification_by_the_author_releases_nothing():
    ledger = Ledger()
    mine = ledger.own("2021-03-01", SkillStep("testing", 0, 1))
    ledger.add("2021-03-02", Verification(mine.id), ME)
    p = ledger.fold()
    assert p.mastery_of("testing") == 0 and [e.id for e in p.pending] == [mine.id]


def test_retracting_the_verification_returns_the_event_to_pending():
    ledger = Ledger()
    ledger.add("2021-02-01", SkillStep("coding", 0, 2))
    mine = ledger.own("2021-03-01", SkillStep("testing", 0, 2))
    check = ledger.add("2021-04-01", Verification(mine.id))
    assert ledger.fold().pay == 51_500
    ledger.add("2021-04-02", Retraction(check.id, "verified the wrong PR"))
    p = ledger.fold()
    assert (p.mastery_of("testing"), p.bands, p.pay) == (0, {}, 50_000)
    assert [e.id for e in p.pending] == [mine.id]


def test_a_retracted_pending_event_is_gone():
    ledger = Ledger()
    mine = ledger.own("2021-03-01", SkillStep("testing", 0, 1))
    ledger.add("2021-03-02", Retraction(mine.id, "typo"))
    assert ledger.fold().pending == ()


def test_steps_build_on_the_claimed_mastery_whoever_records_them():
    ledger = Ledger()
    first = ledger.own("2021-03-01", SkillStep("coding", 0, 1))
    ledger.own("2021-04-01", SkillStep("coding", 1, 2))
    ledger.add("2021-05-01", SkillStep("coding", 2, 3))  # the manager builds on the claim
    p = ledger.fold()
    assert p.mastery_of("coding") == 3 and len(p.pending) == 2
    # verifying the earliest claim puts it in its place without lowering the mastery
    ledger.add("2021-06-01", Verification(first.id))
    layer = ledger.fold().mastery["coding"]
    assert layer.mastery == 3 and [s.on for s in layer.steps] == \
        [date(2021, 3, 1), date(2021, 5, 1)]
    # a step that ignores a pending claim is refused, saying why
    ledger.add("2021-07-01", SkillStep("testing", 0, 1))
    ledger.own("2021-07-02", SkillStep("testing", 1, 2))
    ledger.add("2021-07-03", SkillStep("testing", 1, 2))
    with pytest.raises(LedgerRuleBroken, match=r"at mastery 2 \(counting steps pending"):
        ledger.fold()


def test_a_pending_event_is_checked_like_any_other():
    ledger = Ledger()
    ledger.own("2021-03-01", SkillStep("cooking", 0, 1))
    with pytest.raises(LedgerRuleBroken, match="unknown competency 'cooking'"):
        ledger.fold()


def test_only_the_kinds_the_policy_lists_wait():
    ledger = Ledger()
    ledger.own("2021-03-01", ProjectLeadership("search revamp"))  # not pending by default
    cert = ledger.own("2021-03-02", Certification("CKA", competency="coding"))
    p = ledger.fold()
    assert [m.title for m in p.projects] == ["search revamp"] and p.certifications == ()
    assert [e.id for e in p.pending] == [cert.id]
    trusting = {1: replace(FRAMEWORK, verification=VerificationPolicy(frozenset()))}
    assert ledger.fold(frameworks=trusting).pending == ()
    assert [m.title for m in ledger.fold(frameworks=trusting).certifications] == ["CKA"]


def test_pending_items_survive_the_stored_document_and_a_checkpoint():
    ledger = Ledger()
    ledger.add("2021-02-01", SkillStep("coding", 0, 2))
    mine = ledger.own("2021-03-01", SkillStep("testing", 0, 2))
    doc = profile_to_document(ledger.fold("2021-03-31"))
    assert doc["pending"][0] | {"recorded_at": None} == {
        "event_id": mine.id, "kind": "skill_step", "on": "2021-03-01",
        "would_change": "testing mastery 0 -> 2",
        "details": {"competency": "testing", "from_mastery": 0, "to_mastery": 2},
        "evidence": "https://example.org/pr", "verifier": None, "author": ME,
        "recorded_at": None, "framework_version": 1}
    checkpoint = profile_from_document(doc)
    assert checkpoint.pending == (mine,)
    # a fold carried on from the stored profile releases it like a whole fold does
    check = ledger.add("2021-05-10", Verification(mine.id))
    resumed = fold_from(checkpoint, [check], FRAMEWORKS, date(2030, 1, 1))
    assert resumed == ledger.fold()


def test_the_timeline_marks_pending_events_and_dates_the_unlocked_upgrade():
    ledger = Ledger()
    ledger.add("2021-02-01", SkillStep("coding", 0, 2))
    mine = ledger.own("2021-03-01", SkillStep("testing", 0, 2))
    pending = {e.id: e.pending for e in build_timeline(ledger.events, FRAMEWORKS) if e.id}
    assert pending == {1: False, 2: False, mine.id: True}
    ledger.add("2021-05-10", Verification(mine.id))
    entries = build_timeline(ledger.events, FRAMEWORKS)
    assert not any(e.pending for e in entries)
    assert [(e.kind, e.on) for e in entries][-2:] == \
        [("band_upgrade", date(2021, 5, 10)), ("verification", date(2021, 5, 10))]


# --- a step of more than one level -------------------------------------------------------

DANA = Person(1, "dana", "Dana Scully", "dana@example.org")
POLICY = VerificationPolicy()


def test_a_jump_needs_a_verifier_who_is_not_the_person():
    with pytest.raises(InvalidEvent) as info:
        check_jump(SkillStep("coding", 0, 5), None, DANA, "dana@example.org", POLICY)
    assert str(info.value) == (
        "skill_step: coding 0 -> 5 jumps 5 mastery levels: name a verifier who checked the "
        "evidence, record one level at a time, or rate it in a review")
    for herself in ("dana", "Dana Scully", "DANA@example.org"):
        with pytest.raises(InvalidEvent) as named:
            check_jump(SkillStep("coding", 0, 2), herself, DANA, "x@example.org", POLICY)
        assert "name a verifier other than Dana Scully who" in str(named.value)
        assert "name a verifier other than dana who" in named.value.on_command_line()
    check_jump(SkillStep("coding", 0, 2), "boss@example.org", DANA, ME, POLICY)
    check_jump(SkillStep("coding", 1, 2), None, DANA, ME, POLICY)  # one level: no verifier
    check_jump(SkillStep("coding", 0, 5), None, DANA, ME, VerificationPolicy(
        jumps_need_verifier=False))


# --- the property: nothing moves until verified ------------------------------------------

COMPETENCIES = ("coding", "testing")


@st.composite
def careers(draw):
    """A valid career of manager-recorded steps, then one self-reported step on top."""
    ledger = Ledger(pay=draw(st.integers(30_000, 90_000)))
    level = dict.fromkeys(COMPETENCIES, 0)
    on = HIRED
    for _ in range(draw(st.integers(0, 6))):
        comp = draw(st.sampled_from(COMPETENCIES))
        if level[comp] >= 5:
            continue
        up = draw(st.integers(1, min(2, 5 - level[comp])))
        on += timedelta(days=draw(st.integers(0, 40)))
        ledger.add(on, SkillStep(comp, level[comp], level[comp] + up))
        level[comp] += up
    comp = draw(st.sampled_from([c for c in COMPETENCIES if level[c] < 5] or ["coding"]))
    if level[comp] >= 5:
        return ledger, None
    up = draw(st.integers(1, 5 - level[comp]))
    on += timedelta(days=draw(st.integers(0, 40)))
    mine = ledger.add(on, SkillStep(comp, level[comp], level[comp] + up), ME, own=True)
    return ledger, mine


def _moved(p):
    return ({c: layer.mastery for c, layer in p.mastery.items()}, p.bands, p.pay)


@settings(max_examples=150, deadline=None)
@given(careers(), st.integers(0, 60))
def test_a_pending_event_moves_nothing_until_verified(career, delay):
    ledger, mine = career
    if mine is None:
        return
    without = fold(1, ledger.events[:-1], FRAMEWORKS, date(2030, 1, 1))
    assert _moved(ledger.fold()) == _moved(without)
    # verified: the same as if the manager had recorded it, pay included (it is last)
    check = ledger.add(mine.effective_on + timedelta(days=delay), Verification(mine.id))
    trusted = [*ledger.events[:-2], replace(mine, self_reported=False, author=BOSS)]
    assert _moved(ledger.fold()) == _moved(fold(1, trusted, FRAMEWORKS, date(2030, 1, 1)))
    # and retracting the verification returns it to pending
    ledger.add(check.effective_on, Retraction(check.id, "wrong person"))
    after = ledger.fold()
    assert _moved(after) == _moved(without) and after.pending == (mine,)
    # the whole replay with checkpoints at every day agrees with the fold
    builder, _ = replay(1, ledger.events, FRAMEWORKS, checkpoint_every=1)
    assert _moved(builder.snapshot(date(2030, 1, 1))) == _moved(after)
