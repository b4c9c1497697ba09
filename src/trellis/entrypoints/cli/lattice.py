"""``trellis paths``, ``trellis explore`` and ``trellis lattice``: moves on the career lattice."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from trellis.analytics.chart_files import check_target
from trellis.domain.framework import MoveKind
from trellis.domain.lattice import DEFAULT_BUDGET, DEFAULT_K, Move
from trellis.errors import TrellisError

from .context import state
from .output import console, print_json, table

if TYPE_CHECKING:
    from trellis.services.lattice import Start

Json = Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]


def register(app: typer.Typer) -> None:
    app.command("paths")(paths)
    app.command("explore")(explore)
    app.command("lattice")(lattice)


def paths(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    to: Annotated[str, typer.Option("--to", help="The target role's id.", metavar="ROLE")],
    k: Annotated[int, typer.Option("-k", min=1, max=50,
                                   help="How many paths to show.")] = DEFAULT_K,
    json: Json = False,
) -> None:
    """The k best paths from a person's profile to a role, with the steps before each move."""
    from trellis.services import lattice as use  # scipy loads only when a command runs

    found = use.paths(state(ctx).open().uow(), person, to, k)
    if json:
        print_json({"person": _person(found.start), "from": found.start.role.id,
                    "to": found.target.id, "paths": [use.path_document(p) for p in found.paths]})
        return
    start, target = found.start.role, found.target
    console.print(f"[bold]{len(found.paths)} path(s)[/] from {escape(start.title)} "
                  f"({start.id}) to {escape(target.title)} ({target.id})", highlight=False)
    for n, path in enumerate(found.paths, start=1):
        console.print(f"\n[bold]{n}. {path.months:g} months[/], {len(path.moves)} move(s)",
                      highlight=False)
        for i, move in enumerate(path.moves, start=1):
            _print_move(i, move)


def _print_move(i: int, move: Move) -> None:
    steps = ", ".join(f"{s.competency} →{s.to_mastery} ({s.months:g})" for s in move.steps)
    gate = f", at least {move.gate_months:g} months in the level below" \
        if move.gate_months else ""
    pace = f"gap {move.work:g} median steps at {move.pace:.3g} a quarter, " if move.work else ""
    console.print(f"  {i}. {move.kind.label} {move.source} → {move.target}: {move.months:g} "
                  f"months ({pace}move {move.weight:g}{gate})", highlight=False, markup=False)
    for blocked in move.blocked:
        console.print(f"     blocked by a gate: {blocked}", highlight=False, markup=False)
    if move.steps or not move.criteria:
        console.print(f"     steps: {steps or 'none, the profile already meets it'}",
                      highlight=False, markup=False)
    if move.criteria:
        months = round(sum(c.months for c in move.criteria), 2)
        shown = "; ".join(f'"{_short(c.text)}"' for c in move.criteria[:SHOWN_CRITERIA])
        more = len(move.criteria) - SHOWN_CRITERIA
        console.print(f"     criteria to show: {len(move.criteria)} ({months:g} months of "
                      f"effort): {shown}" + (f" and {more} more" if more > 0 else ""),
                      highlight=False, markup=False)


SHOWN_CRITERIA = 3  # the statements a move lists in words; --json has them all
TEXT_WIDTH = 70


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= TEXT_WIDTH else line[:TEXT_WIDTH - 1].rstrip() + "…"


def explore(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Argument(help="Handle, email or id.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Explore from a role instead.",
                                             metavar="ROLE")] = None,
    budget: Annotated[float | None, typer.Option(
        "--budget", help="Only moves within this many months (default: no limit; it filters, "
        "the order stays by fit).", metavar="MONTHS")] = DEFAULT_BUDGET,
    limit: Annotated[int, typer.Option("--limit", min=1,
                                       help="Roles shown per kind of move.")] = 10,
    sort: Annotated[str, typer.Option("--sort", help="fit (best first, the default) or "
                                      "cost (cheapest first).", metavar="fit|cost")] = "fit",
    down: Annotated[bool, typer.Option("--down", help="Show steps down too.")] = False,
    json: Json = False,
) -> None:
    """Roles to move to, best fit first: lateral, diagonal, vertical (and steps down with
    --down), each with its fit, why, and the months of steps to get there."""
    from trellis.services import lattice as use  # scipy loads only when a command runs

    if person is None and role is None:
        raise TrellisError("give a person, or --role ROLE")
    found = use.explore(state(ctx).open().uow(), person=person, role=role, budget=budget,
                        limit=limit, sort=sort, down=down)
    if json:
        print_json(use.exploration_document(found))
        return
    start = found.start.role
    within = "" if found.budget is None else f", within {found.budget:g} months"
    console.print(f"From {escape(start.title)} ({start.id}){within}, "
                  f"{'best fit' if found.sort == 'fit' else 'cheapest'} first:",
                  highlight=False)
    if found.observed:
        console.print(f"(fit counts the {found.observed} lateral and diagonal move(s) people "
                      "made in this organization)", highlight=False)
    for kind in found.kinds:
        rows = [[d.role.id, d.role.title, f"{d.fit.score:.2f}", f"{d.months:g}",
                 *([f"{d.levels:+d}"] if kind in (MoveKind.DIAGONAL, MoveKind.DOWN) else []),
                 "; ".join(d.fit.reasons), " → ".join(d.path.roles[1:])]
                for d in found.of(kind)]
        columns = ["role", "title", "fit", "months",
                   *(["level"] if kind in (MoveKind.DIAGONAL, MoveKind.DOWN) else []),
                   "why", "via"]
        name = "Steps down" if kind is MoveKind.DOWN else f"{kind.value.capitalize()} moves"
        if rows:
            table(name, columns, rows)
        elif kind is MoveKind.VERTICAL and found.top_of_track:
            console.print(f"{escape(start.title)} is at the top of its track: no vertical "
                          "moves", highlight=False)
        else:
            console.print(f"no {kind.label} moves" + ("" if found.budget is None else
                                                      " within the budget"), highlight=False)


def lattice(
    ctx: typer.Context,
    plot: Annotated[FilePath, typer.Option("--plot", help="Draw to FILE.png or FILE.svg.",
                                           metavar="FILE", dir_okay=False)],
    role: Annotated[str | None, typer.Option("--role", help="Centre on a role.",
                                             metavar="ROLE")] = None,
    person: Annotated[str | None, typer.Option("--person",
                                               help="Centre on a person's role.")] = None,
    radius: Annotated[int, typer.Option("--radius", min=1, max=3,
                                        help="Moves out from the centre.")] = 1,
    down: Annotated[bool, typer.Option("--down", help="Draw steps down too.")] = False,
) -> None:
    """Draw the lattice around a role or a person: the best-fitting vertical, lateral and
    diagonal moves (and steps down with --down)."""
    from trellis.analytics import lattice_chart  # matplotlib loads only when drawing
    from trellis.services import lattice as use  # scipy loads only when a command runs

    check_target(plot)
    if (person is None) == (role is None):
        raise TrellisError("give --role ROLE or --person PERSON")
    start, view = use.neighbourhood(state(ctx).open().uow(), person=person, role=role,
                                    radius=radius, down=down)
    who = f"{start.person.name} ({start.person.handle}), " if start.person else ""
    title = f"Lattice around {who}{start.role.title} ({start.role.id})"
    lattice_chart.write_chart(view, title, plot)
    console.print(f"drew {len(view.roles)} roles and {len(view.edges)} moves to {plot}",
                  highlight=False)


def _person(start: Start) -> dict[str, Any] | None:
    p = start.person
    return None if p is None else {"id": p.id, "handle": p.handle, "name": p.name}
