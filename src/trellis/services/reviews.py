"""Use cases of review cycles: open, close and reopen a cycle, nominate peers, submit a
review (a ``review`` event, in the same transaction as the checks), show a person's
reviews and a cycle's progress."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from trellis.domain.days import day_term
from trellis.domain.events import EventKind, Review, text_value
from trellis.domain.framework import Framework, ReviewForm
from trellis.domain.limits import NAME_MAX
from trellis.domain.people import Person
from trellis.domain.profile import CycleReviews, live_events
from trellis.domain.reviews import (
    UPWARD_MINIMUM,
    CycleStatus,
    Nomination,
    Progress,
    ReviewCycle,
    earlier_submission,
    progress,
    upward_minimum_from,
)
from trellis.domain.upward import UpwardSummary, summarize
from trellis.errors import Conflict, InvalidEvent, LedgerRuleBroken, NotFound, Term, option

from . import clock
from .audit_trail import note, note_upward
from .frameworks import version_in_force
from .ledger import append_event, find_named, find_person
from .profiles import profile_of
from .unit_of_work import UnitOfWork


def open_cycle(uow: UnitOfWork, name: str, start: date, end: date, *,
               forms: Sequence[ReviewForm] | None = None,
               due: Mapping[ReviewForm, date] | None = None, team: str | None = None,
               upward_minimum: int = UPWARD_MINIMUM,
               author: str) -> tuple[ReviewCycle, int]:
    """Open a cycle for everyone active today (or everyone under ``team``, a manager);
    returns it and how many people are in it. ``upward_minimum``: how many upward reviews a
    manager's summary is shown from (domain.upward)."""
    upward_minimum = upward_minimum_from(upward_minimum)
    name = _cycle_name(name)
    due = dict(due or {})
    if end < start:
        raise InvalidEvent("the period ends ({end}) before it starts ({start})",
                           end=day_term(end), start=day_term(start))
    with uow:
        framework = uow.frameworks.catalog[version_in_force(uow, start).id]
        allowed = framework.reviews.forms
        chosen = tuple(forms) if forms else allowed
        if not chosen:
            raise InvalidEvent("give at least one review form")
        for form in chosen:
            if form not in allowed:
                raise InvalidEvent(f"{{framework}} has no {form} reviews (its forms: "
                                   f"{', '.join(allowed)})", framework=framework.term)
        for form, on in due.items():
            if form not in chosen:
                raise InvalidEvent(f"{{due}}: the cycle has no {form} reviews",
                                   due=option(f"due_{form}", f"the due date of {form} reviews"))
            if on < start:
                raise InvalidEvent("{due} {on} is before the period starts ({start})",
                                   due=option(f"due_{form}", f"the due date of {form} reviews"),
                                   on=day_term(on), start=day_term(start))
        manager = find_person(uow, team) if team is not None else None
        people = _active(uow, manager)
        if not people:
            raise InvalidEvent("nobody would be in the cycle: "
                               + ("{manager} has no active reports" if manager
                                  else "no one is active"),
                               **({"manager": manager.term} if manager else {}))
        cycle = uow.reviews.add_cycle(name, start, end, chosen, due,
                                      manager.id if manager else None, author, clock.now(),
                                      upward_minimum)
        uow.reviews.add_participants(cycle.id, people)
        note(uow, author, "review_cycle.open", f"review-cycles/{cycle.name}",
             {"people": len(people), "forms": [f.value for f in cycle.forms],
              "upward_minimum": cycle.upward_minimum})
        uow.commit()
        return cycle, len(people)


def set_status(uow: UnitOfWork, name: str, status: CycleStatus, *,
               author: str) -> ReviewCycle:
    """Close a cycle (no more reviews or nominations) or reopen it."""
    with uow:
        cycle = _cycle(uow, name)
        if cycle.status is status:
            raise Conflict(f"review cycle '{cycle.name}' is already {status}")
        uow.reviews.set_status(cycle.id, status, clock.now())
        note(uow, author, f"review_cycle.{'reopen' if status is CycleStatus.OPEN else 'close'}",
             f"review-cycles/{cycle.name}")
        uow.commit()
        found = uow.reviews.cycle(cycle.name)
    assert found is not None
    return found


def cycles(uow: UnitOfWork) -> list[tuple[ReviewCycle, int]]:
    """Every cycle with how many people are in it, oldest period first."""
    with uow.reading():
        counts = uow.reviews.counts()
        return [(c, counts.get(c.id, 0)) for c in uow.reviews.cycles()]


def nominate(uow: UnitOfWork, name: str, person_ref: str, peer_ref: str, *,
             anonymous: bool = False, author: str) -> tuple[Person, Person]:
    with uow:
        cycle = _open_cycle(uow, name)
        if ReviewForm.PEER not in cycle.forms:
            raise InvalidEvent(f"review cycle '{cycle.name}' has no peer reviews")
        person, peer = find_person(uow, person_ref), find_person(uow, peer_ref)
        _in_cycle(uow, cycle, person)
        if peer.id == person.id:
            raise InvalidEvent("{person} cannot be their own peer reviewer",
                               person=person.term)
        uow.reviews.add_nomination(Nomination(cycle.id, person.id, peer.id, anonymous, author),
                                   clock.now())
        note(uow, author, "review.nominate", f"person/{person.handle}/reviews",
             {"cycle": cycle.name, "peer": peer.handle, "anonymous": anonymous})
        uow.commit()
        return person, peer


def submit(uow: UnitOfWork, name: str, person_ref: str, role: ReviewForm, rating: int, *,
           ratings: Mapping[str, Any] | None = None, goals: Sequence[Any] = (),
           comment: str | None = None, by: str | None = None, author: str) -> int:
    """Submit a review: a ``review`` event dated today. Refused when the cycle is closed
    or lacks the form, the person is not in it, the reviewer is not who the form says, or
    the same reviewer already submitted one (retract it first). Returns the event id."""
    with uow:
        cycle = _open_cycle(uow, name)
        if role not in cycle.forms:
            raise InvalidEvent(f"review cycle '{cycle.name}' has no {role} reviews (its "
                               f"forms: {', '.join(cycle.forms)})")
        person = find_person(uow, person_ref)
        _in_cycle(uow, cycle, person)
        reviewer = _reviewer(uow, cycle, person, role, by)
        uow.people.lock(person.id)
        history = live_events(uow.events.for_person(person.id))
        earlier = earlier_submission(history, cycle.name, role, reviewer.handle)
        if earlier is not None:
            by_whom = "" if role in (ReviewForm.SELF, ReviewForm.MANAGER) else " by {reviewer}"
            raise Conflict(f"{{person}} already has a {role} review{by_whom} in cycle "
                           f"'{cycle.name}'{{event}}: retract it to submit another",
                           person=person.term, reviewer=reviewer.term,
                           event=Term("", f" (event {earlier.id})"))
        fields: dict[str, Any] = {"cycle": cycle.name, "reviewer_role": role.value,
                                  "rating": rating, "ratings": dict(ratings or {}),
                                  "goals": list(goals), "comment": comment,
                                  "reviewer": reviewer.handle}
        event = append_event(uow, person, EventKind.REVIEW, clock.today(), fields,
                             author=author)
        if role is ReviewForm.UPWARD:  # which report wrote it is the ledger's alone
            note_upward(uow, person.handle, "review.submit", {"cycle": cycle.name})
        else:
            note(uow, author, "review.submit", f"person/{person.handle}/reviews/{event.id}",
                 {"cycle": cycle.name, "form": role.value})
        uow.commit()
        return event.id


@dataclass(frozen=True, slots=True)
class PersonReviews:
    person: Person
    framework: Framework | None
    reviews: Mapping[str, CycleReviews]  # by cycle, as the profile keeps them
    reviewers: Mapping[int, str | None]  # event id -> reviewer handle (None: anonymous)
    anonymous: frozenset[int] = frozenset()  # event ids of anonymous peers' reviews
    # by cycle: the upward reviews aggregated, when they are not in ``reviews`` one by one
    upward: Mapping[str, UpwardSummary] = field(default_factory=dict)


def show(uow: UnitOfWork, person_ref: str, cycle: str | None = None, *,
         reveal: bool = False, upward_individually: bool = False) -> PersonReviews:
    """A person's reviews by cycle; an anonymous peer's name is left out unless ``reveal``
    (an HR admin's view: ``anonymous`` still says which reviews were anonymous). Upward
    reviews are only aggregated, per cycle and from the cycle's minimum (``upward``; none
    of them in ``reviews``), unless ``upward_individually`` (domain.upward says who)."""
    found = _show(uow, person_ref, cycle, reveal=reveal)
    if upward_individually:
        return found
    return aggregate_upward(uow, found)


def aggregate_upward(uow: UnitOfWork, found: PersonReviews) -> PersonReviews:
    """``found`` with each cycle's upward reviews replaced by their summary: their records,
    reviewers and event ids gone."""
    summaries: dict[str, UpwardSummary] = {}
    kept: dict[str, CycleReviews] = {}
    gone: set[int] = set()
    with uow.reading():
        for name, by_role in found.reviews.items():
            records = by_role.get(ReviewForm.UPWARD.value, ())
            known = uow.reviews.cycle(name)
            if records or (known and ReviewForm.UPWARD in known.forms):
                summaries[name] = summarize(name, records, known.upward_minimum if known
                                            else UPWARD_MINIMUM)
            gone |= {r.event_id for r in records}
            rest = {role: rs for role, rs in by_role.items() if role != ReviewForm.UPWARD.value}
            if rest:
                kept[name] = rest
    return replace(found, reviews=kept,
                   reviewers={e: w for e, w in found.reviewers.items() if e not in gone},
                   upward=summaries)


def _show(uow: UnitOfWork, person_ref: str, cycle: str | None = None, *,
          reveal: bool = False) -> PersonReviews:
    with uow.reading():
        person = find_person(uow, person_ref)
        found = profile_of(uow, person)
        reviews = dict(found.profile.reviews)
        if cycle is not None:
            if cycle not in reviews and uow.reviews.cycle(cycle) is None:
                raise NotFound(f"unknown review cycle '{cycle}'")
            reviews = {cycle: reviews[cycle]} if cycle in reviews else {}
        reviewers: dict[int, str | None] = {}
        anonymous: set[int] = set()
        for name, by_role in reviews.items():
            known = uow.reviews.cycle(name)
            hidden = ({n.peer_id for n in uow.reviews.nominations(known.id, person.id)
                       if n.anonymous} if known else set())
            for role, records in by_role.items():
                for record in records:
                    event = uow.events.get(record.event_id)
                    d = event.details if event else None
                    handle = d.reviewer if isinstance(d, Review) else None
                    peer = uow.people.find(handle) if handle and role == "peer" else None
                    if peer and peer.id in hidden:
                        anonymous.add(record.event_id)
                        handle = handle if reveal else None
                    reviewers[record.event_id] = handle
        return PersonReviews(person, found.framework, reviews, reviewers, frozenset(anonymous))


@dataclass(frozen=True, slots=True)
class CycleProgress:
    cycle: ReviewCycle
    people: Mapping[int, Person]
    rows: list[Progress]


def cycle_progress(uow: UnitOfWork, name: str) -> CycleProgress:
    """Who has which review in, and which forms are overdue, for everyone in a cycle."""
    with uow.reading():
        cycle = _cycle(uow, name)
        participants = uow.reviews.participants(cycle.id)
        everyone = {p.id: p for p in uow.people.all()}
        submitted: dict[int, list[Review]] = {}
        for row in uow.events.of_kinds([EventKind.REVIEW], participants):
            if row.details.get("cycle") == cycle.name:
                submitted.setdefault(row.person_id, []).append(Review(
                    cycle.name, ReviewForm(row.details["reviewer_role"]),
                    row.details["rating"], reviewer=row.details.get("reviewer")))
        nominated: dict[int, int] = {}
        for n in uow.reviews.nominations(cycle.id):
            nominated[n.reviewee_id] = nominated.get(n.reviewee_id, 0) + 1
        rows = progress(cycle, participants, submitted, nominated, clock.today())
        return CycleProgress(cycle, {p: everyone[p] for p in participants if p in everyone},
                             rows)


def _cycle_name(name: str) -> str:
    text = text_value(name, "the cycle's name", NAME_MAX)
    if not text:
        raise InvalidEvent("give the cycle a name")
    return text


def _cycle(uow: UnitOfWork, name: str) -> ReviewCycle:
    return find_named(uow.reviews.cycle, name, "review cycle")


def _open_cycle(uow: UnitOfWork, name: str) -> ReviewCycle:
    cycle = _cycle(uow, name)
    if not cycle.is_open:
        raise LedgerRuleBroken(f"review cycle '{cycle.name}' is closed: reopen it first")
    return cycle


def _in_cycle(uow: UnitOfWork, cycle: ReviewCycle, person: Person) -> None:
    if not uow.reviews.is_participant(cycle.id, person.id):
        raise LedgerRuleBroken(f"{{person}} is not in review cycle '{cycle.name}'",
                               person=person.term)


def _reviewer(uow: UnitOfWork, cycle: ReviewCycle, person: Person, role: ReviewForm,
              by: str | None) -> Person:
    """Who writes a review of ``person`` in ``role``: checked against the org chart and the
    cycle's nominations."""
    given = find_person(uow, by) if by is not None else None
    if role is ReviewForm.SELF:
        if given is not None and given.id != person.id:
            raise InvalidEvent("a self review of {person} is written by {person}, not "
                               "{given}", person=person.term, given=given.term)
        return person
    if role is ReviewForm.MANAGER:
        if person.manager_id is None:
            raise LedgerRuleBroken("{person} has no manager to write a manager review",
                                   person=person.term)
        manager = uow.people.get(person.manager_id)
        assert manager is not None
        if given is not None and given.id != manager.id:
            raise InvalidEvent("{given} is not {person}'s manager ({manager} is)",
                               given=given.term, person=person.term, manager=manager.term)
        return manager
    if given is None:
        raise InvalidEvent(f"a {role} review needs {{by}}", by=Term("who writes it",
                                                                   "--by: who writes it"))
    if role is ReviewForm.PEER:
        nominated = {n.peer_id for n in uow.reviews.nominations(cycle.id, person.id)}
        if given.id not in nominated:
            raise LedgerRuleBroken("{given} is not nominated as a peer reviewer of {person} "
                                   f"in cycle '{cycle.name}'", given=given.term,
                                   person=person.term)
        return given
    if given.manager_id != person.id:  # upward: a report reviews their manager
        raise LedgerRuleBroken("{given} does not report to {person}: only a report writes "
                               "an upward review", given=given.term, person=person.term)
    return given


def _active(uow: UnitOfWork, manager: Person | None) -> list[int]:
    """The people active today: everyone, or everyone under a manager."""
    today = clock.today()
    rows = uow.state.rows(columns=["person_id", "hired_on", "departed_on"])
    active = {r["person_id"] for r in rows
              if r["hired_on"] is not None and _as_date(r["hired_on"]) <= today
              and r["departed_on"] is None}
    if manager is None:
        return sorted(active)
    return sorted(p.id for p in uow.people.reports(manager.id) if p.id in active)


def _as_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
