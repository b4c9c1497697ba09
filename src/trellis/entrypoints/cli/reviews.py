"""``trellis review ...``: review cycles, peer nominations, submitted reviews, progress."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from trellis.domain.events import goals_to_plain, ratings_to_plain
from trellis.domain.framework import ReviewForm
from trellis.domain.reviews import (
    UPWARD_MINIMUM,
    CycleStatus,
    ReviewCycle,
    forms_from_text,
    parse_goal,
    parse_rate,
    ratings_of,
    upward_minimum_from,
)
from trellis.domain.upward import UpwardSummary, summary_document
from trellis.errors import InvalidEvent
from trellis.services import reviews as use

from .context import parse_date, state
from .output import console, print_json, table

app = typer.Typer(help="Review cycles: self, manager, peer and upward reviews.",
                  no_args_is_help=True)
cycle_app = typer.Typer(help="Open, close, reopen and list review cycles.",
                        no_args_is_help=True)
app.add_typer(cycle_app, name="cycle")


def upward_words(s: UpwardSummary) -> str:
    """A cycle's upward feedback in a few lines: never a reviewer, a date or an order."""
    if not s.shown:
        return (f"upward feedback in '{s.cycle}': shown once at least {s.minimum} reports "
                "have written it")
    spread = ", ".join(f"{rating}: {n}" for rating, n in s.distribution)
    lines = [f"upward feedback in '{s.cycle}': {s.reviews} reviews, mean rating {s.mean:g} "
             f"({spread})"]
    lines += [f"  {i.item}: mean {i.mean:g} ({i.rated_by} ratings)" for i in s.items]
    lines += [f"  comment: {c}" for c in s.comments]
    return "\n".join(lines)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="review")


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@cycle_app.command("open")
def open_(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The cycle's name, e.g. 2026-H2.")],
    start: Annotated[str, typer.Option(help="First day of the period reviewed, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="Last day of the period reviewed, YYYY-MM-DD.")],
    forms: Annotated[str | None, typer.Option(help="Comma-separated: self, manager, peer, "
                                              "upward (default: the framework's forms).")]
    = None,
    due_self: Annotated[str | None, typer.Option(help="Due date of self reviews.")] = None,
    due_manager: Annotated[str | None, typer.Option(help="Due date of manager reviews.")]
    = None,
    due_peer: Annotated[str | None, typer.Option(help="Due date of peer reviews.")] = None,
    due_upward: Annotated[str | None, typer.Option(help="Due date of upward reviews.")]
    = None,
    team: Annotated[str | None, typer.Option(help="Only everyone under this manager "
                                             "(default: everyone active).",
                                             metavar="MANAGER")] = None,
    upward_minimum: Annotated[str, typer.Option(
        help="Upward feedback is shown to a manager only aggregated, from this many "
             "reviews (2-50).", metavar="N")] = str(UPWARD_MINIMUM),
) -> None:
    """Open a review cycle for everyone active today, or a manager's organization."""
    least = upward_minimum_from(upward_minimum)
    first, last = parse_date(start, "--start"), parse_date(end, "--end")
    assert first is not None and last is not None
    due = {form: on for form, text in ((ReviewForm.SELF, due_self),
                                       (ReviewForm.MANAGER, due_manager),
                                       (ReviewForm.PEER, due_peer),
                                       (ReviewForm.UPWARD, due_upward))
           if (on := parse_date(text, f"--due-{form}")) is not None}
    chosen = forms_from_text(forms) if forms is not None else None
    cli = state(ctx)
    cycle, count = use.open_cycle(cli.open().uow(), name, first, last, forms=chosen, due=due,
                                  team=team, upward_minimum=least,
                                  author=cli.settings.author)
    _say(f"opened review cycle '{cycle.name}' ({cycle.period_start} to {cycle.period_end}; "
         f"{', '.join(cycle.forms)}) for {count:,} people")


@cycle_app.command("close")
def close(ctx: typer.Context,
          name: Annotated[str, typer.Argument(help="The cycle's name.")]) -> None:
    """Close a cycle: no more reviews or nominations until it is reopened."""
    cli = state(ctx)
    cycle = use.set_status(cli.open().uow(), name, CycleStatus.CLOSED,
                           author=cli.settings.author)
    _say(f"closed review cycle '{cycle.name}'")


@cycle_app.command("reopen")
def reopen(ctx: typer.Context,
           name: Annotated[str, typer.Argument(help="The cycle's name.")]) -> None:
    """Reopen a closed cycle."""
    cli = state(ctx)
    cycle = use.set_status(cli.open().uow(), name, CycleStatus.OPEN,
                           author=cli.settings.author)
    _say(f"reopened review cycle '{cycle.name}'")


def _cycle_record(cycle: ReviewCycle, people: int) -> dict[str, Any]:
    return {"name": cycle.name, "period_start": cycle.period_start,
            "period_end": cycle.period_end, "forms": [f.value for f in cycle.forms],
            "due": {f.value: on for f, on in cycle.due.items()},
            "status": cycle.status.value, "people": people,
            "upward_minimum": cycle.upward_minimum, "opened_by": cycle.opened_by,
            "opened_at": cycle.opened_at, "changed_at": cycle.changed_at}


@cycle_app.command("list")
def list_(ctx: typer.Context,
          json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every review cycle, oldest period first."""
    found = use.cycles(state(ctx).open().uow())
    if json:
        print_json([_cycle_record(c, n) for c, n in found])
        return
    table("Review cycles", ["cycle", "period", "forms", "status", "people"],
          [(c.name, f"{c.period_start} to {c.period_end}", ", ".join(c.forms), c.status,
            f"{n:,}") for c, n in found])


@app.command()
def nominate(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="The cycle's name.")],
    person: Annotated[str, typer.Argument(help="Who is reviewed (handle, email or id).")],
    peer: Annotated[str, typer.Option(help="The peer who will review them.")],
    anonymous: Annotated[bool, typer.Option("--anonymous", help="Hide the peer from the "
                                            "person (HR still sees who).")] = False,
) -> None:
    """Nominate a peer to review someone in a cycle."""
    cli = state(ctx)
    reviewee, reviewer = use.nominate(cli.open().uow(), cycle, person, peer,
                                      anonymous=anonymous, author=cli.settings.author)
    _say(f"nominated {reviewer.handle} to review {reviewee.handle} in '{cycle.strip()}'"
         + (" (anonymous to them)" if anonymous else ""))


@app.command()
def submit(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="The cycle's name.")],
    person: Annotated[str, typer.Argument(help="Who is reviewed (handle, email or id).")],
    as_: Annotated[str, typer.Option("--as", help="self, manager, peer or upward.")],
    rating: Annotated[int, typer.Option(help="The overall rating, on the framework's "
                                        "review scale.")],
    rate: Annotated[list[str] | None, typer.Option(help="ID=N: a competency or criterion "
                                                   "rated on its scale (repeatable).")]
    = None,
    goal: Annotated[list[str] | None, typer.Option(help="\"TEXT=met|partly|not[:NUMBER]\": "
                                                   "a goal or KPI result (repeatable).")]
    = None,
    comment: Annotated[str | None, typer.Option(help="The reviewer's comment.")] = None,
    by: Annotated[str | None, typer.Option(help="Who writes it: required for peer and "
                                           "upward (default: the person for self, their "
                                           "manager for manager).")] = None,
) -> None:
    """Submit a review: it becomes a `review` event in the person's ledger."""
    try:
        role = ReviewForm(as_.strip().lower())
    except ValueError:
        raise InvalidEvent(f"--as must be one of {', '.join(ReviewForm)}") from None
    ratings = ratings_of([parse_rate(text) for text in rate or []])
    goals = [parse_goal(text) for text in goal or []]
    cli = state(ctx)
    event_id = use.submit(cli.open().uow(), cycle, person, role, rating, ratings=ratings,
                          goals=goals, comment=comment, by=by, author=cli.settings.author)
    _say(f"submitted the {role} review of {person.strip()} in '{cycle.strip()}' "
         f"(event {event_id})")


@app.command()
def show(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    cycle: Annotated[str | None, typer.Option(help="Only this cycle.")] = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A person's reviews per cycle: self and manager side by side, never averaged; upward
    reviews only aggregated, from the cycle's minimum (they are anonymous to the manager)."""
    found = use.show(state(ctx).open().uow(), person, cycle)
    if json:
        print_json({"person": {"id": found.person.id, "handle": found.person.handle,
                               "name": found.person.name},
                    "cycles": {name: {role: [
                        {"on": r.on, "event_id": r.event_id, "rating": r.rating,
                         "reviewer": found.reviewers.get(r.event_id),
                         "ratings": ratings_to_plain(r.ratings),
                         "goals": goals_to_plain(r.goals), "comment": r.comment}
                        for r in records] for role, records in by_role.items()}
                        for name, by_role in found.reviews.items()},
                    "upward": {name: summary_document(s) for name, s in found.upward.items()}})
        return
    if not found.reviews and not found.upward:
        _say(f"{found.person.handle} has no reviews" + (f" in '{cycle}'" if cycle else ""))
        return
    for summary in found.upward.values():
        _say(upward_words(summary))
    scale = found.framework.reviews.rating if found.framework else None
    for name, by_role in found.reviews.items():
        columns, sheets = [], []
        for role in ReviewForm:
            for i, record in enumerate(by_role.get(role.value, ()), start=1):
                who = found.reviewers.get(record.event_id)
                label = role.value if role is not ReviewForm.PEER else f"peer {i}"
                columns.append(f"{label} ({who or 'anonymous'})")
                sheets.append(record)
        overall = [f"{r.rating} {scale.label(r.rating)}".strip() if scale else str(r.rating)
                   for r in sheets]
        items = list(dict.fromkeys(i.item for r in sheets for i in r.ratings))
        rows: list[list[Any]] = [["overall", *overall]]
        for item in items:
            rows.append([item, *(next((str(i.rating) for i in r.ratings if i.item == item),
                                      "") for r in sheets)])
        goals = list(dict.fromkeys(g.goal for r in sheets for g in r.goals))
        for text in goals:
            rows.append([f"goal: {text}", *(next(
                (g.result.value + (f" ({g.value:g})" if g.value is not None else "")
                 for g in r.goals if g.goal == text), "") for r in sheets)])
        rows.append(["comment", *(r.comment or "" for r in sheets)])
        table(f"{found.person.handle}: review cycle '{name}'", ["", *columns], rows)


@app.command()
def progress(
    ctx: typer.Context,
    cycle: Annotated[str, typer.Argument(help="The cycle's name.")],
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Who has which review in, and what is overdue, for everyone in a cycle."""
    found = use.cycle_progress(state(ctx).open().uow(), cycle)
    forms = found.cycle.forms
    records = [{"person": found.people[r.person_id].handle,
                "submitted": [f.value for f in r.submitted],
                "peers": {"done": r.peers_done, "nominated": r.peers_nominated},
                "overdue": [f.value for f in r.overdue]}
               for r in found.rows if r.person_id in found.people]
    if json:
        print_json({"cycle": _cycle_record(found.cycle, len(found.rows)), "people": records})
        return

    def mark(row: Any, form: ReviewForm) -> str:
        if form is ReviewForm.PEER:
            text = f"{row.peers_done}/{row.peers_nominated}"
        else:
            text = "done" if form in row.submitted else ""
        return " ".join(filter(None, [text, "overdue" if form in row.overdue else ""]))

    done = sum(1 for r in found.rows if len(r.submitted) == len(forms))
    table(f"Review cycle '{found.cycle.name}' ({found.cycle.status})",
          ["person", *(f.value for f in forms)],
          [(found.people[r.person_id].handle, *(mark(r, f) for f in forms))
           for r in found.rows if r.person_id in found.people],
          caption=f"{done:,} of {len(found.rows):,} complete")
