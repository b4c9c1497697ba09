"""The comparison chart: pay change per event, share of pay growth, engagement over time and
months to the next promotion, promotions against micro-progressions (matplotlib Agg)."""

from __future__ import annotations

from pathlib import Path

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from trellis.errors import TrellisError

from .chart_files import check_target
from .compare import FEW, LAG_QUARTERS, MANY, MICRO, PROMOTION, Table

COLOURS = {PROMOTION: "#d95f02", MICRO: "#1b9e77", FEW: "#d95f02", MANY: "#1b9e77"}
LABELS = {PROMOTION: "promotion", MICRO: "micro-progression", FEW: "few micro-progressions",
          MANY: "many micro-progressions"}


def _value(table: Table, feature: str, measure: str, column: str) -> float:
    found = table.feature(feature).measure(measure).cells.get(column)
    return float(found.value) if found is not None and found.value is not None else 0.0


def _missing(table: Table, feature: str, measure: str, column: str) -> str | None:
    """Why a cell has no value ("median not reached", "insufficient data ..."), or None."""
    found = table.feature(feature).measure(measure).cells.get(column)
    if found is None:
        return "n/a"
    if found.value is None:
        return (found.note or "no value").replace(" (", "\n(")
    return None


def _bar_labels(ax: Axes, table: Table, feature: str, measure: str,
                columns: tuple[str, ...], values: list[float], pattern: str) -> None:
    """The value over each bar; a cell without a value says why instead of a 0 bar."""
    top = max(values, default=0.0) or 1.0
    for i, (column, v) in enumerate(zip(columns, values, strict=True)):
        why = _missing(table, feature, measure, column)
        if why is not None:
            ax.annotate(why, (i, top * 0.02), ha="center", va="bottom", fontsize=7,
                        color="#a15c00", style="italic")
        else:
            ax.annotate(pattern.format(v), (i, v), ha="center", va="bottom", fontsize=8)


def draw(table: Table, title: str) -> Figure:
    figure = Figure(figsize=(11, 3.6), layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    pay, share, mood, months = figure.subplots(1, 4)
    groups = (PROMOTION, MICRO)
    for ax, measure, heading in ((pay, "median_pay_change", "Median base-pay change (%)"),
                                 (share, "share_of_growth", "Share of base-pay growth")):
        values = [_value(table, "salary", measure, g) for g in groups]
        ax.bar([LABELS[g] for g in groups], values, color=[COLOURS[g] for g in groups])
        ax.set_title(heading, loc="left", fontsize=9)
        _bar_labels(ax, table, "salary", measure, groups, values,
                    "{:.2f}" if measure == "share_of_growth" else "{:.1f}%")
    lags = (0, *LAG_QUARTERS)
    for g in groups:
        ys = [0.0] + [_value(table, "motivation", f"change_after_{k}q", g)
                      if _missing(table, "motivation", f"change_after_{k}q", g) is None
                      else float("nan") for k in LAG_QUARTERS]  # a gap, not a 0
        mood.plot(lags, ys, marker="o", color=COLOURS[g], label=LABELS[g])
    mood.axhline(0, color="#999999", linewidth=0.6)
    mood.set_title("Engagement change after the event", loc="left", fontsize=9)
    mood.set_xlabel("quarters after")
    mood.legend(frameon=False, fontsize=7)
    split = (FEW, MANY)
    values = [_value(table, "growth", "months_to_promotion", g) for g in split]
    months.bar(["few", "many"], values, color=[COLOURS[g] for g in split])
    _bar_labels(months, table, "growth", "months_to_promotion", split, values, "{:.0f}")
    months.set_title("Months to next promotion", loc="left", fontsize=9)
    months.set_xlabel("micro-progressions per year")
    for ax in (pay, share, mood, months):
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(labelsize=8)
    return figure


def write_chart(table: Table, title: str, path: Path) -> None:
    fmt = check_target(path)
    with rc_context({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "path",
                     "svg.hashsalt": "trellis-compare"}):
        figure = draw(table, title)
        try:
            figure.savefig(path, format=fmt, dpi=150,
                           metadata={"Date": None} if fmt == "svg" else None)
        except OSError as exc:
            raise TrellisError(f"cannot write the chart to {path}: {exc.strerror}") from None
