"""``trellis report``: one self-contained HTML page for the organization."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from .context import state
from .output import console


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(
        "--out", help="The HTML file to write (charts embedded; opens offline).",
        metavar="FILE", dir_okay=False)],
) -> None:
    """The organization report: comparison, evidence, simulations, fragmentation,
    recognition and the readiness pipeline, as one HTML page."""
    from trellis.services import report as use  # the analyses load only when it runs

    use.check_out(out)
    use.write_report(state(ctx).open().uow(), out)
    console.print(f"report written to {escape(str(out))}", highlight=False)
