"""A cycle's progress as a list people work through: searched by name, filtered by what is
still to do, sorted by name and paged (the HR view holds everyone in the organization)."""

from __future__ import annotations

from dataclasses import dataclass

from trellis.domain.people import Person
from trellis.domain.reviews import Progress
from trellis.errors import InvalidEvent

from .reviews import CycleProgress
from .team_list import named

STATES = {"missing": "a review not in yet", "overdue": "a review overdue",
          "done": "every review in"}


@dataclass(frozen=True, slots=True)
class ProgressQuery:
    search: str = ""
    state: str = ""  # one of STATES, or "" for everyone

    def check(self) -> ProgressQuery:
        if self.state and self.state not in STATES:
            raise InvalidEvent(f"show people with one of: {', '.join(STATES.values())}")
        return self


def complete(found: CycleProgress, row: Progress) -> bool:
    """Every form of the cycle is in (peers: every nominated peer has written)."""
    return len(row.submitted) == len(found.cycle.forms)


def rows_of(found: CycleProgress, query: ProgressQuery) -> list[tuple[Person, Progress]]:
    """The participants ``query`` asks for, by name."""
    def wanted(r: Progress) -> bool:
        if query.state == "overdue":
            return bool(r.overdue)
        if query.state:
            return complete(found, r) == (query.state == "done")
        return True

    rows = []
    for r in found.rows:
        person = found.people.get(r.person_id)
        if person is not None and wanted(r) and named(query.search, person.name,
                                                      person.handle):
            rows.append((person, r))
    rows.sort(key=lambda pr: (pr[0].name.casefold(), pr[0].handle))
    return rows
