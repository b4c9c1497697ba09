"""A light view of ledger entries for organization-wide reports.

Reports over ten thousand careers read a few kinds of events and only their stored
fields: building full ``Event`` objects (details classes, enum members) for hundreds of
thousands of rows would cost more than the report itself. Retracted entries are never
handed out as rows (the store leaves them out).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple


class EventRow(NamedTuple):
    id: int
    person_id: int
    kind: str  # an EventKind value
    effective_on: date
    details: Mapping[str, Any]  # the stored details fields, as plain data
