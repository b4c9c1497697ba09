"""Review cycles over HTTP: HR opens, closes and reopens cycles; managers and HR nominate
peers; the signed-in user submits the review their role in it allows; ratings are read by
the person's private circle (a reviewer: only what they wrote), every read audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from trellis.domain.access import User
from trellis.domain.events import goals_to_plain, ratings_to_plain
from trellis.domain.limits import NAME_MAX
from trellis.domain.reviews import CycleStatus, ReviewCycle
from trellis.domain.upward import summary_document
from trellis.services import review_access, reviews

from ..deps import CurrentUser, Uow
from ..fields import LINE, Ref
from ..schemas import (
    CycleProgressPublic,
    NominationCreate,
    NominationPublic,
    PersonReviewsPublic,
    ProgressRowPublic,
    ReviewCreate,
    ReviewCreated,
    ReviewCycleCreate,
    ReviewCyclePublic,
    ReviewCycleUpdate,
    ReviewRecordPublic,
)

router = APIRouter(prefix="/api", tags=["reviews"])

CycleName = Annotated[str, Path(min_length=1, max_length=NAME_MAX, pattern=LINE,
                                description="the review cycle's name")]


def cycle_public(cycle: ReviewCycle, people: int, user: User) -> ReviewCyclePublic:
    return ReviewCyclePublic(
        name=cycle.name, period_start=cycle.period_start, period_end=cycle.period_end,
        forms=list(cycle.forms), due={f.value: on for f, on in cycle.due.items()},
        status=cycle.status.value, people=people, upward_minimum=cycle.upward_minimum,
        opened_by=cycle.opened_by if user.is_hr else None, opened_at=cycle.opened_at,
        changed_at=cycle.changed_at)


def reviews_public(found: reviews.PersonReviews) -> PersonReviewsPublic:
    scale = found.framework.reviews.rating if found.framework else None
    return PersonReviewsPublic(
        person=found.person.handle, name=found.person.name,
        cycles={name: {role: [ReviewRecordPublic(
            on=r.on, event_id=r.event_id, rating=r.rating,
            label=scale.label(r.rating) if scale else "",
            reviewer=found.reviewers.get(r.event_id),
            anonymous=r.event_id in found.anonymous, ratings=ratings_to_plain(r.ratings),
            goals=goals_to_plain(r.goals), comment=r.comment) for r in records]
            for role, records in by_role.items()}
            for name, by_role in found.reviews.items()},
        upward={name: summary_document(s) for name, s in found.upward.items()})


@router.get("/review-cycles", response_model=list[ReviewCyclePublic],
            summary="Every review cycle, oldest period first, with how many people are in it")
def list_cycles(user: CurrentUser, uow: Uow) -> list[ReviewCyclePublic]:
    return [cycle_public(c, n, user) for c, n in reviews.cycles(uow())]


@router.post("/review-cycles", response_model=ReviewCyclePublic, status_code=201,
             summary="Open a review cycle (HR admins)")
def open_cycle(body: ReviewCycleCreate, user: CurrentUser, uow: Uow) -> ReviewCyclePublic:
    cycle, count = review_access.open_as(uow(), user, body.name, body.period_start,
                                         body.period_end, forms=body.forms, due=body.due,
                                         team=body.team, upward_minimum=body.upward_minimum)
    return cycle_public(cycle, count, user)


@router.patch("/review-cycles/{name}", response_model=ReviewCyclePublic,
              summary="Close or reopen a review cycle (HR admins)")
def change_cycle(name: CycleName, body: ReviewCycleUpdate, user: CurrentUser, uow: Uow
                 ) -> ReviewCyclePublic:
    cycle = review_access.set_status_as(uow(), user, name, CycleStatus(body.status))
    counts = dict((c.id, n) for c, n in reviews.cycles(uow()))
    return cycle_public(cycle, counts.get(cycle.id, 0), user)


@router.get("/review-cycles/{name}/progress", response_model=CycleProgressPublic,
            summary="Who has which review in (HR: everyone; a manager: their organization; "
            "an employee: themselves)")
def cycle_progress(name: CycleName, user: CurrentUser, uow: Uow) -> CycleProgressPublic:
    found = review_access.progress_for(uow(), user, name)
    counts = dict((c.id, n) for c, n in reviews.cycles(uow()))
    return CycleProgressPublic(
        cycle=cycle_public(found.cycle, counts.get(found.cycle.id, 0), user),
        people=[ProgressRowPublic(person=found.people[r.person_id].handle,
                                  name=found.people[r.person_id].name,
                                  submitted=list(r.submitted), peers_done=r.peers_done,
                                  peers_nominated=r.peers_nominated, overdue=list(r.overdue))
                for r in found.rows if r.person_id in found.people])


@router.post("/review-cycles/{name}/nominations", response_model=NominationPublic,
             status_code=201,
             summary="Nominate a peer reviewer (the person's managers, HR admins)")
def nominate(name: CycleName, body: NominationCreate, user: CurrentUser, uow: Uow
             ) -> NominationPublic:
    person, peer = review_access.nominate_as(uow(), user, name, body.person, body.peer,
                                             anonymous=body.anonymous)
    return NominationPublic(cycle=name.strip(), person=person.handle, peer=peer.handle,
                            anonymous=body.anonymous)


@router.post("/review-cycles/{name}/reviews", response_model=ReviewCreated, status_code=201,
             summary="Submit the signed-in user's review (self, of a report as manager, as "
             "a nominated peer, or upward of their manager)")
def submit(name: CycleName, body: ReviewCreate, user: CurrentUser, uow: Uow
           ) -> ReviewCreated:
    person, event_id = review_access.submit_as(
        uow(), user, name, body.person, body.form, body.rating, ratings=body.ratings,
        goals=[g.model_dump(mode="json", exclude_none=True) for g in body.goals],
        comment=body.comment)
    return ReviewCreated(event_id=event_id, person=person.handle, cycle=name.strip(),
                         form=body.form)


@router.get("/people/{ref}/reviews", response_model=PersonReviewsPublic,
            summary="A person's reviews per cycle, self and manager side by side (their "
            "private circle; a reviewer sees only what they wrote)")
def person_reviews(ref: Ref, user: CurrentUser, uow: Uow) -> PersonReviewsPublic:
    return reviews_public(review_access.reviews_for(uow(), user, ref))
