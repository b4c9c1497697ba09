"""Keep the projections (current state, per-competency state, checkpoints) in today's shape.

The projections are derived from the ledger, so when the shape of what they store changes
(the profile document gained a field, a summary replaced a list) they are rebuilt from the
ledger rather than converted. ``PROJECTION_FORMAT`` names the shape this code writes; a
database whose stored format differs (every database made before formats were recorded
counts as different) is rebuilt once, when it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass

from trellis.domain import profile as fold
from trellis.errors import LedgerRuleBroken

from . import clock
from .unit_of_work import UnitOfWork

# Raise it whenever the stored profile or state rows change shape (3: a cycle keeps every
# upward review, one per reviewer, not only the latest).
PROJECTION_FORMAT = "3"
FORMAT_KEY = "projection_format"
AT_ONCE = 2_000  # profiles written per statement


@dataclass(frozen=True, slots=True)
class Rebuilt:
    profiles: int
    refused: dict[int, str]  # person id -> why today's rules refuse their history


def is_current(uow: UnitOfWork) -> bool:
    with uow.reading():
        return uow.frameworks.get_meta(FORMAT_KEY) == PROJECTION_FORMAT


def rebuild_if_stale(uow: UnitOfWork) -> Rebuilt | None:
    """Rebuild every projection when the stored format is not this code's; None if it is."""
    if is_current(uow):
        return None
    with uow:
        uow.lock_upgrades()
        if uow.frameworks.get_meta(FORMAT_KEY) == PROJECTION_FORMAT:
            return None  # another process rebuilt them while this one waited
        # A new database has nothing to rebuild: it is only stamped.
        found = _rebuild(uow) if uow.events.count() else Rebuilt(0, {})
        uow.frameworks.set_meta(FORMAT_KEY, PROJECTION_FORMAT)
        uow.commit()
        return found


def _rebuild(uow: UnitOfWork) -> Rebuilt:
    today = clock.today()
    refused: dict[int, str] = {}
    snapshots = []
    rebuilt = 0
    for person in uow.people.all():
        events = uow.events.for_person(person.id)
        uow.state.remove(person.id)
        if not events:  # someone imported without events has no projection to rebuild
            continue
        try:
            builder, checkpoints = fold.replay(person.id, events, uow.frameworks.catalog)
        except LedgerRuleBroken as exc:
            # A history today's rules refuse keeps no projection: reading it then says why,
            # instead of serving a profile in a shape this code cannot read.
            refused[person.id] = str(exc)
            continue
        uow.state.write_checkpoints(person.id, checkpoints, new=True)
        snapshots.append(builder.snapshot(today))
        rebuilt += 1
        if len(snapshots) >= AT_ONCE:
            uow.state.write(snapshots, new=True)
            snapshots = []
    uow.state.write(snapshots, new=True)
    return Rebuilt(rebuilt, refused)
