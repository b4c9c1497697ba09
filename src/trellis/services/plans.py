"""Use cases for plans: create one, show progress against it, and check in on it.

Progress is derived from the ledger, never stored: a planned step is done once the
person's profile reaches its mastery (or meets its criterion), so logging a matching skill
step (or a demonstration) completes it. A
check-in records a ``check_in`` event and closes the plan's current quarter in the same
transaction, then re-plans what is left as a new version that keeps the check-ins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from trellis.domain.effort import (
    EffortModel,
    criterion_samples,
    personal_pace,
    step_samples,
)
from trellis.domain.events import Certification, Demonstrated, Event, EventKind, SkillStep
from trellis.domain.framework import Framework
from trellis.domain.people import Person
from trellis.domain.plan import (
    DEFAULT_CAPACITY,
    CheckInRecord,
    PlanVersion,
    StepStatus,
    close_quarter,
    make_plan,
    progress,
    resolve_target,
    target_readiness,
)
from trellis.domain.profile import Profile, live_events
from trellis.domain.readiness import Readiness
from trellis.errors import NotFound, PlanRejected

from . import clock
from .effort import effort_model
from .ledger import append_event, find_person
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


def create_plan(uow: UnitOfWork, ref: str, *, role: str | None = None,
                band: str | None = None, band_level: str | None = None,
                competencies: Mapping[str, int] | None = None,
                capacity: int = DEFAULT_CAPACITY, quarters: int | None = None,
                author: str) -> PlanView:
    """A new plan for a person: a new version, superseding the active one."""
    model = effort_model(uow)  # its own transaction
    today = clock.today()
    with uow:
        person = find_person(uow, ref)
        profile, framework, events = _current(uow, person, today)
        target = resolve_target(framework, profile, role=role, band=band,
                                band_level=band_level, competencies=competencies)
        plan = make_plan(profile, framework, target, model, capacity=capacity,
                         horizon=quarters, start=today,
                         pace=_pace(model, profile, framework, events),
                         seed=person.id, framework_version=profile.framework_version)
        stored = uow.plans.add(person.id, plan, author, clock.now())
        view = _view(uow, person, stored, profile, framework, events)
        uow.commit()
        return view


def show_plan(uow: UnitOfWork, ref: str) -> PlanView:
    today = clock.today()
    with uow:
        person = find_person(uow, ref)
        stored = uow.plans.active(person.id)
        if stored is None:
            raise NotFound(f"{person.handle} has no plan: make one with "
                           f"`trellis plan {person.handle}`")
        profile, framework, events = _current(uow, person, today)
        return _view(uow, person, stored, profile, framework, events)


def checkin(uow: UnitOfWork, ref: str, *, notes: str, engagement: int | None = None,
            on: date | None = None, author: str) -> CheckinResult:
    """Record a check-in; with an active plan, close its quarter and re-plan the rest."""
    model = effort_model(uow)
    today = clock.today()
    on = on or today
    with uow:
        person = find_person(uow, ref)
        event = append_event(uow, person, EventKind.CHECK_IN, on,
                             {"notes": notes, "engagement": engagement}, author=author)
        active = uow.plans.active(person.id)
        closed = replanned = None
        if active is not None and not active.plan.complete:
            profile, framework, events = _current(uow, person, today)
            old = active.plan
            certified = _certified(events, old.start)
            closed = close_quarter(old, active.version, profile, framework, certified, on=on,
                                   notes=notes, engagement=engagement, event_id=event.id)
            assert closed is not None
            plan = make_plan(profile, framework, old.target, model, capacity=old.capacity,
                             horizon=old.horizon, start=max(on, old.start),
                             first_quarter=closed.quarter + 1,
                             pace=_pace(model, profile, framework, events), strict=False,
                             seed=person.id, framework_version=profile.framework_version,
                             checkins=(*old.checkins, closed))
            replanned = uow.plans.add(person.id, plan, author, clock.now())
        uow.commit()
        return CheckinResult(person, event, closed, replanned)


def _current(uow: UnitOfWork, person: Person, today: date
             ) -> tuple[Profile, Framework, list[Event]]:
    profile = uow.state.current(person.id)
    if profile is None or not profile.active or profile.framework_version is None:
        raise PlanRejected(f"{person.handle} is not employed here: plans are for people "
                           "in a role")
    framework = uow.frameworks.catalog[profile.framework_version]
    events = live_events(uow.events.for_person(person.id))
    return replace(profile, as_of=today), framework, events


def _pace(model: EffortModel, profile: Profile, framework: Framework,
          events: list[Event]) -> float:
    steps = [(e.effective_on, e.details.competency, e.details.to_mastery)
             for e in events if isinstance(e.details, SkillStep)]
    shown = [(e.effective_on, "demonstrated", e.details.criterion) if isinstance(
        e.details, Demonstrated) else (e.effective_on, "level", "")
        for e in events if isinstance(e.details, Demonstrated)
        or e.kind in (EventKind.HIRE, EventKind.PROMOTION)]
    criteria = {c.id: (c.topic, c.level) for c in framework.criteria.values()}
    return personal_pace(model, step_samples(profile.person_id, profile.hired_on, steps),
                         criterion_samples(profile.person_id, shown, criteria))


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
