"""Framework files: YAML or JSON, read with line numbers, checked, turned into a Framework.

The pydantic models below *are* the file format: they check structure, and
``json_schema()`` publishes them. Whole-framework checks live in the domain
(``assemble_framework``). Every problem is reported with its path and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, model_validator

from trellis.domain.framework import (
    DEFAULT_DESCRIPTORS,
    BandLevel,
    Competency,
    ExplicitMove,
    Framework,
    LatticeSettings,
    Level,
    MasteryScale,
    MoveKind,
    PayBand,
    PayStep,
    PointsRule,
    ReadinessPolicy,
    Role,
    RoleType,
    TitleRange,
    Track,
)
from trellis.domain.framework_assembly import BandDraft, assemble_framework
from trellis.errors import FrameworkInvalid, Problem

Id = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScaleModel(_Strict):
    """A mastery scale from 0 to max. Descriptors say what each step looks like."""

    max: int = Field(5, ge=1, le=10)
    descriptors: list[str] | None = None

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
    name: str
    role_type: RoleType = RoleType.STRUCTURED
    description: str = ""


class LevelModel(_Strict):
    id: Id
    name: str
    description: str = ""
    min_months: float | None = Field(None, ge=0, description="readiness gate: least months "
                                     "in the level below before a promotion into this one")


class CompetencyModel(_Strict):
    id: Id
    name: str
    description: str = ""
    scale: ScaleModel | None = None
    prerequisites: list[str] = []


class PayStepModel(_Strict):
    """A raise that comes with a band upgrade: give percent or amount."""

    percent: float | None = Field(None, gt=0, le=50)
    amount: StrictInt | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.percent is None) == (self.amount is None):
            raise ValueError("give exactly one of percent or amount")
        return self


class BandLevelModel(_Strict):
    """Reached when k of the band's competencies are at mastery or more, or when the
    band's average mastery reaches average."""

    name: str
    k: StrictInt | None = None
    mastery: StrictInt | None = None
    average: float | None = None
    pay_step: PayStepModel | None = None


class SkillBandModel(_Strict):
    id: Id
    name: str
    description: str = ""
    competencies: list[CompetencyModel]
    levels: list[BandLevelModel] = []


class TitleRangeModel(_Strict):
    role: str
    min: float
    max: float | None = None


class LevelThresholdModel(_Strict):
    level: str
    min_points: float


class PointsModel(_Strict):
    """A points-based growth framework: mastery earns points, points reach levels."""

    id: Id
    tracks: list[str] = []
    mastery_points: list[float] = Field(min_length=1)
    competency_points: dict[str, list[float]] = {}
    weights: dict[str, float] = {}
    levels: list[LevelThresholdModel] = []
    titles: list[TitleRangeModel] = []


class ReadinessModel(_Strict):
    fresh_months: float = Field(36.0, gt=0)
    stale_weight: float = Field(0.8, ge=0, le=1)
    ready_at: float = Field(100.0, gt=0, le=100)


class MoveWeightsModel(_Strict):
    """The friction of each kind of move, in months, added to the skill gap's effort."""

    vertical: float = Field(0.0, ge=0)
    lateral: float = Field(3.0, ge=0)
    diagonal: float = Field(4.0, ge=0)


class MoveModel(_Strict):
    """A move the framework declares between two roles (in addition to the grid's)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    kind: MoveKind
    weight: float | None = Field(None, ge=0, description="months; default: the kind's weight")


class LatticeModel(_Strict):
    """How the career lattice prices moves (see docs/lattice.md)."""

    weights: MoveWeightsModel = MoveWeightsModel()
    moves: list[MoveModel] = []
    lanes: float = Field(3.0, gt=0, le=20, description="competencies worked on at once")

    def to_domain(self) -> LatticeSettings:
        w = self.weights
        return LatticeSettings(
            weights={MoveKind.VERTICAL: w.vertical, MoveKind.LATERAL: w.lateral,
                     MoveKind.DIAGONAL: w.diagonal},
            moves=tuple(ExplicitMove(m.source, m.target, m.kind, m.weight)
                        for m in self.moves),
            lanes=self.lanes,
        )


class PayBandModel(_Strict):
    min: StrictInt = Field(ge=0)
    mid: StrictInt = Field(ge=0)
    max: StrictInt = Field(ge=0)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")


class RoleModel(_Strict):
    id: Id
    track: str
    level: str
    title: str
    description: str = ""
    pay_band: PayBandModel | None = None
    expects: dict[str, StrictInt] = {}
    must_have: list[str] = []
    tools: list[str] = []


class FrameworkModel(_Strict):
    """A Trellis career framework file."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, json_schema_extra={"$id": "trellis-framework.schema.json"}
    )

    id: Id
    name: str
    description: str = ""
    attribution: str = ""
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    mastery_scale: ScaleModel = ScaleModel()
    tracks: list[TrackModel]
    levels: list[LevelModel]
    skill_bands: list[SkillBandModel]
    roles: list[RoleModel]
    points: list[PointsModel] = []
    readiness: ReadinessModel = ReadinessModel()
    lattice: LatticeModel = LatticeModel()

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
            )
            for r in self.roles
        ]
        return assemble_framework(
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
        )


def json_schema() -> dict[str, Any]:
    """The JSON Schema of framework files, generated from the models above."""
    return FrameworkModel.model_json_schema()


def parse_framework(text: str, source: str = "<text>") -> tuple[Framework, dict[str, Any]]:
    """Parse YAML or JSON text into a Framework and its plain document.

    Raises FrameworkInvalid with every problem, each located by path and line.
    """
    try:
        node, document = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrameworkInvalid([Problem("", f"not valid YAML/JSON: {reason}", line, source)],
                               source) from None
    if not isinstance(document, dict):
        raise FrameworkInvalid([Problem("", "expected a mapping at the top", 1, source)], source)
    lines, repeated = _line_index(node)

    def locate(path: str, message: str) -> Problem:
        return Problem(path, message, _line_of(lines, path), source)

    if repeated:
        raise FrameworkInvalid([Problem(path, "key repeated", line, source)
                                for path, line in repeated], source)

    try:
        model = FrameworkModel.model_validate(document)
    except ValidationError as exc:
        problems = [locate(_dotted(err["loc"]), _message(err)) for err in exc.errors()]
        raise FrameworkInvalid(problems, source) from None
    framework, found = model.to_domain()
    if framework is None:
        raise FrameworkInvalid([locate(p.path, p.message) for p in found], source)
    return framework, model.model_dump(mode="json", exclude_defaults=True, by_alias=True)


def read_framework_file(path: Path) -> tuple[Framework, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkInvalid(
            [Problem("", f"cannot read file: {exc.strerror or exc}", None, str(path))], str(path)
        ) from None
    return parse_framework(text, str(path))


def framework_from_document(document: dict[str, Any]) -> Framework:
    """Rebuild a framework from the document stored with a framework version."""
    framework, problems = FrameworkModel.model_validate(document).to_domain()
    if framework is None:
        raise FrameworkInvalid(problems)
    return framework


def dump_document(document: dict[str, Any], fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _message(err: Any) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    return str(msg)


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~8x faster


def _load_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once, keeping the node tree (for line numbers) and the plain document."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _line_index(node: yaml.Node | None) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Map each dotted path in a YAML node tree to its 1-based line; list repeated keys."""
    index: dict[str, int] = {}
    repeated: list[tuple[str, int]] = []

    def walk(n: yaml.Node, path: str) -> None:
        index.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in n.value:
                key = str(key_node.value)
                child = f"{path}.{key}" if path else key
                if key in seen:
                    repeated.append((child, key_node.start_mark.line + 1))
                seen.add(key)
                index[child] = key_node.start_mark.line + 1
                walk(value_node, child)
                index[child] = key_node.start_mark.line + 1
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, f"{path}[{i}]")

    if node is not None:
        walk(node, "")
    return index, repeated


def _line_of(index: dict[str, int], path: str) -> int | None:
    """The line of a path, or of its nearest ancestor that the file spells out."""
    while path:
        if path in index:
            return index[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return index.get("")


SHIPPED = ("software-company", "nursing")


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
