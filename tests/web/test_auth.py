"""Signing in: one message for every failure, a lockout after a burst, CSRF, API tokens."""

from __future__ import annotations

import re

import pytest

from .conftest import PASSWORD, client_for


@pytest.fixture
def app(tmp_path):
    """A fresh organization per test: these tests lock accounts and sign out."""
    from trellis.entrypoints.web.app import create_app
    from trellis.settings import Settings

    from .conftest import seed

    url = f"sqlite:///{tmp_path / 'trellis.db'}"
    seed(url)
    app = create_app(Settings(database_url=url, author="t"))
    yield app
    app.state.trellis.close()


def login(client, email, password):
    return client.post("/api/session", json={"email": email, "password": password})


def test_wrong_password_and_unknown_email_read_the_same(app):
    c = client_for(app)
    wrong = login(c, "emp@x.org", "not the password")
    unknown = login(c, "nobody@x.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert "trellis_session" not in c.cookies


def test_login_sets_an_http_only_cookie_and_a_csrf_token(app):
    c = client_for(app)
    r = login(c, "EMP@x.org ", PASSWORD)
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert "trellis_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert r.json()["user"] == {"id": 3, "email": "emp@x.org", "role": "employee",
                                "person": "emp"}
    assert c.get("/api/me").json()["email"] == "emp@x.org"


def test_a_burst_of_failures_locks_the_email_known_or_not(app):
    c = client_for(app)
    for _ in range(5):
        assert login(c, "emp@x.org", "wrong password").status_code == 401
        assert login(c, "ghost@x.org", "wrong password").status_code == 401
    locked = login(c, "emp@x.org", PASSWORD)  # the right password, too late
    assert locked.status_code == 401
    assert locked.json()["detail"] == login(c, "ghost@x.org", PASSWORD).json()["detail"]
    assert login(c, "mgr@x.org", PASSWORD).status_code == 200  # others are not affected


def test_writes_with_a_cookie_need_the_csrf_token(app):
    c = client_for(app)
    csrf = login(c, "emp@x.org", PASSWORD).json()["csrf_token"]
    body = {"kind": "certification", "details": {"certification": "AWS"}}
    assert c.post("/api/people/emp/events", json=body).status_code == 403
    assert c.post("/api/people/emp/events", json=body,
                  headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert c.post("/api/people/emp/events", json=body,
                  headers={"X-CSRF-Token": csrf}).status_code == 201


def test_form_posts_need_the_csrf_field(app):
    c = client_for(app)
    login(c, "emp@x.org", PASSWORD)
    form = {"kind": "certification", "certification": "GCP"}
    assert c.post("/people/emp/events", data=form, follow_redirects=False).status_code == 403
    page = c.get("/me").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/people/emp/events", data={**form, "csrf_token": csrf},
               follow_redirects=False)
    assert r.status_code == 303
    assert "Certified: GCP" in c.get("/me").text


def test_the_login_form_is_protected_and_signs_in(app):
    c = client_for(app)
    page = c.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = c.post("/login", data={"email": "emp@x.org", "password": PASSWORD,
                                 "csrf_token": "forged"})
    assert bad.status_code == 403
    c.get("/login")  # a fresh nonce cookie
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    wrong = c.post("/login", data={"email": "emp@x.org", "password": "nope nope nope",
                                   "csrf_token": csrf})
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    ok = c.post("/login", data={"email": "emp@x.org", "password": PASSWORD,
                                "csrf_token": csrf}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/me"


def test_pages_send_strangers_to_the_login_form(app):
    c = client_for(app)
    r = c.get("/me", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_api_tokens_are_shown_once_work_without_csrf_and_can_be_revoked(app):
    c = client_for(app)
    login(c, "mgr@x.org", PASSWORD)
    csrf = {"X-CSRF-Token": c.post("/api/session", json={
        "email": "mgr@x.org", "password": PASSWORD}).json()["csrf_token"]}
    made = c.post("/api/tokens", json={"name": "script"}, headers=csrf).json()
    token = made["token"]
    assert token.startswith("trellis_")
    listed = c.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["script"] and "token" not in listed[0]
    script = client_for(app)
    auth = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/me", headers=auth).json()["email"] == "mgr@x.org"
    r = script.post("/api/people/emp/events", headers=auth,
                    json={"kind": "check_in", "details": {"engagement": 4}})
    assert r.status_code == 201
    assert c.delete(f"/api/tokens/{made['id']}", headers=csrf).status_code == 204
    assert script.get("/api/me", headers=auth).status_code == 401


def test_tokens_are_stored_hashed(app):
    from trellis.adapters import tables as t

    c = client_for(app)
    csrf = login(c, "emp@x.org", PASSWORD).json()["csrf_token"]
    token = c.post("/api/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf}
                   ).json()["token"]
    with app.state.trellis.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(t.api_tokens.select())]
        sessions = [r.token_hash for r in conn.execute(t.sessions.select())]
        hashes = [r.password_hash for r in conn.execute(t.users.select())]
    assert token not in stored and c.cookies["trellis_session"] not in sessions
    assert all(h.startswith("$argon2") for h in hashes)


def test_signing_out_ends_the_session(app):
    c = client_for(app)
    csrf = login(c, "emp@x.org", PASSWORD).json()["csrf_token"]
    assert c.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert c.get("/api/me").status_code == 401


def test_production_refuses_a_missing_or_default_secret(web_url):
    from trellis.entrypoints.web.app import create_app
    from trellis.errors import TrellisError
    from trellis.settings import Settings

    for secret in (None, "changethis", "short"):
        with pytest.raises(TrellisError, match="TRELLIS_SECRET_KEY"):
            create_app(Settings(database_url=web_url, environment="production",
                                secret_key=secret))
    app = create_app(Settings(database_url=web_url, environment="production",
                              secret_key="q8Zr2LmV0tXs5Nw1Yc7Kb4Hd9Jf3Pg6Ae-Ui_Oo"))
    assert app.state.secure_cookies
    app.state.trellis.close()


def session_client(app, who: str = "emp@x.org"):
    c = client_for(app)
    c.headers["X-CSRF-Token"] = login(c, who, PASSWORD).json()["csrf_token"]
    return c


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_read_only_token_reads_but_every_write_is_refused(app):
    c = session_client(app)
    made = c.post("/api/tokens", json={"name": "reader", "scope": "read"})
    assert made.status_code == 201 and made.json()["scope"] == "read"
    script = client_for(app)
    auth = bearer(made.json()["token"])
    assert script.get("/api/people/emp/profile", headers=auth).status_code == 200
    writes = [("POST", "/api/people/emp/events",
               {"kind": "certification", "details": {"certification": "AWS"}}),
              ("POST", "/api/people/emp/plan", {}),
              ("DELETE", f"/api/tokens/{made.json()['id']}", None),
              ("DELETE", "/api/session", None)]
    for method, path, body in writes:
        r = script.request(method, path, json=body, headers=auth)
        assert r.status_code == 403 and "read-only" in r.json()["detail"], (path, r.text)


def test_tokens_expire_and_their_lifetime_is_chosen_up_to_a_maximum(app):
    from datetime import timedelta

    from trellis.adapters import tables as t
    from trellis.services import accounts

    c = session_client(app)
    default = c.post("/api/tokens", json={"name": "default"}).json()
    short = c.post("/api/tokens", json={"name": "short", "days": 1}).json()
    assert c.post("/api/tokens", json={"name": "long",
                                       "days": accounts.MAX_TOKEN_DAYS + 1}).status_code == 422
    listed = {t_["name"]: t_ for t_ in c.get("/api/tokens").json()}
    from datetime import datetime
    lifetime = (datetime.fromisoformat(listed["default"]["expires_at"])
                - datetime.fromisoformat(listed["default"]["created_at"]))
    assert lifetime == accounts.TOKEN_LIFETIME
    assert listed["short"]["scope"] == "write" and listed["short"]["user"] == "emp@x.org"
    script = client_for(app)
    assert script.get("/api/me", headers=bearer(short["token"])).status_code == 200
    with app.state.trellis.engine.begin() as conn:  # a day later, as far as the token knows
        conn.execute(t.api_tokens.update().where(t.api_tokens.c.id == short["id"]).values(
            expires_at=t.api_tokens.c.created_at - timedelta(seconds=1)))
    expired = script.get("/api/me", headers=bearer(short["token"]))
    assert expired.status_code == 401
    assert script.get("/api/me", headers=bearer(default["token"])).status_code == 200


def test_a_token_cannot_mint_tokens(app):
    c = session_client(app)
    token = c.post("/api/tokens", json={"name": "writer", "scope": "write"}).json()["token"]
    r = client_for(app).post("/api/tokens", json={"name": "child"}, headers=bearer(token))
    assert r.status_code == 403 and "session" in r.json()["detail"]


def test_owners_and_hr_list_and_revoke_tokens_others_cannot(app):
    emp, peer, hr = (session_client(app, who) for who in ("emp@x.org", "peer@x.org",
                                                           "hr@x.org"))
    mine = emp.post("/api/tokens", json={"name": "mine"}).json()
    other = emp.post("/api/tokens", json={"name": "other"}).json()
    assert [t_["name"] for t_ in peer.get("/api/tokens").json()] == []
    assert peer.get("/api/tokens?user=emp@x.org").status_code == 403
    assert peer.delete(f"/api/tokens/{mine['id']}").status_code == 404
    everyone = hr.get("/api/tokens?everyone=true").json()
    assert {(t_["user"], t_["name"]) for t_ in everyone} >= {("emp@x.org", "mine"),
                                                            ("emp@x.org", "other")}
    assert [t_["name"] for t_ in hr.get("/api/tokens?user=emp@x.org").json()] == ["mine",
                                                                                  "other"]
    assert hr.delete(f"/api/tokens/{mine['id']}").status_code == 204
    assert emp.delete(f"/api/tokens/{other['id']}").status_code == 204
    script = client_for(app)
    for token in (mine, other):
        assert script.get("/api/me", headers=bearer(token["token"])).status_code == 401
    revoked = [e for e in hr.get("/api/audit").json() if e["action"] == "token.revoke"]
    assert {(e["user"], e["detail"]["owner"]) for e in revoked} == {
        ("hr@x.org", "emp@x.org"), ("emp@x.org", "emp@x.org")}


def test_signing_out_deletes_the_session_and_leaves_tokens_working(app):
    from trellis.adapters import tables as t
    from trellis.services.accounts import digest

    c = session_client(app)
    cookie = c.cookies["trellis_session"]
    token = c.post("/api/tokens", json={"name": "kept"}).json()["token"]
    assert c.delete("/api/session").status_code == 204
    with app.state.trellis.engine.connect() as conn:
        rows = conn.execute(t.sessions.select().where(
            t.sessions.c.token_hash == digest(cookie))).all()
    assert rows == []
    replay = client_for(app)
    replay.cookies.set("trellis_session", cookie)
    assert replay.get("/api/me").status_code == 401
    assert replay.get("/me", follow_redirects=False).headers["location"] == "/login"
    assert client_for(app).get("/api/me", headers=bearer(token)).status_code == 200
    page = session_client(app)  # the page's Sign out button does the same
    cookie = page.cookies["trellis_session"]
    r = page.post("/logout", data={"csrf_token": page.headers["X-CSRF-Token"]},
                  follow_redirects=False)
    assert r.status_code == 303
    replay.cookies.set("trellis_session", cookie)
    assert replay.get("/api/me").status_code == 401
