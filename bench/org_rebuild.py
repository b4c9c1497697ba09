"""Each organization model's rebuild on its own: seconds (wall and CPU) and peak memory.

    .venv/bin/python bench/org_rebuild.py --db /tmp/orgrebuild/org10k.db [--trace]
        [--models effort,evidence] [--pass]

Every model is built in a fresh process (``org_models.build``, as ``load`` builds one on
demand), so each peak resident memory is that model's alone; the process's memory after
its imports and before the build is printed beside it (the floor). ``--trace`` adds
tracemalloc's peak of the build (Python allocations; slower). ``--pass`` also runs one
``trellis refresh --force`` pass (every model, one process) and prints its figures, with
each step's memory: the pass's peak so far when the step ends (the figure the rebuild's peak
is the last of), the step's own peak and what stays resident after it (the kernel's
high-water mark is reset at each step). The database must exist (bench/org_models.py
generates one).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from typing import Any

from trellis.bootstrap import open_trellis
from trellis.settings import Settings


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def one(url: str, name: str, trace: bool) -> dict[str, Any]:
    from trellis.services import org_models
    from trellis.services.refresh import ORG_MODELS

    trellis = open_trellis(Settings(database_url=url, author="bench"))
    kind = next(k for k in ORG_MODELS if k.name == name)
    params = kind.defaults(trellis.uow()) if kind.defaults is not None else {}
    floor = _rss_mb()
    if trace:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), _cpu()
    org_models.build(trellis.uow(), kind, params)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    trellis.close()
    return {"wall": wall, "cpu": cpu, "rss_mb": _rss_mb(), "floor_mb": floor,
            "traced_mb": traced}


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"/proc/self/status has no {field}")


class _Steps:
    """Each step's memory in a pass: ``progress`` is called as a model's build starts, so a
    step runs from one call to the next (the first, ``snapshot``, is the ledger's read)."""

    def __init__(self) -> None:
        self.name, self.peak = "snapshot", 0.0
        self.steps: list[dict[str, Any]] = []
        self._reset()

    def _reset(self) -> None:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # VmHWM := VmRSS: from now on it is this step's own peak

    def __call__(self, next_name: str) -> None:
        own = _status_mb("VmHWM")
        self.peak = max(self.peak, own)
        self.steps.append({"step": self.name, "pass_peak_mb": self.peak, "own_peak_mb": own,
                           "after_mb": _status_mb("VmRSS")})
        self.name = next_name
        self._reset()


def whole_pass(url: str) -> dict[str, Any]:
    from trellis.services.refresh import refresh_models

    trellis = open_trellis(Settings(database_url=url, author="bench"))
    floor = _status_mb("VmRSS")
    steps = _Steps()
    wall, cpu = time.perf_counter(), _cpu()
    done = refresh_models(trellis.uow(), force=True, progress=steps)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    steps("")
    trellis.close()
    return {"wall": wall, "cpu": cpu, "rss_mb": steps.peak, "floor_mb": floor,
            "models": {d.name: d.seconds for d in done}, "steps": steps.steps}


def _child(*args: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True,
                            text=True, check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    from trellis.services.refresh import ORG_MODELS

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="/tmp/orgrebuild/org10k.db")
    parser.add_argument("--models", default=",".join(k.name for k in ORG_MODELS))
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--pass", dest="whole", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    if args.child == "pass":
        print(json.dumps(whole_pass(url)))
        return
    if args.child:
        print(json.dumps(one(url, args.child, args.trace)))
        return
    print(f"{'model':<18} {'wall':>8} {'cpu':>8} {'peak RSS':>10} {'floor':>8}"
          + (f" {'traced':>9}" if args.trace else ""))
    for name in filter(None, args.models.split(",")):  # --models '': the pass alone
        m = _child("--db", args.db, "--child", name, *(["--trace"] if args.trace else []))
        print(f"{name:<18} {m['wall']:7.2f}s {m['cpu']:7.2f}s {m['rss_mb']:8,.0f}MB "
              f"{m['floor_mb']:6,.0f}MB"
              + (f" {m['traced_mb']:7,.0f}MB" if args.trace else ""), flush=True)
    if args.whole:
        m = _child("--db", args.db, "--child", "pass")
        print(f"{'refresh --force':<18} {m['wall']:7.2f}s {m['cpu']:7.2f}s "
              f"{m['rss_mb']:8,.0f}MB {m['floor_mb']:6,.0f}MB")
        for name, seconds in m["models"].items():
            print(f"  {name:<16} {seconds:7.2f}s")
        print(f"{'step':<18} {'pass peak':>10} {'own peak':>10} {'after':>8}")
        for step in m["steps"]:
            print(f"  {step['step']:<16} {step['pass_peak_mb']:8,.0f}MB "
                  f"{step['own_peak_mb']:8,.0f}MB {step['after_mb']:6,.0f}MB")


if __name__ == "__main__":
    main()
