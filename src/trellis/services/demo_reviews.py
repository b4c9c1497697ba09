"""The demo organization's yearly review cycles, so that every review page has data.

For the last two full years, a closed cycle with self and manager reviews; for this year an
open cycle (self, manager, peer) with some reviews in, some overdue and a few peers
nominated. Ratings follow each person's actual year: their micro-progressions and
promotions in the period, against everyone else's in the cycle, plus noise from the demo's
seeded generator; self ratings run a little above the manager's, as they do in real
reviews. Competency ratings sit around the mastery the person had reached.

``plan_demo_reviews`` is pure (the reviews join the demo's one import, so they pass the
same validation); ``demo_reviews`` writes the cycles, participants and nominations.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from trellis.demo import Organization
from trellis.domain.events import (
    MICRO_PROGRESSIONS,
    Departure,
    GoalOutcome,
    GoalResult,
    Hire,
    ItemRating,
    LateralMove,
    Promotion,
    Review,
    SkillStep,
)
from trellis.domain.framework import Framework, ReviewForm
from trellis.domain.records import EventRecord
from trellis.domain.reviews import CycleStatus, Nomination

from .unit_of_work import UnitOfWork

ITEMS_RATED = 6  # competencies rated per review: a demo review, not an exhaustive one
PEER_SHARE = 0.2  # of this year's participants with a manager, how many get a peer
_COMMENTS = {1: "A difficult year; we agreed a plan to get back on track.",
             2: "Some good moments; delivery and follow-through need to improve.",
             3: "A solid year: met what the role asks.",
             4: "A strong year: took on more than the role asks and delivered.",
             5: "An outstanding year: raised the bar for the team."}


@dataclass(frozen=True, slots=True)
class DemoCycle:
    name: str
    start: date
    end: date
    forms: tuple[ReviewForm, ...]
    due: dict[ReviewForm, date]
    status: CycleStatus
    people: tuple[str, ...]  # handles
    nominations: tuple[tuple[str, str, bool], ...] = ()  # reviewee, peer, anonymous


@dataclass(frozen=True, slots=True)
class DemoReviews:
    cycles: list[DemoCycle] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)


@dataclass(slots=True)
class _Career:
    """What the demo ledger says of one person, as the reviews need it."""

    hired: date | None = None
    left: date | None = None
    roles: list[tuple[date, str]] = field(default_factory=list)
    steps: list[tuple[date, str, int]] = field(default_factory=list)  # competency, mastery
    advances: list[tuple[date, int]] = field(default_factory=list)  # weight 1 or 3

    def role_on(self, day: date) -> str | None:
        return next((r for on, r in reversed(self.roles) if on <= day), None)

    def mastery_on(self, day: date) -> dict[str, int]:
        return {c: m for on, c, m in self.steps if on <= day}

    def progress(self, start: date, end: date) -> int:
        return sum(w for on, w in self.advances if start <= on <= end)


def _careers(org: Organization) -> dict[str, _Career]:
    out: dict[str, _Career] = defaultdict(_Career)
    for e in org.events:
        c, d = out[e.person], e.details
        if isinstance(d, Hire):
            c.hired = e.effective_on
            c.roles.append((e.effective_on, d.role))
        elif isinstance(d, Promotion | LateralMove):
            c.roles.append((e.effective_on, d.role))
            c.advances.append((e.effective_on, 3 if isinstance(d, Promotion) else 1))
        elif isinstance(d, Departure):
            c.left = e.effective_on
        if isinstance(d, SkillStep):
            c.steps.append((e.effective_on, d.competency, d.to_mastery))
        if d.kind in MICRO_PROGRESSIONS and e.effective_on != c.hired:
            c.advances.append((e.effective_on, 1))
    return out


def plan_demo_reviews(org: Organization, framework: Framework, *, seed: int, today: date,
                      pending: Collection[str] = ()) -> DemoReviews:
    """The cycles and review events for ``org``. ``pending``: people whose reviews in this
    year's cycle are left to write (the demo accounts' team, to walk a cycle by hand)."""
    rnd = random.Random(f"reviews-{seed}")
    careers = _careers(org)
    managers = {p.handle: p.manager for p in org.people}
    allowed = framework.reviews.forms
    plan = DemoReviews()
    line = len(org.people) + len(org.events) + 1
    for year in (today.year - 2, today.year - 1, today.year):
        start, end = date(year, 1, 1), date(year, 12, 31)
        if end < org.start or start > today:
            continue
        current = year == today.year
        forms = tuple(f for f in (ReviewForm.SELF, ReviewForm.MANAGER)
                      + ((ReviewForm.PEER,) if current else ()) if f in allowed)
        if not forms:
            return plan
        if current:
            late = today - timedelta(days=7)  # self reviews are overdue (not in January)
            due = {ReviewForm.SELF: late if late >= start else today + timedelta(days=14),
                   ReviewForm.MANAGER: today + timedelta(days=14),
                   ReviewForm.PEER: today + timedelta(days=14)}
            when = today
        else:
            due = {ReviewForm.SELF: date(year + 1, 1, 15),
                   ReviewForm.MANAGER: date(year + 1, 1, 31)}
            when = due[ReviewForm.MANAGER]
        due = {f: on for f, on in due.items() if f in forms}
        people = [h for h, c in careers.items()
                  if c.hired is not None and c.hired <= min(when, end) - timedelta(days=60)
                  and (c.left is None or c.left > when)]
        if not people:
            continue
        scores = [careers[h].progress(start, min(end, today)) for h in people]
        mean, sd = statistics.fmean(scores), statistics.pstdev(scores) or 1.0
        nominations: list[tuple[str, str, bool]] = []
        for handle, score in zip(people, scores, strict=True):
            career = careers[handle]
            boss = managers.get(handle)
            latent = 3 + 0.9 * (score - mean) / sd + rnd.gauss(0, 0.5)
            role = career.role_on(min(end, today))
            held = career.mastery_on(min(end, today))
            if current and handle in pending:
                continue
            writes: list[tuple[ReviewForm, str, date]] = []
            if current:
                if rnd.random() < 0.65:  # the rest are overdue
                    writes.append((ReviewForm.SELF, handle,
                                   today - timedelta(days=rnd.randint(8, 40))))
                    if boss and boss not in pending and _present(careers[boss], today) \
                            and rnd.random() < 0.5:
                        writes.append((ReviewForm.MANAGER, boss,
                                       today - timedelta(days=rnd.randint(1, 7))))
            else:
                writes.append((ReviewForm.SELF, handle,
                               date(year + 1, 1, 2) + timedelta(days=rnd.randint(0, 12))))
                if boss and _present(careers[boss], when):
                    writes.append((ReviewForm.MANAGER, boss,
                                   date(year + 1, 1, 16) + timedelta(days=rnd.randint(0, 14))))
            for form, reviewer, on in writes:
                on = min(on, today)  # early in January, last year's reviews are still due
                on = max(on, start) if current else on
                if form not in forms:
                    continue
                bias = 0.35 + rnd.gauss(0, 0.5) if form is ReviewForm.SELF else 0.0
                plan.events.append(EventRecord(
                    line, handle, on, _review(framework, rnd, str(year), form, reviewer,
                                              latent + bias, role, held),
                    None, datetime.combine(on, time(17, 30)), reviewer))
                line += 1
            if current and ReviewForm.PEER in forms and boss and rnd.random() < PEER_SHARE:
                mates = [h for h in people if managers.get(h) == boss and h != handle]
                if mates:
                    nominations.append((handle, rnd.choice(mates), rnd.random() < 0.5))
        written = [(r, p) for r, p, _ in nominations if p not in pending]
        for reviewee, peer in written[::2]:  # half the nominated peers have written
            on = max(start, today - timedelta(days=rnd.randint(1, 20)))
            plan.events.append(EventRecord(
                line, reviewee, on, _review(framework, rnd, str(year), ReviewForm.PEER, peer,
                                            3 + rnd.gauss(0.3, 0.8), None, {}),
                None, datetime.combine(on, time(17, 30)), peer))
            line += 1
        plan.cycles.append(DemoCycle(str(year), start, end, forms, due,
                                     CycleStatus.OPEN if current else CycleStatus.CLOSED,
                                     tuple(people), tuple(nominations)))
    return plan


def _present(career: _Career, day: date) -> bool:
    """Hired by ``day`` and not gone: someone who can write a review then."""
    return (career.hired is not None and career.hired <= day
            and (career.left is None or career.left > day))


def _review(framework: Framework, rnd: random.Random, cycle: str, form: ReviewForm,
            reviewer: str, latent: float, role_id: str | None,
            held: dict[str, int]) -> Review:
    scale = framework.reviews.rating
    rating = min(scale.max, max(scale.min, round(latent)))
    role = framework.roles.get(role_id) if role_id else None
    ratings = []
    for cid in list(role.expects)[:ITEMS_RATED] if role else ():
        competency = framework.competencies.get(cid)
        if competency is None:
            continue
        around = held.get(cid, 0) + rnd.choice((-1, 0, 0, 0, 1))
        ratings.append(ItemRating(cid, min(competency.scale.max, max(0, around))))
    share = min(100.0, max(0.0, 55 + 10 * rating + rnd.gauss(0, 6)))
    result = (GoalOutcome.MET if share >= 85 else GoalOutcome.PARTLY if share >= 65
              else GoalOutcome.NOT)
    goals = (GoalResult("delivery against the year's plan (%)", result, round(share, 1)),)
    return Review(cycle, form, rating, tuple(ratings),
                  goals if form is not ReviewForm.PEER else (),
                  _COMMENTS.get(rating) if form is ReviewForm.MANAGER else None, reviewer)


def demo_reviews(uow: UnitOfWork, plan: DemoReviews, *, author: str, now: datetime) -> int:
    """Write the planned cycles, their participants and nominations (the reviews are
    already in the ledger); returns how many cycles."""
    with uow:
        ids = {p.handle: p.id for p in uow.people.all()}
        for c in plan.cycles:
            opened = datetime.combine(c.start, time(9))
            cycle = uow.reviews.add_cycle(c.name, c.start, c.end, c.forms, c.due, None,
                                          author, opened)
            uow.reviews.add_participants(cycle.id, [ids[h] for h in c.people])
            for reviewee, peer, anonymous in c.nominations:
                uow.reviews.add_nomination(Nomination(cycle.id, ids[reviewee], ids[peer],
                                                      anonymous, author), opened)
            if c.status is CycleStatus.CLOSED:  # closed the day after the last due date
                closed = datetime.combine(max(c.due.values(), default=c.end)
                                          + timedelta(days=1), time(9))
                uow.reviews.set_status(cycle.id, c.status, min(closed, now))
        uow.commit()
    return len(plan.cycles)
