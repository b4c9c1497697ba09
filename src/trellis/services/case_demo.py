"""Promotion cases for the demo organization, so the case pages have data on first run:
approved cases behind the latest promotions, one case waiting for its approver, one
declined.

The generated ledger already holds its promotions; the approved cases are the record of
how they were decided (signed on the promotion's date, linked to its event). The open and
the declined case go through the ordinary use cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from trellis.domain.approvals import Signer
from trellis.domain.cases import (
    Case,
    CaseStatus,
    Decision,
    Nominator,
    Step,
    resolve_steps,
)
from trellis.domain.events import EventKind
from trellis.errors import TrellisError

from . import cases as use
from .frameworks import version_in_force
from .profiles import profile_of
from .unit_of_work import UnitOfWork

HR_DEMO = "hr@demo.trellis"  # the demo's HR admin account (services.accounts)
APPROVED = 3


def demo_cases(uow_factory: Callable[[], UnitOfWork], *, manager: str | None,
               today: date) -> int:
    """Write the demo's cases; returns how many. ``manager``: the demo manager, whose
    reports get the open and the declined case."""
    made = _approved(uow_factory(), today)
    if manager is None:
        return made
    with uow_factory().reading() as uow:
        boss = uow.people.find(manager)
        if boss is None:
            return made
        rows = {r["person_id"]: r for r in uow.state.rows(
            columns=["person_id", "role", "departed_on"])}
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        reports = [p for p in uow.people.reports(boss.id) if p.manager_id == boss.id
                   and rows.get(p.id, {}).get("departed_on") is None
                   and not uow.people.reports(p.id)]
        nominees = [p for p in reports if (role := rows[p.id]["role"]) in framework.roles
                    and framework.next_role(role) is not None]
        skip = uow.people.get(boss.manager_id) if boss.manager_id else None
    proposer = Signer(boss.id, boss.handle)
    signer = Signer(skip.id, skip.handle) if skip else Signer(None, HR_DEMO, True)
    wanted = [("open", "Leads the on-call rotation and mentors two new engineers."),
              ("declined", "Asked for a step up after a strong half year.")]
    for nominee, (outcome, why) in zip(nominees[1:], wanted, strict=False):
        try:
            target = framework.next_role(rows[nominee.id]["role"])
            assert target is not None
            opened = use.open_case(uow_factory(), nominee.handle, target.id,
                                   justification=why, by=proposer,
                                   pay_reason="kept at the current pay")
            if outcome == "declined":
                use.decide(uow_factory(), opened.case.id, Decision.DECLINED, by=signer,
                           reason="The readiness gaps are real: revisit after the next "
                           "review cycle.")
            made += 1
        except TrellisError:  # a demo oddity (an open case already): skip that person
            continue
    return made


def _approved(uow: UnitOfWork, today: date) -> int:
    """A signed case behind each of the latest promotions of the last year."""
    with uow:
        rows = uow.events.of_kinds([EventKind.PROMOTION])
        recent = sorted((r for r in rows if (today - r.effective_on).days <= 365),
                        key=lambda r: (r.effective_on, r.id))[-APPROVED:]
        for row in recent:
            person = uow.people.get(row.person_id)
            if person is None:
                continue
            before = profile_of(uow, person, row.effective_on - timedelta(days=1)).profile
            chain = uow.people.managers(person.id)
            manager = chain[0] if chain else None
            steps = resolve_steps(
                uow.frameworks.catalog[version_in_force(uow, row.effective_on).id]
                .approvals.promotion, chain, person_id=person.id, proposer_id=manager)
            at = datetime.combine(row.effective_on, time(9))
            nominator = uow.people.get(manager) if manager is not None else None
            draft = Case(0, person.id, before.role or "", str(row.details["role"]),
                         Nominator.MANAGER if nominator else Nominator.HR,
                         nominator.handle if nominator else HR_DEMO,
                         nominator.id if nominator else None,
                         "Promoted after a strong year: see the packet.",
                         row.details.get("pay"), None, before.currency, row.effective_on,
                         CaseStatus.OPEN, steps, at - timedelta(days=21),
                         at - timedelta(days=21))
            case_id = uow.cases.add(draft)
            for step in steps:
                signer = uow.people.get(step.person_id) if step.person_id else None
                uow.cases.sign(case_id, _signed(step, signer.handle if signer else HR_DEMO,
                                                signer.id if signer else None, at))
            uow.cases.decide(case_id, CaseStatus.APPROVED, at,
                             by=HR_DEMO if steps and steps[-1].for_hr else draft.nominated_by,
                             event_id=row.id)
        uow.commit()
        return len(recent)


def _signed(step: Step, label: str, person_id: int | None, at: datetime) -> Step:
    return replace(step, decision=Decision.APPROVED, signed_by=label, signer_id=person_id,
                   signed_at=at)
