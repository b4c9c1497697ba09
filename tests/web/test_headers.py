"""Security headers on every response, pages without inline script, the API docs served
from installed assets (and off in production unless asked for), and no guessable secret."""

from __future__ import annotations

import re

import pytest

from trellis.settings import Settings

from .conftest import client_for

RANDOM_SECRET = "kJ3v9Qp0-zR7wT2mX5yB8nC1dF4gH6jL0sA_eU3iO9"


def csp_of(response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in policy.split(";") if d.strip()}


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("TRACE", "/api/people", "GET, POST"), ("PUT", "/api/session", "POST, DELETE"),
    ("DELETE", "/api/people/emp", "GET, PATCH")])
def test_a_method_the_path_lacks_is_405_naming_those_it_has(anonymous, method, path,
                                                             allowed):
    r = anonymous.request(method, path)
    assert r.status_code == 405
    assert r.headers["allow"] == allowed


PAGES = ["/me", "/people/emp", "/people/emp/advice", "/team", "/org", "/org/compare",
         "/org/evidence", "/org/import", "/simulate?run=1&person=emp&runs=100&years=1"]


@pytest.mark.parametrize("path", ["/api/me", "/api/people/nobody", "/login", "/me",
                                  "/static/app.js", "/nowhere", "/api/nowhere", "/docs",
                                  "/openapi.json"])
def test_every_response_carries_the_security_headers(clients, anonymous, path):
    for client in (clients["hr"], anonymous):
        r = client.get(path, follow_redirects=False)
        csp = csp_of(r)
        assert csp["frame-ancestors"] == "'none'" and csp["script-src"] == "'self'", csp
        assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in r.headers  # development: no HTTPS promise


@pytest.mark.parametrize("path", PAGES)
def test_pages_run_no_inline_script(clients, path):
    page = clients["hr"].get(path)
    assert page.status_code == 200, page.text
    for tag in re.findall(r"<script\b[^>]*>", page.text):
        assert re.search(r'\bsrc="/static/[\w.-]+"', tag), tag
    assert not re.findall(r"<script\b[^>]*>(?!</script>)", page.text)  # nothing inside
    assert not re.search(r"\son[a-z]+\s*=", page.text), "inline event handler"
    assert "javascript:" not in page.text


def test_the_api_docs_come_from_installed_assets(clients):
    docs = clients["hr"].get("/docs")
    assert docs.status_code == 200
    assert not re.search(r"(src|href)=\"(https?:)?//", docs.text), "a CDN"
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        served = clients["hr"].get(asset)
        assert served.status_code == 200 and len(served.content) > 100, asset
    assert clients["hr"].get("/redoc").status_code == 404


def production(web_url, **settings):
    from trellis.entrypoints.web.app import create_app

    return create_app(Settings(**{"database_url": web_url, "environment": "production",
                                  "secret_key": RANDOM_SECRET, **settings}))


def test_production_promises_https_and_hides_the_api_docs_unless_asked(web_url):
    app = production(web_url)
    c = client_for(app)
    r = c.get("/login")
    assert r.headers["strict-transport-security"].startswith("max-age=")
    assert c.get("/docs").status_code == 404 and c.get("/openapi.json").status_code == 404
    app.state.trellis.close()
    app = production(web_url, api_docs=True)
    c = client_for(app)
    assert c.get("/openapi.json").status_code == 200 and c.get("/docs").status_code == 200
    app.state.trellis.close()


@pytest.mark.parametrize("secret", ["a" * 32, "ab" * 20, "abcd" * 10, "password" * 5])
def test_production_refuses_a_predictable_secret(web_url, secret):
    from trellis.errors import TrellisError

    with pytest.raises(TrellisError, match=r"TRELLIS_SECRET_KEY .*predictable"):
        production(web_url, secret_key=secret)
