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


def test_one_client_guessing_many_emails_is_throttled_with_retry_after(app):
    from fastapi.testclient import TestClient

    guesser = TestClient(app, client=("203.0.113.7", 40000))
    answers = [guesser.post("/api/session", json={"email": f"user{i}@x.org",
                                                  "password": "guess guess"})
               for i in range(30)]
    statuses = [r.status_code for r in answers]
    assert 429 in statuses, statuses
    first = statuses.index(429)
    assert statuses[:first] == [401] * first and set(statuses[first:]) == {429}
    throttled = answers[first]
    assert int(throttled.headers["retry-after"]) > 0
    assert throttled.headers["content-type"].startswith("application/problem+json")
    # while throttled even the right password is refused from that client, not from others
    right = {"email": "peer@x.org", "password": PASSWORD}
    assert guesser.post("/api/session", json=right).status_code == 429
    assert TestClient(app, client=("198.51.100.2", 40000)).post(
        "/api/session", json=right).status_code == 200


def test_the_login_page_answers_a_throttled_client_with_429(app):
    import re

    from fastapi.testclient import TestClient

    guesser = TestClient(app, client=("203.0.113.8", 40000))
    for i in range(30):
        csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                         guesser.get("/login").text).group(1)
        page = guesser.post("/login", data={"email": f"page{i}@x.org",
                                            "password": "guess guess", "csrf_token": csrf})
        if page.status_code == 429:
            break
    assert page.status_code == 429 and int(page.headers["retry-after"]) > 0
    assert "too many" in page.text.lower()
