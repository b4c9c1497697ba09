"""``trellis compare`` and ``trellis advise``: the two strategies compared on the ledger, and
a recommended mix for one person."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from trellis.analytics.chart_files import check_target

from .context import parse_date, state
from .output import console, print_json, table

if TYPE_CHECKING:  # the comparison (pandas) loads only when a command runs
    from trellis.analytics.compare import Cell, Measure, Table


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
    app.command("advise")(advise)


def compare(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option(
        help="Only this manager's reports (transitively).", metavar="MANAGER")] = None,
    person: Annotated[str | None, typer.Option(
        help="Only this person (handle, email or id).", metavar="P")] = None,
    since: Annotated[str | None, typer.Option(
        help="Count events and employment from this date (YYYY-MM-DD).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
    = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Also draw the comparison chart: FILE.png or FILE.svg.",
        metavar="FILE", dir_okay=False)] = None,
) -> None:
    """Promotions against micro-progressions on seven features, computed from the ledger."""
    from trellis.services import compare as use

    if plot is not None:
        check_target(plot)
    found = use.compare(state(ctx).open().uow(), team=team, person=person,
                        since=parse_date(since, "--since"))
    if json:
        print_json(found.to_document())
    else:
        who = {"organization": "the organization", "team": f"the team of {found.subject}",
               "person": f"{found.subject}"}[found.scope]
        t = found.table
        console.print(
            f"[bold]Promotions and micro-progressions[/] in {escape(who)}, "
            f"{'since ' + str(found.since) if found.since else 'whole ledger'} to "
            f"{found.as_of}: {t.people:,} people, {t.person_years:,.1f} person-years; "
            f"cells need n >= {t.min_n}", highlight=False)
        print_table(t)
        for note in found.notes:
            console.print(f"[dim]note: {escape(note)}[/]", highlight=False)
    if plot is not None:
        from trellis.analytics.compare_chart import write_chart

        write_chart(found.table, f"Promotions and micro-progressions ({found.scope})", plot)
        if not json:
            console.print(f"chart written to {escape(str(plot))}", highlight=False)


def _fmt(c: Cell | None, unit: str) -> str:
    if c is None:
        return "-"
    if c.value is None:
        return c.note or "-"
    if unit == "" and float(c.value).is_integer() and c.value == c.n and c.ci is None:
        return f"{int(c.value):,}"  # a count of the whole ledger
    within = "" if c.ci is None else f"95% CI {_num(c.ci[0], unit)} to {_num(c.ci[1], unit)}, "
    return f"{_num(c.value, unit)}{' ' + unit if unit not in ('', '%', 'share') else ''} " \
           f"({within}n={c.n:,})"


def _num(value: float, unit: str) -> str:
    if unit == "share":
        return f"{value:.1%}"
    if unit == "%":
        return f"{value:.2f}%"
    return f"{value:,.2f}"


def _cells(m: Measure) -> tuple[str, str]:
    from trellis.analytics.compare import FEW, MANY, MICRO, PROMOTION

    left = m.cells.get(PROMOTION) or m.cells.get(FEW)
    right = m.cells.get(MICRO) or m.cells.get(MANY)
    prefix = ("few: ", "many: ") if FEW in m.cells else ("", "")
    return (prefix[0] + _fmt(left, m.unit), prefix[1] + _fmt(right, m.unit))


def print_table(t: Table) -> None:
    from trellis.analytics.compare import MICRO

    rows = []
    for f in t.features:
        for i, m in enumerate(f.measures):
            rows.append([f.label if i == 0 else "", m.label, *_cells(m)])
    kinds = t.feature("definition").detail["kinds"][MICRO]
    table("Promotion vs micro-progression", ["feature", "measure", "promotion",
                                              "micro-progression"], rows,
          caption="micro-progressions by kind: " + ", ".join(
              f"{k.replace('_', ' ')} {v:,}" for k, v in kinds.items() if v))
    if t.by_role_type:
        keys = (("frequency", "per_person_year"), ("salary", "median_pay_change"),
                ("salary", "share_of_growth"), ("motivation", "engagement_change"),
                ("growth", "months_to_promotion"))
        srows = []
        for role_type, sub in t.by_role_type.items():
            for feature, measure in keys:
                m = sub.feature(feature).measure(measure)
                srows.append([f"{role_type} ({sub.people:,} people)", m.label, *_cells(m)])
        table("Suitability: by role type (structured ladders vs dynamic tracks)",
              ["role type", "measure", "promotion", "micro-progression"], srows)


def advise(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
    = False,
) -> None:
    """A strategy mix for a person's career stage and role type, why, and three next steps."""
    from trellis.services import advice as advice_use

    found = advice_use.advise(state(ctx).open().uow(), person)
    if json:
        print_json(found.to_document())
        return
    r = found.recommendation
    console.print(f"[bold]{escape(found.handle)}[/] ({escape(found.role)}): {found.stage} career, "
                  f"{found.role_type} track", highlight=False)
    console.print(f"Recommended: [bold]{r.strategy}[/], about {r.promotion_effort:.0%} of effort "
                  "toward promotion and the rest toward micro-progressions", highlight=False)
    console.print("\n[bold]Why[/]")
    for reason in r.reasons:
        console.print(f"  - {escape(reason)}", highlight=False)
    console.print("\n[bold]Next three actions[/]")
    if not found.actions:
        console.print("  (none found)")
    for i, a in enumerate(found.actions, 1):
        command = f": `{a.command}`" if a.command else ""
        console.print(f"  {i}. {escape(a.text + command)} [dim]({a.source})[/]",
                      highlight=False)
    for note in found.notes:
        console.print(f"[dim]note: {escape(note)}[/]", highlight=False)
