"""The audit log's rows: one written by every change (services.audit_trail), and read
newest first. Apart from the accounts' store, so that a journal command that writes an
entry (``trellis log``) starts without the account tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select

from . import tables as t

_ADD = insert(t.audit_log)


class AuditLog:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, at: datetime, user_email: str | None, action: str, resource: str,
            detail: dict[str, Any]) -> None:
        self._c.execute(_ADD, {"at": at, "user_email": user_email, "action": action,
                               "resource": resource[:200],
                               "detail": orjson.dumps(detail, default=str).decode()})

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        a = t.audit_log.c
        # newest first by time, then as written: an upward review's entry, dated at midnight
        # (services.audit_trail), comes after the rest of its day
        query = select(a.id, a.at, a.user_email, a.action, a.resource, a.detail).order_by(
            a.at.desc(), a.id.desc())
        if limit:
            query = query.limit(limit)
        out = []
        for row in self._c.execute(query):
            entry = dict(row._mapping)
            entry["detail"] = orjson.loads(entry["detail"])
            out.append(entry)
        return out
