"""``trellis import FILE`` and ``trellis export --out FILE``: CSV or JSON lines."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from trellis.adapters.ledger_files import read_ledger_file, write_ledger_file
from trellis.errors import ImportRejected, NotFound, TrellisError
from trellis.services import transfer as use

from .context import CliState, state
from .output import console, errors


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("export")(export)


def import_(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Argument(
        help="A .csv or .jsonl file of people and events.")] = None,
    template: Annotated[str | None, typer.Option(
        help="Print a CSV template instead: 'people' or 'events' (example rows in this "
        "database's framework), e.g. --template people > people.csv.",
        metavar="people|events")] = None,
) -> None:
    """Import people and events; any bad row refuses the whole file, listing every one."""
    cli = state(ctx)
    if template is not None:
        print_template(cli, template, file)
        return
    if file is None:
        raise TrellisError("give the FILE to import (or --template people|events)")
    trellis = cli.open()
    people, events, problems = read_ledger_file(file)
    try:
        summary = use.import_ledger(trellis.uow(), people, events, author=cli.settings.author,
                                    source=str(file), problems=problems)
    except ImportRejected as exc:
        for problem in exc.problems[:200]:
            errors.print(str(problem), highlight=False, soft_wrap=True, markup=False)
        more = len(exc.problems) - 200
        if more > 0:
            errors.print(f"... and {more} more", highlight=False)
        errors.print(f"[bold red]error:[/] {escape(str(file))}: {len(exc.problems)} bad "
                     "row(s); nothing was imported", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"imported {summary.people} people and {summary.events} events from {file}",
                  highlight=False, markup=False)


def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Where to write: .csv or .jsonl.")],
    with_upward_reviews: Annotated[bool, typer.Option(
        "--with-upward-reviews", help="Include upward reviews, with who wrote them: a full "
        "backup, for HR only (left out by default: they are anonymous to the manager).")]
    = False,
) -> None:
    """Export every person and event; the file re-imports to the same profiles.

    Upward reviews are left out unless --with-upward-reviews is given."""
    left_out: list[int] = []
    count = write_ledger_file(out, use.export_records(
        state(ctx).open().uow(), upward_reviews=with_upward_reviews, left_out=left_out))
    console.print(f"wrote {count} records to {out}", highlight=False, markup=False)
    if left_out:
        errors.print(f"left out {len(left_out)} upward review event(s): they are "
                          "anonymous to the manager reviewed (--with-upward-reviews includes "
                          "them, for an HR backup)", highlight=False, markup=False)


def print_template(cli: CliState, kind: str, extra: Path | None) -> None:
    from trellis.adapters.import_templates import template_csv
    from trellis.services.frameworks import framework_at

    if extra is not None:
        raise TrellisError("--template prints the template: give no FILE with it")
    try:
        framework = framework_at(cli.open().uow())[1]
    except NotFound:  # no framework yet: the rows name ROLE-ID and COMPETENCY-ID
        framework = None
    sys.stdout.write(template_csv(kind, framework))
