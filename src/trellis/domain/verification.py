"""Pending verification: which self-reported advances wait for someone else's word.

An event is *self-reported* when the person recorded it about themselves, signed in to
their own account (``Event.self_reported``, set by the service that records it; the CLI
and imports never set it, so a personal journal and imported history count as before).
A self-reported event of a kind the framework's ``verification.pending`` lists is
*pending*: the fold (domain.profile) holds it until a ``verification`` event by someone
other than its author releases it. A self-reported skill step of more than one mastery
level needs a verifier named on it, who is not the person, when ``jumps_need_verifier`` is
set (``check_jump``, a rule of recording: imported history is not refused). A step anyone
else records is vouched for by its author, who is not the person.
"""

from __future__ import annotations

from trellis.errors import InvalidEvent

from .events import (
    Certification,
    Demonstrated,
    Details,
    Event,
    ProjectLeadership,
    Responsibility,
    SkillStep,
)
from .framework import VerificationPolicy
from .people import Person


def check_jump(details: Details, verifier: str | None, person: Person, author: str,
               policy: VerificationPolicy) -> None:
    """Refuse a skill step of more than one level that names no verifier other than the
    person (by handle, name, email, or as the event's own author when self-reported)."""
    if not (isinstance(details, SkillStep) and policy.jumps_need_verifier):
        return
    levels = details.to_mastery - details.from_mastery
    if levels <= 1:
        return
    selves = {person.handle, person.name.casefold(), (person.email or "").casefold(),
              author.casefold()}
    if verifier is None or verifier.casefold() in selves:
        named = "" if verifier is None else " other than {person}"
        raise InvalidEvent(
            f"skill_step: {details.competency} {details.from_mastery} -> "
            f"{details.to_mastery} jumps {levels} mastery levels: name a verifier{named} "
            "who checked the evidence, record one level at a time, or rate it in a review",
            person=person.term)


def would_change(event: Event) -> str:
    """What a pending event would change once verified, in a few words."""
    d = event.details
    if isinstance(d, SkillStep):
        return f"{d.competency} mastery {d.from_mastery} -> {d.to_mastery}"
    if isinstance(d, Certification):
        # its kind is shown beside it: "Certification: CKA (testing)", not "certification" twice
        return d.certification + (f" ({d.competency})" if d.competency else "")
    if isinstance(d, Demonstrated):
        return f"criterion {d.criterion} demonstrated"
    if isinstance(d, ProjectLeadership):
        return f"project led: {d.project}"
    if isinstance(d, Responsibility):
        return f"{d.share:.0%} of time in {d.function}"
    return str(d.kind)
