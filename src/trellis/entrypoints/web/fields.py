"""The web's input types: text without control characters, and dates inside the ledger's
range (domain.limits), checked before a request reaches a use case; and Instant, the
output type of a moment (stored as naive UTC, shown RFC 3339 with its offset).

PostgreSQL refuses a NUL that SQLite would store, and a date centuries away sends the
analytics through every quarter in between: both are refused here with a 422. The text
rules are declared in the OpenAPI document (``pattern``, ``maxLength``) so that clients
see them; a date's range is in its description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Path, Query
from pydantic import AfterValidator, BeforeValidator

from trellis.domain.days import day_words
from trellis.domain.limits import AS_OF_YEARS_AHEAD, DATE_MAX, DATE_MIN, EMAIL_MAX, NAME_MAX
from trellis.errors import InvalidEvent
from trellis.services import clock

LINE = r"^[^\x00-\x1f\x7f]*$"  # one line: no control characters at all
TEXT = r"^[^\x00]*$"  # several lines (newlines, tabs): never a NUL
# A list's filter (a search, a choice, a page number), in a query or a form that keeps it.
Short = Annotated[str, Query(max_length=NAME_MAX, pattern=LINE)]
FormShort = Annotated[str, Form(max_length=NAME_MAX, pattern=LINE)]


def list_link(path: str, values: Mapping[str, str], defaults: Mapping[str, str],
              anchor: str = "", **changes: str) -> str:
    """A list's address with its filters (``values``, changed by ``changes``), leaving out
    the empty ones and those at their default."""
    kept = {k: v for k, v in {**values, **changes}.items() if v and v != defaults.get(k)}
    return path + (f"?{urlencode(kept)}" if kept else "") + anchor


def page_number(name: str, value: str) -> int:
    """A list's page number as given (empty: the first), or InvalidEvent naming it."""
    try:
        return int(value or "1")
    except ValueError:
        raise InvalidEvent(f"{name}: '{value}' is not a page number") from None

RANGE = f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}"
AS_OF = f"as it stood on this date: from {DATE_MIN.isoformat()} to {AS_OF_YEARS_AHEAD} years ahead"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD (pydantic would also read a number as a Unix time)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


def _in_ledger(value: date) -> date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(f"{day_words(value)} is outside the ledger's dates, "
                         f"{day_words(DATE_MIN)} to {day_words(DATE_MAX)}")
    return value


def latest_as_of() -> date:
    return clock.today() + timedelta(days=round(365.25 * AS_OF_YEARS_AHEAD))


def _as_of(value: date) -> date:
    if value > latest_as_of():
        raise ValueError(f"{day_words(value)} is more than {AS_OF_YEARS_AHEAD} years ahead: "
                         "the ledger has nothing to say about it yet")
    return value


# A date in the ledger (an event's, a hire's, the start of an analysis).
Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(_in_ledger)]
# "As it stood on": a profile's, layers' or the evidence's date, at most a few years ahead.
AsOf = Annotated[Day, AfterValidator(_as_of)]

# The same as optional query parameters, their range in the OpenAPI document.
DayQuery = Annotated[Day | None, Query(description=RANGE)]
AsOfQuery = Annotated[AsOf | None, Query(description=AS_OF)]


def utc(value: datetime) -> datetime:
    """A stored moment (naive UTC) with its offset, as RFC 3339 wants it."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Instant = Annotated[datetime, AfterValidator(utc)]

# A person named in a path: their handle (an email or id only for their private circle).
ROW_ID_MAX = 2**31 - 1  # a row id both engines store: PostgreSQL's integer
SessionId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="a calibration session's id")]
ProposalId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="a raise proposal's id")]
Ref = Annotated[str, Path(min_length=1, max_length=EMAIL_MAX, pattern=LINE,
                          description="a person's handle (their private circle may also "
                          "use their email or id)")]
