"""Framework files: YAML or JSON, read with line numbers, checked, turned into a Framework.

The pydantic models below *are* the file format: they check structure, and
``json_schema()`` publishes them. Whole-framework checks live in the domain
(``assemble_framework``). Every problem is reported with its path and line, on one line.

A file is read within the bounds of ``domain.limits`` (size, UTF-8, nodes, aliases, nesting,
value and number length) before YAML constructs anything, so a hostile file costs about
what its size does and is refused with a located problem.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from trellis.domain.framework import (
    DEFAULT_DESCRIPTORS,
    DEFAULT_PENDING_KINDS,
    DEFAULT_PROFICIENCY,
    DEFAULT_RATING_LABELS,
    VERIFIABLE_KINDS,
    ApprovalChains,
    Approver,
    BandLevel,
    Competency,
    CriteriaPolicy,
    Criterion,
    ExplicitMove,
    Framework,
    LatticeSettings,
    Level,
    MasteryScale,
    MoveKind,
    PayBand,
    PayStep,
    PointsRule,
    RatingScale,
    ReadinessPolicy,
    ReviewForm,
    ReviewSettings,
    Role,
    RoleAttributes,
    RoleType,
    TitleRange,
    Track,
    VerificationPolicy,
)
from trellis.domain.framework_assembly import BandDraft, TopicDraft, assemble_framework
from trellis.domain.limits import (
    FRAMEWORK_ALIAS_NODES_MAX,
    FRAMEWORK_DEPTH_MAX,
    FRAMEWORK_FILE_MAX,
    FRAMEWORK_NODES_MAX,
    FRAMEWORK_NUMBER_MAX,
    FRAMEWORK_SCALAR_MAX,
    LABEL_MAX,
    LANES_MAX,
    LONG_TEXT_MAX,
    MONEY_MAX,
    MONTHS_MAX,
    PAY_STEP_PERCENT_MAX,
    RULE_POINTS_MAX,
    RULE_WEIGHT_MAX,
    SCALE_MAX,
    check_text,
)
from trellis.errors import FrameworkInvalid, InvalidEvent, Problem

# libyaml when PyYAML has it: reading ~8x as fast; writing the same text 3x as fast (O*NET's
# document, 380,000 scalars, is written in 2 s instead of 6)
try:
    from yaml import CSafeDumper as _SafeDumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


def _text(max_length: int, *, multiline: bool) -> AfterValidator:
    """The limits' text rule as a pydantic check: no NUL (PostgreSQL refuses it) or lone
    surrogate anywhere, and no control character at all in a one-line field."""

    def check(value: str) -> str:
        try:
            return check_text(value, "the text", max_length, multiline=multiline)
        except InvalidEvent as exc:
            raise ValueError(str(exc)) from None

    return AfterValidator(check)


def _finite(**bounds: Any) -> Any:
    """A float field: an int is fine, a string or a bool is not, and NaN or infinity never
    is a quantity."""
    return Field(strict=True, allow_inf_nan=False, **bounds)


Id = Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80)]
Label = Annotated[StrictStr, Field(max_length=LABEL_MAX), _text(LABEL_MAX, multiline=False)]
Text = Annotated[StrictStr, Field(max_length=LONG_TEXT_MAX),
                 _text(LONG_TEXT_MAX, multiline=True)]
Currency = Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]
Months = Annotated[float, _finite(ge=0, le=MONTHS_MAX)]
Points = Annotated[float, _finite(ge=0, le=RULE_POINTS_MAX)]
Money = Annotated[StrictInt, Field(ge=0, le=MONEY_MAX)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScaleModel(_Strict):
    """A mastery scale from 0 to max. Descriptors say what each step looks like."""

    max: StrictInt = Field(5, ge=1, le=SCALE_MAX)
    descriptors: list[Text] | None = None

    @model_validator(mode="after")
    def _default_descriptors(self) -> Self:
        if self.descriptors is None:
            default = list(DEFAULT_DESCRIPTORS)
            steps = default if self.max == 5 else [str(m) for m in range(self.max + 1)]
            object.__setattr__(self, "descriptors", steps)
        return self

    def to_domain(self) -> MasteryScale:
        return MasteryScale(self.max, tuple(self.descriptors or ()))


class TrackModel(_Strict):
    id: Id
    name: Label
    role_type: RoleType = RoleType.STRUCTURED
    description: Text = ""


class LevelModel(_Strict):
    id: Id
    name: Label
    description: Text = ""
    min_months: Months | None = Field(None, description="readiness gate: least months in the "
                                      "level below before a promotion into this one")


class CompetencyModel(_Strict):
    id: Id
    name: Label
    description: Text = ""
    scale: ScaleModel | None = None
    prerequisites: list[Id] = []
    replaces: list[Id] = Field([], description="ids of the previous version this one "
                               "replaces: one a rename, several a merge; an id in several "
                               "items a split")


class PayStepModel(_Strict):
    """A raise that comes with a band upgrade: give percent or amount."""

    percent: float | None = _finite(default=None, gt=0, le=PAY_STEP_PERCENT_MAX)
    amount: StrictInt | None = Field(None, gt=0, le=MONEY_MAX)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give exactly one of percent or amount")
        return self


class BandLevelModel(_Strict):
    """Reached when k of the band's competencies are at mastery or more, or when the
    band's average mastery reaches average."""

    name: Label
    k: StrictInt | None = None
    mastery: StrictInt | None = None
    average: float | None = _finite(default=None, le=SCALE_MAX)
    pay_step: PayStepModel | None = None


class SkillBandModel(_Strict):
    id: Id
    name: Label
    description: Text = ""
    competencies: list[CompetencyModel]
    levels: list[BandLevelModel] = []


class TitleRangeModel(_Strict):
    role: Id
    min: Points
    max: Points | None = None


class LevelThresholdModel(_Strict):
    level: Id
    min_points: Points


class PointsModel(_Strict):
    """A points-based growth framework: mastery earns points, points reach levels."""

    id: Id
    tracks: list[Id] = []
    mastery_points: list[Points] = Field(min_length=1)
    competency_points: dict[Id, list[Points]] = {}
    weights: dict[Id, Annotated[float, _finite(ge=0, le=RULE_WEIGHT_MAX)]] = {}
    levels: list[LevelThresholdModel] = []
    titles: list[TitleRangeModel] = []


class ProficiencyScaleModel(ScaleModel):
    """The scale of ``assessed`` events, 0 to max (default 0-3: not yet, sometimes,
    consistently, role model)."""

    max: StrictInt = Field(3, ge=1, le=SCALE_MAX)

    @model_validator(mode="after")
    def _default_descriptors(self) -> Self:
        if self.descriptors is None:
            steps = (list(DEFAULT_PROFICIENCY) if self.max == 3
                     else [str(m) for m in range(self.max + 1)])
            object.__setattr__(self, "descriptors", steps)
        return self


class CriteriaPolicyModel(_Strict):
    """How criteria count toward a role (see docs/frameworks.md, "Criteria")."""

    cumulative: StrictBool = Field(True, description="a role expects the criteria of lower "
                             "levels too")
    scale: ProficiencyScaleModel = ProficiencyScaleModel()
    met_at: StrictInt = Field(2, ge=1, le=SCALE_MAX, description="least assessed "
                              "proficiency that meets a criterion")
    self_assessment_counts: StrictBool = False
    coverage: float = _finite(default=100.0, gt=0, le=100, description="percent of a "
                              "role's criteria that must be met")

    def to_domain(self) -> CriteriaPolicy:
        return CriteriaPolicy(self.cumulative, self.scale.to_domain(), self.met_at,
                              self.self_assessment_counts, self.coverage)


class CriterionModel(_Strict):
    id: Id
    level: Id
    text: Text = Field(min_length=1)
    examples: list[Text] = []
    proficiency: StrictInt | None = Field(None, ge=1, le=SCALE_MAX)
    replaces: list[Id] = Field([], description="ids of the previous version this one "
                               "replaces: one a rename, several a merge; an id in several "
                               "items a split")


class TopicModel(_Strict):
    id: Id
    name: Label
    description: Text = ""
    tracks: list[Id] = Field([], description="empty: a generic topic shared by every track")
    criteria: list[CriterionModel]
    replaces: list[Id] = Field([], description="ids of the previous version this one "
                               "replaces: one a rename, several a merge; an id in several "
                               "items a split")


class ReadinessModel(_Strict):
    fresh_months: float = _finite(default=36.0, gt=0, le=MONTHS_MAX)
    stale_weight: float = _finite(default=0.8, ge=0, le=1)
    ready_at: float = _finite(default=100.0, gt=0, le=100)


class MoveWeightsModel(_Strict):
    """The friction of each kind of move, in months, added to the skill gap's effort."""

    vertical: Months = 0.0
    lateral: Months = 3.0
    diagonal: Months = 4.0


class MoveModel(_Strict):
    """A move the framework declares between two roles (in addition to the grid's)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    kind: MoveKind
    weight: Months | None = Field(None, description="months; default: the kind's weight")


class LatticeModel(_Strict):
    """How the career lattice prices moves (see docs/lattice.md)."""

    weights: MoveWeightsModel = MoveWeightsModel()
    moves: list[MoveModel] = []
    lanes: float = _finite(default=3.0, gt=0, le=LANES_MAX,
                           description="read for compatibility; no longer divides a "
                           "move's price (throughput counts every lane at once)")

    def to_domain(self) -> LatticeSettings:
        w = self.weights
        return LatticeSettings(
            weights={MoveKind.VERTICAL: w.vertical, MoveKind.LATERAL: w.lateral,
                     MoveKind.DIAGONAL: w.diagonal},
            moves=tuple(ExplicitMove(m.source, m.target, m.kind, m.weight)
                        for m in self.moves),
            lanes=self.lanes,
        )


class RatingScaleModel(_Strict):
    """The overall performance rating of a review: whole numbers from min to max, with a
    label for each (default 1-5: well below, below, meets, exceeds, far exceeds)."""

    min: StrictInt = Field(1, ge=0, le=SCALE_MAX)
    max: StrictInt = Field(5, ge=1, le=SCALE_MAX)
    labels: list[Label] | None = None

    @model_validator(mode="after")
    def _labels(self) -> Self:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be above min ({self.min})")
        steps = self.max - self.min + 1
        if self.labels is None:
            default = (list(DEFAULT_RATING_LABELS) if (self.min, self.max) == (1, 5)
                       else [str(r) for r in range(self.min, self.max + 1)])
            object.__setattr__(self, "labels", default)
        elif len(self.labels) != steps:
            raise ValueError(f"give {steps} labels, one for each rating from {self.min} to "
                             f"{self.max} (got {len(self.labels)})")
        return self


class ReviewsModel(_Strict):
    """How reviews are written (see docs/frameworks.md, "Reviews")."""

    rating: RatingScaleModel = RatingScaleModel()
    forms: list[ReviewForm] = Field(list(ReviewForm), min_length=1,
                                    description="the forms a review cycle may use")
    target_distribution: dict[StrictInt, float] = Field(
        {}, description="overall rating -> the percent of people the organization aims for")

    @field_validator("target_distribution", mode="before")
    @classmethod
    def _json_keys(cls, value: Any) -> Any:
        # A stored framework document is JSON, whose keys are text: "3" reads back as 3.
        if isinstance(value, dict):
            return {int(k) if isinstance(k, str) and k.strip().lstrip("-").isdecimal()
                    else k: v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len(set(self.forms)) != len(self.forms):
            raise ValueError("a form is listed twice")
        return self

    @model_validator(mode="after")
    def _target(self) -> Self:
        target, r = self.target_distribution, self.rating
        if not target:
            return self
        outside = sorted(k for k in target if not r.min <= k <= r.max)
        if outside:
            raise ValueError(f"target_distribution rates {outside[0]}, outside the rating "
                             f"scale {r.min}-{r.max}")
        if any(not math.isfinite(v) or v < 0 for v in target.values()):
            raise ValueError("target_distribution shares are percents, 0 or more")
        if abs(sum(target.values()) - 100) > 0.5:
            raise ValueError(f"target_distribution adds up to {sum(target.values()):g}%, "
                             "not 100%")
        return self

    def to_domain(self) -> ReviewSettings:
        r = self.rating
        return ReviewSettings(RatingScale(r.min, r.max, tuple(r.labels or ())),
                              tuple(self.forms), dict(self.target_distribution))


class ApprovalsModel(_Strict):
    """Who approves promotion cases and raises (see docs/frameworks.md, "Approvals")."""

    promotion: list[Approver] = Field(list(ApprovalChains().promotion),
                                      description="the approvers of a promotion case, in order")
    compensation: list[Approver] = Field(list(ApprovalChains().compensation),
                                         description="the approvers of a raise, in order")

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        for name, chain in (("promotion", self.promotion), ("compensation", self.compensation)):
            if len(set(chain)) != len(chain):
                raise ValueError(f"{name}: an approver is listed twice")
        return self

    def to_domain(self) -> ApprovalChains:
        return ApprovalChains(tuple(self.promotion), tuple(self.compensation))


def _verifiable(kind: str) -> str:
    if kind not in VERIFIABLE_KINDS:
        raise ValueError(f"'{kind}' is not a self-reported kind (those are: "
                         f"{', '.join(VERIFIABLE_KINDS)})")
    return kind


VerifiableKind = Annotated[StrictStr, AfterValidator(_verifiable)]


class VerificationModel(_Strict):
    """Which self-reported advances count only once verified (see docs/frameworks.md,
    "Pending verification")."""

    pending: list[VerifiableKind] = Field(list(DEFAULT_PENDING_KINDS),
                                          description="self-reported kinds that wait for a "
                                          "verifier")
    jumps_need_verifier: StrictBool = True

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len(set(self.pending)) != len(self.pending):
            raise ValueError("pending: a kind is listed twice")
        return self

    def to_domain(self) -> VerificationPolicy:
        return VerificationPolicy(frozenset(self.pending), self.jumps_need_verifier)


class PayBandModel(_Strict):
    min: Money
    mid: Money
    max: Money
    currency: Currency | None = None


Rating = Annotated[float, _finite(ge=0, le=RULE_WEIGHT_MAX)]


class RoleAttributesModel(_Strict):
    """What a framework knows of a role besides its expectations (any framework may declare
    any part; the lattice's fit uses those both roles of a move have)."""

    importance: dict[Id, Rating] = Field({}, description="competency -> how much it "
                                         "matters in the role (weighs its expectation)")
    alternate_titles: list[Label] = []
    tasks: list[Text] = []
    knowledge: dict[Label, Rating] = Field({}, description="knowledge area -> importance")
    interests: dict[Label, Rating] = Field({}, description="interest area -> strength")
    tools_used: list[Label] = []
    education: Label = ""
    work_styles: dict[Label, Rating] = {}
    work_values: dict[Label, Rating] = {}

    def to_domain(self) -> RoleAttributes:
        return RoleAttributes(dict(self.importance), tuple(self.alternate_titles),
                              tuple(self.tasks), dict(self.knowledge), dict(self.interests),
                              tuple(self.tools_used), self.education, dict(self.work_styles),
                              dict(self.work_values))


class RoleModel(_Strict):
    id: Id
    track: Id
    level: Id
    title: Label
    description: Text = ""
    pay_band: PayBandModel | None = None
    expects: dict[Id, StrictInt] = {}
    must_have: list[Id] = []
    band_levels: dict[Id, StrictInt] = Field({}, description="skill band -> the band level "
                                             "a promotion into the role needs (a gate)")
    tools: list[Label] = []
    attributes: RoleAttributesModel = RoleAttributesModel()


class FrameworkModel(_Strict):
    """A Trellis career framework file."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"$id": "trellis-framework.schema.json"}
    )

    id: Id
    name: Label
    description: Text = ""
    attribution: Text = ""
    currency: Currency = "USD"
    mastery_scale: ScaleModel = ScaleModel()
    tracks: list[TrackModel]
    levels: list[LevelModel]
    skill_bands: list[SkillBandModel] = []
    topics: list[TopicModel] = []
    criteria: CriteriaPolicyModel = CriteriaPolicyModel()
    roles: list[RoleModel]
    points: list[PointsModel] = []
    readiness: ReadinessModel = ReadinessModel()
    lattice: LatticeModel = LatticeModel()
    reviews: ReviewsModel = ReviewsModel()
    approvals: ApprovalsModel = ApprovalsModel()
    verification: VerificationModel = VerificationModel()

    def to_domain(self) -> tuple[Framework | None, list[Problem]]:
        default_scale = self.mastery_scale.to_domain()
        bands = [
            BandDraft(
                id=b.id,
                name=b.name,
                description=b.description,
                competencies=[
                    Competency(
                        id=c.id,
                        name=c.name,
                        band=b.id,
                        description=c.description,
                        scale=c.scale.to_domain() if c.scale else default_scale,
                        prerequisites=tuple(c.prerequisites),
                        replaces=tuple(c.replaces),
                    )
                    for c in b.competencies
                ],
                levels=[
                    BandLevel(i, lv.name, lv.k, lv.mastery, lv.average,
                              PayStep(lv.pay_step.percent, lv.pay_step.amount)
                              if lv.pay_step else None)
                    for i, lv in enumerate(b.levels, start=1)
                ],
            )
            for b in self.skill_bands
        ]
        roles = [
            Role(
                id=r.id,
                track=r.track,
                level=r.level,
                title=r.title,
                description=r.description,
                pay_band=PayBand(
                    r.pay_band.min,
                    r.pay_band.mid,
                    r.pay_band.max,
                    r.pay_band.currency or self.currency,
                )
                if r.pay_band
                else None,
                expects=dict(r.expects),
                must_have=tuple(r.must_have),
                tools=tuple(r.tools),
                band_levels=dict(r.band_levels),
                attributes=r.attributes.to_domain(),
            )
            for r in self.roles
        ]
        framework, problems = assemble_framework(
            key=self.id,
            name=self.name,
            description=self.description,
            attribution=self.attribution,
            currency=self.currency,
            tracks=[Track(t.id, t.name, t.role_type, t.description) for t in self.tracks],
            levels=[Level(lv.id, lv.name, 0, lv.description, lv.min_months)
                    for lv in self.levels],
            bands=bands,
            roles=roles,
            points_rules=[
                PointsRule(
                    id=p.id,
                    mastery_points=tuple(p.mastery_points),
                    level_thresholds=tuple((t.level, t.min_points) for t in p.levels),
                    tracks=tuple(p.tracks),
                    competency_points={c: tuple(v) for c, v in p.competency_points.items()},
                    weights=dict(p.weights),
                    titles=tuple(TitleRange(t.role, t.min, t.max) for t in p.titles),
                )
                for p in self.points
            ],
            readiness=ReadinessPolicy(self.readiness.fresh_months, self.readiness.stale_weight,
                                      self.readiness.ready_at),
            lattice=self.lattice.to_domain(),
            topics=[
                TopicDraft(t.id, t.name, [
                    Criterion(c.id, t.id, c.level, c.text, tuple(c.examples), c.proficiency,
                              tuple(c.replaces))
                    for c in t.criteria], tuple(t.tracks), t.description, tuple(t.replaces))
                for t in self.topics
            ],
            criteria_policy=self.criteria.to_domain(),
        )
        if framework is not None:
            framework = replace(framework, reviews=self.reviews.to_domain(),
                                approvals=self.approvals.to_domain(),
                                verification=self.verification.to_domain())
        return framework, problems


def json_schema() -> dict[str, Any]:
    """The JSON Schema of framework files, generated from the models above."""
    return FrameworkModel.model_json_schema()


def parse_framework(text: str, source: str = "<text>") -> tuple[Framework, dict[str, Any]]:
    """Parse YAML or JSON text into a Framework and its plain document.

    Raises FrameworkInvalid with every problem, each located by path and line, each one
    printable line. The text is held to the limits in ``domain.limits`` (size, nodes,
    aliases, depth, value length) before YAML builds anything from it.
    """
    document, lines, repeated = _read_yaml(_utf8(text, source), source)
    if not isinstance(document, dict):
        raise _invalid([Problem("", "expected a mapping at the top", 1, source)], source)

    def locate(path: str, message: str) -> Problem:
        return Problem(path, message, _line_of(lines, path), source)

    problems = [Problem(path, "key repeated", line, source) for path, line in repeated]
    try:
        model = FrameworkModel.model_validate(document)
    except ValidationError as exc:
        problems += [locate(_dotted(err["loc"]), _message(err)) for err in exc.errors()]
        problems += [locate(p.path, p.message) for p in _beyond_the_schema(document, exc)]
        raise _invalid(problems, source) from None
    framework, found = model.to_domain()
    if framework is None or problems:
        raise _invalid([*problems, *(locate(p.path, p.message) for p in found)], source)
    return framework, model.model_dump(mode="json", exclude_defaults=True, by_alias=True)


PRUNE_ROUNDS = 4  # schema errors surface in layers (a bad item hides its siblings' checks)


def _beyond_the_schema(document: dict[str, Any], error: ValidationError) -> list[Problem]:
    """The problems the framework's own rules find (unknown tracks, levels, competencies,
    cycles...) in what is left once the items the schema refused are taken out, so that one
    upload reports both kinds; a problem naming a removed item is left out (it follows from
    the first). None when a refusal is not inside a list item (a top-level field)."""
    pruned: set[str] = set()
    shortened: set[tuple[str, bool]] = set()  # (path, and what is under it) not to judge
    kept: dict[tuple[Any, ...], list[int]] = {}  # a list's path -> its items' first indices
    for _ in range(PRUNE_ROUNDS):
        found_items = [_item_of(err["loc"]) for err in error.errors()]
        items = {loc for loc in found_items if loc is not None}
        if len(items) < len(set(found_items)):  # a top-level field: nothing to take out
            return []
        for loc in sorted(items, reverse=True):  # later items first: indices stay right
            *parent_path, index = loc
            parent: Any = document
            for key in parent_path:
                parent = parent[key]
            if not isinstance(parent, list) or not 0 <= index < len(parent):
                return []  # an item already taken out with the list holding it
            item = parent.pop(index)
            kept.setdefault(tuple(parent_path), list(range(len(parent) + 1))).pop(index)
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                pruned.add(item["id"])
            # what holds a shortened list is judged no further ("k of 3 competencies" on a
            # band left with 2): the item owning a nested list, or a top-level list itself
            owner = tuple(parent_path[:-1]) if len(parent_path) > 1 else tuple(parent_path)
            shortened.add((_dotted(owner), len(parent_path) > 1))
        try:
            model = FrameworkModel.model_validate(document)
        except ValidationError as again:
            error = again
            continue
        _, found = model.to_domain()
        return [Problem(_first_path(p.path, kept), p.message, p.line, p.source) for p in found
                if not any(_under(p.path, path, deep) for path, deep in shortened)
                and not any(f"'{item}'" in p.message for item in pruned)]
    return []


def _under(path: str, owner: str, deep: bool) -> bool:
    return path == owner or (deep and path.startswith((f"{owner}.", f"{owner}[")))


def _first_path(path: str, kept: dict[tuple[Any, ...], list[int]]) -> str:
    """A path in the pruned document as it reads in the file (roles[2] was roles[3])."""
    parts: list[Any] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if name:
            parts.append(name)
        else:
            moved = kept.get(tuple(parts))
            i = int(index)
            parts.append(moved[i] if moved is not None and i < len(moved) else i)
    return _dotted(tuple(parts))


def _item_of(loc: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The path of the deepest list item holding an error's location."""
    last = max((i for i, part in enumerate(loc) if isinstance(part, int)
                and loc[i + 1:i + 2] != ("[key]",)), default=None)
    return None if last is None else tuple(loc[:last + 1])


def parse_framework_bytes(data: bytes, source: str = "<bytes>"
                          ) -> tuple[Framework, dict[str, Any]]:
    """Parse a framework file's bytes: UTF-8, with or without a byte-order mark."""
    return parse_framework(_decoded(data, source), source)


def read_framework_file(path: Path) -> tuple[Framework, dict[str, Any]]:
    try:
        with path.open("rb") as handle:  # never more than the limit, whatever the file is
            data = handle.read(FRAMEWORK_FILE_MAX + 1)
    except OSError as exc:
        raise _invalid(
            [Problem("", f"cannot read file: {exc.strerror or exc}", None, str(path))], str(path)
        ) from None
    return parse_framework_bytes(data, str(path))


def locate_in_file(problems: list[Problem], path: Path) -> FrameworkInvalid:
    """Problems found beyond the file itself (its ``replaces`` against the previous version
    of the framework), each given the file and the line its path is on."""
    try:
        with path.open("rb") as handle:
            data = handle.read(FRAMEWORK_FILE_MAX + 1)
    except OSError:  # the file went away since it was read: no lines
        data = b""
    return locate_in_bytes(problems, data, str(path))


def locate_in_bytes(problems: list[Problem], data: bytes, source: str) -> FrameworkInvalid:
    """The same for a framework's bytes from elsewhere, such as an upload."""
    try:
        _, lines, _ = _read_yaml(_utf8(_decoded(data, source), source), source)
    except FrameworkInvalid:
        lines = {}
    return _invalid([Problem(p.path, p.message, _line_of(lines, p.path), source)
                     for p in problems], source)


def framework_from_document(document: dict[str, Any]) -> Framework:
    """Rebuild a framework from the document stored with a framework version."""
    framework, problems = FrameworkModel.model_validate(document).to_domain()
    if framework is None:
        raise _invalid(problems)
    return framework


class _Dumper(_SafeDumper):
    """Quotes what the framework reader would not read back as text: it takes ``1e5`` for a
    number, which PyYAML's own dumper writes bare."""


_Dumper.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))
# In JSON read as YAML, these raw characters are line breaks or refused: escaped instead.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def dump_document(document: Mapping[str, Any], fmt: str = "yaml") -> str:
    """A framework document as a file that reads back to the same document: YAML, or JSON."""
    if fmt == "json":
        text = json.dumps(document, indent=2, ensure_ascii=False)
        return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"
    # PyYAML writes U+0085 as it is and reads it back as a line break: then ASCII only
    ascii_only = "\x85" in json.dumps(document, ensure_ascii=False)
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=not ascii_only,
                     width=100)


# --- problems: one printable line each

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")  # splitlines() too
_SHOWN_MAX = 300  # characters of a path or message: a 100,000-character key is cut short


def _printable(text: str) -> str:
    """Text as one line a terminal can show: a file's own characters are never trusted."""
    text = _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"


def _invalid(problems: list[Problem], source: str | None = None) -> FrameworkInvalid:
    return FrameworkInvalid([Problem(_printable(p.path), _printable(p.message), p.line,
                                     p.source) for p in problems], source)


def _refused(message: str, source: str, line: int | None = None) -> FrameworkInvalid:
    return _invalid([Problem("", message, line, source)], source)


def _message(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":  # our own sentence, without pydantic's "Value error, "
        return str(err["ctx"]["error"])
    return str(msg) + (" (the key)" if err["loc"][-1:] == ("[key]",) else "")


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for i, part in enumerate(loc):
        if part == "[key]":
            continue
        if isinstance(part, int) and loc[i + 1:i + 2] != ("[key]",):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# --- text: UTF-8 and no bigger than the limit

_OTHER_ENCODINGS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))
_TOO_BIG = (f"the file is larger than {FRAMEWORK_FILE_MAX // 2**20} MiB "
            f"({FRAMEWORK_FILE_MAX:,} bytes), the most a framework file may be")


def _decoded(data: bytes, source: str) -> str:
    if len(data) > FRAMEWORK_FILE_MAX:
        raise _refused(_TOO_BIG, source)
    for mark, encoding in _OTHER_ENCODINGS:  # UTF-32 first: its LE mark starts like UTF-16's
        if data.startswith(mark):
            raise _refused(f"the file is {encoding} (it starts with a {encoding} byte-order "
                           "mark): save it as UTF-8", source, 1)
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _refused(f"not valid UTF-8 ({exc.reason}: byte 0x{data[exc.start]:02X}): save "
                       "the file as UTF-8", source, line) from None


def _utf8(text: str, source: str) -> bytes:
    if len(text) > FRAMEWORK_FILE_MAX:  # a character is one byte or more: too big already
        raise _refused(_TOO_BIG, source)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate (U+D800-U+DFFF) is no character
        line = text.count("\n", 0, exc.start) + 1
        raise _refused(f"not valid text: U+{ord(text[exc.start]):04X} is half of a UTF-16 "
                       "surrogate pair, not a character", source, line) from None
    if len(data) > FRAMEWORK_FILE_MAX:
        raise _refused(_TOO_BIG, source)
    return data


# --- YAML: composed within the node and depth limits, checked before anything is built

_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_TOO_DEEP = f"mappings and lists nest more than {FRAMEWORK_DEPTH_MAX} deep"


class _BoundedLoader(_Loader):
    """The safe loader, counting nodes and nesting as it composes them: past a limit it
    stops at once, before it holds more in memory or recurses deeper (libyaml's composer
    recurses in C). Both composers call the resolver's hooks once per node, aliases aside;
    a safe loader has no path resolvers, so the hooks have nothing else to do."""

    def __init__(self, data: bytes, source: str) -> None:
        super().__init__(data)
        self.source, self.nodes, self.depth = source, 0, 0

    def descend_resolver(self, parent: yaml.Node | None, index: Any) -> None:
        self.nodes += 1
        if self.nodes > FRAMEWORK_NODES_MAX:
            raise _refused(f"the file holds more than {FRAMEWORK_NODES_MAX:,} keys, values "
                           "and items, the most a framework file may hold", self.source)
        if self.depth > FRAMEWORK_DEPTH_MAX and parent is not None:
            raise _refused(_TOO_DEEP, self.source, parent.start_mark.line + 1)
        self.depth += 1

    def ascend_resolver(self) -> None:
        self.depth -= 1


def _scalar_failing_softly(tag: str, kind: str) -> None:
    """Make a scalar's constructor refuse what it cannot read as a YAML error with a line,
    instead of Python's own (a 13th month, ``!!int abc``, ``!!bool maybe``, ``!!float ''``)."""
    construct = _BoundedLoader.yaml_constructors[tag]

    def careful(loader: Any, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, OverflowError, IndexError, KeyError, AttributeError):
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r} as {kind}", node.start_mark) from None

    _BoundedLoader.add_constructor(tag, careful)


for _tag, _kind in (("int", "an integer"), ("float", "a number"), ("bool", "true or false"),
                    ("timestamp", "a date")):
    _scalar_failing_softly(f"tag:yaml.org,2002:{_tag}", _kind)
# JSON writes 1e-05 and 2.5E+20, which YAML 1.1 would read as strings: read them as numbers
_BoundedLoader.add_implicit_resolver(
    _FLOAT, re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def _read_yaml(data: bytes, source: str
               ) -> tuple[Any, dict[str, int], list[tuple[str, int]]]:
    """The plain document, the line of each path and the repeated keys, from one parse."""
    loader = _BoundedLoader(data, source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        _check_tree(node, loader.nodes, source)
        lines, repeated = _line_index(node)  # before merge keys (<<) rewrite the tree
        return loader.construct_document(node), lines, repeated
    except yaml.YAMLError as exc:
        raise _invalid([_yaml_problem(exc, data, source)], source) from None
    finally:
        loader.dispose()


def _yaml_problem(exc: yaml.YAMLError, data: bytes, source: str) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        line: int | None = mark.line + 1
    elif isinstance(exc, yaml.reader.ReaderError):  # a byte offset instead of a mark
        line = data.count(b"\n", 0, exc.position) + 1
    else:
        line = None
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return Problem("", f"not valid YAML/JSON: {reason}", line, source)


def _check_tree(root: yaml.Node, nodes: int, source: str) -> None:
    """Visit each composed mapping and list once, refusing recursive aliases, aliases that
    repeat more than the limit, nesting past the limit once aliases are expanded, over-long
    values and numbers too long to read. ``nodes`` is how many nodes were composed.

    Composed aliases share their node, so the size of a "billion laughs" file's expansion is
    summed over a few dozen nodes and refused, and nothing ever walks the expansion.
    """
    size: dict[int, int] = {}  # nodes each collection stands for, once aliases are expanded
    height: dict[int, int] = {}  # collections nested in it (itself included), expanded
    open_: set[int] = set()  # being visited: an alias to one of these is recursive
    stack: list[tuple[yaml.Node, list[yaml.Node] | None]] = [(root, None)]
    while stack:
        node, leaving = stack.pop()
        key = id(node)
        if leaving is not None:
            open_.discard(key)
            subtrees = [c for c in leaving if not isinstance(c, yaml.ScalarNode)]
            size[key] = 1 + len(leaving) - len(subtrees) + sum(size[id(c)] for c in subtrees)
            if size[key] - nodes > FRAMEWORK_ALIAS_NODES_MAX:
                raise _refused(f"aliases repeat more than {FRAMEWORK_ALIAS_NODES_MAX:,} keys, "
                               "values and items, the most a framework file may hold", source,
                               node.start_mark.line + 1)
            deepest = max(subtrees, key=lambda c: height[id(c)], default=node)
            height[key] = 1 + (height[id(deepest)] if subtrees else 0)
            if height[key] > FRAMEWORK_DEPTH_MAX:  # through an alias, or to an empty one
                raise _refused(_TOO_DEEP, source, deepest.start_mark.line + 1)
        elif isinstance(node, yaml.ScalarNode):
            _check_scalar(node, source)
        elif key in open_:
            raise _refused("an alias refers to a mapping or list it is part of (a recursive "
                           "alias)", source, node.start_mark.line + 1)
        elif key not in size:  # else an alias to a collection measured already
            open_.add(key)
            children = ([n for pair in node.value for n in pair]
                        if isinstance(node, yaml.MappingNode) else list(node.value))
            stack.append((node, children))
            stack.extend((child, None) for child in children)


def _check_scalar(node: yaml.ScalarNode, source: str) -> None:
    value = node.value
    if len(value) <= FRAMEWORK_NUMBER_MAX:  # nearly every value: nothing more to check
        return
    line = node.start_mark.line + 1
    if len(value) > FRAMEWORK_SCALAR_MAX:
        raise _refused(f"a value of {len(value):,} characters: at most "
                       f"{FRAMEWORK_SCALAR_MAX:,} are allowed", source, line)
    if node.tag in (_INT, _FLOAT):
        raise _refused(f"a number written with {len(value):,} characters: at most "
                       f"{FRAMEWORK_NUMBER_MAX} are allowed", source, line)


def _line_index(root: yaml.Node) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Map each dotted path in a YAML node tree to its 1-based line; list repeated keys."""
    index: dict[str, int] = {}
    repeated: list[tuple[str, int]] = []
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, path = stack.pop()
        index.setdefault(path, node.start_mark.line + 1)
        children: list[tuple[yaml.Node, str]] = []
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                child = f"{path}.{key}" if path else key
                if key in seen:
                    repeated.append((child, key_node.start_mark.line + 1))
                seen.add(key)
                index[child] = key_node.start_mark.line + 1
                children.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        stack.extend(reversed(children))
    return index, repeated


def _line_of(index: dict[str, int], path: str) -> int | None:
    """The line of a path, or of its nearest ancestor that the file spells out."""
    while path:
        if path in index:
            return index[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return index.get("")


SHIPPED = ("software-company", "nursing",
           # generated by tools/convert_monzo.py from Monzo's progression framework (MIT)
           "monzo-engineering", "monzo-backend", "monzo-web", "monzo-mobile", "monzo-data",
           "monzo-quality", "monzo-operations", "monzo-customer-operations", "monzo-techops",
           "monzo-product", "monzo-design", "monzo-people", "monzo-marketing",
           "monzo-executive-support", "monzo-generic")


def shipped_framework_path(name: str) -> Path | None:
    """The file of a framework shipped with Trellis, by name (``software-company``)."""
    if name not in SHIPPED:
        return None
    return Path(__file__).resolve().parent.parent / "frameworks" / f"{name}.yaml"


def resolve_framework_source(source: str) -> Path:
    """A path as given, or the shipped framework of that name."""
    path = Path(source).expanduser()
    if not path.exists():
        shipped = shipped_framework_path(source)
        if shipped is not None:
            return shipped
    return path
