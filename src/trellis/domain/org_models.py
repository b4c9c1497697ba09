"""When a stored organization model still answers for the ledger (pure rules).

A model is stored with the *ledger position* it was computed at: the newest event id (a
correction is a retraction event, so it moves too), the newest erasure, framework version
and person. The ledger only grows, so comparing four integers tells whether anything
happened since; a dated model (one that counts exposure up to today) is also stale the
next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Position:
    last_event: int
    last_erasure: int
    framework_version: int
    last_person: int

    def describe(self) -> str:
        return (f"event #{self.last_event}, framework version #{self.framework_version}, "
                f"person #{self.last_person}")


@dataclass(frozen=True, slots=True)
class ModelHeader:
    """A stored model's row without its payload."""

    name: str
    params: str
    format: str
    position: Position
    as_of: date
    built_at: datetime
    build_seconds: float
    size: int  # bytes of the stored payload


def events_behind(stored: Position, now: Position) -> int:
    """How many events were recorded since the model was computed (ids only grow)."""
    return max(0, now.last_event - stored.last_event)


def is_current(stored: Position, as_of: date, now: Position, today: date, *,
               dated: bool = True, tolerance: float = 0.0) -> bool:
    """Whether a model computed at ``stored`` on ``as_of`` still answers for ``now``.

    ``tolerance`` lets a model whose figures barely move (medians over thousands of
    samples) stand while the ledger has grown by at most that share of its events (new
    people without events do not matter to it); a new framework version or an erasure
    always makes a model stale.
    """
    if dated and as_of != today:
        return False
    if (stored.last_erasure, stored.framework_version) != (now.last_erasure,
                                                            now.framework_version):
        return False
    if not tolerance and stored.last_person != now.last_person:
        return False
    if now.last_event < stored.last_event:  # a restored or rebuilt database
        return False
    return now.last_event <= stored.last_event * (1 + tolerance)
