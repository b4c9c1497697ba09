"""The API's interactive docs at /docs: Swagger UI from the installed fastapi-offline
package, started by /static/docs.js, so the page needs no CDN and no inline script.

Mounted only when ``Settings.serves_api_docs()`` (development, or TRELLIS_API_DOCS=true).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

router = APIRouter(include_in_schema=False)
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    from .pages import templates

    return templates().TemplateResponse(request, "docs.html",
                                        {"openapi": request.app.openapi_url})


@router.get("/static/swagger/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        return Response("not found", status_code=404, media_type="text/plain")
    return Response(_asset(name), media_type=ASSETS[name],
                    headers={"Cache-Control": "public, max-age=86400"})


@cache
def _asset(name: str) -> bytes:
    return (files("fastapi_offline") / "static" / name).read_bytes()
