"""Dates and durations in words for the team, organization, directory and account pages.

Shares and counts use the pages' one format (``formatting.percent`` and ``number``); these
two differ from it on purpose: a moment keeps its time (an account's last use), and a stay
in a level reads as years and months ("1 year 3 months").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .formatting import number, percent


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


FORMAT: dict[str, Any] = {"percent": percent, "months_text": months_text,
                          "day_text": day_text, "whole": number}
