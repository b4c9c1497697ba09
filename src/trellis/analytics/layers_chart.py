"""The competency-layers chart: competencies by time, each strip stepping up with mastery.

Each competency is a horizontal strip (grouped under its skill band, in framework order)
that rises and darkens at every dated step, so the layers visibly build up over the
career. Band upgrades are marked on their band's row. Drawn with matplotlib's Agg canvas
(never a display) in its bundled DejaVu font, written as PNG or SVG by the file's suffix.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import matplotlib.dates as mdates
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from trellis.domain.layers import (
    OTHER_BAND,
    BandLayers,
    CompetencyLayers,
    LayersView,
    level_word,
)
from trellis.errors import TrellisError

from .chart_files import check_target

# Light to dark (YlGnBu), as in the terminal matrix: a scale of another size maps onto it.
COLOURS = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
MARKER_COLOUR = "#d95f02"
ROW = 0.34  # inches per row
Row = tuple[BandLayers, CompetencyLayers | None]  # a band's header row has no competency


def write_chart(view: LayersView, who: str, path: Path) -> None:
    """Draw the layers of ``view`` (``who`` names the person in the title) into ``path``."""
    fmt = check_target(path)
    with rc_context({"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "path",
                     "svg.hashsalt": "trellis-layers"}):
        figure = draw(view, who)
        try:
            figure.savefig(path, format=fmt, dpi=150,
                           metadata={"Date": None} if fmt == "svg" else None)
        except OSError as exc:
            raise TrellisError(f"cannot write the chart to {path}: {exc.strerror}") from None


def _x(day: date) -> float:
    """A date on the x axis (matplotlib's date numbers: days since its epoch)."""
    return float(mdates.date2num(day))


def shade(mastery: int, scale_max: int) -> int:
    """The index in COLOURS of a mastery (-1: none)."""
    if mastery <= 0:
        return -1
    n = len(COLOURS)
    return min(n, max(1, math.ceil(mastery * n / max(scale_max, 1)))) - 1


def draw(view: LayersView, who: str) -> Figure:
    rows: list[Row] = []
    for band in view.bands:
        rows.append((band, None))
        rows.extend((band, c) for c in band.competencies)
    height = 1.6 + ROW * max(len(rows), 2)
    figure = Figure(figsize=(11, height), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    start = view.hired_on or view.as_of
    end = view.ends_on
    margin = timedelta(days=max(20, (end - start).days // 50))
    status = f"left {view.departed_on}" if view.departed_on else f"hired {view.hired_on}"
    figure.suptitle(f"Competency layers of {who} on {view.as_of}  ({status})",
                    x=0.01, ha="left", fontsize=11, fontweight="bold")
    labels: list[str] = []
    for y, (band, comp) in enumerate(rows):
        if comp is None:
            labels.append(band.name)
            if y:
                ax.axhline(y - 0.5, color="#999999", linewidth=0.6)
            if band.band != OTHER_BAND:
                level = "no band level yet" if not band.level else f"band level {band.level}" + (
                    f" {band.level_name}" if band.level_name else "")
                ax.annotate(level, (1, y), xycoords=("axes fraction", "data"), ha="right",
                            va="center", fontsize=8, color="#555555", style="italic")
            continue
        labels.append(comp.name)
        _strip(ax, y, comp, start, end)
    _band_markers(ax, view, rows)
    ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)
    if not rows:
        ax.text(0.5, 0.5, "no competency layers yet", transform=ax.transAxes,
                ha="center", va="center", color="#555555")
    ax.set_yticks(range(len(rows)), labels)
    for tick, (_, comp) in zip(ax.get_yticklabels(), rows, strict=True):
        if comp is None:
            tick.set_fontweight("bold")
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(_x(start - margin), _x(end + margin))
    locator = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    _legend(figure, view)
    return figure


def _strip(ax: Axes, y: int, comp: CompetencyLayers, start: date, end: date) -> None:
    ax.plot([_x(start), _x(end)], [y + 0.4, y + 0.4], color="#e0e0e0", linewidth=0.8,
            solid_capstyle="butt")
    steps = [s for s in comp.steps if s.on <= end]
    for i, step in enumerate(steps):
        until = steps[i + 1].on if i + 1 < len(steps) else end
        shade_i = shade(step.to_mastery, comp.scale_max)
        if shade_i < 0 or (until <= step.on and i + 1 < len(steps)):
            continue
        x0 = _x(step.on)
        width = max(_x(until) - x0, 3.0)
        rise = 0.8 * step.to_mastery / max(comp.scale_max, 1)
        ax.add_patch(Rectangle((x0, y + 0.4 - rise), width, rise,
                               facecolor=COLOURS[shade_i], edgecolor="white", linewidth=0.4))


def _band_markers(ax: Axes, view: LayersView, rows: list[Row]) -> None:
    """One marker per band and day (several levels passed at once read "1-2")."""
    row_of = {band.band: y for y, (band, comp) in enumerate(rows) if comp is None}
    passed: dict[tuple[str, date], list[int]] = {}
    for m in view.band_upgrades:
        passed.setdefault((m.band, m.on), []).extend(
            range(m.from_level + 1, m.to_level + 1))
    for (band, on), levels in passed.items():
        y = row_of.get(band)
        if y is None or not levels:
            continue
        label = str(levels[0]) if len(levels) == 1 else f"{levels[0]}-{levels[-1]}"
        ax.plot([_x(on)], [y], marker="^", markersize=7, color=MARKER_COLOUR,
                linestyle="none")
        ax.annotate(label, (_x(on), y), xytext=(5, -1), textcoords="offset points",
                    va="center", fontsize=7.5, fontweight="bold", color=MARKER_COLOUR)


def _legend(figure: Figure, view: LayersView) -> None:
    scale = view.scale
    handles: list[Patch | Line2D] = [
        Patch(facecolor=COLOURS[shade(m, scale.max)], edgecolor="white",
              label=f"mastery {m} {level_word(scale, m)}")
        for m in range(1, scale.max + 1)
    ]
    if view.band_upgrades:
        handles.append(Line2D([], [], marker="^", color=MARKER_COLOUR, linestyle="none",
                              label="band upgrade (to level n)"))
    figure.legend(handles=handles, loc="outside lower center", ncol=len(handles),
                  frameon=False, fontsize=8)
