"""The career framework: tracks, ordered levels, roles, skill bands and competencies.

A framework is the vocabulary the ledger is written in. It is immutable once built; a
changed file becomes a new *version* (see services.frameworks), and each event keeps the
version that was in force at its date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_DESCRIPTORS = (
    "none",
    "awareness: knows what it is and when it matters",
    "working: does it with guidance",
    "practitioner: does it independently and reliably",
    "advanced: handles hard cases and teaches others",
    "expert: sets the standard across the organization",
)


class RoleType(StrEnum):
    """How a track advances: a structured ladder of titles, or a dynamic, skill-based role."""

    STRUCTURED = "structured"
    DYNAMIC = "dynamic"


@dataclass(frozen=True, slots=True)
class MasteryScale:
    """Mastery runs from 0 to ``max``; ``descriptors[m]`` says what mastery m looks like."""

    max: int = 5
    descriptors: tuple[str, ...] = DEFAULT_DESCRIPTORS

    def describe(self, mastery: int) -> str:
        return self.descriptors[mastery] if 0 <= mastery < len(self.descriptors) else ""


@dataclass(frozen=True, slots=True)
class Track:
    id: str
    name: str
    role_type: RoleType = RoleType.STRUCTURED
    description: str = ""


@dataclass(frozen=True, slots=True)
class Level:
    """A rung. ``rank`` is its position in the framework's order, starting at 1."""

    id: str
    name: str
    rank: int
    description: str = ""


@dataclass(frozen=True, slots=True)
class Competency:
    id: str
    name: str
    band: str
    description: str = ""
    scale: MasteryScale = field(default_factory=MasteryScale)
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SkillBand:
    """A broad category of competencies (for example "Craft" or "Leadership")."""

    id: str
    name: str
    competencies: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class PayBand:
    min: int
    mid: int
    max: int
    currency: str


@dataclass(frozen=True, slots=True)
class Role:
    """A position on the grid: one track at one level, with a title and expectations."""

    id: str
    track: str
    level: str
    title: str
    description: str = ""
    pay_band: PayBand | None = None
    expects: Mapping[str, int] = field(default_factory=dict)
    tools: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Framework:
    key: str
    name: str
    tracks: Mapping[str, Track]
    levels: Mapping[str, Level]
    bands: Mapping[str, SkillBand]
    competencies: Mapping[str, Competency]
    roles: Mapping[str, Role]
    description: str = ""
    currency: str = "USD"
    attribution: str = ""

    def rank_of(self, role_id: str) -> int:
        """The level rank of a role (1 = the lowest level)."""
        return self.levels[self.roles[role_id].level].rank

    def roles_of_track(self, track_id: str) -> Iterator[Role]:
        return (role for role in self.roles.values() if role.track == track_id)

    def next_role(self, role_id: str) -> Role | None:
        """The role one level up in the same track, skipping levels the track lacks."""
        current = self.roles[role_id]
        rank = self.rank_of(role_id)
        above = [r for r in self.roles_of_track(current.track) if self.rank_of(r.id) > rank]
        return min(above, key=lambda r: self.rank_of(r.id), default=None)
