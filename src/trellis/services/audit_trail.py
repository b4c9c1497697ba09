"""The audit trail as the use cases write it: one entry in the transaction of the change it
records, so the change and its entry are committed together or not at all, whichever entry
point (command line or web) asked for it.

``who`` is the label the change's own rows keep: an account's email on the web, the
``--by`` person's handle or ``TRELLIS_AUTHOR`` on the command line. Reads of pay and
refusals stay with the entry points (``accounts.audit``), which know who is looking.
"""

from __future__ import annotations

from typing import Any

from . import clock
from .unit_of_work import UnitOfWork


def note(uow: UnitOfWork, who: str | None, action: str, resource: str,
         detail: dict[str, Any] | None = None) -> None:
    """Add one audit entry inside ``uow``'s open transaction (the caller commits it)."""
    uow.accounts.audit(clock.now(), who, action, resource, detail or {})
