"""The career framework: tracks, ordered levels, roles, skill bands and competencies, and
topics of criteria.

A framework is the vocabulary the ledger is written in. It is immutable once built; a
changed file becomes a new *version* (see services.frameworks), and each event keeps the
version that was in force at its date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from trellis.errors import Term

DEFAULT_PROFICIENCY = (
    "not yet",
    "sometimes, with support",
    "consistently",
    "role model: others learn it from them",
)

DEFAULT_DESCRIPTORS = (
    "none",
    "awareness: knows what it is and when it matters",
    "working: does it with guidance",
    "practitioner: does it independently and reliably",
    "advanced: handles hard cases and teaches others",
    "expert: sets the standard across the organization",
)


TEXT_IN_MESSAGE = 80  # a message quotes the start of a long criterion

DEFAULT_RATING_LABELS = ("well below", "below", "meets", "exceeds", "far exceeds")


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

    @property
    def term(self) -> Term:
        """The track in a message: its name in words, its id on the command line."""
        return Term(self.name, self.id)


@dataclass(frozen=True, slots=True)
class Level:
    """A rung. ``rank`` is its position in the framework's order, starting at 1.

    ``min_months`` is a readiness gate: the least time in the level below before a
    promotion into this one.
    """

    id: str
    name: str
    rank: int
    description: str = ""
    min_months: float | None = None

    @property
    def term(self) -> Term:
        """The level in a message: its name in words, its id on the command line."""
        return Term(self.name, self.id)


@dataclass(frozen=True, slots=True)
class Competency:
    id: str
    name: str
    band: str
    description: str = ""
    scale: MasteryScale = field(default_factory=MasteryScale)
    prerequisites: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()  # ids in the previous version (see domain.framework_diff)

    @property
    def term(self) -> Term:
        """The competency in a message: its name in words, its id on the command line."""
        return Term(self.name, self.id)


@dataclass(frozen=True, slots=True)
class PayStep:
    """A raise that comes with a band upgrade: a percent of base pay or an amount."""

    percent: float | None = None
    amount: int | None = None

    def applied_to(self, pay: int | None) -> int | None:
        if pay is None:
            return None if self.amount is None else self.amount
        if self.percent is not None:
            return round(pay * (1 + self.percent / 100))
        return pay + (self.amount or 0)


@dataclass(frozen=True, slots=True)
class BandLevel:
    """A level of a skill band, reached when ``k`` of the band's competencies are at
    ``mastery`` or more, or when the band's average mastery reaches ``average``."""

    level: int
    name: str
    k: int | None = None
    mastery: int | None = None
    average: float | None = None
    pay_step: PayStep | None = None

    def holds(self, masteries: list[int]) -> bool:
        if self.average is not None:
            return sum(masteries) / len(masteries) >= self.average
        assert self.k is not None and self.mastery is not None
        return sum(1 for m in masteries if m >= self.mastery) >= self.k


@dataclass(frozen=True, slots=True)
class SkillBand:
    """A broad category of competencies (for example "Craft" or "Leadership")."""

    id: str
    name: str
    competencies: tuple[str, ...]
    description: str = ""
    levels: tuple[BandLevel, ...] = ()

    def level_of(self, mastery: Mapping[str, int]) -> int:
        """The highest band level whose condition holds (0: none yet)."""
        masteries = [mastery.get(c, 0) for c in self.competencies]
        return max((lv.level for lv in self.levels if lv.holds(masteries)), default=0)


@dataclass(frozen=True, slots=True)
class TitleRange:
    """Points from ``min`` up to ``max`` (inclusive; None: no ceiling) make a role eligible."""

    role: str
    min: float
    max: float | None = None


@dataclass(frozen=True, slots=True)
class PointsRule:
    """A growth framework by points: mastery earns points, points reach levels and titles.

    ``mastery_points[m]`` is what mastery m earns in any competency, unless
    ``competency_points`` gives that competency its own table; ``weights`` multiply.
    """

    id: str
    mastery_points: tuple[float, ...]
    level_thresholds: tuple[tuple[str, float], ...]  # (level id, least points), ascending
    tracks: tuple[str, ...] = ()  # empty: every track
    competency_points: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)

    @property
    def words(self) -> str:
        """The rule in a sentence (it has an id, no name): "engineering-growth" ->
        "engineering growth"."""
        return self.id.replace("-", " ").replace("_", " ")
    titles: tuple[TitleRange, ...] = ()

    def applies_to(self, track: str | None) -> bool:
        return not self.tracks or track in self.tracks

    def points_for(self, competency: str, mastery: int) -> float:
        table = self.competency_points.get(competency, self.mastery_points)
        earned = table[min(mastery, len(table) - 1)]
        return earned * self.weights.get(competency, 1.0)


@dataclass(frozen=True, slots=True)
class Criterion:
    """A behaviour statement a person at ``level`` shows ("Proactively gives feedback
    upwards"). ``proficiency``: the least assessed proficiency that meets it (None: the
    framework's ``met_at``)."""

    id: str
    topic: str
    level: str
    text: str
    examples: tuple[str, ...] = ()
    proficiency: int | None = None
    replaces: tuple[str, ...] = ()  # ids in the previous version (see domain.framework_diff)

    @property
    def term(self) -> Term:
        """The criterion in a message: its statement (the start of a long one) in words,
        its id on the command line."""
        line = " ".join(self.text.split())
        shown = line if len(line) <= TEXT_IN_MESSAGE else \
            line[:TEXT_IN_MESSAGE - 1].rstrip() + "\u2026"
        return Term(f'"{shown}"', self.id)


@dataclass(frozen=True, slots=True)
class Topic:
    """A theme of criteria. ``tracks`` empty: a generic topic every track shares, so an IC
    and a manager ladder count the same evidence."""

    id: str
    name: str
    criteria: tuple[str, ...]
    tracks: tuple[str, ...] = ()
    description: str = ""
    replaces: tuple[str, ...] = ()  # ids in the previous version (see domain.framework_diff)

    def applies_to(self, track: str) -> bool:
        return not self.tracks or track in self.tracks


@dataclass(frozen=True, slots=True)
class CriteriaPolicy:
    """How criteria count: ``cumulative`` roles expect the criteria of lower levels too; an
    assessment meets a criterion at ``met_at`` on ``scale`` (a self-assessment only when
    ``self_assessment_counts``); a role asks for ``coverage`` percent of its criteria."""

    cumulative: bool = True
    scale: MasteryScale = field(default_factory=lambda: MasteryScale(3, DEFAULT_PROFICIENCY))
    met_at: int = 2
    self_assessment_counts: bool = False
    coverage: float = 100.0

    def meets(self, criterion: Criterion) -> int:
        return criterion.proficiency if criterion.proficiency is not None else self.met_at


@dataclass(frozen=True, slots=True)
class ReadinessPolicy:
    """How promotion readiness weighs evidence (see domain.readiness)."""

    fresh_months: float = 36.0  # evidence older than this counts for ``stale_weight``
    stale_weight: float = 0.8
    ready_at: float = 100.0  # the score at which a person is ready


class MoveKind(StrEnum):
    """A move on the career lattice (see domain.lattice for the rule that classifies one)."""

    VERTICAL = "vertical"  # the next level, same track
    LATERAL = "lateral"  # the same level: another track, or another role of the same track
    DIAGONAL = "diagonal"  # one level up, another track
    DOWN = "down"  # a step down: one level below, in the same track or another

    @property
    def label(self) -> str:
        """The kind in words, as the CLI, the pages and the chart name it."""
        return "step down" if self is MoveKind.DOWN else self.value


DEFAULT_MOVE_WEIGHTS: Mapping[MoveKind, float] = {
    MoveKind.VERTICAL: 0.0, MoveKind.LATERAL: 3.0, MoveKind.DIAGONAL: 4.0,
    MoveKind.DOWN: 3.0}


@dataclass(frozen=True, slots=True)
class ExplicitMove:
    """A move the framework declares between two roles; ``weight`` overrides the kind's."""

    source: str
    target: str
    kind: MoveKind
    weight: float | None = None


@dataclass(frozen=True, slots=True)
class LatticeSettings:
    """How the lattice prices moves: ``weights`` is the friction of each kind of move in
    months. ``lanes`` is still read from framework files, and prices nothing: a move's gap
    is priced at a throughput that already counts every competency worked on at once."""

    weights: Mapping[MoveKind, float] = field(
        default_factory=lambda: dict(DEFAULT_MOVE_WEIGHTS))
    moves: tuple[ExplicitMove, ...] = ()
    lanes: float = 3.0

    def weight_of(self, kind: MoveKind) -> float:
        return self.weights.get(kind, DEFAULT_MOVE_WEIGHTS[kind])


class ReviewForm(StrEnum):
    """Who writes a review: the person, their manager, a peer, or a report (upward)."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    UPWARD = "upward"


@dataclass(frozen=True, slots=True)
class RatingScale:
    """The overall performance rating: whole numbers from ``min`` to ``max``, one label each."""

    min: int = 1
    max: int = 5
    labels: tuple[str, ...] = DEFAULT_RATING_LABELS

    def holds(self, rating: int) -> bool:
        return self.min <= rating <= self.max

    def label(self, rating: int) -> str:
        i = rating - self.min
        return self.labels[i] if 0 <= i < len(self.labels) else ""


@dataclass(frozen=True, slots=True)
class ReviewSettings:
    """How reviews are written: the overall rating's scale and the forms allowed, and the
    share of each overall rating (percent) the organization aims for, which calibration
    compares a group against (empty: no target)."""

    rating: RatingScale = field(default_factory=RatingScale)
    forms: tuple[ReviewForm, ...] = tuple(ReviewForm)
    target_distribution: Mapping[int, float] = field(default_factory=dict)


class Approver(StrEnum):
    """One step of an approval chain: the person's manager, their manager's manager, or
    an HR admin."""

    MANAGER = "manager"
    SKIP_LEVEL = "skip_level"
    HR = "hr"


@dataclass(frozen=True, slots=True)
class ApprovalChains:
    """Who approves, in order, a promotion case and a raise. An empty chain needs no
    approval (a personal journal)."""

    promotion: tuple[Approver, ...] = (Approver.SKIP_LEVEL, Approver.HR)
    compensation: tuple[Approver, ...] = (Approver.SKIP_LEVEL,)


# The self-reported kinds that count only once verified, unless a framework says otherwise.
DEFAULT_PENDING_KINDS = ("skill_step", "demonstrated", "certification")
VERIFIABLE_KINDS = ("skill_step", "certification", "project_leadership", "responsibility",
                    "demonstrated")


@dataclass(frozen=True, slots=True)
class VerificationPolicy:
    """Which self-reported event kinds stay pending until someone else verifies them, and
    whether a skill step of more than one mastery level always needs a verifier."""

    pending: frozenset[str] = frozenset(DEFAULT_PENDING_KINDS)
    jumps_need_verifier: bool = True


@dataclass(frozen=True, slots=True)
class PayBand:
    min: int
    mid: int
    max: int
    currency: str


@dataclass(frozen=True, slots=True)
class RoleAttributes:
    """What a framework may say about a role besides its expectations; the lattice's fit
    uses every part a framework declares (domain.lattice_fit). ``importance`` weighs the
    role's expectations (competency -> importance, any positive scale); ``knowledge``,
    ``interests``, ``work_styles`` and ``work_values`` map a name to a rating."""

    importance: Mapping[str, float] = field(default_factory=dict)
    alternate_titles: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    knowledge: Mapping[str, float] = field(default_factory=dict)
    interests: Mapping[str, float] = field(default_factory=dict)
    tools_used: tuple[str, ...] = ()
    education: str = ""
    work_styles: Mapping[str, float] = field(default_factory=dict)
    work_values: Mapping[str, float] = field(default_factory=dict)


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
    must_have: tuple[str, ...] = ()  # expectations that gate a promotion into this role
    tools: tuple[str, ...] = ()
    band_levels: Mapping[str, int] = field(default_factory=dict)  # band -> level: gates
    criteria: tuple[str, ...] = ()  # the criteria it expects (derived from the topics)
    attributes: RoleAttributes = field(default_factory=RoleAttributes)

    @property
    def term(self) -> Term:
        """The role in a message: its title in words, its id quoted on the command line
        (an id beside words: "already in role 'eng-l4'")."""
        return Term(self.title, f"'{self.id}'")


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
    points_rules: tuple[PointsRule, ...] = ()
    readiness: ReadinessPolicy = field(default_factory=ReadinessPolicy)
    lattice: LatticeSettings = field(default_factory=LatticeSettings)
    topics: Mapping[str, Topic] = field(default_factory=dict)
    criteria: Mapping[str, Criterion] = field(default_factory=dict)
    criteria_policy: CriteriaPolicy = field(default_factory=CriteriaPolicy)
    reviews: ReviewSettings = field(default_factory=ReviewSettings)
    approvals: ApprovalChains = field(default_factory=ApprovalChains)
    verification: VerificationPolicy = field(default_factory=VerificationPolicy)

    @property
    def term(self) -> Term:
        """The framework in a message: "the Engineering framework" in words, its key quoted
        on the command line ("framework 'monzo-engineering'")."""
        return Term(f"the {self.name} framework", f"framework '{self.key}'")

    def band_of(self, competency: str) -> SkillBand:
        return self.bands[self.competencies[competency].band]

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

    def previous_role(self, role_id: str) -> Role | None:
        """A role one level down in the same track, skipping levels the track lacks."""
        current = self.roles[role_id]
        rank = self.rank_of(role_id)
        below = [r for r in self.roles_of_track(current.track) if self.rank_of(r.id) < rank]
        return max(below, key=lambda r: (self.rank_of(r.id), r.id), default=None)
