"""The composition root: settings in, a wired ``Trellis`` out. Nothing here runs at import.

Entry points (CLI, web) build one ``Trellis`` and hand its ``uow`` factory to use cases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from trellis.adapters import database
from trellis.adapters.store import ParsedFrameworks, SqlUnitOfWork
from trellis.services import projections
from trellis.settings import Settings


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What opening a database made by an earlier Trellis did to it."""

    from_revision: str | None
    to_revision: str
    rebuilt: projections.Rebuilt | None

    def describe(self) -> str:
        said = [f"upgraded the database schema from {self.from_revision} to "
                f"{self.to_revision}"] if self.from_revision != self.to_revision else []
        if self.rebuilt is not None and self.rebuilt.profiles:
            said.append(f"rebuilt {self.rebuilt.profiles} stored profile(s) from the ledger")
        if self.rebuilt is not None and self.rebuilt.refused:
            ids = ", ".join(f"#{i}" for i in sorted(self.rebuilt.refused)[:5])
            said.append(f"today's rules refuse the history of {len(self.rebuilt.refused)} "
                        f"person(s) ({ids}): their profiles say why when read")
        return "; ".join(said)


@dataclass
class Trellis:
    engine: Engine
    settings: Settings = field(default_factory=Settings)
    parsed_frameworks: ParsedFrameworks = field(default_factory=dict)
    upgrade: Upgrade | None = None  # set when opening it upgraded an earlier database
    # Told when a stale organization model was served (the web service's background
    # refresh, services.org_models); None: stale expensive models wait for `trellis refresh`.
    on_stale: Callable[[], None] | None = None

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.parsed_frameworks, self.on_stale)

    def refresh_uow(self) -> SqlUnitOfWork:
        """A unit of work for the background refresh itself (it tells nobody)."""
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
    found = database.revision(engine)
    if create or found != database.HEAD:
        database.migrate(engine)
    trellis = Trellis(engine, settings)
    rebuilt = projections.rebuild_if_stale(trellis.uow())
    if found is not None and (found != database.HEAD or rebuilt is not None):
        trellis.upgrade = Upgrade(found, database.HEAD, rebuilt)
    return trellis


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
