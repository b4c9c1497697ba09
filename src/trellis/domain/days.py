"""A day as people read it, in one format for pages and the messages the domain writes:
"2 Mar 2024". The command line writes a day as ISO ("2024-03-02"), as its options take one.
"""

from __future__ import annotations

from datetime import date, datetime

from trellis.errors import Term

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_words(on: date) -> str:
    """"2 Mar 2024": the one date format of the pages."""
    return f"{on.day} {MONTHS[on.month - 1]} {on.year}"


def moment_words(at: datetime) -> str:
    """"2 Mar 2024, 14:05 UTC": a moment as pages write it (stored naive in UTC)."""
    return f"{day_words(at.date())}, {at:%H:%M} UTC"


def day_term(on: date) -> Term:
    """A day in a message: "2 Mar 2024" in words, "2024-03-02" on the command line."""
    return Term(day_words(on), on.isoformat())
