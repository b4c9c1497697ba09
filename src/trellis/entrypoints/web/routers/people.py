"""People: the ones a user may list, one person, adding a person with their hire, and
changing a person's details."""

from __future__ import annotations

from fastapi import APIRouter

from trellis.domain.access import Role, redact_directory_entry
from trellis.errors import InvalidEvent
from trellis.services import accounts, people, person_details, profiles

from ..deps import CurrentUser, Uow
from ..fields import Ref
from ..schemas import PersonCreate, PersonPublic, PersonUpdate
from ..views import visible_people

router = APIRouter(prefix="/api/people", tags=["people"])


@router.get("", response_model=list[PersonPublic], summary="People this user may see")
def list_people(user: CurrentUser, uow: Uow, include_departed: bool = False
                ) -> list[PersonPublic]:
    return visible_people(uow, user, include_departed)


@router.get("/{ref}", response_model=PersonPublic,
            summary="One person (email, manager, hire date and id: their private circle)")
def show_person(ref: Ref, user: CurrentUser, uow: Uow) -> PersonPublic:
    seen = accounts.access_to(uow(), user, ref)
    found = profiles.profile(uow(), str(seen.person.id))
    p, prof = found.person, found.profile
    manager = None
    if p.manager_id is not None:
        with uow() as u:
            m = u.people.get(p.manager_id)
            manager = m.handle if m else None
    entry = PersonPublic(id=p.id, handle=p.handle, name=p.name, email=p.email,
                         manager=manager, role=prof.role, title=prof.title, level=prof.level,
                         hired_on=prof.hired_on, departed_on=prof.departed_on,
                         promotions=prof.promotions,
                         micro_progressions=sum(prof.micro_progressions.values()))
    return PersonPublic(**redact_directory_entry(entry.model_dump(), private=seen.private))


@router.post("", response_model=PersonPublic, status_code=201,
             summary="Add a person and record their hire (HR admins)")
def add_person(body: PersonCreate, user: CurrentUser, uow: Uow) -> PersonPublic:
    accounts.require_role(user, Role.HR_ADMIN)
    person = people.add_person(uow(), body.handle, body.name, role=body.role,
                               hired_on=body.hired_on, author=user.email, email=body.email,
                               manager=body.manager, pay=body.pay, currency=body.currency,
                               evidence=body.evidence)
    return show_person(person.handle, user, uow)


@router.patch("/{ref}", response_model=PersonPublic,
              summary="Change a person's name, email or manager (HR admins; a person their "
              "own name)")
def change_person(ref: Ref, body: PersonUpdate, user: CurrentUser, uow: Uow) -> PersonPublic:
    """The same use case as the person page's form: asking for a field the user may not
    change refuses the whole change (403); the audit entry ``person.update`` names the
    user and each field before and after."""
    asked: dict[str, str | None] = body.model_dump(include=body.model_fields_set)
    if "name" in asked and asked["name"] is None:
        raise InvalidEvent("name: a person needs a name")
    for field in ("email", "manager"):  # null clears, as the form's empty field does
        if field in asked and asked[field] is None:
            asked[field] = ""
    change = person_details.change_details_as(uow(), user, ref, **asked)
    return show_person(change.person.handle, user, uow)
