"""Plans by person and version (a plan's document holds its milestones and steps)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from trellis.domain.plan import Plan, PlanVersion, plan_from_document, plan_to_document

from . import tables as t


class PlanRepository:
    """Plans by person and version: adding one supersedes the active one, keeping it."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, person_id: int, plan: Plan, author: str, now: datetime) -> PlanVersion:
        c = t.plans.c
        latest = self._c.scalar(select(func.max(c.version)).where(c.person_id == person_id))
        self._c.execute(update(t.plans).where(c.person_id == person_id, c.status == "active")
                        .values(status="superseded"))
        document = plan_to_document(plan)
        result = self._c.execute(insert(t.plans).values(
            person_id=person_id, version=(latest or 0) + 1, created_at=now, author=author,
            # 0: the learned throughput (the column predates it; the document decides)
            status="active", target=document["target"], capacity=plan.capacity or 0,
            quarters=plan.horizon, document=document))
        (plan_id,) = result.inserted_primary_key or (None,)
        assert plan_id is not None
        return PlanVersion(plan_id, person_id, (latest or 0) + 1, now, author, "active", plan)

    def active(self, person_id: int) -> PlanVersion | None:
        found = self._select(person_id, active=True)
        return found[0] if found else None

    def history(self, person_id: int) -> list[PlanVersion]:
        return self._select(person_id, active=False)

    def remove(self, person_id: int) -> None:
        self._c.execute(delete(t.plans).where(t.plans.c.person_id == person_id))

    def _select(self, person_id: int, active: bool) -> list[PlanVersion]:
        c = t.plans.c
        query = select(c.id, c.person_id, c.version, c.created_at, c.author, c.status,
                       c.document).where(c.person_id == person_id).order_by(c.version)
        if active:
            query = query.where(c.status == "active")
        return [PlanVersion(*row[:6], plan_from_document(row[6])) for row in self._c.execute(query)]
