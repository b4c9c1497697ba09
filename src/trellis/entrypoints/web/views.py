"""What the API and the pages share: a use case called for a signed-in user, its result
turned into a public model with what the user may not see taken out, and the audit entry
that a write or a read of pay leaves behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from trellis.domain import access as rules
from trellis.domain.access import User
from trellis.domain.events import EventKind, advance_of, details_to_mapping, kind_from_text
from trellis.domain.profile_document import profile_to_document
from trellis.domain.rules import rules_to_document
from trellis.domain.timeline import TimelineEntry
from trellis.errors import InvalidEvent
from trellis.services import accounts, clock, people, profiles
from trellis.services.people import PersonRow
from trellis.services.unit_of_work import UnitOfWork

from .schemas import EventCreate, EventPublic, PersonPublic, ProfilePublic

UowFactory = Callable[[], UnitOfWork]


def person_public(row: PersonRow) -> PersonPublic:
    p, s = row.person, row.state
    return PersonPublic(id=p.id, handle=p.handle, name=p.name, email=p.email,
                        manager=row.manager, role=s.get("role"), level=s.get("level"),
                        hired_on=s.get("hired_on"), departed_on=s.get("departed_on"),
                        promotions=s.get("promotions") or 0,
                        micro_progressions=s.get("micro_progressions") or 0)


def visible_people(uow: UowFactory, user: User, include_departed: bool = False
                   ) -> list[PersonPublic]:
    """HR admins see everyone; a manager their team and themselves; an employee themselves."""
    if user.is_hr:
        rows = people.list_people(uow(), include_departed=include_departed)
    elif user.person_id is None:
        rows = []
    else:
        me = str(user.person_id)
        rows = [r for r in people.list_people(uow(), None, include_departed=True)
                if r.person.id == user.person_id]
        if user.role is rules.Role.MANAGER:
            rows += people.list_people(uow(), me, include_departed=include_departed)
    return [person_public(r) for r in rows]


def profile_view(uow: UowFactory, user: User, ref: str, at: date | None = None
                 ) -> ProfilePublic:
    seen, found = accounts.read_profile(uow(), user, ref, at)
    doc = rules.redact_profile(profile_to_document(found.profile), pay=seen.pay,
                               private=seen.private)
    report = found.rules
    return ProfilePublic(person=seen.person.handle, name=seen.person.name,
                         pay_visible=seen.pay, profile=doc,
                         rules=rules_to_document(report) if report else None)


def event_public(entry: TimelineEntry, handle: str, *, pay: bool, private: bool
                 ) -> EventPublic:
    """A timeline entry: a ledger event, or a band upgrade derived from one (no id)."""
    e, u = entry.event, entry.band_upgrade
    if e is not None:
        kind, details = e.kind, details_to_mapping(e.details)
    else:
        kind = None
        details = {"band": u.band, "from_level": u.from_level, "to_level": u.to_level,
                   "trigger_event_id": u.trigger, "pay_before": u.pay_before,
                   "pay_after": u.pay_after} if u else {}
        if not pay:
            details = {k: v for k, v in details.items() if not k.startswith("pay_")}
    summary, shown = rules.redact_timeline_item(kind, entry.summary, details, pay=pay,
                                                private=private)
    return EventPublic(id=e.id if e else None, person=handle, kind=entry.kind,
                       advance=entry.advance.value, effective_on=entry.on,
                       recorded_at=e.recorded_at if e else None,
                       author=e.author if e else None, evidence=e.evidence if e else None,
                       verifier=e.verifier if e else None, retracted_by=entry.retracted_by,
                       summary=summary, details=shown)


def timeline_view(uow: UowFactory, user: User, ref: str) -> list[EventPublic]:
    seen = accounts.access_to(uow(), user, ref)
    person, entries = profiles.timeline(uow(), str(seen.person.id))
    if seen.pay and any(e.event is not None and (e.event.kind in rules.PAY_KINDS or getattr(
            e.event.details, "pay", None) is not None) for e in entries):
        accounts.audit(uow(), user, "pay.read", f"person/{person.handle}/timeline")
    return [event_public(e, person.handle, pay=seen.pay, private=seen.private)
            for e in entries]


def record(uow: UowFactory, user: User, ref: str, body: EventCreate,
           *, extra_fields: dict[str, Any] | None = None) -> EventPublic:
    """Record an event the user may record, and audit it."""
    kind = kind_from_text(body.kind)
    if kind is EventKind.RETRACTION:
        raise InvalidEvent("retract through POST /api/events/{id}/retraction")
    done = accounts.record_for(uow(), user, ref, kind, body.effective_on or clock.today(),
                               {**body.details, **(extra_fields or {})},
                               evidence=body.evidence, verifier=body.verifier)
    e = done.event
    return EventPublic(id=e.id, person=done.person.handle, kind=e.kind.value,
                       advance=advance_of(e.kind).value, effective_on=e.effective_on,
                       recorded_at=e.recorded_at, author=e.author, evidence=e.evidence,
                       verifier=e.verifier, summary=done.summary,
                       details=details_to_mapping(e.details))
