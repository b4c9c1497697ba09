"""Continuous recognition increments: each person's cadence and gap, and how evenly a team
shares recognition.

- **Cadence**: the median number of days between a person's consecutive recognitions
  (none with fewer than two).
- **Current gap**: days since the last recognition, or since the hire when there is none.
- **Alerts**: the gap is past a threshold (default 90 days), or past twice the median
  cadence of the person's team (the people who share their manager).
- **Severity** of an alert: ``chronic`` when the person's usual cadence is itself past the
  threshold (or they have fewer than two recognitions), ``lapse`` when they are usually
  recognized more often and this gap is the exception.
- **Spread**: the Gini coefficient of recognition across people, on counts and on points:
  0 when everyone receives the same, towards 1 when a few receive everything.

    G = 2 * sum(i * x_i) / (n * sum(x)) - (n + 1) / n     (x sorted ascending, i from 1)

  0 for no one, or when nobody received anything.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class RecognitionRules:
    threshold_days: int = 90
    team_factor: float = 2.0  # an alert past this many times the team's median cadence


@dataclass(frozen=True, slots=True)
class Cadence:
    person_id: int
    count: int
    points: int
    last_on: date | None
    cadence_days: float | None  # the median gap between consecutive recognitions
    gap_days: int  # since the last recognition, or since the hire
    gap_since: date | None  # the date the current gap is counted from


def gaps(dates: Sequence[date]) -> list[int]:
    """Days between consecutive dates (sorted first)."""
    ordered = sorted(dates)
    return [(b - a).days for a, b in itertools.pairwise(ordered)]


def median_gap(dates: Sequence[date]) -> float | None:
    between = gaps(dates)
    return float(statistics.median(between)) if between else None


@dataclass(frozen=True, slots=True)
class RecognitionSummary:
    """A person's recognitions summed up, the same on every day (``cadence_on`` puts a
    day to them)."""

    count: int
    points: int
    last_on: date | None
    cadence_days: float | None


@dataclass(frozen=True, slots=True)
class RecognitionFacts:
    """One person's recognitions as their events say, the same on every day: summed up,
    and each one's date, points and giver in ledger order (``received_on`` puts a day and
    a spread period to them)."""

    summary: RecognitionSummary
    dates: tuple[date, ...]  # ledger order: by date, then id
    points: tuple[int, ...]
    givers: tuple[str | None, ...]
    ids: tuple[int, ...]


def received_summary(received: Sequence[tuple[date, int]]) -> RecognitionSummary:
    """The day-independent part of ``cadence``, from the recognitions as (date, points)."""
    dates = sorted(on for on, _ in received)
    return RecognitionSummary(len(dates), sum(p for _, p in received), dates[-1] if dates else None,
                    median_gap(dates))


def cadence_on(person_id: int, summary: RecognitionSummary, hired_on: date | None,
               today: date) -> Cadence:
    """A person's cadence on ``today`` from their recognitions summed up."""
    start = summary.last_on or hired_on
    gap = max(0, (today - start).days) if start else 0
    return Cadence(person_id, summary.count, summary.points, summary.last_on,
                   summary.cadence_days, gap, start)


def cadence(person_id: int, received: Sequence[tuple[date, int]], hired_on: date | None,
            today: date) -> Cadence:
    """A person's cadence from their recognitions, as (date, points)."""
    return cadence_on(person_id, received_summary(received), hired_on, today)


def alerts(c: Cadence, team_median: float | None,
           rules: RecognitionRules = RecognitionRules()) -> tuple[str, ...]:
    """Why a person's gap needs attention (empty when it does not)."""
    out = []
    since = "since the hire" if c.last_on is None else "since the last recognition"
    if c.gap_days > rules.threshold_days:
        out.append(f"{c.gap_days} days {since}, past the {rules.threshold_days}-day threshold")
    if team_median is not None and c.gap_days > rules.team_factor * team_median:
        out.append(f"{c.gap_days} days {since}, over {rules.team_factor:g} times the team's "
                   f"median cadence of {team_median:g} days")
    return tuple(out)


def severity(c: Cadence, alerted: Sequence[str],
             rules: RecognitionRules = RecognitionRules()) -> str:
    """``chronic``, ``lapse`` or ``none`` (see the module docstring)."""
    if not alerted:
        return "none"
    if c.cadence_days is None or c.cadence_days > rules.threshold_days:
        return "chronic"
    return "lapse"


def team_median(cadences: Sequence[float | None]) -> float | None:
    """The median cadence of a team (people with fewer than two recognitions left out)."""
    known = [c for c in cadences if c is not None]
    return float(statistics.median(known)) if known else None


def gini(values: Sequence[float]) -> float:
    """The Gini coefficient of non-negative values (see the module docstring)."""
    xs = sorted(values)
    n, total = len(xs), sum(xs)
    if n == 0 or total <= 0:
        return 0.0
    if xs[0] < 0:
        raise ValueError("the Gini coefficient needs non-negative values")
    weighted = sum(i * x for i, x in enumerate(xs, start=1))
    return max(0.0, 2 * weighted / (n * total) - (n + 1) / n)
