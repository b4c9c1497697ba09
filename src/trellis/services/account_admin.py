"""HR admins' management of web accounts: list them with their API tokens, create one,
disable and enable it, give it a new password. Every change is in the audit log under the
admin's email.

A disabled account keeps its row, its tokens and its audit trail: it cannot sign in, its
sessions end at once and its tokens stop working until it is enabled again. An admin
cannot disable their own account or change their own password here (the last admin
would lock everyone out).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trellis.domain.access import Role, User
from trellis.errors import Conflict, NotFound

from . import clock
from .accounts import check_password, create_user, hash_password, require_role
from .unit_of_work import UnitOfWork

GENERATED_LENGTH = 16  # characters of a generated password (about 96 random bits)


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    email: str
    role: Role
    person: str | None  # the linked person's name
    handle: str | None
    created_at: datetime
    disabled_at: datetime | None
    tokens: tuple[dict[str, Any], ...]  # name, scope, created, expires, last used (no secret)


def generated_password() -> str:
    return secrets.token_urlsafe(12)[:GENERATED_LENGTH]


def accounts_list(uow: UnitOfWork, user: User) -> list[Account]:
    """Every account, by email, with its API tokens (HR admins)."""
    require_role(user, Role.HR_ADMIN)
    with uow.reading():
        rows = uow.accounts.user_rows()
        tokens = uow.accounts.tokens()
        people = {p.id: p for p in uow.people.all()}
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for token in tokens:
        by_owner.setdefault(token["user"], []).append(token)
    out = []
    for r in rows:
        person = people.get(r["person_id"]) if r["person_id"] is not None else None
        out.append(Account(r["id"], r["email"], Role(r["role"]),
                           person.name if person else None, person.handle if person else None,
                           r["created_at"], r["disabled_at"],
                           tuple(by_owner.get(r["email"], ()))))
    return out


def create_account(uow: UnitOfWork, user: User, email: str, role: Role,
                   person: str | None = None, password: str | None = None
                   ) -> tuple[User, str | None]:
    """Create an account (HR admins); with no password, one is generated and returned
    once (None when the admin chose it)."""
    require_role(user, Role.HR_ADMIN)
    chosen = password or None
    made = create_user(uow, email, chosen or (fresh := generated_password()), role,
                       person=person or None, author=user.email)
    return made, None if chosen else fresh


def _target(uow: UnitOfWork, user: User, user_id: int, what: str) -> User:
    """The account ``user_id`` (inside an open unit of work), never the admin's own."""
    found = uow.accounts.user(user_id) if 0 < user_id < 2**31 else None
    if found is None:
        raise NotFound(f"unknown account {user_id}")
    if found.id == user.id:
        raise Conflict(f"you cannot {what} your own account: ask another HR admin")
    return found


def set_disabled(uow: UnitOfWork, user: User, user_id: int, disabled: bool) -> User:
    """Disable an account (its sessions end; its tokens stop working) or enable it."""
    require_role(user, Role.HR_ADMIN)
    with uow:
        target = _target(uow, user, user_id, "disable" if disabled else "enable")
        now = clock.now()
        was = uow.accounts.disabled_at(target.id)
        if disabled and was is not None:
            raise Conflict(f"{target.email} is already disabled")
        if not disabled and was is None:
            raise Conflict(f"{target.email} is not disabled")
        uow.accounts.set_disabled(target.id, now if disabled else None)
        ended = uow.accounts.remove_sessions_of(target.id) if disabled else 0
        uow.accounts.audit(now, user.email, "user.disable" if disabled else "user.enable",
                           f"user/{target.id}", {"email": target.email, "sessions": ended})
        uow.commit()
        return target


def reset_password(uow: UnitOfWork, user: User, user_id: int, password: str | None = None
                   ) -> tuple[User, str | None]:
    """Give an account a new password: ``password``, or a generated one returned once.
    The account's sessions end, so whoever had them signs in again."""
    require_role(user, Role.HR_ADMIN)
    if password:
        check_password(password)
    fresh = None if password else generated_password()
    with uow:
        target = _target(uow, user, user_id, "reset the password of")
        uow.accounts.set_password_hash(target.id, hash_password(password or fresh or ""))
        ended = uow.accounts.remove_sessions_of(target.id)
        uow.accounts.audit(clock.now(), user.email, "user.password_reset", f"user/{target.id}",
                           {"email": target.email, "generated": fresh is not None,
                            "sessions": ended})
        uow.commit()
    return target, fresh
