"""Checkpoints: folding on from a checkpoint gives exactly the profile a full fold gives."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import TINY
from trellis.adapters.framework_files import read_framework_file
from trellis.domain.events import (
    CheckIn,
    Compensation,
    Event,
    Hire,
    Recognition,
    Responsibility,
    Retraction,
    SkillStep,
)
from trellis.domain.profile import fold, fold_from, live_events, replay

FRAMEWORK, _ = read_framework_file(TINY)
FRAMEWORKS = {0: FRAMEWORK}  # events built here carry the default version 0
START = date(2020, 1, 1)
COMPETENCIES = ("coding", "design_systems", "mentoring", "communication")


def career(kinds: list[int], gaps: list[int], retract: set[int]) -> list[Event]:
    """A valid career built from drawn choices; ``retract`` picks check-ins to retract."""
    events = [Event(1, 1, START, Hire("eng1", 40000), datetime(2024, 1, 1), "t")]
    mastery = dict.fromkeys(COMPETENCIES, 0)
    on = START
    for i, (kind, gap) in enumerate(zip(kinds, gaps, strict=False)):
        on += timedelta(days=gap)
        comp = COMPETENCIES[i % len(COMPETENCIES)]
        if kind == 0 and mastery[comp] < 5:
            details = SkillStep(comp, mastery[comp], mastery[comp] + 1)
            mastery[comp] += 1
        elif kind == 1:
            details = Recognition(f"thanks {i}", points=i % 7)
        elif kind == 2:
            details = Compensation(percent=2.5)
        elif kind == 3:
            details = Responsibility("design", (i % 5) / 5)
        else:
            details = CheckIn(engagement=1 + i % 5)
        events.append(Event(len(events) + 1, 1, on, details, datetime(2024, 1, 1), "t"))
    for target in sorted(retract):
        if target < len(events) and isinstance(events[target].details, CheckIn):
            events.append(Event(len(events) + 1, 1, on, Retraction(target + 1, "typo"),
                                datetime(2024, 1, 1), "t"))
    return events


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.integers(0, 4), min_size=5, max_size=60),
    gaps=st.lists(st.integers(0, 20), min_size=60, max_size=60),
    retract=st.sets(st.integers(1, 60), max_size=5),
    every=st.integers(1, 12),
    offset=st.integers(-5, 900),
)
def test_folding_on_from_any_checkpoint_equals_the_full_fold(kinds, gaps, retract, every,
                                                             offset):
    events = career(kinds, gaps, retract)
    _, checkpoints = replay(1, events, FRAMEWORKS, checkpoint_every=every)
    at = START + timedelta(days=offset)
    usable = [c for c in checkpoints if c.as_of <= at]
    expected = fold(1, events, FRAMEWORKS, at)
    if not usable:
        return
    checkpoint = usable[-1]
    after = [e for e in events if e.effective_on > checkpoint.as_of]
    retractions = [e for e in events if isinstance(e.details, Retraction)]
    assert fold_from(checkpoint, [*after, *retractions], FRAMEWORKS, at) == expected


def test_checkpoints_fall_at_day_ends_about_every_n_events():
    events = career([4] * 40, [1, 0] * 30, set())  # two events on every other day
    _, checkpoints = replay(1, events, FRAMEWORKS, checkpoint_every=10)
    live = live_events(events)
    for checkpoint in checkpoints:
        # every event of that day is inside the checkpoint, none of the next day's
        folded = [e for e in live if e.effective_on <= checkpoint.as_of]
        assert checkpoint == fold(1, events, FRAMEWORKS, checkpoint.as_of)
        assert len(folded) >= 10
    assert len(checkpoints) == 4  # 41 events, a checkpoint after each 10 that end a day
