"""The career ledger's events: what can happen in a career, and the fields each kind carries.

An event is a dated fact. The ledger only ever appends them; a correction is a
``retraction`` event naming the one it cancels. Each kind's fields are a small frozen
dataclass (its *details*); ``details_from_mapping`` builds one from plain data (a CLI
flag, a CSV row, a JSON line) and says exactly what is wrong when it cannot.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, get_type_hints

from trellis.errors import InvalidEvent, Term

from .framework import ReviewForm
from .limits import (
    CURRENCY_LENGTH,
    EVENT_ID_MAX,
    INT64_MAX,
    LABEL_MAX,
    LONG_TEXT_MAX,
    MASTERY_MAX,
    MONEY_MAX,
    NAME_MAX,
    POINTS_MAX,
    SHOWN_MAX,
    TEAM_SIZE_MAX,
    check_int,
    check_text,
)


class EventKind(StrEnum):
    HIRE = "hire"
    PROMOTION = "promotion"
    LATERAL_MOVE = "lateral_move"
    SKILL_STEP = "skill_step"
    CERTIFICATION = "certification"
    PROJECT_LEADERSHIP = "project_leadership"
    RESPONSIBILITY = "responsibility"
    RECOGNITION = "recognition"
    COMPENSATION = "compensation"
    CHECK_IN = "check_in"
    DEPARTURE = "departure"
    RETRACTION = "retraction"
    VERIFICATION = "verification"
    DEMONSTRATED = "demonstrated"
    ASSESSED = "assessed"
    REVIEW = "review"
    CALIBRATION = "calibration"

    @property
    def term(self) -> Term:
        """The kind in a message with its article: "a skill step" in words, "a skill_step"
        on the command line (as ``trellis log`` takes it)."""
        words = kind_words(self.value)
        return Term(f"{'an' if words[0] in 'aeiou' else 'a'} {words}", f"a {self.value}")

    @property
    def subject(self) -> Term:
        """The kind as a message about one event begins: "a skill step (on ...)" in words,
        "skill_step (on ...)" on the command line, as the command line names kinds."""
        return Term(self.term.words, self.value)


# Kinds whose words are not their name with spaces: the pages and the messages say these.
KIND_WORDS = {"check_in": "check-in", "demonstrated": "criterion shown",
              "assessed": "assessment", "compensation": "pay change",
              "project_leadership": "project led"}


def kind_words(value: str) -> str:
    """An event kind (or any snake_case name, such as "band_upgrade") in words:
    "skill_step" -> "skill step"."""
    return KIND_WORDS.get(value) or value.replace("_", " ")


class Advance(StrEnum):
    """Which of the two ways of advancing an event is, if either."""

    PROMOTION = "promotion"
    MICRO = "micro_progression"
    NONE = "none"


MICRO_PROGRESSIONS = frozenset(
    {
        EventKind.SKILL_STEP,
        EventKind.DEMONSTRATED,
        EventKind.CERTIFICATION,
        EventKind.PROJECT_LEADERSHIP,
        EventKind.RESPONSIBILITY,
        EventKind.RECOGNITION,
        EventKind.LATERAL_MOVE,
        EventKind.COMPENSATION,
    }
)


def advance_of(kind: EventKind) -> Advance:
    if kind is EventKind.PROMOTION:
        return Advance.PROMOTION
    return Advance.MICRO if kind in MICRO_PROGRESSIONS else Advance.NONE


class RecognitionKind(StrEnum):
    KUDOS = "kudos"
    AWARD = "award"
    SPOT_BONUS = "spot_bonus"


class CompensationKind(StrEnum):
    MERIT = "merit"  # a raise of base pay
    ADJUSTMENT = "adjustment"  # a market or equity correction of base pay
    BONUS = "bonus"  # one-off; base pay unchanged
    PROMOTION = "promotion"  # the raise of base pay that comes with a promotion


class Assessor(StrEnum):
    """Who assessed a criterion: kept apart, so self and manager are never averaged."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"


class GoalOutcome(StrEnum):
    """How far a review found a goal or KPI reached."""

    MET = "met"
    PARTLY = "partly"
    NOT = "not"


class DepartureKind(StrEnum):
    VOLUNTARY = "voluntary"
    INVOLUNTARY = "involuntary"
    RETIREMENT = "retirement"


def left_voluntarily(details: Mapping[str, Any]) -> bool:
    """Whether a departure's details say the person chose to leave: the kind a departure
    has unless it names another."""
    return bool(details.get("departure_kind", DepartureKind.VOLUNTARY) == DepartureKind.VOLUNTARY)


# --- details, one class per kind. Field names are unique in meaning across kinds, so an
# --- event flattens into one CSV row without clashes (see adapters.ledger_files).


@dataclass(frozen=True, slots=True)
class Hire:
    kind: ClassVar[EventKind] = EventKind.HIRE
    role: str
    pay: int | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Promotion:
    kind: ClassVar[EventKind] = EventKind.PROMOTION
    role: str
    pay: int | None = None
    override_reason: str | None = None
    case: int | None = None  # the promotion case whose approval wrote it


@dataclass(frozen=True, slots=True)
class LateralMove:
    kind: ClassVar[EventKind] = EventKind.LATERAL_MOVE
    role: str
    pay: int | None = None


@dataclass(frozen=True, slots=True)
class SkillStep:
    kind: ClassVar[EventKind] = EventKind.SKILL_STEP
    competency: str
    from_mastery: int
    to_mastery: int


@dataclass(frozen=True, slots=True)
class Demonstrated:
    """A criterion shown, with the event's evidence (text or a link) saying how."""

    kind: ClassVar[EventKind] = EventKind.DEMONSTRATED
    criterion: str


@dataclass(frozen=True, slots=True)
class Assessed:
    """A criterion assessed at a proficiency on the framework's scale, by ``assessor``."""

    kind: ClassVar[EventKind] = EventKind.ASSESSED
    criterion: str
    proficiency: int
    assessor: Assessor = Assessor.MANAGER


@dataclass(frozen=True, slots=True)
class ItemRating:
    """A review's rating of one competency (on its mastery scale) or criterion (on the
    proficiency scale), with an optional comment."""

    item: str
    rating: int
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class GoalResult:
    """A goal or KPI of the period and how far it was reached, with a figure if there is one."""

    goal: str
    result: GoalOutcome
    value: float | None = None


@dataclass(frozen=True, slots=True)
class Review:
    """A submitted performance review in review cycle ``cycle``, written by ``reviewer`` in
    the role ``reviewer_role``, with an overall ``rating`` on the framework's review scale."""

    kind: ClassVar[EventKind] = EventKind.REVIEW
    cycle: str
    reviewer_role: ReviewForm
    rating: int
    ratings: tuple[ItemRating, ...] = ()
    goals: tuple[GoalResult, ...] = ()
    comment: str | None = None
    reviewer: str | None = None  # the handle of who wrote it (a peer: HR sees who)


@dataclass(frozen=True, slots=True)
class Calibration:
    """A calibration session changed the overall rating of review cycle ``cycle`` from
    ``from_rating`` (the manager review's, or an earlier calibration's) to ``to_rating``,
    for ``reason``. Who changed it is the event's author; the manager review stays as
    written, and a retraction of this event restores ``from_rating``."""

    kind: ClassVar[EventKind] = EventKind.CALIBRATION
    cycle: str
    session: str
    from_rating: int
    to_rating: int
    reason: str


@dataclass(frozen=True, slots=True)
class Certification:
    kind: ClassVar[EventKind] = EventKind.CERTIFICATION
    certification: str
    issuer: str | None = None
    competency: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectLeadership:
    kind: ClassVar[EventKind] = EventKind.PROJECT_LEADERSHIP
    project: str
    team_size: int | None = None


@dataclass(frozen=True, slots=True)
class Responsibility:
    """A duty taken on: ``share`` of working time in ``function`` (0 ends the duty)."""

    kind: ClassVar[EventKind] = EventKind.RESPONSIBILITY
    function: str
    share: float
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Recognition:
    kind: ClassVar[EventKind] = EventKind.RECOGNITION
    citation: str
    recognition_kind: RecognitionKind = RecognitionKind.KUDOS
    points: int = 0
    giver: str | None = None  # the handle of the person who gave it, if a colleague
    amount: int | None = None  # a spot bonus paid with it


@dataclass(frozen=True, slots=True)
class Compensation:
    """A raise or bonus, given as an ``amount`` or a ``percent`` of base pay (one of them).
    A raise that went through approval names its compensation cycle (``comp_cycle``; none
    for an off-cycle raise) and its ``proposal``."""

    kind: ClassVar[EventKind] = EventKind.COMPENSATION
    compensation_kind: CompensationKind = CompensationKind.MERIT
    amount: int | None = None
    percent: float | None = None
    comp_cycle: str | None = None
    proposal: int | None = None


@dataclass(frozen=True, slots=True)
class CheckIn:
    kind: ClassVar[EventKind] = EventKind.CHECK_IN
    engagement: int | None = None
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Departure:
    kind: ClassVar[EventKind] = EventKind.DEPARTURE
    departure_kind: DepartureKind = DepartureKind.VOLUNTARY
    notes: str | None = None


@dataclass(frozen=True, slots=True)
class Retraction:
    kind: ClassVar[EventKind] = EventKind.RETRACTION
    retracts: int
    reason: str


@dataclass(frozen=True, slots=True)
class Verification:
    """Someone (the event's author) checked the evidence of an earlier event."""

    kind: ClassVar[EventKind] = EventKind.VERIFICATION
    verifies: int
    notes: str | None = None


Details = (
    Hire
    | Promotion
    | LateralMove
    | SkillStep
    | Certification
    | ProjectLeadership
    | Responsibility
    | Recognition
    | Compensation
    | CheckIn
    | Departure
    | Retraction
    | Verification
    | Demonstrated
    | Assessed
    | Review
    | Calibration
)

DETAILS: dict[EventKind, type[Details]] = {
    cls.kind: cls
    for cls in (
        Hire,
        Promotion,
        LateralMove,
        SkillStep,
        Certification,
        ProjectLeadership,
        Responsibility,
        Recognition,
        Compensation,
        CheckIn,
        Departure,
        Retraction,
        Verification,
        Demonstrated,
        Assessed,
        Review,
        Calibration,
    )
}

# Every details field name, in a stable order: the columns of a flattened event.
DETAIL_FIELDS: tuple[str, ...] = tuple(
    dict.fromkeys(f.name for cls in DETAILS.values() for f in dataclasses.fields(cls))
)


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the career ledger."""

    id: int
    person_id: int
    effective_on: date
    details: Details
    recorded_at: datetime
    author: str
    evidence: str | None = None
    verifier: str | None = None
    framework_version: int = 0
    # Recorded by the person themselves, signed in to their own account: such an event of
    # a kind the framework's verification policy lists is pending until someone else
    # verifies it (see domain.verification).
    self_reported: bool = False

    @property
    def kind(self) -> EventKind:
        return self.details.kind


_KINDS = {k.value: k for k in EventKind}


def kind_from_text(text: Any) -> EventKind:
    """A kind from text as users write it (``Skill-Step``); anything else is refused."""
    if type(text) is str:
        found = _KINDS.get(text)
        if found is not None:
            return found
        try:
            return EventKind(text.strip().lower().replace("-", "_"))
        except ValueError:
            pass
    known = ", ".join(k.value for k in EventKind)
    raise InvalidEvent(f"unknown event kind {shown(text)} (known: {known})")


# What an error message may not pass on from a user's value: control characters, and
# whatever else str.splitlines() breaks a line at.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def shown(value: Any) -> str:
    """A user's value as an error message quotes it: on one line, cut short when long.

    Text and numbers come quoted (``'two'``); a list or an object is named, never
    rendered (a megabyte of nested JSON is not a message).
    """
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, int) and value.bit_length() > 100:  # str() refuses 4,300 digits
        return f"a number of about {int(value.bit_length() * 0.30103) + 1:,} digits"
    text = value if isinstance(value, str) else str(value)
    if len(text) > SHOWN_MAX:
        text = text[:SHOWN_MAX] + "..."
    return "'" + _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "'"


def given(value: Any) -> Term:
    """A user's value in a message, quoted as ``shown`` in both readings: a term, so braces
    in it are never taken for another term's."""
    quoted = shown(value)
    return Term(quoted, quoted)


def text_value(raw: Any, field: str, max_length: int = LABEL_MAX, *,
               multiline: bool = False) -> str:
    """Text from plain data, stripped (maybe empty), within the limits of its field.

    A number counts as the text it is written as; anything else (true, a list, an
    object) is refused naming the field, never turned into text by ``str()``.
    """
    if type(raw) is str:
        text = raw.strip()
    elif type(raw) is float or (type(raw) is int and -INT64_MAX <= raw <= INT64_MAX):
        text = str(raw)
    else:
        raise InvalidEvent(f"{field} must be text, got {shown(raw)}")
    if len(text) <= max_length and text.isprintable():  # the common case, checked in C
        return text
    return check_text(text, field, max_length, multiline=multiline)


def integer_value(raw: Any, field: str, low: int = -INT64_MAX, high: int = INT64_MAX,
                  below: str | None = None) -> int:
    """An integer from plain data, in ``[low, high]``: ``12``, ``"12"`` or ``12.0``, never
    ``1.5``, ``true`` or ``"1e3"``. ``below`` says what is wrong with a value under
    ``low`` when that reads better than the range ("cannot be negative")."""
    if type(raw) is int:
        value = raw
    elif type(raw) is float and raw.is_integer():
        value = int(raw)
    elif type(raw) is str:
        try:
            value = int(raw)
        except ValueError:
            digits = raw.strip().lstrip("+-")
            if digits.isdecimal():  # an integer past the 4,300 digits Python parses
                raise InvalidEvent(f"{field} must be between {low:,} and {high:,}, got a "
                                   f"number of {len(digits):,} digits") from None
            raise InvalidEvent(f"{field} must be an integer, got {shown(raw)}") from None
    else:
        raise InvalidEvent(f"{field} must be an integer, got {shown(raw)}")
    if value < low and below is not None:
        raise InvalidEvent(f"{field} {below}")
    return check_int(value, field, low, high) if not low <= value <= high else value


# The text fields every event has besides its details: (longest, may span lines).
_EVENT_TEXTS = {"author": (NAME_MAX, False), "evidence": (LONG_TEXT_MAX, True),
                "verifier": (NAME_MAX, False)}


def event_text(raw: Any, field: str) -> str | None:
    """An event's ``author``, ``evidence`` or ``verifier`` from plain data: stripped, held
    to its limits, None when empty."""
    if raw is None or raw == "":
        return None
    longest, multiline = _EVENT_TEXTS[field]
    return text_value(raw, field, longest, multiline=multiline) or None


def details_from_mapping(kind: EventKind, data: Mapping[str, Any]) -> Details:
    """Build a kind's details from plain data, ignoring empty values and unrelated keys.

    Raises InvalidEvent naming the field: "skill_step: to_mastery must be an integer".
    """
    cls, specs = _specs(kind)
    values: dict[str, Any] = {}
    for name, convert, required in specs:
        raw = data.get(name)
        if raw is None or raw == "":
            if required:
                raise InvalidEvent(f"{kind}: {name} is required")
            continue
        values[name] = convert(raw)
    details = cls(**values)
    _check_details(details)
    return details


def details_from_trusted(kind: EventKind, data: dict[str, Any]) -> Details:
    """Rebuild details that Trellis itself stored after checking them: types only, no checks.

    Reading a ledger back is the hot path of every past-date profile; the checks already
    ran when the event was recorded.
    """
    cls, enums = _trusted(kind)
    if cls is Review:
        data["ratings"] = _ratings_in(data.get("ratings") or {}, "ratings", trusted=True)
        data["goals"] = _goals_in(data.get("goals") or (), "goals", trusted=True)
    for name, members in enums:
        value = data.get(name)
        if value is not None:
            data[name] = members[value]
    return cls(**data)


def details_to_mapping(details: Details) -> dict[str, Any]:
    """The non-empty fields of a details object, as JSON-ready plain data."""
    out: dict[str, Any] = {}
    for name in _field_names(type(details)):
        value = getattr(details, name)
        if value is not None and value != ():
            out[name] = (value.value if isinstance(value, StrEnum)
                         else _NESTED_OUT[name](value) if name in _NESTED_OUT else value)
    return out


# Each kind's fields, compiled once into (name, converter, required): parsing a million
# imported events must not re-inspect dataclasses a million times.
Converter = Callable[[Any], Any]
_SPECS: dict[EventKind, tuple[type[Details], tuple[tuple[str, Converter, bool], ...]]] = {}
_NAMES: dict[type, tuple[str, ...]] = {}


_TRUSTED: dict[EventKind, tuple[type[Details], tuple[tuple[str, dict[str, Any]], ...]]] = {}


def _trusted(kind: EventKind) -> tuple[type[Details], tuple[tuple[str, dict[str, Any]], ...]]:
    found = _TRUSTED.get(kind)
    if found is None:
        cls = DETAILS[kind]
        hints = get_type_hints(cls)
        enums = []
        for f in dataclasses.fields(cls):
            hint = hints[f.name]
            args = getattr(hint, "__args__", None) or (hint,)
            for arg in args:
                if isinstance(arg, type) and issubclass(arg, StrEnum):
                    enums.append((f.name, {m.value: m for m in arg}))
        found = _TRUSTED[kind] = (cls, tuple(enums))
    return found


def _field_names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _specs(kind: EventKind) -> tuple[type[Details], tuple[tuple[str, Converter, bool], ...]]:
    found = _SPECS.get(kind)
    if found is None:
        cls = DETAILS[kind]
        hints = get_type_hints(cls)
        found = _SPECS[kind] = (cls, tuple(
            (f.name, _converter(kind, f.name, hints[f.name]), f.default is dataclasses.MISSING)
            for f in dataclasses.fields(cls)
        ))
    return found


# Each integer field's range (docs/ledger.md, "Limits"), and what a value below it is told
# when that reads better than the range. A field not listed here is held to 64 bits and
# checked by _check_details (engagement: 1-5).
_INT_RANGES: dict[str, tuple[int, int, str | None]] = {
    "pay": (0, MONEY_MAX, "cannot be negative"),
    "amount": (-MONEY_MAX, MONEY_MAX, None),
    "points": (0, POINTS_MAX, "cannot be negative"),
    "team_size": (0, TEAM_SIZE_MAX, None),
    "from_mastery": (0, MASTERY_MAX, "cannot be negative"),
    "to_mastery": (0, MASTERY_MAX, None),
    "proficiency": (0, MASTERY_MAX, "cannot be negative"),
    "rating": (0, MASTERY_MAX, "cannot be negative"),
    "from_rating": (0, MASTERY_MAX, "cannot be negative"),
    "to_rating": (0, MASTERY_MAX, "cannot be negative"),
    "retracts": (1, EVENT_ID_MAX, "must be an event id"),
    "verifies": (1, EVENT_ID_MAX, "must be an event id"),
    "case": (1, EVENT_ID_MAX, "must be a case id"),
    "proposal": (1, EVENT_ID_MAX, "must be a proposal id"),
}
# Text fields that may span lines and run long; every other one is a one-line label.
_LONG_TEXTS = frozenset({"description", "notes", "reason", "override_reason", "comment"})


def _converter(kind: EventKind, name: str, hint: Any) -> Converter:
    args = getattr(hint, "__args__", None)
    target = next(a for a in args if a is not type(None)) if args else hint
    field = f"{kind}: {name}"
    if name in _NESTED_IN:
        nested = _NESTED_IN[name]
        return lambda raw: nested(raw, field)

    def wrong(raw: Any, noun: str) -> InvalidEvent:
        return InvalidEvent(f"{field} must be {noun}, got {shown(raw)}")

    if target is int:
        low, high, below = _INT_RANGES.get(name, (-INT64_MAX, INT64_MAX, None))

        def to_int(raw: Any) -> int:
            if type(raw) is int and low <= raw <= high:  # the common case, without a call
                return raw
            return integer_value(raw, field, low, high, below)
        return to_int
    if target is float:
        def to_float(raw: Any) -> float:
            if type(raw) is float:
                return raw
            try:
                if isinstance(raw, bool):
                    raise ValueError
                return float(raw)
            except OverflowError:  # an integer past any float: out of every range
                return float("inf") if raw > 0 else float("-inf")
            except (TypeError, ValueError):
                raise wrong(raw, "a number") from None
        return to_float
    if name == "currency":
        def to_currency(raw: Any) -> str:
            code = text_value(raw, field).upper()
            if len(code) != CURRENCY_LENGTH or not (code.isascii() and code.isalpha()):
                raise wrong(raw, "a three-letter currency code such as USD")
            return code
        return to_currency
    if target is str:
        longest, multiline = (LONG_TEXT_MAX, True) if name in _LONG_TEXTS else (LABEL_MAX,
                                                                               False)

        def to_text(raw: Any) -> str:
            if type(raw) is str:  # the common case, without a call
                text = raw.strip()
                if text and len(text) <= longest and text.isprintable():
                    return text
            text = text_value(raw, field, longest, multiline=multiline)
            if not text:
                raise wrong(raw, "text")
            return text
        return to_text
    if isinstance(target, type) and issubclass(target, StrEnum):
        members: dict[str, StrEnum] = {m.value: m for m in target}
        allowed = ", ".join(members)

        def to_member(raw: Any) -> StrEnum:
            found = (members.get(raw) or members.get(raw.strip().lower())
                     if type(raw) is str else None)
            if found is None:
                raise wrong(raw, f"one of {allowed}")
            return found
        return to_member
    raise TypeError(f"unsupported field type {hint!r}")  # a bug in a details class


def _check_details(d: Details) -> None:
    """Rules a single event must satisfy on its own, before any history is consulted."""
    if isinstance(d, SkillStep):
        if d.to_mastery <= d.from_mastery:
            raise InvalidEvent(
                f"skill_step: to_mastery ({d.to_mastery}) must be above "
                f"from_mastery ({d.from_mastery})"
            )
    elif isinstance(d, Responsibility):
        if not 0.0 <= d.share <= 1.0:
            raise InvalidEvent(f"responsibility: share must be between 0 and 1, got {d.share}")
    elif isinstance(d, Compensation):
        if (d.amount is None) == (d.percent is None):
            raise InvalidEvent("compensation: give exactly one of amount or percent")
        if d.percent is not None and not -50.0 < d.percent <= 100.0:
            raise InvalidEvent(f"compensation: percent {d.percent} is not a plausible change")
    elif isinstance(d, Calibration):
        if d.to_rating == d.from_rating:
            raise InvalidEvent(f"calibration: the rating is already {d.to_rating}; a "
                               "calibration changes it")
    elif isinstance(d, CheckIn) and d.engagement is not None and not 1 <= d.engagement <= 5:
        raise InvalidEvent(f"check_in: engagement must be 1-5, got {d.engagement}")


# --- a review's nested values. Plain data (a JSON line, the stored details, the API) holds
# --- them as JSON; a CSV cell holds the same JSON as text:
# ---   ratings: {"coding": {"rating": 4, "comment": "..."}, "c-1": {"rating": 2}} (or "coding": 4)
# ---   goals:   [{"goal": "ship the API", "result": "met", "value": 98.5}]

REVIEW_ITEMS_MAX = 1_000  # ratings or goals in one review: above any framework's role


_REPEATED = "a key is repeated"


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError(_REPEATED)
    return found


def _nested(raw: Any, field: str, shape: type) -> Any:
    if type(raw) is str:  # a CSV cell: the JSON text of the value
        try:
            raw = json.loads(raw, object_pairs_hook=_no_repeats)
        except ValueError as exc:
            why = "an id is repeated" if str(exc) == _REPEATED else "not valid JSON"
            raise InvalidEvent(f"{field} must be JSON ({why}), got {shown(raw)}") from None
    if not isinstance(raw, shape):
        noun = "an object of id -> rating" if shape is dict else "a list of goals"
        raise InvalidEvent(f"{field} must be {noun}, got {shown(raw)}")
    size = len(raw)  # type: ignore[arg-type]  # a dict or a list, checked just above
    if size > REVIEW_ITEMS_MAX:
        raise InvalidEvent(f"{field}: at most {REVIEW_ITEMS_MAX:,} items, got {size:,}")
    return raw


def _ratings_in(raw: Any, field: str, *, trusted: bool = False) -> tuple[ItemRating, ...]:
    if trusted:
        if isinstance(raw, list):  # a bulk write stores the dataclasses as orjson does
            return tuple(ItemRating(r["item"], r["rating"], r.get("comment")) for r in raw)
        return tuple(ItemRating(k, v["rating"], v.get("comment")) for k, v in raw.items())
    out = []
    for item, value in _nested(raw, field, dict).items():
        if item.strip() != item or not item:
            raise InvalidEvent(f"{field}: an id must be text without spaces around it, got "
                               f"{shown(item)}")
        text_value(item, f"{field}: an id")
        where = f"{field}: {shown(item)}"
        if isinstance(value, dict):
            unknown = sorted(set(value) - {"rating", "comment"})
            if unknown:
                raise InvalidEvent(f"{where}: unknown key {shown(unknown[0])} (give rating "
                                   "and, if you like, comment)")
            if "rating" not in value:
                raise InvalidEvent(f"{where}: rating is required")
            rating, comment = value["rating"], value.get("comment")
        else:
            rating, comment = value, None
        if type(rating) is bool:
            raise InvalidEvent(f"{where} must be an integer, got {shown(rating)}")
        note = (text_value(comment, f"{where}: comment", LONG_TEXT_MAX, multiline=True)
                if comment not in (None, "") else None)
        out.append(ItemRating(item, integer_value(rating, where, 0, MASTERY_MAX,
                                                  "cannot be negative"), note or None))
    return tuple(out)


def _goals_in(raw: Any, field: str, *, trusted: bool = False) -> tuple[GoalResult, ...]:
    if trusted:
        return tuple(GoalResult(g["goal"], GoalOutcome(g["result"]), g.get("value"))
                     for g in raw)
    out = []
    outcomes = ", ".join(GoalOutcome)
    for i, goal in enumerate(_nested(raw, field, list), start=1):
        where = f"{field}: goal {i}"
        if not isinstance(goal, dict):
            raise InvalidEvent(f"{where} must be an object with goal and result, got "
                               f"{shown(goal)}")
        unknown = sorted(set(goal) - {"goal", "result", "value"})
        if unknown:
            raise InvalidEvent(f"{where}: unknown key {shown(unknown[0])}")
        text = text_value(goal.get("goal", ""), f"{where}: goal")
        if not text:
            raise InvalidEvent(f"{where}: goal (its text) is required")
        result = goal.get("result")
        try:
            outcome = GoalOutcome(result.strip().lower() if type(result) is str else "")
        except ValueError:
            raise InvalidEvent(f"{where}: result must be one of {outcomes}, got "
                               f"{shown(result or '')}") from None
        value = goal.get("value")
        if value is not None:
            if type(value) is str:
                try:
                    value = float(value)
                except ValueError:
                    raise InvalidEvent(f"{where}: value must be a number, got "
                                       f"{shown(value)}") from None
            if type(value) not in (int, float) or not abs(value) <= MONEY_MAX:
                raise InvalidEvent(f"{where}: value must be a number within "
                                   f"±{MONEY_MAX:,}, got {shown(value)}")
            value = float(value)
        out.append(GoalResult(text, outcome, value))
    return tuple(out)


def ratings_to_plain(ratings: tuple[ItemRating, ...]) -> dict[str, Any]:
    return {r.item: {"rating": r.rating} | ({"comment": r.comment} if r.comment else {})
            for r in ratings}


def goals_to_plain(goals: tuple[GoalResult, ...]) -> list[dict[str, Any]]:
    return [{"goal": g.goal, "result": g.result.value}
            | ({"value": g.value} if g.value is not None else {}) for g in goals]


_NESTED_IN: dict[str, Callable[[Any, str], Any]] = {"ratings": _ratings_in, "goals": _goals_in}
_NESTED_OUT: dict[str, Callable[[Any], Any]] = {"ratings": ratings_to_plain,
                                                "goals": goals_to_plain}


def ratings_from_plain(raw: Any) -> tuple[ItemRating, ...]:
    """Ratings that Trellis itself wrote as plain data (a stored profile): no checks."""
    return _ratings_in(raw, "ratings", trusted=True)


def goals_from_plain(raw: Any) -> tuple[GoalResult, ...]:
    """Goals that Trellis itself wrote as plain data: no checks."""
    return _goals_in(raw, "goals", trusted=True)
