"""Who did something, by name: the handles, personal emails and account emails that pages
would otherwise show for the people behind them (an event's author, an audit entry's
account, a calibration change's person)."""

from __future__ import annotations

from trellis.domain.people import name_of as name_of  # the pages' one way to name someone
from trellis.services.unit_of_work import UnitOfWork


def names_of_everyone(uow: UnitOfWork) -> dict[str, str]:
    """Every handle, personal email and account email, as the person's name (one read of
    the people and one of the accounts). A name missing here (a script's author, an account
    of no one) is shown as it was recorded."""
    with uow.reading():
        people = uow.people.all()
        users = uow.accounts.users()
    by_id = {p.id: p.name for p in people}
    names = {p.handle: p.name for p in people}
    names.update({p.email.lower(): p.name for p in people if p.email})
    names.update({u.email.lower(): by_id[u.person_id] for u in users
                  if u.person_id is not None and u.person_id in by_id})
    return names

