"""The app factory: ``create_app(settings)`` wires a Trellis and returns a FastAPI app.

Nothing runs at import. ``create_app_from_env`` is the factory Uvicorn calls in each worker
(``trellis serve``), reading the settings from the environment. Every response, an error's
too, leaves through the security headers (``headers``).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

from trellis.bootstrap import open_trellis
from trellis.settings import Settings

from . import (
    account_pages,
    api_docs,
    calibration_pages,
    case_pages,
    comp_pages,
    deps,
    directory_pages,
    errors,
    import_pages,
    org_pages,
    pages,
    password_pages,
    person_pages,
    review_pages,
    simulate_page,
    static_assets,
    team_pages,
)
from .headers import SecurityHeaders
from .routers import (
    audit,
    auth,
    calibration,
    cases,
    compare,
    compensation,
    events,
    evidence,
    fairness,
    frameworks,
    imports,
    lattice,
    people,
    plans,
    profiles,
    readiness,
    reports,
    reviews,
    simulation,
)


class TrellisApp(FastAPI):
    """FastAPI with the security headers outside everything, so that they are on the
    responses of the server-error handler too (``add_middleware`` would put them inside)."""

    https = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), https=self.https)

    def openapi(self) -> dict[str, Any]:
        if not self.openapi_schema:
            self.openapi_schema = errors.document_problems(super().openapi())
        return self.openapi_schema


def create_app(settings: Settings) -> FastAPI:
    """A FastAPI app over the database ``settings`` names (which must already exist)."""
    secret = settings.web_secret()
    trellis = open_trellis(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What the worker loaded to start (the app, numpy, scipy: ~190,000 objects) stays
        # for its life: frozen, the collector stops walking it, a walk that took ~200 ms
        # and stalled every request in flight.
        gc.collect()
        gc.freeze()
        deps.share_threads(app)
        # Stale organization models are served as they are (with their "as of") and
        # rebuilt by `trellis refresh` in a process of its own, never in a request.
        from trellis.services.refresh import background_refresh

        models = background_refresh(settings.database_url, trellis.refresh_uow,
                                    on_error=_log_refresh_error)
        app.state.models = models
        trellis.on_stale = models.schedule
        yield
        trellis.on_stale = None
        models.stop()
        trellis.close()

    docs = settings.serves_api_docs()
    app = TrellisApp(
        title="Trellis", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
        summary="Career progression from one append-only ledger: promotions and "
        "micro-progressions.",
        description="Every resource the `trellis` command offers, for a signed-in user: sign "
        "in with `POST /api/session` (a cookie; send the returned CSRF token as "
        "`X-CSRF-Token` on writes) or send `Authorization: Bearer TOKEN` with a personal API "
        "token. Errors are problem details (RFC 7807).")
    app.state.trellis = trellis
    app.state.secret = secret
    app.state.secure_cookies = app.https = settings.environment == "production"
    errors.install(app)
    # pages and JSON shrink 5-10 times; static files come compressed already (static_assets),
    # which the middleware leaves as they are; streamed import progress is flushed per line
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    for module in (auth, people, events, profiles, frameworks, readiness, plans, lattice,
                   reports, simulation, evidence, compare, imports, audit, cases,
                   compensation, calibration, fairness, reviews):
        app.include_router(module.router, dependencies=[Depends(deps.single_query_values)])
    if docs:
        app.include_router(api_docs.router)
    app.include_router(static_assets.router)
    app.include_router(import_pages.router)
    app.include_router(review_pages.router)
    app.include_router(case_pages.router)  # before pages: /cases/new is not a case id
    app.include_router(team_pages.router)
    app.include_router(directory_pages.router)  # /people, before /people/{ref}
    app.include_router(org_pages.router)
    app.include_router(account_pages.router)
    app.include_router(password_pages.router)
    app.include_router(pages.router)
    app.include_router(simulate_page.router)
    app.include_router(person_pages.router)
    app.include_router(comp_pages.router)
    app.include_router(calibration_pages.router)
    return app


def _log_refresh_error(exc: BaseException) -> None:
    logging.getLogger("trellis.models").error("rebuilding the organization models failed",
                                              exc_info=exc)


def create_app_from_env() -> FastAPI:
    return create_app(Settings())
