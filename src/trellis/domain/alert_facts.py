"""A person's alert facts: what their events say for the team alerts, the same on every
day (the duties and expansions of domain.fragmentation, the recognitions of
domain.recognition), as plain JSON data and back.

The team alerts of a day are these facts with the day put to them
(``fragmentation.judge``, ``recognition.cadence_on`` and the spread period), so they can
be stored per person with the ledger position they were read at, and read again on
another day without the events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from .fragmentation import DutyFacts, Raised
from .recognition import RecognitionFacts, RecognitionSummary


@dataclass(frozen=True, slots=True)
class PersonFacts:
    duties: DutyFacts
    recognitions: RecognitionFacts


class StoredFacts(NamedTuple):
    """One stored row: the facts' document (JSON text) and what it was read at."""

    format: str  # the code that wrote it
    events: int  # how many events the person had (all kinds): their ledger position
    framework_version: int  # the newest framework version then
    last_erasure_id: int  # the newest erasure then
    facts: str


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text is not None else None


def to_document(facts: PersonFacts) -> dict[str, Any]:
    d, r = facts.duties, facts.recognitions
    s = r.summary
    return {
        "track": d.track,
        "held": [[f, share, d.since[f].isoformat()] for f, share in d.held.items()],
        "raised": [[x.function, x.on.isoformat(), x.share, x.ends.isoformat(),
                    x.acknowledged_by] for x in d.raised],
        "summary": [s.count, s.points, s.last_on.isoformat() if s.last_on else None,
                    s.cadence_days],
        # in columns: each read back by one map (a row of four per recognition cost more)
        "recognitions": [[on.isoformat() for on in r.dates], list(r.points), list(r.givers),
                         list(r.ids)],
    }


def from_document(doc: dict[str, Any]) -> PersonFacts:
    """The facts of ``to_document``; KeyError, TypeError or ValueError for another shape."""
    held = {str(f): float(share) for f, share, _ in doc["held"]}
    since = {str(f): date.fromisoformat(on) for f, _, on in doc["held"]}
    raised = tuple(Raised(str(f), date.fromisoformat(on), float(share),
                          date.fromisoformat(ends), None if by is None else str(by))
                   for f, on, share, ends, by in doc["raised"])
    count, points, last_on, cadence_days = doc["summary"]
    dates, points_of, givers, ids = doc["recognitions"]
    if not len(dates) == len(points_of) == len(givers) == len(ids):
        raise ValueError("the recognitions' columns differ in length")
    return PersonFacts(
        DutyFacts(doc["track"], held, since, raised),
        RecognitionFacts(
            RecognitionSummary(int(count), int(points), _day(last_on),
                               None if cadence_days is None else float(cadence_days)),
            tuple(map(date.fromisoformat, dates)), tuple(map(int, points_of)), tuple(givers),
            tuple(map(int, ids))))
