"""``trellis person attribute ...``: HR-only person attributes for the fairness audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from trellis.adapters.attribute_files import read_attribute_csv
from trellis.services import attributes as use

from .context import state
from .output import console, print_json, table

app = typer.Typer(help="HR-only person attributes (gender, location, age band, ...), read "
                  "only by the fairness audit, never by any score.", no_args_is_help=True)


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@app.command("set")
def set_(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    name: Annotated[str, typer.Argument(help="The attribute, e.g. gender or location.")],
    value: Annotated[str, typer.Argument(help="Its value, e.g. F or London.")],
) -> None:
    """Set (or replace) one attribute of a person."""
    cli = state(ctx)
    done = use.set_attribute(cli.open().uow(), person, name, value,
                             author=cli.settings.author)
    _say(f"set {done.name} = {done.value} for {done.handle}")


@app.command()
def unset(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    name: Annotated[str, typer.Argument(help="The attribute to remove.")],
) -> None:
    """Remove one attribute of a person."""
    cli = state(ctx)
    handle = use.unset_attribute(cli.open().uow(), person, name, author=cli.settings.author)
    _say(f"removed {name.strip().lower()} of {handle}")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV: handle, then one column per attribute.",
                                         metavar="FILE.csv", dir_okay=False)],
) -> None:
    """Set attributes from a CSV in one transaction: any bad row and nothing is written."""
    rows, problems = read_attribute_csv(file)
    cli = state(ctx)
    count = use.import_attributes(cli.open().uow(), rows, source=str(file),
                                  author=cli.settings.author, problems=problems)
    _say(f"imported {count:,} attribute values for {len(rows):,} people from {file}")


@app.command("list")
def list_(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option(help="Only this person's.")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every person's attributes, with who set them and when."""
    entries = use.list_attributes(state(ctx).open().uow(), person)
    records: list[dict[str, Any]] = [
        {"person": e.handle, "name": e.name, "value": e.value, "set_by": e.set_by,
         "set_at": e.set_at} for e in entries]
    if json:
        print_json(records)
        return
    table(f"Person attributes ({len(records)})", ["person", "name", "value", "set by",
                                                  "set at"],
          [[r["person"], r["name"], r["value"], r["set_by"],
            r["set_at"].isoformat(timespec="seconds")] for r in records])
