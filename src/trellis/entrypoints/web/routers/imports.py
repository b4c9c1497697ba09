"""Imports of people and events from a CSV or JSON-lines file's text (HR admins)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..deps import CurrentUser, Uow, analysis
from ..schemas import ImportCreate, ImportPublic
from ..views import import_text

router = APIRouter(prefix="/api", tags=["imports"])


@router.post("/imports", response_model=ImportPublic, status_code=201,
             summary="Import people and events in one transaction; any bad row refuses the "
             "whole file, every problem with its line (HR admins)")
async def import_ledger(request: Request, body: ImportCreate, user: CurrentUser, uow: Uow
                        ) -> ImportPublic:
    summary = await analysis(request, import_text, uow, user, body.format, body.text,
                             f"upload.{body.format}")
    return ImportPublic(people=summary.people, events=summary.events,
                        profiles=summary.profiles)
