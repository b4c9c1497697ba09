"""The composition root: settings in, a wired ``Trellis`` out. Nothing here runs at import.

Entry points (CLI, web) build one ``Trellis`` and hand its ``uow`` factory to use cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from trellis.adapters import database
from trellis.adapters.store import ParsedFrameworks, SqlUnitOfWork
from trellis.services import projections
from trellis.settings import Settings


@dataclass
class Trellis:
    engine: Engine
    settings: Settings = field(default_factory=Settings)
    parsed_frameworks: ParsedFrameworks = field(default_factory=dict)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.parsed_frameworks)

    @property
    def where(self) -> str:
        return database.describe(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def open_trellis(settings: Settings, *, create: bool = False) -> Trellis:
    """Open a Trellis database (or create one with ``create``), upgrading it first when an
    earlier Trellis made it: the schema to the newest migration, then the projections."""
    engine = database.make_engine(settings.database_url, create_dir=create)
    database.ensure_trellis(engine, allow_empty=create)
    if create or database.revision(engine) != database.HEAD:
        database.migrate(engine)
    trellis = Trellis(engine, settings)
    projections.rebuild_if_stale(trellis.uow())
    return trellis


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
