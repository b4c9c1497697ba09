"""The strategy simulator at scale: 1,000,000 trajectories over 40 quarters, one strategy.

    .venv/bin/python bench/simulate.py [--runs 1000000] [--quarters 40] [--repeat 3]

Prints wall and CPU time (best of ``--repeat``) and the peak memory the run added, for
``analytics.simulator.simulate`` on the documented default calibration, starting from a
mixed population. Floor, measured in the same run: a bare numpy loop doing the same
arithmetic on the same draws (16-bit lanes, Poisson lookups, the logistic, the pay,
clock and engagement updates) with no strategy, no per-stage tables and no bands over
time. Targets: under 5 s and under 2 GB.
"""

from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
from collections.abc import Callable

import numpy as np

from trellis.analytics.calibration import default_calibration
from trellis.analytics.simulator import LANE, Start, Strategy, poisson_table, simulate

START = Start.of(rank=np.array([1, 2, 3, 4, 5]), top_rank=7, pay=120_000.0,
                 readiness=np.array([0.2, 0.4, 0.6, 0.3, 0.5]), quarters_in_level=3,
                 quarters_since=3, years=np.array([0.5, 2.0, 4.0, 7.0, 12.0]),
                 engagement=3.8)


def bare(runs: int, quarters: int, rng: np.random.Generator) -> float:
    """The same per-quarter draws and updates as the model, written flat."""
    t_skill, t_rec = poisson_table(np.array([0.7])), poisson_table(np.array([0.8]))
    pay = np.full(runs, 120_000, np.float32)
    ready = np.full(runs, 0.3, np.float32)
    rank = np.ones(runs, np.int8)
    tin = np.zeros(runs, np.int16)
    since = np.zeros(runs, np.int16)
    steps = np.zeros(runs, np.int16)
    micro = np.zeros(runs, np.int16)
    eng = np.full(runs, 3.8, np.float32)
    alive = np.ones(runs, bool)
    th_leave = np.minimum(3000 + 130 * np.arange(200), 6500).astype(np.int32)
    score = np.linspace(-4, -2, 17 * 128).astype(np.float32)
    for q in range(quarters):
        lanes = rng.bit_generator.random_raw(runs * 10 // 4 + 1).view(np.uint16)
        lanes = lanes[:runs * 10].reshape(10, runs)
        leave = alive & (lanes[0] < th_leave[since])
        kd = t_skill[lanes[1]] * alive
        ko = t_skill[lanes[2]] * alive
        kr = t_rec[lanes[3]] * alive
        cert, proj = alive & (lanes[4] < 2600), alive & (lanes[5] < 6200)
        band, lat = alive & (lanes[6] < 3200), alive & (lanes[7] < 650)
        ready += kd * np.float32(0.08)
        np.minimum(ready, 1, out=ready)
        z = score[np.minimum(tin, 16).astype(np.int32) * 128 + rank]
        z += np.float32(2) * ready
        promoted = alive & (tin >= 2) & (lanes[8] * (1 + np.exp(-z)) < LANE)
        np.multiply(pay, np.float32(1.005), out=pay, where=band)
        if q % 4 == 3:
            factor = rng.standard_normal(runs, dtype=np.float32) * np.float32(0.01) + 1.033
            np.multiply(pay, factor, out=pay, where=alive & (lanes[9] < LANE - 1))
        n = int(np.count_nonzero(promoted))
        pay[promoted] *= 1.095 + 0.02 * rng.standard_normal(n, dtype=np.float32)
        ready[promoted] = 0.3
        rank += promoted
        moved = promoted | lat
        tin += alive
        tin *= ~moved
        since += alive
        since *= ~moved
        steps += kd + ko
        micro += kd + ko + kr + cert + proj + lat + band
        eng += np.where(alive, kr * np.float32(0.03) - np.float32(0.05) + promoted * 0.8, 0)
        np.clip(eng, 1, 5, out=eng)
        alive &= ~leave
        alive.mean()
    return float(np.percentile(pay[alive], 50))


def measure(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Best wall and CPU seconds of ``repeat`` runs, and the peak traced memory in MB."""
    walls, cpus = [], []
    for _ in range(repeat):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(walls), min(cpus), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--quarters", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    cal = default_calibration()
    runs, quarters = args.runs, args.quarters

    def model() -> object:
        return simulate(cal, START, Strategy("balanced", 0.5), quarters=quarters, runs=runs,
                        rng=np.random.default_rng(1))

    def floor() -> object:
        return bare(runs, quarters, np.random.default_rng(1))

    m_wall, m_cpu, m_mem = measure(model, args.repeat)
    f_wall, f_cpu, f_mem = measure(floor, args.repeat)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"strategy simulator: {runs:,} trajectories x {quarters} quarters, one strategy")
    print(f"  model       {m_wall:6.2f} s wall  {m_cpu:6.2f} s CPU  peak {m_mem:7.0f} MB traced")
    print(f"  bare numpy  {f_wall:6.2f} s wall  {f_cpu:6.2f} s CPU  peak {f_mem:7.0f} MB traced")
    print(f"  ratio       {m_wall / f_wall:6.2f}x wall {m_cpu / f_cpu:6.2f}x CPU")
    print(f"  process peak resident memory {rss:,.0f} MB (targets: under 5 s, under 2 GB)")


if __name__ == "__main__":
    main()
