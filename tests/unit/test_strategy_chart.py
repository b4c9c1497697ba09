"""The strategy chart tells its lines apart without colour alone: each strategy its own
colour and dash, named at the end of its line, one legend; its colours read on white."""

from __future__ import annotations

from itertools import pairwise
from types import SimpleNamespace

import numpy as np

from trellis.analytics import strategy_chart


def outcome(name: str, effort: float, level: float) -> SimpleNamespace:
    quarters = 8
    p50 = level + np.arange(quarters + 1) * 1000.0
    band = SimpleNamespace(p10=p50 - 5000, p50=p50, p90=p50 + 5000)
    return SimpleNamespace(strategy=SimpleNamespace(name=name, promotion_effort=effort),
                           quarters=quarters, bands={"pay": band},
                           survival=np.linspace(1, 0.8 + effort / 10, quarters + 1))


OUTCOMES = [outcome("promotion", 0.8, 100_000), outcome("balanced", 0.5, 100_400),
            outcome("micro", 0.2, 100_200)]  # ends within 400 of each other


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_each_strategy_has_its_own_colour_and_dash_and_one_legend():
    figure = strategy_chart.draw(OUTCOMES, "t")
    pay_ax, survival_ax = figure.axes
    medians = [line for line in pay_ax.get_lines() if line.get_linewidth() > 1]
    styles = {(line.get_color(), str(line.get_linestyle())) for line in medians}
    assert len(medians) == 3 and len(styles) == 3
    assert len({str(line.get_linestyle()) for line in medians}) == 3  # dashes differ too
    assert [t.get_text() for t in pay_ax.get_legend().get_texts()] == [
        "promotion (80% promotion effort)", "balanced (50% promotion effort)",
        "micro (20% promotion effort)"]
    assert survival_ax.get_legend() is None


def test_each_line_is_named_at_its_end_and_crowded_names_are_pulled_apart():
    figure = strategy_chart.draw(OUTCOMES, "t")
    for ax in figure.axes:
        names = {a.get_text(): a.xy for a in ax.texts}
        assert set(names) == {"promotion", "balanced", "micro"}
        assert all(x == 2.0 for x, _ in names.values())  # at the horizon: 8 quarters
        heights = sorted(y for _, y in names.values())
        low, high = ax.get_ylim()
        assert min(b - a for a, b in pairwise(heights)) >= (high - low) * 0.059


def test_the_colours_have_4_5_to_1_contrast_on_white():
    for colour in strategy_chart.COLOURS:
        assert (1.05) / (luminance(colour) + 0.05) >= 4.5, colour
