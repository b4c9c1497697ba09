"""The organization at a glance, for HR: headcount by level and track, promotion and
micro-progression rates year by year, the readiness pipeline and recognition gaps.

Everything comes from the current-state table, except the yearly rates, which count the
live promotion and micro-progression events (retracted ones left out, and the baseline a
hire records on its first day, which is where a person starts, not an advance) against the
person-years worked in each year (hire to departure or today), so a year with more people
does not look like a year of more promotions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from trellis.domain.events import MICRO_PROGRESSIONS, EventKind

from . import clock
from .frameworks import version_in_force
from .team_list import ReadinessMemo, band_counts
from .unit_of_work import UnitOfWork

DAYS_A_YEAR = 365.25
# Days since the last recognition, as the buckets of the gaps chart (upper bounds).
GAP_BUCKETS = ((30, "within 30 days"), (90, "31 to 90 days"), (180, "91 to 180 days"),
               (365, "181 days to a year"), (None, "more than a year"))
NEVER = "never recognized"


@dataclass(frozen=True, slots=True)
class YearRates:
    year: int
    person_years: float  # worked in the year (so far, for this year)
    promotions: int
    micro_progressions: int
    partial: bool  # this year, not over yet

    @property
    def promotion_rate(self) -> float | None:
        """Promotions per person-year: the share promoted in a year."""
        return self.promotions / self.person_years if self.person_years else None

    @property
    def micro_rate(self) -> float | None:
        """Micro-progressions per person-year."""
        return self.micro_progressions / self.person_years if self.person_years else None


@dataclass(frozen=True, slots=True)
class Overview:
    as_of: date
    active: int
    tracks: tuple[tuple[str, str], ...]  # (id, name), in the framework's order
    levels: tuple[tuple[str, str], ...]  # (id, name), by rank
    headcount: dict[tuple[str, str], int]  # (level id, track id) -> active people
    years: tuple[YearRates, ...]
    bands: dict[str, int]  # readiness band -> people (team_list.BANDS)
    gaps: tuple[tuple[str, int], ...]  # recognition gap bucket -> people, NEVER last


def overview(uow: UnitOfWork, today: date | None = None,
             memo: ReadinessMemo | None = None) -> Overview:
    today = today or clock.today()
    with uow.reading():
        framework = uow.frameworks.catalog[version_in_force(uow, today).id]
        rows = uow.state.rows(None, ("person_id", "role", "track", "level", "hired_on",
                                     "departed_on", "last_recognition_on"))
        first_year = min((r["hired_on"].year for r in rows if r["hired_on"]),
                         default=today.year)
        by_year = {**uow.events.count_by_year([EventKind.PROMOTION]),
                   **uow.events.count_by_year(MICRO_PROGRESSIONS, after_hire_day=True)}
    active = [r for r in rows if r["hired_on"] and not r["departed_on"] and r["role"]]
    headcount = Counter((r["level"], r["track"]) for r in active)
    levels = sorted(framework.levels.values(), key=lambda lv: lv.rank)
    promoted = EventKind.PROMOTION.value
    counted: Counter[tuple[int, bool]] = Counter()
    for (y, kind), n in by_year.items():
        counted[(y, kind == promoted)] += n
    years = tuple(YearRates(y, _person_years(rows, y, today), counted[(y, True)],
                            counted[(y, False)], y == today.year)
                  for y in range(first_year, today.year + 1))
    bands = band_counts(uow, today, memo)
    return Overview(today, len(active),
                    tuple((t.id, t.name) for t in framework.tracks.values()),
                    tuple((lv.id, lv.name) for lv in levels), dict(headcount), years,
                    bands,
                    _gaps(active, today))


def _person_years(rows: list[dict[str, object]], year: int, today: date) -> float:
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    days = 0
    for r in rows:
        hired, left = r["hired_on"], r["departed_on"]
        if not isinstance(hired, date):
            continue
        last = left if isinstance(left, date) else today
        overlap = (min(last, end) - max(hired, start)).days + 1
        days += max(0, overlap)
    return days / DAYS_A_YEAR


def _gaps(active: list[dict[str, object]], today: date) -> tuple[tuple[str, int], ...]:
    counts: Counter[str] = Counter()
    for r in active:
        last = r["last_recognition_on"]
        if not isinstance(last, date):
            counts[NEVER] += 1
            continue
        days = (today - last).days
        counts[next(name for bound, name in GAP_BUCKETS if bound is None or days <= bound)] += 1
    return (*((name, counts[name]) for _, name in GAP_BUCKETS), (NEVER, counts[NEVER]))
