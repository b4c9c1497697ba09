"""The fairness audit and the person attributes it groups people by: HR admins only.

Everyone else gets a 403 (from every route here), and no other page or resource shows an
attribute: person pages never do. Every read and write is audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from trellis.analytics.fairness import FOUR_FIFTHS, MIN_GROUP
from trellis.domain.access import Role, User
from trellis.domain.attributes import NAME_LENGTH, VALUE_LENGTH
from trellis.domain.limits import LABEL_MAX
from trellis.services import accounts
from trellis.services import attributes as attributes_use
from trellis.services import fairness as fairness_use

from ..deps import CurrentUser, Uow, analysis
from ..fields import LINE, DayQuery, Instant, Ref
from ..schemas import Body, DocumentPublic

router = APIRouter(tags=["fairness"])

AttributeName = Annotated[str, Path(min_length=1, max_length=NAME_LENGTH, pattern=LINE,
                                    description="an attribute's name, e.g. gender")]


class AttributePublic(BaseModel):
    person: str
    name: str
    value: str
    set_by: str
    set_at: Instant


class AttributeUpdate(Body):
    value: str = Field(min_length=1, max_length=VALUE_LENGTH, pattern=LINE)


def _public(entries: list[attributes_use.AttributeEntry]) -> list[AttributePublic]:
    return [AttributePublic(person=e.handle, name=e.name, value=e.value, set_by=e.set_by,
                            set_at=e.set_at) for e in entries]


@router.get("/api/people/{ref}/attributes", response_model=list[AttributePublic],
            summary="A person's HR-only attributes (HR admins)")
def attributes_of(ref: Ref, user: CurrentUser, uow: Uow) -> list[AttributePublic]:
    accounts.require_role(user, Role.HR_ADMIN)
    found = attributes_use.list_attributes(uow(), ref)
    person = found[0].handle if found else ref
    accounts.audit(uow(), user, "attributes.read", f"person/{person}/attributes")
    return _public(found)


@router.put("/api/people/{ref}/attributes/{name}", response_model=AttributePublic,
            summary="Set one HR-only attribute of a person (HR admins)")
def set_attribute(ref: Ref, name: AttributeName, body: AttributeUpdate, user: CurrentUser,
                  uow: Uow) -> AttributePublic:
    accounts.require_role(user, Role.HR_ADMIN)
    done = attributes_use.set_attribute(uow(), ref, name, body.value, author=user.email)
    return _public([done])[0]


@router.delete("/api/people/{ref}/attributes/{name}", status_code=204,
               summary="Remove one HR-only attribute of a person (HR admins)")
def unset_attribute(ref: Ref, name: AttributeName, user: CurrentUser, uow: Uow) -> None:
    accounts.require_role(user, Role.HR_ADMIN)
    attributes_use.unset_attribute(uow(), ref, name, author=user.email)


def fairness_document(uow: Uow, user: User, *, attribute: str | None, cycle: str | None,
                      since: Any, until: Any, min_group: int) -> dict[str, Any]:
    accounts.require_role(user, Role.HR_ADMIN)
    found = fairness_use.fairness(uow(), attributes=[attribute] if attribute else None,
                                  cycle=cycle, since=since, until=until, min_group=min_group)
    accounts.audit(uow(), user, "fairness.read", "organization/fairness",
                   {"attributes": list(found.attributes)})
    return found.to_document()


Label = Annotated[str | None, Query(max_length=LABEL_MAX, pattern=LINE)]


@router.get("/api/fairness", response_model=DocumentPublic,
            summary="Rates and impact ratios per group of each HR attribute (HR admins)")
async def fairness(request: Request, user: CurrentUser, uow: Uow,
                   attribute: Annotated[str | None, Query(max_length=NAME_LENGTH,
                                                          pattern=LINE)] = None,
                   cycle: Label = None, since: DayQuery = None, until: DayQuery = None,
                   min_group: int = Query(MIN_GROUP, ge=1, le=100_000)) -> DocumentPublic:
    return DocumentPublic(document=await analysis(
        request, fairness_document, uow, user, attribute=attribute, cycle=cycle, since=since,
        until=until, min_group=min_group))


@router.get("/org/fairness", response_class=HTMLResponse, include_in_schema=False)
async def fairness_page(request: Request, user: CurrentUser, uow: Uow,
                        cycle: Label = None) -> HTMLResponse:
    from ..fairness_words import outcome_takeaway, outcome_warnings
    from ..pages import render
    from ..person_words import dated

    accounts.require_role(user, Role.HR_ADMIN)
    doc = await analysis(request, fairness_document, uow, user, attribute=None,
                         cycle=cycle or None, since=None, until=None, min_group=MIN_GROUP)
    return render(request, "fairness.html", doc=doc, four_fifths=FOUR_FIFTHS,
                  warnings=outcome_warnings(doc), takeaway=outcome_takeaway,
                  dated=dated)  # the notes' ISO days as days; the API keeps them ISO
