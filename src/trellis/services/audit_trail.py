"""The audit trail as the use cases write it: one entry in the transaction of the change it
records, so the change and its entry are committed together or not at all, whichever entry
point (command line or web) asked for it.

``who`` is the label the change's own rows keep: an account's email on the web, the
``--by`` person's handle or ``TRELLIS_AUTHOR`` on the command line. Reads of pay and
refusals stay with the entry points (``accounts.audit``), which know who is looking.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from . import clock
from .unit_of_work import UnitOfWork


def note(uow: UnitOfWork, who: str | None, action: str, resource: str,
         detail: dict[str, Any] | None = None) -> None:
    """Add one audit entry inside ``uow``'s open transaction (the caller commits it)."""
    uow.audit.add(clock.now(), who, action, resource, detail or {})


# --- upward reviews: the audit log never says which report wrote (docs/reviews.md)

UPWARD_WRITER = "a report"  # what an upward review's entry says of who wrote (or read) it


def note_upward(uow: UnitOfWork, manager_handle: str, action: str,
                detail: dict[str, Any] | None = None) -> None:
    """An audit entry of an upward review of ``manager_handle``: written (or read) by one of
    their reports, whom it does not name. Neither the account, the event's id nor the time
    of day is kept: the entry is dated at midnight of its day (the log lists a day's entries
    before it), so its place among the day's sign-ins and other entries says nothing of who
    wrote. The ledger keeps the review with its reviewer and author, read as the upward
    rule says (domain.upward)."""
    at = datetime.combine(clock.today(), time())
    uow.audit.add(at, None, action, f"person/{manager_handle}/reviews",
                  {**(detail or {}), "form": "upward", "by": UPWARD_WRITER})


def is_upward(entry: Mapping[str, Any]) -> bool:
    detail = entry.get("detail")
    return (entry.get("user_email") is None and isinstance(detail, Mapping)
            and detail.get("by") == UPWARD_WRITER and detail.get("form") == "upward")


def actor(entry: Mapping[str, Any]) -> str | None:
    """Who an entry says acted: the label kept, or "a report of HANDLE" for an upward
    review's entry; None for an anonymous attempt (a failed sign-in)."""
    if is_upward(entry):
        return f"{UPWARD_WRITER} of {str(entry['resource']).split('/')[1]}"
    who = entry.get("user_email")
    return str(who) if who is not None else None
