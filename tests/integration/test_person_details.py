"""Changing a person's details through the use case, on SQLite and PostgreSQL: one
transaction with its audit entry, the management chain kept a tree, emails one person's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from conftest import make_trellis
from trellis.bootstrap import Trellis
from trellis.errors import Conflict, InvalidEvent, NotFound
from trellis.services import people
from trellis.services.accounts import audit_log


@pytest.fixture
def org(database_url: str) -> Iterator[Trellis]:
    trellis = make_trellis(database_url)
    add = people.add_person
    add(trellis.uow(), "boss", "Bo Boss", role="eng3", hired_on=date(2020, 1, 1), author="t",
        email="bo@x.org")
    add(trellis.uow(), "mid", "Mi Middle", role="eng2", hired_on=date(2021, 1, 1), author="t",
        manager="boss")
    add(trellis.uow(), "new", "Ne Wcomer", role="eng1", hired_on=date(2022, 1, 1),
        author="t", manager="mid", email="ne@x.org")
    yield trellis
    trellis.close()


def person(trellis: Trellis, handle: str) -> tuple[str, str | None, list[int]]:
    with trellis.uow() as uow:
        found = uow.people.find(handle)
        assert found is not None
        return found.name, found.email, uow.people.managers(found.id)


def test_a_change_is_one_audited_write(org):
    done = people.update_person(org.uow(), "new", author="hr@x.org", name="Ne Newcomer",
                                email="", manager="boss")
    assert done.changed == {"name": ("Ne Wcomer", "Ne Newcomer"), "email": ("ne@x.org", None),
                            "manager": ("mid", "boss")}
    name, email, chain = person(org, "new")
    assert (name, email) == ("Ne Newcomer", None) and len(chain) == 1
    [entry] = [e for e in audit_log(org.uow()) if e["action"] == "person.update"]
    assert entry["user_email"] == "hr@x.org" and entry["resource"] == "person/new"
    assert entry["detail"] == {"name": {"from": "Ne Wcomer", "to": "Ne Newcomer"},
                               "email": {"from": "ne@x.org", "to": None},
                               "manager": {"from": "mid", "to": "boss"}}
    again = people.update_person(org.uow(), "new", author="hr@x.org", name="Ne Newcomer")
    assert again.changed == {}
    assert len([e for e in audit_log(org.uow()) if e["action"] == "person.update"]) == 1


@pytest.mark.parametrize(("changes", "error", "message"), [
    ({"manager": "new"}, InvalidEvent, "Ne Wcomer reports to Bo Boss"),  # a loop
    ({"manager": "boss"}, InvalidEvent, "Bo Boss cannot be their own manager"),  # oneself
    ({"email": "ne@x.org"}, Conflict, "another person already has the email ne@x.org"),
    ({"email": "nope"}, InvalidEvent, "invalid email"),
    ({"name": "  "}, InvalidEvent, "a person needs a name"),
    ({"manager": "ghost"}, NotFound, "ghost"),
])
def test_a_bad_change_changes_nothing(org, changes, error, message):
    before = person(org, "boss")
    with pytest.raises(error, match=message):
        people.update_person(org.uow(), "boss", author="hr@x.org",
                             **{"name": "Bo Renamed", **changes})
    assert person(org, "boss") == before
    assert not [e for e in audit_log(org.uow()) if e["action"] == "person.update"]


def test_only_the_fields_given_change(org):
    done = people.update_person(org.uow(), "mid", author="mid@x.org", name="Mi Renamed",
                                email="mi@x.org", manager="", fields=("name",))
    assert done.changed == {"name": ("Mi Middle", "Mi Renamed")}
    name, email, chain = person(org, "mid")
    assert (name, email, len(chain)) == ("Mi Renamed", None, 1)
