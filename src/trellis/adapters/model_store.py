"""The organization models table: one row per model and parameters, payload apart.

``header`` reads everything but the payload, so a staleness check costs one primary-key
lookup; ``position`` is the ledger position now, four index-only ``max`` queries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from trellis.domain.org_models import ModelHeader, Position

from . import tables as t

_M = t.org_models.c
_HEADER = (_M.name, _M.params, _M.format, _M.last_event_id, _M.last_erasure_id,
           _M.framework_version, _M.last_person_id, _M.as_of, _M.built_at, _M.build_seconds,
           func.length(_M.payload))


class ModelRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def position(self) -> Position:
        def top(column: Any) -> int:
            return int(self._c.scalar(select(func.max(column))) or 0)

        return Position(top(t.events.c.id), top(t.erasures.c.id),
                        top(t.framework_versions.c.id), top(t.people.c.id))

    def header(self, name: str, params: str) -> ModelHeader | None:
        row = self._c.execute(select(*_HEADER).where(_M.name == name,
                                                     _M.params == params)).first()
        return _header(row) if row is not None else None

    def headers(self) -> list[ModelHeader]:
        return [_header(row) for row in self._c.execute(
            select(*_HEADER).order_by(_M.name, _M.params))]

    def payload(self, name: str, params: str) -> bytes | None:
        found = self._c.scalar(select(_M.payload).where(_M.name == name,
                                                        _M.params == params))
        return bytes(found) if found is not None else None

    def put(self, name: str, params: str, fmt: str, at: Position, as_of: date,
            built_at: datetime, seconds: float, payload: bytes) -> None:
        self._c.execute(delete(t.org_models).where(_M.name == name, _M.params == params))
        self._c.execute(insert(t.org_models).values(
            name=name, params=params, format=fmt, last_event_id=at.last_event,
            last_erasure_id=at.last_erasure, framework_version=at.framework_version,
            last_person_id=at.last_person, as_of=as_of, built_at=built_at,
            build_seconds=seconds, payload=payload))

    def clear(self) -> int:
        """Drop every model (an erasure: they may hold what was erased)."""
        return int(self._c.execute(delete(t.org_models)).rowcount or 0)


def _header(row: Any) -> ModelHeader:
    (name, params, fmt, event, erasure, version, person, as_of, built_at, seconds,
     size) = tuple(row)
    return ModelHeader(str(name), str(params), str(fmt),
                       Position(int(event), int(erasure), int(version), int(person)),
                       as_of, built_at, float(seconds), int(size or 0))
