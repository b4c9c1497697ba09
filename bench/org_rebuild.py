"""Each organization model's rebuild on its own: seconds (wall and CPU) and peak memory.

    .venv/bin/python bench/org_rebuild.py --db /tmp/orgrebuild/org10k.db [--trace]
        [--models effort,evidence] [--pass]

Every model is built in a fresh process (``org_models.build``, as ``load`` builds one on
demand), so each peak resident memory is that model's alone; the process's memory after
its imports and before the build is printed beside it (the floor). ``--trace`` adds
tracemalloc's peak of the build (Python allocations; slower). ``--pass`` also runs one
``trellis refresh --force`` pass (every model, one process) and prints its figures. The
database must exist (bench/org_models.py generates one).
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


def whole_pass(url: str) -> dict[str, Any]:
    from trellis.services.refresh import refresh_models

    trellis = open_trellis(Settings(database_url=url, author="bench"))
    floor = _rss_mb()
    wall, cpu = time.perf_counter(), _cpu()
    done = refresh_models(trellis.uow(), force=True)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    trellis.close()
    return {"wall": wall, "cpu": cpu, "rss_mb": _rss_mb(), "floor_mb": floor,
            "models": {d.name: d.seconds for d in done}}


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
    for name in args.models.split(","):
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


if __name__ == "__main__":
    main()
