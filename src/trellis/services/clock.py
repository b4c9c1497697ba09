"""The one place use cases ask for the time, so tests and the demo can fix it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime


def now() -> datetime:
    """Naive UTC: what the database columns store, on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def today() -> date:
    return now().date()


@contextmanager
def standing_at(moment: datetime) -> Iterator[datetime]:
    """``now()`` is ``moment`` inside the block: a demo made as of a past day is written
    as it would have been on that day, and a test sees the same day whenever it runs."""
    global now
    real = now

    def fixed() -> datetime:
        return moment

    now = fixed
    try:
        yield moment
    finally:
        now = real
