"""Repositories for accounts: users, login sessions, API tokens, the audit log, the throttle.

Secrets never reach this module in the clear: sessions and tokens arrive as SHA-256
digests, passwords as argon2 hashes (services.accounts makes both).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, insert, select, update

from trellis.domain.access import Role, User

from . import tables as t

_USER = (t.users.c.id, t.users.c.email, t.users.c.role, t.users.c.person_id,
         t.users.c.created_at)


# Every signed-in request looks up its session or token: those statements are built once.
_SESSION = (select(*_USER, t.sessions.c.csrf_token, t.users.c.must_change_password)
            .join(t.sessions, t.sessions.c.user_id == t.users.c.id)
            .where(t.sessions.c.token_hash == bindparam("digest"),
                   t.sessions.c.expires_at > bindparam("now"),
                   t.users.c.disabled_at.is_(None)))
_TOKEN = (select(*_USER, t.api_tokens.c.last_used_at, t.api_tokens.c.scope)
          .join(t.api_tokens, t.api_tokens.c.user_id == t.users.c.id)
          .where(t.api_tokens.c.token_hash == bindparam("digest"),
                 t.api_tokens.c.expires_at > bindparam("now"),
                 t.users.c.disabled_at.is_(None)))


def _user(row: Sequence[Any]) -> User:
    return User(row[0], row[1], Role(row[2]), row[3], row[4])


class AccountsRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # users
    def add_user(self, email: str, password_hash: str, role: Role, person_id: int | None,
                 now: datetime, must_change_password: bool = False) -> User:
        result = self._c.execute(insert(t.users).values(
            email=email, password_hash=password_hash, role=role.value, person_id=person_id,
            created_at=now, must_change_password=must_change_password))
        (new_id,) = result.inserted_primary_key or (None,)
        assert new_id is not None
        return User(new_id, email, role, person_id, now)

    def user(self, user_id: int) -> User | None:
        row = self._c.execute(select(*_USER).where(t.users.c.id == user_id)).first()
        return _user(row) if row else None

    def user_by_email(self, email: str) -> tuple[User, str] | None:
        """A user and their password hash."""
        row = self._c.execute(select(*_USER, t.users.c.password_hash)
                              .where(t.users.c.email == email)).first()
        return (_user(row), row[5]) if row else None

    def users(self) -> list[User]:
        return [_user(r) for r in self._c.execute(select(*_USER).order_by(t.users.c.id))]

    def set_password_hash(self, user_id: int, password_hash: str,
                          must_change_password: bool | None = None) -> None:
        """A new hash; ``must_change_password`` set too unless None (a rehash keeps it)."""
        values: dict[str, Any] = {"password_hash": password_hash}
        if must_change_password is not None:
            values["must_change_password"] = must_change_password
        self._c.execute(update(t.users).where(t.users.c.id == user_id).values(**values))

    def must_change_password(self, user_id: int) -> bool:
        return bool(self._c.scalar(select(t.users.c.must_change_password)
                                   .where(t.users.c.id == user_id)))

    def password_hash(self, user_id: int) -> str | None:
        value: str | None = self._c.scalar(select(t.users.c.password_hash)
                                           .where(t.users.c.id == user_id))
        return value

    def user_rows(self) -> list[dict[str, Any]]:
        """Every user with when they were disabled (None: active), by email."""
        u = t.users.c
        return [dict(r._mapping) for r in self._c.execute(
            select(u.id, u.email, u.role, u.person_id, u.created_at, u.disabled_at,
                   u.must_change_password).order_by(u.email))]

    def disabled_at(self, user_id: int) -> datetime | None:
        value: datetime | None = self._c.scalar(select(t.users.c.disabled_at)
                                                .where(t.users.c.id == user_id))
        return value

    def set_disabled(self, user_id: int, at: datetime | None) -> None:
        self._c.execute(update(t.users).where(t.users.c.id == user_id)
                        .values(disabled_at=at))

    def remove_sessions_of(self, user_id: int, keep: str | None = None) -> int:
        """Sign a user out everywhere (but the session ``keep``, a digest); returns how many
        sessions ended."""
        query = delete(t.sessions).where(t.sessions.c.user_id == user_id)
        if keep is not None:
            query = query.where(t.sessions.c.token_hash != keep)
        return int(self._c.execute(query).rowcount or 0)

    def count_users(self) -> int:
        return int(self._c.scalar(select(func.count()).select_from(t.users)) or 0)

    # sessions
    def add_session(self, token_hash: str, user_id: int, csrf: str, now: datetime,
                    expires: datetime) -> None:
        self._c.execute(insert(t.sessions).values(token_hash=token_hash, user_id=user_id,
                                                  csrf_token=csrf, created_at=now,
                                                  expires_at=expires))

    def session(self, token_hash: str, now: datetime) -> tuple[User, str, bool] | None:
        """The user of a live session, its CSRF token, and whether the user must choose a
        new password first."""
        row = self._c.execute(_SESSION, {"digest": token_hash, "now": now}).first()
        return (_user(row), row[5], bool(row[6])) if row else None

    def remove_session(self, token_hash: str) -> None:
        self._c.execute(delete(t.sessions).where(t.sessions.c.token_hash == token_hash))

    def remove_expired_sessions(self, now: datetime) -> None:
        self._c.execute(delete(t.sessions).where(t.sessions.c.expires_at <= now))

    # API tokens
    def add_token(self, token_hash: str, user_id: int, name: str, now: datetime,
                  expires: datetime, scope: str) -> int:
        result = self._c.execute(insert(t.api_tokens).values(
            token_hash=token_hash, user_id=user_id, name=name, created_at=now,
            expires_at=expires, scope=scope))
        (new_id,) = result.inserted_primary_key or (None,)
        assert new_id is not None
        return int(new_id)

    def token_user(self, token_hash: str, now: datetime
                   ) -> tuple[User, datetime | None, str] | None:
        """A live token's user, when the token was last used, and its scope."""
        row = self._c.execute(_TOKEN, {"digest": token_hash, "now": now}).first()
        return (_user(row), row[5], row[6]) if row else None

    def touch_token(self, token_hash: str, now: datetime) -> None:
        self._c.execute(update(t.api_tokens).where(t.api_tokens.c.token_hash == token_hash)
                        .values(last_used_at=now))

    def tokens(self, user_id: int | None = None) -> list[dict[str, Any]]:
        """One user's tokens, or everyone's (``user_id`` None), with their owner's email."""
        k = t.api_tokens.c
        query = (select(k.id, k.name, t.users.c.email.label("user"), k.scope, k.created_at,
                        k.expires_at, k.last_used_at)
                 .join(t.users, t.users.c.id == k.user_id).order_by(k.id))
        if user_id is not None:
            query = query.where(k.user_id == user_id)
        return [dict(r._mapping) for r in self._c.execute(query)]

    def token(self, token_id: int) -> dict[str, Any] | None:
        """One token by id: its owner's id and email, never its secret."""
        k = t.api_tokens.c
        row = self._c.execute(select(k.id, k.user_id, t.users.c.email.label("user"))
                              .join(t.users, t.users.c.id == k.user_id)
                              .where(k.id == token_id)).first()
        return dict(row._mapping) if row else None

    def remove_token(self, token_id: int) -> None:
        self._c.execute(delete(t.api_tokens).where(t.api_tokens.c.id == token_id))

    # the login throttle
    def throttle(self, key: str) -> tuple[int, datetime, datetime | None] | None:
        c = t.login_throttle.c
        row = self._c.execute(select(c.failures, c.window_start, c.locked_until)
                              .where(c.key == key)).first()
        return (row[0], row[1], row[2]) if row else None

    def count_failure(self, key: str, now: datetime, window_from: datetime
                      ) -> tuple[int, datetime | None]:
        """Count one failed login for ``key`` in one statement, so failures that arrive at once
        are all counted (an upsert: PostgreSQL and SQLite share the syntax). A window that
        began before ``window_from`` starts again at one. Returns the failures in the window
        and the lock's end, if any."""
        # here: the dialects' modules cost every command's start ~30 ms (the CLI signs in
        # nobody); the connection's own dialect is loaded already
        from sqlalchemy.dialects import postgresql, sqlite

        c = t.login_throttle.c
        dialect = postgresql if self._c.dialect.name == "postgresql" else sqlite
        stale = c.window_start < window_from
        statement = dialect.insert(t.login_throttle).values(
            key=key, failures=1, window_start=now, locked_until=None)
        statement = statement.on_conflict_do_update(index_elements=[c.key], set_={
            "failures": case((stale, 1), else_=c.failures + 1),
            "window_start": case((stale, now), else_=c.window_start),
        }).returning(c.failures, c.locked_until)
        failures, locked_until = self._c.execute(statement).one()
        return int(failures), locked_until

    def lock(self, key: str, until: datetime) -> None:
        self._c.execute(update(t.login_throttle).where(t.login_throttle.c.key == key)
                        .values(locked_until=until))

    def clear_throttle(self, key: str) -> None:
        self._c.execute(delete(t.login_throttle).where(t.login_throttle.c.key == key))
