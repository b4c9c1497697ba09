"""The limits every input is held to, whatever the entry point and whatever the engine.

One rule set, checked before anything reaches a database: SQLite would store what
PostgreSQL refuses (a NUL character, text longer than its column, an integer past 64
bits), so both engines must only ever see values inside these bounds. docs/ledger.md and
docs/frameworks.md list them for users.
"""

from __future__ import annotations

import math
import re
from datetime import date

from trellis.errors import InvalidEvent, Term

from .days import day_term, day_words

# --- text

HANDLE_MAX = 80  # people.handle
NAME_MAX = 200  # people.name, events.author, events.verifier
EMAIL_MAX = 254  # people.email, users.email (RFC 5321's path limit)
LABEL_MAX = 500  # a one-line field of an event: role, competency, project, citation, ...
LONG_TEXT_MAX = 100_000  # evidence, notes, descriptions, reasons: characters
CSV_FIELD_MAX = 4 * LONG_TEXT_MAX + 1_024  # the CSV reader's limit: above any field we write
SHOWN_MAX = 60  # characters of a user's value an error message quotes before cutting it short
CURRENCY_LENGTH = 3  # an ISO 4217 code: person_state.currency is a VARCHAR(3)

# NUL is refused by PostgreSQL's text type; lone surrogates cannot be encoded as UTF-8.
_NEVER = re.compile(r"[\x00\ud800-\udfff]")
# A one-line field holds no control characters at all (they break lines and messages).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")

# --- numbers

INT64_MAX = 2**63 - 1
EVENT_ID_MAX = INT64_MAX  # events.id is a BIGINT
PERSON_ID_MAX = 2**31 - 1  # people.id is an INTEGER
TOKEN_ID_MAX = 2**31 - 1  # api_tokens.id is an INTEGER
MONEY_MAX = 10**12  # pay, amounts: above any salary in any currency's units
POINTS_MAX = 1_000_000  # recognition points
TEAM_SIZE_MAX = 1_000_000
MASTERY_MAX = 100  # a framework's scale goes to 10 at most; events are checked against it

# --- framework files: the O*NET framework (1.8 MiB, ~100,000 nodes today) fits many times

FRAMEWORK_FILE_MAX = 32 * 2**20  # bytes of UTF-8 (for text: its UTF-8 encoding)
FRAMEWORK_NODES_MAX = 1_000_000  # keys, values and list items, as the file writes them
FRAMEWORK_ALIAS_NODES_MAX = 100_000  # nodes that aliases (*name) repeat, in all
FRAMEWORK_DEPTH_MAX = 32  # mappings and lists inside one another (the format needs 7)
FRAMEWORK_SCALAR_MAX = LONG_TEXT_MAX  # characters of any one key or value
FRAMEWORK_NUMBER_MAX = 32  # characters of a number as written (10**12 takes 13)
SCALE_MAX = 10  # the highest a mastery scale may go
MONTHS_MAX = 600  # a working life: time-in-level gates, freshness, move weights
RULE_POINTS_MAX = 1_000_000  # a points rule's points and thresholds
RULE_WEIGHT_MAX = 100  # a points rule's weight multiplies a competency's points
PAY_STEP_PERCENT_MAX = 50  # a band upgrade's raise
LANES_MAX = 20  # competencies worked on at once

# --- dates: the ledger covers working lives, not geology

DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
AS_OF_YEARS_AHEAD = 5  # "as it stood on" dates on the web: at most this far past today


def check_text(value: str, field: str, max_length: int = LABEL_MAX, *,
               multiline: bool = False) -> str:
    """Return ``value`` when it fits a text field; raise InvalidEvent naming the field."""
    if len(value) > max_length:
        raise InvalidEvent(f"{field} is {len(value):,} characters long: at most "
                           f"{max_length:,} are allowed")
    bad = (_NEVER if multiline else _CONTROL).search(value)
    if bad is not None:
        raise InvalidEvent(f"{field} contains the control character "
                           f"U+{ord(bad.group()):04X}, which is not allowed")
    return value


def check_int(value: int, field: str, low: int, high: int) -> int:
    """Return ``value`` when ``low <= value <= high``; raise InvalidEvent naming the field."""
    if not low <= value <= high:
        raise InvalidEvent(f"{field} must be between {low:,} and {high:,}, got "
                           f"{_short(value)}")
    return value


def check_number(value: float, field: str, low: float, high: float) -> float:
    """A finite number in ``[low, high]`` (NaN and infinity are never a quantity)."""
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidEvent(f"{field} must be a number between {low:g} and {high:g}, got "
                           f"{_short(value)}")
    return value


def check_date(value: date, field: str) -> date:
    """``value`` when the ledger covers it; the refusal gives days as pages write them in
    words, as ISO on the command line (``domain.days``)."""
    if not DATE_MIN <= value <= DATE_MAX:
        raise InvalidEvent(f"{field} {{on}} is outside {{range}}", on=day_term(value),
                           range=Term(f"{day_words(DATE_MIN)} to {day_words(DATE_MAX)}",
                                      f"{DATE_MIN.isoformat()}..{DATE_MAX.isoformat()}"))
    return value


def _short(value: float) -> str:
    """A number as a user typed it, cut short when it is absurdly long (5,000 digits)."""
    if isinstance(value, int) and abs(value) >= 10**30:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    return str(value)
