"""The import page's downloadable templates: ``/org/import/template/people.csv`` and
``events.csv``, with example rows in the organization's framework (adapters.import_templates).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from trellis.adapters.import_templates import KINDS, template_csv
from trellis.domain.access import Role
from trellis.errors import NotFound
from trellis.services import accounts
from trellis.services.frameworks import framework_at

from .deps import CurrentUser, Uow

router = APIRouter(include_in_schema=False)


@router.get("/org/import/template/{kind}.csv")
def import_template(kind: str, user: CurrentUser, uow: Uow) -> Response:
    accounts.require_role(user, Role.HR_ADMIN)
    if kind not in KINDS:
        return Response(f"no template '{kind}': choose people or events", status_code=404,
                        media_type="text/plain")
    try:
        framework = framework_at(uow())[1]
    except NotFound:
        framework = None
    return Response(template_csv(kind, framework), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition":
                             f'attachment; filename="trellis-{kind}-template.csv"'})
