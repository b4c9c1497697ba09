"""Review cycles, their participants and peer nominations (the reviews are ledger events)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from trellis.domain.framework import ReviewForm
from trellis.domain.reviews import UPWARD_MINIMUM, CycleStatus, Nomination, ReviewCycle
from trellis.errors import Conflict

from . import tables as t
from .store import bulk_insert

_DUE = {form: f"due_{form.value}" for form in ReviewForm}


class ReviewRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_cycle(self, name: str, start: date, end: date, forms: Sequence[ReviewForm],
                  due: Mapping[ReviewForm, date], team_id: int | None, author: str,
                  now: datetime, upward_minimum: int = UPWARD_MINIMUM) -> ReviewCycle:
        values: dict[str, Any] = {
            "name": name, "period_start": start, "period_end": end,
            "upward_minimum": upward_minimum,
            "forms": ",".join(forms), "team_id": team_id, "status": CycleStatus.OPEN.value,
            "opened_by": author, "opened_at": now, "changed_at": now,
            **{_DUE[form]: on for form, on in due.items()}}
        if self.cycle(name) is not None:
            raise Conflict(f"a review cycle named '{name}' already exists")
        try:  # another writer's, meanwhile (PostgreSQL): the transaction ends here anyway
            result = self._c.execute(insert(t.review_cycles).values(**values))
        except IntegrityError:
            raise Conflict(f"a review cycle named '{name}' already exists") from None
        (cycle_id,) = result.inserted_primary_key or (None,)
        assert cycle_id is not None
        found = self._one(t.review_cycles.c.id == cycle_id)
        assert found is not None
        return found

    def cycle(self, name: str) -> ReviewCycle | None:
        return self._one(t.review_cycles.c.name == name)

    def cycles(self) -> list[ReviewCycle]:
        c = t.review_cycles.c
        return [_cycle(row) for row in self._c.execute(
            select(t.review_cycles).order_by(c.period_start, c.id))]

    def set_status(self, cycle_id: int, status: CycleStatus, now: datetime) -> None:
        self._c.execute(update(t.review_cycles).where(t.review_cycles.c.id == cycle_id)
                        .values(status=status.value, changed_at=now))

    def add_participants(self, cycle_id: int, person_ids: Collection[int]) -> None:
        bulk_insert(self._c, t.review_participants, ("cycle_id", "person_id"),
                    [(cycle_id, p) for p in sorted(person_ids)])

    def participants(self, cycle_id: int) -> list[int]:
        c = t.review_participants.c
        return list(self._c.scalars(select(c.person_id).where(c.cycle_id == cycle_id)
                                    .order_by(c.person_id)))

    def counts(self) -> dict[int, int]:
        """Participants per cycle id."""
        c = t.review_participants.c
        return {cycle_id: int(n) for cycle_id, n in self._c.execute(
            select(c.cycle_id, func.count()).group_by(c.cycle_id))}

    def is_participant(self, cycle_id: int, person_id: int) -> bool:
        c = t.review_participants.c
        return self._c.scalar(select(c.person_id).where(
            c.cycle_id == cycle_id, c.person_id == person_id)) is not None

    def add_nomination(self, nomination: Nomination, now: datetime) -> None:
        n = nomination
        c = t.review_nominations.c
        taken = self._c.scalar(select(c.id).where(
            c.cycle_id == n.cycle_id, c.reviewee_id == n.reviewee_id, c.peer_id == n.peer_id))
        refused = ("that peer is already nominated for this person in this cycle")
        if taken is not None:
            raise Conflict(refused)
        try:  # another writer's, meanwhile (PostgreSQL)
            self._c.execute(insert(t.review_nominations).values(
                cycle_id=n.cycle_id, reviewee_id=n.reviewee_id, peer_id=n.peer_id,
                anonymous=n.anonymous, nominated_by=n.nominated_by, nominated_at=now))
        except IntegrityError:
            raise Conflict(refused) from None

    def nominations(self, cycle_id: int, reviewee_id: int | None = None) -> list[Nomination]:
        c = t.review_nominations.c
        query = select(c.cycle_id, c.reviewee_id, c.peer_id, c.anonymous,
                       c.nominated_by).where(c.cycle_id == cycle_id)
        if reviewee_id is not None:
            query = query.where(c.reviewee_id == reviewee_id)
        return [Nomination(*row) for row in self._c.execute(query.order_by(c.id))]

    def remove_person(self, person_id: int) -> None:
        """An erasure: the person leaves every cycle and nomination, and no team is theirs."""
        n = t.review_nominations.c
        self._c.execute(delete(t.review_nominations).where(
            or_(n.reviewee_id == person_id, n.peer_id == person_id)))
        self._c.execute(delete(t.review_participants).where(
            t.review_participants.c.person_id == person_id))
        self._c.execute(update(t.review_cycles).where(t.review_cycles.c.team_id == person_id)
                        .values(team_id=None))

    def _one(self, where: Any) -> ReviewCycle | None:
        row = self._c.execute(select(t.review_cycles).where(where)).first()
        return _cycle(row) if row else None


def _cycle(row: Any) -> ReviewCycle:
    m = row._mapping
    forms = tuple(ReviewForm(f) for f in m["forms"].split(","))
    return ReviewCycle(
        m["id"], m["name"], m["period_start"], m["period_end"], forms,
        {form: m[_DUE[form]] for form in ReviewForm if m[_DUE[form]] is not None},
        m["team_id"], CycleStatus(m["status"]), m["opened_by"], m["opened_at"],
        m["changed_at"], m["upward_minimum"])
