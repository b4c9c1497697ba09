"""Use cases that read a person's career: their profile at a date, and their timeline."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from trellis.domain.framework import Framework
from trellis.domain.framework_versions import in_force
from trellis.domain.people import Person
from trellis.domain.profile import Profile, fold, fold_from, resume
from trellis.domain.rules import RulesReport, evaluate_rules

from . import clock
from .ledger import find_person
from .unit_of_work import UnitOfWork

if TYPE_CHECKING:  # `trellis profile` needs no timeline
    from trellis.domain.events import Event
    from trellis.domain.timeline import TimelineEntry


@dataclass(frozen=True, slots=True)
class PersonProfile:
    person: Person
    profile: Profile
    framework: Framework | None  # the version the profile was last written under

    @property
    def rules(self) -> RulesReport | None:
        return evaluate_rules(self.profile, self.framework) if self.framework else None


def profile(uow: UnitOfWork, ref: str, at: date | None = None) -> PersonProfile:
    """Today's profile comes from the current-state table; a past date refolds the ledger."""
    with uow.reading():
        return profile_of(uow, find_person(uow, ref), at)


def profile_of(uow: UnitOfWork, person: Person, at: date | None = None) -> PersonProfile:
    """``profile`` inside an open unit of work, for use cases that go on to write."""
    today = clock.today()
    if at is None or at >= today:
        current = uow.state.current(person.id)
        if current is not None:
            on, version = at or today, current.framework_version
            catalog = uow.frameworks.catalog
            if version is not None and in_force(catalog, version, on) != version:
                current = resume(current, catalog).snapshot(on)  # a version took effect since
            return _found(uow, person, replace(current, as_of=on))
        at = today
    # A long career starts from its latest checkpoint. A retraction cancels its target
    # at every date, even when recorded later, so every retraction comes along.
    checkpoint = uow.state.checkpoint(person.id, at)
    events = uow.events.for_person(
        person.id, until=at, after=checkpoint.as_of if checkpoint else None)
    events += uow.events.retractions(person.id)  # the fold drops duplicates
    catalog = uow.frameworks.catalog
    if checkpoint is None:
        return _found(uow, person, fold(person.id, events, catalog, at))
    return _found(uow, person, fold_from(checkpoint, events, catalog, at))


def _found(uow: UnitOfWork, person: Person, profile: Profile) -> PersonProfile:
    version = profile.framework_version
    return PersonProfile(person, profile,
                         uow.frameworks.catalog[version] if version is not None else None)


def history(uow: UnitOfWork, ref: str) -> tuple[Person, list[Event]]:
    with uow.reading():
        person = find_person(uow, ref)
        return person, uow.events.for_person(person.id)


def timeline(uow: UnitOfWork, ref: str) -> tuple[Person, list[TimelineEntry]]:
    from trellis.domain.timeline import build_timeline

    with uow.reading():
        person = find_person(uow, ref)
        events = uow.events.for_person(person.id)
        return person, build_timeline(events, uow.frameworks.catalog)
