"""The audit log: every write and every read of pay (HR admins)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from trellis.domain.access import Role
from trellis.services import accounts

from ..deps import CurrentUser, Uow
from ..schemas import AuditEntryPublic

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=list[AuditEntryPublic], summary="The newest audit entries")
def audit_log(user: CurrentUser, uow: Uow, limit: int = Query(200, ge=1, le=10_000)
              ) -> list[AuditEntryPublic]:
    accounts.require_role(user, Role.HR_ADMIN)
    return [AuditEntryPublic(id=e["id"], at=e["at"], user=e["user_email"], action=e["action"],
                             resource=e["resource"], detail=e["detail"])
            for e in accounts.audit_log(uow(), limit)]
