"""Calibration sessions and their members (the changes are ``calibration`` ledger events)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from trellis.domain.calibration_sessions import CalibrationSession, GroupKind, SessionStatus
from trellis.errors import Conflict

from . import tables as t
from .store import bulk_insert


class CalibrationRepository:
    def __init__(self, connection: Connection) -> None:
        self._c = connection

    def add_session(self, name: str, cycle_id: int, group_kind: GroupKind, group: str,
                    team_id: int | None, author: str, now: datetime) -> CalibrationSession:
        taken = f"a calibration session named '{name}' already exists"
        if self.session(name) is not None:
            raise Conflict(taken)
        try:  # another writer's, meanwhile (PostgreSQL): the transaction ends here anyway
            result = self._c.execute(insert(t.calibration_sessions).values(
                name=name, cycle_id=cycle_id, group_kind=group_kind.value, group_value=group,
                team_id=team_id, status=SessionStatus.OPEN.value, opened_by=author,
                opened_at=now, changed_at=now))
        except IntegrityError:
            raise Conflict(taken) from None
        (session_id,) = result.inserted_primary_key or (None,)
        found = self._one(t.calibration_sessions.c.id == session_id)
        assert found is not None
        return found

    def session(self, name: str) -> CalibrationSession | None:
        return self._one(t.calibration_sessions.c.name == name)

    def get(self, session_id: int) -> CalibrationSession | None:
        return self._one(t.calibration_sessions.c.id == session_id)

    def sessions(self) -> list[CalibrationSession]:
        c = t.calibration_sessions.c
        return [_session(row) for row in self._c.execute(
            _query().order_by(c.opened_at, c.id))]

    def set_status(self, session_id: int, status: SessionStatus, now: datetime) -> None:
        self._c.execute(update(t.calibration_sessions)
                        .where(t.calibration_sessions.c.id == session_id)
                        .values(status=status.value, changed_at=now))

    def add_members(self, session_id: int, person_ids: Collection[int]) -> None:
        bulk_insert(self._c, t.calibration_members, ("session_id", "person_id"),
                    [(session_id, p) for p in sorted(person_ids)])

    def members(self, session_id: int) -> list[int]:
        c = t.calibration_members.c
        return list(self._c.scalars(select(c.person_id).where(c.session_id == session_id)
                                    .order_by(c.person_id)))

    def is_member(self, session_id: int, person_id: int) -> bool:
        c = t.calibration_members.c
        return self._c.scalar(select(c.person_id).where(
            c.session_id == session_id, c.person_id == person_id)) is not None

    def counts(self) -> dict[int, int]:
        """Members per session id."""
        c = t.calibration_members.c
        return {session_id: int(n) for session_id, n in self._c.execute(
            select(c.session_id, func.count()).group_by(c.session_id))}

    def remove_person(self, person_id: int) -> None:
        """An erasure: the person leaves every session, and no team group is theirs (its
        label, their handle, is replaced by ``forget_mentions`` like any other text)."""
        self._c.execute(delete(t.calibration_members).where(
            t.calibration_members.c.person_id == person_id))
        self._c.execute(update(t.calibration_sessions)
                        .where(t.calibration_sessions.c.team_id == person_id)
                        .values(team_id=None))

    def _one(self, where: Any) -> CalibrationSession | None:
        row = self._c.execute(_query().where(where)).first()
        return _session(row) if row else None


def _query() -> Any:
    s, cycles = t.calibration_sessions, t.review_cycles
    return select(s, cycles.c.name.label("cycle_name")).join(cycles,
                                                             cycles.c.id == s.c.cycle_id)


def _session(row: Any) -> CalibrationSession:
    m = row._mapping
    return CalibrationSession(
        m["id"], m["name"], m["cycle_id"], m["cycle_name"], GroupKind(m["group_kind"]),
        m["group_value"], m["team_id"], SessionStatus(m["status"]), m["opened_by"],
        m["opened_at"], m["changed_at"])
