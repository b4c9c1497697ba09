"""Ledger rows person by person: what every organization-wide fold walks.

The analyses fold one career at a time. ``by_person`` groups a list of light rows (ledger
order) into careers, people in the order the ledger first meets them; a reader that
already holds the ledger person by person (services.ledger_snapshot) hands the same
groups over without ever holding every row at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from trellis.domain.ledger_rows import EventRow

PersonRows = Iterable[tuple[int, Sequence[EventRow]]]


def by_person(rows: Iterable[EventRow], wanted: Collection[int] | None = None
              ) -> dict[int, list[EventRow]]:
    """Rows grouped by person (only ``wanted`` people, when given), ledger order kept."""
    out: dict[int, list[EventRow]] = {}
    for r in rows:
        if wanted is None or r.person_id in wanted:
            out.setdefault(r.person_id, []).append(r)
    return out
