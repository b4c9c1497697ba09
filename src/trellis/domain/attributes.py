"""Person attributes: optional HR-only fields (gender, location, age band, ...) that exist for
one purpose, the fairness audit.

HR chooses the names; each value is a short label, and an attribute holds at most
``VALUES_MAX`` distinct values, because the audit compares *groups*: a free-text field (a
name, a date of birth) would make every person a group of one. No score reads attributes:
readiness, plans, the evidence models and the simulator never see them (a test checks that
only the fairness audit and the attribute store reach their repository).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from trellis.errors import InvalidEvent

from .events import shown
from .limits import check_text

NAME_LENGTH = 40
VALUE_LENGTH = 80
VALUES_MAX = 50  # distinct values of one attribute: more is not a grouping
NAMES_MAX = 20  # distinct attribute names in an organization
NAME = re.compile(rf"[a-z][a-z0-9_]{{0,{NAME_LENGTH - 1}}}")


@dataclass(frozen=True, slots=True)
class PersonAttribute:
    """One attribute of one person, and who set it when (attributes are overwritten in
    place, unlike events: the audit needs today's value, and erasure removes them)."""

    person_id: int
    name: str
    value: str
    set_by: str
    set_at: datetime


def check_name(name: str) -> str:
    """An attribute's name: lower-case letters, digits and '_', starting with a letter."""
    text = name.strip().lower()
    if not NAME.fullmatch(text):
        raise InvalidEvent(f"invalid attribute name {shown(name)}: use lower-case letters, "
                           f"digits and '_', starting with a letter, at most {NAME_LENGTH} "
                           "characters (e.g. gender, location, age_band)")
    return text


def check_value(value: str, name: str) -> str:
    """An attribute's value: a non-empty one-line label, stripped."""
    text = check_text(value.strip(), f"attribute {name}", VALUE_LENGTH)
    if not text:
        raise InvalidEvent(f"attribute {name} needs a value (unset it to remove it)")
    return text


def check_bounds(values: Mapping[str, Iterable[str]]) -> None:
    """Refuse an organization's attributes past the bounds: ``values`` holds, per name, every
    value that would be stored (duplicates allowed)."""
    if len(values) > NAMES_MAX:
        raise InvalidEvent(f"at most {NAMES_MAX} attribute names are allowed "
                           f"(this would make {len(values)})")
    for name, found in sorted(values.items()):
        distinct = set(found)
        if len(distinct) > VALUES_MAX:
            raise InvalidEvent(f"attribute {name} would have {len(distinct)} distinct values: "
                               f"at most {VALUES_MAX} are allowed (an attribute is a grouping, "
                               "not free text)")
