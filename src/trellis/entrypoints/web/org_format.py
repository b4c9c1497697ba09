"""Numbers and dates in words for the team, organization, directory and account pages.

A minimal set, in one place, so that it can be merged with the person page's formatting:
shares as percentages, durations in years and months, days as "3 Mar 2026".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any


def percent(share: float | None, digits: int = 0) -> str:
    """A share (0-1) as a percentage: ``0.526`` -> ``53%``."""
    if share is None:
        return "\u2013"
    return f"{share * 100:.{digits}f}%"


def months_text(months: float | None) -> str:
    """A duration in months as years and months: ``15.2`` -> ``1 year 3 months``."""
    if months is None:
        return "\u2013"
    whole = int(months)
    years, rest = divmod(whole, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " ".join(parts)


def day_text(day: date | datetime | None, never: str = "never") -> str:
    """A day as ``3 Mar 2026`` (a moment also with its time, UTC)."""
    if day is None:
        return never
    if isinstance(day, datetime):
        return f"{day.day} {day:%b %Y, %H:%M} UTC"
    return f"{day.day} {day:%b %Y}"


def whole(n: float | int | None) -> str:
    """A count with thousands separators."""
    return "\u2013" if n is None else f"{n:,.0f}"


FORMAT: dict[str, Any] = {"percent": percent, "months_text": months_text,
                          "day_text": day_text, "whole": whole}
