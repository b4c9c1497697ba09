"""A person named on a form by name, handle or email.

A handle or email is looked up directly; anything else is read as a name and searched in
the directory among the reader's private circle (themselves, the people they manage,
everyone for HR admins). A name that fits several people gives them back, to choose from.
"""

from __future__ import annotations

from dataclasses import dataclass

from trellis.domain.access import User
from trellis.errors import NotFound
from trellis.services import directory, ledger
from trellis.services.unit_of_work import UnitOfWork

MATCHES_SHOWN = 8  # a name that fits more people lists this many to choose from


@dataclass(frozen=True)
class Person:
    handle: str
    name: str


def find_person(uow: UnitOfWork, user: User, text: str, *, anyone: bool = False
                ) -> tuple[Person | None, list[Person]]:
    """The person ``text`` names: a handle or email as it is (the use case it is passed to
    checks the reader's rights, and says why it refuses), else every word of a name among
    the people the reader may see in full (``anyone``: everyone in the directory, as for
    a peer reviewer); else the people it could mean, to choose from."""
    try:
        with uow.reading():
            person = ledger.find_person(uow, text)
        return Person(person.handle, person.name), []
    except NotFound:
        pass  # not a handle or email: read it as a name
    found = directory.search(uow, user, text)
    mine = [Person(e["handle"], e["name"]) for e in found.entries
            if anyone or e.get("private")]
    if len(mine) == 1:
        return mine[0], []
    return None, mine[:MATCHES_SHOWN]


def typed_as(uow: UnitOfWork, user: User, text: str, found: Person) -> str:
    """What a form's field shows once ``text`` named ``found``: a handle or email (as a
    link carries it: ``?person=leila.wang``) as the person's name, unless the name alone
    would not find them again (a namesake); a name stays as it was typed."""
    try:
        with uow.reading():
            ledger.find_person(uow, text)
    except NotFound:
        return text  # typed as a name, maybe in part: kept as typed
    again, _ = find_person(uow, user, found.name)
    return found.name if again == found else text


def unmatched(text: str, choices: list[Person], may: str = "see", *,
              listed: bool = False) -> tuple[str, int]:
    """What a form says when ``text`` named no one person, with its status: several to
    choose from (422; the page lists them below, or, ``listed``, the message names them),
    or no one the reader may ``may`` (404)."""
    if choices:
        pick = (f"one of {', '.join(c.name for c in choices)}" if listed
                else "pick one below")
        return f"more than one person is called '{text}': {pick}", 422
    return f"no one you may {may} is called '{text}'", 404
