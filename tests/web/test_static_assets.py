"""Static files addressed by their content's hash and kept a year; pages and files
compressed; plotly's basic bundle (scatter, bar, pie) instead of the 4.8 MB full one."""

from __future__ import annotations

import gzip
import hashlib
import re
from importlib.resources import files

import pytest

STATIC = files("trellis.entrypoints.web") / "static"
ON_DISK = {"app.css": "app.css", "app.js": "app.js", "plotly.js": "vendor/plotly-basic.min.js"}


def linked_assets(page: str) -> dict[str, str]:
    """name -> the address a page links, e.g. app.css -> /static/app.0123456789ab.css."""
    found = re.findall(r'(?:src|href)="(/static/([\w-]+)\.([0-9a-f]{12})\.(\w+))"', page)
    return {f"{stem}.{suffix}": url for url, stem, _, suffix in found}


@pytest.mark.parametrize("name", sorted(ON_DISK))
def test_a_page_links_each_asset_by_the_hash_of_its_content(clients, name):
    page = clients["hr"].get("/people/emp").text
    url = linked_assets(page)[name]
    body = (STATIC / ON_DISK[name]).read_bytes()
    assert url.split(".")[-2] == hashlib.sha256(body).hexdigest()[:12]
    served = clients["hr"].get(url, headers={"Accept-Encoding": "identity"})
    assert served.status_code == 200 and served.content == body
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-encoding" not in served.headers


def test_an_asset_is_sent_gzipped_to_a_browser_that_accepts_it(clients):
    url = linked_assets(clients["hr"].get("/me").text)["app.js"]
    served = clients["hr"].get(url, headers={"Accept-Encoding": "gzip, br"})
    assert served.headers["content-encoding"] == "gzip"
    assert served.headers["vary"] == "Accept-Encoding"
    raw = b"".join(served.iter_raw()) if not served.is_stream_consumed else None
    body = (STATIC / "app.js").read_bytes()
    assert served.content == body  # httpx undoes the gzip
    assert raw is None or gzip.decompress(raw) == body


def test_the_plain_name_answers_for_an_hour_and_an_old_hash_not_at_all(clients):
    plain = clients["hr"].get("/static/app.css")
    assert plain.status_code == 200
    assert plain.headers["cache-control"] == "public, max-age=3600"
    assert clients["hr"].get("/static/app.000000000000.css").status_code == 404
    assert clients["hr"].get("/static/secrets.txt").status_code == 404


def test_a_browser_holding_the_file_gets_a_304(clients):
    first = clients["hr"].get("/static/app.css")
    again = clients["hr"].get("/static/app.css",
                              headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_plotly_is_the_basic_bundle_a_quarter_of_the_full_one(clients):
    import plotly

    full = (files(plotly) / "package_data" / "plotly.min.js").read_bytes()
    served = clients["hr"].get("/static/plotly.js", headers={"Accept-Encoding": "identity"})
    assert served.content.startswith(b"/**\n* plotly.js (basic - minified) v")
    version = re.search(rb"v(\d+\.\d+\.\d+)", full[:200]).group(1)  # the Python package's
    assert re.search(rb"v(\d+\.\d+\.\d+)", served.content[:200]).group(1) == version
    assert len(served.content) < len(full) / 3


@pytest.mark.parametrize("name", sorted(ON_DISK))
def test_no_served_asset_names_a_remote_address_to_fetch(clients, name):
    served = clients["hr"].get(f"/static/{name}", headers={"Accept-Encoding": "identity"})
    assert served.status_code == 200
    assert not re.search(rb"https?://[\w.-]*(cdn|unpkg|jsdelivr|googleapis)", served.content)


@pytest.mark.parametrize("path", ["/me", "/team", "/openapi.json", "/login"])
def test_pages_and_documents_are_compressed(clients, anonymous, path):
    client = anonymous if path == "/login" else clients["hr"]
    shrunk = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert shrunk.status_code == 200
    assert shrunk.headers["content-encoding"] == "gzip"
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert shrunk.content[:300] == plain.content[:300]  # undone by httpx (login: a new token)
    assert int(shrunk.headers["content-length"]) < len(plain.content)  # bytes sent

