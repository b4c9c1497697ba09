"""How far a backtest's coverage can fall from its aim by chance alone.

A calibrated forecast puts each person's readiness date inside [P10, P90] with
probability 0.8, so the number inside out of ``n`` scored is Binomial(n, 0.8): on a few
dozen people the coverage moves several points either way without anything being wrong.
These say how much: the **Wilson score interval** of an observed share (it stays inside
[0, 1] and keeps its coverage on small ``n``, where the normal interval does not), and the
chance that a calibrated forecast lands inside the aim's band on ``n`` people, whose sum
over dates is how many dates one should expect inside the band.
"""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the standard normal's 97.5% point


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``successes`` out of ``n`` (95% by default); (0, 1)
    when nothing was observed."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def chance_in_band(n: int, p: float = 0.8, half_width: float = 0.05) -> float:
    """P(|X / n - p| <= half_width) for X ~ Binomial(n, p): the chance a forecast whose
    true coverage is ``p`` scores inside ``p +/- half_width`` on ``n`` people. The edges
    count as inside (a small tolerance keeps 0.75 * n from missing by rounding)."""
    return sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k)
               for k in range(n + 1) if in_band(k, n, p, half_width))


def in_band(successes: int, n: int, p: float = 0.8, half_width: float = 0.05) -> bool:
    """Whether ``successes`` of ``n`` is within ``p +/- half_width``, the edges inside."""
    return n > 0 and abs(successes - p * n) <= half_width * n + 1e-9
