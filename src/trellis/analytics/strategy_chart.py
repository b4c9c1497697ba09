"""The strategy chart: pay fan (P10-P90 band and median) and survival over time, per strategy.

Drawn with matplotlib's Agg canvas (never a display) in its bundled DejaVu font, written as
PNG or SVG by the file's suffix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from trellis.errors import TrellisError

from .chart_files import check_target
from .simulator import Outcome

# Told apart by colour and by dash (colours at 4.5:1 or more on white, as the web's charts),
# and each line named at its end: no matching a legend's swatch to a line.
COLOURS = ("#0b5cad", "#b34700", "#0b6e4f", "#7b2d8e", "#1b1f24", "#8a5a00")
DASHES = ("solid", "dashed", "dotted", "dashdot", (0, (10, 3)), (0, (10, 2, 1.5, 2)))
INK = "#1b1f24"


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
    pay_ends, kept_ends = [], []
    for i, o in enumerate(outcomes):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)]
        years = np.arange(o.quarters + 1) / 4
        band = o.bands["pay"]
        label = f"{o.strategy.name} ({o.strategy.promotion_effort:.0%} promotion effort)"
        pay_ax.fill_between(years, band.p10, band.p90, color=colour, alpha=0.08, linewidth=0)
        pay_ax.plot(years, band.p10, color=colour, linewidth=0.6, linestyle=":")
        pay_ax.plot(years, band.p90, color=colour, linewidth=0.6, linestyle=":")
        pay_ax.plot(years, band.p50, color=colour, linewidth=2.2, linestyle=dash, label=label)
        survival_ax.plot(years, o.survival, color=colour, linewidth=2.2, linestyle=dash)
        if np.isfinite(band.p50[-1]):
            pay_ends.append((years[-1], float(band.p50[-1]), o.strategy.name, colour))
        kept_ends.append((years[-1], float(o.survival[-1]), o.strategy.name, colour))
    pay_ax.set_title("Base pay of those still employed: median, P10-P90 band (dotted)",
                     loc="left", fontsize=9)
    pay_ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 1000:,.0f}k"))
    survival_ax.set_title("Still employed", loc="left", fontsize=9)
    survival_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    survival_ax.set_ylim(0, 1.02)
    for ax in (pay_ax, survival_ax):
        ax.set_xlabel("years from today", color=INK)
        ax.tick_params(colors=INK, labelsize=9)
        ax.grid(color="#e1e5ea", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_xlim(0, max((o.quarters for o in outcomes), default=4) / 4)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    if not pay_ends:  # no trajectory started with pay recorded
        pay_ax.text(0.5, 0.5, "no pay data", transform=pay_ax.transAxes, ha="center",
                    va="center", color=INK)
    _name_ends(pay_ax, pay_ends)
    _name_ends(survival_ax, kept_ends)
    pay_ax.legend(loc="upper left", frameon=False)  # once: the survival lines are the same
    return figure


def _name_ends(ax: Axes, ends: list[tuple[float, float, str, str]]) -> None:
    """Each line's name just past its end, nudged apart where the ends crowd together."""
    low, high = ax.get_ylim()
    gap = (high - low) * 0.06
    placed: list[float] = []
    for x, y, name, colour in sorted(ends, key=lambda e: e[1]):
        y = max(y, placed[-1] + gap) if placed else y
        placed.append(y)
        ax.annotate(name, (x, y), xytext=(5, 0), textcoords="offset points", va="center",
                    color=colour, fontweight="bold", annotation_clip=False)
