"""Errors as RFC 7807 problem details (``application/problem+json``), never a 500 for bad
input. Pages get the same status with a readable page; an expired session sends a page to
the login form.

    NotFound -> 404   PermissionDenied -> 403   NotAuthenticated -> 401
    PasswordChangeRequired -> 403 (a page: to the change-password form)
    Conflict, PromotionRefused -> 409           input the rules refuse -> 422
    TooManyAttempts -> 429 (with Retry-After)   request validation -> 422
    Busy -> 503 with Retry-After                a bug -> 500 naming only its type
    any other TrellisError (a bad filter, a strategy, a combination of options) -> 422
    an undocumented method -> 405 with Allow (every method the path has)
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from trellis.errors import (
    Busy,
    Conflict,
    FrameworkInvalid,
    ImportRejected,
    InvalidEvent,
    LedgerRuleBroken,
    NotApplicable,
    NotAuthenticated,
    NotFound,
    PasswordChangeRequired,
    PermissionDenied,
    PlanRejected,
    ProblemsError,
    PromotionRefused,
    TooManyAttempts,
    TrellisError,
)

from .fields import LINE, TEXT

STATUS: list[tuple[type[TrellisError], int, str]] = [
    (NotFound, 404, "not-found"),
    (PasswordChangeRequired, 403, "password-change-required"),
    (PermissionDenied, 403, "forbidden"),
    (NotAuthenticated, 401, "not-authenticated"),
    (PromotionRefused, 409, "promotion-refused"),
    (Conflict, 409, "conflict"),
    (FrameworkInvalid, 422, "framework-invalid"),
    (ImportRejected, 422, "import-rejected"),
    (InvalidEvent, 422, "invalid-input"),
    (LedgerRuleBroken, 422, "ledger-rule-broken"),
    (NotApplicable, 422, "not-applicable"),
    (PlanRejected, 422, "plan-rejected"),
    (TooManyAttempts, 429, "too-many-attempts"),
    (Busy, 503, "busy"),
]
PROBLEM = "application/problem+json"


def status_of(exc: TrellisError) -> tuple[int, str]:
    for cls, status, slug in STATUS:
        if isinstance(exc, cls):
            return status, slug
    return 422, "invalid-input"


def problem(status: int, slug: str, detail: str, instance: str,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": f"/problems/{slug}", "title": slug.replace("-", " "), "status": status,
            "detail": detail, "instance": instance, **extra}
    headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def headers_of(exc: TrellisError) -> dict[str, str]:
    """The headers an error's response carries: when to retry a throttled login."""
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after)}
    return {}


# The text patterns of fields.py, said in words.
_PATTERNS = {LINE: "contains a control character (U+0000-U+001F or U+007F), which is not "
                   "allowed", TEXT: "contains the control character U+0000, which is not allowed"}


def _message(error: Any) -> str:
    """A validation error's message in one plain sentence."""
    if error.get("type") == "string_pattern_mismatch":
        found = _PATTERNS.get(error.get("ctx", {}).get("pattern"))
        if found:
            return found
    return str(error.get("msg", "")).removeprefix("Value error, ")


def document_problems(openapi: dict[str, Any]) -> dict[str, Any]:
    """Say in the OpenAPI document what every operation's errors are: a 4XX response of
    ``application/problem+json`` (ProblemPublic), instead of FastAPI's JSON 422."""
    from .schemas import ProblemPublic

    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = ProblemPublic.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["ProblemPublic"] = problem_schema
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    error = {"description": "Not signed in (401), not allowed (403), unknown (404), a conflict "
             "(409), input the rules refuse (422), too many attempts (429)",
             "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/ProblemPublic"}}}}
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            operation["responses"].pop("422", None)
            operation["responses"]["4XX"] = error
    return openapi


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method of the request's path: FastAPI makes a route per method (inside the
    routers it includes), and Starlette's 405 names only the first route's. Each route is
    asked whether it would take the path with each method."""
    routes = request.app.router.routes
    return [method for method in METHODS
            if any(route.matches({**request.scope, "method": method})[0] is Match.FULL
                   for route in routes)]


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def install(app: FastAPI) -> None:
    @app.exception_handler(TrellisError)
    async def trellis_error(request: Request, exc: TrellisError) -> Response:
        response = _trellis_error(request, exc)
        if isinstance(exc, Busy):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    def _trellis_error(request: Request, exc: TrellisError) -> Response:
        status, slug = status_of(exc)
        if not is_api(request):
            if status == 401:  # a page asked for comes back after signing in
                from .return_to import login_url
                asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(login_url(asked) if request.method == "GET"
                                        else "/login", status_code=303)
            if isinstance(exc, PasswordChangeRequired):  # then back to the page asked for
                from .return_to import password_url
                asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(password_url(asked) if request.method == "GET"
                                        else password_url(""), status_code=303)
            from .pages import error_page
            page = error_page(request, status, str(exc))
            page.headers.update(headers_of(exc))
            return page
        extra: dict[str, Any] = {}
        if isinstance(exc, ProblemsError):
            extra["problems"] = [{"path": p.path, "message": p.message, "line": p.line}
                                 for p in exc.problems]
        if isinstance(exc, PromotionRefused):
            r = exc.readiness
            extra["readiness"] = {
                "target": r.target.id, "score": r.score, "gates_hold": r.gates_hold,
                "gates": [{"name": g.name, "holds": g.holds, "detail": g.detail}
                          for g in r.gates],
                "gaps": [{"competency": g.competency, "has": g.has, "needs": g.needs}
                         for g in r.gaps]}
        return problem(status, slug, str(exc), request.url.path, headers_of(exc), **extra)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> Response:
        """A bug: its type only. A database error's text holds the SQL and its parameters
        (pay, say); the traceback goes to the server's log, as it would without this."""
        detail = f"internal error ({type(exc).__name__}); please report it"
        if not is_api(request):
            return Response(detail, status_code=500, media_type="text/plain")
        return problem(500, "internal-error", detail, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"path": ".".join(str(p) for p in e.get("loc", ())),
                   "message": _message(e)} for e in exc.errors()]
        first = errors[0] if errors else {"path": "", "message": "invalid request"}
        detail = f"{first['path']}: {first['message']}"
        if not is_api(request):
            from .pages import error_page
            return error_page(request, 422, detail)
        return problem(422, "invalid-request", detail, request.url.path, problems=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "error")
        if not is_api(request) and exc.status_code == 404:
            from .pages import error_page
            return error_page(request, 404, "no such page")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem(exc.status_code, slug, str(exc.detail), request.url.path, headers)
