"""How SQLite writers wait: for each other, and for an import.

SQLite has one writer at a time. A unit of work that may write begins holding the write
lock (``begin_immediate``); a writer that finds it taken retries every millisecond for up
to BUSY_SECONDS, since most writes last milliseconds. An import holds the lock far longer,
so it marks itself running (``import_mark``) and a writer that sees the mark waits as long
as its context allows (``waiting_behind_imports``: the CLI a long while, the web a second),
then is told plainly, as ``Busy``, that an import is running: never SQLite's bare
"database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trellis.errors import Busy

if TYPE_CHECKING:  # the CLI imports this module at start, before it needs SQLAlchemy
    from sqlalchemy import Engine

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no import mark (see import_running)
    fcntl = None  # type: ignore[assignment]


BUSY_SECONDS = 5.0
"""How long a writer waits for another writer's transaction (most last milliseconds)."""
IMPORT_WAIT_SECONDS = 1.0
"""How long a writer waits behind a running import, unless ``waiting_behind_imports`` says
otherwise. The web's default: a worker has one request thread, which a write waiting out
a minute-long import would hold up for every request of that worker."""
LOOK_EVERY = 0.1  # seconds between two looks for a running import, while waiting


def begin_immediate(raw: Any, database: str | None) -> None:
    """``BEGIN IMMEDIATE``, waiting for the writer that holds the lock (see ``_wait``).

    SQLite's own busy handler sleeps ever longer between tries, up to 100 ms at a time,
    which a web request waiting behind a 2 ms write would feel; retrying every millisecond
    drains a queue of short writes at the pace of the writes.
    """
    def begin() -> bool:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return True
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc):
                raise
            return False

    raw.execute("PRAGMA busy_timeout = 0")
    try:
        _wait(begin, database)
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")


@dataclass(frozen=True, slots=True)
class Patience:
    """How long a writer waits behind a running import, and whom it tells that it waits."""

    behind_import: float = IMPORT_WAIT_SECONDS
    notice: Callable[[str], None] | None = None


_WEB_PATIENCE = Patience()  # frozen, so one default serves every context
_PATIENCE: ContextVar[Patience] = ContextVar("trellis_patience", default=_WEB_PATIENCE)


@contextmanager
def waiting_behind_imports(seconds: float,
                           notice: Callable[[str], None] | None = None) -> Iterator[None]:
    """Let the writers of this context wait up to ``seconds`` behind a running import (the
    CLI: one command, holding up nothing else), calling ``notice`` once when they start."""
    token = _PATIENCE.set(Patience(seconds, notice))
    try:
        yield
    finally:
        _PATIENCE.reset(token)


def _wait(attempt: Callable[[], bool], database: str | None) -> None:
    """Try ``attempt`` until it succeeds: for up to BUSY_SECONDS, or, while an import is seen
    holding ``database``, for as long as the context's ``Patience`` allows (after the import,
    BUSY_SECONDS more). Then ``Busy`` says which: never SQLite's bare "database is locked"."""
    start = time.monotonic()
    patience = _PATIENCE.get()
    give_up, pause, look_at = start + BUSY_SECONDS, 0.001, start + LOOK_EVERY
    since: datetime | None = None
    told = False
    while not attempt():
        now = time.monotonic()
        if database and now >= look_at:
            look_at = now + LOOK_EVERY
            was, since = since, import_running(database)
            if since is not None:  # an import lasts seconds: no need to try every ms
                give_up, pause = start + patience.behind_import, 0.02
                if patience.notice is not None and not told:
                    told = True
                    patience.notice(f"{_running(since)}: waiting for it to finish (at most "
                                    f"{_duration(patience.behind_import)})")
            elif was is not None:  # it is over: queue behind the ordinary writers
                give_up, pause = now + BUSY_SECONDS, 0.001
        if now >= give_up:
            if since is not None:
                raise Busy(f"{_running(since)}; try again shortly")
            raise Busy(f"the database is busy: another writer has held it for over "
                       f"{_duration(BUSY_SECONDS)}; try again shortly")
        time.sleep(pause)


def _running(since: datetime) -> str:
    return f"an import is running since {since:%H:%M} UTC"


def _duration(seconds: float) -> str:
    return f"{seconds / 60:.3g} min" if seconds >= 120 else f"{seconds:.3g} s"


# An import marks itself running with an OS lock on a file beside the database
# (``trellis.db-import``), holding the time it began. The OS lets go of the lock however the
# import ends, killed included, so a file left behind never blocks anyone.


def _mark_of(database: str) -> Path:
    return Path(f"{database}-import")


def import_running(database: str) -> datetime | None:
    """When the import now holding the SQLite file ``database`` began, or None."""
    if fcntl is None:  # pragma: no cover - no flock (Windows): writers wait BUSY_SECONDS
        return None
    try:
        fd = os.open(_mark_of(database), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _began(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _began(fd: int) -> datetime:
    try:
        return datetime.fromisoformat(os.pread(fd, 64, 0).decode())
    except ValueError:  # the import is writing its time this very moment
        return datetime.fromtimestamp(os.fstat(fd).st_mtime, UTC)


@contextmanager
def import_mark(engine: Engine) -> Iterator[None]:
    """Mark a SQLite database as being imported into for as long as the block runs; a second
    import waits behind the first as any writer does. Other databases need no mark."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or fcntl is None:
        yield
        return
    fd = os.open(_mark_of(database), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        def hold() -> bool:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        _wait(hold, database)
        os.ftruncate(fd, 0)
        os.pwrite(fd, datetime.now(UTC).isoformat(timespec="seconds").encode(), 0)
        yield
    finally:
        os.close(fd)  # and with it the lock
