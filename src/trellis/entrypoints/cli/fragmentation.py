"""``trellis fragmentation``: duties scattered across functions, and unrecognized expansions."""

from __future__ import annotations

from typing import Annotated

import typer

from trellis.domain.fragmentation import FragmentationRules
from trellis.services import fragmentation as use
from trellis.services.fragmentation import report_document

from .context import state
from .output import console, print_json, table

Team = Annotated[str | None, typer.Option(help="Only the reports (transitively) of this "
                                          "manager.", metavar="MANAGER")]
Json = Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]


def register(app: typer.Typer) -> None:
    app.command("fragmentation")(fragmentation)


def fragmentation(
    ctx: typer.Context,
    team: Team = None,
    window: Annotated[float, typer.Option(
        min=0.5, max=60, metavar="MONTHS",
        help="How long after an expansion a promotion, band upgrade, recognition or raise "
             "still acknowledges it.")] = 6.0,
    limit: Annotated[int, typer.Option(help="Show at most this many rows (0: all).")] = 30,
    json: Json = False,
) -> None:
    """People by fragmentation risk: duties in other functions, expansions left unrecognized."""
    report = use.fragmentation_report(state(ctx).open().uow(), team,
                                      rules=FragmentationRules(window_months=window))
    if json:
        print_json(report_document(report))
        return
    lines = report.lines
    shown = lines[:limit] if limit else lines
    levels = {lv: sum(1 for x in lines if x.assessment.level == lv)
              for lv in ("high", "medium", "low")}
    scope = f"the team of {report.team}" if report.team else "everyone"
    table(f"Role fragmentation, {scope}, on {report.as_of} ({report.assessed} active; "
          f"{levels['high']} high, {levels['medium']} medium, {levels['low']} low risk)",
          ["person", "track", "index", "risk", "duties outside the role (since)",
           "unrecognized expansions", "suggested"],
          [[x.person.handle, x.assessment.track, f"{x.assessment.index:.2f}",
            f"{x.assessment.risk:.2f} {x.assessment.level}",
            ", ".join(f"{d.function} {d.share:.0%} ({d.since:%Y-%m})"
                      for d in x.assessment.duties),
            ", ".join(f"{e.function} {e.on:%Y-%m}" for e in x.assessment.unrecognized),
            x.assessment.action.value.replace("_", " ")] for x in shown],
          caption=(f"unrecognized: no promotion, band upgrade, recognition or raise within "
                   f"{report.rules.window_months:g} months; reasons in --json"
                   + (f"; showing {len(shown)} of {len(lines)}, --limit 0 for all"
                      if len(shown) < len(lines) else "")))
    if not lines:
        console.print("no one has duties outside their role's function")


