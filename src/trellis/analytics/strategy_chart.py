"""The strategy chart: pay fan (P10-P90 band and median) and survival over time, per strategy.

Drawn with matplotlib's Agg canvas (never a display) in its bundled DejaVu font, written as
PNG or SVG by the file's suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from trellis.errors import TrellisError

from .chart_files import check_target
from .simulator import Outcome

COLOURS = ("#1b9e77", "#7570b3", "#d95f02", "#e7298a", "#66a61e", "#e6ab02")


def write_chart(outcomes: Sequence[Outcome], title: str, path: Path) -> None:
    fmt = check_target(path)
    with rc_context({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "path",
                     "svg.hashsalt": "trellis-strategy"}):
        figure = draw(outcomes, title)
        try:
            figure.savefig(path, format=fmt, dpi=150,
                           metadata={"Date": None} if fmt == "svg" else None)
        except OSError as exc:
            raise TrellisError(f"cannot write the chart to {path}: {exc.strerror}") from None


def draw(outcomes: Sequence[Outcome], title: str) -> Figure:
    figure = Figure(figsize=(11, 4.6), layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    pay_ax, survival_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    for i, o in enumerate(outcomes):
        colour = COLOURS[i % len(COLOURS)]
        years = np.arange(o.quarters + 1) / 4
        band = o.bands["pay"]
        label = f"{o.strategy.name} ({o.strategy.promotion_effort:.0%} promotion effort)"
        pay_ax.fill_between(years, band.p10, band.p90, color=colour, alpha=0.13, linewidth=0)
        pay_ax.plot(years, band.p10, color=colour, linewidth=0.7, linestyle=":")
        pay_ax.plot(years, band.p90, color=colour, linewidth=0.7, linestyle=":")
        pay_ax.plot(years, band.p50, color=colour, linewidth=2, label=label)
        survival_ax.plot(years, o.survival, color=colour, linewidth=2, label=label)
    pay_ax.set_title("Base pay of those still employed: median, P10-P90 band (dotted)",
                     loc="left", fontsize=9)
    pay_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:,.0f}k"))
    survival_ax.set_title("Still employed", loc="left", fontsize=9)
    survival_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    survival_ax.set_ylim(0, 1.02)
    for ax in (pay_ax, survival_ax):
        ax.set_xlabel("years from today")
        ax.grid(color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_xlim(0, max((o.quarters for o in outcomes), default=4) / 4)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    pay_ax.legend(loc="upper left", frameon=False)
    return figure
