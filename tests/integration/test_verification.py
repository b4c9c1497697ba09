"""Verifying evidence after the fact: a verification event, shown on the timeline."""

from __future__ import annotations

from datetime import date

import pytest

from trellis.domain.events import EventKind
from trellis.errors import LedgerRuleBroken, NotFound
from trellis.services import ledger, people, profiles


@pytest.fixture
def step(trellis):
    people.add_person(trellis.uow(), "ada", "Ada", role="eng1", hired_on=date(2022, 1, 3),
                      author="ada", pay=45000)
    return ledger.record_event(trellis.uow(), "ada", EventKind.SKILL_STEP, date(2022, 3, 1),
                               {"competency": "coding", "from_mastery": 0, "to_mastery": 1},
                               author="ada", evidence="https://example.org/pr/1")


def test_a_manager_verifies_a_step_and_the_timeline_says_so(trellis, step):
    before = profiles.profile(trellis.uow(), "ada").profile
    check = ledger.verify_event(trellis.uow(), step.id, author="grace", notes="read the PR")
    _, entries = profiles.timeline(trellis.uow(), "ada")
    verified = next(e for e in entries if e.id == step.id)
    assert verified.verified_by == "grace"
    assert entries[-1].summary == f"Verified the evidence of event {step.id}: read the PR"
    assert check.kind is EventKind.VERIFICATION
    # vouching changes no state beyond the ledger
    after = profiles.profile(trellis.uow(), "ada").profile
    assert (after.mastery, after.pay, after.micro_progressions) == \
        (before.mastery, before.pay, before.micro_progressions)


def test_verification_refusals(trellis, step):
    with pytest.raises(LedgerRuleBroken, match="someone else must verify it"):
        ledger.verify_event(trellis.uow(), step.id, author="ada")
    with pytest.raises(NotFound, match=r"^unknown event$") as unknown:
        ledger.verify_event(trellis.uow(), 999, author="grace")
    assert unknown.value.on_command_line() == "unknown event 999"
    ledger.verify_event(trellis.uow(), step.id, author="grace")
    with pytest.raises(LedgerRuleBroken, match="already verified"):
        ledger.verify_event(trellis.uow(), step.id, author="hr")
    retraction = ledger.retract_event(trellis.uow(), step.id, "typo", author="hr")
    with pytest.raises(LedgerRuleBroken, match="has no evidence to verify"):
        ledger.verify_event(trellis.uow(), retraction.id, author="grace")


def test_the_cli_verifies_and_log_points_there(cli, sqlite_url, monkeypatch):
    from conftest import TINY

    db = ("--db", sqlite_url)
    assert cli(*db, "init", "--framework", TINY).code == 0
    assert cli(*db, "person", "add", "ada", "--name", "Ada", "--role", "eng1", "--hired",
               "2022-01-03").code == 0
    # the hire was recorded as TRELLIS_AUTHOR=tester; someone else verifies it
    monkeypatch.setenv("TRELLIS_AUTHOR", "grace")
    done = cli(*db, "verify", "1", "--notes", "offer letter seen")
    assert done.code == 0, done.err
    wrong = cli(*db, "log", "verification", "ada")
    assert wrong.code == 1
    assert wrong.err.strip() == "error: use `trellis verify EVENT_ID` to verify an event's evidence"
