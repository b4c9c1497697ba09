"""Settings, declared once as data. Built by ``Settings()`` when needed, never at import.

| setting        | environment variable   | default                                          |
|----------------|------------------------|--------------------------------------------------|
| database_url   | TRELLIS_DATABASE_URL   | sqlite:///$XDG_DATA_HOME/trellis/trellis.db       |
|                |                        | (XDG_DATA_HOME defaults to ~/.local/share)       |
| author         | TRELLIS_AUTHOR         | the login name of the user running the command    |
| environment    | TRELLIS_ENVIRONMENT    | development (or production: secure cookies, and   |
|                |                        | a secret key required)                           |
| secret_key     | TRELLIS_SECRET_KEY     | none: required by the web service outside          |
|                |                        | development                                      |
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
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
    environment: Literal["development", "production"] = "development"
    secret_key: SecretStr | None = None

    def web_secret(self) -> str:
        """The secret the web service signs with; refuses a missing or default one.

        Only ``environment=development`` may run without one: a random one is made (and
        ``trellis serve`` makes one for all its workers, and says so).
        """
        value = self.secret_key.get_secret_value() if self.secret_key else ""
        if not value and self.environment == "development":
            import secrets

            return secrets.token_urlsafe(48)
        if len(value) < MIN_SECRET or value in DEFAULT_SECRETS:
            from trellis.errors import TrellisError

            raise TrellisError(
                "TRELLIS_SECRET_KEY must be set to a random secret of at least "
                f"{MIN_SECRET} characters (or set TRELLIS_ENVIRONMENT=development)"
            )
        return value


MIN_SECRET = 32
DEFAULT_SECRETS = frozenset({"changethis", "secret", "change-me", "changeme"})


def database_url(path_or_url: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (which means a SQLite file)."""
    if "://" in path_or_url:
        return path_or_url
    return f"sqlite:///{Path(path_or_url).expanduser().resolve()}"
