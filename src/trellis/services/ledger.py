"""Use cases that append to the career ledger, and the projections that follow it.

Every write is one transaction: the event is inserted, the person's whole history is
replayed through the domain's rules (so a back-dated event or a retraction cannot leave an
impossible career behind), and the current-state tables are rewritten, or nothing is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any, TypeVar

from trellis.domain import profile as profile_rules
from trellis.domain.days import day_term
from trellis.domain.events import (
    Details,
    Event,
    EventKind,
    Recognition,
    Retraction,
    Review,
    Verification,
    details_from_mapping,
    event_text,
    shown,
)
from trellis.domain.framework import ReviewForm
from trellis.domain.limits import EMAIL_MAX, EVENT_ID_MAX, NAME_MAX, check_date
from trellis.domain.people import Person
from trellis.domain.profile import replay, resume
from trellis.domain.verification import check_jump
from trellis.errors import LedgerRuleBroken, NotFound, Term, you, your

from . import audit_trail, clock
from .frameworks import version_in_force
from .unit_of_work import UnitOfWork

T = TypeVar("T")


def find_person(uow: UnitOfWork, ref: str) -> Person:
    """A person by handle, email or id. A reference no person could have (too long, with a
    control character) is not looked up: PostgreSQL refuses a NUL in a query."""
    text = ref.strip()
    person = uow.people.find(text) if len(text) <= EMAIL_MAX and text.isprintable() else None
    if person is None:
        raise NotFound(f"unknown person {shown(ref)}")
    return person


def find_named(find: Callable[[str], T | None], name: str, what: str) -> T:
    """A review cycle, compensation cycle or calibration session by its name. A name no row
    could hold (too long, with a control character) is not looked up, as in find_person."""
    text = name.strip()
    found = find(text) if len(text) <= NAME_MAX and text.isprintable() else None
    if found is None:
        raise NotFound(f"unknown {what} {shown(name)}")
    return found


def record_event(
    uow: UnitOfWork,
    person_ref: str,
    kind: EventKind,
    effective_on: date,
    fields: Mapping[str, Any],
    *,
    author: str,
    evidence: str | None = None,
    verifier: str | None = None,
) -> Event:
    """Append one event for a person and bring their projections up to date."""
    with uow:
        person = find_person(uow, person_ref)
        event = append_event(uow, person, kind, effective_on, fields, author=author,
                             evidence=evidence, verifier=verifier)
        note_event(uow, author, "event.record", person, event,
                   {"kind": EventKind(kind).value})  # callers may name the kind as text
        uow.commit()
        return event


def note_event(uow: UnitOfWork, who: str, action: str, person: Person, event: Event,
               detail: dict[str, Any]) -> None:
    """The audit entry of an event just written: ``who`` on the person's event, except for
    an upward review, whose entry never says which report wrote it (docs/reviews.md)."""
    if isinstance(event.details, Review) and event.details.reviewer_role is ReviewForm.UPWARD:
        audit_trail.note_upward(uow, person.handle, action, {"cycle": event.details.cycle})
    else:
        audit_trail.note(uow, who, action, f"person/{person.handle}/events/{event.id}", detail)


def retract_event(uow: UnitOfWork, event_id: int, reason: str, *, author: str) -> Event:
    with uow:
        target = _known_event(uow, event_id)
        person = uow.people.get(target.person_id)
        assert person is not None
        event = append_event(uow, person, EventKind.RETRACTION, clock.today(),
                             {"retracts": event_id, "reason": reason}, author=author)
        audit_trail.note(uow, author, "event.retract", f"person/{person.handle}/events/{event_id}",
                         {"retraction": event.id})
        uow.commit()
        return event


def verify_event(uow: UnitOfWork, event_id: int, *, author: str,
                 notes: str | None = None) -> Event:
    """Vouch for an earlier event's evidence: a verification event by ``author``."""
    with uow:
        target = _known_event(uow, event_id)
        this = Term("this event", f"event {event_id}")
        if target.kind in (EventKind.RETRACTION, EventKind.VERIFICATION):
            raise LedgerRuleBroken("{event} is {kind} and has no evidence to verify",
                                   event=this, kind=target.kind.term)
        if target.author == author:
            raise LedgerRuleBroken("{event} was recorded by {you}: someone else must verify it",
                                   event=this, you=you(author))
        if target.self_reported and target.person_id in _persons_of(uow, author):
            raise LedgerRuleBroken("{event} is about {your} own career: someone else must "
                                   "verify it", event=this, your=your(author))
        person = uow.people.get(target.person_id)
        assert person is not None
        uow.people.lock(person.id)
        history = uow.events.for_person(person.id)
        retracted = {e.details.retracts for e in history if isinstance(e.details, Retraction)}
        if event_id in retracted:
            raise LedgerRuleBroken("{event} was retracted", event=this)
        # A verifier the person named on their own event is a claim, not a verification.
        named = target.verifier is not None and not target.self_reported
        if named or any(isinstance(e.details, Verification) and e.details.verifies == event_id
                        and e.id not in retracted for e in history):
            raise LedgerRuleBroken("{event} is already verified", event=this)
        on = max(clock.today(), target.effective_on)
        event = append_event(uow, person, EventKind.VERIFICATION, on,
                             {"verifies": event_id, "notes": notes}, author=author)
        audit_trail.note(uow, author, "event.verify", f"person/{person.handle}/events/{event_id}",
                         {"verification": event.id})
        uow.commit()
        return event


def _persons_of(uow: UnitOfWork, author: str) -> set[int]:
    """The people an author is: by a person's own email, or a user account linked to them."""
    found = uow.people.find(author) if "@" in author and len(author) <= EMAIL_MAX else None
    user = uow.accounts.user_by_email(author.strip().lower()) if "@" in author else None
    return {p for p in (found.id if found else None, user[0].person_id if user else None)
            if p is not None}


def unknown_event(event_id: int) -> NotFound:
    """No event has this id: a page says so in words (it never shows event ids); the
    command line gives the id it was told."""
    return NotFound("unknown {event}", event=Term("event", f"event {event_id}"))


def _known_event(uow: UnitOfWork, event_id: int) -> Event:
    """An event by id; an id no event can have (0, past 64 bits) is not looked up."""
    target = uow.events.get(event_id) if 0 < event_id <= EVENT_ID_MAX else None
    if target is None:
        raise unknown_event(event_id)
    return target


def append_event(
    uow: UnitOfWork,
    person: Person,
    kind: EventKind,
    effective_on: date,
    fields: Mapping[str, Any],
    *,
    author: str,
    evidence: str | None = None,
    verifier: str | None = None,
    self_reported: bool = False,
) -> Event:
    """Append inside an open unit of work; the caller commits. ``self_reported``: the
    person records it about themselves, signed in (see domain.verification)."""
    if effective_on > clock.today():
        raise LedgerRuleBroken("{kind} on {on}: the date is in the future",
                               kind=EventKind(kind).subject, on=day_term(effective_on))
    check_date(effective_on, "effective_on")
    details = details_from_mapping(kind, fields)
    author = event_text(author, "author") or author
    evidence, verifier = event_text(evidence, "evidence"), event_text(verifier, "verifier")
    version = version_in_force(uow, effective_on)
    if self_reported:  # anyone else recording a step vouches for it as its author
        check_jump(details, verifier, person, author,
                   uow.frameworks.catalog[version.id].verification)
    uow.people.lock(person.id)  # concurrent writes to one career replay in turn
    if isinstance(details, Recognition) and fields.get("giver"):
        giver = find_person(uow, str(fields["giver"]))
        details = replace(details, giver=giver.handle)
    latest, count = uow.events.extent(person.id)
    current = uow.state.current(person.id) if _lands_last(details, effective_on, latest,
                                                          count) else None
    history = [] if current is not None else uow.events.for_person(person.id)
    if isinstance(details, Retraction):
        _check_retraction(details, person, history, uow)
    draft = Event(
        id=0,
        person_id=person.id,
        effective_on=effective_on,
        details=details,
        recorded_at=clock.now(),
        author=author,
        evidence=evidence,
        verifier=verifier,
        framework_version=version.id,
        self_reported=self_reported,
    )
    event = replace(draft, id=uow.events.add(draft))
    try:
        if current is not None:
            builder, checkpoints = resume(current, uow.frameworks.catalog), None
            builder.apply(event)
        else:
            builder, checkpoints = replay(person.id, [*history, event],
                                          uow.frameworks.catalog)
    except LedgerRuleBroken as exc:
        terms = {**exc.terms, "_person": person.term}  # the rule's own terms kept
        if isinstance(details, Retraction):
            raise LedgerRuleBroken(
                "retracting {_event} would break {_person}'s ledger: " + exc.template,
                _event=Term("this event", f"event {details.retracts}"), **terms) from None
        raise LedgerRuleBroken("{_person}: " + exc.template, **terms) from None
    uow.state.write([builder.snapshot(clock.today())])
    if checkpoints is not None:
        uow.state.write_checkpoints(person.id, checkpoints)
    if kind is EventKind.PROMOTION:  # every promotion, whichever use case records it
        from .plan_retarget import retarget_after_promotion  # the plan engine: promotions only

        retarget_after_promotion(uow, person, event)
    return event


def _lands_last(details: Details, on: date, latest: date | None, count: int) -> bool:
    """Whether a new event comes after every other in ledger order (date, then id: its id
    is the newest) in a career too short to keep checkpoints. Then the current profile
    plus this one event is the whole replay, and the common write, today's
    micro-progression, need not read the history. Retractions and verifications concern
    earlier events, so they replay everything."""
    return (latest is not None and on >= latest and count + 1 < profile_rules.CHECKPOINT_EVERY
            and not isinstance(details, Retraction | Verification))


def _check_retraction(details: Retraction, person: Person, history: list[Event],
                      uow: UnitOfWork) -> None:
    target = next((e for e in history if e.id == details.retracts), None)
    if target is None:
        if uow.events.get(details.retracts) is not None:
            raise LedgerRuleBroken("{event} belongs to another person, not {person}",
                                   event=Term("this event", f"event {details.retracts}"),
                                   person=person.term)
        raise unknown_event(details.retracts)
    if target.kind is EventKind.RETRACTION:
        raise LedgerRuleBroken("{event} is a retraction and cannot be retracted",
                               event=Term("this event", f"event {target.id}"))
    for e in history:
        if isinstance(e.details, Retraction) and e.details.retracts == target.id:
            raise LedgerRuleBroken("{event} was already retracted{by}",
                                   event=Term("this event", f"event {target.id}"),
                                   by=Term("", f" by event {e.id}"))
