"""What the API and the pages share: a use case called for a signed-in user, its result
turned into a public model with what the user may not see taken out, and the audit entry
that a write or a read of pay leaves behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from trellis.adapters.ledger_files import parse_rows, rows_from_text
from trellis.domain import access as rules
from trellis.domain import upward
from trellis.domain.access import User
from trellis.domain.events import (
    EventKind,
    advance_of,
    details_from_mapping,
    details_to_mapping,
    kind_from_text,
)
from trellis.domain.profile_document import profile_to_document
from trellis.domain.rules import rules_to_document
from trellis.domain.timeline import TimelineEntry
from trellis.errors import InvalidEvent, LedgerRuleBroken, PermissionDenied
from trellis.services import (
    accounts,
    clock,
    compensation,
    ledger,
    people,
    profiles,
    recognition,
    simulation,
    transfer,
)
from trellis.services import advice as advice_use
from trellis.services import compare as compare_use
from trellis.services import evidence as evidence_use
from trellis.services.accounts import Access
from trellis.services.frameworks import framework_at
from trellis.services.people import PersonRow
from trellis.services.unit_of_work import UnitOfWork

from .schemas import (
    DocumentPublic,
    EventCreate,
    EventPublic,
    PersonPublic,
    ProfilePublic,
    RecognitionCreate,
)

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
    if doc.get("reviews"):  # upward reviews: one by one only for HR outside the chain
        with uow().reading() as u:
            chain = accounts.chain_of(u, seen.person)
        if not upward.sees_individually(user, seen.person.id, chain):
            doc = upward.without_upward(doc)
    report = found.rules
    return ProfilePublic(person=seen.person.handle, name=seen.person.name,
                         pay_visible=seen.pay, profile=doc,
                         rules=rules_to_document(report) if report else None)


def event_public(entry: TimelineEntry, handle: str, *, pay: bool, private: bool,
                 viewer: User | None = None) -> EventPublic:
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
    author = e.author if e else None
    if shown is not None and rules.hides_reviewer(
            shown, hr=viewer is not None and viewer.is_hr,
            viewer=viewer.email if viewer else None, author=author):
        shown = {k: v for k, v in shown.items() if k != "reviewer"}
        author = rules.HIDDEN
    return EventPublic(id=e.id if e else None, person=handle, kind=entry.kind,
                       advance=entry.advance.value, effective_on=entry.on,
                       recorded_at=e.recorded_at if e else None,
                       author=rules.shown_to(private, author),
                       evidence=e.evidence if e else None,
                       verifier=rules.shown_to(private, e.verifier if e else None),
                       retracted_by=entry.retracted_by,
                       verified_by=rules.shown_to(private, entry.verified_by),
                       pending=entry.pending, summary=summary, details=shown)


def timeline_view(uow: UowFactory, user: User, ref: str) -> list[EventPublic]:
    """A person's timeline as ``user`` may see it. Upward reviews (and their retractions)
    are left out unless the user reads them one by one (domain.upward) or wrote them."""
    seen = accounts.access_to(uow(), user, ref)
    person, entries = profiles.timeline(uow(), str(seen.person.id))
    hidden = upward.upward_events(e.event for e in entries if e.event is not None)
    if hidden:
        with uow().reading() as u:
            chain = accounts.chain_of(u, seen.person)
            me = u.people.get(user.person_id) if user.person_id is not None else None
        if not upward.sees_individually(user, seen.person.id, chain):
            entries = [e for e in entries if e.event is None or e.event.id not in hidden
                       or e.event.author == user.email
                       or (me is not None and hidden[e.event.id] == me.handle)]
    shown = [event_public(e, person.handle, pay=seen.pay, private=seen.private, viewer=user)
             for e in entries]
    if seen.pay and any(rules.carries_pay(e.details) for e in shown):
        accounts.audit(uow(), user, "pay.read", f"person/{person.handle}/timeline")
    return shown


def record(uow: UowFactory, user: User, ref: str, body: EventCreate,
           *, extra_fields: dict[str, Any] | None = None) -> EventPublic:
    """Record an event the user may record, and audit it."""
    kind = kind_from_text(body.kind)
    if kind is EventKind.RETRACTION:
        raise InvalidEvent("retract through POST /api/events/{id}/retraction")
    if kind is EventKind.VERIFICATION:
        raise InvalidEvent("verify through POST /api/events/{id}/verification")
    if (kind is EventKind.COMPENSATION and compensation.is_raise(body.details)
            and compensation.needs_approval(uow())):
        accounts.require_record(uow(), user, ref, kind)  # a 403 stays a 403
        details_from_mapping(kind, body.details)  # and bad details are named first
        raise LedgerRuleBroken("a raise needs an approver: propose it with POST "
                               "/api/compensation/raises (nothing was recorded)")
    if kind is EventKind.CALIBRATION:
        raise InvalidEvent("calibrate through POST /api/calibration/{session_id}/changes")
    done = accounts.record_for(uow(), user, ref, kind, body.effective_on or clock.today(),
                               {**body.details, **(extra_fields or {})},
                               evidence=body.evidence, verifier=body.verifier)
    e = done.event
    return EventPublic(id=e.id, person=done.person.handle, kind=e.kind.value,
                       advance=advance_of(e.kind).value, effective_on=e.effective_on,
                       recorded_at=e.recorded_at, author=e.author, evidence=e.evidence,
                       verifier=e.verifier, summary=done.summary, pending=done.pending,
                       details=details_to_mapping(e.details))


def verify(uow: UowFactory, user: User, event_id: int, notes: str | None) -> EventPublic:
    """Vouch for an event's evidence: the person's managers and HR admins, never the person
    or the event's author (``ledger.verify_event`` refuses that too)."""
    person = accounts.require_verify(uow(), user, event_id)
    event = ledger.verify_event(uow(), event_id, author=user.email, notes=notes)
    return next(e for e in timeline_view(uow, user, person.handle) if e.id == event.id)


def recognize(uow: UowFactory, user: User, ref: str, body: RecognitionCreate) -> EventPublic:
    """Recognize someone: colleagues give kudos, managers and HR admins any recognition."""
    person = accounts.require_recognize(uow(), user, ref, body.kind.value, body.points)
    giver = str(user.person_id) if user.person_id is not None else None
    done = recognition.recognize(uow(), str(person.id), body.citation, kind=body.kind.value,
                                 points=body.points, giver=giver, author=user.email,
                                 on=body.effective_on)
    return next(e for e in timeline_view(uow, user, person.handle) if e.id == done.event.id)


def import_text(uow: UowFactory, user: User, fmt: str, text: str, source: str,
                progress: transfer.ReportProgress | None = None) -> transfer.ImportSummary:
    """Validate and import a ledger file's text in one transaction (HR admins): any bad row
    refuses the whole file with every problem and its line (ImportRejected). ``progress``
    hears each phase, reading the rows first."""
    accounts.require_role(user, rules.Role.HR_ADMIN)
    if fmt not in ("csv", "jsonl"):
        raise InvalidEvent(f"unknown format '{fmt}': use csv or jsonl")
    reading = transfer.PhaseMeter(progress, "reading",
                                  text.count("\n") + (not text.endswith("\n")))
    found_people, found_events, problems = parse_rows(rows_from_text(text, fmt), source,
                                                      reading.at)
    reading.finish()
    summary = transfer.import_ledger(uow(), found_people, found_events, author=user.email,
                                     source=source, problems=problems, on_progress=progress)
    return summary


WEB_MAX_RUNS = 200_000  # a request's trajectories per strategy (the CLI allows 1,000,000)


def simulate(uow: UowFactory, user: User, *, person: str | None, cohort: str | None,
             strategy: str, years: int, runs: int, seed: int) -> DocumentPublic:
    """The strategy simulation: HR admins for anyone or any cohort; managers for one person
    of their team (or themselves). Its pay fan starts from the person's or the cohort's
    pay: a read of pay (audited)."""
    accounts.require_role(user, rules.Role.MANAGER, rules.Role.HR_ADMIN)
    if runs > WEB_MAX_RUNS:
        raise InvalidEvent(f"runs must be at most {WEB_MAX_RUNS:,} on the web")
    handle = None
    if person is not None:
        handle = accounts.require_private(uow(), user, person).person.handle
    elif not user.is_hr:
        raise PermissionDenied("managers simulate one person of their team: give a person")
    result = simulation.simulate(uow(), person=handle, cohort=cohort, strategy=strategy,
                                 years=years, runs=runs, seed=seed)
    subject = f"person/{handle}" if handle else f"cohort/{cohort}" if cohort else "organization"
    accounts.audit(uow(), user, "pay.read", f"{subject}/simulation",
                   {"runs": runs, "years": years})
    return DocumentPublic(person=handle, document=result.to_document())


def evidence(uow: UowFactory, user: User, *, at: date | None, since: date | None,
             min_months: float, window: str = "auto", horizon: int = 12,
             split: date | None = None) -> DocumentPublic:
    """The evidence document (HR admins), with each time-in-level group's Kaplan-Meier
    curve (``curve``: months, share still in level, 95% band) for the chart."""
    accounts.require_role(user, rules.Role.HR_ADMIN)
    found = evidence_use.evidence(uow(), as_of=at, since=since, min_months=min_months,
                                  window=window, horizon=horizon, split=split)
    doc = evidence_use.evidence_to_document(found)
    curves = {c.group: c for c in found.time_in_level}
    for group in doc["time_in_level"]["groups"]:
        c = curves[group["group"]]
        group["curve"] = {"months": list(c.months), "still_in_level": list(c.still_in_level),
                          "lower": list(c.lower), "upper": list(c.upper)}
    return DocumentPublic(document=doc)


def compare(uow: UowFactory, user: User, *, team: str | None, person: str | None,
            since: date | None, min_n: int) -> DocumentPublic:
    """The comparison table: the organization for HR admins, a team for its managers (and
    HR admins), a person for their private circle. Its salary feature is pay growth in
    currency: a read of pay (audited)."""
    if team is not None and person is not None:
        raise InvalidEvent("give a team or a person, not both")
    handle = None
    if person is not None:
        handle = accounts.require_private(uow(), user, person).person.handle
    elif team is not None or not user.is_hr:
        team = accounts.team_root(uow(), user, team)
    found = compare_use.compare(uow(), team=team, person=handle, since=since, min_n=min_n)
    subject = f"person/{handle}" if handle else f"team/{team}" if team else "organization"
    accounts.audit(uow(), user, "pay.read", f"{subject}/compare")
    return DocumentPublic(person=handle or team, document=found.to_document())


def advise(uow: UowFactory, user: User, ref: str) -> DocumentPublic:
    """Strategy advice for a person (their private circle); its simulated pay is a read of
    their pay (audited)."""
    seen, doc = _advice(uow, user, ref)
    return DocumentPublic(person=seen.person.handle, document=doc)


def advice_view(uow: UowFactory, user: User, ref: str) -> tuple[Access, dict[str, Any]]:
    """``advise`` for the advice page: who the person is to the reader, and the advice
    document, its simulated pay taken out when the reader may not see the person's pay."""
    seen, doc = _advice(uow, user, ref)
    return seen, doc if seen.pay else advice_without_pay(doc)


def _advice(uow: UowFactory, user: User, ref: str) -> tuple[Access, dict[str, Any]]:
    seen = accounts.require_private(uow(), user, ref)
    found = advice_use.advise(uow(), seen.person.handle)
    accounts.audit(uow(), user, "pay.read", f"person/{seen.person.handle}/advice")
    return seen, found.to_document()


def advice_without_pay(doc: dict[str, Any]) -> dict[str, Any]:
    """An advice document with the simulated median pay (a figure from the person's pay)
    hidden, in the simulation table and in the reason that quotes it."""
    return {**doc, "pay_hidden": True,
            "simulation": [{**s, "pay_p50": None} for s in doc.get("simulation", ())],
            "recommendation": {**doc["recommendation"], "reasons": [
                "Simulated pay by strategy: hidden." if "median pay" in reason else reason
                for reason in doc["recommendation"]["reasons"]]}}


def plan_targets(uow: UowFactory, role: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """The roles a plan from ``role`` may aim at, in the framework in force today (as
    readiness reads it): every other role at its level or above, its own track first, by
    level; and the default, the next role up its track (None at the top)."""
    if role is None:
        return [], None
    _, framework = framework_at(uow())
    current = framework.roles.get(role)
    if current is None:
        return [], None
    rank = framework.rank_of(role)
    found = sorted((r for r in framework.roles.values()
                    if r.id != role and framework.rank_of(r.id) >= rank),
                   key=lambda r: (r.track != current.track, r.track, framework.rank_of(r.id),
                                  r.id))
    following = framework.next_role(role)
    return ([{"id": r.id, "title": r.title, "track": r.track, "level": r.level}
             for r in found], following.id if following else None)
