"""Use cases of promotion cases: open one, comment, approve, decline, defer or withdraw it,
show it with its evidence packet, list them.

Every write is one transaction: the last approval signs its step and writes the
``promotion`` event (linked to the case) together, or neither happens. The rules are pure
(domain.cases); this module finds the people, the chart and the framework, and keeps the
rows. Who acts is a ``Signer``: a web user, or on the command line whoever ``--by`` names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from trellis.domain.access import Role as AccountRole
from trellis.domain.approvals import Signer
from trellis.domain.cases import (
    Case,
    CaseStatus,
    Decision,
    Packet,
    check_pay,
    check_target,
    is_proposer,
    may_see,
    nominator_of,
    override_reason,
    packet_of,
    required_text,
    resolve_steps,
    step_to_sign,
    subject_of,
)
from trellis.domain.days import day_term
from trellis.domain.events import Event, EventKind, shown, text_value
from trellis.domain.framework import Framework, Role
from trellis.domain.limits import LONG_TEXT_MAX, MONEY_MAX, check_date
from trellis.domain.people import Person
from trellis.domain.profile import Profile
from trellis.domain.readiness import Readiness
from trellis.domain.timeline import build_timeline
from trellis.errors import (
    UNKNOWN,
    Conflict,
    InvalidEvent,
    LedgerRuleBroken,
    NotApplicable,
    NotFound,
    PermissionDenied,
    PromotionRefused,
    Term,
    TrellisError,
    you,
)

from . import audit_trail, clock
from .frameworks import version_in_force
from .ledger import append_event, find_person
from .profiles import profile_of
from .readiness import assess_promotion, failing, promotion_pay
from .unit_of_work import UnitOfWork


def signer_named(uow: UnitOfWork, ref: str) -> Signer:
    """``--by WHO`` on the command line: an account's email (its person and role), or a
    person (an HR admin when an HR account is linked to them)."""
    with uow.reading():
        found = uow.accounts.user_by_email(ref.strip())
        if found is not None:
            return Signer.of(found[0])
        person = find_person(uow, ref)
        hr = any(u.person_id == person.id and u.role is AccountRole.HR_ADMIN
                 for u in uow.accounts.users())
    return Signer(person.id, person.handle, hr)


def manager_of(uow: UnitOfWork, person_ref: str) -> Signer:
    """The default nominator on the command line: the person's manager."""
    with uow.reading():
        person = find_person(uow, person_ref)
        manager = uow.people.get(person.manager_id) if person.manager_id else None
    if manager is None:
        raise InvalidEvent("{person} has no manager: say who nominates them with {by}",
                           person=person.term, by=Term("", "--by"))
    return signer_named(uow, manager.handle)


@dataclass(frozen=True, slots=True)
class Opened:
    case: Case
    warning: str | None  # the pay proposal outside the band, when a reason went with it


def open_case(uow: UnitOfWork, person_ref: str, to_role: str, *, justification: str,
              by: Signer, pay: int | None = None, pay_reason: str | None = None,
              on: date | None = None) -> Opened:
    """Open a case for a promotion of ``person_ref`` to ``to_role``, effective ``on``
    (default today). ``pay`` defaults to the current pay raised to the band's minimum.

    Refused: a role at or below the current level, a second open case for the person, a
    nominator outside the person's chain (not themselves, not HR), pay outside the band
    without a reason, an empty justification.
    """
    why = _text(justification, "the justification")
    if not why:
        raise InvalidEvent("a promotion case needs a justification")
    reason = _text(pay_reason, "the pay reason") or None
    if pay is not None and not 0 <= pay <= MONEY_MAX:
        raise InvalidEvent(f"the pay proposal {pay} is not a plausible pay")
    today = clock.today()
    effective = check_date(on, "the effective date") if on else today
    with uow:
        person = find_person(uow, person_ref)
        uow.people.lock(person.id)
        profile = profile_of(uow, person).profile
        framework, current = _in_role(uow, person, profile)
        target = framework.roles.get(to_role.strip())
        if target is None:
            raise NotFound(f"unknown role {shown(to_role)}")
        check_target(person.term, current, framework.rank_of(current.id), target,
                     framework.rank_of(target.id), framework.levels)
        chain = uow.people.managers(person.id)
        nominator = nominator_of(by, person.id, chain)
        earlier = uow.cases.open_for(person.id)
        if earlier is not None:
            raise Conflict("{person} already has an open promotion case{case}: decide or "
                           "withdraw it first", person=person.term,
                           case=Term("", f" (case {earlier.id})"))
        proposed = pay if pay is not None else promotion_pay(profile.pay, target)
        currency = profile.currency or framework.currency
        warning = check_pay(proposed, target, currency, reason)
        steps = resolve_steps(framework.approvals.promotion, chain, person_id=person.id,
                              proposer_id=by.person_id)
        now = clock.now()
        draft = Case(0, person.id, current.id, target.id, nominator, by.label, by.person_id,
                     why, proposed, reason if warning else None, currency, effective,
                     CaseStatus.OPEN, steps, now, now)
        case_id = uow.cases.add(draft)
        if not steps:  # no approval declared: the proposer's decision stands
            _promote_now(uow, replace(draft, id=case_id), person, by)
        found = uow.cases.get(case_id)
        assert found is not None
        audit_trail.note(uow, by.label, "case.open", f"case/{case_id}",
                         {"to": found.to_role, "outside_band": warning is not None})
        uow.commit()
        return Opened(found, warning)


def _promote_now(uow: UnitOfWork, case: Case, person: Person, by: Signer) -> None:
    """A case with no approvers is decided when it opens: the promotion is written if
    every requirement holds (nobody may override one: no approver is declared)."""
    if case.effective_on > clock.today():
        raise LedgerRuleBroken("the framework declares no approvers, so the case is "
                               "decided when it opens: {on} is in the future",
                               on=day_term(case.effective_on))
    r = assess_promotion(uow, person, case.to_role, case.effective_on).readiness
    if r.blocking:
        raise PromotionRefused(
            "a requirement for {role} fails: {failed}; the framework declares no approver "
            "who could override it", r, role=Term(r.target.title, r.target.id),
            failed=failing(r))
    event = append_event(uow, person, EventKind.PROMOTION, case.effective_on,
                         {"role": case.to_role, "pay": case.pay, "case": case.id},
                         author=by.label, evidence=case.justification)
    uow.cases.decide(case.id, CaseStatus.APPROVED, clock.now(), by=by.label,
                     event_id=event.id)


@dataclass(frozen=True, slots=True)
class Signed:
    case: Case
    event: Event | None  # the promotion, when this was the last approval
    overridden: tuple[str, ...]  # the gates the approver went past


def approve(uow: UnitOfWork, case_id: int, *, by: Signer,
            override: str | None = None) -> Signed:
    """Sign the waiting step. A failing readiness gate needs ``override`` (a reason) from
    the approver; the last approval writes the promotion at the case's effective date."""
    if override is not None and not override.strip():
        raise InvalidEvent("an override needs a reason")
    note = _text(override, "the override reason") or None
    today = clock.today()
    with uow:
        case, person, people = _for_signing(uow, case_id)
        step = step_to_sign(case, by, people)
        last = step.position == case.steps[-1].position
        if last and case.effective_on > today:
            raise LedgerRuleBroken("{case} takes effect on {on}: its last approval is "
                                   "signed on or after that date", case=subject_of(case),
                                   on=day_term(case.effective_on))
        assessed = assess_promotion(uow, person, case.to_role, min(case.effective_on, today))
        r = assessed.readiness
        failed = r.blocking
        if failed and note is None:
            raise PromotionRefused(
                "{case}a requirement for {role} fails: {failed} (the approver's override "
                "with a reason signs it anyway)", r, role=Term(r.target.title, r.target.id),
                failed=failing(r), case=Term("", f"case {case.id}: "))
        signed = replace(step, decision=Decision.APPROVED, signed_by=by.label,
                         signer_id=by.person_id, signed_at=clock.now(),
                         override=note if failed else None)
        uow.cases.sign(case.id, signed)
        event = None
        if last:
            steps = tuple(signed if s.position == step.position else s for s in case.steps)
            fields: dict[str, Any] = {
                "role": case.to_role, "pay": case.pay, "case": case.id,
                "override_reason": override_reason(steps) if failed else None}
            event = append_event(uow, person, EventKind.PROMOTION, case.effective_on, fields,
                                 author=by.label, evidence=case.justification)
            uow.cases.decide(case.id, CaseStatus.APPROVED, clock.now(), by=by.label,
                             event_id=event.id)
        else:
            uow.cases.touch(case.id, clock.now())
        found = uow.cases.get(case.id)
        assert found is not None
        audit_trail.note(uow, by.label, "case.approve", f"case/{case.id}",
                         {"overridden": [g.name for g in failed],
                          "event": event.id if event else None})
        uow.commit()
        return Signed(found, event, tuple(g.name for g in failed))


def decide(uow: UnitOfWork, case_id: int, decision: Decision, *, by: Signer,
           reason: str | None) -> Case:
    """Decline or defer a case at its waiting step (whoever may sign it), with a reason."""
    if decision is Decision.APPROVED:
        raise InvalidEvent("an approval is signed with approve")
    what = "declining a case" if decision is Decision.DECLINED else "deferring a case"
    why = required_text(_text(reason, "the reason"), what)
    with uow:
        case, _person, people = _for_signing(uow, case_id)
        step = step_to_sign(case, by, people)
        now = clock.now()
        uow.cases.sign(case.id, replace(step, decision=decision, signed_by=by.label,
                                        signer_id=by.person_id, signed_at=now, reason=why))
        status = CaseStatus.DECLINED if decision is Decision.DECLINED else CaseStatus.DEFERRED
        uow.cases.decide(case.id, status, now, by=by.label, reason=why)
        found = uow.cases.get(case.id)
        assert found is not None
        audit_trail.note(uow, by.label, "case.decline" if decision is Decision.DECLINED
                         else "case.defer", f"case/{case.id}", {"reason": why})
        uow.commit()
        return found


def withdraw(uow: UnitOfWork, case_id: int, *, by: Signer, reason: str | None) -> Case:
    """The proposer (or an HR admin) takes an open case back."""
    why = required_text(_text(reason, "the reason"), "withdrawing a case")
    with uow:
        case, _person, _people = _for_signing(uow, case_id)
        if not case.is_open:
            raise LedgerRuleBroken(f"{{case}} is {case.status}: only an open case is "
                                   "withdrawn", case=subject_of(case))
        if not (is_proposer(case, by) or by.is_hr):
            raise PermissionDenied("{you} may not withdraw {case}: its proposer or an HR admin "
                                   "can", you=you(by.label), case=subject_of(case))
        uow.cases.decide(case.id, CaseStatus.WITHDRAWN, clock.now(), by=by.label, reason=why)
        found = uow.cases.get(case.id)
        assert found is not None
        audit_trail.note(uow, by.label, "case.withdraw", f"case/{case.id}", {"reason": why})
        uow.commit()
        return found


def comment(uow: UnitOfWork, case_id: int, text: str, *, by: Signer) -> int:
    """Add a comment to a case (anyone who may see it); returns the comment's id."""
    body = _text(text, "the comment")
    if not body:
        raise InvalidEvent("a comment needs some text")
    with uow:
        case = _visible(uow, case_id, by)
        now = clock.now()
        comment_id = uow.cases.add_comment(case.id, by.label, by.person_id, now, body)
        uow.cases.touch(case.id, now)
        audit_trail.note(uow, by.label, "case.comment", f"case/{case.id}",
                         {"comment": comment_id})
        uow.commit()
        return comment_id


# --- reading


@dataclass(frozen=True, slots=True)
class CaseView:
    case: Case
    person: Person
    framework: Framework
    target: Role | None
    current: Role | None
    handles: Mapping[int, str]  # person id -> handle, for everyone the case names
    packet: Packet
    readiness: Readiness | None  # for the target: today (open), else before the decision
    readiness_note: str | None
    reviews: Mapping[str, Mapping[str, Sequence[Any]]]  # cycle -> role -> ReviewRecords
    pay_warning: str | None
    may_sign: bool  # the viewer may approve, decline or defer it now


def show_case(uow: UnitOfWork, case_id: int, viewer: Signer) -> CaseView:
    """A case with its evidence packet, assembled from the ledger now."""
    from trellis.domain.cases import pay_warning

    with uow.reading():
        case = _visible(uow, case_id, viewer)
        person = uow.people.get(case.person_id)
        assert person is not None
        people = _people(uow, case)
        handles = {i: p.handle for i, p in people.items()}
        catalog = uow.frameworks.catalog
        today = clock.today()
        framework = catalog[version_in_force(uow, today).id]
        events = uow.events.for_person(person.id)
        decided = case.status is CaseStatus.APPROVED
        asked = case.effective_on - timedelta(days=1) if decided else \
            min(case.effective_on, today)
        profile = profile_of(uow, person, asked).profile
        ready, note = None, None
        try:
            ready = assess_promotion(uow, person, case.to_role, asked).readiness
        except TrellisError as exc:
            note = str(exc)
        packet = packet_of(build_timeline(events, catalog),
                           profile.last_promotion_on or profile.hired_on)
        target = framework.roles.get(case.to_role)
        try:
            may_sign = step_to_sign(case, viewer, terms_of(people)) is not None
        except TrellisError:
            may_sign = False
        return CaseView(case, person, framework, target, framework.roles.get(case.from_role),
                        handles, packet, ready, note,
                        # upward reviews stay out: anonymous to the manager and their
                        # chain, who approve a case (domain.upward)
                        {c: {role: rs for role, rs in by_role.items() if role != "upward"}
                         for c, by_role in profile.reviews.items()},
                        pay_warning(case.pay, target, case.currency) if target else None,
                        may_sign)


def list_cases(uow: UnitOfWork, viewer: Signer, *, status: CaseStatus | None = None,
               person_ref: str | None = None) -> tuple[list[Case], Mapping[int, str]]:
    """The cases ``viewer`` may see (HR admins: all; others: their own, their org's and
    those waiting for them), newest first, with the handles they name."""
    with uow.reading():
        person = find_person(uow, person_ref) if person_ref else None
        found = uow.cases.find(status=status, person_ids=[person.id] if person else None)
        chains: dict[int, list[int]] = {}
        out = []
        for case in found:
            if case.person_id not in chains:
                chains[case.person_id] = uow.people.managers(case.person_id)
            if may_see(viewer, case, chains[case.person_id]):
                out.append(case)
        handles = {p.id: p.handle for p in uow.people.all()}
    return out, handles


def awaiting(case: Case, viewer: Signer) -> bool:
    """The case waits for ``viewer``'s signature (the signing check says they may sign)."""
    try:
        step_to_sign(case, viewer, {})
    except TrellisError:
        return False
    return True


# --- helpers


def _text(value: str | None, what: str) -> str:
    if value is None:
        return ""
    return text_value(value, what, LONG_TEXT_MAX, multiline=True)


def _in_role(uow: UnitOfWork, person: Person, profile: Profile) -> tuple[Framework, Role]:
    if profile.hired_on is None or profile.role is None:
        raise NotApplicable("{person} has no role: record a hire first", person=person.term)
    if profile.departed_on is not None:
        raise NotApplicable("{person} left on {left}: a promotion case is for someone in "
                            "a role", person=person.term, left=day_term(profile.departed_on))
    framework = uow.frameworks.catalog[version_in_force(uow, profile.as_of).id]
    current = framework.roles.get(profile.role)
    if current is None:
        raise NotApplicable("{person}'s role{role} is not in {framework} in force",
                            person=person.term, role=Term("", f" '{profile.role}'"),
                            framework=framework.term)
    return framework, current


def _case(uow: UnitOfWork, case_id: int) -> Case:
    found = uow.cases.get(case_id)
    if found is None:
        raise NotFound(f"{{unknown}} promotion case {case_id}", unknown=UNKNOWN)
    return found


def _visible(uow: UnitOfWork, case_id: int, viewer: Signer) -> Case:
    """A case the viewer may see; to anyone else it does not exist (NotFound), as a
    person's private data is to those outside their circle."""
    case = _case(uow, case_id)
    if not may_see(viewer, case, uow.people.managers(case.person_id)):
        raise NotFound(f"{{unknown}} promotion case {case_id}", unknown=UNKNOWN)
    return case


def _for_signing(uow: UnitOfWork, case_id: int) -> tuple[Case, Person, dict[int, Term]]:
    uow.cases.lock(case_id)
    case = _case(uow, case_id)
    person = uow.people.get(case.person_id)
    assert person is not None
    return case, person, terms_of(_people(uow, case))


def _people(uow: UnitOfWork, case: Case) -> dict[int, Person]:
    """The people a case names: the person, the nominator, the approvers, the authors."""
    ids = {case.person_id, case.nominator_id, *(s.person_id for s in case.steps),
           *(s.signer_id for s in case.steps), *(c.author_id for c in case.comments)}
    out = {}
    for pid in ids:
        found = uow.people.get(pid) if pid is not None else None
        if found is not None:
            out[found.id] = found
    return out


def terms_of(people: Mapping[int, Person]) -> dict[int, Term]:
    """Each person as a message names them (``Person.term``)."""
    return {i: p.term for i, p in people.items()}
