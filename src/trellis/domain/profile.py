"""A person's profile at a date: the pure fold of their ledger.

``fold`` replays a person's live events in date order through ``ProfileBuilder.apply``,
which enforces the ledger's rules as it goes: the same code checks a new event, an import
and a retraction, so the ledger can never describe an impossible career.

Retractions are corrections, not history: a retracted event is left out of every profile,
whatever the date asked for.

Pending verification: an event the person recorded about themselves, of a kind the
framework's ``verification.pending`` lists, is checked like any other but *held*: it moves
nothing (mastery, bands, band pay steps, criteria, certifications) and the profile lists
it under ``pending``. A ``verification`` event by someone else releases it on the
verification's date: its own effects keep its own date (a mastery step is dated when it
was taken), while what it unlocks then (a band upgrade and its pay step) is dated on the
verification, so pay is never back-dated. A profile at an earlier date, before the
verification, still shows it pending.
"""

from __future__ import annotations

from bisect import insort
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from types import MappingProxyType
from typing import NamedTuple

from trellis.errors import LedgerRuleBroken, Term

from . import limits
from .days import day_term
from .events import (
    MICRO_PROGRESSIONS,
    Assessed,
    Calibration,
    Certification,
    CheckIn,
    Compensation,
    CompensationKind,
    Demonstrated,
    Departure,
    Details,
    Event,
    EventKind,
    GoalResult,
    Hire,
    ItemRating,
    LateralMove,
    ProjectLeadership,
    Promotion,
    Recognition,
    Responsibility,
    Retraction,
    Review,
    SkillStep,
    Verification,
)
from .framework import Competency, Framework, ReviewForm, SkillBand
from .framework_versions import in_force


class LayerStep(NamedTuple):
    """One nano-level upgrade: a mastery step in one competency on a date."""

    on: date
    from_mastery: int
    to_mastery: int
    event_id: int


class CompetencyLayer(NamedTuple):
    competency: str
    mastery: int
    reached_on: date
    steps: tuple[LayerStep, ...]


class RecognitionEntry(NamedTuple):
    on: date
    event_id: int
    recognition_kind: str
    points: int
    citation: str
    giver: str | None


class Milestone(NamedTuple):
    """A dated line of the profile: a certification or a project led."""

    on: date
    event_id: int
    title: str
    competency: str | None = None  # a certification may name the competency it evidences


class BandUpgrade(NamedTuple):
    """A skill band's level rose: a recognized micro-progression with no change of title.

    Derived by the fold from the skill step that triggered it, so retracting that step
    retracts the upgrade (and its pay step) too.
    """

    on: date
    band: str
    from_level: int
    to_level: int
    trigger: int  # the event id of the skill step
    pay_before: int | None
    pay_after: int | None


class Assessment(NamedTuple):
    """The latest assessment of a criterion by one kind of assessor."""

    on: date
    proficiency: int
    event_id: int


class CriterionRecord(NamedTuple):
    """What a person's ledger says of one criterion: when it was last demonstrated (and how
    often), and each kind of assessor's latest assessment, kept apart."""

    criterion: str
    demonstrated_on: date | None = None
    demonstrated_event: int | None = None
    demonstrations: int = 0
    assessments: Mapping[str, Assessment] = MappingProxyType({})


class ReviewRecord(NamedTuple):
    """One submitted review as the profile keeps it (who wrote it stays in the ledger: a
    peer may be anonymous to the person)."""

    on: date
    event_id: int
    rating: int
    ratings: tuple[ItemRating, ...] = ()
    goals: tuple[GoalResult, ...] = ()
    comment: str | None = None
    calibrated: int | None = None  # the rating a calibration session set (manager reviews)
    calibration_event: int | None = None  # the latest live calibration event

    @property
    def overall(self) -> int:
        """The rating that counts: the calibrated one, else the reviewer's own."""
        return self.rating if self.calibrated is None else self.calibrated


CycleReviews = Mapping[str, tuple[ReviewRecord, ...]]
"""A cycle's reviews by reviewer role: the latest self and manager review, and each peer and
upward review (one per reviewer). Self and manager sit side by side; nothing averages them."""

RECENT_RECOGNITIONS = 10


@dataclass(frozen=True, slots=True)
class RecognitionSummary:
    """Recognition so far: totals and the latest few (the timeline holds every one)."""

    count: int = 0
    points: int = 0
    by_kind: Mapping[str, int] = field(default_factory=dict)
    recent: tuple[RecognitionEntry, ...] = ()

    @property
    def last_on(self) -> date | None:
        return self.recent[-1].on if self.recent else None


@dataclass(frozen=True, slots=True)
class Profile:
    person_id: int
    as_of: date
    hired_on: date | None
    departed_on: date | None
    role: str | None
    title: str | None
    track: str | None
    level: str | None
    level_rank: int | None
    pay: int | None
    currency: str | None
    role_since: date | None
    last_promotion_on: date | None
    promotions: int
    mastery: Mapping[str, CompetencyLayer]
    responsibilities: Mapping[str, float]
    recognitions: RecognitionSummary
    certifications: tuple[Milestone, ...]
    projects: tuple[Milestone, ...]
    micro_progressions: Mapping[str, int]
    bonuses: int
    engagement: int | None
    last_event_on: date | None
    framework_version: int | None
    bands: Mapping[str, int] = field(default_factory=dict)  # band id -> level (0: none)
    band_upgrades: tuple[BandUpgrade, ...] = ()
    criteria: Mapping[str, CriterionRecord] = field(default_factory=dict)
    reviews: Mapping[str, CycleReviews] = field(default_factory=dict)  # by cycle
    pending: tuple[Event, ...] = ()  # held until someone else verifies them, in ledger order

    @property
    def active(self) -> bool:
        return self.hired_on is not None and self.departed_on is None

    def mastery_of(self, competency: str) -> int:
        layer = self.mastery.get(competency)
        return layer.mastery if layer else 0

    def evidence_on(self, competency: str) -> date | None:
        """The latest evidence of a competency: its last step, or a certification naming it."""
        layer = self.mastery.get(competency)
        dates = [c.on for c in self.certifications if c.competency == competency]
        if layer is not None:
            dates.append(layer.reached_on)
        return max(dates, default=None)

    @property
    def months_in_role(self) -> float | None:
        return _months(self.role_since, self.as_of)

    @property
    def months_since_promotion(self) -> float | None:
        return _months(self.last_promotion_on or self.hired_on, self.as_of)

    @property
    def last_recognition_on(self) -> date | None:
        return self.recognitions.last_on


def _months(start: date | None, end: date) -> float | None:
    return None if start is None else round((end - start).days / 30.4375, 1)


@dataclass
class ProfileBuilder:
    """The mutable state of a fold. ``apply`` checks each event against it, then applies it."""

    person_id: int
    frameworks: Mapping[int, Framework]
    hired_on: date | None = None
    departed_on: date | None = None
    role: str | None = None
    pay: int | None = None
    currency: str | None = None
    role_since: date | None = None
    last_promotion_on: date | None = None
    promotions: int = 0
    steps: dict[str, list[LayerStep]] = field(default_factory=dict)
    responsibilities: dict[str, float] = field(default_factory=dict)
    recognition_count: int = 0
    recognition_points: int = 0
    recognition_kinds: Counter[str] = field(default_factory=Counter)
    recent_recognitions: deque[RecognitionEntry] = field(
        default_factory=lambda: deque(maxlen=RECENT_RECOGNITIONS))
    certifications: list[Milestone] = field(default_factory=list)
    projects: list[Milestone] = field(default_factory=list)
    micro: Counter[str] = field(default_factory=Counter)
    bonuses: int = 0
    engagement: int | None = None
    last_event_on: date | None = None
    version: int | None = None
    band_levels: dict[str, int] = field(default_factory=dict)
    band_upgrades: list[BandUpgrade] = field(default_factory=list)
    criteria: dict[str, CriterionRecord] = field(default_factory=dict)
    reviews: dict[str, dict[str, tuple[ReviewRecord, ...]]] = field(default_factory=dict)
    pending: dict[int, Event] = field(default_factory=dict)  # event id -> the held event
    released: Event | None = None  # the held event the last verification applied, if any

    def apply(self, event: Event) -> None:
        d, on = event.details, event.effective_on
        framework = self._framework(event.framework_version)
        self.released = None
        if isinstance(d, Hire):
            if self.hired_on is not None and self.departed_on is None:
                raise LedgerRuleBroken("{kind} on {on}: already hired on {hired}",
                                       **_refused(d, on), hired=day_term(self.hired_on))
            self._known_role(framework, d.role, event)
            self.hired_on, self.departed_on = on, None
            self.role, self.role_since, self.pay = d.role, on, d.pay
            self.currency = d.currency or framework.currency
        else:
            if self.hired_on is None:
                raise LedgerRuleBroken("{kind} on {on} is before the hire", **_refused(d, on))
            if self.departed_on is not None:
                raise LedgerRuleBroken("{kind} on {on} is after the departure on {left}",
                                       **_refused(d, on), left=day_term(self.departed_on))
            if event.self_reported and d.kind.value in framework.verification.pending:
                self._hold(event, framework)
                return
            self._apply_change(event, framework)
        kind = d.kind
        if kind in MICRO_PROGRESSIONS:
            self.micro[kind.value] += 1
        self.last_event_on, self.version = on, event.framework_version

    def _apply_change(self, event: Event, framework: Framework) -> None:
        _CHANGES[type(event.details)](self, event, framework)

    def _move(self, event: Event, framework: Framework) -> None:
        d, on = event.details, event.effective_on
        assert isinstance(d, Promotion | LateralMove) and self.role is not None
        self._known_role(framework, d.role, event)
        old_rank, new_rank = _rank(framework, self.role), framework.rank_of(d.role)
        if isinstance(d, Promotion):
            if new_rank <= old_rank:
                raise LedgerRuleBroken(
                    "{kind} on {on} to {role} (level {level}) is not above the current level "
                    "{current}", **_refused(d, on), role=framework.roles[d.role].term,
                    level=_level(framework, d.role), current=_level(framework, self.role))
            self.promotions += 1
            self.last_promotion_on = on
        else:
            if d.role == self.role:
                raise LedgerRuleBroken("{kind} on {on}: already in role {role}",
                                       **_refused(d, on), role=framework.roles[d.role].term)
            if new_rank > old_rank:
                raise LedgerRuleBroken(
                    "{kind} on {on} to {role} goes up a level: record it as {promotion}",
                    **_refused(d, on), role=framework.roles[d.role].term,
                    promotion=EventKind.PROMOTION.term)
        self.role, self.role_since = d.role, on
        if d.pay is not None:
            self.pay = d.pay

    def _skill_step(self, event: Event, framework: Framework) -> None:
        d, on = event.details, event.effective_on
        assert isinstance(d, SkillStep)
        comp = self._check_step(d, on, framework)
        self.steps.setdefault(d.competency, []).append(
            LayerStep(on, d.from_mastery, d.to_mastery, event.id))
        band = framework.bands[comp.band]
        if band.levels:
            self._band_check(band, on, event.id)

    def _check_step(self, d: SkillStep, on: date, framework: Framework) -> Competency:
        comp = framework.competencies.get(d.competency)
        if comp is None:
            raise LedgerRuleBroken("{kind} on {on}: unknown competency {given}",
                                   **_refused(d, on), given=_given(d.competency))
        current = self._claimed(d.competency)
        if d.from_mastery != current:
            held = " (counting steps pending verification)" if self.pending else ""
            raise LedgerRuleBroken(
                f"{{kind}} on {{on}}: {{competency}} is at mastery {current}{held}, "
                f"not {d.from_mastery}", **_refused(d, on), competency=comp.term)
        if d.to_mastery > comp.scale.max:
            raise LedgerRuleBroken(
                f"{{kind}} on {{on}}: mastery {d.to_mastery} is above the {{competency}} "
                f"scale's maximum {comp.scale.max}", **_refused(d, on), competency=comp.term)
        return comp

    def _claimed(self, competency: str) -> int:
        """The mastery the ledger's latest step claims, pending or not: the next step,
        whoever records it, builds on it."""
        steps = self.steps.get(competency)
        latest = (steps[-1].on, steps[-1].event_id, steps[-1].to_mastery) if steps else None
        for held in self.pending.values():  # usually none; a few at most
            d = held.details
            if isinstance(d, SkillStep) and d.competency == competency and (
                    latest is None or (held.effective_on, held.id) > latest[:2]):
                latest = (held.effective_on, held.id, d.to_mastery)
        return latest[2] if latest else 0

    def _band_check(self, band: SkillBand, on: date, trigger: int) -> None:
        mastery = {c: s[-1].to_mastery for c in band.competencies if (s := self.steps.get(c))}
        level, before = band.level_of(mastery), self.band_levels.get(band.id, 0)
        if level <= before:
            return
        pay_before = self.pay
        for passed in band.levels:
            if before < passed.level <= level and passed.pay_step is not None:
                self.pay = _bounded(passed.pay_step.applied_to(self.pay), "pay", on)
        self.band_levels[band.id] = level
        self.band_upgrades.append(BandUpgrade(on, band.id, before, level, trigger,
                                              pay_before, self.pay))
        self.micro["band_upgrade"] += 1

    # --- pending verification

    def _hold(self, event: Event, framework: Framework) -> None:
        """Check a self-reported event as if it counted, then keep it pending."""
        d, on = event.details, event.effective_on
        if isinstance(d, SkillStep):
            self._check_step(d, on, framework)
        elif isinstance(d, Certification):
            self._check_certification(d, on, framework)
        elif isinstance(d, Demonstrated):
            self._check_demonstrated(event, framework)
        elif isinstance(d, Responsibility):
            self._check_function(d, on, framework)
        self.pending[event.id] = event

    def _release(self, held: Event, verification: Event) -> None:
        """Apply a held event its verification released: on its own date, with what it
        unlocks (a band upgrade, its pay step) dated on the verification."""
        d, on = held.details, held.effective_on
        framework = self._framework(held.framework_version)
        if isinstance(d, SkillStep):
            insort(self.steps.setdefault(d.competency, []),
                   LayerStep(on, d.from_mastery, d.to_mastery, held.id), key=_STEP_ORDER)
            band = framework.bands[framework.competencies[d.competency].band]
            if band.levels:
                self._band_check(band, verification.effective_on, held.id)
        elif isinstance(d, Certification):
            insort(self.certifications, Milestone(on, held.id, d.certification, d.competency),
                   key=_STEP_ORDER)
        elif isinstance(d, ProjectLeadership):
            insort(self.projects, Milestone(on, held.id, d.project), key=_STEP_ORDER)
        elif isinstance(d, Demonstrated):
            record = self.criteria.get(d.criterion) or CriterionRecord(d.criterion)
            later = record.demonstrated_on is not None and record.demonstrated_on > on
            self.criteria[d.criterion] = record._replace(
                demonstrated_on=record.demonstrated_on if later else on,
                demonstrated_event=record.demonstrated_event if later else held.id,
                demonstrations=record.demonstrations + 1)
        else:
            self._apply_change(held, framework)
        if d.kind in MICRO_PROGRESSIONS:
            self.micro[d.kind.value] += 1
        self.released = held

    def _criterion(self, event: Event, framework: Framework) -> CriterionRecord:
        d, on = event.details, event.effective_on
        assert isinstance(d, Demonstrated | Assessed)
        if d.criterion not in framework.criteria:
            raise LedgerRuleBroken("{kind} on {on}: unknown criterion {given} in {framework}",
                                   **_refused(d, on), given=_given(d.criterion),
                                   framework=framework.term)
        return self.criteria.get(d.criterion) or CriterionRecord(d.criterion)

    def _demonstrated(self, event: Event, framework: Framework) -> None:
        record = self._check_demonstrated(event, framework)
        self.criteria[record.criterion] = record._replace(
            demonstrated_on=event.effective_on, demonstrated_event=event.id,
            demonstrations=record.demonstrations + 1)

    def _check_demonstrated(self, event: Event, framework: Framework) -> CriterionRecord:
        record = self._criterion(event, framework)
        if not event.evidence:
            raise LedgerRuleBroken("{kind} on {on}: give the evidence (text or a link) that "
                                   "shows {criterion}", **_refused(event.details,
                                                                   event.effective_on),
                                   criterion=framework.criteria[record.criterion].term)
        return record

    def _assessed(self, event: Event, framework: Framework) -> None:
        d = event.details
        assert isinstance(d, Assessed)
        record = self._criterion(event, framework)
        top = framework.criteria_policy.scale.max
        if d.proficiency > top:
            raise LedgerRuleBroken(f"{{kind}} on {{on}}: proficiency {d.proficiency} is above "
                                   f"the scale's maximum {top}",
                                   **_refused(d, event.effective_on))
        self.criteria[record.criterion] = record._replace(assessments={
            **record.assessments,
            d.assessor.value: Assessment(event.effective_on, d.proficiency, event.id)})

    def _review(self, event: Event, framework: Framework) -> None:
        d, on = event.details, event.effective_on
        assert isinstance(d, Review)
        allowed, scale = framework.reviews.forms, framework.reviews.rating
        if d.reviewer_role not in allowed:
            raise LedgerRuleBroken(f"{{kind}} on {{on}}: {{framework}} has no "
                                   f"{d.reviewer_role} reviews (its forms: "
                                   f"{', '.join(allowed)})", **_refused(d, on),
                                   framework=framework.term)
        if not scale.holds(d.rating):
            raise LedgerRuleBroken(f"{{kind}} on {{on}}: rating {d.rating} is outside the "
                                   f"scale {scale.min}-{scale.max}", **_refused(d, on))
        for r in d.ratings:
            top = _item_scale_max(framework, r.item)
            if top is None:
                raise LedgerRuleBroken("{kind} on {on}: {given} is not a competency or "
                                       "criterion of {framework}", **_refused(d, on),
                                       given=_given(r.item), framework=framework.term)
            if r.rating > top:
                raise LedgerRuleBroken(f"{{kind}} on {{on}}: {{item}} rated {r.rating}, above "
                                       f"its scale's maximum {top}", **_refused(d, on),
                                       item=_item(framework, r.item))
        record = ReviewRecord(on, event.id, d.rating, d.ratings, d.goals, d.comment)
        cycle = self.reviews.setdefault(d.cycle, {})
        role = d.reviewer_role.value
        many = d.reviewer_role in (ReviewForm.PEER, ReviewForm.UPWARD)  # one per reviewer
        cycle[role] = (*cycle.get(role, ()), record) if many else (record,)

    def _calibration(self, event: Event, framework: Framework) -> None:
        """A calibration sets the manager review's calibrated rating beside the original;
        its ``from_rating`` must be the rating it changes, so the before/after stay true."""
        d, on = event.details, event.effective_on
        assert isinstance(d, Calibration)
        scale = framework.reviews.rating
        manager = self.reviews.get(d.cycle, {}).get(ReviewForm.MANAGER.value)
        if not manager:
            raise LedgerRuleBroken("{kind} on {on}: no manager review in cycle {cycle} to "
                                   "calibrate", **_refused(d, on), cycle=_given(d.cycle))
        if not scale.holds(d.to_rating):
            raise LedgerRuleBroken(f"{{kind}} on {{on}}: rating {d.to_rating} is outside "
                                   f"the scale {scale.min}-{scale.max}", **_refused(d, on))
        record = manager[-1]
        if d.from_rating != record.overall:
            raise LedgerRuleBroken(f"{{kind}} on {{on}}: the cycle {{cycle}} rating is "
                                   f"{record.overall}, not {d.from_rating}", **_refused(d, on),
                                   cycle=_given(d.cycle))
        self.reviews[d.cycle][ReviewForm.MANAGER.value] = (record._replace(
            calibrated=d.to_rating, calibration_event=event.id),)

    def _responsibility(self, event: Event, framework: Framework) -> None:
        d = event.details
        assert isinstance(d, Responsibility)
        self._check_function(d, event.effective_on, framework)
        if d.share == 0:
            self.responsibilities.pop(d.function, None)
        else:
            self.responsibilities[d.function] = d.share

    @staticmethod
    def _check_function(d: Responsibility, on: date, framework: Framework) -> None:
        if d.function not in framework.tracks:
            tracks = [t.term for t in framework.tracks.values()]
            raise LedgerRuleBroken(
                "{kind} on {on}: unknown function {given} (functions are the framework's "
                "tracks: {known})", **_refused(d, on), given=_given(d.function),
                known=Term(", ".join(t.words for t in tracks),
                           ", ".join(t.command for t in tracks)))

    def _recognition(self, event: Event, framework: Framework) -> None:
        d = event.details
        assert isinstance(d, Recognition)
        kind = d.recognition_kind.value
        self.recent_recognitions.append(RecognitionEntry(
            event.effective_on, event.id, kind, d.points, d.citation, d.giver))
        self.recognition_count += 1
        self.recognition_points += d.points
        self.recognition_kinds[kind] += 1
        self.bonuses += d.amount or 0

    def _compensation(self, event: Event, framework: Framework) -> None:
        assert isinstance(event.details, Compensation)
        self._apply_compensation(event.details, event.effective_on)

    def _certification(self, event: Event, framework: Framework) -> None:
        d = event.details
        assert isinstance(d, Certification)
        self._check_certification(d, event.effective_on, framework)
        self.certifications.append(Milestone(event.effective_on, event.id, d.certification,
                                             d.competency))

    @staticmethod
    def _check_certification(d: Certification, on: date, framework: Framework) -> None:
        if d.competency is not None and d.competency not in framework.competencies:
            raise LedgerRuleBroken("{kind} on {on}: unknown competency {given}",
                                   **_refused(d, on), given=_given(d.competency))

    def _project(self, event: Event, framework: Framework) -> None:
        assert isinstance(event.details, ProjectLeadership)
        self.projects.append(Milestone(event.effective_on, event.id, event.details.project))

    def _check_in(self, event: Event, framework: Framework) -> None:
        assert isinstance(event.details, CheckIn)
        if event.details.engagement is not None:
            self.engagement = event.details.engagement

    def _departure(self, event: Event, framework: Framework) -> None:
        self.departed_on = event.effective_on

    def _verification(self, event: Event, framework: Framework) -> None:
        # It vouches for another event's evidence; only a held one changes the profile, and
        # only when someone other than its author vouches (the service refuses the author).
        assert isinstance(event.details, Verification)
        held = self.pending.get(event.details.verifies)
        if held is not None and held.author != event.author:
            del self.pending[held.id]
            self._release(held, event)

    def _retraction(self, event: Event, framework: Framework) -> None:
        raise LedgerRuleBroken("a retraction cannot be applied to a profile")  # fold skips them

    def _apply_compensation(self, d: Compensation, on: date) -> None:
        base = self.pay
        if d.percent is not None and base is None:
            raise LedgerRuleBroken("{kind} on {on}: a percent change needs a known base pay",
                                   **_refused(d, on))
        change = d.amount if d.amount is not None else round((base or 0) * (d.percent or 0) / 100)
        if d.compensation_kind is CompensationKind.BONUS:
            self.bonuses = _bounded(self.bonuses + change, "bonuses", on) or 0
        else:
            self.pay = _bounded((base or 0) + change, "pay", on)

    def _framework(self, version: int) -> Framework:
        try:
            return self.frameworks[version]
        except KeyError:
            raise LedgerRuleBroken(f"unknown framework version {version}") from None

    @staticmethod
    def _known_role(framework: Framework, role: str, event: Event) -> None:
        if role not in framework.roles:
            raise LedgerRuleBroken("{kind} on {on}: unknown role {given}",
                                   **_refused(event.details, event.effective_on),
                                   given=_given(role))

    def snapshot(self, as_of: date) -> Profile:
        # Events fold with their own versions, but the profile reads the version in force
        # on its date: a title renamed since the latest event shows renamed.
        version = (in_force(self.frameworks, self.version, as_of)
                   if self.version is not None else None)
        framework = self.frameworks[version] if version is not None else None
        role = framework.roles.get(self.role) if framework and self.role else None
        if role is None and self.role and version != self.version and self.version is not None:
            framework = self.frameworks[self.version]  # a role the newer version dropped
            role = framework.roles.get(self.role)
        return Profile(
            person_id=self.person_id,
            as_of=as_of,
            hired_on=self.hired_on,
            departed_on=self.departed_on,
            role=self.role,
            title=role.title if role else None,
            track=role.track if role else None,
            level=role.level if role else None,
            level_rank=framework.rank_of(role.id) if framework and role else None,
            pay=self.pay,
            currency=self.currency,
            role_since=self.role_since,
            last_promotion_on=self.last_promotion_on,
            promotions=self.promotions,
            mastery={
                comp: CompetencyLayer(comp, steps[-1].to_mastery, steps[-1].on, tuple(steps))
                for comp, steps in self.steps.items()
                if steps
            },
            responsibilities=dict(self.responsibilities),
            recognitions=RecognitionSummary(self.recognition_count, self.recognition_points,
                                            dict(self.recognition_kinds),
                                            tuple(self.recent_recognitions)),
            certifications=tuple(self.certifications),
            projects=tuple(self.projects),
            micro_progressions=dict(self.micro),
            bonuses=self.bonuses,
            engagement=self.engagement,
            last_event_on=self.last_event_on,
            framework_version=version,
            bands=dict(self.band_levels),
            band_upgrades=tuple(self.band_upgrades),
            criteria=dict(self.criteria),
            reviews={c: dict(by_role) for c, by_role in self.reviews.items()},
            pending=tuple(self.pending.values()),
        )


# What each kind of event does to a profile (a hire is handled by ``apply`` itself).
_CHANGES = {
    Promotion: ProfileBuilder._move,
    LateralMove: ProfileBuilder._move,
    SkillStep: ProfileBuilder._skill_step,
    Responsibility: ProfileBuilder._responsibility,
    Recognition: ProfileBuilder._recognition,
    Compensation: ProfileBuilder._compensation,
    Certification: ProfileBuilder._certification,
    ProjectLeadership: ProfileBuilder._project,
    CheckIn: ProfileBuilder._check_in,
    Departure: ProfileBuilder._departure,
    Retraction: ProfileBuilder._retraction,
    Verification: ProfileBuilder._verification,
    Demonstrated: ProfileBuilder._demonstrated,
    Assessed: ProfileBuilder._assessed,
    Review: ProfileBuilder._review,
    Calibration: ProfileBuilder._calibration,
}


def _item_scale_max(framework: Framework, item: str) -> int | None:
    """The top of the scale a review rates ``item`` on; None: not in the framework."""
    competency = framework.competencies.get(item)
    if competency is not None:
        return competency.scale.max
    return framework.criteria_policy.scale.max if item in framework.criteria else None


def _rank(framework: Framework, role: str) -> int:
    # A role dropped by a later framework version keeps the lowest rank, so any move is up.
    return framework.rank_of(role) if role in framework.roles else 0


def _level(framework: Framework, role: str) -> Term:
    """A role's level in a message (a role a later version dropped: "unknown")."""
    known = framework.roles.get(role)
    level = framework.levels.get(known.level) if known else None
    if level is not None:
        return level.term
    return Term(known.level, known.level) if known else Term("unknown", "unknown")


def _refused(details: Details, on: date) -> dict[str, Term]:
    """The event a rule refuses, as its message begins: "a skill step on 2 Mar 2024" in
    words, "skill_step on 2024-03-02" on the command line."""
    return {"kind": details.kind.subject, "on": day_term(on)}


def _given(text: str) -> Term:
    """An id the framework does not know, quoted as it was given, in both readings (a
    term, so braces in it are never taken for another term)."""
    return Term(f"'{text}'", f"'{text}'")


def _item(framework: Framework, item: str) -> Term:
    """A competency or criterion a review rates."""
    found = framework.competencies.get(item) or framework.criteria.get(item)
    return found.term if found is not None else _given(item)


def live_events(events: Iterable[Event]) -> list[Event]:
    """The events that still count: retractions and what they retract are left out."""
    events = list(events)
    retracted = {
        e.details.retracts for e in events if isinstance(e.details, Retraction)
    }
    return [
        e for e in events if e.kind is not EventKind.RETRACTION and e.id not in retracted
    ]


_LEDGER_ORDER = attrgetter("effective_on", "id")
_STEP_ORDER = attrgetter("on", "event_id")  # a LayerStep's or a Milestone's ledger order


def order(events: Iterable[Event]) -> list[Event]:
    """Ledger order: by effective date, then by id (the order they were recorded)."""
    return sorted(events, key=_LEDGER_ORDER)


def fold(
    person_id: int,
    events: Iterable[Event],
    frameworks: Mapping[int, Framework],
    at: date,
) -> Profile:
    """The person's profile on ``at``. Raises LedgerRuleBroken on an impossible history."""
    builder = ProfileBuilder(person_id, frameworks)
    for event in order(live_events(events)):
        if event.effective_on > at:
            break
        builder.apply(event)
    return builder.snapshot(at)


def check_history(person_id: int, events: Iterable[Event], frameworks: Mapping[int, Framework]
                  ) -> ProfileBuilder:
    """Replay every live event (whatever its date) and return the final state."""
    return replay(person_id, events, frameworks)[0]


def _bounded(amount: int | None, what: str, on: date) -> int | None:
    """Pay that raises or band pay steps took past the limits every input is held to."""
    if amount is not None and not 0 <= amount <= limits.MONEY_MAX:
        raise LedgerRuleBroken(f"the change on {{on}} would take {what} to {amount:,}, "
                               f"outside 0..{limits.MONEY_MAX:,}", on=day_term(on))
    return amount


CHECKPOINT_EVERY = 1000


def replay(
    person_id: int,
    events: Iterable[Event],
    frameworks: Mapping[int, Framework],
    checkpoint_every: int | None = None,
) -> tuple[ProfileBuilder, list[Profile]]:
    """Replay every live event, and take a checkpoint about every ``checkpoint_every``.

    A checkpoint is the profile at the end of a day (after all of that day's events), so a
    later fold to any date after it can start there instead of at the hire.
    """
    every = checkpoint_every or CHECKPOINT_EVERY
    builder = ProfileBuilder(person_id, frameworks)
    checkpoints: list[Profile] = []
    since = 0
    ordered = order(live_events(events))
    for i, event in enumerate(ordered):
        builder.apply(event)
        since += 1
        if since >= every and (
            i + 1 == len(ordered) or ordered[i + 1].effective_on > event.effective_on
        ):
            checkpoints.append(builder.snapshot(event.effective_on))
            since = 0
    return builder, checkpoints


def resume(profile: Profile, frameworks: Mapping[int, Framework]) -> ProfileBuilder:
    """A builder that carries on from a profile (a checkpoint) as if it had folded to it."""
    r = profile.recognitions
    return ProfileBuilder(
        person_id=profile.person_id,
        frameworks=frameworks,
        hired_on=profile.hired_on,
        departed_on=profile.departed_on,
        role=profile.role,
        pay=profile.pay,
        currency=profile.currency,
        role_since=profile.role_since,
        last_promotion_on=profile.last_promotion_on,
        promotions=profile.promotions,
        steps={c: list(layer.steps) for c, layer in profile.mastery.items()},
        responsibilities=dict(profile.responsibilities),
        recognition_count=r.count,
        recognition_points=r.points,
        recognition_kinds=Counter(r.by_kind),
        recent_recognitions=deque(r.recent, maxlen=RECENT_RECOGNITIONS),
        certifications=list(profile.certifications),
        projects=list(profile.projects),
        micro=Counter(profile.micro_progressions),
        bonuses=profile.bonuses,
        engagement=profile.engagement,
        last_event_on=profile.last_event_on,
        version=profile.framework_version,
        band_levels=dict(profile.bands),
        band_upgrades=list(profile.band_upgrades),
        criteria=dict(profile.criteria),
        reviews={c: dict(by_role) for c, by_role in profile.reviews.items()},
        pending={e.id: e for e in profile.pending},
    )


def fold_from(checkpoint: Profile, events: Iterable[Event],
              frameworks: Mapping[int, Framework], at: date) -> Profile:
    """Fold on from a checkpoint: ``events`` are those after it (retractions included)."""
    builder = resume(checkpoint, frameworks)
    for event in order(live_events(events)):
        if event.effective_on > at:
            break
        builder.apply(event)
    return builder.snapshot(at)
