"""``trellis plan backtest --at DATE``: plan for everyone from their profile at DATE and
score the forecasts against what happened after.

On DATE, every person employed then with a role above theirs on the track gets a plan to
that next role, from their profile on DATE and a throughput model learned only from the
ledger up to DATE (nothing after it leaks in; its spread is fitted on plans drawn up
before DATE and followed up to DATE, services.plan_outcomes). Then their ledger after
DATE is folded day by day: the **readiness date** is the first day their readiness for
that target, before the freshness discount (``Readiness.coverage``), reaches 100: every
expected mastery, criterion, band level and points bar reached, on the framework in force
on DATE. A person who leaves first is **censored** at the departure; one still short when
the ledger ends, at its last event's date.

The forecast scored is the plan's, from the same throughput distribution, over its *gap*
steps: refreshes (new evidence for what is met on stale evidence) are left out of both
sides. A history records when people took steps, not when they would have refreshed
evidence for a plan that did not exist, and at the top of a scale a refresh is a
certification, which no throughput measures; people with only refreshes left are skipped.

Scoring: a reached date inside [P10, P90] is *inside*, before P10 *early*, after P90
*late*; a person censored after P90 is late too (they were not ready by P90). A person
censored on or before P90 cannot be scored: *undecided*, counted and left out. Coverage
is inside / (inside + early + late), and should be near 80%. The P50 error is the reached
date minus P50, in months (positive: later than forecast), over the people who reached it.

Both leave the undecided out, often most people two years out, and the undecided are
those whose forecast was still open: the slow among them would have been late, so
leaving them out can flatter the coverage and pull the P50 error early. So beside them:
**coverage counting the undecided** (``censored_coverage``): each person's *percentile*,
the forecast's probability of readiness by the date reached (or, censored, known only to
be above its value at the censoring), whose share in [0.1, 0.9] a calibrated forecast puts
at 80%, estimated by Kaplan-Meier over everyone planned. And the **spread's likelihood
interval** (``domain.throughput.spread_interval``): the spreads the earlier plans do not
rule out.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from trellis.domain.days import day_term
from trellis.domain.events import Event, EventKind
from trellis.domain.plan import forecast_of
from trellis.domain.readiness import DAYS_PER_MONTH
from trellis.domain.throughput import DAYS_PER_QUARTER, done_by, spread_interval
from trellis.errors import PlanRejected

from . import clock
from .effort import careers
from .plan_outcomes import calibrated_throughput, held_out_plans, plan_outcomes
from .unit_of_work import UnitOfWork


class BacktestRejected(PlanRejected):
    """A date the backtest cannot use: before the ledger, in the future, at its end."""


@dataclass(frozen=True, slots=True)
class Case:
    person_id: int
    handle: str
    target: str
    steps: int
    work: float
    p10: date
    p50: date
    p90: date
    reached_on: date | None
    censored_on: date | None
    censored_by: str  # "departure", "ledger end" or ""
    # The forecast's probability of readiness by the date reached, or by the censoring
    # (then the person's own percentile is known only to be above it).
    percentile: float = 0.5
    lanes: int = 0  # lanes (competencies, criteria topics) its steps lie in
    # The forecast's probability of readiness by the end of the person's follow-up (their
    # departure or the ledger's end, reached or not): what the scoring could see.
    followed: float = 1.0
    # Quarters of the person's own record of steps on the date (Throughput.own_quarters):
    # long records and one-lane plans are where forecasts ran fast (docs/plans.md).
    record: float = 0.0

    @property
    def calibrated(self) -> tuple[float, float, float]:
        """P(early), P(inside), P(late) were the forecast calibrated, given the follow-up:
        early below P10 (or the follow-up's end, if sooner), inside up to P90 (or the end),
        late only if the follow-up runs past P90; the rest undecided."""
        u = self.followed
        return min(0.1, u), max(0.0, min(0.9, u) - 0.1), 0.1 if u > 0.9 else 0.0

    @property
    def outcome(self) -> str:
        if self.reached_on is not None:
            if self.reached_on < self.p10:
                return "early"
            return "late" if self.reached_on > self.p90 else "inside"
        assert self.censored_on is not None
        return "late" if self.censored_on > self.p90 else "undecided"

    @property
    def error_months(self) -> float | None:
        if self.reached_on is None:
            return None
        return (self.reached_on - self.p50).days / DAYS_PER_MONTH


@dataclass(frozen=True, slots=True)
class Backtest:
    at: date
    ledger_end: date
    employed: int
    skipped: Mapping[str, int]  # why people employed on DATE got no plan
    cases: tuple[Case, ...]
    refreshes: bool = False  # refreshes counted on both sides
    spread: float = 0.0  # the model's, fitted on plans before ``at`` (plan_outcomes)
    spread_range: tuple[float, float] = (0.0, 0.0)  # its 95% likelihood interval

    def count(self, outcome: str) -> int:
        return sum(c.outcome == outcome for c in self.cases)

    @property
    def reached(self) -> int:
        return sum(c.reached_on is not None for c in self.cases)

    @property
    def censored(self) -> int:
        return len(self.cases) - self.reached

    @property
    def scored(self) -> int:
        return len(self.cases) - self.count("undecided")

    @property
    def coverage(self) -> float | None:
        return self.count("inside") / self.scored if self.scored else None

    @property
    def median_error(self) -> float | None:
        errors = [e for c in self.cases if (e := c.error_months) is not None]
        return statistics.median(errors) if errors else None

    @property
    def censored_coverage(self) -> float | None:
        """The share of everyone planned whose percentile falls in [0.1, 0.9], by
        Kaplan-Meier (the censored counted as above their percentile at the censoring)."""
        if not self.cases:
            return None
        return interval_share([(c.percentile, c.reached_on is not None)
                               for c in self.cases])

    @property
    def pit(self) -> tuple[float, ...]:
        """The percentiles' histogram in tenths, by Kaplan-Meier over everyone planned
        (``pit_histogram``): a tenth in each for a calibrated forecast."""
        return pit_histogram([(c.percentile, c.reached_on is not None) for c in self.cases])

    @property
    def calibrated_shares(self) -> tuple[float, float, float] | None:
        """The shares early, inside and late a calibrated forecast would score, given each
        person's follow-up (``calibrated_shares_of``)."""
        return calibrated_shares_of(self.cases)

    @property
    def median_abs_error(self) -> float | None:
        errors = [abs(e) for c in self.cases if (e := c.error_months) is not None]
        return statistics.median(errors) if errors else None


def calibrated_shares_of(cases: Sequence[Case]) -> tuple[float, float, float] | None:
    """Early, inside and late as shares of the scored that a calibrated forecast would give
    these people with their follow-up: the expected count of each over the expected count
    scored. Not 10/80/10 once follow-ups end before P90: a person whose P90 lies past the
    ledger's end can be early or inside but never late (censored before P90: undecided),
    so the scored over-represent the early."""
    expected = [c.calibrated for c in cases]
    scored = sum(sum(e) for e in expected)
    if scored <= 0:
        return None
    early, inside, late = (sum(e[k] for e in expected) / scored for k in range(3))
    return early, inside, late


def interval_share(points: Sequence[tuple[float, bool]], low: float = 0.1,
                   high: float = 0.9) -> float:
    """P(low <= U <= high) for U observed (True) or right-censored (False) at each point,
    from the Kaplan-Meier estimate of its survival: ``S(low-) - S(high)``. An event and a
    censoring at the same value: the event first. Past the last event, survival stays."""
    ordered = sorted(points, key=lambda p: (p[0], not p[1]))
    at_risk = len(ordered)
    survival = 1.0
    before_low = after_high = 1.0
    for u, observed in ordered:
        if observed:
            survival *= 1.0 - 1.0 / at_risk
        at_risk -= 1
        if u < low:
            before_low = survival
        if u <= high:
            after_high = survival
    return before_low - after_high


def pit_histogram(points: Sequence[tuple[float, bool]], bins: int = 10
                  ) -> tuple[float, ...]:
    """The probability integral transform's histogram: the mass of U (observed, True, or
    right-censored, False, at each point) in each of ``bins`` equal parts of [0, 1], by
    Kaplan-Meier (``interval_share`` for each part). Mass left past the last event (the
    censored above it) is shared out over the parts above the last event in proportion
    to their width: it is known only to lie there. Empty: ()."""
    if not points:
        return ()
    edges = [k / bins for k in range(bins + 1)]
    masses = [interval_share(points, edges[k], edges[k + 1]) if k + 1 < bins
              else interval_share(points, edges[k], 1.0 + 1e-9) for k in range(bins)]
    left = max(0.0, 1.0 - sum(masses))
    if left > 1e-12:
        last = max((u for u, observed in points if observed), default=0.0)
        room = [max(0.0, edges[k + 1] - max(edges[k], last)) for k in range(bins)]
        total = sum(room) or 1.0
        masses = [m + left * r / total for m, r in zip(masses, room, strict=True)]
    return tuple(masses)


def backtest(uow: UnitOfWork, at: date, *, refreshes: bool = False) -> Backtest:
    """Plans on ``at`` for everyone, scored against the ledger after it."""
    with uow.reading():
        by_person: dict[int, list[Event]] = defaultdict(list)
        for e in uow.events.stream():
            by_person[e.person_id].append(e)
        dated = [e.effective_on for events in by_person.values() for e in events
                 if e.kind is not EventKind.RETRACTION]
        if not dated:
            raise BacktestRejected("the ledger has no events to backtest")
        first, last = min(dated), max(dated)
        if at > clock.today():
            raise BacktestRejected("{at} {on} is in the future", at="the date planned from",
                                   on=day_term(at))
        if at < first:
            raise BacktestRejected("{at} {on} is before the ledger's first event ({first})",
                                   at="the date planned from", on=day_term(at),
                                   first=day_term(first))
        if at >= last:
            raise BacktestRejected("{at} {on} is on or after the ledger's last event "
                                   "({last}): nothing after it to score against",
                                   at="the date planned from", on=day_term(at),
                                   last=day_term(last))
        history = careers(uow)
        catalog = uow.frameworks.catalog
        held = held_out_plans(by_person, catalog, history, at)
        model = calibrated_throughput(by_person, catalog, history, at, held)
        found = plan_outcomes(by_person, catalog, history, model, at, last,
                              refreshes=refreshes)
        people = {p.id: p.handle for p in uow.people.all()}
        cases = []
        for o in found.cases:
            forecast = forecast_of(o.work, at, o.throughput)
            p10, p50, p90 = forecast.dates
            end = o.reached_on or o.censored_on
            assert end is not None
            percentile = done_by(o.work, (end - at).days / DAYS_PER_QUARTER, o.throughput)
            followed = done_by(o.work, ((o.followed_to or end) - at).days / DAYS_PER_QUARTER,
                               o.throughput)
            cases.append(Case(o.person_id, people.get(o.person_id, str(o.person_id)),
                              o.target, o.steps, forecast.work, p10, p50, p90, o.reached_on,
                              o.censored_on, o.censored_by, percentile, o.lanes,
                              followed, o.throughput.own_quarters))
        return Backtest(at, last, found.employed, found.skipped, tuple(cases), refreshes,
                        model.spread, spread_interval(held, model.spread))


def backtest_to_document(b: Backtest, *, limit: int | None = None) -> dict[str, Any]:
    def rounded(x: float | None, n: int = 2) -> float | None:
        return None if x is None else round(x, n)

    shown = b.cases if limit is None else b.cases[:limit]
    return {
        "at": b.at.isoformat(), "ledger_end": b.ledger_end.isoformat(),
        "refreshes": b.refreshes, "spread": b.spread,
        "spread_interval": list(b.spread_range),
        "employed": b.employed, "skipped": dict(b.skipped), "planned": len(b.cases),
        "reached": b.reached, "censored": b.censored, "scored": b.scored,
        "outcomes": {o: b.count(o) for o in ("inside", "early", "late", "undecided")},
        "coverage": rounded(b.coverage, 4),
        "coverage_counting_undecided": rounded(b.censored_coverage, 4),
        "calibrated_shares": None if (shares := b.calibrated_shares) is None else dict(
            zip(("early", "inside", "late"), (round(x, 4) for x in shares), strict=True)),
        "median_p50_error_months": rounded(b.median_error),
        "median_abs_p50_error_months": rounded(b.median_abs_error),
        "pit": [round(m, 4) for m in b.pit],
        "cases": [{"person": c.handle, "target": c.target, "steps": c.steps, "work": c.work,
                   "p10": c.p10.isoformat(), "p50": c.p50.isoformat(),
                   "p90": c.p90.isoformat(),
                   "reached_on": c.reached_on.isoformat() if c.reached_on else None,
                   "censored_on": c.censored_on.isoformat() if c.censored_on else None,
                   "censored_by": c.censored_by or None, "lanes": c.lanes,
                   "outcome": c.outcome,
                   "percentile": round(c.percentile, 4),
                   "followed": round(c.followed, 4)}
                  for c in shown],
    }
