"""The team alerts in people's words, written from the reports' fields rather than from
their one-line reasons: those serve the command line and name functions by id, with ISO
dates and the index as a bare decimal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .formatting import day


def fragmentation_reasons(person: Mapping[str, Any], functions: Mapping[str, str],
                          window_months: float) -> list[str]:
    """Why one person of the fragmentation report is flagged: the duties held outside the
    role, then the expansions nobody acknowledged in time, then those still in time. The
    suggested action has a column of its own, so it is not repeated here."""
    def name(function: str) -> str:
        return functions.get(function, function)

    out = []
    duties: Sequence[Mapping[str, Any]] = person["duties"]
    if duties:
        held = [f"{d['share']:.0%}{' of the time' if i == 0 else ''} in "
                f"{name(d['function'])} since {day(d['since'])}" for i, d in enumerate(duties)]
        out.append(f"Outside the role: {_listed(held)}.")
    window = f"{window_months:g} month{'s' if window_months != 1 else ''}"
    by_status: dict[str, list[Mapping[str, Any]]] = {}
    for e in person["expansions"]:
        by_status.setdefault(e["status"], []).append(e)
    if late := by_status.get("unrecognized"):
        out.append(f"Took on {_expansions(late, name)} with no promotion, band upgrade, "
                   f"recognition or raise within {window}.")
    if pending := by_status.get("pending"):
        out.append(f"Took on {_expansions(pending, name)}: still within the {window} to "
                   "acknowledge it.")
    return out


def recognition_reasons(person: Mapping[str, Any], threshold_days: int,
                        team_factor: float) -> list[str]:
    """Why one person of the recognition report is flagged, in one sentence."""
    gap, median = person["gap_days"], person["team_median_days"]
    since = "the hire" if person["last_on"] is None else "the last recognition"
    past = []
    if gap > threshold_days:
        past.append(f"the {threshold_days}-day threshold")
    if median is not None and gap > team_factor * median:
        times = "twice" if team_factor == 2 else f"{team_factor:g} times"
        past.append(f"{times} the team's usual gap of {round(median):,} days")
    if not past:
        return []
    return [f"{gap:,} days since {since}: past {' and '.join(past)}."]


SEVERITY = {"chronic": "rarely recognized", "lapse": "a lapse"}  # the badge's words


def _expansions(expansions: Sequence[Mapping[str, Any]], name: Any) -> str:
    """"Engineering management on 27 Aug 2025 and 18 Jan 2026, Product management on
    23 Oct 2026": one clause per function, its dates in order."""
    dates: dict[str, list[str]] = {}
    for e in sorted(expansions, key=lambda e: e["on"]):
        dates.setdefault(name(e["function"]), []).append(day(e["on"]))
    return _listed([f"{function} on {_listed(days)}" for function, days in dates.items()])


def _listed(parts: Sequence[str]) -> str:
    if len(parts) <= 2:
        return " and ".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
