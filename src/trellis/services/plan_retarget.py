"""A promotion retargets the person's active plan, in the promotion's own transaction.

A plan aimed at a role the promotion reached (or passed) has nothing left to aim at: it
is re-planned to the next role up the new role's track, keeping its check-ins, or, at the
top of the track, closed: a new version with no steps whose note says why. A plan aimed
higher, at a band level or at competencies is left alone: the promotion changes no
mastery, so its steps still hold. ``ledger.append_event`` calls this for every promotion,
so the CLI, a promotion case and the web service all retarget alike.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from trellis.domain.days import day_term
from trellis.domain.events import Event
from trellis.domain.people import Person
from trellis.domain.plan import Plan, PlanVersion, TargetKind, make_plan, resolve_target
from trellis.domain.profile import Profile
from trellis.domain.throughput import Throughput, ThroughputModel, person_throughput
from trellis.errors import Term, listed

from . import clock
from .effort import cached_models, careers, learn_plan_models
from .unit_of_work import UnitOfWork


def throughput_of(uow: UnitOfWork, model: ThroughputModel, profile: Profile,
                  until: date) -> Throughput:
    """The person's throughput on ``until``: comparable people's prior (their track and
    level then), updated by their own record."""
    career = careers(uow, {profile.person_id}).get(profile.person_id)
    return person_throughput(model, career, until, profile.track, profile.level)


def retarget_after_promotion(uow: UnitOfWork, person: Person, event: Event
                             ) -> PlanVersion | None:
    """Inside the promotion's open unit of work: the retargeted (or closed) plan, if the
    active plan aimed at the role reached."""
    active = uow.plans.active(person.id)
    if active is None or active.plan.target.kind is not TargetKind.ROLE:
        return None
    profile = uow.state.current(person.id)
    if profile is None or profile.role is None or profile.framework_version is None:
        return None
    framework = uow.frameworks.catalog[profile.framework_version]
    old = active.plan
    aimed, reached = old.target.role, profile.role
    if aimed is not None and aimed in framework.roles and reached in framework.roles \
            and framework.rank_of(aimed) > framework.rank_of(reached):
        return None  # still above the new role: the same steps lead there
    today = clock.today()
    profile = replace(profile, as_of=today)

    def title(role_id: str | None) -> str:
        found = framework.roles.get(role_id or "")
        return found.title if found else str(role_id)

    on = day_term(event.effective_on)
    why = Term(f"promoted to {title(reached)} on {on.words}",
               f"promoted to {reached} on {on.command}")
    nxt = framework.next_role(reached) if reached in framework.roles else None
    if nxt is None:
        track = framework.tracks.get(profile.track or "")
        closed = replace(old, start=today, steps=(), milestones=(), forecast=None, note=Term(
            f"{why.words}, the top of the {track.name if track else profile.track} track: "
            "no role above to plan for; plan closed",
            f"{why.command}, the top of track {profile.track}: no role above to plan for; "
            "plan closed"))
        return uow.plans.add(person.id, closed, event.author, clock.now())
    found = cached_models(uow)
    _, model = found if found is not None else learn_plan_models(uow, today)
    target = resolve_target(framework, profile, role=nxt.id)
    plan: Plan = make_plan(profile, framework, target, model,
                           throughput_of(uow, model, profile, today), capacity=old.capacity,
                           start=today, strict=False,
                           framework_version=profile.framework_version,
                           checkins=old.checkins)
    retargeted = Term(f"{why.words}: retargeted from {title(aimed)} to {nxt.title}",
                      f"{why.command}: retargeted from {aimed} to {nxt.id}")
    return uow.plans.add(person.id, replace(plan, note=listed(
        [retargeted, plan.note] if plan.note.command else [retargeted], "; ")),
        event.author, clock.now())
