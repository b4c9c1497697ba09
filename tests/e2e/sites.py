"""Demo sites for the browser tests: ``trellis demo`` once per size and test run (the
xdist workers share it), copied for each module (modules change their site, so none shares
one), and ``trellis serve`` on a free loopback port of the module's own.
"""

from __future__ import annotations

import fcntl
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest

from demo_day import DEMO_DAY

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment() -> dict[str, str]:
    env = {**os.environ, "TRELLIS_ENVIRONMENT": "development", "TRELLIS_AUTHOR": "e2e"}
    env.pop("TRELLIS_SECRET_KEY", None)
    return env


def command(db: Path) -> list[str]:
    return [sys.executable, "-m", "trellis.entrypoints.cli.app", "--db", str(db)]


class DemoDatabases:
    """``trellis demo --people N`` (as of DEMO_DAY: the same organization whatever day the
    tests run) made once per N in ``folder``, then copied on demand.

    Test processes that share the folder (the xdist workers of one run) share the builds: the
    first to need one builds it under a lock, the others wait for it and copy it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def copy_to(self, people: int, target: Path) -> Path:
        db = self.folder / f"demo-{people}.db"
        built = db.with_suffix(".built")  # written once the demo command has succeeded
        with (self.folder / f"demo-{people}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if not built.exists():
                subprocess.run([*command(db), "demo", "--people", str(people), "--replace",
                                "--as-of", DEMO_DAY.date().isoformat()],
                               check=True, env=environment(), capture_output=True)
                built.touch()
        with closing(sqlite3.connect(db)) as source, \
                closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        return target


@contextmanager
def serving(db: Path, tries: int = 3) -> Iterator[str]:
    """``trellis serve`` over ``db``; its URL while it runs.

    The port is free when chosen, but another process may take it before the server binds
    it: then the server exits, and another port is tried."""
    log = db.with_suffix(".serve.log")
    for _ in range(tries):
        port = free_port()
        with log.open("wb") as out:
            server = subprocess.Popen([*command(db), "serve", "--port", str(port)],
                                      env=environment(), stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        try:
            if _answers(server, url):
                yield url
                return
        finally:
            server.terminate()
            server.wait(10)
    pytest.fail(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")


def _answers(server: subprocess.Popen[bytes], url: str) -> bool:
    deadline = time.monotonic() + 90
    # One client for every try: a new one each time would build its TLS context again, a
    # few hundredths of a second of CPU per try while the server starts.
    with httpx.Client(timeout=1) as client:
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if client.get(f"{url}/login").status_code == 200:
                    return server.poll() is None  # not some other process's server
            except httpx.TransportError:
                time.sleep(0.1)
    return False
