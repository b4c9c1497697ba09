"""``trellis simulate``: careers simulated forward under each advancement strategy."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from trellis.analytics.chart_files import check_target

from .context import state
from .output import console, print_json, table


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)


def simulate(
    ctx: typer.Context,
    person: Annotated[str | None, typer.Option(
        help="Start from this person's current profile (handle, email or id).")] = None,
    cohort: Annotated[str | None, typer.Option(
        help="Start from the active people matching key=value pairs (stage, track, level, "
             "role), comma-separated, e.g. stage=early,track=engineering.",
        metavar="FILTER")] = None,
    strategy: Annotated[str, typer.Option(
        help="promotion, micro, balanced, all, or a MIX: the share of effort aimed at "
             "promotion (0-1), comma-separated.")] = "all",
    years: Annotated[int, typer.Option(help="Horizon in years (1-30).")] = 10,
    runs: Annotated[int, typer.Option(help="Trajectories per strategy (100-1,000,000).")]
    = 10_000,
    seed: Annotated[int, typer.Option(help="Random seed (the same for every strategy).")] = 0,
    json: Annotated[bool, typer.Option(
        "--json", help="Print the results and the calibrated parameters as JSON.")] = False,
    plot: Annotated[Path | None, typer.Option(
        help="Draw the pay and survival bands over time into a .png or .svg file.",
        metavar="FILE")] = None,
) -> None:
    """Simulate careers quarter by quarter under each strategy, calibrated from the ledger."""
    from trellis.services import simulation as use  # numpy loads only when it runs

    if plot is not None:
        check_target(plot)
    result = use.simulate(state(ctx).open().uow(), person=person, cohort=cohort,
                          strategy=strategy, years=years, runs=runs, seed=seed)
    if plot is not None:
        from trellis.analytics.strategy_chart import write_chart

        write_chart(result.outcomes, f"Strategy simulation of {result.subject} "
                    f"({result.runs:,} trajectories per strategy)", plot)
    if json:
        print_json(result.to_document())
        return
    cal = result.calibration
    console.print(
        f"[bold]Strategy simulation[/] of {result.subject} ({result.people:,} "
        f"{'person' if result.people == 1 else 'people'}): {result.runs:,} trajectories per "
        f"strategy over {result.years} years, seed {result.seed}", highlight=False)
    console.print(
        f"calibrated on {cal.people:,} people, {cal.person_quarters:,.0f} person-quarters: "
        f"{cal.promotions_per_person_year:.1%} promoted a year, {cal.raise_words()} "
        "(see --json for every parameter)",
        highlight=False)
    console.print(use.departure_words(result), highlight=False)
    for o in result.outcomes:
        h = o.horizon
        table(f"{o.strategy.name} ({o.strategy.promotion_effort:.0%} of effort aimed at "
              f"promotion): after {result.years} years",
              ["among those still employed", "P10", "P50", "P90"],
              [["pay", *(f"{v:,.0f}" if math.isfinite(v) else "no pay data"
                         for v in h["pay"])],
               ["level (rank)", *(f"{v:g}" for v in h["level"])],
               ["competency steps", *(f"{v:g}" for v in h["steps"])],
               ["engagement (1-5)", *(f"{v:.1f}" for v in h["engagement"])]],
              caption=f"still employed {o.survival[-1]:.1%}; per trajectory "
                      f"{o.promotions:.2f} promotions, {o.micro_progressions:.1f} "
                      "micro-progressions")
    if plot is not None:
        console.print(f"chart written to {plot}", highlight=False)
