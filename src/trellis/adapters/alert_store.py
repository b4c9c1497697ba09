"""Each person's stored alert facts (services.alert_facts): one row per person, the facts
as JSON text beside the ledger position they were read at."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import IntegrityError

from trellis.domain.alert_facts import StoredFacts
from trellis.errors import Conflict

from . import tables as t
from .store import bulk_insert

_A = t.alert_facts.c
_IN = 900  # people per IN list; more are read whole, one scan


class AlertFactsRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def read(self, person_ids: Sequence[int] | None = None) -> dict[int, StoredFacts]:
        """The stored rows of these people (everyone's when None); a person without one
        is left out."""
        query = select(_A.person_id, _A.format, _A.events, _A.framework_version,
                       _A.last_erasure_id, _A.facts)
        if person_ids is not None and len(person_ids) < _IN:
            query = query.where(_A.person_id.in_(person_ids))
        wanted = None if person_ids is None or len(person_ids) < _IN else set(person_ids)
        return {row[0]: StoredFacts(*row[1:]) for row in self._c.execute(query)
                if wanted is None or row[0] in wanted}

    def put(self, rows: dict[int, StoredFacts]) -> None:
        """Replace these people's rows; Conflict when another writer wrote one first, or
        a person is no longer there (erased)."""
        ids = sorted(rows)
        try:
            for start in range(0, len(ids), _IN):
                self._c.execute(delete(t.alert_facts).where(
                    _A.person_id.in_(ids[start:start + _IN])))
            bulk_insert(self._c, t.alert_facts, ("person_id", "format", "events",
                                                 "framework_version", "last_erasure_id",
                                                 "facts"),
                        [(i, *rows[i]) for i in ids])
        except IntegrityError:
            raise Conflict("the alert facts were written meanwhile") from None

    def clear(self) -> int:
        """Drop every row (an erasure: a row may name the erased as a giver)."""
        return int(self._c.execute(delete(t.alert_facts)).rowcount or 0)
