"""Career stage: early, mid or late, from years since the hire and the level rank.

A person is at the later of the stage their level rank says and the stage their years
since the hire say:

    by rank:   early below ``mid_rank``, mid from ``mid_rank``, late from ``late_rank``
    by years:  early below ``mid_years``, mid from ``mid_years``, late from ``late_years``
    stage = max(stage by rank, stage by years)

With the defaults on a seven-level ladder, L1-L2 are early, L3-L4 mid and L5 and above late,
and long service moves a person on even without promotions (six years to mid, fifteen to
late). ``StageThresholds`` makes every threshold configurable. The strategy simulator
applies the same rule to arrays (``trellis.analytics.simulator``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CareerStage(StrEnum):
    EARLY = "early"
    MID = "mid"
    LATE = "late"


STAGES: tuple[CareerStage, ...] = (CareerStage.EARLY, CareerStage.MID, CareerStage.LATE)


@dataclass(frozen=True, slots=True)
class StageThresholds:
    mid_rank: int = 3
    late_rank: int = 5
    mid_years: float = 6.0
    late_years: float = 15.0


DEFAULT_THRESHOLDS = StageThresholds()


def career_stage(years_since_hire: float | None, level_rank: int | None,
                 thresholds: StageThresholds = DEFAULT_THRESHOLDS) -> CareerStage:
    """The career stage of a person ``years_since_hire`` after the hire at ``level_rank``.

    An unknown value counts as the lowest (no years, rank 1).
    """
    t = thresholds
    rank = level_rank or 1
    years = years_since_hire or 0.0
    by_rank = 2 if rank >= t.late_rank else 1 if rank >= t.mid_rank else 0
    by_years = 2 if years >= t.late_years else 1 if years >= t.mid_years else 0
    return STAGES[max(by_rank, by_years)]
