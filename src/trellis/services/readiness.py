"""Use cases of promotion readiness: one person's readiness for a role, the pipeline of a
team or of the whole organization, and a promotion that the readiness gates guard.

The scoring itself is pure (domain.readiness); this module finds the person, their profile
and the framework in force, checks that the question makes sense, and for a promotion
writes the event in the same unit of work that assessed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import itemgetter

import orjson

from trellis.bulk import paused_gc
from trellis.domain.days import day_term
from trellis.domain.events import Event, EventKind, given
from trellis.domain.framework import Framework, Role
from trellis.domain.people import Person
from trellis.domain.profile import Profile
from trellis.domain.profile_document import profile_from_document
from trellis.domain.readiness import Readiness, assess, explain
from trellis.errors import InvalidEvent, NotApplicable, NotFound, PromotionRefused, Term

from . import audit_trail, clock
from .frameworks import version_in_force
from .ledger import append_event, find_person
from .profiles import profile_of
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class PersonReadiness:
    person: Person
    profile: Profile  # on the date asked for
    readiness: Readiness
    framework: Framework  # the version in force on that date

    @property
    def current(self) -> Role:
        assert self.profile.role is not None
        return self.framework.roles[self.profile.role]

    @property
    def explanation(self) -> str:
        return explain(self.readiness, self.person.name)


def readiness_for(uow: UnitOfWork, person_ref: str, target: str | None = None,
                  on: date | None = None) -> PersonReadiness:
    """How ready a person is for a role (default: the next level of their track).

    ``on`` defaults to today, read from the current-state table; a past date refolds the
    person's ledger to that date.
    """
    with uow:
        return _assess_person(uow, find_person(uow, person_ref), target, on)


def _assess_person(uow: UnitOfWork, person: Person, target: str | None, on: date | None,
                   *, promotion: bool = False) -> PersonReadiness:
    p = profile_of(uow, person, on).profile
    who = person.term
    if p.hired_on is None or p.role is None:
        raise NotApplicable("{who} has no role on {on}: record a hire first", who=who,
                            on=day_term(p.as_of))
    if p.departed_on is not None:
        raise NotApplicable("{who} left on {left}: readiness is for people in a role",
                            who=who, left=day_term(p.departed_on))
    framework = uow.frameworks.catalog[version_in_force(uow, p.as_of).id]
    current = framework.roles.get(p.role)
    if current is None:  # no title to name it by: the id only on the command line
        raise NotApplicable("{who}'s role {role} is not in {framework} in force on {on}",
                            who=who, role=Term("", f"'{p.role}'"),
                            framework=framework.term, on=day_term(p.as_of))
    if target is None:
        role = framework.next_role(current.id)
        if role is None:
            track = framework.tracks.get(current.track)
            raise NotApplicable(
                "{who} is at the top of the {track} track{role}; {target}", who=who,
                track=Term(track.name if track else current.track, current.track),
                role=Term("", f" ({current.id})"), target=Term("", "give --target"))
    else:
        found = framework.roles.get(target.strip())
        if found is None:
            raise NotFound("unknown role {given}", given=given(target))
        role = found
    rank, current_rank = framework.rank_of(role.id), framework.rank_of(current.id)
    if role.id == current.id:
        raise NotApplicable("{who} already holds {role}", who=who,
                            role=Term(role.title, f"{role.id} ({role.title})"))
    levels = framework.levels
    if rank < current_rank:
        raise NotApplicable("{role} ({level}) is below {who}'s current level {current}",
                            who=who, role=Term(f"the target {role.title}", f"target '{role.id}'"),
                            level=levels[role.level].term, current=levels[current.level].term)
    if promotion and rank == current_rank:
        raise NotApplicable("{role} ({level}) is at {who}'s current level: record it as a "
                            "{lateral}, not a promotion", who=who,
                            role=Term(role.title, f"'{role.id}'"), level=levels[role.level].term,
                            lateral=Term("lateral move", "lateral_move"))
    return PersonReadiness(person, p, assess(p, role, framework), framework)


# --- the pipeline: readiness for the next role of everyone in a team or the organization


@dataclass(frozen=True, slots=True)
class PipelineEntry:
    person: Person
    role: Role
    readiness: Readiness  # for the next role of the person's track


@dataclass(frozen=True, slots=True)
class Pipeline:
    as_of: date
    manager: Person | None  # None: the whole organization
    framework: Framework
    entries: tuple[PipelineEntry, ...]  # ready first, then by score, then by handle
    without_next_role: int  # active people at the top of their track (or off-framework)


def team_readiness(uow: UnitOfWork, manager_ref: str | None = None) -> Pipeline:
    """Readiness for the next role of every active person under a manager (transitively,
    as ``person list --team``), or with no manager of the whole organization.

    Reads today's profiles from the current-state table in one query and never refolds an
    event, so the whole organization costs one JSON parse and one assessment per person.
    """
    today = clock.today()
    with uow:
        manager = find_person(uow, manager_ref) if manager_ref else None
        people = uow.people.reports(manager.id) if manager else uow.people.all()
        by_id = {p.id: p for p in people}
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        rows = uow.state.rows(list(by_id)) if manager and len(by_id) < 900 else \
            uow.state.rows()
    next_roles: dict[str, Role | None] = {}
    as_of = today.isoformat()
    ranked: list[tuple[tuple[bool, float, bool, str], PipelineEntry]] = []
    without_next = 0
    with paused_gc():  # many short-lived dicts: collection passes would cost more than them
        for row in rows:
            person = by_id.get(row["person_id"])
            role_id = row["role"]
            if person is None or role_id is None or row["departed_on"] is not None:
                continue
            if role_id not in next_roles:
                next_roles[role_id] = (framework.next_role(role_id)
                                       if role_id in framework.roles else None)
            target = next_roles[role_id]
            if target is None:
                without_next += 1
                continue
            doc = orjson.loads(row["profile"])
            doc["as_of"] = as_of  # assessed today, not on the day it was stored
            r = assess(profile_from_document(doc, history=False, reviews=False), target,
                       framework)
            gates_hold = r.gates_hold
            ranked.append(((not (gates_hold and r.score >= r.ready_at), -r.score,
                            not gates_hold, person.handle),
                           PipelineEntry(person, framework.roles[role_id], r)))
    ranked.sort(key=itemgetter(0))
    return Pipeline(today, manager, framework, tuple(e for _, e in ranked), without_next)


# --- promotion, guarded by the gates


@dataclass(frozen=True, slots=True)
class Promoted:
    event: Event
    assessed: PersonReadiness  # the readiness on the promotion date, before it
    pay: int | None  # the base pay after the promotion
    overridden: tuple[str, ...]  # the gates the override went past (empty: none failed)


def promotion_pay(current: int | None, target: Role) -> int | None:
    """The default pay on promotion: the current pay, raised to the target band's minimum.

    With no pay band the pay stays as it is; with no current pay the band's minimum.
    """
    band = target.pay_band
    if band is None:
        return current
    return band.min if current is None else max(current, band.min)


_SELF_EXPLAINED = frozenset({"must_have", "band_level", "time_in_level"})


def failing(r: Readiness) -> Term:
    """The requirements that refuse a promotion: competencies by name and mastery by its
    name in words, by id on the command line."""
    def said(detail: str, name: str, kind: str) -> str:
        return detail if kind in _SELF_EXPLAINED else f"{name}: {detail}"
    return Term("; ".join(said(g.in_words, g.name, g.kind) for g in r.blocking),
                "; ".join(said(g.detail, g.name, g.kind) for g in r.blocking))


def assess_promotion(uow: UnitOfWork, person: Person, to_role: str, on: date
                     ) -> PersonReadiness:
    """Readiness for a promotion to ``to_role`` on ``on``, inside an open unit of work (a
    promotion case signs and writes in the same one)."""
    return _assess_person(uow, person, to_role, on, promotion=True)


def promote(uow: UnitOfWork, person_ref: str, to_role: str, *, pay: int | None = None,
            on: date | None = None, override: str | None = None,
            evidence: str | None = None, author: str) -> Promoted:
    """Record a promotion if every readiness gate holds on its date, or with an override.

    A failed gate without an override raises PromotionRefused and writes nothing. An
    override reason is recorded on the event (``override_reason``) only when it was needed.
    ``pay`` defaults to ``promotion_pay``.
    """
    if override is not None and not override.strip():
        raise InvalidEvent("an override needs a reason")
    on = on or clock.today()
    with uow:
        person = find_person(uow, person_ref)
        assessed = _assess_person(uow, person, to_role, on, promotion=True)
        r = assessed.readiness
        failed = r.blocking
        if failed and override is None:
            raise PromotionRefused(
                "promotion of {who} to {role} refused, a requirement fails: {failed} (an "
                "override with a reason records it anyway)", r, who=person.term,
                role=Term(r.target.title, r.target.id), failed=failing(r))
        new_pay = pay if pay is not None else promotion_pay(assessed.profile.pay, r.target)
        fields = {"role": r.target.id, "pay": new_pay,
                  "override_reason": override.strip() if failed and override else None}
        event = append_event(uow, person, EventKind.PROMOTION, on, fields, author=author,
                             evidence=evidence)
        audit_trail.note(uow, author, "event.record", f"person/{person.handle}/events/{event.id}",
                         {"kind": EventKind.PROMOTION.value, "role": r.target.id,
                          "overridden": [g.name for g in failed] if override else []})
        uow.commit()
        return Promoted(event, assessed, new_pay if new_pay is not None else
                        assessed.profile.pay, tuple(g.name for g in failed))
