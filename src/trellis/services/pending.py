"""Pending verification as a use case: what waits for a verifier, and the demo's examples.

The rule itself lives in the fold (domain.profile, domain.verification); verifying is
``ledger.verify_event``. This module reads what is pending and seeds the demo with a few
self-reported advances, so the employee and manager demo accounts see one on first run.
"""

from __future__ import annotations

from datetime import timedelta

from trellis.domain.events import Event, EventKind

from . import clock
from .ledger import append_event, find_person
from .unit_of_work import UnitOfWork


def pending_of(uow: UnitOfWork, ref: str) -> list[Event]:
    """A person's events waiting for someone else to verify them, in ledger order."""
    with uow.reading():
        person = find_person(uow, ref)
        current = uow.state.current(person.id)
        return list(current.pending) if current is not None else []


def demo_pending(uow: UnitOfWork, handle: str, email: str) -> list[Event]:
    """Two self-reported advances by the demo employee (signed in as ``email``): a skill
    step toward their role's next expectation and a certification, both pending."""
    today = clock.today()
    with uow:
        person = find_person(uow, handle)
        profile = uow.state.current(person.id)
        if profile is None or profile.role is None or profile.framework_version is None:
            return []
        framework = uow.frameworks.catalog[profile.framework_version]
        role = framework.roles[profile.role]
        gaps = [c for c, want in role.expects.items() if profile.mastery_of(c) < want]
        options = gaps or [c for c in role.expects
                           if profile.mastery_of(c) < framework.competencies[c].scale.max]
        made = []
        if options:
            comp = options[0]
            mastery = profile.mastery_of(comp)
            made.append(append_event(
                uow, person, EventKind.SKILL_STEP, today - timedelta(days=6),
                {"competency": comp, "from_mastery": mastery, "to_mastery": mastery + 1},
                author=email, evidence="design doc and the two PRs that shipped it",
                self_reported=True))
        cert_for = options[1] if len(options) > 1 else (options[0] if options else None)
        made.append(append_event(
            uow, person, EventKind.CERTIFICATION, today - timedelta(days=2),
            {"certification": "Cloud practitioner", "issuer": "an online course",
             "competency": cert_for}, author=email,
            evidence="certificate no. 4711", self_reported=True))
        uow.commit()
        return made
