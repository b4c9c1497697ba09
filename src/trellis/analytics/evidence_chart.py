"""The time-in-level chart: Kaplan-Meier curves of the share not yet promoted, by group.

One step curve per micro-progression-rate group with its 95% confidence band, drawn with
matplotlib's Agg canvas (never a display) and written as PNG or SVG by the file's suffix.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from trellis.errors import TrellisError

from .chart_files import check_target
from .evidence import Curve, landmark_of

COLOURS = {"low": "#d95f02", "middle": "#7570b3", "high": "#1b9e77", "all": "#2c7fb8"}


def write_chart(curves: list[Curve], path: Path, *, min_months: float = 0.0) -> None:
    fmt = check_target(path)
    with rc_context({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "path",
                     "svg.hashsalt": "trellis-evidence"}):
        figure = draw(curves, min_months=min_months)
        try:
            figure.savefig(path, format=fmt, dpi=150,
                           metadata={"Date": None} if fmt == "svg" else None)
        except OSError as exc:
            raise TrellisError(f"cannot write the chart to {path}: {exc.strerror}") from None


def draw(curves: list[Curve], *, min_months: float = 0.0) -> Figure:
    figure = Figure(figsize=(7.5, 5.4))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    drawn = 0
    for c in curves:
        colour = COLOURS.get(c.group, "#666666")
        if not c.sufficient:
            ax.plot([], [], color=colour, linestyle=":",
                    label=f"{c.group}: insufficient data (n={c.spells})")
            continue
        drawn += 1
        ax.fill_between(c.months, c.lower, c.upper, step="post", color=colour, alpha=0.18,
                        linewidth=0)
        median = f"median {c.median_months:.0f} mo" if c.median_months else "median not reached"
        ax.step(c.months, c.still_in_level, where="post", color=colour, linewidth=1.6,
                label=f"{c.group} ({c.rate_from:.1f}-{c.rate_to:.1f} a year; n={c.spells}, "
                f"{median})")
    if not drawn:
        ax.text(0.5, 0.5, "insufficient data", ha="center", va="center",
                transform=ax.transAxes, color="#666666")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("months in level")
    ax.set_ylabel("share not yet promoted")
    # two lines, so the title fits the figure whatever its width (tight_layout makes room
    # for its height, not for a left-aligned title running past the axes)
    landmark = landmark_of(min_months)
    ax.set_title("Time in level until promotion, by micro-progressions per year\nin the 12 "
                 f"months before month {landmark:g} (spells in level that long)", loc="left")
    ax.grid(True, color="#e5e5e5", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    # below the axes, clear of the curves and their bands
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.14), frameon=False,
              title="micro-progression rate", alignment="left")
    figure.tight_layout()
    return figure
