"""The login throttles count every failure, however many arrive at once, on every engine:
per email (a lockout, answered like any failed login) and per client (429, Retry-After)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from trellis.errors import NotAuthenticated
from trellis.services import accounts

from .conftest import PASSWORD

ATTEMPTS = accounts.MAX_FAILURES + 1


def failures_of(app, key: str) -> int:
    with app.state.trellis.uow() as uow:
        found = uow.accounts.throttle(key)
    return found[0] if found else 0


@pytest.mark.parametrize("trial", range(3))
def test_simultaneous_wrong_passwords_are_all_counted_and_lock_the_email(app, trial):
    email = ("emp@x.org", "mgr@x.org", "ghost@x.org")[trial]
    start = threading.Barrier(ATTEMPTS)

    def attempt(_: int) -> str:
        start.wait()
        try:
            accounts.login(app.state.trellis.uow(), email, "wrong password")
        except NotAuthenticated:
            return "refused"
        return "signed in"

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))
    assert outcomes == ["refused"] * ATTEMPTS
    assert failures_of(app, accounts.email_key(email)) == ATTEMPTS
    with pytest.raises(NotAuthenticated):  # locked: the right password is refused too
        accounts.login(app.state.trellis.uow(), email, PASSWORD)
