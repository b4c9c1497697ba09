"""People: the identity side of the ledger (their career lives in events)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from trellis.errors import InvalidEvent

HANDLE = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,79}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    handle: str
    name: str
    email: str | None = None
    manager_id: int | None = None


def check_handle(handle: str) -> str:
    if not HANDLE.match(handle):
        raise InvalidEvent(
            f"invalid handle '{handle}': use lower-case letters, digits, '.', '_' or '-'"
        )
    return handle


def check_email(email: str | None) -> str | None:
    if email is not None and not EMAIL.match(email):
        raise InvalidEvent(f"invalid email '{email}'")
    return email
