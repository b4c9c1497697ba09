"""``trellis layers``: a person's competency layers as a matrix, a JSON document or a chart."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from trellis.analytics.chart_files import check_target
from trellis.domain.layers import (
    OTHER_BAND,
    Grain,
    LayersView,
    layers_to_document,
    level_word,
    regrid,
)
from trellis.services import layers as use

from .context import parse_date, state
from .output import console, print_json

# Mastery shades, light to dark (the chart uses the same ramp): a glyph that reads without
# colour, and a colour for terminals that have it. A scale of another size maps onto them.
GLYPHS = ("·", "░", "▒", "▓", "█")
COLOURS = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494")
MARKER = "▲"
MAX_WIDTH = 120
NAME_WIDTH = 30


def register(app: typer.Typer) -> None:
    app.command("layers")(layers)


def layers(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Handle, email or id.")],
    at: Annotated[str | None, typer.Option(help="The layers on this date (YYYY-MM-DD).")]
    = None,
    every: Annotated[bool, typer.Option(
        "--all", help="Also show the framework's competencies not started yet.")] = False,
    json: Annotated[bool, typer.Option("--json", help="Print the stable JSON document.")]
    = False,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Also draw the layers as a chart: FILE.png or FILE.svg.",
        metavar="FILE", dir_okay=False)] = None,
) -> None:
    """Competency layers: every competency's dated steps and the criteria met per topic,
    quarter by quarter since the hire."""
    if plot is not None:
        check_target(plot)
    found = use.layers(state(ctx).open().uow(), person, parse_date(at, "--at"),
                       every_competency=every)
    view, who = found.view, found.person
    if json:
        print_json({"person": {"id": who.id, "handle": who.handle, "name": who.name},
                    **layers_to_document(view)})
    else:
        print_matrix(view, f"{who.name} ({who.handle})")
    if plot is not None:
        from trellis.analytics import layers_chart  # matplotlib loads only when drawing

        layers_chart.write_chart(view, f"{who.name} ({who.handle})", plot)
        if not json:
            console.print(f"chart written to {escape(str(plot))}", highlight=False)


def shade(mastery: int, scale_max: int) -> int:
    """The index in GLYPHS and COLOURS of a mastery (-1: none)."""
    if mastery <= 0:
        return -1
    return min(len(GLYPHS), max(1, math.ceil(mastery * len(GLYPHS) / max(scale_max, 1)))) - 1


def print_matrix(view: LayersView, who: str) -> None:
    status = f"left on {view.departed_on}" if view.departed_on else f"hired {view.hired_on}"
    console.print(f"[bold]Competency layers of {escape(who)}[/] on {view.as_of} ({status})",
                  highlight=False)
    if not (view.competencies or view.topics) or not view.periods:
        console.print("no competency layers yet: log a skill_step (or, on a criteria "
                      "framework, demonstrated or assessed) to start one", highlight=False)
        return
    width = min(console.width, MAX_WIDTH)
    names = [len(c.name) + 2 for c in view.competencies] + [len(t.name) for t in view.topics]
    name_width = min(NAME_WIDTH, max(names))
    budget = width - name_width - len(" now  reached   ") - 4
    cell = 2
    if len(view.periods) * cell > budget:
        view = regrid(view, Grain.YEAR)
        cell = max(2, min(5, budget // max(len(view.periods), 1)))
    if view.competencies:
        _print_mastery(view, cell, name_width)
    if view.topics:
        _print_criteria(view, cell, name_width)


def _print_mastery(view: LayersView, cell: int, name_width: int) -> None:
    t = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, padding=(0, 1),
              show_edge=False)
    t.add_column("competency", no_wrap=True, max_width=name_width, overflow="ellipsis")
    t.add_column(_time_header(view, cell), no_wrap=True)
    t.add_column("now", justify="right", no_wrap=True)
    t.add_column("reached", no_wrap=True)
    for band in view.bands:  # a band's "now" is its level, "reached" its last upgrade
        last = max((m.on for m in view.band_upgrades if m.band == band.band), default=None)
        t.add_row(Text(band.name, "bold"), _band_cells(view, band.band, cell),
                  Text(f"L{band.level}" if band.band != OTHER_BAND else "", "bold yellow"),
                  Text(str(last) if last else ""))
        for c in band.competencies:
            t.add_row(Text("  " + c.name), _strip(c.held, c.scale_max, cell),
                      Text(str(c.mastery), "bold"),
                      Text(str(c.reached_on) if c.reached_on else "-"))
    console.print(t)
    for line in _legend(view):
        console.print(line, highlight=False)


def _print_criteria(view: LayersView, cell: int, name_width: int) -> None:
    """Per topic, the count of criteria met at the end of each period, shaded by the share
    of what the role expects; then the met statements in words."""
    t = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False, padding=(0, 1),
              show_edge=False)
    t.add_column("topic", no_wrap=True, max_width=name_width, overflow="ellipsis")
    t.add_column(_time_header(view, cell), no_wrap=True)
    t.add_column("met", justify="right", no_wrap=True)
    t.add_column("last met", no_wrap=True)
    for topic in view.topics:
        whole = topic.expected or len(topic.criteria) or 1
        strip = Text(no_wrap=True)
        for n in topic.held:
            i = shade(n, whole)
            shown = str(n) if n else "·"
            strip.append(shown[:cell].rjust(cell), "" if i < 0 else COLOURS[i])
        last = max((c.met_on for c in topic.criteria if c.met_on), default=None)
        met = f"{topic.met_expected}/{topic.expected}" if topic.expected else str(topic.met)
        t.add_row(Text(topic.name), strip, Text(met, "bold"), Text(str(last) if last else "-"))
    console.print(t)
    grain = "a quarter" if view.grain is Grain.QUARTER else "a year"
    console.print(f"criteria: a cell is {grain} (the criteria met at its end); met: of "
                  "those the role expects", highlight=False)
    for topic in view.topics:
        met_here = [c for c in topic.criteria if c.met]
        if not met_here:
            continue
        console.print(Text(f"{topic.name}:", "bold"), highlight=False)
        for c in met_here:
            console.print(f"  ✓ {c.text} ({c.criterion}, {c.level or '?'}, met "
                          f"{c.met_on})", highlight=False, markup=False)


def _strip(held: tuple[int, ...], scale_max: int, cell: int) -> Text:
    strip = Text(no_wrap=True)
    for m in held:
        i = shade(m, scale_max)
        strip.append(" " * cell if i < 0 else GLYPHS[i] * cell, "" if i < 0 else COLOURS[i])
    return strip


def _band_cells(view: LayersView, band: str, cell: int) -> Text:
    levels: dict[int, int] = {}
    for m in view.band_upgrades:
        if m.band == band:
            levels[m.period] = m.to_level
    row = Text(no_wrap=True)
    for i in range(len(view.periods)):
        mark = f"{MARKER}{levels[i]}" if i in levels else ""
        row.append(mark[:cell].ljust(cell), "bold yellow" if mark else "")
    return row


def _time_header(view: LayersView, cell: int) -> str:
    """Year labels over the strips, where each fits without touching the one before."""
    line = [" "] * (len(view.periods) * cell)
    free_from = 0
    for i, p in enumerate(view.periods):
        starts_year = p.start.month == 1
        label = str(p.start.year)
        pos = i * cell
        if i == 0 and not starts_year:
            next_year = next((j for j, q in enumerate(view.periods) if q.start.month == 1),
                             len(view.periods))
            if next_year * cell - pos < len(label) + 1:
                continue
        elif not starts_year:
            continue
        if pos < free_from or pos + len(label) > len(line):
            continue
        line[pos:pos + len(label)] = label
        free_from = pos + len(label) + 1
    return "".join(line).rstrip() or "time"


def _legend(view: LayersView) -> list[Text]:
    scale = view.scale
    shades = Text("mastery:")
    for m in range(1, scale.max + 1):
        i = shade(m, scale.max)
        shades.append("  ")
        shades.append(GLYPHS[i] * 2, COLOURS[i])
        shades.append(f" {m} {level_word(scale, m)}")
    grain = "a quarter" if view.grain is Grain.QUARTER else "a year"
    cells = Text(f"a cell is {grain} (the mastery held at its end); ")
    cells.append(f"{MARKER}n", "bold yellow")
    cells.append(" band upgrade to level n; Ln: band level now")
    return [shades, cells]
