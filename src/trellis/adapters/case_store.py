"""Promotion cases, their approval steps and comments (the promotion is a ledger event)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from trellis.domain.cases import (
    Case,
    CaseStatus,
    Comment,
    Decision,
    Nominator,
    Step,
)
from trellis.domain.framework import Approver

from . import tables as t

_CASE_FIELDS = ("person_id", "from_role", "to_role", "nominated_by", "nominator_id",
                "justification", "pay", "pay_reason", "currency", "effective_on",
                "opened_at", "changed_at")


class CaseRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add(self, case: Case) -> int:
        """Store a new case and its steps; returns its id (``case.id`` is ignored)."""
        values = {name: getattr(case, name) for name in _CASE_FIELDS}
        result = self._c.execute(insert(t.promotion_cases).values(
            **values, nominator=case.nominator.value, status=case.status.value))
        (case_id,) = result.inserted_primary_key or (None,)
        assert case_id is not None
        if case.steps:
            self._c.execute(insert(t.promotion_case_steps), [
                {"case_id": case_id, "position": s.position, "approver": s.approver.value,
                 "person_id": s.person_id, "fell_to_hr": s.fell_to_hr} for s in case.steps])
        return int(case_id)

    def lock(self, case_id: int) -> None:
        """Hold the case until the transaction ends (PostgreSQL; SQLite's writer lock
        already serializes writers), so two approvers never sign the same step."""
        if self._c.dialect.name == "postgresql":
            c = t.promotion_cases.c
            self._c.execute(select(c.id).where(c.id == case_id).with_for_update())

    def get(self, case_id: int) -> Case | None:
        if not 0 < case_id < 2**31:
            return None
        found = self._select(t.promotion_cases.c.id == case_id)
        return found[0] if found else None

    def find(self, *, status: CaseStatus | None = None,
             person_ids: Sequence[int] | None = None) -> list[Case]:
        """Cases, newest first; ``person_ids``: only theirs."""
        c = t.promotion_cases.c
        where: list[Any] = []
        if status is not None:
            where.append(c.status == status.value)
        if person_ids is not None:
            where.append(c.person_id.in_(list(person_ids)))
        return self._select(*where)

    def open_for(self, person_id: int) -> Case | None:
        c = t.promotion_cases.c
        found = self._select(c.person_id == person_id, c.status == CaseStatus.OPEN.value)
        return found[0] if found else None

    def sign(self, case_id: int, step: Step) -> None:
        c = t.promotion_case_steps.c
        self._c.execute(update(t.promotion_case_steps).where(
            c.case_id == case_id, c.position == step.position).values(
            decision=step.decision.value if step.decision else None,
            signed_by=step.signed_by, signer_id=step.signer_id, signed_at=step.signed_at,
            reason=step.reason, override=step.override))

    def decide(self, case_id: int, status: CaseStatus, now: datetime, *,
               by: str | None = None, reason: str | None = None,
               event_id: int | None = None) -> None:
        values: dict[str, Any] = {"status": status.value, "changed_at": now}
        if status is not CaseStatus.OPEN:
            values.update(decided_by=by, decision_reason=reason, event_id=event_id)
        self._c.execute(update(t.promotion_cases).where(t.promotion_cases.c.id == case_id)
                        .values(**values))

    def touch(self, case_id: int, now: datetime) -> None:
        self._c.execute(update(t.promotion_cases).where(t.promotion_cases.c.id == case_id)
                        .values(changed_at=now))

    def add_comment(self, case_id: int, author: str, author_id: int | None, at: datetime,
                    text: str) -> int:
        result = self._c.execute(insert(t.promotion_case_comments).values(
            case_id=case_id, author=author, author_id=author_id, at=at, text=text))
        (comment_id,) = result.inserted_primary_key or (None,)
        assert comment_id is not None
        return int(comment_id)

    def remove_person(self, person_id: int) -> None:
        """An erasure: the person's own cases go (steps, comments and all); on others'
        cases their id is blanked (their name, a text, is forgotten by the erasure's
        sweep of mentions)."""
        cases = t.promotion_cases.c
        own = list(self._c.scalars(select(cases.id).where(cases.person_id == person_id)))
        if own:
            self._c.execute(delete(t.promotion_case_comments).where(
                t.promotion_case_comments.c.case_id.in_(own)))
            self._c.execute(delete(t.promotion_case_steps).where(
                t.promotion_case_steps.c.case_id.in_(own)))
            self._c.execute(delete(t.promotion_cases).where(cases.id.in_(own)))
        self._c.execute(update(t.promotion_cases).where(cases.nominator_id == person_id)
                        .values(nominator_id=None))
        steps = t.promotion_case_steps.c
        self._c.execute(update(t.promotion_case_steps).where(steps.person_id == person_id)
                        .values(person_id=None))
        self._c.execute(update(t.promotion_case_steps).where(steps.signer_id == person_id)
                        .values(signer_id=None))
        self._c.execute(update(t.promotion_case_comments).where(
            t.promotion_case_comments.c.author_id == person_id).values(author_id=None))

    def _select(self, *where: Any) -> list[Case]:
        c = t.promotion_cases.c
        rows = self._c.execute(select(t.promotion_cases).where(*where)
                               .order_by(c.id.desc())).all()
        if not rows:
            return []
        ids = [row.id for row in rows]
        s = t.promotion_case_steps.c
        steps: dict[int, list[Step]] = {}
        for row in self._c.execute(select(t.promotion_case_steps).where(s.case_id.in_(ids))
                                   .order_by(s.case_id, s.position)):
            steps.setdefault(row.case_id, []).append(Step(
                row.position, Approver(row.approver), row.person_id, bool(row.fell_to_hr),
                Decision(row.decision) if row.decision else None, row.signed_by,
                row.signer_id, row.signed_at, row.reason, row.override))
        k = t.promotion_case_comments.c
        comments: dict[int, list[Comment]] = {}
        for row in self._c.execute(select(t.promotion_case_comments)
                                   .where(k.case_id.in_(ids)).order_by(k.id)):
            comments.setdefault(row.case_id, []).append(Comment(
                row.id, row.case_id, row.author, row.author_id, row.at, row.text))
        return [_case(row, tuple(steps.get(row.id, ())), tuple(comments.get(row.id, ())))
                for row in rows]


def _case(row: Any, steps: tuple[Step, ...], comments: tuple[Comment, ...]) -> Case:
    m = row._mapping
    return Case(
        m["id"], m["person_id"], m["from_role"], m["to_role"], Nominator(m["nominator"]),
        m["nominated_by"], m["nominator_id"], m["justification"], m["pay"], m["pay_reason"],
        m["currency"], m["effective_on"], CaseStatus(m["status"]), steps, m["opened_at"],
        m["changed_at"], m["decided_by"], m["decision_reason"], m["event_id"], comments)
