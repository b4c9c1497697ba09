"""Use cases for accounts: users, passwords, login sessions, API tokens, permissions, audit.

Passwords are hashed with argon2 (argon2-cffi); session and API tokens are random and kept
only as SHA-256 digests. A failed login says the same thing whatever went wrong, and a
burst of failures for one email (known or not) locks that email for a while; a burst from
one client (many emails, one guess each) throttles that client.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trellis.domain import access
from trellis.domain.access import Role, TokenScope, User
from trellis.domain.events import Event, EventKind, kind_words
from trellis.domain.limits import EMAIL_MAX, TOKEN_ID_MAX, check_int, check_text
from trellis.domain.people import Person, check_email
from trellis.domain.timeline import describe
from trellis.errors import (
    Conflict,
    InvalidEvent,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    Term,
    TooManyAttempts,
    you,
    your,
)

from . import clock
from .ledger import append_event, find_person, note_event, unknown_event
from .pending import demo_pending
from .profiles import PersonProfile, profile_of
from .unit_of_work import UnitOfWork

MIN_PASSWORD = 10
SESSION_HOURS = 12
TOKEN_LIFETIME = timedelta(days=90)  # an API token's default lifetime
MAX_TOKEN_DAYS = 365  # the longest lifetime a token may be given
TOKEN_NAME_MAX = 100
MAX_FAILURES = 5  # failed logins for one email within the window before it is locked
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
MAX_CLIENT_FAILURES = 20  # failed logins from one client address within the window
CLIENT_LOCKOUT = timedelta(minutes=15)
LOGIN_FAILED = "wrong email or password, or too many attempts: try again later"
CLIENT_THROTTLED = "too many failed sign-ins from this address: try again later"

_hasher = PasswordHasher()
_dummy: dict[PasswordHasher, str] = {}


def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both failures take the same time."""
    found = _dummy.get(_hasher)
    if found is None:
        found = _dummy[_hasher] = _hasher.hash("not a password of anyone's")
    return found


def use_hasher(hasher: PasswordHasher) -> None:
    """Hash with other argon2 parameters (tests use cheap ones; production keeps the
    library's defaults). Hashes made before keep working and are upgraded at login."""
    global _hasher
    _hasher = hasher


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    """An argon2 hash of a password, with the hasher in use (see ``use_hasher``)."""
    return _hasher.hash(check_password(password))


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidEvent(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def create_user(uow: UnitOfWork, email: str, password: str, role: Role, *,
                person: str | None = None, author: str,
                must_change_password: bool = False) -> User:
    """Add a user (optionally linked to a person) with an argon2-hashed password;
    ``must_change_password`` when someone else chose it (an HR admin): the user chooses
    their own at their first sign-in (``choose_password``)."""
    email = email.strip().lower()
    check_email(email)
    check_password(password)
    with uow:
        if uow.accounts.user_by_email(email) is not None:
            raise Conflict(f"a user with email '{email}' already exists")
        person_id = find_person(uow, person).id if person else None
        user = uow.accounts.add_user(email, _hasher.hash(password), role, person_id,
                                     clock.now(), must_change_password)
        uow.audit.add(clock.now(), author, "user.create", f"user/{user.id}",
                      {"email": email, "role": role.value, "person_id": person_id,
                       "chooses_own_at_sign_in": must_change_password})
        uow.commit()
        return user


def list_users(uow: UnitOfWork) -> list[User]:
    with uow.reading():
        return uow.accounts.users()


@dataclass(frozen=True, slots=True)
class LoginSession:
    user: User
    token: str  # the cookie value: shown once, stored only as a digest
    csrf: str
    expires: datetime
    must_change_password: bool = False  # the session may do nothing else first


def login(uow: UnitOfWork, email: str, password: str, client: str | None = None
          ) -> LoginSession:
    """Check a password and open a session; every failure raises the same NotAuthenticated.

    ``client`` is the address the attempt came from: once it has failed too often, its
    attempts are refused (TooManyAttempts) without looking at the password.
    """
    address = check_text(email.strip().lower(), "email", EMAIL_MAX)
    key = email_key(address)
    where = client_key(client) if client else None
    now = clock.now()
    with uow:
        if where is not None and (until := _locked_until(uow, where, now)) is not None:
            uow.audit.add(now, None, "login.failed", "session",
                          {"email": address, "throttled": "client"})
            uow.commit()
            raise TooManyAttempts(CLIENT_THROTTLED, _seconds(until - now))
        locked = _locked_until(uow, key, now) is not None
        found = uow.accounts.user_by_email(address)
        try:
            _hasher.verify(found[1] if found else _dummy_hash(), password)
            ok = found is not None and not locked and uow.accounts.disabled_at(
                found[0].id) is None  # a disabled account fails as a wrong password does
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            _fail(uow, key, now, MAX_FAILURES, LOCKOUT)
            if where is not None:
                _fail(uow, where, now, MAX_CLIENT_FAILURES, CLIENT_LOCKOUT)
            uow.audit.add(now, None, "login.failed", "session", {"email": address})
            uow.commit()
            raise NotAuthenticated(LOGIN_FAILED)
        assert found is not None
        user, stored = found
        if _hasher.check_needs_rehash(stored):
            uow.accounts.set_password_hash(user.id, _hasher.hash(password))
        uow.accounts.clear_throttle(key)
        uow.accounts.remove_expired_sessions(now)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + timedelta(hours=SESSION_HOURS)
        uow.accounts.add_session(digest(token), user.id, csrf, now, expires)
        uow.audit.add(now, user.email, "login", "session", {})
        must_change = uow.accounts.must_change_password(user.id)
        uow.commit()
        return LoginSession(user, token, csrf, expires, must_change)


# The throttle's keys: an email is prefixed so that no typed email can name a client's key.
def email_key(email: str) -> str:
    """The login throttle's key for an email, known or not."""
    return "email:" + email.strip().lower()[:EMAIL_MAX - 6]


def client_key(address: str) -> str:
    """The login throttle's key for a client address (behind a proxy, the proxy's)."""
    return "client:" + address[:EMAIL_MAX - 7]


def _locked_until(uow: UnitOfWork, key: str, now: datetime) -> datetime | None:
    found = uow.accounts.throttle(key)
    return found[2] if found is not None and found[2] is not None and found[2] > now else None


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def _fail(uow: UnitOfWork, key: str, now: datetime, limit: int, lockout: timedelta) -> None:
    """Count a failure for ``key`` (atomically: concurrent failures all count) and lock the
    key once ``limit`` failures fall within the window."""
    failures, locked_until = uow.accounts.count_failure(key, now, now - FAILURE_WINDOW)
    if failures >= limit and (locked_until is None or locked_until <= now):
        uow.accounts.lock(key, now + lockout)


def session_user(uow: UnitOfWork, token: str) -> tuple[User, str, bool]:
    """The user of a session cookie, the session's CSRF token, and whether the user must
    choose a new password before doing anything else."""
    with uow.reading():
        found = uow.accounts.session(digest(token), clock.now())
    if found is None:
        raise NotAuthenticated("not signed in, or the session has expired")
    return found


CURRENT_WRONG = "the current password is wrong, or there were too many attempts: try again later"


def choose_password(uow: UnitOfWork, user: User, token: str, current: str, new: str) -> int:
    """The signed-in user replaces their password (they must when an HR admin gave it).

    ``current`` is checked as a sign-in would check it (a wrong one counts toward the
    email's lockout); ``new`` needs ``MIN_PASSWORD`` characters and must differ from it.
    The user's other sessions end, the one of ``token`` stays; their API tokens are kept.
    Returns how many sessions ended.
    """
    check_password(new)
    key, now = email_key(user.email), clock.now()
    with uow:
        stored = uow.accounts.password_hash(user.id)
        try:
            ok = (stored is not None and _locked_until(uow, key, now) is None
                  and _hasher.verify(stored, current))
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            _fail(uow, key, now, MAX_FAILURES, LOCKOUT)
            uow.audit.add(now, user.email, "user.password_refused", f"user/{user.id}", {})
            uow.commit()
            raise InvalidEvent(CURRENT_WRONG)
        if new == current:
            raise InvalidEvent("choose a new password: that is the one you have now")
        uow.accounts.set_password_hash(user.id, _hasher.hash(new), must_change_password=False)
        ended = uow.accounts.remove_sessions_of(user.id, keep=digest(token))
        uow.accounts.clear_throttle(key)
        uow.audit.add(now, user.email, "user.password_change", f"user/{user.id}",
                      {"sessions": ended})
        uow.commit()
        return ended


def logout(uow: UnitOfWork, token: str) -> None:
    with uow:
        uow.accounts.remove_session(digest(token))
        uow.commit()


def create_token(uow: UnitOfWork, user: User, name: str, *, days: int | None = None,
                 scope: TokenScope = TokenScope.WRITE) -> tuple[int, str, datetime]:
    """A personal API token for ``days`` (default TOKEN_LIFETIME, at most MAX_TOKEN_DAYS):
    returned once in the clear with its expiry, stored as a digest."""
    name = check_text(name.strip(), "a token's name", TOKEN_NAME_MAX)
    if not name:
        raise InvalidEvent(f"a token needs a name of 1-{TOKEN_NAME_MAX} characters")
    lifetime = TOKEN_LIFETIME if days is None else timedelta(
        days=check_int(days, "a token's lifetime in days", 1, MAX_TOKEN_DAYS))
    token = "trellis_" + secrets.token_urlsafe(32)
    with uow:
        now = clock.now()
        expires = now + lifetime
        token_id = uow.accounts.add_token(digest(token), user.id, name, now, expires,
                                          scope.value)
        uow.audit.add(now, user.email, "token.create", f"token/{token_id}",
                      {"name": name, "scope": scope.value, "days": lifetime.days})
        uow.commit()
    return token_id, token, expires


TOKEN_TOUCH = timedelta(minutes=5)  # how stale a token's last_used_at may get


def token_user(uow: UnitOfWork, token: str) -> tuple[User, TokenScope]:
    """The user of a live API token and the token's scope; its last use is written at most
    every few minutes, so a script's reads stay reads."""
    now = clock.now()
    with uow.reading():
        found = uow.accounts.token_user(digest(token), now)
    if found is None:
        raise NotAuthenticated("unknown or expired API token")
    user, last_used, scope = found
    if last_used is None or now - last_used > TOKEN_TOUCH:
        with uow:
            uow.accounts.touch_token(digest(token), now)
            uow.commit()
    return user, TokenScope(scope)


def list_tokens(uow: UnitOfWork, user: User, owner: str | None = None,
                everyone: bool = False) -> list[dict[str, Any]]:
    """``user``'s own tokens; HR admins also anyone's (``owner``, an email) or everyone's."""
    if everyone or (owner is not None and owner.strip().lower() != user.email):
        require_role(user, Role.HR_ADMIN)
    with uow.reading():
        if everyone:
            return uow.accounts.tokens()
        if owner is None:
            return uow.accounts.tokens(user.id)
        found = uow.accounts.user_by_email(owner.strip().lower())
        if found is None:
            raise NotFound(f"unknown user '{owner}'")
        return uow.accounts.tokens(found[0].id)


def revoke_token(uow: UnitOfWork, user: User, token_id: int) -> None:
    """Revoke a token: its owner, or an HR admin (anyone's); NotFound for anyone else, as
    for a token that does not exist."""
    with uow:
        found = uow.accounts.token(token_id) if 0 < token_id <= TOKEN_ID_MAX else None
        if found is None or not access.can_manage_token(user, found["user_id"]):
            raise NotFound(f"unknown token {token_id}")
        uow.accounts.remove_token(token_id)
        uow.audit.add(clock.now(), user.email, "token.revoke", f"token/{token_id}",
                      {"owner": found["user"]})
        uow.commit()


# --- permissions: the pure rules of domain.access, given the management chain from storage


def chain_of(uow: UnitOfWork, person: Person) -> list[int]:
    """The ids of a person's managers, nearest first (inside an open unit of work)."""
    return uow.people.managers(person.id)


@dataclass(frozen=True, slots=True)
class Access:
    """What one user may do about one person."""

    person: Person
    private: bool  # readiness, plans, check-in notes
    pay: bool
    is_self: bool


def person_for(uow: UnitOfWork, user: User, ref: str) -> tuple[Person, list[int]]:
    """The person ``ref`` names and their management chain, as ``user`` may look them up
    (inside an open unit of work): outside the private circle by handle only, anything
    else reading exactly as an unknown person."""
    person = find_person(uow, ref)
    chain = chain_of(uow, person)
    if not access.can_look_up(user, person.id, chain, by_handle=person.handle == ref.strip()):
        raise NotFound(f"unknown person '{ref}'")
    return person, chain


def access_to(uow: UnitOfWork, user: User, ref: str) -> Access:
    """Find a person and what ``user`` may see of them."""
    with uow.reading():
        person, chain = person_for(uow, user, ref)
    return Access(person, access.can_view_private(user, person.id, chain),
                  access.can_see_pay(user, person.id, chain), access.is_self(user, person.id))


def read_profile(uow: UnitOfWork, user: User, ref: str, at: date | None = None
                 ) -> tuple[Access, PersonProfile]:
    """A person's profile and what ``user`` may see of it; a read of pay is audited before
    the profile is returned."""
    with uow.reading():
        person, chain = person_for(uow, user, ref)
        seen = Access(person, access.can_view_private(user, person.id, chain),
                      access.can_see_pay(user, person.id, chain), access.is_self(user, person.id))
        found = profile_of(uow, person, at)
    if seen.pay and found.profile.pay is not None:
        audit(uow, user, "pay.read", f"person/{person.handle}/profile")
    return seen, found


@dataclass(frozen=True, slots=True)
class Recorded:
    person: Person
    event: Event
    summary: str
    pending: bool = False  # self-reported: counts once someone else verifies it


def record_for(uow: UnitOfWork, user: User, ref: str, kind: EventKind, on: date,
               fields: Mapping[str, Any], *, evidence: str | None = None,
               verifier: str | None = None) -> Recorded:
    """Record an event ``user`` may record, with its audit entry, in one transaction."""
    with uow:
        person, chain = person_for(uow, user, ref)
        assessor = fields.get("assessor")
        if not access.can_record(user, person.id, chain, kind,
                                 None if assessor is None else str(assessor)):
            if kind is EventKind.ASSESSED:
                own = "self" if user.person_id == person.id else "peer"
                raise PermissionDenied(f"{{you}} may record only a {own} assessment of "
                                       f"{{person}}{{assessor}}", you=you(user.email),
                                       person=person.term,
                                       assessor=Term("", f" (assessor: {own})"))
            raise PermissionDenied("{you} may not record {kind} for {person}",
                                   you=you(user.email), kind=kind.term, person=person.term)
        event = append_event(uow, person, kind, on, fields, author=user.email,
                             evidence=evidence, verifier=verifier,
                             self_reported=access.is_self(user, person.id))
        note_event(uow, user.email, "event.record", person, event, {"kind": kind.value})
        framework = uow.frameworks.catalog[event.framework_version]
        uow.commit()
        return Recorded(person, event, describe(event, framework), event.self_reported
                        and event.kind.value in framework.verification.pending)


def require_private(uow: UnitOfWork, user: User, ref: str) -> Access:
    found = access_to(uow, user, ref)
    if not found.private:
        raise PermissionDenied("{you} may not see {person}'s private career data",
                               you=you(user.email), person=found.person.term)
    return found


def require_record(uow: UnitOfWork, user: User, ref: str, kind: EventKind) -> Person:
    with uow.reading():
        person, chain = person_for(uow, user, ref)
    if not access.can_record(user, person.id, chain, kind):
        raise PermissionDenied("{you} may not record {kind} for {person}",
                               you=you(user.email), kind=kind.term, person=person.term)
    return person


def require_verify(uow: UnitOfWork, user: User, event_id: int) -> Person:
    """The person whose event ``user`` may verify (their managers and HR admins, never
    the person themselves); NotFound for an unknown event."""
    with uow.reading():
        target = uow.events.get(event_id) if 0 < event_id < 2**62 else None
        person = uow.people.get(target.person_id) if target else None
        if person is None:
            raise unknown_event(event_id)
        chain = chain_of(uow, person)
    if not access.can_verify(user, person.id, chain):
        raise PermissionDenied("{you} may not verify {person}'s events: only their managers "
                               "and HR admins can, never the person", you=you(user.email),
                               person=person.term)
    return person


def require_recognize(uow: UnitOfWork, user: User, ref: str, kind: str,
                      points: int | None) -> Person:
    """The person ``user`` may recognize with ``kind`` (see ``access.can_recognize``)."""
    with uow.reading():
        person, chain = person_for(uow, user, ref)
    if not access.can_recognize(user, person.id, chain, kind, points):
        raise PermissionDenied(f"{{you}} may not give {{person}} a {{kind}}"
                               f"{' with points' if points else ''}: colleagues give kudos, "
                               "managers and HR admins any recognition, nobody themselves",
                               you=you(user.email), person=person.term,
                               kind=Term(kind_words(kind), kind))
    return person


def require_details(uow: UnitOfWork, user: User, ref: str) -> tuple[Person, tuple[str, ...]]:
    """The person whose details ``user`` may change, and which (``access.editable_details``);
    PermissionDenied when none."""
    with uow.reading():
        person, chain = person_for(uow, user, ref)
    fields = access.editable_details(user, person.id, chain)
    if not fields:
        raise PermissionDenied("{you} may not change {person}'s details: HR admins can, and "
                               "each person their own name", you=you(user.email),
                               person=person.term)
    return person, fields


def require_retract(uow: UnitOfWork, user: User, event_id: int) -> Person:
    """The person whose event ``user`` may retract (their managers and HR admins);
    NotFound for an unknown event."""
    with uow.reading():
        target = uow.events.get(event_id) if 0 < event_id < 2**62 else None
        person = uow.people.get(target.person_id) if target else None
        if person is None:
            raise unknown_event(event_id)
        chain = chain_of(uow, person)
    if not access.can_record(user, person.id, chain, EventKind.RETRACTION):
        raise PermissionDenied("{you} may not retract {person}'s events: only their managers "
                               "and HR admins can", you=you(user.email), person=person.term)
    return person


def may_retract(uow: UnitOfWork, user: User, ref: str) -> bool:
    """Whether ``user`` may retract the events of the person ``ref`` names."""
    with uow.reading():
        person, chain = person_for(uow, user, ref)
    return access.can_record(user, person.id, chain, EventKind.RETRACTION)


def require_role(user: User, *roles: Role) -> None:
    if user.role not in roles:
        raise PermissionDenied("this needs the {roles} role", roles=Term(
            " or ".join(_ROLE_WORDS.get(r, r.value) for r in roles),
            " or ".join(r.value for r in roles)))


_ROLE_WORDS = {Role.HR_ADMIN: "HR admin"}  # as pages name a role (the others: their value)


def team_root(uow: UnitOfWork, user: User, manager: str | None) -> str | None:
    """The manager whose team a user may look at: their own, or any for an HR admin.

    Returns the handle to pass to team use cases, or None for the whole organization.
    """
    if user.is_hr:
        return manager
    require_role(user, Role.MANAGER)
    if user.person_id is None:
        raise PermissionDenied("{account} is not linked to a person, so has no team",
                               account=Term("your account", user.email))
    with uow.reading():
        me = uow.people.get(user.person_id)
        assert me is not None
        if manager is None or manager in (me.handle, me.email, str(me.id)):
            return me.handle
        other, chain = person_for(uow, user, manager)
        if me.id not in chain:
            raise PermissionDenied("{person} is not in {your} team", person=other.term,
                                   your=your(user.email))
        return other.handle


# --- the audit log


def audit(uow: UnitOfWork, user: User | None, action: str, resource: str,
          detail: dict[str, Any] | None = None) -> None:
    """Write one audit entry in its own transaction (for reads of pay and for writes)."""
    with uow:
        uow.audit.add(clock.now(), user.email if user else None, action, resource,
                      detail or {})
        uow.commit()


def audit_log(uow: UnitOfWork, limit: int | None = None) -> list[dict[str, Any]]:
    with uow.reading():
        return uow.audit.entries(limit)


# --- demo accounts


DEMO_PASSWORD = "trellis-demo"


@dataclass(frozen=True, slots=True)
class DemoAccount:
    email: str
    role: Role
    person: str | None


def create_demo_accounts(uow: UnitOfWork, manager: str | None, *, author: str
                         ) -> list[DemoAccount]:
    """An HR admin, a manager (``manager``) and one of their reports, sharing a password.

    For a demo database only: the password is printed, and the same for every account.
    """
    with uow:
        left = {r["person_id"] for r in uow.state.rows() if r["departed_on"] is not None}
        boss = find_person(uow, manager) if manager else None
        reports = [p for p in uow.people.reports(boss.id) if p.id not in left] if boss else []
        employee = min((p for p in reports if boss and p.manager_id == boss.id), default=None,
                       key=lambda p: (bool(uow.people.reports(p.id)), p.id))
        top = next((p for p in uow.people.all() if p.manager_id is None
                    and p.id not in left), None)
    wanted = [DemoAccount("hr@demo.trellis", Role.HR_ADMIN, top.handle if top else None)]
    if boss is not None:
        wanted.append(DemoAccount("manager@demo.trellis", Role.MANAGER, boss.handle))
    if employee is not None:
        wanted.append(DemoAccount("employee@demo.trellis", Role.EMPLOYEE, employee.handle))
    for account in wanted:
        create_user(uow, account.email, DEMO_PASSWORD, account.role, person=account.person,
                    author=author)
    if employee is not None:  # a few self-reported advances wait for the manager
        demo_pending(uow, employee.handle, "employee@demo.trellis")
    return wanted
