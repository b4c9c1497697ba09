"""What every command shares: the settings chosen by global options, and parsing helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import typer

from trellis.bootstrap import Trellis, open_trellis
from trellis.domain.limits import check_date
from trellis.errors import TrellisError
from trellis.settings import Settings


@dataclass
class CliState:
    settings: Settings = field(default_factory=Settings)
    _trellis: Trellis | None = None

    def open(self, *, create: bool = False) -> Trellis:
        if self._trellis is None or create:
            self.close()
            self._trellis = open_trellis(self.settings, create=create)
            if self._trellis.upgrade is not None:
                from .output import errors  # said on stderr: JSON on stdout stays JSON

                errors.print(f"note: {self._trellis.upgrade.describe()}", markup=False,
                             highlight=False, soft_wrap=True)  # one line, however long
        return self._trellis

    def close(self) -> None:
        if self._trellis is not None:
            self._trellis.close()
            self._trellis = None


def state(ctx: typer.Context) -> CliState:
    found = ctx.find_object(CliState)
    if found is None:  # pragma: no cover - the root callback always sets it
        found = ctx.ensure_object(CliState)
    return found


def parse_date(text: str | None, what: str = "date") -> date | None:
    """A YYYY-MM-DD option, inside the ledger's range (domain.limits.DATE_MIN..DATE_MAX)."""
    if text is None:
        return None
    try:
        parsed = date.fromisoformat(text.strip())
    except ValueError:
        raise TrellisError(f"malformed {what} '{text}': use YYYY-MM-DD") from None
    return check_date(parsed, what)
