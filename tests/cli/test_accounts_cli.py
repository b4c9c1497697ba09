"""``trellis admin list / disable / enable / password``: what HR does on the accounts page,
from the command line on the database, each change audited under the author setting."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher

from trellis.bootstrap import open_trellis
from trellis.errors import NotAuthenticated
from trellis.services import accounts
from trellis.settings import Settings

accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def test_accounts_are_listed_disabled_enabled_and_given_a_password(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init").code == 0
    made = cli(*db, "admin", "create", "Ana@x.org", "--role", "manager", "--password-stdin",
               input="first password\n")
    assert made.code == 0, made.err
    listed = json.loads(cli(*db, "admin", "list", "--json").out)
    assert [(a["email"], a["role"], a["disabled_at"]) for a in listed] == [
        ("ana@x.org", "manager", None)]
    assert cli(*db, "admin", "disable", "ana@x.org").out.strip() == "disabled ana@x.org"
    again = cli(*db, "admin", "disable", "ana@x.org")
    assert again.code == 1 and again.err.strip() == "error: ana@x.org is already disabled"
    listed = json.loads(cli(*db, "admin", "list", "--json").out)
    assert listed[0]["disabled_at"] is not None
    assert "disabled" in cli(*db, "admin", "list").out
    assert cli(*db, "admin", "enable", "ana@x.org").code == 0
    unknown = cli(*db, "admin", "enable", "bob@x.org")
    assert unknown.code == 1 and unknown.err.strip() == "error: unknown account 'bob@x.org'"
    assert listed[0]["must_change_password"] is False  # created at the terminal: her own
    fresh = cli(*db, "admin", "password", "ana@x.org")
    assert fresh.code == 0
    given, then = fresh.out.strip().splitlines()
    password = given.rsplit(": ", 1)[1]
    assert len(password) >= accounts.MIN_PASSWORD
    assert then == "they choose their own password when they next sign in"
    listed = json.loads(cli(*db, "admin", "list", "--json").out)
    assert listed[0]["must_change_password"] is True
    assert "active, must choose a password" in cli(*db, "admin", "list").out
    short = cli(*db, "admin", "password", "ana@x.org", "--password-stdin", input="short\n")
    assert short.code == 1 and "at least 10 characters" in short.err
    chosen = cli(*db, "admin", "password", "ana@x.org", "--password-stdin",
                 input="chosen at the terminal\n")
    assert chosen.out.strip().splitlines()[0] == "new password for ana@x.org"
    log = json.loads(cli(*db, "audit", "--json").out)
    assert [(e["action"], e["user_email"]) for e in log[:5]] == [
        ("user.password_reset", "tester"), ("user.password_reset", "tester"),
        ("user.enable", "tester"), ("user.disable", "tester"), ("user.create", "tester")]
    assert [e["detail"]["generated"] for e in log[:2]] == [False, True]


def test_a_password_given_at_the_terminal_is_replaced_at_the_next_sign_in(cli, sqlite_url):
    db = ("--db", sqlite_url)
    assert cli(*db, "init").code == 0
    assert cli(*db, "admin", "create", "ana@x.org", "--password-stdin",
               input="first password\n").code == 0
    trellis = open_trellis(Settings(database_url=sqlite_url, author="t"))
    try:
        first = accounts.login(trellis.uow(), "ana@x.org", "first password")
        assert first.must_change_password is False  # the first admin typed her own
        _, token, _ = accounts.create_token(trellis.uow(), first.user, "nightly")
        assert cli(*db, "admin", "password", "ana@x.org", "--password-stdin",
                   input="given by another\n").code == 0
        with pytest.raises(NotAuthenticated):  # signed out everywhere
            accounts.session_user(trellis.uow(), first.token)
        assert accounts.token_user(trellis.uow(), token)[0].email == "ana@x.org"  # kept
        given = accounts.login(trellis.uow(), "ana@x.org", "given by another")
        assert given.must_change_password is True
        assert accounts.session_user(trellis.uow(), given.token)[2] is True
        accounts.choose_password(trellis.uow(), given.user, given.token, "given by another",
                                 "only ana knows this")
        assert accounts.session_user(trellis.uow(), given.token)[2] is False  # this one stays
        again = accounts.login(trellis.uow(), "ana@x.org", "only ana knows this")
        assert again.must_change_password is False
    finally:
        trellis.close()
