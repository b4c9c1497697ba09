"""Who may see and do what: the roles of the web service, as pure rules.

    employee   their own data; logs their own micro-progressions
    manager    their own data and their reports' (transitively); records for the reports
    hr_admin   everything

Careers are open inside the organization: any signed-in user can read anyone's profile,
timeline, layers and recognitions, as in a skills directory. What is private to the person,
their management chain and HR admins: pay and compensation events (everyone else sees the
same pages with pay hidden), check-in notes, readiness, plans and the lattice's moves, the
directory's contact details (email, manager, hire date, id), who recorded or verified each
event, and every write. Everyone else finds a person by handle only: by email or id the
person is unknown to them, so trying ids or emails tells them nothing.
The rules take the management chain as data (ids of the person's managers, nearest
first), so they never touch storage.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from trellis.domain.events import EventKind
from trellis.domain.framework import ReviewForm


class Role(StrEnum):
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HR_ADMIN = "hr_admin"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    role: Role
    person_id: int | None
    created_at: datetime

    @property
    def is_hr(self) -> bool:
        return self.role is Role.HR_ADMIN


# What an employee may record about themselves: micro-progressions that a manager can
# later verify, criteria shown and their own assessment of them. Pay, promotions,
# recognition and departures are recorded by others.
SELF_RECORDED = frozenset({EventKind.SKILL_STEP, EventKind.CERTIFICATION,
                           EventKind.PROJECT_LEADERSHIP, EventKind.RESPONSIBILITY,
                           EventKind.DEMONSTRATED, EventKind.ASSESSED})
# Kinds that carry pay: hidden from anyone outside the person's management chain.
PAY_KINDS = frozenset({EventKind.COMPENSATION})
PAY_FIELDS = frozenset({"pay", "amount", "percent", "currency"})


class TokenScope(StrEnum):
    """What an API token may do: ``read`` only reads (GET, HEAD, OPTIONS); ``write`` does
    whatever its user may."""

    READ = "read"
    WRITE = "write"


def token_permits(scope: TokenScope, writes: bool) -> bool:
    return scope is TokenScope.WRITE or not writes


def can_manage_token(user: User, owner_id: int) -> bool:
    """List or revoke an API token: its owner, and HR admins anyone's."""
    return user.is_hr or user.id == owner_id


def manages(user: User, chain: Sequence[int]) -> bool:
    """The user is in the person's management chain (``chain``: their managers' ids)."""
    return user.person_id is not None and user.person_id in chain


def is_self(user: User, person_id: int) -> bool:
    return user.person_id is not None and user.person_id == person_id


def can_view(user: User, person_id: int, chain: Sequence[int]) -> bool:
    """See a person's public career (profile, timeline, layers): any signed-in user."""
    return True


def can_view_private(user: User, person_id: int, chain: Sequence[int]) -> bool:
    """See what is private to a person: themselves, their management chain, HR admins."""
    return user.is_hr or is_self(user, person_id) or manages(user, chain)


def can_look_up(user: User, person_id: int, chain: Sequence[int], by_handle: bool) -> bool:
    """Find a person: anyone by handle; by email or id only their private circle."""
    return by_handle or can_view_private(user, person_id, chain)


def can_see_pay(user: User, person_id: int, chain: Sequence[int]) -> bool:
    """See a person's pay and compensation events: the same circle as private data."""
    return can_view_private(user, person_id, chain)


def can_record(user: User, person_id: int, chain: Sequence[int], kind: EventKind,
               assessor: str | None = None) -> bool:
    """Record an event of ``kind`` about a person. An ``assessed`` event says who assessed
    (``assessor``, by default the manager): the person records only their own self
    assessment, a colleague only a peer assessment."""
    if user.is_hr:
        return True
    if manages(user, chain):
        return kind is not EventKind.HIRE
    if kind is EventKind.ASSESSED:
        own = "self" if is_self(user, person_id) else "peer"
        return (assessor or "manager").strip().lower() == own
    return is_self(user, person_id) and kind in SELF_RECORDED


def can_verify(user: User, person_id: int, chain: Sequence[int]) -> bool:
    """Verify the evidence of a person's event: their managers (transitively) and HR admins,
    never the person themselves (nor the event's own author: see ``ledger.verify_event``)."""
    return not is_self(user, person_id) and (user.is_hr or manages(user, chain))


def can_recognize(user: User, person_id: int, chain: Sequence[int], kind: str,
                  points: int | None) -> bool:
    """Recognize a person: their managers and HR admins give any recognition; any other
    colleague may give kudos without points (peer recognition). Nobody recognizes
    themselves."""
    if is_self(user, person_id):
        return False
    if user.is_hr or manages(user, chain):
        return True
    return user.person_id is not None and kind == "kudos" and not points


def can_write_review(user: User, form: ReviewForm, person_id: int, manager_id: int | None,
                     own_manager_id: int | None, nominated: Collection[int]) -> bool:
    """Write a review of a person in ``form``: the signed-in user is the reviewer, so a self
    review is the person's, a manager review their (direct) manager's, a peer review a
    nominated peer's (``nominated``: the peers' ids) and an upward review a direct report's
    (``own_manager_id``: the user's own manager). HR admins write only as one of these."""
    me = user.person_id
    if me is None:
        return False
    if form is ReviewForm.SELF:
        return me == person_id
    if form is ReviewForm.MANAGER:
        return manager_id is not None and me == manager_id
    if form is ReviewForm.PEER:
        return me in nominated and me != person_id
    return own_manager_id is not None and own_manager_id == person_id


def can_nominate(user: User, person_id: int, chain: Sequence[int]) -> bool:
    """Nominate a peer to review a person: their managers and HR admins."""
    return user.is_hr or manages(user, chain)


def can_see_reviews(user: User, person_id: int, chain: Sequence[int]) -> bool:
    """See every review of a person (ratings, comments): the private circle. Anyone else
    sees only the reviews they wrote themselves."""
    return can_view_private(user, person_id, chain)


# A person's details (their identity, not their career): what each may change.
DETAIL_FIELDS = ("name", "email", "manager")


def editable_details(user: User, person_id: int, chain: Sequence[int]) -> tuple[str, ...]:
    """The details of a person ``user`` may change: HR admins all of them (a new manager
    moves the person between teams, so no manager does it alone); the person their own
    name. The handle never changes: URLs, exports and other people's events name it."""
    if user.is_hr:
        return DETAIL_FIELDS
    return ("name",) if is_self(user, person_id) else ()


def can_manage_team(user: User) -> bool:
    return user.role in (Role.MANAGER, Role.HR_ADMIN)


# --- redaction: the same documents, with what a viewer may not see taken out

HIDDEN = "hidden"
# A directory entry's fields that only the private circle sees.
DIRECTORY_PRIVATE = ("id", "email", "manager", "hired_on")


def redact_directory_entry(doc: dict[str, Any], *, private: bool) -> dict[str, Any]:
    """A person's directory entry: outside the circle, a name, handle and role."""
    return doc if private else {**doc, **dict.fromkeys(DIRECTORY_PRIVATE)}


def shown_to(private: bool, who: str | None) -> str | None:
    """Who recorded or verified an event (an email): ``hidden`` outside the circle."""
    return who if private or who is None else HIDDEN


def redact_profile(doc: dict[str, Any], *, pay: bool, private: bool) -> dict[str, Any]:
    """A profile document (domain.profile_document) without pay and/or private fields."""
    out = dict(doc)
    if not pay:
        out["pay"] = {"base": None, "currency": None, "bonuses": None, "hidden": True}
        out["band_upgrades"] = [{**u, "pay_before": None, "pay_after": None}
                                for u in doc.get("band_upgrades", [])]
    if not private:
        out["engagement"] = None
        out["person_id"] = None
        out["reviews"] = {}  # ratings are the person's, their chain's and HR's
        out["pending"] = [{**item, "author": HIDDEN, "verifier": shown_to(False, item.get(
            "verifier"))} for item in doc.get("pending", [])]
    return out


def hides_reviewer(details: dict[str, Any], *, hr: bool, viewer: str | None,
                   author: str | None) -> bool:
    """A peer review's writer is known to HR (and to the writer), never to the reviewee or
    their managers: peers may review anonymously, and the event itself cannot say."""
    return details.get("reviewer_role") == "peer" and not hr and viewer != author


def carries_pay(details: dict[str, Any] | None) -> bool:
    """A timeline entry's details hold a pay figure (its pay, amount, percent, or a band
    upgrade's pay before and after): showing it is a read of pay."""
    return any(value is not None and (key in PAY_FIELDS or key.startswith("pay_"))
               for key, value in (details or {}).items())


_PAY_TEXT = re.compile(r", pay [\d,]+|, [\d,]+ paid")


def redact_timeline_item(kind: EventKind | None, summary: str, details: dict[str, Any], *,
                         pay: bool, private: bool) -> tuple[str, dict[str, Any] | None]:
    """A timeline entry's summary and details as a viewer may see them (None: hidden).

    ``kind`` is None for an entry the fold derived (a band upgrade), not a ledger event.
    """
    if not pay and kind in PAY_KINDS:
        return f"Pay change ({HIDDEN})", None
    if not private and kind is EventKind.CHECK_IN:
        return "Check-in", None
    if not private and kind is EventKind.REVIEW:  # ratings are the person's, chain's and HR's
        return "Review", None
    if not private and kind is EventKind.CALIBRATION:
        return "Calibration", None
    if not pay:
        return _PAY_TEXT.sub("", summary), {k: v for k, v in details.items()
                                             if k not in PAY_FIELDS}
    return summary, details
