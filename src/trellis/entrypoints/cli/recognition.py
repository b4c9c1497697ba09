"""``trellis recognize`` and ``trellis recognition``: the recognition ledger, its cadence,
gaps and spread."""

from __future__ import annotations

from typing import Annotated

import typer

from trellis.domain.events import RecognitionKind
from trellis.domain.recognition import RecognitionRules
from trellis.services import recognition as use
from trellis.services.recognition import RecognitionLine, report_document

from .context import parse_date, state
from .output import console, print_json, table

Team = Annotated[str | None, typer.Option(help="Only the reports (transitively) of this "
                                          "manager.", metavar="MANAGER")]
Json = Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]


def register(app: typer.Typer) -> None:
    app.command("recognize")(recognize)
    app.command("recognition")(recognition)


def recognize(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Who is recognized: handle, email or id.")],
    citation: Annotated[str, typer.Option("--for", help="What for.")],
    kind: Annotated[RecognitionKind, typer.Option(help="kudos, award or spot_bonus.")]
    = RecognitionKind.KUDOS,
    points: Annotated[int | None, typer.Option(min=0, help="Recognition points.")] = None,
    giver: Annotated[str | None, typer.Option("--from", help="Who gives it (a colleague).",
                                              metavar="PERSON")] = None,
    on: Annotated[str | None, typer.Option(help="Effective date (default: today).")] = None,
) -> None:
    """Recognize someone: kudos, an award or a spot bonus, on the ledger."""
    cli = state(ctx)
    done = use.recognize(cli.open().uow(), person, citation, kind=kind.value, points=points,
                         giver=giver, author=cli.settings.author, on=parse_date(on, "--on"))
    e = done.event
    before = (f"the previous one was on {done.previous_on}, "
              f"{(e.effective_on - done.previous_on).days} days earlier"
              if done.previous_on else "their first recognition")
    console.print(f"recognized {done.handle} on {e.effective_on} ({kind.value}; event {e.id}): "
                  f"{before}", highlight=False, markup=False)


def recognition(
    ctx: typer.Context,
    team: Team = None,
    threshold: Annotated[int, typer.Option(min=1, metavar="DAYS", help="Alert when the gap "
                                           "since the last recognition passes this.")] = 90,
    months: Annotated[int, typer.Option(min=1, max=120, help="The period the spread (Gini, "
                                        "givers, receivers) is measured over.")] = 12,
    all_: Annotated[bool, typer.Option("--all", help="List everyone, not only alerts.")]
    = False,
    limit: Annotated[int, typer.Option(help="Show at most this many rows (0: all).")] = 30,
    json: Json = False,
) -> None:
    """Recognition cadence and gaps per person, alerts, and how evenly it is spread."""
    report = use.recognition_report(state(ctx).open().uow(), team, months=months,
                                    rules=RecognitionRules(threshold_days=threshold))
    if json:
        print_json(report_document(report, everyone=all_))
        return
    lines = [x for x in report.lines if all_ or x.alerts]
    shown = lines[:limit] if limit else lines
    s = report.spread
    scope = f"the team of {report.team}" if report.team else "everyone"
    alerted = sum(1 for x in report.lines if x.alerts)
    table(f"Recognition, {scope}, on {report.as_of} ({s.people} active; {alerted} alerts)",
          ["person", "manager", "count", "last", "cadence (days)", "gap (days)", "alert"],
          [[x.person.handle, x.manager, x.cadence.count, x.cadence.last_on or "never",
            f"{x.cadence.cadence_days:g}" if x.cadence.cadence_days is not None else "",
            x.cadence.gap_days,
            _alert(x, report.rules)] for x in shown],
          caption=f"showing {len(shown)} of {len(lines)}; --limit 0 for all"
          if len(shown) < len(lines) else None)
    console.print(
        f"Spread since {s.since}: {s.recognitions} recognitions; Gini {s.gini_counts:.2f} on "
        f"counts, {s.gini_points:.2f} on points; {s.none_in_period} of {s.people} received "
        f"none; {len(s.never_recognized)} never recognized", highlight=False, markup=False)
    if s.top_givers:
        console.print("top givers: " + ", ".join(f"{h} ({n})" for h, n in s.top_givers),
                      highlight=False, markup=False)
    if s.top_receivers:
        console.print("top receivers: " + ", ".join(f"{h} ({n}, {p} points)"
                                                    for h, n, p in s.top_receivers),
                      highlight=False, markup=False)


def _alert(x: RecognitionLine, rules: RecognitionRules) -> str:
    if not x.alerts:
        return ""
    why = []
    if x.cadence.gap_days > rules.threshold_days:
        why.append(f"over {rules.threshold_days} d")
    if x.team_median is not None and x.cadence.gap_days > rules.team_factor * x.team_median:
        why.append(f"over {rules.team_factor:g}x team {x.team_median:g} d")
    return f"{x.severity}: {', '.join(why)}"


