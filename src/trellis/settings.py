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
| api_docs       | TRELLIS_API_DOCS       | on in development, off in production: the API's    |
|                |                        | interactive docs (/docs) and /openapi.json         |
"""

from __future__ import annotations

import getpass
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

ENV_PREFIX = "TRELLIS_"


def default_database_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "trellis" / "trellis.db"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "unknown"


class Settings(BaseModel):
    """Each field given to ``Settings(...)`` wins; any other is read from its environment
    variable (``TRELLIS_`` + its name, in any case), else its default. The reading is
    pydantic-settings' rule for these plain fields, done here: importing pydantic-settings
    cost every command about 0.2 s of its start."""

    model_config = ConfigDict(extra="ignore")

    database_url: str = Field(default_factory=lambda: f"sqlite:///{default_database_path()}")
    author: str = Field(default_factory=_login_name)
    environment: Literal["development", "production"] = "development"
    secret_key: SecretStr | None = None
    api_docs: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        environment = {name.upper(): value for name, value in os.environ.items()}
        found = {field: environment[variable] for field in cls.model_fields
                 if (variable := f"{ENV_PREFIX}{field.upper()}") in environment}
        return {**found, **given}

    def serves_api_docs(self) -> bool:
        """/docs and /openapi.json: on unless production, where TRELLIS_API_DOCS=true."""
        return self.api_docs if self.api_docs is not None else \
            self.environment == "development"

    def web_secret(self) -> str:
        """The secret the web service signs with; refuses a missing or default one.

        Only ``environment=development`` may run without one: a random one is made (and
        ``trellis serve`` makes one for all its workers, and says so).
        """
        value = self.secret_key.get_secret_value() if self.secret_key else ""
        if not value and self.environment == "development":
            import secrets

            return secrets.token_urlsafe(48)
        from trellis.errors import TrellisError

        if len(value) < MIN_SECRET or value in DEFAULT_SECRETS:
            raise TrellisError(
                "TRELLIS_SECRET_KEY must be set to a random secret of at least "
                f"{MIN_SECRET} characters (or set TRELLIS_ENVIRONMENT=development)"
            )
        if (bits := secret_bits(value)) < MIN_SECRET_BITS:
            raise TrellisError(
                f"TRELLIS_SECRET_KEY is too predictable (about {bits:.0f} bits, from how "
                f"often its characters repeat; {MIN_SECRET_BITS} needed): make one with "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value


MIN_SECRET = 32
MIN_SECRET_BITS = 90  # 32 random hex digits estimate 100-120; 48 url-safe ones about 330
DEFAULT_SECRETS = frozenset({"changethis", "secret", "change-me", "changeme"})


def secret_bits(value: str) -> float:
    """An estimate of a secret's entropy: the Shannon entropy of its characters' frequencies
    times its length, counting a repeated stretch once ('a' * 32: 0 bits, 'password' * 5:
    as much as 'password', about 22). A random secret scores near its real strength."""
    unit = next((value[:p] for p in range(1, len(value) // 2 + 1)
                 if value[p:] == value[:-p]), value)
    counts = Counter(unit).values()
    return -sum(n * math.log2(n / len(unit)) for n in counts)


def database_url(path_or_url: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (which means a SQLite file)."""
    if "://" in path_or_url:
        return path_or_url
    return f"sqlite:///{Path(path_or_url).expanduser().resolve()}"
