"""Prepared databases, built once per test process and copied for each test.

Migrating a new database takes about half a second on SQLite and a second or more on
PostgreSQL, and most tests want the same starting point (the schema at head, the tiny
framework loaded). So each pytest process (each xdist worker) builds that starting point
once, with the real migrations, and every test gets a copy of its own: a file copy on
SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL. Tests still never share a database.

Names carry the xdist worker id and the process id, so workers and other runs against the
same server never collide. A prepared database is built on the real clock, whichever test
first asks for it and whatever that test has fixed the clock to: a test that needs its
framework loaded at a date of its own calls ``make_trellis`` itself.
"""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from trellis.services import clock

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1... under pytest-xdist
REAL_CLOCK = {"now": clock.now, "today": clock.today}  # before any test fixes them


def build_on_the_real_clock(build: Callable[[str], None], url: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        for name, real in REAL_CLOCK.items():
            patch.setattr(clock, name, real)
        build(url)


class Failures:
    """The builds that failed, by key: a later test asking for one fails at once with the
    first failure's cause, instead of on the half-built database (or a second build over
    it) with an error of its own."""

    def __init__(self) -> None:
        self.causes: dict[str, str] = {}

    def check(self, key: str) -> None:
        if key in self.causes:
            pytest.fail(f"the prepared database {key!r} could not be built: "
                        f"{self.causes[key]}", pytrace=False)

    @contextmanager
    def building(self, key: str, undo: Callable[[], None]) -> Iterator[None]:
        try:
            yield
        except BaseException as exc:
            self.causes[key] = f"{type(exc).__name__}: {exc}".splitlines()[0]
            undo()
            raise


def unique_name(prefix: str) -> str:
    """A PostgreSQL identifier no other worker, run or test uses (at most 63 bytes)."""
    return f"{prefix}_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:8]}"[:63]


class SqliteTemplates:
    """One prepared SQLite file per key, copied on demand."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.built: dict[str, Path] = {}
        self.failures = Failures()

    def copy_to(self, key: str, build: Callable[[str], None], target: Path) -> str:
        """Copy the prepared database ``key`` (made by ``build(url)`` the first time) to
        ``target``; returns target's URL."""
        self.failures.check(key)
        if key not in self.built:
            path = self.folder / f"{key}.db"
            with self.failures.building(key, partial(path.unlink, missing_ok=True)):
                build_on_the_real_clock(build, f"sqlite:///{path}")
            self.built[key] = path
        # The backup API copies a consistent image, whatever is still in the WAL.
        with closing(sqlite3.connect(self.built[key])) as source, \
                closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        return f"sqlite:///{target}"


class PostgresTemplates:
    """One prepared PostgreSQL database per key; each test gets a database made from it.

    Dropping a database waits for a checkpoint, so a thread drops the used ones while the
    next tests run; ``close`` waits for it and drops the templates.
    """

    def __init__(self, base_url: str) -> None:
        self.base = make_url(base_url)
        self.admin: Engine = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.built: dict[str, str] = {}
        self.failures = Failures()
        self.used: queue.Queue[str | None] = queue.Queue()
        self.dropper = threading.Thread(target=self._drop_used, daemon=True)
        self.dropper.start()

    def url_of(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def _execute(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(sql))

    @contextmanager
    def copy(self, key: str, build: Callable[[str], None]) -> Iterator[str]:
        """A new database copied from the prepared one ``key`` (made by ``build(url)`` the
        first time, which must close every connection it opened), dropped afterwards."""
        self.failures.check(key)
        if key not in self.built:
            template = unique_name(f"trellis_tmpl_{key}")
            self._execute(f'CREATE DATABASE "{template}"')
            drop = f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'
            with self.failures.building(key, partial(self._execute, drop)):
                build_on_the_real_clock(build, self.url_of(template))
            self.built[key] = template
        name = unique_name("trellis_test")
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.built[key]}"')
        try:
            yield self.url_of(name)
        finally:
            self.used.put(name)

    def _drop_used(self) -> None:
        while (name := self.used.get()) is not None:
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.used.put(None)
        self.dropper.join()
        for template in self.built.values():
            self._execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        self.admin.dispose()
