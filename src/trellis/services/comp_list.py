"""A pay cycle's people as a list a manager or HR works through: searched by name, filtered
by team and by where each raise stands, in the order the cycle lists them, and paged (an
organization-wide cycle holds everyone). It reads the cycle's document rows
(``compensation.view_document``), which hold names once ``name`` is added to each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trellis.errors import InvalidEvent

from .team_list import named

STATES = {"none": "no raise proposed", "awaiting": "a raise awaiting approval",
          "approved": "an approved raise", "flagged": "a raise outside its band or over budget"}
_OPEN = ("declined", "withdrawn")  # a raise that no longer stands: another may be proposed


@dataclass(frozen=True, slots=True)
class CompQuery:
    search: str = ""
    team: str = ""  # a group of the cycle's document, or "" for every team
    state: str = ""  # one of STATES, or "" for everyone

    def check(self, groups: Sequence[str]) -> CompQuery:
        if self.state and self.state not in STATES:
            raise InvalidEvent(f"show people with one of: {', '.join(STATES.values())}")
        if self.team and self.team not in groups:
            raise InvalidEvent("that team takes no part in this cycle")
        return self


def _stands(row: Mapping[str, Any], state: str) -> bool:
    p = row["proposal"]
    if state == "none":
        return p is None or p["status"] in _OPEN
    if p is None or p["status"] in _OPEN:
        return False
    if state == "awaiting":
        return bool(p["status"] == "proposed")
    if state == "approved":
        return p["status"] in ("approved", "applied")
    return bool(p["band_warning"] or p["over_budget"])  # flagged


def rows_of(people: Sequence[Mapping[str, Any]], query: CompQuery
            ) -> list[Mapping[str, Any]]:
    return [r for r in people
            if (not query.team or r["group"] == query.team)
            and (not query.state or _stands(r, query.state))
            and named(query.search, r["name"], r["person"])]
