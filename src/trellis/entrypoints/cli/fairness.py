"""``trellis fairness``: outcome rates and impact ratios per group of each HR attribute."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from .context import parse_date, state
from .output import console, print_json, table

if TYPE_CHECKING:  # the analyses (pandas) load only when the command runs
    from trellis.services.fairness import FairnessReport


def register(app: typer.Typer) -> None:
    app.command("fairness")(fairness)


def fairness(
    ctx: typer.Context,
    attribute: Annotated[list[str] | None, typer.Option(
        "--attribute", help="An attribute to audit (repeatable; default: every one).",
        metavar="NAME")] = None,
    cycle: Annotated[str | None, typer.Option(
        help="The review cycle whose ratings are audited (default: the newest).")] = None,
    since: Annotated[str | None, typer.Option(
        help="First day of the window (default: a year before --until).")] = None,
    until: Annotated[str | None, typer.Option(
        help="Last day of the window (default: today).")] = None,
    high_rating: Annotated[int | None, typer.Option(
        "--high-rating", help="The rating counted as high (default: the second best on a "
        "scale of 5 or more points, else the best).")] = None,
    min_group: Annotated[int | None, typer.Option(
        "--min-group", min=1, help="Smallest group judged (default: 20 people).")] = None,
    no_scores: Annotated[bool, typer.Option(
        "--no-scores", help="Skip the readiness and propensity audit.")] = False,
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
    = False,
) -> None:
    """Rates per group and impact ratios (four-fifths rule) of promotions, ratings,
    recognitions and raises, and readiness and propensity at equal evidence."""
    from trellis.services import fairness as use

    found = use.fairness(state(ctx).open().uow(), attributes=attribute, cycle=cycle,
                         since=parse_date(since, "--since"), until=parse_date(until, "--until"),
                         high_rating=high_rating, scores=not no_scores,
                         **({} if min_group is None else {"min_group": min_group}))
    if json:
        print_json(found.to_document())
    else:
        _print(found)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _print(found: FairnessReport) -> None:
    say = console.print
    rating = (f"; ratings of cycle '{found.cycle}', high = {found.high_rating} or above"
              if found.cycle else "")
    say(f"Fairness audit, {found.since} to {found.until}{rating}; groups under "
        f"{found.min_group} people are too few to judge", highlight=False, markup=False)
    for a in found.outcomes:
        table(f"{a.outcome} by {a.attribute} ({a.population:,} people"
              + (f", {a.unrecorded:,} unrecorded" if a.unrecorded else "") + ")",
              ["group", "people", "count", "share", "impact ratio", "status"],
              [[g.group, g.people, g.positives, _pct(g.rate), _ratio(g.impact_ratio),
                g.status + (" (reference)" if g.reference else "")] for g in a.groups])
    for s in found.scores:
        table(f"{s.score} by {s.attribute} at equal evidence ({s.covered:,} of {s.people:,} "
              f"people in strata {', '.join(s.strata_used) or 'none'})",
              ["group", "people", "mean", "standardized", "ratio", "status"],
              [[g.group, g.people, f"{g.mean:.3g}",
                "" if g.standardized_mean is None else f"{g.standardized_mean:.3g}",
                _ratio(g.ratio), g.status] for g in s.groups])
    for note in found.notes:
        say(f"note: {note}", highlight=False, markup=False)
    warnings = found.warnings
    for w in warnings:
        say(f"[bold yellow]warning:[/] {escape(w)}", highlight=False)
    if not warnings:
        say("no group below the four-fifths rule's 0.8 among the groups judged",
            highlight=False, markup=False)
