"""``trellis serve``: the web service (FastAPI under Uvicorn) over the same database."""

from __future__ import annotations

import os
import secrets
from typing import Annotated

import typer

from trellis.adapters.sqlite_writers import IMPORT_WAIT_SECONDS, waiting_behind_imports
from trellis.bootstrap import open_trellis

from .context import state
from .output import console, errors


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
) -> None:
    """Run the web service: JSON API under /api (docs at /docs, off in production unless
    TRELLIS_API_DOCS=true) and the pages."""
    import uvicorn

    cli = state(ctx)
    settings = cli.settings
    open_trellis(settings).close()  # refuse a missing database here, in one line
    if settings.secret_key is None and settings.environment == "development":
        os.environ["TRELLIS_SECRET_KEY"] = secrets.token_urlsafe(48)
        errors.print("TRELLIS_ENVIRONMENT=development and no TRELLIS_SECRET_KEY: using a "
                      "random secret for this run", highlight=False)
    else:
        settings.web_secret()  # refuse a missing or default secret before starting
    # The workers read their settings from the environment: pass on what options chose.
    os.environ["TRELLIS_DATABASE_URL"] = settings.database_url
    docs = " (API docs at /docs)" if settings.serves_api_docs() else ""
    console.print(f"Trellis on http://{host}:{port}{docs} over {cli.open().where}",
                  highlight=False, markup=False)
    # A single worker runs in this process: its requests must not inherit the command's long
    # wait behind an import (see cli.app.main), which would hold up its one request thread.
    with waiting_behind_imports(IMPORT_WAIT_SECONDS):
        uvicorn.run("trellis.entrypoints.web.app:create_app_from_env", factory=True,
                    host=host, port=port, workers=workers, log_level="warning",
                    access_log=False)
