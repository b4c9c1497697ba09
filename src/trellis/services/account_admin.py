"""HR admins' management of web accounts: list them with their API tokens, create one,
disable and enable it, give it a new password. Every change is in the audit log under the
admin's email.

An account created here, or given a new password here, must choose its own password at
its next sign-in (``accounts.choose_password``): the admin knew the one it had.

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
    must_change_password: bool  # given by an HR admin: they choose their own at sign-in
    tokens: tuple[dict[str, Any], ...]  # name, scope, created, expires, last used (no secret)


def generated_password() -> str:
    return secrets.token_urlsafe(12)[:GENERATED_LENGTH]


def accounts_list(uow: UnitOfWork, user: User) -> list[Account]:
    """Every account, by email, with its API tokens (HR admins)."""
    require_role(user, Role.HR_ADMIN)
    return _accounts(uow)


def _accounts(uow: UnitOfWork) -> list[Account]:
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
                           r["created_at"], r["disabled_at"], bool(r["must_change_password"]),
                           tuple(by_owner.get(r["email"], ()))))
    return out


def create_account(uow: UnitOfWork, user: User, email: str, role: Role,
                   person: str | None = None, password: str | None = None
                   ) -> tuple[User, str | None]:
    """Create an account (HR admins); with no password, one is generated and returned
    once (None when the admin chose it). Its owner chooses their own at first sign-in."""
    require_role(user, Role.HR_ADMIN)
    chosen = password or None
    made = create_user(uow, email, chosen or (fresh := generated_password()), role,
                       person=person or None, author=user.email, must_change_password=True)
    return made, None if chosen else fresh


def _target(uow: UnitOfWork, account: int | str, own: int | None, what: str) -> User:
    """The account ``account`` (an id, or an email) inside an open unit of work; never the
    acting admin's own (``own``)."""
    if isinstance(account, str):
        by_email = uow.accounts.user_by_email(account.strip().lower())
        found = by_email[0] if by_email else None
        label = f"unknown account '{account}'"
    else:
        found = uow.accounts.user(account) if 0 < account < 2**31 else None
        label = f"unknown account {account}"
    if found is None:
        raise NotFound(label)
    if own is not None and found.id == own:
        raise Conflict(f"you cannot {what} your own account: ask another HR admin")
    return found


def set_disabled(uow: UnitOfWork, user: User, account: int | str, disabled: bool) -> User:
    """Disable an account (its sessions end; its tokens stop working) or enable it."""
    require_role(user, Role.HR_ADMIN)
    return change_disabled(uow, account, disabled, author=user.email, own=user.id)


def change_disabled(uow: UnitOfWork, account: int | str, disabled: bool, *, author: str,
                    own: int | None = None) -> User:
    """``set_disabled`` for a caller already trusted (the command line, on its database)."""
    with uow:
        target = _target(uow, account, own, "disable" if disabled else "enable")
        now = clock.now()
        was = uow.accounts.disabled_at(target.id)
        if disabled and was is not None:
            raise Conflict(f"{target.email} is already disabled")
        if not disabled and was is None:
            raise Conflict(f"{target.email} is not disabled")
        uow.accounts.set_disabled(target.id, now if disabled else None)
        ended = uow.accounts.remove_sessions_of(target.id) if disabled else 0
        uow.audit.add(now, author, "user.disable" if disabled else "user.enable",
                      f"user/{target.id}", {"email": target.email, "sessions": ended})
        uow.commit()
        return target


def reset_password(uow: UnitOfWork, user: User, account: int | str,
                   password: str | None = None) -> tuple[User, str | None]:
    """Give an account a new password: ``password``, or a generated one returned once.
    The account's sessions end, so whoever had them signs in again, and its owner must
    choose their own password then; its API tokens keep working."""
    require_role(user, Role.HR_ADMIN)
    return change_password(uow, account, password, author=user.email, own=user.id)


def change_password(uow: UnitOfWork, account: int | str, password: str | None = None, *,
                    author: str, own: int | None = None) -> tuple[User, str | None]:
    """``reset_password`` for a caller already trusted (the command line)."""
    if password:
        check_password(password)
    fresh = None if password else generated_password()
    with uow:
        target = _target(uow, account, own, "reset the password of")
        uow.accounts.set_password_hash(target.id, hash_password(password or fresh or ""),
                                       must_change_password=True)
        ended = uow.accounts.remove_sessions_of(target.id)
        uow.audit.add(clock.now(), author, "user.password_reset", f"user/{target.id}",
                      {"email": target.email, "generated": fresh is not None,
                       "sessions": ended, "chooses_own_at_sign_in": True})
        uow.commit()
    return target, fresh


def list_accounts(uow: UnitOfWork) -> list[Account]:
    """``accounts_list`` for a caller already trusted (the command line)."""
    return _accounts(uow)
