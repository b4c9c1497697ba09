"""Review cycles: who is reviewed, by which forms, by when; and the rules of submitting.

A cycle is organizational bookkeeping (who is in it, which peers were nominated); each
submitted review is a ``review`` event in the ledger, so a retraction undoes a review as it
undoes any event. The rules here are pure: the service feeds them rows and events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from trellis.errors import InvalidEvent

from .events import Event, GoalOutcome, Review, shown
from .framework import ReviewForm

UPWARD_MINIMUM = 3  # upward reviews shown (aggregated) from this many: the common default
UPWARD_MINIMUM_LOW, UPWARD_MINIMUM_HIGH = 2, 50


class CycleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ReviewCycle:
    id: int
    name: str
    period_start: date
    period_end: date
    forms: tuple[ReviewForm, ...]
    due: Mapping[ReviewForm, date]  # a form without a due date is absent
    team_id: int | None  # None: the whole organization
    status: CycleStatus
    opened_by: str
    opened_at: datetime
    changed_at: datetime
    upward_minimum: int = UPWARD_MINIMUM  # upward feedback is shown from this many reviews

    @property
    def is_open(self) -> bool:
        return self.status is CycleStatus.OPEN


@dataclass(frozen=True, slots=True)
class Nomination:
    cycle_id: int
    reviewee_id: int
    peer_id: int
    anonymous: bool
    nominated_by: str


def forms_from_text(text: str) -> tuple[ReviewForm, ...]:
    """``self,manager,peer`` as forms, in the order given; a repeat or unknown is refused."""
    out: list[ReviewForm] = []
    for word in (w.strip().lower() for w in text.split(",")):
        try:
            form = ReviewForm(word)
        except ValueError:
            raise InvalidEvent(f"unknown review form {shown(word)} (forms: "
                               f"{', '.join(ReviewForm)})") from None
        if form in out:
            raise InvalidEvent(f"review form '{form}' is given twice")
        out.append(form)
    return tuple(out)


def parse_rate(text: str) -> tuple[str, int]:
    """``--rate coding=3``: a competency or criterion id and its rating."""
    item, sep, value = text.rpartition("=")
    item = item.strip()
    if not sep or not item:
        raise InvalidEvent(f"--rate {shown(text)}: write ID=RATING, e.g. coding=3")
    try:
        rating = int(value.strip())
    except ValueError:
        raise InvalidEvent(f"--rate {shown(text)}: the rating must be a whole number") from None
    return item, rating


def parse_goal(text: str) -> dict[str, object]:
    """``--goal "ship the API=met:98.5"``: a goal, its result and an optional figure."""
    goal, sep, outcome = text.rpartition("=")
    goal = goal.strip()
    if not sep or not goal:
        raise InvalidEvent(f"--goal {shown(text)}: write TEXT=RESULT[:NUMBER], e.g. "
                           "\"ship the API=met:98.5\"")
    result, colon, figure = outcome.partition(":")
    if result.strip().lower() not in set(GoalOutcome):
        raise InvalidEvent(f"--goal {shown(text)}: the result must be one of "
                           f"{', '.join(GoalOutcome)}")
    plain: dict[str, object] = {"goal": goal, "result": result.strip().lower()}
    if colon:
        try:
            plain["value"] = float(figure)
        except ValueError:
            raise InvalidEvent(f"--goal {shown(text)}: {shown(figure)} is not a "
                               "number") from None
    return plain


def ratings_of(rates: Sequence[tuple[str, int]]) -> dict[str, int]:
    """``--rate`` pairs as the event's mapping; an id rated twice is refused."""
    out: dict[str, int] = {}
    for item, rating in rates:
        if item in out:
            raise InvalidEvent(f"--rate: '{item}' is rated twice")
        out[item] = rating
    return out


def reviews_in(events: Iterable[Event], cycle: str) -> list[Event]:
    """The review events of one cycle among (live) events."""
    return [e for e in events if isinstance(e.details, Review) and e.details.cycle == cycle]


def earlier_submission(events: Iterable[Event], cycle: str, role: ReviewForm,
                       reviewer: str | None) -> Event | None:
    """A live review that a new one by ``role`` (and, for peers and upward reviews, by the
    same ``reviewer``) would repeat: one review per reviewer and cycle."""
    for e in reviews_in(events, cycle):
        d = e.details
        assert isinstance(d, Review)
        if d.reviewer_role is role and (role in (ReviewForm.SELF, ReviewForm.MANAGER)
                                        or d.reviewer == reviewer):
            return e
    return None


@dataclass(frozen=True, slots=True)
class Progress:
    """One participant's state in a cycle. ``submitted``: the forms done (peers: how many
    of the nominated); ``overdue``: the forms past their due date and not done."""

    person_id: int
    submitted: tuple[ReviewForm, ...]
    peers_done: int = 0
    peers_nominated: int = 0
    overdue: tuple[ReviewForm, ...] = field(default_factory=tuple)


def progress(cycle: ReviewCycle, participants: Sequence[int],
             submitted: Mapping[int, Sequence[Review]],
             nominated: Mapping[int, int], today: date) -> list[Progress]:
    """Who has which review in: ``submitted`` holds each person's live reviews of the cycle,
    ``nominated`` how many peers each has. A form is overdue once its due date is past; the
    peer form is done when every nominated peer has written (or none was nominated)."""
    out = []
    for person in participants:
        reviews = submitted.get(person, ())
        roles = {r.reviewer_role for r in reviews}
        peers_done = len({r.reviewer for r in reviews if r.reviewer_role is ReviewForm.PEER})
        peers_asked = nominated.get(person, 0)
        done: list[ReviewForm] = []
        for form in cycle.forms:
            if form is ReviewForm.PEER:
                if peers_asked and peers_done >= peers_asked:
                    done.append(form)
            elif form in roles:
                done.append(form)
        late = tuple(f for f in cycle.forms if f not in done and f in cycle.due
                     and cycle.due[f] < today
                     and not (f is ReviewForm.PEER and not peers_asked))
        out.append(Progress(person, tuple(done), peers_done, peers_asked, late))
    return out


def upward_minimum_from(raw: object, field: str = "--upward-minimum") -> int:
    """The least number of upward reviews a manager's summary is shown from: a whole number
    from 2 (one reviewer alone is never a summary) to 50."""
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = int(str(raw).strip())
    except ValueError:
        raise InvalidEvent(f"{field} must be a whole number, got {shown(raw)}") from None
    if not UPWARD_MINIMUM_LOW <= value <= UPWARD_MINIMUM_HIGH:
        raise InvalidEvent(f"{field} {value} must be from {UPWARD_MINIMUM_LOW} to "
                           f"{UPWARD_MINIMUM_HIGH}: fewer than {UPWARD_MINIMUM_LOW} "
                           "reviewers are not anonymous")
    return value
