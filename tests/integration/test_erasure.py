"""Erasure on request leaves nothing of the person anywhere, accounts included.

Alan manages Rhea and uses the web service: he records and verifies her events, gives her
recognition, plans with her, adds a colleague, loads a framework, is named in her notes,
and is himself the subject of audited reads and writes. After ``trellis person erase``
no table (and on SQLite no byte of the database files) holds his handle, name or email.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Text, cast, func, or_, select

from conftest import TINY, make_trellis
from trellis.adapters import tables as t
from trellis.adapters.framework_files import read_framework_file
from trellis.bootstrap import sqlite_path
from trellis.domain.access import Role
from trellis.domain.events import EventKind as K
from trellis.domain.profile import fold
from trellis.domain.profile_document import profile_to_document
from trellis.errors import NotAuthenticated
from trellis.services import accounts, frameworks, ledger, plans, recognition
from trellis.services.people import add_person, erase_person
from trellis.services.profiles import profile

accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
PASSWORD = "correct horse battery"
ALAN = ("alan.hopper", "Alan Hopper", "alan.hopper@x.org")
WORDS = ("alan.hopper", "alan hopper", "hopper.admin")  # the handle (in his email), name, login


@pytest.fixture
def org(database_url):
    trellis = make_trellis(database_url)
    uow = trellis.uow
    handle, name, email = ALAN
    add_person(uow(), "boss", "Bo Boss", role="eng3", hired_on=date(2018, 1, 1), author="hr",
               pay=90000)
    add_person(uow(), handle, name, role="eng3", hired_on=date(2019, 1, 1), author="hr",
               email=email, manager="boss", pay=80000)
    add_person(uow(), "rhea", "Rhea Report", role="eng1", hired_on=date(2021, 1, 1),
               author=email, manager=handle, pay=45000)  # Alan added her
    hr = accounts.create_user(uow(), "hr@x.org", PASSWORD, Role.HR_ADMIN, person="boss",
                              author="setup")
    alan = accounts.create_user(uow(), email, PASSWORD, Role.MANAGER, person=handle,
                                author="setup")
    accounts.create_user(uow(), "hopper.admin@y.org", PASSWORD, Role.EMPLOYEE,
                         person=handle, author="setup")  # a second login, its own email
    session = accounts.login(uow(), email, PASSWORD)
    accounts.create_token(uow(), alan, "alan's script")
    for _ in range(2):  # a throttle row keyed by his email
        with pytest.raises(NotAuthenticated):
            accounts.login(uow(), email, "wrong password!")
    step = accounts.record_for(uow(), alan, "rhea", K.SKILL_STEP, date(2022, 3, 1),
                               {"competency": "coding", "from_mastery": 0, "to_mastery": 1},
                               evidence=f"reviewed by {name}").event
    accounts.record_for(uow(), hr, handle, K.CERTIFICATION, date(2022, 4, 1),
                        {"certification": "CKA"})
    accounts.read_profile(uow(), hr, handle)  # an audited read of his pay
    ledger.record_event(uow(), "rhea", K.CHECK_IN, date(2022, 5, 1),
                        {"engagement": 4, "notes": "paired with alan hopper on the design"},
                        author="hr")
    hr_step = ledger.record_event(uow(), "rhea", K.SKILL_STEP, date(2022, 6, 1),
                                  {"competency": "coding", "from_mastery": 1, "to_mastery": 2},
                                  author="hr")
    ledger.verify_event(uow(), hr_step.id, author=email, notes="seen it")
    recognition.recognize(uow(), "rhea", f"thanks from {name}", giver=handle, author=email,
                          on=date(2022, 7, 1))
    plans.create_plan(uow(), "rhea", role="eng2", author=email)
    fw, document = read_framework_file(TINY)
    frameworks.load_framework(uow(), fw, document, author=email)
    yield trellis, session, step
    trellis.close()


def mentions(trellis) -> list[str]:
    """Every (table, column) whose text holds Alan's handle, name or email."""
    found = []
    with trellis.uow() as uow:
        for table in t.metadata.sorted_tables:
            for column in table.columns:
                text = func.lower(cast(column, Text))
                hits = uow.connection.scalar(select(func.count()).select_from(table).where(
                    or_(*(text.contains(w) for w in WORDS))))
                if hits:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_erasing_a_person_with_an_account_leaves_no_trace(org):
    trellis, session, step = org
    assert len(mentions(trellis)) >= 10  # the scenario really spreads him around
    rhea_before = profile(trellis.uow(), "rhea").profile

    assert erase_person(trellis.uow(), ALAN[0], author="dpo") == 2

    assert mentions(trellis) == []
    with pytest.raises(NotAuthenticated):
        accounts.session_user(trellis.uow(), session.token)
    with trellis.uow() as uow:
        assert [u.email for u in uow.accounts.users()] == ["hr@x.org"]
        rhea = uow.people.find("rhea")
        assert rhea.manager_id is None
        kept = uow.events.get(step.id)
        assert kept.author.startswith("erased person #") and kept.person_id == rhea.id
        # her projections were rebuilt from the edited ledger, and still match it
        stored = uow.state.current(rhea.id)
        fresh = fold(rhea.id, uow.events.for_person(rhea.id), uow.frameworks.catalog,
                     stored.as_of)
        assert profile_to_document(stored) == profile_to_document(fresh)
    rhea_after = profile(trellis.uow(), "rhea").profile
    assert rhea_after.mastery["coding"].mastery == rhea_before.mastery["coding"].mastery == 2
    assert rhea_after.recognitions.count == 1

    url = trellis.settings.database_url
    path = sqlite_path(url)
    if path is not None:  # the bytes on disk, not only what SQL shows
        for file in (path, Path(f"{path}-wal")):
            data = file.read_bytes().lower() if file.exists() else b""
            assert not any(w.encode() in data for w in WORDS), file


def test_erasure_through_the_command_line(org, cli):
    trellis, _, _ = org
    done = cli("--db", trellis.settings.database_url, "person", "erase", ALAN[0], "--yes")
    assert done.code == 0, done.err
    assert done.out.startswith(f"erased {ALAN[0]}: identity and 2 events removed")
    assert mentions(trellis) == []


def test_a_short_handle_is_not_hunted_in_free_text(database_url):
    trellis = make_trellis(database_url)
    add_person(trellis.uow(), "al", "Al Ng", role="eng1", hired_on=date(2021, 1, 1),
               author="hr")
    add_person(trellis.uow(), "cy", "Cy Dee", role="eng1", hired_on=date(2021, 1, 1),
               author="hr")
    ledger.record_event(trellis.uow(), "cy", K.CHECK_IN, date(2022, 5, 1),
                        {"notes": "al fresco lunch with Al Ng"}, author="al")
    erase_person(trellis.uow(), "al", author="dpo")
    with trellis.uow() as uow:
        [check_in] = [e for e in uow.events.for_person(uow.people.find("cy").id)
                      if e.kind is K.CHECK_IN]
    # the name is distinctive enough to replace in free text; a two-letter handle only
    # where it is the whole field
    assert check_in.details.notes == "al fresco lunch with erased person #1"
    assert check_in.author == "erased person #1"
    trellis.close()
