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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from trellis.errors import TrellisError

ENV_PREFIX = "TRELLIS_"
Environment = Literal["development", "production"]
ENVIRONMENTS = ("development", "production")


def default_database_path() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "trellis" / "trellis.db"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return "unknown"


def from_environment(name: str) -> str | None:
    """The environment variable of setting ``name`` (``TRELLIS_`` + its name, in any case)."""
    variable = f"{ENV_PREFIX}{name}".upper()
    return next((value for key, value in os.environ.items() if key.upper() == variable),
                None)


def _database_url() -> str:
    found = from_environment("database_url")
    return f"sqlite:///{default_database_path()}" if found is None else found


def _author() -> str:
    found = from_environment("author")
    return _login_name() if found is None else found


def _environment() -> Environment:
    found = from_environment("environment")  # checked, as a given one, by __post_init__
    return cast(Environment, "development" if found is None else found)


def _secret_key() -> str | None:
    return from_environment("secret_key")


TRUE = ("1", "on", "t", "true", "y", "yes")
FALSE = ("0", "off", "f", "false", "n", "no")


def _api_docs() -> bool | None:
    found = from_environment("api_docs")
    if found is None:
        return None
    if found.lower() not in TRUE + FALSE:
        raise TrellisError(f"{ENV_PREFIX}API_DOCS must be true or false, not '{found}'")
    return found.lower() in TRUE


@dataclass(frozen=True)
class Settings:
    """Each field given to ``Settings(...)`` wins; any other is read from its environment
    variable (``TRELLIS_`` + its name, in any case), else its default. A dataclass: pydantic
    (with the option adapters of ``cli.plain_values``) was a fifth of ``trellis log``'s
    start."""

    database_url: str = field(default_factory=_database_url)
    author: str = field(default_factory=_author)
    environment: Environment = field(default_factory=_environment)
    secret_key: str | None = field(default_factory=_secret_key, repr=False)  # never shown
    api_docs: bool | None = field(default_factory=_api_docs)

    def __post_init__(self) -> None:
        if self.environment not in ENVIRONMENTS:
            raise TrellisError(f"{ENV_PREFIX}ENVIRONMENT must be development or production, "
                               f"not '{self.environment}'")

    def serves_api_docs(self) -> bool:
        """/docs and /openapi.json: on unless production, where TRELLIS_API_DOCS=true."""
        return self.api_docs if self.api_docs is not None else \
            self.environment == "development"

    def web_secret(self) -> str:
        """The secret the web service signs with; refuses a missing or default one.

        Only ``environment=development`` may run without one: a random one is made (and
        ``trellis serve`` makes one for all its workers, and says so).
        """
        value = self.secret_key or ""
        if not value and self.environment == "development":
            import secrets

            return secrets.token_urlsafe(48)
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

