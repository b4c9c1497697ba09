"""``trellis person ...``: add, list, show and erase people."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from trellis.services import people as use
from trellis.services import profiles

from .context import parse_date, state
from .output import console, print_json, table

app = typer.Typer(help="People: who they are and who manages them.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    from . import attributes

    app.add_typer(attributes.app, name="attribute")
    root.add_typer(app, name="person")


@app.command()
def add(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="A short unique handle, e.g. ada.lovelace.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[str, typer.Option(help="Role id they are hired into.")],
    hired: Annotated[str, typer.Option(help="Hire date, YYYY-MM-DD.")],
    email: Annotated[str | None, typer.Option()] = None,
    manager: Annotated[str | None, typer.Option(help="Their manager (handle or email).")]
    = None,
    pay: Annotated[int | None, typer.Option(help="Annual base pay.")] = None,
    currency: Annotated[str | None, typer.Option(help="ISO currency (default: the "
                                                 "framework's).")] = None,
    evidence: Annotated[str | None, typer.Option(help="Offer letter, link, note.")] = None,
) -> None:
    """Add a person and record their hire."""
    cli = state(ctx)
    hired_on = parse_date(hired, "--hired")
    assert hired_on is not None
    person = use.add_person(cli.open().uow(), handle, name, role=role, hired_on=hired_on,
                            author=cli.settings.author, email=email, manager=manager, pay=pay,
                            currency=currency, evidence=evidence)
    console.print(f"added {person.handle} (id {person.id}), hired as {role} on {hired_on}",
                  highlight=False, markup=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option(help="Only the reports (transitively) of this "
                                             "manager.", metavar="MANAGER")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include people who have left.")] = False,
    limit: Annotated[int, typer.Option(help="Show at most this many rows (0: all).")] = 50,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """People with their current role, level and progress."""
    rows = use.list_people(state(ctx).open().uow(), team, include_departed=all_)
    records = [
        {"id": r.person.id, "handle": r.person.handle, "name": r.person.name,
         "email": r.person.email, "manager": r.manager, "role": r.state.get("role"),
         "track": r.state.get("track"), "level": r.state.get("level"),
         "hired_on": r.state.get("hired_on"), "departed_on": r.state.get("departed_on"),
         "promotions": r.state.get("promotions", 0),
         "micro_progressions": r.state.get("micro_progressions", 0)}
        for r in rows
    ]
    if json:
        print_json(records)
        return
    shown = records[:limit] if limit else records
    table(f"People ({len(records)})", ["handle", "name", "role", "level", "manager",
                                       "hired", "promotions", "micro"],
          [[r["handle"], r["name"], r["role"], r["level"], r["manager"], r["hired_on"],
            r["promotions"], r["micro_progressions"]] for r in shown],
          caption=f"showing {len(shown)} of {len(records)}; --limit 0 for all"
          if len(shown) < len(records) else None)


@app.command()
def show(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Who a person is and where they stand today."""
    found = profiles.profile(state(ctx).open().uow(), person)
    p, prof = found.person, found.profile
    record = {"id": p.id, "handle": p.handle, "name": p.name, "email": p.email,
              "manager_id": p.manager_id, "role": prof.role, "title": prof.title,
              "hired_on": prof.hired_on, "departed_on": prof.departed_on}
    if json:
        print_json(record)
        return
    for key, value in record.items():
        console.print(f"[bold]{key}:[/] {'' if value is None else escape(str(value))}",
                      highlight=False)


@app.command()
def erase(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: this cannot be undone.")]
    = False,
) -> None:
    """Erase a person entirely, on their request (the erasure is logged, anonymously)."""
    if not yes:
        raise typer.BadParameter("erasing cannot be undone: add --yes to confirm",
                                 param_hint="--yes")
    cli = state(ctx)
    removed = use.erase_person(cli.open().uow(), person, author=cli.settings.author)
    console.print(f"erased {person}: identity and {removed} events removed", markup=False)
