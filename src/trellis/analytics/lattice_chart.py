"""The lattice neighbourhood chart: roles placed on the grid they live on.

Columns are tracks (the start's track first), rows are levels (higher up), so a vertical
move points straight up, a lateral one sideways and a diagonal one across. Moves are drawn
as arrows in four styles (vertical solid green, lateral dashed blue, diagonal dotted
orange, a step down dash-dotted purple), each labelled with its months. Drawn with
matplotlib's Agg canvas (never a display), written as PNG or SVG by the file's suffix.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from pathlib import Path
from typing import Literal

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from trellis.domain.framework import MoveKind
from trellis.domain.lattice import Neighbourhood
from trellis.errors import TrellisError

from .chart_files import check_target

STYLES: dict[MoveKind, tuple[str, Literal["-", "--", ":", "-."]]] = {  # colour, line style
    MoveKind.VERTICAL: ("#1b9e77", "-"),
    MoveKind.LATERAL: ("#3b6fb6", "--"),
    MoveKind.DIAGONAL: ("#d95f02", ":"),
    MoveKind.DOWN: ("#7570b3", "-."),
}
COLUMN = 2.6  # inches per track
ROW = 1.9  # inches per level
LABEL_WIDTH = 22  # characters per label line


def write_chart(view: Neighbourhood, title: str, path: Path) -> None:
    fmt = check_target(path)
    with rc_context({"font.family": "DejaVu Sans", "font.size": 8, "svg.fonttype": "path",
                     "svg.hashsalt": "trellis-lattice"}):
        figure = draw(view, title)
        try:
            figure.savefig(path, format=fmt, dpi=150,
                           metadata={"Date": None} if fmt == "svg" else None)
        except OSError as exc:
            raise TrellisError(f"cannot write the chart to {path}: "
                               f"{exc.strerror or exc}") from None


def layout(view: Neighbourhood) -> dict[str, tuple[float, float]]:
    """Each role's (x, y): x by track (the start's first), y by level rank; roles sharing
    a cell are stacked a little apart."""
    fw = view.framework
    tracks: list[str] = []
    for r in view.roles:
        track = fw.roles[r].track
        if track not in tracks:
            tracks.append(track)
    cells: dict[tuple[str, int], list[str]] = defaultdict(list)
    for r in view.roles:
        cells[(fw.roles[r].track, fw.rank_of(r))].append(r)
    where = {}
    for (track, rank), members in cells.items():
        for i, r in enumerate(members):
            offset = (i - (len(members) - 1) / 2) * 0.42
            where[r] = (tracks.index(track) + offset * 0.35, rank + offset)
    return where


def draw(view: Neighbourhood, title: str) -> Figure:
    fw = view.framework
    where = layout(view)
    xs = [x for x, _ in where.values()]
    ys = [y for _, y in where.values()]
    columns = max(xs) - min(xs) + 1.4
    rows = max(ys) - min(ys) + 1.4
    figure = Figure(figsize=(max(6.0, columns * COLUMN), max(4.0, rows * ROW + 1.0)))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    for e in view.edges:
        colour, style = STYLES[e.kind]
        (x0, y0), (x1, y1) = where[e.source], where[e.target]
        bend = 0.3 if e.kind is MoveKind.LATERAL else 0.08  # laterals arc over their row
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": style,
                                "linewidth": 1.3, "shrinkA": 26, "shrinkB": 26,
                                "connectionstyle": f"arc3,rad={bend}"})
        if e.source == view.roles[0]:
            ax.text(x0 + (x1 - x0) * 0.55, y0 + (y1 - y0) * 0.55, f"{e.months:g} mo",
                    color=colour, fontsize=7, ha="center", va="center",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.85})
    for r, (x, y) in where.items():
        role = fw.roles[r]
        start = r == view.roles[0]
        label = "\n".join(textwrap.wrap(role.title, LABEL_WIDTH)[:3])
        ax.text(x, y, label, ha="center", va="center", fontsize=8 if start else 7,
                fontweight="bold" if start else "normal",
                bbox={"boxstyle": "round,pad=0.35", "ec": "#333333",
                      "fc": "#ffe9a8" if start else "#f4f4f4", "lw": 1.4 if start else 0.6})
    tracks = sorted({(round(x), fw.roles[r].track) for r, (x, _) in where.items()})
    ax.set_xticks([x for x, _ in tracks],
                  ["\n".join(textwrap.wrap(fw.tracks[t].name, 24)[:2]) for _, t in tracks])
    ranks = sorted({fw.rank_of(r) for r in view.roles})
    names = {lv.rank: lv.name for lv in fw.levels.values()}
    ax.set_yticks(ranks, ["\n".join(textwrap.wrap(names[k], 18)[:2]) for k in ranks])
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.7, max(ys) + 0.7)
    ax.grid(True, color="#eeeeee", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, loc="left", fontsize=10)
    drawn = {e.kind for e in view.edges}
    handles = [Line2D([], [], color=c, linestyle=s, label=k.label)
               for k, (c, s) in STYLES.items() if k in drawn or k is not MoveKind.DOWN]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
              title="move")
    figure.tight_layout()
    return figure
