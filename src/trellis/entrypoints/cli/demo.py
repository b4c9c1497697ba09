"""``trellis init`` and ``trellis demo``: create a database, or one with a whole organization."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from trellis.adapters import database
from trellis.adapters.framework_files import (
    read_framework_file,
    resolve_framework_source,
    shipped_framework_path,
)
from trellis.bootstrap import sqlite_path
from trellis.errors import DatabaseError, TrellisError
from trellis.services import clock, projections
from trellis.services import frameworks as frameworks_use
from trellis.services.transfer import ImportProgress
from trellis.settings import Settings

from .context import parse_date, state
from .output import console


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("demo")(demo)


def init(
    ctx: typer.Context,
    framework: Annotated[str | None, typer.Option(
        help="Also load this framework: a file, or a shipped one (software-company, nursing, "
             "monzo-backend and the other monzo-* frameworks).")] = None,
) -> None:
    """Create the database (or bring its schema up to date)."""
    cli = state(ctx)
    trellis = cli.open(create=True)
    console.print(f"database ready at {trellis.where}", highlight=False)
    if framework:
        fw, document = read_framework_file(resolve_framework_source(framework))
        loaded = frameworks_use.load_framework(trellis.uow(), fw, document,
                                               author=cli.settings.author)
        console.print(f"loaded framework '{fw.key}' version {loaded.version.version}",
                      highlight=False)


def demo(
    ctx: typer.Context,
    people: Annotated[int, typer.Option(min=1, max=200_000, help="How many people.")] = 200,
    years: Annotated[float, typer.Option(min=0.5, max=30, help="Years of history.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same org.")] = 7,
    replace: Annotated[bool, typer.Option(
        help="Delete an existing database at the target first.")] = False,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The history's last day (YYYY-MM-DD; default today): the same seed "
                        "and day give the same organization whenever it is made.")] = None,
) -> None:
    """Generate a realistic demo organization on the software-company framework."""
    from trellis.services.accounts import DEMO_PASSWORD, create_demo_accounts
    from trellis.services.demo import run_demo  # the generator is only loaded when asked for

    today = parse_date(as_of, "--as-of") or clock.today()
    if today > clock.today():
        raise TrellisError(f"--as-of {today} is in the future: a demo's history ends today "
                           "at the latest")
    cli = state(ctx)
    path = sqlite_path(cli.settings.database_url)
    if replace and path is not None:
        for suffix in ("", "-wal", "-shm", "-import"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    trellis = cli.open(create=True)
    if replace and path is None:
        database.reset(trellis.engine)
        projections.rebuild_if_stale(trellis.uow())  # stamps the emptied database
    with trellis.uow() as uow:
        if uow.people.count():
            raise DatabaseError(
                f"{trellis.where} already holds people: use --replace, or another --db"
            )
    shipped = shipped_framework_path("software-company")
    assert shipped is not None, "the software-company framework ships with Trellis"
    framework, document = read_framework_file(shipped)
    # as of a past day, the whole demo (its cases, pay and accounts too) is written as on it
    with clock.standing_at(datetime.combine(today, time(12))) if as_of else nullcontext():
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=True) as bar:
            task = bar.add_task("generating the organization", total=None)

            def show(step: ImportProgress) -> None:
                bar.update(task, description=step.phase, completed=step.done, total=step.total)

            summary = run_demo(trellis.uow, framework=framework, document=document,
                               people=people, years=years, seed=seed,
                               author=cli.settings.author, today=today, progress=show)
        is_default = cli.settings.database_url == Settings().database_url
        console.print(summary.describe(trellis.where, is_default=is_default), highlight=False,
                      soft_wrap=True)
        made = create_demo_accounts(trellis.uow(), summary.manager, author=cli.settings.author)
    console.print("\nSign in to the web service (`trellis serve`, then http://127.0.0.1:8000) "
                  f"with password {DEMO_PASSWORD} as:", highlight=False, markup=False)
    for account in made:
        console.print(f"  {account.email:<24} {account.role.value:<9} "
                      f"{account.person or ''}", highlight=False, markup=False)
