"""``trellis evidence``: which micro-progressions go with promotions and departures here."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from trellis.analytics.chart_files import check_target

from .context import parse_date, state
from .output import console, print_json, table

if TYPE_CHECKING:  # the analyses (pandas, lifelines) load only when the command runs
    from trellis.analytics.evidence import CoxResult
    from trellis.services.evidence import Evidence


def register(app: typer.Typer) -> None:
    app.command("evidence")(evidence)


def evidence(
    ctx: typer.Context,
    at: Annotated[str | None, typer.Option(
        help="Analyse the ledger as it stood on this date (YYYY-MM-DD).")] = None,
    since: Annotated[str | None, typer.Option(
        help="First quarter of the propensity model's snapshots (YYYY-MM-DD).")] = None,
    min_months: Annotated[float | None, typer.Option(
        "--min-months", min=0.0, help="Shortest spell in level the survival analyses keep "
        "(default: 3 months).")] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
    = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Also draw the time-in-level curves: FILE.png or FILE.svg.",
        metavar="FILE", dir_okay=False)] = None,
) -> None:
    """Time in level, Cox models of promotion and departure, and a promotion-propensity model."""
    from trellis.services import evidence as use

    if plot is not None:
        check_target(plot)
    found = use.evidence(state(ctx).open().uow(), as_of=parse_date(at, "--at"),
                         since=parse_date(since, "--since"),
                         **({} if min_months is None else {"min_months": min_months}))
    document = use.evidence_to_document(found)
    if json:
        print_json(document)
    else:
        _print(document, found)
    if plot is not None:
        from trellis.analytics import evidence_chart  # matplotlib loads only when drawing

        evidence_chart.write_chart(found.time_in_level, plot, min_months=found.min_months)
        if not json:
            console.print(f"chart written to {escape(str(plot))}", highlight=False)


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "-" if value is None else pattern.format(value)


def _print(doc: dict, found: Evidence) -> None:  # type: ignore[type-arg]
    from trellis.services.evidence import INSUFFICIENT  # loaded by the command

    s = doc["spells"]
    console.print(
        f"[bold]Evidence[/] from the ledger on {doc['as_of']}: {s['count']:,} spells in level "
        f"of at least {found.min_months:g} months ({s['people']:,} people): "
        f"{s['promotions']:,} ended in a promotion, {s['voluntary_departures']:,} in a "
        f"voluntary departure, {s['other_departures']:,} in another departure; "
        f"{s['censored']:,} still open", highlight=False)
    rows = []
    for g in doc["time_in_level"]["groups"]:
        if g["status"] != "ok":
            rows.append([g["group"], f"{g['rate_from']:.1f}-{g['rate_to']:.1f}", g["spells"],
                         g["promotions"], INSUFFICIENT, "", "", ""])
            continue
        by = g["promoted_by_months"]
        rows.append([g["group"], f"{g['rate_from']:.1f}-{g['rate_to']:.1f}", g["spells"],
                     g["promotions"],
                     _fmt(g["median_months"], "{:.1f}") if g["median_months"] else "not reached",
                     *(_fmt(by.get(h), "{:.0%}") for h in ("12", "24", "36"))])
    table("Time in level until promotion (Kaplan-Meier), by micro-progressions per year",
          ["rate group", "per year", "spells", "promotions", "median months",
           "promoted by 12 mo", "24 mo", "36 mo"], rows)
    for result in (found.promotion, found.departure):
        _print_cox(result)
    _print_propensity(doc["propensity"])


def _print_cox(result: CoxResult) -> None:
    from trellis.services.evidence import INSUFFICIENT  # loaded by the command

    what = "promotion" if result.event == "promotion" else "voluntary departure"
    title = f"Cox model of {what}: {result.spells:,} spells, {result.events:,} events"
    if not result.sufficient:
        reason = result.note or f"needs {20} spells and {5} events"
        console.print(f"[bold]{title}[/]: {INSUFFICIENT} ({escape(reason)})",
                      highlight=False)
        return
    table(title, ["per year", "hazard ratio", "95% CI", "p"],
          [[h.covariate.removesuffix("_per_year").replace("_", " "), f"{h.hazard_ratio:.3f}",
            f"{h.ci_low:.3f}-{h.ci_high:.3f}", f"{h.p:.3g}"] for h in result.covariates],
          caption=f"concordance {result.concordance:.3f}; hazard ratio per one more event a "
          "year" + (f"; not estimable: {', '.join(result.dropped)}" if result.dropped else ""))


def _print_propensity(p: dict) -> None:  # type: ignore[type-arg]
    from trellis.services.evidence import INSUFFICIENT  # loaded by the command

    title = (f"Promotion within 12 months: {p['snapshots']:,} quarterly snapshots of "
             f"{p['people']:,} people, {p['positives']:,} promoted")
    if p["status"] != "ok":
        console.print(f"[bold]{title}[/]: {INSUFFICIENT}"
                      + (f" ({escape(p['note'])})" if p["note"] else ""), highlight=False)
        return
    console.print(f"[bold]{title}[/]", highlight=False)
    console.print(f"ROC AUC {p['auc_mean']:.3f} (sd {_fmt(p['auc_sd'], '{:.3f}')}) over "
                  f"{p['folds']} folds grouped by person", highlight=False)
    table("What matters most (logistic regression, standardized)",
          ["feature", "per sd (log-odds)", "odds ratio per sd", "per unit"],
          [[f["feature"].replace("_", " "), f"{f['standardized_coef']:+.3f}",
            f"{f['odds_ratio_per_sd']:.3f}", f"{f['coef']:+.4f}"] for f in p["features"]])
    table("Calibration (out-of-fold predictions by decile)",
          ["decile", "snapshots", "predicted", "observed"],
          [[b["decile"], b["snapshots"], f"{b['predicted']:.1%}", f"{b['observed']:.1%}"]
           for b in p["calibration"]])
