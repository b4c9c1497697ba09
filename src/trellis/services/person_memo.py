"""A worker's memo of per-person answers (a readiness assessment, a person's alerts) for
one state of the ledger, that forgets only the people whose history moved.

An answer kept here must depend on nothing but the person's own events (and what the
projections fold from them), and on what the caller's *stamp* names (the day, the
framework version in force, the rules). The ledger only grows: a new event, a correction
(a retraction, recorded on the person of the event it retracts) and a verification each
name their person. So when the ledger's count grew by exactly the events above the last
id seen, the people those events belong to are forgotten and everyone else is kept;
anything else (an erasure, a new stamp, events that vanished) forgets everyone. Each
state has its own dictionary, so a request that read an older state never writes its
answers into a newer one.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

from .unit_of_work import UnitOfWork

T = TypeVar("T")


class PersonMemo(Generic[T]):
    """Person id -> answer, for one state of the ledger; one per process and use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[object, ...] | None = None
        self._last_event = 0
        self._count = 0
        self._found: dict[int, T] = {}

    def for_state(self, uow: UnitOfWork, stamp: tuple[object, ...]) -> dict[int, T]:
        """The answers kept for the ledger as ``uow`` reads it (inside an open unit of
        work) and ``stamp``; the caller adds what it works out."""
        position = uow.models.position()
        count = uow.events.count()
        state = (*stamp, position.last_erasure, position.framework_version)
        with self._lock:
            if (state, position.last_event, count) == (self._state, self._last_event,
                                                       self._count):
                return self._found
            kept: dict[int, T] = {}
            if state == self._state and position.last_event >= self._last_event:
                moved = uow.events.people_since(self._last_event)
                if self._count + sum(moved.values()) == count:
                    kept = {i: a for i, a in self._found.items() if i not in moved}
            self._state, self._last_event, self._count = state, position.last_event, count
            self._found = kept
            return kept
