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
    from trellis.services import alert_facts
    from trellis.services.refresh import refresh_models  # the analyses load only here

    started = time.perf_counter()
    trellis = state(ctx).open()
    done = refresh_models(trellis.uow(), force=force,
                          progress=None if json else
                          lambda name: console.print(f"[dim]rebuilding {name}...[/]",
                                                     highlight=False))
    facts = alert_facts.refresh(trellis.uow(), force=force)
    seconds = time.perf_counter() - started
    if json:
        print_json({"seconds": round(seconds, 3), "models": [d.to_document() for d in done],
                    "alert_facts": facts.to_document()})
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
    console.print(f"alert facts: {facts.read_again:,} of {facts.people:,} active people read "
                  f"again in {facts.seconds:.1f}s"
                  + ("" if facts.stored else " (not stored: the database was busy)"),
                  highlight=False)
