"""Compensation cycles, their participants, raise proposals and approval steps (the raises
themselves, once applied, are ``compensation`` events)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from trellis.domain.compensation import (
    CompCycle,
    CompCycleStatus,
    Participant,
    Proposal,
    ProposalStatus,
    RaiseKind,
    Step,
    Withdrawal,
)
from trellis.domain.framework import Approver
from trellis.errors import Conflict

from . import tables as t
from .store import bulk_insert


class CompensationRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    # --- cycles

    def add_cycle(self, name: str, effective_on: date, budget_percent: float,
                  team_id: int | None, author: str, now: datetime) -> CompCycle:
        refused = f"a compensation cycle named '{name}' already exists"
        if self.cycle(name) is not None:
            raise Conflict(refused)
        try:  # another writer's, meanwhile (PostgreSQL): the transaction ends here anyway
            result = self._c.execute(insert(t.comp_cycles).values(
                name=name, effective_on=effective_on, budget_percent=budget_percent,
                team_id=team_id, status=CompCycleStatus.OPEN.value, opened_by=author,
                opened_at=now, changed_at=now))
        except IntegrityError:
            raise Conflict(refused) from None
        (cycle_id,) = result.inserted_primary_key or (None,)
        found = self._one(t.comp_cycles.c.id == cycle_id)
        assert found is not None
        return found

    def cycle(self, name: str) -> CompCycle | None:
        return self._one(t.comp_cycles.c.name == name)

    def cycle_by_id(self, cycle_id: int) -> CompCycle | None:
        return self._one(t.comp_cycles.c.id == cycle_id)

    def cycles(self) -> list[CompCycle]:
        c = t.comp_cycles.c
        return [_cycle(r) for r in self._c.execute(
            select(t.comp_cycles).order_by(c.effective_on, c.id))]

    def set_status(self, cycle_id: int, status: CompCycleStatus, now: datetime) -> None:
        self._c.execute(update(t.comp_cycles).where(t.comp_cycles.c.id == cycle_id)
                        .values(status=status.value, changed_at=now))

    def add_participants(self, cycle_id: int, participants: Sequence[Participant]) -> None:
        bulk_insert(self._c, t.comp_participants,
                    ("cycle_id", "person_id", "group_id", "pay", "currency"),
                    [(cycle_id, p.person_id, p.group_id, p.pay, p.currency)
                     for p in participants])

    def participants(self, cycle_id: int) -> list[Participant]:
        c = t.comp_participants.c
        return [Participant(*row) for row in self._c.execute(
            select(c.person_id, c.group_id, c.pay, c.currency)
            .where(c.cycle_id == cycle_id).order_by(c.person_id))]

    # --- proposals

    def add_proposal(self, p: Proposal) -> int:
        result = self._c.execute(insert(t.comp_proposals).values(
            cycle_id=p.cycle_id, person_id=p.person_id, kind=p.kind.value, amount=p.amount,
            percent=p.percent, pay_before=p.pay_before, reason=p.reason,
            status=p.status.value, proposed_by=p.proposed_by, proposer_id=p.proposer_id,
            proposed_at=p.proposed_at, band_warning=p.band_warning,
            over_budget=p.over_budget, event_id=p.event_id))
        (proposal_id,) = result.inserted_primary_key or (None,)
        assert proposal_id is not None
        if p.steps:
            self._c.execute(insert(t.comp_steps), [
                {"proposal_id": proposal_id, "step": s.index, "approver": s.approver.value,
                 "approver_id": s.approver_id} for s in p.steps])
        return int(proposal_id)

    def proposal(self, proposal_id: int) -> Proposal | None:
        found = self._proposals(t.comp_proposals.c.id == proposal_id)
        return found[0] if found else None

    def proposals(self, cycle_id: int | None = None, *, off_cycle: bool = False,
                  person_id: int | None = None) -> list[Proposal]:
        """A cycle's proposals (or, ``off_cycle``, those outside any cycle), maybe of one
        person; none of these: every proposal."""
        c = t.comp_proposals.c
        where: list[Any] = []
        if cycle_id is not None:
            where.append(c.cycle_id == cycle_id)
        elif off_cycle:
            where.append(c.cycle_id.is_(None))
        if person_id is not None:
            where.append(c.person_id == person_id)
        return self._proposals(*where)

    def awaiting(self) -> list[Proposal]:
        return self._proposals(t.comp_proposals.c.status == ProposalStatus.PROPOSED.value)

    def decide(self, proposal_id: int, step: int, decided_by: str, decision: str,
               reason: str | None, now: datetime) -> None:
        s = t.comp_steps.c
        self._c.execute(update(t.comp_steps).where(s.proposal_id == proposal_id,
                                                   s.step == step)
                        .values(decided_by=decided_by, decision=decision, reason=reason,
                                decided_at=now))

    def set_proposal(self, proposal_id: int, status: ProposalStatus,
                     event_id: int | None = None) -> None:
        values: dict[str, Any] = {"status": status.value}
        if event_id is not None:
            values["event_id"] = event_id
        self._c.execute(update(t.comp_proposals).where(t.comp_proposals.c.id == proposal_id)
                        .values(**values))

    def withdraw(self, proposal_id: int, by: str, reason: str, now: datetime) -> None:
        """An approved proposal withdrawn: its status, who, when and why (its figures and
        signatures stay)."""
        self._c.execute(update(t.comp_proposals).where(t.comp_proposals.c.id == proposal_id)
                        .values(status=ProposalStatus.WITHDRAWN.value, withdrawn_by=by,
                                withdrawn_at=now, withdrawal_reason=reason))

    def lock_proposal(self, proposal_id: int) -> None:
        """Hold the proposal's row until the transaction ends (PostgreSQL): a withdrawal
        and an apply, or two withdrawals, do not both go through."""
        if self._c.dialect.name == "postgresql":
            self._c.execute(select(t.comp_proposals.c.id)
                            .where(t.comp_proposals.c.id == proposal_id).with_for_update())

    def lock_cycle(self, cycle_id: int) -> None:
        """Hold the cycle's row until the transaction ends: proposals checked against one
        group's budget are made one at a time (PostgreSQL; SQLite writers are serial)."""
        if self._c.dialect.name == "postgresql":
            self._c.execute(select(t.comp_cycles.c.id).where(t.comp_cycles.c.id == cycle_id)
                            .with_for_update())

    def remove_person(self, person_id: int) -> None:
        """An erasure: the person's proposals and places in cycles go; a proposal of someone
        else that they proposed or signed keeps its figures, without them."""
        p, s = t.comp_proposals.c, t.comp_steps.c
        own = list(self._c.scalars(select(p.id).where(p.person_id == person_id)))
        if own:
            self._c.execute(delete(t.comp_steps).where(s.proposal_id.in_(own)))
            self._c.execute(delete(t.comp_proposals).where(p.id.in_(own)))
        self._c.execute(update(t.comp_proposals).where(p.proposer_id == person_id)
                        .values(proposer_id=None))
        self._c.execute(update(t.comp_steps).where(s.approver_id == person_id)
                        .values(approver_id=None))
        c = t.comp_participants.c
        self._c.execute(delete(t.comp_participants).where(c.person_id == person_id))
        self._c.execute(update(t.comp_participants).where(c.group_id == person_id)
                        .values(group_id=None))
        self._c.execute(update(t.comp_cycles).where(t.comp_cycles.c.team_id == person_id)
                        .values(team_id=None))

    def _one(self, where: Any) -> CompCycle | None:
        row = self._c.execute(select(t.comp_cycles).where(where)).first()
        return _cycle(row) if row else None

    def _proposals(self, *where: Any) -> list[Proposal]:
        p, s = t.comp_proposals.c, t.comp_steps.c
        rows = self._c.execute(select(t.comp_proposals).where(*where).order_by(p.id)).all()
        if not rows:
            return []
        ids = [r._mapping["id"] for r in rows]
        steps: dict[int, list[Step]] = {}
        query = select(t.comp_steps).order_by(s.proposal_id, s.step)
        if len(ids) < 900:
            query = query.where(s.proposal_id.in_(ids))
        for row in self._c.execute(query):
            m = row._mapping
            steps.setdefault(m["proposal_id"], []).append(Step(
                m["step"], Approver(m["approver"]), m["approver_id"], m["decided_by"],
                m["decision"], m["reason"], m["decided_at"]))
        out = []
        for row in rows:
            m = row._mapping
            out.append(Proposal(
                m["id"], m["cycle_id"], m["person_id"], RaiseKind(m["kind"]), m["amount"],
                m["percent"], m["pay_before"], m["reason"], ProposalStatus(m["status"]),
                m["proposed_by"], m["proposer_id"], m["proposed_at"],
                tuple(steps.get(m["id"], ())), m["event_id"], m["band_warning"],
                bool(m["over_budget"]),
                Withdrawal(m["withdrawn_by"], m["withdrawn_at"], m["withdrawal_reason"] or "")
                if m["withdrawn_at"] is not None else None))
        return out


def _cycle(row: Any) -> CompCycle:
    m = row._mapping
    return CompCycle(m["id"], m["name"], m["effective_on"], float(m["budget_percent"]),
                     m["team_id"], CompCycleStatus(m["status"]), m["opened_by"],
                     m["opened_at"], m["changed_at"])

