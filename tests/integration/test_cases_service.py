"""Promotion cases through the use cases, on SQLite and PostgreSQL.

Today is 2026-03-02. The tiny framework with gates (L2 needs 6 months in level): cat (eng3)
manages bob (eng3), who manages ada (eng1, hired 2025-10-01 at 42,000) and cy (eng1, hired
2024-01-08). hr@x.org is an HR admin linked to nobody. Default chain: skip-level, then HR.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from conftest import FIXTURES, make_trellis
from trellis.adapters import tables as t
from trellis.adapters.framework_files import parse_framework
from trellis.bootstrap import Trellis
from trellis.domain.access import Role
from trellis.domain.approvals import Signer
from trellis.domain.cases import CaseStatus, Decision
from trellis.domain.events import EventKind, Promotion
from trellis.errors import (
    Conflict,
    InvalidEvent,
    LedgerRuleBroken,
    NotFound,
    PermissionDenied,
    PromotionRefused,
)
from trellis.services import accounts, clock
from trellis.services import cases as use
from trellis.services.case_documents import case_document
from trellis.services.frameworks import load_framework
from trellis.services.ledger import record_event
from trellis.services.people import add_person, erase_person

D = date.fromisoformat
HR = Signer(None, "hr@x.org", True)


@pytest.fixture
def org(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trellis]:
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 2, 9, 0))
    trellis = make_trellis(database_url, FIXTURES / "tiny-gates.yaml")
    for handle, role, manager, hired, pay in (
            ("cat", "eng3", None, "2020-01-06", 90000), ("bob", "eng3", "cat", "2021-01-04",
                                                         80000),
            ("ada", "eng1", "bob", "2025-10-01", 42000), ("cy", "eng1", "bob", "2024-01-08",
                                                          47000)):
        add_person(trellis.uow(), handle, handle.title(), role=role, hired_on=D(hired),
                   manager=manager, pay=pay, author="hr")
    accounts.use_hasher(__import__("argon2").PasswordHasher(time_cost=1, memory_cost=1024,
                                                            parallelism=1))
    accounts.create_user(trellis.uow(), "hr@x.org", "a long password", Role.HR_ADMIN,
                         author="t")
    yield trellis
    trellis.close()


def who(trellis: Trellis, handle: str) -> Signer:
    return use.signer_named(trellis.uow(), handle)


def counts(trellis: Trellis) -> tuple[int, ...]:
    with trellis.uow() as uow:
        return tuple(uow.connection.scalar(select(func.count()).select_from(table))
                     for table in (t.events, t.promotion_cases, t.promotion_case_steps,
                                   t.promotion_case_comments))


def promotions(trellis: Trellis, handle: str) -> list:
    with trellis.uow() as uow:
        person = uow.people.find(handle)
        return [e for e in uow.events.for_person(person.id) if e.kind is EventKind.PROMOTION]


def test_an_approved_case_writes_exactly_one_promotion_linked_to_it(org):
    opened = use.open_case(org.uow(), "cy", "eng2", justification="owns billing",
                           by=who(org, "bob"), on=D("2026-03-01"))
    case = opened.case
    # cy earns 47,000; the eng2 band starts at 48,000: the default proposal is its minimum
    assert (case.pay, case.currency, opened.warning) == (48000, "EUR", None)
    assert [(s.approver.value, s.person_id is None) for s in case.steps] == [
        ("skip_level", False), ("hr", True)]
    before = counts(org)
    first = use.approve(org.uow(), case.id, by=who(org, "cat"))
    assert first.event is None and first.case.status is CaseStatus.OPEN
    assert counts(org)[0] == before[0]
    last = use.approve(org.uow(), case.id, by=HR)
    assert last.case.status is CaseStatus.APPROVED and last.event is not None
    assert counts(org)[0] == before[0] + 1
    [promotion] = promotions(org, "cy")
    assert promotion.details == Promotion("eng2", 48000, None, case.id)
    assert promotion.effective_on == D("2026-03-01") and promotion.author == "hr@x.org"
    assert last.case.event_id == promotion.id
    with org.uow() as uow:
        assert uow.state.current(promotion.person_id).role == "eng2"


def test_a_declined_or_deferred_case_writes_no_event(org):
    case = use.open_case(org.uow(), "cy", "eng2", justification="x", by=who(org, "bob")).case
    before = counts(org)
    with pytest.raises(InvalidEvent, match="needs a reason"):
        use.decide(org.uow(), case.id, Decision.DECLINED, by=who(org, "cat"), reason=" ")
    declined = use.decide(org.uow(), case.id, Decision.DECLINED, by=who(org, "cat"),
                          reason="not this cycle")
    assert declined.status is CaseStatus.DECLINED
    assert declined.steps[0].decision is Decision.DECLINED
    assert counts(org)[0] == before[0] and promotions(org, "cy") == []
    with pytest.raises(LedgerRuleBroken, match="declined"):
        use.approve(org.uow(), case.id, by=HR)
    again = use.open_case(org.uow(), "cy", "eng2", justification="y", by=who(org, "bob")).case
    deferred = use.decide(org.uow(), again.id, Decision.DEFERRED, by=who(org, "cat"),
                          reason="after the reorg")
    assert deferred.status is CaseStatus.DEFERRED and promotions(org, "cy") == []


def test_a_failing_gate_needs_the_approvers_override(org):
    # ada has been in L1 five months: L2 asks six
    case = use.open_case(org.uow(), "ada", "eng2", justification="exceptional",
                         by=who(org, "bob")).case
    before = counts(org)
    with pytest.raises(PromotionRefused, match="override"):
        use.approve(org.uow(), case.id, by=who(org, "cat"))
    assert counts(org) == before
    use.approve(org.uow(), case.id, by=who(org, "cat"), override="covers a senior's role")
    with pytest.raises(PromotionRefused):
        use.approve(org.uow(), case.id, by=HR)  # each approver overrides for themselves
    done = use.approve(org.uow(), case.id, by=HR, override="agreed with finance")
    assert done.overridden and done.event is not None
    [promotion] = promotions(org, "ada")
    assert promotion.details.override_reason == ("cat: covers a senior's role; "
                                                 "hr@x.org: agreed with finance")


def test_a_refusal_names_people_and_competencies_in_words_and_handles_and_ids_on_the_cli(org):
    """A page reads "you", names, titles and mastery names; the command line the signer's
    label, the case's number and the competencies' ids that it types."""
    case = use.open_case(org.uow(), "cy", "eng3", justification="ready",
                         by=who(org, "bob")).case
    with pytest.raises(PromotionRefused) as refused:
        use.approve(org.uow(), case.id, by=who(org, "cat"))
    words, command = str(refused.value), refused.value.on_command_line()
    assert words.startswith("a requirement for Senior Engineer fails: Coding at mastery 0 "
                            "(none), needs 3 (practitioner); Mentoring at mastery 0 (none), "
                            "needs 2 (working)")
    assert command.startswith(f"case {case.id}: a requirement for eng3 fails: coding at "
                              "mastery 0, needs 3; mentoring at mastery 0, needs 2")
    assert "coding" not in words and "eng3" not in words and f"case {case.id}" not in words
    with pytest.raises(PermissionDenied) as withdrawn:
        use.withdraw(org.uow(), case.id, by=who(org, "cy"), reason="not me")
    assert str(withdrawn.value) == ("you may not withdraw this case: its proposer or an HR "
                                    "admin can")
    assert withdrawn.value.on_command_line() == (f"cy may not withdraw case {case.id}: its "
                                                 "proposer or an HR admin can")
    with pytest.raises(Conflict) as second:
        use.open_case(org.uow(), "cy", "eng2", justification="again", by=who(org, "bob"))
    assert str(second.value) == ("Cy already has an open promotion case: decide or withdraw "
                                 "it first")
    assert second.value.on_command_line() == (f"cy already has an open promotion case (case "
                                              f"{case.id}): decide or withdraw it first")


def test_bad_input_is_refused_and_writes_nothing(org):
    before = counts(org)
    bob = who(org, "bob")
    refusals = [
        (dict(person_ref="bob", to_role="eng2"), LedgerRuleBroken,
         "a case for a role below the current one"),
        (dict(person_ref="cy", to_role="des1"), LedgerRuleBroken, "current level"),
        (dict(person_ref="cy", to_role="eng2", pay=70000), InvalidEvent,
         r"pay €70,000 is above the Engineer II band \(€48,000-€60,000\): a pay proposal "
         r"outside"),
        (dict(person_ref="cy", to_role="nope"), NotFound, "unknown role"),
        (dict(person_ref="nobody", to_role="eng2"), NotFound, "unknown person"),
    ]
    for kwargs, error, message in refusals:
        with pytest.raises(error, match=message):
            use.open_case(org.uow(), justification="x", by=bob, **kwargs)
    with pytest.raises(InvalidEvent, match="needs a justification"):
        use.open_case(org.uow(), "cy", "eng2", justification="  ", by=bob)
    with pytest.raises(PermissionDenied, match="may not nominate"):
        use.open_case(org.uow(), "cy", "eng2", justification="x",
                      by=Signer(None, "x@y.org"))
    assert counts(org) == before
    case = use.open_case(org.uow(), "cy", "eng2", justification="x", by=bob, pay=70000,
                         pay_reason="matches an outside offer")
    assert case.warning and case.case.pay_reason == "matches an outside offer"
    with pytest.raises(Conflict, match="already has an open promotion case"):
        use.open_case(org.uow(), "cy", "eng2", justification="x", by=bob)
    with pytest.raises(PermissionDenied, match="proposer never signs"):
        use.approve(org.uow(), case.case.id, by=bob)
    with pytest.raises(NotFound, match=r"^there is no promotion case 9999$"):
        use.approve(org.uow(), 9999, by=HR)


def test_the_last_approval_rolls_back_whole_when_the_event_is_refused(org, monkeypatch):
    case = use.open_case(org.uow(), "cy", "eng2", justification="x", by=who(org, "bob")).case
    use.approve(org.uow(), case.id, by=who(org, "cat"))
    before = counts(org)

    def broken(*args, **kwargs):
        raise LedgerRuleBroken("the ledger refuses it")

    monkeypatch.setattr(use, "append_event", broken)
    with pytest.raises(LedgerRuleBroken):
        use.approve(org.uow(), case.id, by=HR)
    assert counts(org) == before
    with org.uow() as uow:
        found = uow.cases.get(case.id)
    assert found.status is CaseStatus.OPEN and found.steps[1].decision is None


def test_a_future_effective_date_waits_for_its_day(org):
    case = use.open_case(org.uow(), "cy", "eng2", justification="x", by=who(org, "bob"),
                         on=D("2026-04-01")).case
    use.approve(org.uow(), case.id, by=who(org, "cat"))
    with pytest.raises(LedgerRuleBroken, match=r"^this case takes effect on 1 Apr 2026") as early:
        use.approve(org.uow(), case.id, by=HR)
    assert early.value.on_command_line().startswith(f"case {case.id} takes effect on 2026-04-01")


def test_the_packet_comes_from_the_ledger(org):
    record_event(org.uow(), "cy", EventKind.CERTIFICATION, D("2025-02-01"),
                 {"certification": "AWS"}, author="cy", verifier="bob")
    record_event(org.uow(), "cy", EventKind.SKILL_STEP, D("2025-03-01"),
                 {"competency": "coding", "from_mastery": 0, "to_mastery": 1}, author="cy")
    record_event(org.uow(), "cy", EventKind.RECOGNITION, D("2025-04-01"),
                 {"citation": "saved the launch", "giver": "bob"}, author="bob")
    case = use.open_case(org.uow(), "cy", "eng2", justification="x", by=who(org, "bob")).case
    use.comment(org.uow(), case.id, "seen the packet", by=who(org, "cat"))
    doc = case_document(use.show_case(org.uow(), case.id, HR))
    packet = doc["packet"]
    assert packet["since"] == "2024-01-08"  # the hire: no promotion yet
    assert [(i["kind"], i["verified_by"]) for i in packet["verified"]] == [
        ("certification", "bob")]
    assert packet["unverified"] == 1
    assert [i["kind"] for i in packet["recognitions"]] == ["recognition"]
    assert packet["readiness"]["target"]["id"] == "eng2"
    assert [c["text"] for c in doc["comments"]] == ["seen the packet"]
    with pytest.raises(NotFound):
        use.show_case(org.uow(), case.id, Signer(who(org, "ada").person_id, "ada"))


def test_an_erasure_takes_the_persons_cases_and_blanks_them_elsewhere(org):
    mine = use.open_case(org.uow(), "cy", "eng2", justification="cy's", by=who(org, "bob"))
    use.comment(org.uow(), mine.case.id, "bob agrees", by=who(org, "bob"))
    other = use.open_case(org.uow(), "ada", "eng2", justification="ada's, by bob",
                          by=who(org, "bob"))
    erase_person(org.uow(), "cy", author="hr")
    with org.uow() as uow:
        assert uow.cases.get(mine.case.id) is None
        assert uow.connection.scalar(select(func.count()).select_from(
            t.promotion_case_comments)) == 0
        assert uow.cases.get(other.case.id) is not None
    erase_person(org.uow(), "bob", author="hr")
    with org.uow() as uow:
        kept = uow.cases.get(other.case.id)
    assert kept.nominator_id is None and "bob" not in kept.nominated_by
    assert "bob" not in kept.justification


def test_with_no_approvers_declared_the_proposers_decision_stands(database_url, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 2, 9, 0))
    text = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8") + \
        "approvals:\n  promotion: []\n"
    trellis = make_trellis(database_url, None)
    try:
        framework, document = parse_framework(text)
        load_framework(trellis.uow(), framework, document, author="t")
        add_person(trellis.uow(), "bob", "Bob", role="eng3", hired_on=D("2021-01-04"),
                   author="hr")
        add_person(trellis.uow(), "cy", "Cy", role="eng1", hired_on=D("2024-01-08"),
                   manager="bob", pay=47000, author="hr")
        opened = use.open_case(trellis.uow(), "cy", "eng2", justification="journal",
                               by=use.signer_named(trellis.uow(), "bob"))
        assert opened.case.status is CaseStatus.APPROVED and opened.case.steps == ()
        [promotion] = promotions(trellis, "cy")
        assert promotion.details == Promotion("eng2", 48000, None, opened.case.id)
    finally:
        trellis.close()


def test_a_managers_case_with_manager_then_hr_goes_one_level_up(database_url, monkeypatch):
    """The shared approval rule (domain.approvals): the proposer's own `manager` step goes
    to their manager; HR signs after."""
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 2, 9, 0))
    text = (FIXTURES / "tiny.yaml").read_text(encoding="utf-8") + \
        "approvals:\n  promotion: [manager, hr]\n"
    trellis = make_trellis(database_url, None)
    try:
        framework, document = parse_framework(text)
        load_framework(trellis.uow(), framework, document, author="t")
        for handle, role, manager in (("cat", "eng3", None), ("bob", "eng3", "cat"),
                                      ("cy", "eng1", "bob")):
            add_person(trellis.uow(), handle, handle.title(), role=role,
                       hired_on=D("2024-01-08"), manager=manager, pay=47000, author="hr")
        accounts.use_hasher(__import__("argon2").PasswordHasher(time_cost=1, memory_cost=1024,
                                                                parallelism=1))
        accounts.create_user(trellis.uow(), "hr@x.org", "a long password", Role.HR_ADMIN,
                             author="t")
        bob = use.signer_named(trellis.uow(), "bob")
        case = use.open_case(trellis.uow(), "cy", "eng2", justification="ready",
                             by=bob).case
        cat = use.signer_named(trellis.uow(), "cat")
        assert [(s.approver.value, s.person_id) for s in case.steps] == [
            ("manager", cat.person_id), ("hr", None)]
        with pytest.raises(PermissionDenied, match="proposer never signs"):
            use.approve(trellis.uow(), case.id, by=bob)
        use.approve(trellis.uow(), case.id, by=cat)
        assert use.approve(trellis.uow(), case.id, by=HR).case.status is CaseStatus.APPROVED
        assert len(promotions(trellis, "cy")) == 1
    finally:
        trellis.close()
