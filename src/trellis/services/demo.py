"""The demo use case: a whole seeded organization, written through the ordinary import.

``run_demo`` loads the framework, generates the organization (trellis.demo) and imports it
with ``import_ledger``, so the demo ledger passes exactly the validation user files pass.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trellis.demo import DemoParameters, Organization, generate_organization
from trellis.domain.events import MICRO_PROGRESSIONS, EventKind
from trellis.domain.framework import Framework

from .attributes import demo_attributes
from .calibration_sessions import demo_calibration
from .case_demo import demo_cases
from .compensation_demo import demo_compensation
from .demo_reviews import demo_reviews, plan_demo_reviews
from .frameworks import load_framework
from .transfer import ReportProgress, import_ledger
from .unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class DemoSummary:
    framework: str
    seed: int
    years: float
    people: int
    active: int
    departed: int
    events: int
    events_by_kind: Mapping[str, int]
    person_years: float
    promotions_per_person_year: float
    micro_progressions_per_person_quarter: float  # hire-day baseline assessments left out
    params: DemoParameters
    rich_career: str | None  # handles worth looking at
    manager: str | None
    fragmented: str | None
    unrecognized: str | None
    generate_seconds: float = 0.0
    import_seconds: float = 0.0
    review_cycles: int = 0
    reviews: int = 0
    current_cycle: str | None = None

    def describe(self, where: str, *, is_default: bool = False) -> str:
        """What was made, and commands to explore it with real handles."""
        lines = [
            f"Generated a demo organization on the '{self.framework}' framework "
            f"(seed {self.seed}, {self.years:g} years) in {where}:",
            f"  {self.people:,} {'person' if self.people == 1 else 'people'} "
            f"({self.active:,} active, {self.departed:,} departed), "
            f"{self.events:,} events",
            f"  {self.promotions_per_person_year:.1%} promoted per person-year; "
            f"{self.micro_progressions_per_person_quarter:.1f} micro-progressions per "
            "person-quarter",
            *([f"  {self.review_cycles} yearly review cycles, {self.reviews:,} reviews"]
              if self.review_cycles else []),
            "",
            "Try:",
        ]
        if not is_default:
            lines.append(f"  export TRELLIS_DATABASE_URL={where}")
        examples: list[tuple[str, str]] = []
        if self.rich_career:
            examples += [(f"trellis profile {self.rich_career}", "a rich career"),
                         (f"trellis timeline {self.rich_career}",
                          "promotions and micro-progressions, in order")]
        if self.manager:
            examples.append((f"trellis person list --team {self.manager}", "a manager's team"))
        if self.fragmented:
            examples.append((f"trellis profile {self.fragmented}",
                             "duties spread across functions, never recognized"))
        if self.unrecognized:
            examples.append((f"trellis profile {self.unrecognized}",
                             "a long gap since the last recognition"))
        if self.current_cycle:
            examples.append((f"trellis review progress {self.current_cycle}",
                             "this year's review cycle: who is done, who is overdue"))
        width = max((len(c) for c, _ in examples), default=0)
        lines += [f"  {command:<{width}}  # {why}" for command, why in examples]
        if self.generate_seconds or self.import_seconds:
            lines += ["", f"(generated in {self.generate_seconds:.1f} s, written in "
                      f"{self.import_seconds:.1f} s)"]
        return "\n".join(lines)


def run_demo(
    uow_factory: Callable[[], UnitOfWork],
    *,
    framework: Framework,
    document: Mapping[str, Any],
    people: int,
    years: float,
    seed: int,
    author: str,
    today: date,
    progress: ReportProgress | None = None,
    params: DemoParameters | None = None,
) -> DemoSummary:
    """Load ``framework``, generate an organization ending ``today`` and import it."""
    load_framework(uow_factory(), framework, document, author=author, activate=True)
    started = time.perf_counter()
    org = generate_organization(framework, people=people, years=years, seed=seed, end=today,
                                params=params or DemoParameters())
    # The demo accounts' team (create_demo_accounts) has this year's reviews to write.
    manager = summarize(org, framework=framework.key, seed=seed, years=years).manager
    pending = ({p.handle for p in org.people if p.manager == manager} | {manager}
               if manager else set())
    reviews = plan_demo_reviews(org, framework, seed=seed, today=today, pending=pending)
    generated = time.perf_counter()
    import_ledger(uow_factory(), org.people, [*org.events, *reviews.events], author=author,
                  source="demo", on_progress=progress)
    demo_reviews(uow_factory(), reviews, author=author,
                 now=datetime.combine(today, datetime.min.time()))
    demo_attributes(uow_factory(), seed=seed, author=author)
    imported = time.perf_counter()
    summary = summarize(org, framework=framework.key, seed=seed, years=years,
                        generate_seconds=generated - started,
                        import_seconds=imported - generated,
                        review_cycles=len(reviews.cycles), reviews=len(reviews.events),
                        current_cycle=next((c.name for c in reviews.cycles
                                            if c.status.value == "open"), None))
    demo_cases(uow_factory, manager=summary.manager, today=today)
    demo_compensation(uow_factory, today=today, seed=seed, manager=summary.manager,
                      author=author)
    demo_calibration(uow_factory, manager=summary.manager, seed=seed, author=author)
    return summary


def summarize(org: Organization, *, framework: str, seed: int, years: float,
              generate_seconds: float = 0.0, import_seconds: float = 0.0,
              review_cycles: int = 0, reviews: int = 0,
              current_cycle: str | None = None) -> DemoSummary:
    """Counts and rates of a generated organization, and handles worth showing."""
    end = org.end.toordinal()
    hired: dict[str, int] = {}
    left: dict[str, int] = {}
    by_kind: Counter[str] = Counter()
    promotions: Counter[str] = Counter()
    micro_of: Counter[str] = Counter()
    shown: dict[str, set[EventKind]] = {}  # recognized, checked in: what a profile shows
    micro = 0
    for e in org.events:
        kind = e.details.kind
        by_kind[kind.value] += 1
        if kind in (EventKind.RECOGNITION, EventKind.CHECK_IN):
            shown.setdefault(e.person, set()).add(kind)
        if kind is EventKind.HIRE:
            hired[e.person] = e.effective_on.toordinal()
        elif kind is EventKind.DEPARTURE:
            left[e.person] = e.effective_on.toordinal()
        elif kind is EventKind.PROMOTION:
            promotions[e.person] += 1
        elif kind in MICRO_PROGRESSIONS and e.effective_on.toordinal() != hired.get(e.person):
            micro += 1
            micro_of[e.person] += 1
    person_years = sum((left.get(h, end) - d) / 365.25 for h, d in hired.items()) or 1.0

    active = [p.handle for p in org.people if p.handle not in left]
    individual = [h for h in active if h not in org.managers]
    # a rich career: promoted, many micro-progressions, and recognized and checked in (on
    # some dates the most promoted person had neither, and the profile looked empty)
    rich = max(individual or active, key=lambda h: (len(shown.get(h, ())), promotions[h],
                                                    micro_of[h]), default=None)
    reports = Counter(p.manager for p in org.people if p.manager and p.handle not in left)
    has_manager = {p.handle for p in org.people if p.manager}
    managers = [h for h in reports if h in has_manager] or list(reports)
    manager = max(managers, key=lambda h: (reports[h], h), default=None)

    def example(group: frozenset[str]) -> str | None:
        candidates = [h for h in individual if h in group]
        return max(candidates, key=lambda h: (micro_of[h], h), default=None)

    return DemoSummary(
        framework=framework, seed=seed, years=years, people=len(org.people),
        active=len(active), departed=len(left), events=len(org.events),
        events_by_kind=dict(by_kind.most_common()), person_years=round(person_years, 1),
        promotions_per_person_year=by_kind[EventKind.PROMOTION.value] / person_years,
        micro_progressions_per_person_quarter=micro / (4 * person_years),
        params=org.params, rich_career=rich, manager=manager,
        fragmented=example(org.fragmented),
        unrecognized=example(org.unrecognized - org.fragmented),
        generate_seconds=generate_seconds, import_seconds=import_seconds,
        review_cycles=review_cycles, reviews=reviews, current_cycle=current_cycle,
    )
