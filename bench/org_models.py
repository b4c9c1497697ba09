"""Organization models on a 55,000-person demo organization: rebuild once, then read.

    .venv/bin/python bench/org_models.py [--db /tmp/models/org55k.db] [--people 55000]

The demo organization (``trellis demo``, seed 7, 5 years) is generated once and cached at
``--db`` (generating 55,000 people takes several minutes). Two fresh processes then run:

- *rebuild*: ``trellis refresh --force`` (every model fitted and stored, from one read of
  the ledger): the pass's wall and CPU seconds, each model's build time, and the
  process's peak resident memory;
- *read*: what a web worker does per request once the models exist: advice for one person,
  the organization's comparison table, the evidence, a 5-year simulation of one person,
  each timed (median of ``--repeat``; the first call, which decodes the stored model, apart)
  with its traced peak allocation, and the process's peak resident memory. Floor, measured
  in the same process: reading one person's profile (the current-state row).

Aims (issue 14): advice under 200 ms, compare under 2 s, evidence under 10 s, peak memory
under 1 GB (of the reading process, and of the rebuild). Each aim is printed with the time
the rebuild took (bench/org_rebuild.py has each model's rebuild on its own).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trellis.bootstrap import open_trellis
from trellis.settings import Settings

AIMS = {"advice": 0.2, "compare": 2.0, "evidence": 10.0}
PEAK_AIM_MB = 1024


def _rss_mb() -> float:
    """The process's peak resident memory. Linux's ru_maxrss survives exec: a phase's child
    started by a parent that has just generated the organization (GBs) would report the
    parent's peak; the memory map's high-water mark (VmHWM) is the child's own."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def ensure_db(path: Path, people: int) -> None:
    if path.exists():
        return
    from trellis.adapters.framework_files import read_framework_file, shipped_framework_path
    from trellis.services import clock
    from trellis.services.demo import run_demo

    path.parent.mkdir(parents=True, exist_ok=True)
    trellis = open_trellis(Settings(database_url=f"sqlite:///{path}", author="bench"),
                           create=True)
    shipped = shipped_framework_path("software-company")
    assert shipped is not None
    framework, document = read_framework_file(shipped)
    started = time.perf_counter()
    run_demo(trellis.uow, framework=framework, document=document, people=people, years=5,
             seed=7, author="bench", today=clock.today())
    print(f"generated {people:,} people in {time.perf_counter() - started:.0f}s at {path}")
    trellis.close()


def rebuild(url: str) -> dict[str, Any]:
    from trellis.services.refresh import refresh_models

    trellis = open_trellis(Settings(database_url=url, author="bench"))
    started, cpu = time.perf_counter(), _cpu()
    done = refresh_models(trellis.uow(), force=True)
    total, cpu = time.perf_counter() - started, _cpu() - cpu
    trellis.close()
    return {"total": total, "cpu": cpu, "rss_mb": _rss_mb(),
            "models": {d.name: {"seconds": d.seconds, "bytes": d.size} for d in done}}


def _timed(fn: Callable[[], object], repeat: int) -> dict[str, float]:
    tracemalloc.start()
    started = time.perf_counter()
    fn()
    first = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {"first": first, "median": statistics.median(times), "peak_mb": peak / 2**20}


def read(url: str, repeat: int) -> dict[str, Any]:
    from trellis.services.advice import advise
    from trellis.services.compare import compare
    from trellis.services.evidence import evidence
    from trellis.services.profiles import profile
    from trellis.services.simulation import simulate

    trellis = open_trellis(Settings(database_url=url, author="bench"))
    with trellis.uow() as uow:  # someone in a role, mid-list (any size of organization)
        active = sorted(r["person_id"] for r in uow.state.rows(
            None, ["person_id", "role", "departed_on"]) if r["departed_on"] is None
            and r["role"])
    if not active:
        raise SystemExit(f"{url}: nobody active in a role to advise")
    who = str(active[len(active) // 2])
    out = {
        "floor": _timed(lambda: profile(trellis.uow(), who), repeat),
        "advice": _timed(lambda: advise(trellis.uow(), who), repeat),
        "compare": _timed(lambda: compare(trellis.uow()), repeat),
        "evidence": _timed(lambda: evidence(trellis.uow()), repeat),
        "simulate": _timed(lambda: simulate(trellis.uow(), person=who, years=5, runs=5_000),
                           repeat),
    }
    found = advise(trellis.uow(), who)
    trellis.close()
    return {"person": who, "ops": out, "rss_mb": _rss_mb(),
            "stale": [m for m in found.models if m["stale"]]}


def _phase(phase: str, url: str, repeat: int) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, "--phase", phase, "--url", url,
                             "--repeat", str(repeat)], capture_output=True, text=True,
                            check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/models/org55k.db")
    parser.add_argument("--people", type=int, default=55_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--phase", choices=("rebuild", "read"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.phase:
        fn = rebuild if args.phase == "rebuild" else (lambda u: read(u, args.repeat))
        print(json.dumps(fn(args.url)))
        return
    path = Path(args.db)
    ensure_db(path, args.people)
    url = f"sqlite:///{path}"
    rebuilt = ""
    if not args.skip_rebuild:
        built = _phase("rebuild", url, args.repeat)
        print(f"rebuild (trellis refresh --force): {built['total']:.1f}s wall, "
              f"{built['cpu']:.1f}s CPU, peak RSS {built['rss_mb']:,.0f} MB "
              f"(aim < {PEAK_AIM_MB:,})")
        for name, m in built["models"].items():
            print(f"  {name:<18} {m['seconds']:7.2f}s  {m['bytes'] / 1024:10,.1f} KiB stored")
        rebuilt = (f"  (models rebuilt in {built['total']:.0f}s wall, {built['cpu']:.0f}s CPU, "
                   f"peak {built['rss_mb']:,.0f} MB)")
    got = _phase("read", url, args.repeat)
    floor = got["ops"]["floor"]["median"]
    print(f"reads (person #{got['person']}), median of {args.repeat} after a first call; "
          f"peak RSS of the reading process {got['rss_mb']:,.0f} MB (aim < 1,024)")
    print(f"  {'':<10} {'first':>9} {'median':>9} {'x floor':>8} {'traced peak':>12} "
          f"{'aim':>7}")
    if rebuilt:
        print(rebuilt)
    for name, m in got["ops"].items():
        aim = AIMS.get(name)
        print(f"  {name:<10} {m['first']:8.3f}s {m['median']:8.3f}s "
              f"{m['median'] / floor:8.0f} {m['peak_mb']:10.1f}MB "
              + (f"{aim:6.1f}s" if aim else "  floor" if name == "floor" else ""))
    if got["stale"]:
        print(f"  (stale models served: {[m['model'] for m in got['stale']]})")


if __name__ == "__main__":
    main()
