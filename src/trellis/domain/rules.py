"""Level rules evaluated against a profile: expectations, points, and skill-band levels.

A framework can combine four kinds of rule per track (see docs/frameworks.md):

- the **expectations matrix**: each role requires listed competencies at a minimum mastery;
- **criteria**: each role expects the statements of its topics and level;
- **points**: mastery earns points (per competency, optionally weighted), total points reach
  levels, and point ranges make titles eligible;
- **bands**: a skill band's level is reached when k of its competencies are at mastery m or
  more, or when its average mastery reaches x.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass

from .criteria import met_criteria
from .framework import Framework, PointsRule, Role
from .profile import Profile


@dataclass(frozen=True, slots=True)
class ExpectationsResult:
    role: str
    title: str
    met: int
    expected: int
    gaps: Mapping[str, tuple[int, int]]  # competency -> (has, needs)
    criteria_met: int = 0
    criteria_expected: int = 0


@dataclass(frozen=True, slots=True)
class PointsResult:
    rule: str
    per_band: Mapping[str, float]
    total: float
    level: str | None  # the highest level the points reach
    eligible_titles: tuple[str, ...]  # role ids whose point range holds the total


@dataclass(frozen=True, slots=True)
class BandStanding:
    band: str
    level: int
    level_name: str | None
    next_level: str | None  # what the next level asks, in words


@dataclass(frozen=True, slots=True)
class RulesReport:
    expectations: tuple[ExpectationsResult, ...]
    points: tuple[PointsResult, ...]
    bands: tuple[BandStanding, ...]


def expectations(role: Role, mastery: Mapping[str, int],
                 met: Set[str] = frozenset()) -> ExpectationsResult:
    gaps = {c: (mastery.get(c, 0), need) for c, need in role.expects.items()
            if mastery.get(c, 0) < need}
    return ExpectationsResult(role.id, role.title, len(role.expects) - len(gaps),
                              len(role.expects), gaps,
                              sum(1 for c in role.criteria if c in met), len(role.criteria))


def points(rule: PointsRule, framework: Framework, mastery: Mapping[str, int]) -> PointsResult:
    per_band: dict[str, float] = {}
    for band in framework.bands.values():
        per_band[band.id] = round(sum(rule.points_for(c, mastery.get(c, 0))
                                      for c in band.competencies), 2)
    total = round(sum(per_band.values()), 2)
    level = None
    for level_id, least in rule.level_thresholds:
        if total >= least:
            level = level_id
    titles = tuple(t.role for t in rule.titles
                   if total >= t.min and (t.max is None or total <= t.max))
    return PointsResult(rule.id, per_band, total, level, titles)


def points_bars(framework: Framework, role: Role) -> list[tuple[PointsRule, float, str]]:
    """The point bars a role sets: (rule, least points, kind), kind ``points`` for the
    threshold of its level and ``title`` for its title's least points (when different)."""
    out = []
    for rule in framework.points_rules:
        if not rule.applies_to(role.track):
            continue
        least = dict(rule.level_thresholds).get(role.level)
        title = next((t for t in rule.titles if t.role == role.id), None)
        if least is not None and least > 0:
            out.append((rule, least, "points"))
        if title is not None and title.min > 0 and title.min != least:
            out.append((rule, title.min, "title"))
    return out


def band_standings(framework: Framework, mastery: Mapping[str, int]) -> tuple[BandStanding, ...]:
    out = []
    for band in framework.bands.values():
        if not band.levels:
            continue
        level = band.level_of(mastery)
        current = next((lv for lv in band.levels if lv.level == level), None)
        upcoming = next((lv for lv in band.levels if lv.level == level + 1), None)
        ask = None
        if upcoming is not None:
            ask = (f"{upcoming.name}: average mastery {upcoming.average:g}"
                   if upcoming.average is not None else
                   f"{upcoming.name}: {upcoming.k} of {len(band.competencies)} at mastery "
                   f"{upcoming.mastery}+")
        out.append(BandStanding(band.id, level, current.name if current else None, ask))
    return tuple(out)


def evaluate_rules(profile: Profile, framework: Framework) -> RulesReport:
    """Every rule of the framework that applies to the person's track, evaluated now."""
    mastery = {c: layer.mastery for c, layer in profile.mastery.items()}
    checked = []
    met = met_criteria(profile, framework)
    current = framework.roles.get(profile.role) if profile.role else None
    if current is not None:
        checked.append(expectations(current, mastery, met))
        following = framework.next_role(current.id)
        if following is not None:
            checked.append(expectations(following, mastery, met))
    return RulesReport(
        expectations=tuple(checked),
        points=tuple(points(rule, framework, mastery) for rule in framework.points_rules
                     if rule.applies_to(profile.track)),
        bands=band_standings(framework, mastery),
    )


def rules_to_document(report: RulesReport) -> dict[str, object]:
    return {
        "expectations": [
            {"role": e.role, "title": e.title, "met": e.met, "expected": e.expected,
             "gaps": {c: {"has": has, "needs": need} for c, (has, need) in e.gaps.items()},
             "criteria": {"met": e.criteria_met, "expected": e.criteria_expected}}
            for e in report.expectations
        ],
        "points": [
            {"rule": p.rule, "per_band": dict(p.per_band), "total": p.total,
             "level": p.level, "eligible_titles": list(p.eligible_titles)}
            for p in report.points
        ],
        "bands": {b.band: {"level": b.level, "name": b.level_name, "next": b.next_level}
                  for b in report.bands},
    }
