"""People: the identity side of the ledger (their career lives in events)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from trellis.errors import InvalidEvent, Term

from .events import shown
from .limits import EMAIL_MAX, HANDLE_MAX, NAME_MAX, check_text

HANDLE = re.compile(rf"[a-z0-9][a-z0-9._\-]{{0,{HANDLE_MAX - 1}}}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# what may be a handle inside a line Trellis wrote ("Kudos from elena.larsen: ..."): looked
# up, and replaced only when it is someone's
HANDLE_IN_TEXT = re.compile(r"(?<![\w.@-])[a-z][\w-]*\.[\w.-]*[a-z0-9](?![\w@-])")


def name_of(names: Mapping[str, str], who: str | None) -> str:
    """``who`` (a handle or an email) by name; as recorded when it is no one's."""
    if not who:
        return ""
    return names.get(who) or names.get(who.lower()) or who


def named_in(text: str, names: Mapping[str, str]) -> str:
    """``text`` with the handles in it that ``names`` knows replaced by the names."""
    return HANDLE_IN_TEXT.sub(lambda m: names.get(m.group(0), m.group(0)), text)


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    handle: str
    name: str
    email: str | None = None
    manager_id: int | None = None

    @property
    def term(self) -> Term:
        """The person in a message: their name on a page, their handle on the command line."""
        return Term(self.name, self.handle)


def check_handle(handle: str, field: str = "handle") -> str:
    """A handle, whole (a trailing newline is not part of one); ``field`` names where it
    was given when that is not a person's own handle ("manager: invalid handle ...")."""
    if not HANDLE.fullmatch(handle):
        where = "" if field == "handle" else f"{field}: "
        raise InvalidEvent(f"{where}invalid handle {shown(handle)}: use lower-case letters, "
                           "digits, '.', '_' or '-'")
    return handle


def check_name(name: str) -> str:
    """A person's name, stripped: one line of at most NAME_MAX characters."""
    name = name.strip()
    if not name:
        raise InvalidEvent("a person needs a name")
    return check_text(name, "name", NAME_MAX)


def check_email(email: str | None) -> str | None:
    if email is not None and not EMAIL.fullmatch(check_text(email, "email", EMAIL_MAX)):
        raise InvalidEvent(f"invalid email {shown(email)}")
    return email
