"""Settings, declared once as data. Built by ``Settings()`` when needed, never at import.

| setting        | environment variable   | default                                          |
|----------------|------------------------|--------------------------------------------------|
| database_url   | TRELLIS_DATABASE_URL   | sqlite:///$XDG_DATA_HOME/trellis/trellis.db       |
|                |                        | (XDG_DATA_HOME defaults to ~/.local/share)       |
| author         | TRELLIS_AUTHOR         | the login name of the user running the command    |
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "trellis" / "trellis.db"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "unknown"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRELLIS_", extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{default_database_path()}")
    author: str = Field(default_factory=_login_name)


def database_url(path_or_url: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (which means a SQLite file)."""
    if "://" in path_or_url:
        return path_or_url
    return f"sqlite:///{Path(path_or_url).expanduser().resolve()}"
