"""The propensity fit alone on a larger snapshot table: its peak resident memory and time.

    .venv/bin/python bench/propensity_fit.py --db /tmp/orgrebuild/org10k.db [--times 5]

Reads the snapshot table of the stored evidence model (``trellis refresh`` must have built
it) and repeats it ``--times`` times, each copy's people renumbered, so a 10,000-person
demo's table stands for one of a larger organization (5 times: about the rows of 55,000
people) without folding a larger ledger. Prints the process's memory before the fit, the
peak during it (sampled every 10 ms) and each model's cross-validated and time-ordered AUC.
"""

from __future__ import annotations

import argparse
import gc
import os
import threading
import time

import pandas as pd

from trellis.analytics import propensity as pr
from trellis.bootstrap import open_trellis
from trellis.services import org_models
from trellis.services.evidence import EVIDENCE
from trellis.settings import Settings

PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/orgrebuild/org10k.db")
    parser.add_argument("--times", type=int, default=5)
    args = parser.parse_args()
    trellis = open_trellis(Settings(database_url=f"sqlite:///{args.db}", author="bench"))
    uow = trellis.uow()
    with uow.reading():
        stored = org_models.peek(uow, EVIDENCE)
    trellis.close()
    if stored is None:
        raise SystemExit("no stored evidence model: run trellis refresh first")
    base, window, points = stored.snapshots, stored.window, stored.propensity.decision_points
    del stored
    parts = []
    for k in range(args.times):
        part = base.copy()
        part["person_id"] += k * 10_000_000
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    del parts, base
    gc.collect()
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    before = _rss_mb()
    sampler.start()
    started = time.perf_counter()
    result = pr.fit_propensity(frame, window=window, decision_points=points)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    print(f"{len(frame):,} snapshots ({args.times} x the stored table): {seconds:.0f}s; "
          f"RSS {before:,.0f} MB before the fit, peak {peak[0]:,.0f} MB "
          f"(+{peak[0] - before:,.0f} MB)")
    for m in result.models:
        timed = f"{m.time_ordered.value:.6f}" if m.time_ordered else "-"
        mean = f"{m.auc_mean:.6f}" if m.auc_mean is not None else "-"
        print(f"  {m.model:<18} cross-validated AUC {mean}, time-ordered {timed}")


if __name__ == "__main__":
    main()
