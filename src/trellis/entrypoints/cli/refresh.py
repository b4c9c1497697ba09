"""``trellis refresh``: rebuild the organization models that are stale."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from .context import state
from .output import console, print_json


def register(app: typer.Typer) -> None:
    app.command("refresh")(refresh)


def refresh(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option(
        "--force", help="Rebuild every model, stale or not.")] = False,
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
    = False,
) -> None:
    """Rebuild the organization models (calibration, effort, evidence, comparison, ...)
    that are stale: what was rebuilt and how long it took."""
    from trellis.services.refresh import refresh_models  # the analyses load only here

    started = time.perf_counter()
    done = refresh_models(state(ctx).open().uow(), force=force,
                          progress=None if json else
                          lambda name: console.print(f"[dim]rebuilding {name}...[/]",
                                                     highlight=False))
    seconds = time.perf_counter() - started
    if json:
        print_json({"seconds": round(seconds, 3), "models": [d.to_document() for d in done]})
        return
    table = Table("model", "parameters", "status", "seconds", "size", "ledger position")
    for d in done:
        table.add_row(d.name, escape(d.params if d.params != "{}" else "default"),
                      "rebuilt" if d.rebuilt else "current", f"{d.seconds:.2f}",
                      f"{d.size / 1024:,.0f} KiB", f"event #{d.position.last_event:,}")
    console.print(table)
    rebuilt = sum(1 for d in done if d.rebuilt)
    console.print(f"{rebuilt} of {len(done)} model(s) rebuilt in {seconds:.1f}s",
                  highlight=False)
