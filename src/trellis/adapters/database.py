"""The engine factory, schema migrations, and the check that a database is Trellis's.

SQLite files run in WAL mode with foreign keys on; PostgreSQL is reached through
psycopg 3 (``postgresql+psycopg://``). Nothing here runs at import time.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.pool import StaticPool

from trellis.errors import DatabaseError, Term

from .sqlite_writers import BUSY_SECONDS, begin_immediate

SCHEMA_MARKER = "trellis"
MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, create_dir: bool = False) -> Engine:
    """Build an engine for a SQLAlchemy URL (``postgresql://`` means psycopg 3)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"not a database URL: {url}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            path = Path(database)
            if create_dir:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.exists():
                raise DatabaseError(f"no database at {path}: {{init}}",
                                    init=Term("", "run `trellis init` first"))
    try:
        # Parameters are personal data (pay, names): never in an error message or a log.
        engine = create_engine(parsed, hide_parameters=True, **kwargs)
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"the driver for {parsed.get_backend_name()} is not installed ({exc.name}); "
            "install trellis-career[postgres]"
        ) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Trellis, not the sqlite3 module, says when a transaction begins (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    """Begin every unit of work that may write holding SQLite's write lock.

    The sqlite3 module would begin a transaction only at the first write, after the
    history it validates against was read outside it; and a deferred transaction cannot
    take the write lock once another writer has committed. Taking the lock up front makes
    a write replay the history as it really stands. WAL readers outside Trellis's units of
    work are not blocked; SQLite serves an individual or a team, PostgreSQL an organization.
    A unit of work that only reads (``SqlUnitOfWork.reading``) reads a snapshot instead.
    """
    raw = connection.connection.dbapi_connection
    options = connection.get_execution_options()
    if options.get("trellis_reading", False):
        raw.execute("BEGIN")
    else:  # an import does not wait behind its own mark
        begin_immediate(raw, None if options.get("trellis_importing", False)
                        else connection.engine.url.database)


def describe(engine: Engine) -> str:
    """A URL fit to show a user: the password hidden."""
    return engine.url.render_as_string(hide_password=True)


HEAD = "0016"
"""The newest migration (tests check it is Alembic's head): a database at another revision
is upgraded on opening, so that Alembic is imported only when there is work for it."""
MIGRATION_LOCK = 0x74726C73  # "trls": the first half of PostgreSQL's advisory lock key for upgrades


def lock_upgrades(connection: Any) -> None:
    """On PostgreSQL, hold until the transaction ends the lock that lets one process at a
    time upgrade this schema (SQLite: a writing transaction already holds the one lock).

    The key's second half is the schema's name: advisory locks are database-wide, and
    Trellis instances in other schemas of the same database (tests, benches, tenants) have
    nothing to wait for."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK}, hashtext(current_schema()))")


def revision(engine: Engine) -> str | None:
    """The schema revision a database is stamped with (None before the first migration)."""
    with engine.connect().execution_options(trellis_reading=True) as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return str(found) if found is not None else None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (creating it on an empty database).

    A database a newer Trellis upgraded is refused: its schema is not one this code knows.
    Concurrent starts are safe: PostgreSQL serializes them with an advisory lock, SQLite
    with its write lock, and the second finds nothing left to do.
    """
    from alembic import command
    from alembic.config import Config

    found = revision(engine)
    if found is not None and found > HEAD:
        raise DatabaseError(f"{describe(engine)} was upgraded by a newer Trellis (schema "
                            f"{found}; this one knows up to {HEAD}): upgrade Trellis")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.connect() as connection, _foreign_keys_deferred(connection), \
                connection.begin():
            lock_upgrades(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            _check_foreign_keys(connection)
    except OperationalError as exc:
        raise DatabaseError(f"cannot open {describe(engine)}: {_first_line(exc)}") from None
    except SADatabaseError as exc:
        raise DatabaseError(
            f"{describe(engine)} is not a Trellis database: {_first_line(exc)}"
        ) from None


@contextmanager
def _foreign_keys_deferred(connection: Any) -> Iterator[None]:
    """On SQLite, switch foreign keys off while migrating (outside the transaction, where
    the pragma takes effect): a batch migration rebuilds a table by copying it, and dropping
    the original would otherwise cascade to, or be refused by, the rows that point at it.
    ``_check_foreign_keys`` then checks every reference before the commit."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _check_foreign_keys(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            table, row, parent = broken[0][:3]
            raise DatabaseError(f"the upgrade would leave {len(broken)} broken reference(s), "
                                f"first {table} row {row} -> {parent}: nothing was changed")


def ensure_trellis(engine: Engine, *, allow_empty: bool = False) -> None:
    """Refuse, in one line, a database that Trellis did not create.

    With ``allow_empty`` (for ``init``), an empty database passes too, but one that already
    holds another application's tables never does: Trellis does not move in with them.
    """
    try:
        names = set(inspect(engine).get_table_names())
    except OperationalError as exc:
        raise DatabaseError(f"cannot open {describe(engine)}: {_first_line(exc)}") from None
    except SADatabaseError as exc:
        raise DatabaseError(
            f"{describe(engine)} is not a Trellis database: {_first_line(exc)}"
        ) from None
    if allow_empty and not names:
        return
    if "trellis_meta" not in names or "events" not in names:
        if allow_empty:
            others = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
            raise DatabaseError(
                f"{describe(engine)} is not a Trellis database: it already holds other "
                f"tables ({others}); use an empty database"
            )
        raise DatabaseError(
            f"{describe(engine)} is not a Trellis database{{init}}",
            init=Term("", " (run `trellis init` to create one)"))


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def reset(engine: Engine) -> None:
    """Drop every Trellis table (for ``demo --replace`` on a server database), then migrate."""
    from sqlalchemy import text

    from .tables import metadata

    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(engine)


@contextmanager
def temporary_schema(base_url: str, prefix: str = "trellis_tmp") -> Iterator[str]:
    """A PostgreSQL URL whose connections work in a fresh schema, dropped afterwards.

    Tests and benchmarks share one server this way without colliding.
    """
    from sqlalchemy import text

    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
