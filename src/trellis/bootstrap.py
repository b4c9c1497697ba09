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
    """Open an existing Trellis database, or create (and migrate) one with ``create``."""
    engine = database.make_engine(settings.database_url, create_dir=create)
    database.ensure_trellis(engine, allow_empty=create)
    if create:
        database.migrate(engine)
    return Trellis(engine, settings)


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
