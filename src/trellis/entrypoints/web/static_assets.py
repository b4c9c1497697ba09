"""The pages' static files, addressed by their content and compressed once.

A page names an asset as ``static_url("app.css")`` -> ``/static/app.3f2a9c1d07e4.css``: the
hash in the name changes whenever the content does, so the browser may keep the file for a
year without asking again (``immutable``), and a new release is fetched at once. The plain
name (``/static/app.css``) still answers, revalidated every hour, for pages a browser kept.

Each file is gzipped once, at its first request, at the highest level, and sent so to a
browser that accepts it; pages are compressed per response by GZipMiddleware (``app``).

plotly.js is plotly's *basic* bundle (scatter, bar and pie: what the charts draw), 1.2 MB
where the full bundle the plotly Python package ships is 4.8 MB. It comes from npm's
``plotly.js-basic-dist-min`` at the version the Python package bundles, kept in
static/vendor with its MIT licence; ``tools/vendor_plotly.sh`` refreshes it.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

SOURCES = {  # the name pages use -> the file under static/, and its type
    "app.css": ("app.css", "text/css; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "docs.js": ("docs.js", "text/javascript; charset=utf-8"),
    "org.js": ("org.js", "text/javascript; charset=utf-8"),
    "plotly.js": ("vendor/plotly-basic.min.js", "text/javascript; charset=utf-8"),
}
FOREVER = "public, max-age=31536000, immutable"
AN_HOUR = "public, max-age=3600"
HASH_LENGTH = 12  # hex digits of the SHA-256: a collision between two releases is unthinkable


class Asset(NamedTuple):
    body: bytes
    gzipped: bytes
    media_type: str
    digest: str


@cache
def asset(name: str) -> Asset:
    path, media_type = SOURCES[name]
    body = (files("trellis.entrypoints.web") / "static" / path).read_bytes()
    return Asset(body, gzip.compress(body, compresslevel=9, mtime=0), media_type,
                 hashlib.sha256(body).hexdigest()[:HASH_LENGTH])


def static_url(name: str) -> str:
    """The address of asset ``name`` with its content hash (a Jinja global of the pages)."""
    stem, _, suffix = name.rpartition(".")
    return f"/static/{stem}.{asset(name).digest}.{suffix}"


def _lookup(requested: str) -> tuple[str, bool] | None:
    """The asset ``requested`` names and whether its hash is the current one (None: no
    such asset; an old hash is no asset either, not a year of the wrong file)."""
    if requested in SOURCES:
        return requested, False
    stem, _, rest = requested.partition(".")
    digest, _, suffix = rest.rpartition(".")
    name = f"{stem}.{suffix}"
    if name in SOURCES and digest == asset(name).digest:
        return name, True
    return None


@router.get("/static/{requested}")
def static(requested: str, request: Request) -> Response:
    found = _lookup(requested)
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    name, hashed = found
    served = asset(name)
    headers = {"Cache-Control": FOREVER if hashed else AN_HOUR, "Vary": "Accept-Encoding",
               "ETag": f'W/"{served.digest}"'}
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(served.gzipped, media_type=served.media_type,
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(served.body, media_type=served.media_type, headers=headers)
