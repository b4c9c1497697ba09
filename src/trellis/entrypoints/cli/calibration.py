"""``trellis calibrate ...``: calibration sessions of a review cycle's group."""

from __future__ import annotations

from typing import Annotated

import typer

from trellis.domain.calibration_sessions import BANDS, READINESS_HIGH, READINESS_MID
from trellis.services import calibration_sessions as use

from .context import state
from .output import console, print_json, table

app = typer.Typer(help="Calibration sessions: a group's ratings against the target "
                  "distribution and a 9-box; every change recorded with who and why.",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="calibrate")


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@app.command("open")
def open_(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="The review cycle's name.")],
    team: Annotated[str | None, typer.Option(help="Everyone under this manager.",
                                             metavar="MANAGER")] = None,
    level: Annotated[str | None, typer.Option(help="Everyone at this level (an id).")]
    = None,
    track: Annotated[str | None, typer.Option(help="Everyone in this track (an id).")]
    = None,
    name: Annotated[str | None, typer.Option(help="The session's name (default: the cycle "
                                             "and the group).")] = None,
) -> None:
    """Open a session for the people of a cycle in one group."""
    cli = state(ctx)
    session, count = use.open_session(cli.open().uow(), cycle, team=team, level=level,
                                      track=track, name=name, author=cli.settings.author)
    _say(f"opened calibration session '{session.name}' ({session.group_label} in review "
         f"cycle '{session.cycle}') for {count:,} people")


@app.command()
def show(ctx: typer.Context,
         session: Annotated[str, typer.Argument(help="The session's name.")],
         json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """The distribution against the target, the 9-box and the list sorted by rating."""
    v = use.view(state(ctx).open().uow(), session)
    if json:
        print_json(use.view_document(v))
        return
    s = v.session
    _say(f"{s.name}: {s.group_label} in review cycle '{s.cycle}', {s.status}; "
         f"{v.rated:,} rated, {v.unrated:,} without a manager review")
    has_target = any(d.target_count is not None for d in v.distribution)
    table("Distribution" + (" against the target" if has_target else " (no target set)"),
          ["rating", "label", "count", "share", *(["target", "target count", "difference"]
                                                 if has_target else [])],
          [(d.rating, d.label, d.count, f"{d.percent:g}%",
            *([f"{d.target_percent:g}%", d.target_count, f"{d.difference:+d}"]
              if d.target_count is not None and d.difference is not None else []))
           for d in v.distribution])
    table(f"9-box: performance (rating, thirds of the scale) x readiness (low < "
          f"{READINESS_MID:g} <= mid < {READINESS_HIGH:g} <= high)",
          ["performance", *(f"readiness {r}" for r in BANDS)],
          [(p.value, *(_cell(v.box_names(p, r)) for r in BANDS)) for p in reversed(BANDS)],
          caption=f"{v.unplaced:,} rated without a next role are not placed"
          if v.unplaced else None)
    table("By rating", ["person", "role", "rating", "manager's", "readiness",
                        "micro-progressions (12 months)", "latest"],
          [(m.person.handle, m.role, m.rating if m.rating is not None else "-",
            m.original if m.original is not None else "-",
            f"{m.readiness:g}" if m.readiness is not None else "-", m.recent_count,
            "; ".join(f"{r.on} {r.kind} {r.what}" for r in m.recent))
           for m in v.members])


def _cell(names: list[str], shown: int = 6) -> str:
    more = f", +{len(names) - shown}" if len(names) > shown else ""
    return f"{len(names)}" + (f": {', '.join(names[:shown])}{more}" if names else "")


@app.command()
def change(
    ctx: typer.Context,
    session: Annotated[str, typer.Argument(help="The session's name.")],
    person: Annotated[str, typer.Argument(help="Whose rating (handle, email or id).")],
    rating: Annotated[int, typer.Option(help="The calibrated overall rating.")],
    reason: Annotated[str, typer.Option(help="Why it changes (kept on the event).")],
) -> None:
    """Change a member's overall rating: a calibration event with who, before, after, why."""
    cli = state(ctx)
    done = use.change_rating(cli.open().uow(), session, person, rating, reason,
                             author=cli.settings.author)
    _say(f"calibrated {done.person.handle}'s rating from {done.from_rating} to "
         f"{done.to_rating} (event {done.event_id})")


@app.command()
def close(ctx: typer.Context,
          session: Annotated[str, typer.Argument(help="The session's name.")]) -> None:
    """Close a session: no more changes."""
    cli = state(ctx)
    found = use.close_session(cli.open().uow(), session, author=cli.settings.author)
    _say(f"closed calibration session '{found.name}'")


@app.command("list")
def list_(ctx: typer.Context,
          json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every calibration session, oldest first."""
    found = use.sessions(state(ctx).open().uow())
    if json:
        print_json([use.session_document(s, n) for s, n in found])
        return
    table("Calibration sessions", ["session", "cycle", "group", "status", "people"],
          [(s.name, s.cycle, s.group_label, s.status, f"{n:,}") for s, n in found])
