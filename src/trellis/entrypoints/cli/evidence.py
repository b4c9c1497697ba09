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
        help="First decision point the propensity models snapshot (YYYY-MM-DD).")] = None,
    window: Annotated[str, typer.Option(
        help="Decision points of the propensity models: auto, reviews (each review "
        "cycle's end), promotions (the promotion rounds) or every N months (6m).")] = "auto",
    horizon: Annotated[int, typer.Option(
        min=1, max=60, help="Months after a snapshot in which a promotion counts.")] = 12,
    split: Annotated[str | None, typer.Option(
        help="Cutoff of the time-ordered check (YYYY-MM-DD; default: about the last 30% "
        "of snapshots are scored).")] = None,
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
                         since=parse_date(since, "--since"), window=window,
                         horizon=horizon, split=parse_date(split, "--split"),
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


def _with_ci(value: float | None, ci: list[float | None] | None, pattern: str) -> str:
    """A figure and its 95% interval; an edge the curve's band never reaches: "..."."""
    if value is None or not ci:
        return _fmt(value, pattern)
    low, high = ("..." if x is None else pattern.format(x) for x in ci)
    return f"{pattern.format(value)} ({low}-{high})"


def _print(doc: dict, found: Evidence) -> None:  # type: ignore[type-arg]
    from trellis.analytics.evidence import HORIZONS
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
        by, by_ci = g["promoted_by_months"], g["promoted_by_months_ci95"]
        rows.append([g["group"], f"{g['rate_from']:.1f}-{g['rate_to']:.1f}", g["spells"],
                     g["promotions"],
                     _with_ci(g["median_months"], g["median_months_ci95"], "{:.1f}")
                     if g["median_months"] else "not reached",
                     *(_with_ci(by.get(str(h)), by_ci.get(str(h)), "{:.0%}")
                       for h in HORIZONS)])
    table("Time in level until promotion (Kaplan-Meier) of the spells in level "
          f"{doc['time_in_level']['landmark_months']:g} months, by micro-progressions per "
          "year in the 12 months before (95% intervals in brackets)",
          ["rate group", "per year", "spells", "promotions", "median months",
           *(f"promoted by {h} mo" if k == 0 else f"{h} mo"
             for k, h in enumerate(HORIZONS))], rows)
    for result in (found.promotion, found.departure):
        _print_cox(result)
    _print_propensity(doc["propensity"])


def _print_cox(result: CoxResult) -> None:
    from trellis.analytics.propensity_words import p_value  # loaded by the command
    from trellis.services.evidence import INSUFFICIENT

    what = "promotion" if result.event == "promotion" else "voluntary departure"
    title = f"Cox model of {what}: {result.spells:,} spells, {result.events:,} events"
    if not result.sufficient:
        reason = result.note or f"needs {20} spells and {5} events"
        console.print(f"[bold]{title}[/]: {INSUFFICIENT} ({escape(reason)})",
                      highlight=False)
        return
    table(title, ["per year", "hazard ratio", "95% CI", "p"],
          [[h.covariate.removesuffix("_per_year").replace("_", " "), f"{h.hazard_ratio:.3f}",
            f"{h.ci_low:.3f}-{h.ci_high:.3f}", p_value(h.p)] for h in result.covariates]
          + [[c.removesuffix("_per_year").replace("_", " "), "not identifiable", "", ""]
             for c in result.not_identifiable],
          caption=(f"concordance {result.concordance:.3f}; " if result.concordance is not None
                   else "") + "hazard ratio per one more event in the last 12 months"
          + (f"; not estimable: {', '.join(result.dropped)}" if result.dropped else ""))
    for covariate, why in result.not_identifiable.items():
        console.print(f"  {escape(covariate)}: {escape(why)}", highlight=False)


def _print_propensity(p: dict) -> None:  # type: ignore[type-arg]
    from trellis.analytics.propensity_words import NAMES, feature_words  # loaded by the command
    from trellis.services.evidence import INSUFFICIENT

    title = (f"Promotion within {p['horizon_months']} months: {p['snapshots']:,} snapshots "
             f"of {p['people']:,} people at {p['decision_points']:,} decision points "
             f"({p['window']}), {p['positives']:,} promoted")
    if p["status"] != "ok":
        console.print(f"[bold]{title}[/]: {INSUFFICIENT}"
                      + (f" ({escape('; '.join(p['notes']))})" if p["notes"] else ""),
                      highlight=False)
        return
    console.print(f"[bold]{title}[/]", highlight=False)
    split = p["split_on"]
    timed = (f"fitted on {p['train_snapshots']:,} whose horizon ended by {split}, scored on "
             f"{p['test_snapshots']:,} from it" if split else "time-ordered")
    rows = []
    for m in p["models"]:
        pooled, t = m["pooled"], m["time_ordered"]
        rows.append([NAMES[m["model"]], _fmt(m["auc_mean"], "{:.3f}")
                     + f" (sd {_fmt(m['auc_sd'], '{:.3f}')})",
                     f"{pooled['low']:.3f}-{pooled['high']:.3f}" if pooled else "-",
                     f"{t['value']:.3f} ({t['low']:.3f}-{t['high']:.3f}, n={t['n']:,})"
                     if t else "insufficient data", _fmt(m["brier"], "{:.4f}")])
    table("Two models side by side", ["model", f"AUC over {p['folds']} folds by person",
                                      "95% CI (pooled)", timed, "Brier"], rows)
    console.print(f"[bold]Takeaway:[/] {escape(p['takeaway'])}", highlight=False)
    console.print("[bold]Effects (logistic regression, 95% CI)[/]", highlight=False)
    for e in p["effects"]:
        console.print(f"  {escape(e['in_words'])}", highlight=False)
    table("Permutation importance (gradient boosting): held-out AUC lost when shuffled",
          ["feature", "AUC drop", "sd", "repeats"],
          [[feature_words(i["feature"]), f"{i['auc_drop']:+.4f}", f"{i['sd']:.4f}",
            i["repeats"]] for i in p["importances"]])
    for name, why in p["not_identifiable"].items():
        console.print(f"  not identifiable: {escape(name)}: {escape(why)}",
                      highlight=False)
    for m in p["models"]:
        table(f"Calibration of {NAMES[m['model']]} (out-of-fold predictions by decile)",
              ["decile", "snapshots", "predicted", "observed"],
              [[b["decile"], b["snapshots"], f"{b['predicted']:.1%}", f"{b['observed']:.1%}"]
               for b in m["calibration"]])
    for note in p["notes"]:
        console.print(f"  note: {escape(note)}", highlight=False)
