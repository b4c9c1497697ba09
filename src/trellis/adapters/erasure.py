"""What an erasure does to the tables beyond removing the person's own rows.

A person leaves traces in rows that are not theirs: the events they recorded for others
(as author or verifier), the audit log of what they did and of what was done to them, the
plans and frameworks they wrote, free text that names them. ``forget_mentions`` finds
every text of every table that holds their handle, name or email and replaces it with a
placeholder; JSON is rewritten value by value, so a handle that happens to be a key
("role") never corrupts a document. Only the accounts, sessions and tokens of the person
are removed outright (``remove_accounts``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    String,
    Table,
    Text,
    cast,
    delete,
    func,
    or_,
    select,
    update,
)

from . import tables as t

MIN_MENTION = 3  # a shorter handle ("al") is too common a word to hunt for in free text:
# it is replaced only as a whole value (an author) or a path segment (person/al/profile)


class ErasureRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def remove_accounts(self, person_id: int, email: str | None) -> list[str]:
        return remove_accounts(self._c, person_id, email)

    def forget_mentions(self, words: Iterable[str | None], placeholder: str) -> set[int]:
        return forget_mentions(self._c, words, placeholder)


def remove_accounts(connection: Connection, person_id: int, email: str | None) -> list[str]:
    """Delete the person's web accounts with their sessions, API tokens and throttle
    entries; returns the accounts' emails (an account's may differ from the person's)."""
    users = t.users.c
    who = users.person_id == person_id
    if email:
        who = or_(who, func.lower(users.email) == email.lower())
    found = connection.execute(select(users.id, users.email).where(who)).all()
    ids = [row[0] for row in found]
    if ids:
        connection.execute(delete(t.sessions).where(t.sessions.c.user_id.in_(ids)))
        connection.execute(delete(t.api_tokens).where(t.api_tokens.c.user_id.in_(ids)))
        connection.execute(delete(t.users).where(t.users.c.id.in_(ids)))
    emails = sorted({e.lower() for e in [email, *(row[1] for row in found)] if e})
    if emails:  # the throttle counts failures per "email:ADDRESS" (and bare, before 0004)
        connection.execute(delete(t.login_throttle).where(
            func.lower(t.login_throttle.c.key).in_([*emails, *(f"email:{e}" for e in emails)])))
    return [row[1] for row in found]


def forget_mentions(connection: Connection, words: Iterable[str | None],
                    placeholder: str) -> set[int]:
    """Replace every mention of ``words`` in every table; returns whose events changed."""
    wanted = sorted({w for w in words if w}, key=len, reverse=True)
    if not wanted:
        return set()
    pattern = re.compile("|".join(
        rf"(?<!\w){re.escape(w)}(?!\w)" if len(w) >= MIN_MENTION
        else rf"^{re.escape(w)}$|(?<=/){re.escape(w)}(?=/|$)" for w in wanted), re.IGNORECASE)
    needles = _needles(wanted)
    touched: set[int] = set()
    for table in t.metadata.sorted_tables:
        columns = [c for c in table.columns if _is_text(c) and not c.primary_key]
        if columns:
            touched |= _sweep(connection, table, columns, needles, pattern, placeholder)
    return touched


def _needles(words: Sequence[str]) -> list[str]:
    """Lower-case forms to pre-select rows by: as typed, and as JSON escapes them."""
    forms = set()
    for w in words:
        forms.add(w.lower())
        forms.add(json.dumps(w.lower())[1:-1])  # ensure_ascii: "José" is "Jos\u00e9"
    return sorted(forms)


def _is_text(column: Column[Any]) -> bool:
    return isinstance(column.type, String | Text | JSON)


def _holds_json(column: Column[Any]) -> bool:
    return isinstance(column.type, JSON) or bool(column.info.get("json"))


def _sweep(connection: Connection, table: Table, columns: list[Column[Any]],
           needles: list[str], pattern: re.Pattern[str], placeholder: str) -> set[int]:
    keys = list(table.primary_key.columns)
    if table is t.events:  # whose projections an edit of their events changes
        keys.append(t.events.c.person_id)
    matches = [func.lower(cast(c, Text)).contains(n, autoescape=True)
               for c in columns for n in needles]
    touched: set[int] = set()
    for row in connection.execute(select(*keys, *columns).where(or_(*matches))).all():
        key, values = row[:len(keys)], row[len(keys):]
        changed: dict[str, Any] = {}
        for column, value in zip(columns, values, strict=True):
            if value is None:
                continue
            new = _replaced(value, column, pattern, placeholder)
            if new != value:
                changed[column.name] = new
        if changed:
            connection.execute(update(table).where(
                *(k == v for k, v in zip(keys, key, strict=True))).values(**changed))
            if table is t.events:
                touched.add(key[-1])
    return touched


def _replaced(value: Any, column: Column[Any], pattern: re.Pattern[str],
              placeholder: str) -> Any:
    if not _holds_json(column):
        return pattern.sub(placeholder, value)
    document = orjson.loads(value) if isinstance(value, str) else value
    new = _walk(document, pattern, placeholder)
    if new == document:
        return value
    return orjson.dumps(new).decode() if isinstance(value, str) else new


def _walk(value: Any, pattern: re.Pattern[str], placeholder: str) -> Any:
    """The same JSON value with mentions replaced in its strings (never in its keys)."""
    if isinstance(value, str):
        return pattern.sub(placeholder, value)
    if isinstance(value, list):
        return [_walk(v, pattern, placeholder) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, pattern, placeholder) for k, v in value.items()}
    return value
