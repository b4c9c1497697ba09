"""Calibration sessions: a group's overall ratings in a review cycle set side by side, against
the organization's target distribution and on a 9-box, so that raters are held to one bar.

(``analytics.calibration`` is another thing: calibrating the simulator to the ledger.)

A session is bookkeeping: a cycle, a group (a manager's org, a level or a track) fixed as
its members when it opens, and a status. Each change it makes is a ``calibration`` event in
the person's ledger, so the before/after, who and why are kept there, and a retraction
undoes a change as it undoes any event. The rules here are pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from trellis.errors import Term

from .framework import RatingScale
from .people import named_in


class GroupKind(StrEnum):
    TEAM = "team"  # everyone under a manager, transitively
    LEVEL = "level"
    TRACK = "track"


class SessionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class CalibrationSession:
    id: int
    name: str
    cycle_id: int
    cycle: str  # the review cycle's name, as calibration events name it
    group_kind: GroupKind
    group: str  # a level or track id; for a team, the manager's handle when it opened
    team_id: int | None  # the manager of a team group (None once they are erased)
    status: SessionStatus
    opened_by: str
    opened_at: datetime
    changed_at: datetime

    @property
    def is_open(self) -> bool:
        return self.status is SessionStatus.OPEN

    @property
    def group_label(self) -> str:
        return f"{self.group_kind} {self.group}"

    def title(self, group: str, names: Mapping[str, str]) -> str:
        """The session as a page names it: a name Trellis made ("2024 team bob") by its
        cycle and ``group`` in words ("2024 · Bob Okafor's team"); a name someone gave
        with the handles in it that ``names`` knows as names."""
        if self.name == default_name(self.cycle, self.group_kind, self.group):
            return f"{self.cycle} · {group}"
        return named_in(self.name, names)


    def term(self, group: str, names: Mapping[str, str]) -> Term:
        """The session in a message: by its title in words, by its name (what the command
        line types) quoted on the command line."""
        return Term(f"calibration session “{self.title(group, names)}”",
                    f"calibration session '{self.name}'")


_GROUP_WORDS = {GroupKind.TEAM: "{}'s team", GroupKind.LEVEL: "Level {}",
                GroupKind.TRACK: "Track {}"}


def group_words(kind: GroupKind, name: str) -> str:
    """A group as pages name it, from its manager's, level's or track's name: "Meg
    Manager's team", "Level Junior", "Track Engineering"."""
    return _GROUP_WORDS[kind].format(name)


def default_name(cycle: str, kind: GroupKind, group: str) -> str:
    """A session's name when none is given: the cycle and the group's id ("2024 team bob"),
    so it is unique (two managers may share a name) and typed as it is on the command
    line, which finds a session by its name. Pages show its title instead."""
    return f"{cycle} {kind} {group}"


# --- the distribution against the target


@dataclass(frozen=True, slots=True)
class RatingShare:
    rating: int
    label: str
    count: int
    percent: float  # of the rated people
    target_percent: float | None  # None: the organization sets no target
    target_count: int | None  # the target in whole people (they add up to the rated)
    difference: int | None  # count - target_count: above the target when positive


def distribution(ratings: Sequence[int], scale: RatingScale,
                 target: Mapping[int, float]) -> list[RatingShare]:
    """Each rating of the scale: how many have it, their share, and the target's.

    The target's counts are whole people by the largest-remainder rule (each rating gets
    the floor of its exact share, and the people left over go to the largest remainders,
    the lower rating first on a tie), so they add up to the number rated and a difference
    reads as "so many people above or below the target".
    """
    n = len(ratings)
    counts = {r: 0 for r in range(scale.min, scale.max + 1)}
    for r in ratings:
        counts[r] += 1
    targets = target_counts(n, scale, target) if target else None
    out = []
    for r, count in counts.items():
        share = round(100 * count / n, 1) if n else 0.0
        want = targets[r] if targets is not None else None
        out.append(RatingShare(r, scale.label(r), count, share,
                               float(target.get(r, 0.0)) if target else None, want,
                               count - want if want is not None else None))
    return out


def target_counts(n: int, scale: RatingScale, target: Mapping[int, float]) -> dict[int, int]:
    """The target distribution as whole people out of ``n`` (largest remainders)."""
    total = sum(target.values()) or 100.0  # a target need not add up to exactly 100
    exact = {r: n * target.get(r, 0.0) / total for r in range(scale.min, scale.max + 1)}
    whole = {r: int(v) for r, v in exact.items()}
    left = n - sum(whole.values())
    for r in sorted(exact, key=lambda r: (-(exact[r] - whole[r]), r))[:left]:
        whole[r] += 1
    return whole


# --- the 9-box: performance (the rating, in thirds of the scale) x readiness


class Band(StrEnum):
    LOW = "low"
    MID = "mid"
    HIGH = "high"


BANDS = (Band.LOW, Band.MID, Band.HIGH)

# Readiness for the next role (domain.readiness, a score 0-100): below 50 is low, 50 up to
# 80 is mid, 80 and above is high. Stated in docs/reviews.md, "Calibration".
READINESS_MID = 50.0
READINESS_HIGH = 80.0


def performance_band(rating: int, scale: RatingScale) -> Band:
    """The rating's third of the scale, by its position ``(rating - min) / (max - min)``:
    below 1/3 low, below 2/3 mid, else high (exact integer arithmetic, so a boundary is
    never a float's accident). On 1-5: 1-2 low, 3 mid, 4-5 high; on 1-4: 1 low, 2 mid,
    3-4 high; on 1-3: one rating each."""
    span = scale.max - scale.min
    position = 3 * (rating - scale.min)
    if span == 0 or position >= 2 * span:
        return Band.HIGH
    return Band.LOW if position < span else Band.MID


def readiness_band(score: float) -> Band:
    if score >= READINESS_HIGH:
        return Band.HIGH
    return Band.MID if score >= READINESS_MID else Band.LOW


NineBox = Mapping[tuple[Band, Band], tuple[int, ...]]
"""(performance band, readiness band) -> the person ids in that box."""


def nine_box(placed: Sequence[tuple[int, int, float]], scale: RatingScale) -> NineBox:
    """``placed``: (person id, rating, readiness score). Every one of the nine boxes is
    present, empty or not, the people in the order given."""
    boxes: dict[tuple[Band, Band], list[int]] = {(p, r): [] for p in BANDS for r in BANDS}
    for person, rating, score in placed:
        boxes[(performance_band(rating, scale), readiness_band(score))].append(person)
    return {key: tuple(people) for key, people in boxes.items()}
