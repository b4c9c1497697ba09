"""The career ledger's events: what can happen in a career, and the fields each kind carries.

An event is a dated fact. The ledger only ever appends them; a correction is a
``retraction`` event naming the one it cancels. Each kind's fields are a small frozen
dataclass (its *details*); ``details_from_mapping`` builds one from plain data (a CLI
flag, a CSV row, a JSON line) and says exactly what is wrong when it cannot.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, get_type_hints

from trellis.errors import InvalidEvent


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


class Advance(StrEnum):
    """Which of the two ways of advancing an event is, if either."""

    PROMOTION = "promotion"
    MICRO = "micro_progression"
    NONE = "none"


MICRO_PROGRESSIONS = frozenset(
    {
        EventKind.SKILL_STEP,
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


class DepartureKind(StrEnum):
    VOLUNTARY = "voluntary"
    INVOLUNTARY = "involuntary"
    RETIREMENT = "retirement"


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
    """A raise or bonus, given as an ``amount`` or a ``percent`` of base pay (one of them)."""

    kind: ClassVar[EventKind] = EventKind.COMPENSATION
    compensation_kind: CompensationKind = CompensationKind.MERIT
    amount: int | None = None
    percent: float | None = None


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

    @property
    def kind(self) -> EventKind:
        return self.details.kind


_KINDS = {k.value: k for k in EventKind}


def kind_from_text(text: str) -> EventKind:
    found = _KINDS.get(text)
    if found is not None:
        return found
    try:
        return EventKind(str(text).strip().lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(k.value for k in EventKind)
        raise InvalidEvent(f"unknown event kind '{text}' (known: {known})") from None


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
        if value is not None:
            out[name] = value.value if isinstance(value, StrEnum) else value
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


def _converter(kind: EventKind, name: str, hint: Any) -> Converter:
    args = getattr(hint, "__args__", None)
    target = next(a for a in args if a is not type(None)) if args else hint

    def wrong(raw: Any, noun: str) -> InvalidEvent:
        return InvalidEvent(f"{kind}: {name} must be {noun}, got '{raw}'")

    if target is int:
        def to_int(raw: Any) -> int:
            if type(raw) is int:
                return raw
            try:
                if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                    raise ValueError
                return int(raw)
            except (TypeError, ValueError):
                raise wrong(raw, "an integer") from None
        return to_int
    if target is float:
        def to_float(raw: Any) -> float:
            if type(raw) is float:
                return raw
            try:
                if isinstance(raw, bool):
                    raise ValueError
                return float(raw)
            except (TypeError, ValueError):
                raise wrong(raw, "a number") from None
        return to_float
    if target is str:
        def to_text(raw: Any) -> str:
            if isinstance(raw, str | int | float) and not isinstance(raw, bool):
                text = str(raw).strip()
                if text:
                    return text
            raise wrong(raw, "text")
        return to_text
    if isinstance(target, type) and issubclass(target, StrEnum):
        members: dict[str, StrEnum] = {m.value: m for m in target}
        allowed = ", ".join(members)

        def to_member(raw: Any) -> StrEnum:
            found = members.get(raw) or members.get(str(raw).strip().lower())
            if found is None:
                raise wrong(raw, f"one of {allowed}")
            return found
        return to_member
    raise TypeError(f"unsupported field type {hint!r}")  # a bug in a details class


def _check_details(d: Details) -> None:
    """Rules a single event must satisfy on its own, before any history is consulted."""
    if isinstance(d, SkillStep):
        if d.from_mastery < 0:
            raise InvalidEvent("skill_step: from_mastery cannot be negative")
        if d.to_mastery <= d.from_mastery:
            raise InvalidEvent(
                f"skill_step: to_mastery ({d.to_mastery}) must be above "
                f"from_mastery ({d.from_mastery})"
            )
    elif isinstance(d, Responsibility):
        if not 0.0 <= d.share <= 1.0:
            raise InvalidEvent(f"responsibility: share must be between 0 and 1, got {d.share}")
    elif isinstance(d, Recognition):
        if d.points < 0:
            raise InvalidEvent("recognition: points cannot be negative")
    elif isinstance(d, Compensation):
        if (d.amount is None) == (d.percent is None):
            raise InvalidEvent("compensation: give exactly one of amount or percent")
        if d.percent is not None and not -50.0 < d.percent <= 100.0:
            raise InvalidEvent(f"compensation: percent {d.percent} is not a plausible change")
    elif isinstance(d, CheckIn):
        if d.engagement is not None and not 1 <= d.engagement <= 5:
            raise InvalidEvent(f"check_in: engagement must be 1-5, got {d.engagement}")
    elif isinstance(d, Hire | Promotion | LateralMove) and d.pay is not None and d.pay < 0:
        raise InvalidEvent(f"{d.kind}: pay cannot be negative")
    elif isinstance(d, Verification) and d.verifies <= 0:
        raise InvalidEvent("verification: verifies must be an event id")
    elif isinstance(d, Retraction) and d.retracts <= 0:
        raise InvalidEvent("retraction: retracts must be an event id")
