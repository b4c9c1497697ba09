"""HR's accounts page (``/admin/accounts``) and choosing one's own password.

Every action answers next to what it acted on (the account's row, the create form), keeps
what was typed when refused, and asks first before disabling, giving a new password or
revoking a token. A password an HR admin gave lets its owner in once: the session can do
nothing but choose a password of their own (pages are sent to ``/account/password``, the
API refuses with 403), while the account's API tokens keep working.
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from trellis.domain.access import Role
from trellis.services import accounts
from web.conftest import PASSWORD, client_for

GIVEN = re.compile(r'data-testid="new-password">([^<]+)<')


def part(html: str, element_id: str, end: str) -> str:
    """The markup of the element with ``element_id``, up to its closing ``end``."""
    return html.split(f'id="{element_id}"', 1)[1].split(end, 1)[0]


def user_id(app, email: str) -> int:
    return next(u.id for u in accounts.list_users(app.state.trellis.uow()) if u.email == email)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_sign_in(app, email: str, password: str):
    """A browser's sign-in through the login form: the client and the form's answer."""
    c = client_for(app)
    csrf = csrf_of(c.get("/login").text)
    answer = c.post("/login", data={"email": email, "password": password,
                                    "csrf_token": csrf}, follow_redirects=False)
    return c, answer


def api_sign_in(app, email: str, password: str):
    c = client_for(app)
    r = c.post("/api/session", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    c.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return c, r.json()


def given_account(hr, app, email: str, role: str = "employee", person: str = "") -> str:
    """Create an account with a generated password; that password."""
    made = hr.post("/admin/accounts", data={"email": email, "role": role, "person": person})
    assert made.status_code == 201, made.text
    return unescape(GIVEN.search(made.text).group(1))


@pytest.fixture(scope="module")
def hr(clients):
    return clients["hr"]


def test_only_hr_manages_accounts(clients, app):
    for who in ("manager", "employee"):
        c = clients[who]
        assert c.get("/admin/accounts").status_code == 403
        assert c.post("/admin/accounts", data={"email": "x@x.org"}).status_code == 403
        for action in ("disable", "enable", "password"):
            assert c.post(f"/admin/accounts/1/{action}",
                          data={"confirmed": "yes"}).status_code == 403
        assert c.post("/admin/tokens/1/revoke", data={"confirmed": "yes"}).status_code == 403
    stranger = client_for(app).post("/admin/accounts/1/disable", follow_redirects=False)
    assert stranger.status_code == 303 and stranger.headers["location"] == "/login"


def test_a_created_account_shows_its_password_once_at_the_form(hr, app):
    made = hr.post("/admin/accounts", data={"email": "New.Hire@x.org", "role": "employee",
                                            "person": "peer"})
    assert made.status_code == 201 and made.headers["cache-control"] == "no-store"
    form = part(made.text, "new-account", "</section>")
    assert "new.hire@x.org can now sign in; they choose their own password" in form
    password = unescape(GIVEN.search(form).group(1))
    assert len(password) >= accounts.MIN_PASSWORD
    again = hr.get("/admin/accounts")
    assert password not in again.text and "new.hire@x.org" in again.text  # shown once
    [entry] = [e for e in accounts.audit_log(app.state.trellis.uow())
               if e["action"] == "user.create" and e["detail"]["email"] == "new.hire@x.org"]
    assert entry["user_email"] == "hr@x.org" and entry["detail"]["chooses_own_at_sign_in"]


def test_a_chosen_first_password_lands_in_the_new_row(hr, app):
    done = hr.post("/admin/accounts", data={"email": "chosen@x.org", "role": "manager",
                                            "password": "chosen by hr 1"},
                   follow_redirects=False)
    uid = user_id(app, "chosen@x.org")
    assert done.status_code == 303 and done.headers["location"] == f"/admin/accounts#account-{uid}"
    page = hr.get("/admin/accounts").text
    assert "chosen@x.org can now sign in" in part(page, f"account-{uid}", "</tr>")
    assert "can now sign in" not in hr.get("/admin/accounts").text  # once


@pytest.mark.parametrize(("data", "status", "said"), [
    ({"email": "not-an-email", "role": "manager", "person": "peer"}, 422, "Not created"),
    ({"email": "hr@x.org", "role": "manager", "person": "peer"}, 409, "already exists"),
    ({"email": "r@x.org", "role": "boss", "person": "peer"}, 422,
     "the role is employee, manager or HR admin"),
    ({"email": "s@x.org", "role": "manager", "person": "peer", "password": "short"}, 422,
     "at least 10 characters"),
    ({"email": "n@x.org", "role": "manager", "person": "nobody"}, 404, "nobody")])
def test_a_refused_account_says_why_at_the_form_and_keeps_what_was_typed(hr, app, data,
                                                                         status, said):
    before = len(accounts.list_users(app.state.trellis.uow()))
    refused = hr.post("/admin/accounts", data=data)
    assert refused.status_code == status
    form = part(refused.text, "new-account", "</section>")
    assert 'role="alert"' in form and said in unescape(form)
    assert f'value="{data["email"]}"' in form and f'value="{data["person"]}"' in form
    if data["role"] != "boss":
        assert f'<option value="{data["role"]}" selected>' in form
    assert "short" not in form.split("<form", 1)[1]  # a password is never sent back
    assert len(accounts.list_users(app.state.trellis.uow())) == before


def test_disabling_is_confirmed_first_and_ends_sessions_and_tokens(hr, app):
    hr.post("/admin/accounts", data={"email": "leaver@x.org", "password": "a long enough one"})
    leaver, _ = api_sign_in(app, "leaver@x.org", "a long enough one")
    leaver.post("/account/password", data={"current": "a long enough one",
                                           "new": "the leaver's own", "again": "the leaver's own"})
    token = leaver.post("/api/tokens", json={"name": "script"}).json()["token"]
    uid = user_id(app, "leaver@x.org")
    asked = hr.post(f"/admin/accounts/{uid}/disable")
    assert asked.status_code == 200 and "Yes, disable leaver@x.org" in asked.text
    assert f'action="/admin/accounts/{uid}/disable#account-{uid}"' in asked.text
    assert f'href="/admin/accounts#account-{uid}">Cancel' in asked.text
    assert leaver.get("/api/me").status_code == 200  # asking changed nothing
    done = hr.post(f"/admin/accounts/{uid}/disable", data={"confirmed": "yes"},
                   follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == f"/admin/accounts#account-{uid}"
    row = part(hr.get("/admin/accounts").text, f"account-{uid}", "</tr>")
    assert "leaver@x.org is disabled: signed out everywhere" in row and "disabled" in row
    assert leaver.get("/api/me").status_code == 401  # the session ended
    script = client_for(app)
    bearer = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/me", headers=bearer).status_code == 401
    assert client_for(app).post("/api/session", json={
        "email": "leaver@x.org", "password": "the leaver's own"}).status_code == 401
    twice = hr.post(f"/admin/accounts/{uid}/disable")
    assert twice.status_code == 409
    assert "Not disabled: leaver@x.org is already disabled" in part(twice.text,
                                                                   f"account-{uid}", "</tr>")
    back = hr.post(f"/admin/accounts/{uid}/enable", follow_redirects=False)
    assert back.status_code == 303
    assert "leaver@x.org can sign in again" in part(hr.get("/admin/accounts").text,
                                                    f"account-{uid}", "</tr>")
    assert script.get("/api/me", headers=bearer).status_code == 200
    actions = [(e["action"], e["user_email"]) for e in accounts.audit_log(
        app.state.trellis.uow(), 10) if e["resource"] == f"user/{uid}"]
    assert actions[:2] == [("user.enable", "hr@x.org"), ("user.disable", "hr@x.org")]


def test_an_admin_cannot_disable_or_reset_their_own_account(hr, app):
    me = user_id(app, "hr@x.org")
    for action, said in (("disable", "Not disabled: you cannot disable your own account"),
                         ("password", "Password not changed: you cannot reset the password "
                          "of your own account")):
        for data in ({}, {"confirmed": "yes"}):
            own = hr.post(f"/admin/accounts/{me}/{action}", data=data)
            assert own.status_code == 409
            assert said in part(own.text, f"account-{me}", "</tr>")
    assert hr.post("/admin/accounts/99999/disable").status_code == 404
    unknown = hr.post("/admin/accounts/99999/password", data={"confirmed": "yes"})
    assert unknown.status_code == 404 and "unknown account 99999" in unknown.text
    assert hr.get("/api/me").status_code == 200


def test_a_new_password_is_confirmed_and_asked_for_on_the_confirmation(hr, app):
    old = given_account(hr, app, "forgot@x.org", "manager")
    user, _ = web_sign_in(app, "forgot@x.org", old)
    csrf = csrf_of(user.get("/account/password").text)
    user.post("/account/password", data={"csrf_token": csrf, "current": old,
                                         "new": "forgot's own one", "again": "forgot's own one"})
    token = user.post("/api/tokens", json={"name": "nightly export"},
                      headers={"X-CSRF-Token": csrf}).json()["token"]
    uid = user_id(app, "forgot@x.org")
    asked = hr.post(f"/admin/accounts/{uid}/password")
    assert asked.status_code == 200 and "Give forgot@x.org a new password?" in asked.text
    assert 'name="password" type="password"' in asked.text  # asked here, not hidden
    assert user.get("/api/me").status_code == 200  # nothing changed yet
    short = hr.post(f"/admin/accounts/{uid}/password",
                    data={"confirmed": "yes", "password": "short"})
    assert short.status_code == 422 and 'role="alert"' in short.text
    assert "Password not changed: a password needs at least 10 characters" in short.text
    assert user.get("/api/me").status_code == 200
    made = hr.post(f"/admin/accounts/{uid}/password", data={"confirmed": "yes"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    row = part(made.text, f"account-{uid}", "</tr>")
    assert "forgot@x.org has a new password and was signed out everywhere" in row
    fresh = unescape(GIVEN.search(row).group(1))
    assert user.get("/api/me").status_code == 401  # signed out everywhere
    assert client_for(app).get("/api/me", headers={"Authorization": f"Bearer {token}"}
                               ).status_code == 200  # API tokens are not affected
    _, session = api_sign_in(app, "forgot@x.org", fresh)
    assert session["must_change_password"] is True
    chosen = hr.post(f"/admin/accounts/{uid}/password",
                     data={"confirmed": "yes", "password": "chosen by hr!"},
                     follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"].endswith(f"#account-{uid}")
    assert 'data-testid="new-password"' not in hr.get("/admin/accounts").text
    _, session = api_sign_in(app, "forgot@x.org", "chosen by hr!")
    assert session["must_change_password"] is True


def test_revoking_a_token_is_confirmed_first(hr, app):
    password = "revoker's own pw"
    hr.post("/admin/accounts", data={"email": "tok@x.org", "password": "given to tok 1"})
    owner, _ = api_sign_in(app, "tok@x.org", "given to tok 1")
    owner.post("/account/password", data={"current": "given to tok 1", "new": password,
                                          "again": password})
    made = owner.post("/api/tokens", json={"name": "nightly export"}).json()
    uid = user_id(app, "tok@x.org")
    listed = part(hr.get("/admin/accounts").text, f"account-{uid}", "</tr>")
    assert "nightly export" in listed
    assert f'action="/admin/tokens/{made["id"]}/revoke#account-{uid}"' in listed
    asked = hr.post(f"/admin/tokens/{made['id']}/revoke")
    assert asked.status_code == 200 and "Yes, revoke it" in asked.text
    bearer = {"Authorization": f"Bearer {made['token']}"}
    assert client_for(app).get("/api/me", headers=bearer).status_code == 200
    gone = hr.post(f"/admin/tokens/{made['id']}/revoke", data={"confirmed": "yes"},
                   follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"].endswith(f"#account-{uid}")
    row = part(hr.get("/admin/accounts").text, f"account-{uid}", "</tr>")
    assert "The API token “nightly export” of tok@x.org is revoked." in unescape(row)
    assert client_for(app).get("/api/me", headers=bearer).status_code == 401
    again = hr.post(f"/admin/tokens/{made['id']}/revoke", data={"confirmed": "yes"})
    assert again.status_code == 404
    assert f"Not revoked: unknown API token {made['id']}" in part(again.text, "accounts",
                                                                  "<table")
    assert [e["user_email"] for e in accounts.audit_log(app.state.trellis.uow(), 5)
            if e["action"] == "token.revoke"] == ["hr@x.org"]


# --- choosing one's own password


def test_a_given_password_lets_its_owner_only_choose_their_own(hr, app):
    given = given_account(hr, app, "newbie@x.org", person="peer")
    c, signed = web_sign_in(app, "newbie@x.org", given)
    assert signed.status_code == 303 and signed.headers["location"] == "/account/password"
    page = c.get("/account/password")
    assert page.status_code == 200 and "Choose your own password" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert 'aria-label="Main"' not in page.text  # no menu: nowhere else to go
    deep = c.get("/people?q=pe", follow_redirects=False)
    assert deep.status_code == 303
    assert deep.headers["location"] == "/account/password?next=/people%3Fq%3Dpe"
    assert c.get("/account/password?next=/people%3Fq%3Dpe").text.count(
        'name="next" value="/people?q=pe"') == 1
    csrf = csrf_of(page.text)
    for path in ("/me", "/admin/accounts", "/reviews"):
        assert c.get(path, follow_redirects=False).headers["location"].startswith(
            "/account/password")
    api = c.get("/api/me")
    assert api.status_code == 403
    assert api.json()["type"] == "/problems/password-change-required"
    assert "choose your own password first" in api.json()["detail"]
    assert c.post("/api/tokens", json={"name": "dodge"}, headers={"X-CSRF-Token": csrf}
                  ).status_code == 403  # no token to get round it
    api_session, body = api_sign_in(app, "newbie@x.org", given)
    assert body["must_change_password"] is True
    assert api_session.get("/api/people/peer").status_code == 403
    assert api_session.delete("/api/session").status_code == 204  # signing out still works
    write = c.post("/people/peer/events", data={"csrf_token": csrf, "kind": "certification"},
                   follow_redirects=False)
    assert write.status_code == 303 and write.headers["location"] == "/account/password"

    done = c.post("/account/password", data={
        "csrf_token": csrf, "current": given, "new": "newbie's very own", "again":
        "newbie's very own", "next": "/people?q=pe"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/people?q=pe#main"
    landed = c.get("/people?q=pe")
    assert landed.status_code == 200 and "Your password is changed." in part(
        landed.text, "main-notice", "</p>")
    assert c.get("/api/me").status_code == 200
    assert client_for(app).post("/api/session", json={
        "email": "newbie@x.org", "password": given}).status_code == 401
    _, session = api_sign_in(app, "newbie@x.org", "newbie's very own")
    assert session["must_change_password"] is False
    entries = [e["action"] for e in accounts.audit_log(app.state.trellis.uow(), 5)
               if e["user_email"] == "newbie@x.org"]
    assert "user.password_change" in entries


@pytest.mark.parametrize(("fields", "status", "said"), [
    ({"current": "not the one", "new": "a brand new one", "again": "a brand new one"}, 422,
     "the current password is wrong"),
    ({"current": "", "new": "a brand new one", "again": "a brand new one"}, 422,
     "give the password you signed in with"),
    ({"current": "GIVEN", "new": "a brand new one", "again": "a brand new two"}, 422,
     "the two new passwords differ"),
    ({"current": "GIVEN", "new": "short", "again": "short"}, 422, "at least 10 characters"),
    ({"current": "GIVEN", "new": "GIVEN", "again": "GIVEN"}, 422,
     "that is the one you have now")])
def test_a_refused_choice_says_why_and_changes_nothing(hr, app, fields, status, said):
    email = f"refused{abs(hash(said)) % 10**6}@x.org"
    given = given_account(hr, app, email)
    c, _ = web_sign_in(app, email, given)
    csrf = csrf_of(c.get("/account/password").text)
    data = {k: given if v == "GIVEN" else v for k, v in fields.items()}
    refused = c.post("/account/password", data={"csrf_token": csrf, **data})
    assert refused.status_code == status
    form = part(refused.text, "password", "</section>")
    assert 'role="alert"' in form and said in form and "Not changed" in form
    assert given not in form  # no password is sent back
    assert c.get("/me", follow_redirects=False).headers["location"] == "/account/password"
    _, session = api_sign_in(app, email, given)  # the given one still lets them in
    assert session["must_change_password"] is True


def test_anyone_may_change_their_password_and_their_other_sessions_end(app):
    accounts.create_user(app.state.trellis.uow(), "self@x.org", PASSWORD, Role.EMPLOYEE,
                         person="peer", author="t")  # a password of their own
    other, _ = api_sign_in(app, "self@x.org", PASSWORD)
    c, signed = web_sign_in(app, "self@x.org", PASSWORD)
    assert signed.headers["location"] == "/me"  # not sent to choose one
    page = c.get("/account/password").text
    assert "Change your password" in page and 'aria-label="Main"' in page
    done = c.post("/account/password", data={
        "csrf_token": csrf_of(page), "current": PASSWORD, "new": "self changed it",
        "again": "self changed it"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/people/")
    landed = c.get(done.headers["location"]).text
    assert "Your password is changed. 1 other session signed out." in landed
    assert other.get("/api/me").status_code == 401 and c.get("/api/me").status_code == 200


def test_a_token_cannot_change_a_password(app, clients):
    made = clients["manager"].post("/api/tokens", json={"name": "pw"}).json()
    r = client_for(app).post("/account/password", headers={
        "Authorization": f"Bearer {made['token']}"}, data={
        "current": PASSWORD, "new": "a new one here", "again": "a new one here"})
    assert r.status_code == 403 and "needs a signed-in session" in r.text
