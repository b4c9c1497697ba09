"""The one place use cases ask for the time, so tests and the demo can fix it."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """Naive UTC: what the database columns store, on SQLite and PostgreSQL alike."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def today() -> date:
    return now().date()
