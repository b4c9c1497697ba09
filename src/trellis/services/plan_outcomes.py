"""Plans drawn up on a past date for everyone, and what happened after: the backtest's
cases (services.plan_backtest) and the held-out plans the throughput model fits its
spread on (``calibrated_throughput``).

On DATE, every person employed then with a role above theirs on the track gets a plan to
that next role, from their profile on DATE and a throughput model learned only from the
ledger up to DATE. Their ledger after DATE, up to ``until``, is then folded day by day:
the **readiness date** is the first day their readiness for that target, before the
freshness discount (``Readiness.coverage``), reaches 100 (after it, with ``refreshes``).
A person who leaves first is censored at the departure; one still short on ``until``, at
``until`` (the ledger's end for the backtest).

**Spread.** The gamma posterior of a person's throughput says how well their own record
and their peers' pin down their pace; it does not know how much the share of it that goes
to *these* steps varies (a plan's last gaps lie in one or two lanes, where the person
works less than the group's focus says). So the model measures it on its own history: on
the days one, two and three years before the model's date (``HELD_OUT_YEARS``) it draws
up everyone's plan with the model learned then, follows them to the model's date, and fits
the spread that makes those outcomes likeliest (``domain.throughput.fit_spread``,
censoring counted by survival). Nothing after the model's date is read, so a backtest on
DATE stays blind to what followed. Past ``MAX_HELD_OUT`` people, every n-th by id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from trellis.domain.events import Event, EventKind
from trellis.domain.framework import Framework
from trellis.domain.plan import (
    StepKind,
    Target,
    make_plan,
    resolve_target,
    target_readiness,
)
from trellis.domain.profile import ProfileBuilder, live_events, order
from trellis.domain.throughput import (
    DAYS_PER_QUARTER,
    Career,
    HeldOut,
    Throughput,
    ThroughputModel,
    fit_spread,
    learn_throughput,
    person_throughput,
)
from trellis.errors import PlanRejected

# Only these can raise readiness; other days need no assessment.
RAISING = frozenset({EventKind.SKILL_STEP, EventKind.DEMONSTRATED, EventKind.ASSESSED,
                     EventKind.CERTIFICATION, EventKind.VERIFICATION, EventKind.REVIEW,
                     EventKind.CALIBRATION})
# How many years before the model's date its held-out plans start: several horizons, so the
# fit sees short plans reached and long ones under way, and one window's luck weighs less.
HELD_OUT_YEARS = (1, 2, 3)
MAX_HELD_OUT = 400  # people planned on each start for the spread's fit (every n-th by id)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One person's plan on the day and what followed."""

    person_id: int
    target: str
    steps: int
    work: float
    throughput: Throughput
    reached_on: date | None
    censored_on: date | None
    censored_by: str  # "departure", "ledger end" or ""
    lanes: int = 0  # lanes (competencies, criteria topics) the scored steps lie in
    # How far the ledger follows the person, whatever they reached: their departure, or
    # ``until`` (a reached person would have been censored there had they not been).
    followed_to: date | None = None


@dataclass(frozen=True)
class Outcomes:
    employed: int
    skipped: Mapping[str, int] = field(default_factory=dict)
    cases: tuple[Outcome, ...] = ()


def plan_outcomes(by_person: Mapping[int, Sequence[Event]], catalog: Mapping[int, Framework],
                  history: Mapping[int, Career], model: ThroughputModel, at: date,
                  until: date, *, refreshes: bool = False,
                  person_ids: Sequence[int] | None = None) -> Outcomes:
    """Plans on ``at`` for everyone (or ``person_ids``), followed up to ``until``."""
    skipped: Counter[str] = Counter()
    cases: list[Outcome] = []
    employed = 0
    for person_id in sorted(by_person) if person_ids is None else person_ids:
        builder = ProfileBuilder(person_id, catalog)
        ordered = order(live_events(by_person[person_id]))
        k = 0
        while k < len(ordered) and ordered[k].effective_on <= at:
            builder.apply(ordered[k])
            k += 1
        profile = builder.snapshot(at)
        if not profile.active or profile.framework_version is None:
            continue
        employed += 1
        framework = catalog[profile.framework_version]
        try:
            target = resolve_target(framework, profile)
            throughput = person_throughput(model, history.get(person_id), at,
                                           profile.track, profile.level)
            plan = make_plan(profile, framework, target, model, throughput, start=at,
                             framework_version=profile.framework_version)
        except PlanRejected as exc:
            skipped[_why(str(exc))] += 1
            continue
        gaps = [s for s in plan.steps if refreshes or s.kind is not StepKind.REFRESH]
        if not gaps:
            skipped["only refreshes left"] += 1
            continue
        after = ordered[k:]
        reached, censored, why = _follow(builder, after, framework, target, until,
                                         refreshes)
        followed_to = censored or next(
            (e.effective_on for e in after if e.kind is EventKind.DEPARTURE
             and e.effective_on <= until), until)
        lanes = {("topic", s.topic) if s.criterion else ("competency", s.competency)
                 for s in gaps}
        cases.append(Outcome(person_id, target.role or target.label, len(gaps),
                             sum(s.difficulty for s in gaps), plan.throughput or throughput,
                             reached, censored, why, len(lanes), followed_to))
    return Outcomes(employed, dict(skipped), tuple(cases))


def _follow(builder: ProfileBuilder, after: Sequence[Event], framework: Framework,
            target: Target, until: date, refreshes: bool
            ) -> tuple[date | None, date | None, str]:
    """(reached on, censored on, censored by) from the events after the plan's day."""
    for e in after:
        if e.effective_on > until:
            break
        if e.kind is EventKind.DEPARTURE:
            return None, e.effective_on, "departure"
        builder.apply(e)
        if e.kind in RAISING:
            found = target_readiness(builder.snapshot(e.effective_on), framework, target)
            if (found.score if refreshes else found.coverage) >= 100 - 1e-9:
                return e.effective_on, None, ""
    return None, until, "ledger end"


def _why(message: str) -> str:
    if "already meets" in message:
        return "already ready"
    if "no role above" in message:
        return "top of track"
    return "out of reach"


def held_out(outcomes: Outcomes, at: date) -> list[HeldOut]:
    """The outcomes as the spread's fit reads them: quarters from ``at`` to readiness, or
    to the censoring."""
    out = []
    for c in outcomes.cases:
        end = c.reached_on or c.censored_on
        assert end is not None
        out.append(HeldOut(c.work, c.throughput, (end - at).days / DAYS_PER_QUARTER,
                           c.reached_on is not None))
    return out


def held_out_people(person_ids: Iterable[int]) -> list[int]:
    """The people the spread is fitted on: everyone, or every n-th by id past
    ``MAX_HELD_OUT`` (a deterministic sample: the same ledger fits the same spread)."""
    ids = sorted(person_ids)
    if len(ids) > MAX_HELD_OUT:
        ids = ids[::-(-len(ids) // MAX_HELD_OUT)]
    return ids


def held_out_plans(by_person: Mapping[int, Sequence[Event]],
                   catalog: Mapping[int, Framework], history: Mapping[int, Career],
                   until: date) -> list[HeldOut]:
    """The plans the model would have drawn up ``HELD_OUT_YEARS`` before ``until`` (each
    start after the first hire), each with the model learned on its start, followed up to
    ``until``."""
    hired = [c.hired_on for c in history.values()]
    ids = held_out_people(by_person)
    cases: list[HeldOut] = []
    for years in HELD_OUT_YEARS:
        start = until - timedelta(days=round(years * 365.25))
        if not hired or start <= min(hired):
            continue
        earlier = learn_throughput(history.values(), start)
        outcomes = plan_outcomes(by_person, catalog, history, earlier, start, until,
                                 person_ids=ids)
        cases += held_out(outcomes, start)
    return cases


def calibrated_throughput(by_person: Mapping[int, Sequence[Event]],
                          catalog: Mapping[int, Framework], history: Mapping[int, Career],
                          until: date, held: Sequence[HeldOut] | None = None
                          ) -> ThroughputModel:
    """The throughput model learned up to ``until``, with the spread fitted on the plans
    it would have drawn up before (``held_out_plans``, or ``held`` when given): one
    likelihood over them all."""
    model = learn_throughput(history.values(), until)
    if held is None:
        held = held_out_plans(by_person, catalog, history, until)
    return replace(model, spread=fit_spread(held))
