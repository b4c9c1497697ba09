"""Changing a person's details as a signed-in user: the one use case behind the web form
(``POST /people/{ref}/details``) and the API (``PATCH /api/people/{ref}``), so both refuse
and record exactly alike."""

from __future__ import annotations

from trellis.domain.access import User
from trellis.errors import PermissionDenied, you

from .accounts import require_details
from .people import DetailsChange, update_person
from .unit_of_work import UnitOfWork


def change_details_as(uow: UnitOfWork, user: User, ref: str, *, name: str | None = None,
                      email: str | None = None, manager: str | None = None
                      ) -> DetailsChange:
    """Change the details given (not None; an empty email or manager clears it) of the
    person ``ref`` names, as far as ``user`` may (``access.editable_details``: HR admins
    all, the person their own name); asking for a field beyond that refuses the whole
    change. The audit entry names ``user`` and each field before and after."""
    person, fields = require_details(uow, user, ref)
    asked = {"name": name, "email": email, "manager": manager}
    if any(value is not None and field not in fields for field, value in asked.items()):
        raise PermissionDenied("{you} may change only {person}'s " + " and ".join(fields),
                               you=you(user.email), person=person.term)
    return update_person(uow, person.handle, author=user.email, fields=fields,
                         name=name, email=email, manager=manager)
