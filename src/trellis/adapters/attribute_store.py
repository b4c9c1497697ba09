"""Person attributes (HR-only, for the fairness audit). Only the unit of work builds this
repository, and only the attribute and fairness use cases (and erasure) reach it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, tuple_

from trellis.domain.attributes import PersonAttribute

from . import tables as t
from .store import bulk_insert

_COLUMNS = ("person_id", "name", "value", "set_by", "set_at")


class AttributeRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def set_many(self, values: Sequence[tuple[int, str, str]], author: str,
                 now: datetime) -> None:
        """Set (person id, name, value) triples, replacing any earlier value of each."""
        if not values:
            return
        c = t.person_attributes.c
        keys = sorted({(p, n) for p, n, _ in values})
        names = sorted({n for _, n in keys})
        earlier = self._c.scalar(select(c.person_id).where(c.name.in_(names)).limit(1))
        # Replace what is stored (none yet: nothing to delete), 500 keys a statement
        for start in range(0, len(keys) if earlier is not None else 0, 500):
            self._c.execute(delete(t.person_attributes).where(
                tuple_(c.person_id, c.name).in_(keys[start:start + 500])))
        last = {(p, n): v for p, n, v in values}  # a repeat in one batch: the last wins
        at: Any = now  # SQLite: the text SQLAlchemy's DateTime itself writes
        if self._c.dialect.name == "sqlite":
            at = now.strftime("%Y-%m-%d %H:%M:%S.%f")
        bulk_insert(self._c, t.person_attributes, _COLUMNS,
                    [(p, n, v, author, at) for (p, n), v in sorted(last.items())])

    def unset(self, person_id: int, name: str) -> bool:
        """Remove one attribute of a person; False when they had none of that name."""
        c = t.person_attributes.c
        result = self._c.execute(delete(t.person_attributes).where(
            c.person_id == person_id, c.name == name))
        return bool(result.rowcount)

    def all(self, names: Sequence[str] | None = None) -> list[PersonAttribute]:
        """Every attribute (of ``names`` only, when given), by person and name."""
        c = t.person_attributes.c
        query = select(*(c[n] for n in _COLUMNS)).order_by(c.person_id, c.name)
        if names is not None:
            query = query.where(c.name.in_(sorted(set(names))))
        return [PersonAttribute(*row) for row in self._c.execute(query).all()]

    def for_person(self, person_id: int) -> list[PersonAttribute]:
        c = t.person_attributes.c
        return [PersonAttribute(*row) for row in self._c.execute(
            select(*(c[n] for n in _COLUMNS)).where(c.person_id == person_id)
            .order_by(c.name)).all()]

    def values(self) -> dict[str, set[str]]:
        """Every attribute name with its distinct values (for the bounds check)."""
        c = t.person_attributes.c
        out: dict[str, set[str]] = {}
        for name, value in self._c.execute(select(c.name, c.value).distinct()).all():
            out.setdefault(name, set()).add(value)
        return out

    def remove_person(self, person_id: int) -> None:
        """An erasure: every attribute of the person goes."""
        self._c.execute(delete(t.person_attributes).where(
            t.person_attributes.c.person_id == person_id))
