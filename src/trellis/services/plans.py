"""Use cases for plans: create one, show progress against it, and check in on it.

Progress is derived from the ledger, never stored: a planned step is done once the
person's profile reaches its mastery (or meets its criterion), so logging a matching skill
step (or a demonstration) completes it. A
check-in records a ``check_in`` event; once a quarter of the plan has ended (or when told
``early``) it also closes that quarter in the same transaction and re-plans what is left as
a new version that keeps the check-ins. A check-in inside the plan's first quarter closes
nothing: none of its steps can be missed yet.

Each plan is made at the person's throughput (domain.throughput): comparable people's
pace, shrunk toward the person's own record, from the effort cache (services.effort).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from trellis.domain.events import Certification, Event, EventKind
from trellis.domain.framework import Framework
from trellis.domain.people import Person
from trellis.domain.plan import (
    CheckInRecord,
    Plan,
    PlanVersion,
    StepStatus,
    close_quarter,
    make_plan,
    progress,
    quarter_dates,
    resolve_target,
    target_readiness,
)
from trellis.domain.profile import Profile, live_events
from trellis.domain.readiness import Readiness
from trellis.errors import NotFound, PlanRejected, Term

from . import audit_trail, clock
from .effort import plan_models
from .ledger import append_event, find_person
from .plan_retarget import throughput_of
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class PlanView:
    person: Person
    stored: PlanVersion
    statuses: tuple[StepStatus, ...]
    readiness: Readiness  # now, against the plan's target
    versions: int


@dataclass(frozen=True, slots=True)
class CheckinResult:
    person: Person
    event: Event
    closed: CheckInRecord | None  # None: there was no open quarter to close
    replanned: PlanVersion | None
    open_until: date | None = None  # not closed: the day the plan's current quarter ends


def create_plan(uow: UnitOfWork, ref: str, *, role: str | None = None,
                band: str | None = None, band_level: str | None = None,
                competencies: Mapping[str, int] | None = None,
                capacity: int | None = None, quarters: int | None = None,
                author: str) -> PlanView:
    """A new plan for a person: a new version, superseding the active one. ``capacity``:
    a pace the person commits to (median steps a quarter) instead of the learned one."""
    _, model = plan_models(uow)  # its own transaction
    today = clock.today()
    with uow:
        person = find_person(uow, ref)
        profile, framework, events = _current(uow, person, today)
        target = resolve_target(framework, profile, role=role, band=band,
                                band_level=band_level, competencies=competencies)
        plan = make_plan(profile, framework, target, model,
                         throughput_of(uow, model, profile, today), capacity=capacity,
                         horizon=quarters, start=today,
                         framework_version=profile.framework_version)
        stored = uow.plans.add(person.id, plan, author, clock.now())
        view = _view(uow, person, stored, profile, framework, events)
        audit_trail.note(uow, author, "plan.create", f"person/{person.handle}/plan",
                         {"version": stored.version})
        uow.commit()
        return view


def show_plan(uow: UnitOfWork, ref: str) -> PlanView:
    today = clock.today()
    with uow:
        person = find_person(uow, ref)
        stored = uow.plans.active(person.id)
        if stored is None:
            raise NotFound("{person} has no plan: {make}", person=person.term,
                           make=Term("", f"make one with `trellis plan new {person.handle}`"))
        profile, framework, events = _current(uow, person, today)
        return _view(uow, person, stored, profile, framework, events)


def checkin(uow: UnitOfWork, ref: str, *, notes: str, engagement: int | None = None,
            on: date | None = None, early: bool = False, author: str) -> CheckinResult:
    """Record a check-in; with an active plan whose quarter has ended (or ``early``), close
    that quarter and re-plan the rest."""
    _, model = plan_models(uow)
    today = clock.today()
    on = on or today
    with uow:
        person = find_person(uow, ref)
        event = append_event(uow, person, EventKind.CHECK_IN, on,
                             {"notes": notes, "engagement": engagement}, author=author)
        active = uow.plans.active(person.id)
        closed = replanned = open_until = None
        if active is not None and not active.plan.complete:
            profile, framework, events = _current(uow, person, today)
            old = active.plan
            certified = _certified(events, old.start)
            closed = close_quarter(old, active.version, profile, framework, certified, on=on,
                                   notes=notes, engagement=engagement, event_id=event.id,
                                   early=early)
            if closed is None:
                open_until = _quarter_end(old, on)
            else:
                plan = make_plan(profile, framework, old.target, model,
                                 throughput_of(uow, model, profile, today),
                                 capacity=old.capacity, horizon=old.horizon,
                                 start=max(on, old.start), first_quarter=closed.quarter + 1,
                                 strict=False, framework_version=profile.framework_version,
                                 checkins=(*old.checkins, closed))
                replanned = uow.plans.add(person.id, plan, author, clock.now())
        audit_trail.note(uow, author, "check_in", f"person/{person.handle}/events/{event.id}",
                         {"replanned": replanned is not None})
        uow.commit()
        return CheckinResult(person, event, closed, replanned, open_until)


def _quarter_end(plan: Plan, on: date) -> date:
    """The last day of the plan's quarter that ``on`` falls in (or its first, before it)."""
    q = plan.first_quarter
    while quarter_dates(plan.start, plan.first_quarter, q)[1] < on:
        q += 1
    return quarter_dates(plan.start, plan.first_quarter, q)[1]


def _current(uow: UnitOfWork, person: Person, today: date
             ) -> tuple[Profile, Framework, list[Event]]:
    profile = uow.state.current(person.id)
    if profile is None or not profile.active or profile.framework_version is None:
        raise PlanRejected("{person} is not employed here: plans are for people in a role",
                           person=person.term)
    framework = uow.frameworks.catalog[profile.framework_version]
    events = live_events(uow.events.for_person(person.id))
    return replace(profile, as_of=today), framework, events


def _certified(events: list[Event], since: date) -> set[str]:
    return {e.details.competency for e in events
            if isinstance(e.details, Certification) and e.details.competency
            and e.effective_on >= since}


def _view(uow: UnitOfWork, person: Person, stored: PlanVersion, profile: Profile,
          framework: Framework, events: list[Event]) -> PlanView:
    plan = stored.plan
    statuses = progress(plan, profile, framework, _certified(events, plan.start))
    readiness = target_readiness(profile, framework, plan.target)
    return PlanView(person, stored, tuple(statuses), readiness,
                    len(uow.plans.history(person.id)))
