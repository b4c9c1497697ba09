"""Every error Trellis raises on purpose, in one hierarchy.

    TrellisError                  anything a user can fix; entry points print it as one line
    ├── FrameworkInvalid          a framework file breaks the format; carries every Problem
    ├── NotFound                  an unknown person, role, competency, event or framework
    ├── LedgerRuleBroken          an event that the ledger's rules refuse (before hire, ...)
    ├── InvalidEvent              an event whose fields are missing or of the wrong type
    ├── ImportRejected            a file with bad rows; carries every bad row, nothing written
    ├── DatabaseError             no database, or a file that is not a Trellis database
    ├── Conflict                  a duplicate handle, email or event id
    ├── Busy                      the database held by another writer (an import, most often)
    │                             for longer than this writer waits: try again shortly
    ├── PlanRejected              a plan target, capacity or horizon that cannot be planned
    ├── NotApplicable             a question that does not fit the person (readiness for a
    │                             level below theirs, for someone who has left, ...)
    ├── PromotionRefused          a promotion a readiness gate stops; carries the Readiness
    ├── NotAuthenticated          no valid session, token or password (one message for all)
    ├── TooManyAttempts           a client that failed to sign in too often: wait and retry
    └── PermissionDenied          a signed-in user asking for what their role does not allow
        └── PasswordChangeRequired  a session whose password an HR admin gave: it must
                                  choose its own before anything else

Anything else escaping to an entry point is a bug, and is shown as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the domain imports this module, so only for type checking
    from trellis.domain.readiness import Readiness


class TrellisError(Exception):
    """Base class: the message is a complete, one-line sentence for the user."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located by a dotted path and, when known, a line."""

    path: str
    message: str
    line: int | None = None
    source: str | None = None

    def __str__(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        location = f"{where}: " if where else ""
        path = f"{self.path}: " if self.path else ""
        return f"{location}{path}{self.message}"


class ProblemsError(TrellisError):
    """An error made of several located problems; str() gives a one-line summary."""

    what = "input"

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        first = self.problems[0] if self.problems else None
        more = len(self.problems) - 1
        summary = f"{first}" + (f" (and {more} more)" if more > 0 else "")
        super().__init__(f"invalid {self.what}: {summary}")


class FrameworkInvalid(ProblemsError):
    what = "framework"


class ImportRejected(ProblemsError):
    what = "import, nothing written"


class NotFound(TrellisError):
    pass


class LedgerRuleBroken(TrellisError):
    pass


class InvalidEvent(TrellisError):
    pass


class DatabaseError(TrellisError):
    pass


class Conflict(TrellisError):
    pass


class Busy(TrellisError):
    """Nothing was written: another writer held the database too long. ``retry_after`` is
    how many seconds a caller might wait before trying again."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotApplicable(TrellisError):
    pass


class PromotionRefused(TrellisError):
    """A gate failed and no override was given: nothing was written.

    ``readiness`` holds the gates and the gap list for the entry point to show.
    """

    def __init__(self, message: str, readiness: Readiness) -> None:
        super().__init__(message)
        self.readiness = readiness


class NotAuthenticated(TrellisError):
    """Wrong email, wrong password, locked account or expired session: deliberately alike."""


class TooManyAttempts(TrellisError):
    """Too many failed logins from one client: ``retry_after`` seconds until it may retry."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermissionDenied(TrellisError):
    pass


class PasswordChangeRequired(PermissionDenied):
    pass


class PlanRejected(TrellisError):
    pass
