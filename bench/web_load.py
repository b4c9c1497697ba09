"""The web service under load: requests per second and p50/p99 latency of profile reads and
event writes, with the service on loopback (2 Uvicorn workers) and this process as the
load generator (a lean asyncio HTTP/1.1 client at a fixed arrival rate, after a warm-up).

    .venv/bin/python bench/web_load.py [--rate 200] [--seconds 20] [--write-share 0.2]
                                       [--people 500] [--workers 2] [--warmup 3]

Runs on SQLite, and on PostgreSQL too when TRELLIS_TEST_POSTGRES_URL is set (in a schema of
its own, dropped afterwards). Afterwards every write the service acknowledged is looked up
in the database: a missing one is an error.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import create_engine, text

from trellis.adapters.database import temporary_schema

PASSWORD = "trellis-demo"
CONNECTIONS = 64  # the most requests in flight at once; later ones wait in the client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def trellis(url: str, *args: str, **kw: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TRELLIS_DATABASE_URL": url, "TRELLIS_ENVIRONMENT": "development",
           "TRELLIS_AUTHOR": "bench"}
    return subprocess.Popen([sys.executable, "-m", "trellis.entrypoints.cli.app", *args],
                            env=env, **kw)  # type: ignore[call-overload]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def request(port: int, head: bytes, method: str, path: str, body: bytes = b""
                  ) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a connection of its own, as lean as a load generator needs:
    the service must own the cores, not the client (httpx spends about 4 ms of CPU a
    request here, as much as the service). A new connection each time lets the kernel hand
    it to whichever worker is free; kept-alive connections pin their load to one worker."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"%s %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s" % (
            method.encode(), path.encode(), head, len(body), body))
        response = await reader.readuntil(b"\r\n\r\n")
        length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", response)
        if length is None:
            raise ValueError("a response without Content-Length")
        return int(response[9:12]), await reader.readexactly(int(length.group(1)))
    finally:
        writer.close()


async def drive(port: int, rate: float, seconds: float, write_share: float,
                handles: list[str], token: str, *, seed: int) -> dict[str, Any]:
    """Requests at a fixed arrival rate, whatever the responses do (an open loop): each
    latency counts from the moment its request was due, so a stalled service cannot hide
    the queue it causes (no coordinated omission)."""
    latencies: dict[str, list[float]] = {"read": [], "write": []}
    errors: list[str] = []
    written: list[int] = []
    rng = random.Random(seed)
    head = (f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nConnection: close\r\n").encode()
    in_flight = asyncio.Semaphore(CONNECTIONS)
    body = orjson.dumps({"kind": "check_in", "details": {"engagement": 4, "notes": "bench"}})

    async def one(kind: str, handle: str, due: float) -> None:
        async with in_flight:
            try:
                if kind == "read":
                    status, content = await request(port, head, "GET",
                                                    f"/api/people/{handle}/profile")
                else:
                    status, content = await request(port, head, "POST",
                                                    f"/api/people/{handle}/events", body)
                    if status == 201:
                        written.append(orjson.loads(content)["id"])
                if status >= 400:
                    errors.append(f"{kind} {handle}: {status} {content[:200]!r}")
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(f"{kind} {handle}: {type(exc).__name__}: {exc}")
        latencies[kind].append((time.perf_counter() - due) * 1000)

    tasks = []
    start = time.perf_counter()
    cpu = time.process_time()
    total = int(rate * seconds)
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        kind = "write" if rng.random() < write_share else "read"
        tasks.append(asyncio.create_task(one(kind, rng.choice(handles), due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    client_cpu = time.process_time() - cpu
    return {"latencies": latencies, "errors": errors, "written": written,
            "elapsed": elapsed, "total": total, "client_cpu": client_cpu}


def run(url: str, label: str, args: argparse.Namespace) -> bool:
    demo = trellis(url, "demo", "--people", str(args.people), "--replace",
                   stdout=subprocess.DEVNULL)
    assert demo.wait() == 0, "trellis demo failed"
    engine = create_engine(url)
    with engine.connect() as c:
        handles = [r[0] for r in c.execute(text(
            "SELECT p.handle FROM people p JOIN person_state s ON s.person_id = p.id "
            "WHERE s.departed_on IS NULL"))]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = trellis(url, "serve", "--port", str(port), "--workers", str(args.workers),
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base) as c:
            signed = c.post("/api/session", json={"email": "hr@demo.trellis",
                                                  "password": PASSWORD}).json()
            token = c.post("/api/tokens", json={"name": "bench"},
                           headers={"X-CSRF-Token": signed["csrf_token"]}).json()["token"]
            for h in handles[:20]:  # warm both workers' caches
                c.get(f"/api/people/{h}/profile", headers={"Authorization": f"Bearer {token}"})
        if args.warmup:  # both workers start their threads and connections, unmeasured
            warm = asyncio.run(drive(port, args.rate, args.warmup, args.write_share, handles,
                                     token, seed=1))
        result = asyncio.run(drive(port, args.rate, args.seconds, args.write_share, handles,
                                   token, seed=7))
    finally:
        server.terminate()
        server.wait(20)
    written = result["written"] + (warm["written"] if args.warmup else [])
    with engine.connect() as c:
        present = {r[0] for r in c.execute(text(
            "SELECT id FROM events WHERE kind = 'check_in' AND author = 'hr@demo.trellis'"))}
    engine.dispose()
    missing = [i for i in written if i not in present]
    lat = result["latencies"]
    errors = result["errors"] + (warm["errors"] if args.warmup else [])
    elapsed = float(result["elapsed"])
    print(f"\n{label}: {args.people} people, {args.workers} workers, target {args.rate:g} "
          f"req/s for {args.seconds:g} s after {args.warmup:g} s of warm-up "
          f"({args.write_share:.0%} writes)")
    print(f"  achieved {result['total'] / elapsed:.1f} req/s; errors {len(errors)}; "
          f"writes acknowledged {len(written)}, missing afterwards {len(missing)}; "
          f"load generator CPU {result['client_cpu'] / result['total'] * 1000:.2f} ms/request")
    for kind in ("read", "write"):
        values = lat[kind]
        print(f"  {kind:5} n={len(values):5}  p50 {statistics.median(values):6.1f} ms  "
              f"p99 {percentile(values, 99):6.1f} ms  max {max(values):6.1f} ms")
    for e in errors[:5]:
        print("  error:", e)
    return not errors and not missing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--write-share", type=float, default=0.2)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=float, default=3,
                        help="seconds of load before measuring (its writes are checked too)")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        ok &= run(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite", args)
    pg = os.environ.get("TRELLIS_TEST_POSTGRES_URL")
    if pg:
        with temporary_schema(pg, "trellis_bench") as url:
            ok &= run(url, "PostgreSQL", args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
