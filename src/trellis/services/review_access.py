"""Review cycles for a signed-in user: who writes, nominates, reads ratings and sees a cycle's
progress (the rules are ``domain.access``), what a user has to write, and the sheet a review
form shows. Every write and every read of ratings leaves an audit entry.

The signed-in user is the reviewer: nobody writes a review in someone else's name, so a
refusal is a ``PermissionDenied`` before the review use case runs, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from trellis.domain import access, upward
from trellis.domain.access import Role, User
from trellis.domain.events import shown
from trellis.domain.framework import Framework, RatingScale, ReviewForm
from trellis.domain.people import Person
from trellis.domain.profile import live_events
from trellis.domain.reviews import UPWARD_MINIMUM, CycleStatus, ReviewCycle, earlier_submission
from trellis.errors import NotFound, PermissionDenied, Term, you

from . import accounts, clock, reviews
from .audit_trail import note_upward
from .profiles import profile_of
from .unit_of_work import UnitOfWork

_WHO_WRITES = {ReviewForm.SELF: "only {person} writes their self review",
               ReviewForm.MANAGER: "only {person}'s manager writes their manager review",
               ReviewForm.PEER: "only a peer nominated in this cycle reviews {person}",
               ReviewForm.UPWARD: "only {person}'s direct reports write upward reviews"}


def _me(uow: UnitOfWork, user: User) -> Person | None:
    return uow.people.get(user.person_id) if user.person_id is not None else None


def _cycle(uow: UnitOfWork, name: str) -> ReviewCycle:
    found = uow.reviews.cycle(name.strip()) if name.strip() else None
    if found is None:
        raise NotFound(f"unknown review cycle {shown(name)}")
    return found


def require_writer(uow: UnitOfWork, user: User, name: str, ref: str,
                   form: ReviewForm) -> tuple[ReviewCycle, Person, Person]:
    """The cycle, the person reviewed and the reviewer (the user's own person), or
    PermissionDenied when the user is not who ``form`` says writes it."""
    with uow.reading():
        cycle = _cycle(uow, name)
        person, _ = accounts.person_for(uow, user, ref)
        me = _me(uow, user)
        nominated = ({n.peer_id for n in uow.reviews.nominations(cycle.id, person.id)}
                     if form is ReviewForm.PEER else set())
    if me is None or not access.can_write_review(
            user, form, person.id, person.manager_id, me.manager_id, nominated):
        raise PermissionDenied(f"{{you}} may not write a {form} review of {{person}}: "
                               + _WHO_WRITES[form], you=you(user.email), person=person.term)
    return cycle, person, me


def submit_as(uow: UnitOfWork, user: User, name: str, ref: str, form: ReviewForm,
              rating: int, *, ratings: Mapping[str, Any] | None = None,
              goals: Sequence[Any] = (), comment: str | None = None) -> tuple[Person, int]:
    """Submit the user's own review (see ``reviews.submit`` for what is refused); returns
    the person reviewed and the event id."""
    cycle, person, me = require_writer(uow, user, name, ref, form)
    event_id = reviews.submit(uow, cycle.name, str(person.id), form, rating, ratings=ratings,
                              goals=goals, comment=comment, by=me.handle, author=user.email)
    return person, event_id


def nominate_as(uow: UnitOfWork, user: User, name: str, ref: str, peer_ref: str, *,
                anonymous: bool) -> tuple[Person, Person]:
    """Nominate a peer reviewer: the person's managers and HR admins."""
    with uow.reading():
        cycle = _cycle(uow, name)
        person, chain = accounts.person_for(uow, user, ref)
        peer, _ = accounts.person_for(uow, user, peer_ref)
    if not access.can_nominate(user, person.id, chain):
        raise PermissionDenied("{you} may not nominate {person}'s peer reviewers: their "
                               "managers and HR admins do", you=you(user.email),
                               person=person.term)
    reviews.nominate(uow, cycle.name, str(person.id), str(peer.id), anonymous=anonymous,
                     author=user.email)
    return person, peer


def open_as(uow: UnitOfWork, user: User, name: str, start: date, end: date, *,
            forms: Sequence[ReviewForm] | None, due: Mapping[ReviewForm, date],
            team: str | None, upward_minimum: int = UPWARD_MINIMUM
            ) -> tuple[ReviewCycle, int]:
    accounts.require_role(user, Role.HR_ADMIN)
    cycle, count = reviews.open_cycle(uow, name, start, end, forms=forms, due=due, team=team,
                                      upward_minimum=upward_minimum, author=user.email)
    return cycle, count


def set_status_as(uow: UnitOfWork, user: User, name: str,
                  status: CycleStatus) -> ReviewCycle:
    accounts.require_role(user, Role.HR_ADMIN)
    cycle = reviews.set_status(uow, name, status, author=user.email)
    return cycle


def reviews_for(uow: UnitOfWork, user: User, ref: str) -> reviews.PersonReviews:
    """A person's reviews as ``user`` may read them: all of them for the private circle (an
    anonymous peer named to HR admins only), else only those the user wrote; none written
    is a refusal. The read is audited."""
    with uow.reading():
        person, chain = accounts.person_for(uow, user, ref)
        me = _me(uow, user)
    circle = access.can_see_reviews(user, person.id, chain)
    # upward reviews: aggregated for the manager and their chain (domain.upward); one by one
    # for an HR admin outside the chain, and for a report, only their own (filtered below)
    found = reviews.show(uow, str(person.id), reveal=user.is_hr or not circle,
                         upward_individually=not circle or upward.sees_individually(
                             user, person.id, chain))
    if not circle:
        mine = {eid for eid, who in found.reviewers.items() if me and who == me.handle}
        kept = {name: {role: tuple(r for r in records if r.event_id in mine)
                       for role, records in by_role.items()}
                for name, by_role in found.reviews.items()}
        kept = {name: {role: rs for role, rs in by_role.items() if rs}
                for name, by_role in kept.items()}
        kept = {name: by_role for name, by_role in kept.items() if by_role}
        if not kept:
            raise PermissionDenied("{you} may not see {person}'s reviews: they are theirs, "
                                   "their managers' and HR's (a reviewer sees only the "
                                   "reviews they wrote)", you=you(user.email),
                                   person=person.term)
        found = replace(found, reviews=kept, upward={},
                        reviewers={e: w for e, w in found.reviewers.items() if e in mine})
        if any(ReviewForm.UPWARD.value in by_role for by_role in kept.values()):
            # a report reading the upward review they wrote: naming them would say who wrote
            with uow:
                note_upward(uow, person.handle, "reviews.read")
                uow.commit()
            return found
    accounts.audit(uow, user, "reviews.read", f"person/{person.handle}/reviews",
                   {"reviews": sum(len(rs) for by_role in found.reviews.values()
                                   for rs in by_role.values()), "whole": circle})
    return found


def progress_for(uow: UnitOfWork, user: User, name: str) -> reviews.CycleProgress:
    """A cycle's progress: everyone for HR admins, a manager's organization (and
    themselves) for a manager, an employee's own row; outside HR, without the upward form
    (who has written one is not said)."""
    found = reviews.cycle_progress(uow, name)
    if user.is_hr:
        return found
    with uow.reading():
        me = _me(uow, user)
        if me is None:
            raise PermissionDenied("{account} is not linked to a person, so is in no review "
                                   "cycle", account=Term("your account", user.email))
        seen = {me.id}
        if user.role is Role.MANAGER:
            seen |= {p.id for p in uow.people.reports(me.id)}
    # whether a manager's upward reviews are in says who has written below the minimum:
    # outside HR, progress is silent on the upward form (domain.upward)
    rows = [replace(r, submitted=tuple(f for f in r.submitted if f is not ReviewForm.UPWARD),
                    overdue=tuple(f for f in r.overdue if f is not ReviewForm.UPWARD))
            for r in found.rows if r.person_id in seen]
    shown = replace(found.cycle, forms=tuple(f for f in found.cycle.forms
                                             if f is not ReviewForm.UPWARD))
    return replace(found, cycle=shown, rows=rows,
                   people={k: v for k, v in found.people.items() if k in seen})


@dataclass(frozen=True, slots=True)
class Assignment:
    """A review the user has to write (or has written) in an open cycle."""

    cycle: ReviewCycle
    person: Person
    form: ReviewForm
    due: date | None
    done: bool
    overdue: bool


def to_write(uow: UnitOfWork, user: User) -> list[Assignment]:
    """The reviews the user writes in open cycles: their self review, their direct
    reports' manager reviews, the peers they were nominated for, and their manager's upward
    review; each with its due date, done or overdue."""
    today = clock.today()
    out: list[Assignment] = []
    with uow.reading():
        me = _me(uow, user)
        if me is None:
            return []
        direct = [p for p in uow.people.reports(me.id) if p.manager_id == me.id]
        boss = uow.people.get(me.manager_id) if me.manager_id is not None else None
        histories: dict[int, list[Any]] = {}
        for cycle in (c for c in uow.reviews.cycles() if c.is_open):
            inside = set(uow.reviews.participants(cycle.id))
            wanted: list[tuple[Person, ReviewForm]] = []
            if ReviewForm.SELF in cycle.forms and me.id in inside:
                wanted.append((me, ReviewForm.SELF))
            if ReviewForm.MANAGER in cycle.forms:
                wanted += [(p, ReviewForm.MANAGER) for p in direct if p.id in inside]
            if ReviewForm.PEER in cycle.forms:
                for n in uow.reviews.nominations(cycle.id):
                    reviewee = uow.people.get(n.reviewee_id) if n.peer_id == me.id else None
                    if reviewee is not None:
                        wanted.append((reviewee, ReviewForm.PEER))
            if ReviewForm.UPWARD in cycle.forms and boss is not None and boss.id in inside:
                wanted.append((boss, ReviewForm.UPWARD))
            for person, form in wanted:
                if person.id not in histories:
                    histories[person.id] = live_events(uow.events.for_person(person.id))
                done = earlier_submission(histories[person.id], cycle.name, form,
                                          me.handle) is not None
                due = cycle.due.get(form)
                out.append(Assignment(cycle, person, form, due, done,
                                      not done and due is not None and due < today))
    return out


@dataclass(frozen=True, slots=True)
class RatedItem:
    """A competency or criterion of the person's role, rated on its own scale."""

    id: str
    name: str
    top: int  # the scale runs from 0 to top
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReviewSheet:
    """What a review form shows: the overall scale and the items of the person's role."""

    cycle: ReviewCycle
    person: Person
    form: ReviewForm
    scale: RatingScale
    items: list[RatedItem]


def review_sheet(uow: UnitOfWork, user: User, name: str, ref: str,
                 form: ReviewForm) -> ReviewSheet:
    cycle, person, _ = require_writer(uow, user, name, ref, form)
    with uow.reading():
        found = profile_of(uow, person)
    framework = found.framework
    return ReviewSheet(cycle, person, form,
                       framework.reviews.rating if framework else RatingScale(),
                       _items(framework, found.profile.role) if framework else [])


def _items(framework: Framework, role_id: str | None) -> list[RatedItem]:
    role = framework.roles.get(role_id) if role_id else None
    if role is None:
        return []
    out = []
    for cid in role.expects:
        c = framework.competencies.get(cid)
        if c is not None:
            out.append(RatedItem(c.id, c.name, c.scale.max, c.scale.descriptors))
    scale = framework.criteria_policy.scale
    for kid in role.criteria:
        k = framework.criteria.get(kid)
        if k is not None:
            out.append(RatedItem(k.id, k.text, scale.max, scale.descriptors))
    return out
