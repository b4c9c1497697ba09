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

A message names what a user gives or does in each entry point's own words. It writes each
such thing as ``{name}`` and says how it reads, as a keyword: a string is an input's words
("a reason"), which the command line calls by its option (``--reason``); a ``Term`` gives
both readings (a person by name and by handle, a command to run). ``str()`` is the message
in words, as pages and the API show it; ``on_command_line()`` is the command line's::

    raise InvalidEvent("give {reason}: why the raise is declined", reason="a reason")
    # str():               give a reason: why the raise is declined
    # on_command_line():   give --reason: why the raise is declined

A term with no words (``Term("", "run `trellis init`")``) is a hint only the command line
gives: in words it is left out with the punctuation before it.

Who acts is "you" in words (``you(user.email)``, ``your(...)``): a page and the API answer
the signed-in user; the command line names them as it was told (an email, ``--by``)::

    raise PermissionDenied("{you} may not record a kudos for {person}",
                           you=you(user.email), person=ada.term)
    # str():               you may not record a kudos for Ada Lovelace
    # on_command_line():   hr@x.org may not record a kudos for ada.l
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the domain imports this module, so only for type checking
    from trellis.domain.readiness import Readiness


@dataclass(frozen=True, slots=True)
class Term:
    """Something a message names, as pages say it (``words``) and as the command line does
    (``command``: an option, a handle, a command to run)."""

    words: str
    command: str


def option(name: str, words: str) -> Term:
    """An input: ``words`` on a page, ``--name`` on the command line (``_`` as ``-``)."""
    return Term(words, "--" + name.replace("_", "-"))


def listed(terms: Iterable[Term], joiner: str = ", ") -> Term:
    """Several terms as one, in each reading: a choice list ("Engineering, Design" in
    words, "eng, design" on the command line)."""
    shown = list(terms)
    return Term(joiner.join(t.words for t in shown), joiner.join(t.command for t in shown))


# What was asked for is not there: "there is no promotion case 12" in words (a number typed
# in an address is the user's own), "unknown promotion case 12" on the command line.
UNKNOWN = Term("there is no", "unknown")


def you(label: str) -> Term:
    """Who acts: "you" in words, their ``label`` (an account's email, a handle) on the
    command line."""
    return Term("you", label)


def your(label: str, whose: str = "your") -> Term:
    """Who acts, as an owner: "your" (or ``whose``: "yours") in words, "label's" on the
    command line."""
    return Term(whose, f"{label}'s")


class TrellisError(Exception):
    """Base class: the message is a complete, one-line sentence for the user, naming the
    inputs, people and commands it mentions as ``{name}`` terms (see the module's doc)."""

    def __init__(self, message: str, /, **terms: str | Term) -> None:
        self.template = message
        self.terms: Mapping[str, Term] = {
            name: term if isinstance(term, Term) else option(name, term)
            for name, term in terms.items()}
        super().__init__(self._said(lambda t: t.words))

    def on_command_line(self) -> str:
        """The message as the command line says it: options, handles, commands to run."""
        return self._said(lambda t: t.command)

    def _said(self, reading: Callable[[Term], str]) -> str:
        text = self.template
        for name, term in self.terms.items():
            said = reading(term)
            if said:
                text = text.replace("{" + name + "}", said)
            else:  # a hint only the other entry point gives, with its lead-in
                text = re.sub(r"[:;,]?\s*\{" + re.escape(name) + r"\}", "", text)
        return text


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

    def __init__(self, message: str, readiness: Readiness, **terms: str | Term) -> None:
        super().__init__(message, **terms)
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
