"""Assemble a framework from its parts in file order, reporting every problem by path.

Structure (types, required fields) is checked by the file reader; this module checks what
only the whole framework can tell: duplicate ids, references to nothing, mastery outside a
scale, and cycles among competency prerequisites.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Protocol

from trellis.errors import Problem

from .framework import (
    BandLevel,
    Competency,
    CriteriaPolicy,
    Criterion,
    Framework,
    LatticeSettings,
    Level,
    PointsRule,
    ReadinessPolicy,
    Role,
    SkillBand,
    Topic,
    Track,
)


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


@dataclass(frozen=True, slots=True)
class BandDraft:
    """A skill band as written in a file: it holds its competencies inline."""

    id: str
    name: str
    competencies: Sequence[Competency]
    description: str = ""
    levels: Sequence[BandLevel] = ()


@dataclass(frozen=True, slots=True)
class TopicDraft:
    """A topic as written in a file: it holds its criteria inline."""

    id: str
    name: str
    criteria: Sequence[Criterion]
    tracks: Sequence[str] = ()
    description: str = ""
    replaces: Sequence[str] = ()


def assemble_framework(
    *,
    key: str,
    name: str,
    tracks: Sequence[Track],
    levels: Sequence[Level],
    bands: Sequence[BandDraft],
    roles: Sequence[Role],
    description: str = "",
    currency: str = "USD",
    attribution: str = "",
    points_rules: Sequence[PointsRule] = (),
    readiness: ReadinessPolicy | None = None,
    lattice: LatticeSettings | None = None,
    topics: Sequence[TopicDraft] = (),
    criteria_policy: CriteriaPolicy | None = None,
) -> tuple[Framework | None, list[Problem]]:
    problems: list[Problem] = []

    def unique(items: Sequence[_HasId], section: str, seen: set[str] | None = None) -> set[str]:
        seen = set() if seen is None else seen
        for i, item in enumerate(items):
            item_id = item.id
            if item_id in seen:
                problems.append(Problem(f"{section}[{i}].id", f"duplicate id '{item_id}'"))
            seen.add(item_id)
        return seen

    track_ids = unique(tracks, "tracks")
    level_ids = unique(levels, "levels")
    unique(bands, "skill_bands")
    role_ids = unique(roles, "roles")
    competency_ids: set[str] = set()
    for b, band in enumerate(bands):
        unique(band.competencies, f"skill_bands[{b}].competencies", competency_ids)
    competencies = {c.id: c for band in bands for c in band.competencies}

    policy = criteria_policy or CriteriaPolicy()
    unique(topics, "topics")
    problems.extend(_criteria_problems(topics, policy, track_ids, level_ids))
    if not bands and not topics:
        problems.append(Problem("skill_bands", "a framework needs skill bands or topics"))
    for b, band in enumerate(bands):
        if not band.competencies:
            problems.append(Problem(f"skill_bands[{b}].competencies", "a band needs competencies"))
        for c, comp in enumerate(band.competencies):
            path = f"skill_bands[{b}].competencies[{c}]"
            if len(comp.scale.descriptors) != comp.scale.max + 1:
                problems.append(
                    Problem(
                        f"{path}.scale",
                        f"{len(comp.scale.descriptors)} descriptors for a 0-{comp.scale.max} "
                        f"scale (need {comp.scale.max + 1})",
                    )
                )
            for p, prereq in enumerate(comp.prerequisites):
                if prereq not in competency_ids:
                    problems.append(
                        Problem(f"{path}.prerequisites[{p}]", f"unknown competency '{prereq}'")
                    )
    problems.extend(_prerequisite_cycles(bands, competencies))
    problems.extend(_replaces_problems(bands, topics))
    for b, band in enumerate(bands):
        problems.extend(_band_level_problems(b, band))

    for r, role in enumerate(roles):
        path = f"roles[{r}]"
        if role.track not in track_ids:
            problems.append(Problem(f"{path}.track", f"unknown track '{role.track}'"))
        if role.level not in level_ids:
            problems.append(Problem(f"{path}.level", f"unknown level '{role.level}'"))
        for comp_id, mastery in role.expects.items():
            expected = competencies.get(comp_id)
            if expected is None:
                problems.append(
                    Problem(f"{path}.expects.{comp_id}", f"unknown competency '{comp_id}'")
                )
            elif not 0 <= mastery <= expected.scale.max:
                problems.append(
                    Problem(
                        f"{path}.expects.{comp_id}",
                        f"mastery {mastery} is outside the 0-{expected.scale.max} scale",
                    )
                )
        for m, must in enumerate(role.must_have):
            if must not in role.expects:
                problems.append(Problem(f"{path}.must_have[{m}]",
                                        f"'{must}' is not one of the role's expectations"))
        for comp_id in role.attributes.importance:
            if comp_id not in competencies:
                problems.append(Problem(f"{path}.attributes.importance.{comp_id}",
                                        f"unknown competency '{comp_id}'"))
        for band_id, band_level in role.band_levels.items():
            drafted = next((b for b in bands if b.id == band_id), None)
            if drafted is None:
                problems.append(Problem(f"{path}.band_levels.{band_id}",
                                        f"unknown skill band '{band_id}'"))
            elif not 1 <= band_level <= len(drafted.levels):
                problems.append(Problem(f"{path}.band_levels.{band_id}",
                                        f"band '{band_id}' has levels 1-{len(drafted.levels)}"
                                        if drafted.levels else
                                        f"band '{band_id}' declares no levels"))
        pay_band = role.pay_band
        if pay_band is not None and not pay_band.min <= pay_band.mid <= pay_band.max:
            problems.append(Problem(f"{path}.pay_band", "pay band needs min <= mid <= max"))
    problems.extend(_points_problems(points_rules, track_ids, level_ids, role_ids,
                                     competencies, [lv.id for lv in levels]))
    if lattice is not None:
        problems.extend(_lattice_problems(lattice, role_ids))
    if not roles:
        problems.append(Problem("roles", "a framework needs at least one role"))
    if not levels:
        problems.append(Problem("levels", "a framework needs at least one level"))
    if problems:
        return None, problems

    ranks = {lv.id: rank for rank, lv in enumerate(levels, start=1)}
    framework = Framework(
        key=key,
        name=name,
        description=description,
        currency=currency,
        attribution=attribution,
        tracks={t.id: t for t in tracks},
        levels={lv.id: Level(lv.id, lv.name, rank, lv.description, lv.min_months)
                for rank, lv in enumerate(levels, start=1)},
        bands={
            b.id: SkillBand(b.id, b.name, tuple(c.id for c in b.competencies), b.description,
                            tuple(b.levels))
            for b in bands
        },
        points_rules=tuple(points_rules),
        readiness=readiness or ReadinessPolicy(),
        lattice=lattice or LatticeSettings(),
        competencies=competencies,
        roles={r.id: replace(r, criteria=_expected_criteria(r, topics, ranks, policy))
               for r in roles},
        topics={t.id: Topic(t.id, t.name, tuple(c.id for c in t.criteria), tuple(t.tracks),
                            t.description, tuple(t.replaces)) for t in topics},
        criteria={c.id: replace(c, topic=t.id) for t in topics for c in t.criteria},
        criteria_policy=policy,
    )
    return framework, []


def _expected_criteria(role: Role, topics: Sequence[TopicDraft], ranks: dict[str, int],
                       policy: CriteriaPolicy) -> tuple[str, ...]:
    """The criteria a role expects: its level's, and below it when they are cumulative."""
    rank = ranks[role.level]
    return tuple(
        c.id for t in topics if not t.tracks or role.track in t.tracks
        for c in t.criteria
        if ranks[c.level] == rank or (policy.cumulative and ranks[c.level] < rank))


def _criteria_problems(topics: Sequence[TopicDraft], policy: CriteriaPolicy,
                       tracks: set[str], levels: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    scale = policy.scale
    if len(scale.descriptors) != scale.max + 1:
        problems.append(Problem("criteria.scale", f"{len(scale.descriptors)} descriptors for "
                                f"a 0-{scale.max} scale (need {scale.max + 1})"))
    if not 1 <= policy.met_at <= scale.max:
        problems.append(Problem("criteria.met_at", f"met_at must be 1-{scale.max}, the "
                                "proficiency scale"))
    criterion_ids: set[str] = set()
    for t, topic in enumerate(topics):
        path = f"topics[{t}]"
        for i, track in enumerate(topic.tracks):
            if track not in tracks:
                problems.append(Problem(f"{path}.tracks[{i}]", f"unknown track '{track}'"))
        if not topic.criteria:
            problems.append(Problem(f"{path}.criteria", "a topic needs criteria"))
        for c, criterion in enumerate(topic.criteria):
            where = f"{path}.criteria[{c}]"
            if criterion.id in criterion_ids:
                problems.append(Problem(f"{where}.id", f"duplicate criterion id "
                                        f"'{criterion.id}'"))
            criterion_ids.add(criterion.id)
            if criterion.level not in levels:
                problems.append(Problem(f"{where}.level", f"unknown level '{criterion.level}' "
                                        "(a criterion belongs to one of the framework's "
                                        "levels)"))
            if criterion.proficiency is not None and not (
                    1 <= criterion.proficiency <= scale.max):
                problems.append(Problem(f"{where}.proficiency",
                                        f"proficiency must be 1-{scale.max}"))
    return problems


def _replaces_problems(bands: Sequence[BandDraft], topics: Sequence[TopicDraft]
                       ) -> list[Problem]:
    """What one file can tell of ``replaces``: an old id listed twice by one item, an item
    replacing itself, and a cycle (a replaces b, b replaces a). Several old ids in one item
    are a merge, one old id in several items a split: both are fine. Whether the old ids
    exist is checked against the previous version (domain.framework_diff)."""
    sections: list[list[tuple[str, str, Sequence[str]]]] = [
        [(f"skill_bands[{b}].competencies[{i}]", c.id, c.replaces)
         for b, band in enumerate(bands) for i, c in enumerate(band.competencies)],
        [(f"topics[{t}]", topic.id, topic.replaces) for t, topic in enumerate(topics)],
        [(f"topics[{t}].criteria[{i}]", c.id, c.replaces)
         for t, topic in enumerate(topics) for i, c in enumerate(topic.criteria)]]
    problems: list[Problem] = []
    for items in sections:
        where = {item_id: path for path, item_id, _ in items}
        graph: dict[str, list[str]] = {}
        for path, item_id, replaces in items:
            seen: set[str] = set()
            for r, old in enumerate(replaces):
                if old == item_id:
                    problems.append(Problem(f"{path}.replaces[{r}]",
                                            f"'{item_id}' cannot replace itself"))
                elif old in seen:
                    problems.append(Problem(f"{path}.replaces[{r}]",
                                            f"'{old}' is listed twice"))
                seen.add(old)
            graph[item_id] = [old for old in replaces if old in where and old != item_id]
        problems.extend(Problem(f"{where[closer]}.replaces", "replaces cycle: "
                                + " -> ".join(cycle)) for closer, cycle in _cycles(graph))
    return problems


def _cycles(graph: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Each cycle of a graph found by one depth-first search (its own stack), as the node
    whose edge closes it and the cycle spelled out (``a -> b -> a``)."""
    done: set[str] = set()
    found: list[tuple[str, list[str]]] = []
    for root in graph:
        if root in done:
            continue
        path, position, pending = [root], {root: 0}, [iter(graph[root])]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                done.add(path[-1])
                del position[path.pop()]
            elif nxt in position:
                found.append((path[-1], [*path[position[nxt]:], nxt]))
            elif nxt not in done:
                position[nxt] = len(path)
                path.append(nxt)
                pending.append(iter(graph[nxt]))
    return found


def _lattice_problems(lattice: LatticeSettings, roles: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for i, move in enumerate(lattice.moves):
        path = f"lattice.moves[{i}]"
        for end, role in (("from", move.source), ("to", move.target)):
            if role not in roles:
                problems.append(Problem(f"{path}.{end}", f"unknown role '{role}'"))
        if move.source == move.target:
            problems.append(Problem(path, "a move needs two different roles"))
        if (move.source, move.target) in seen:
            problems.append(Problem(path, f"move {move.source} -> {move.target} repeated"))
        seen.add((move.source, move.target))
    return problems


def _band_level_problems(b: int, band: BandDraft) -> list[Problem]:
    problems = []
    n = len(band.competencies)
    top = min((c.scale.max for c in band.competencies), default=0)
    for i, level in enumerate(band.levels):
        path = f"skill_bands[{b}].levels[{i}]"
        by_count = level.k is not None or level.mastery is not None
        if by_count == (level.average is not None):
            problems.append(Problem(path, "give either k and mastery, or average"))
        elif by_count and (level.k is None or level.mastery is None):
            problems.append(Problem(path, "k and mastery go together"))
        elif level.k is not None and not 1 <= level.k <= n:
            problems.append(Problem(f"{path}.k", f"k must be 1-{n}, the band's size"))
        elif level.mastery is not None and not 1 <= level.mastery <= top:
            problems.append(Problem(f"{path}.mastery", f"mastery must be 1-{top}"))
        elif level.average is not None and not 0 < level.average <= top:
            problems.append(Problem(f"{path}.average",
                                    f"average must be above 0, at most {top}"))
    return problems


def _points_problems(rules: Sequence[PointsRule], tracks: set[str], levels: set[str],
                     roles: set[str], competencies: dict[str, Competency],
                     level_order: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    level_rank: dict[str, int] = {}
    for rank, level in enumerate(level_order):
        level_rank.setdefault(level, rank)
    for r, rule in enumerate(rules):
        path = f"points[{r}]"
        if rule.id in seen:
            problems.append(Problem(f"{path}.id", f"duplicate id '{rule.id}'"))
        seen.add(rule.id)
        for t, track in enumerate(rule.tracks):
            if track not in tracks:
                problems.append(Problem(f"{path}.tracks[{t}]", f"unknown track '{track}'"))
        tables = [("mastery_points", rule.mastery_points),
                  *((f"competency_points.{c}", table)
                    for c, table in rule.competency_points.items())]
        for name, table in tables:
            if any(b < a for a, b in pairwise(table)):
                problems.append(Problem(f"{path}.{name}",
                                        "points must not fall as mastery rises"))
        for c, table in rule.competency_points.items():
            comp = competencies.get(c)
            if comp is None:
                problems.append(Problem(f"{path}.competency_points.{c}",
                                        f"unknown competency '{c}'"))
            elif len(table) != comp.scale.max + 1:
                problems.append(Problem(f"{path}.competency_points.{c}",
                                        f"needs {comp.scale.max + 1} entries (mastery 0-"
                                        f"{comp.scale.max})"))
        for c in rule.weights:
            if c not in competencies:
                problems.append(Problem(f"{path}.weights.{c}", f"unknown competency '{c}'"))
        previous_rank, previous_points = -1, float("-inf")
        for i, (level, least) in enumerate(rule.level_thresholds):
            if level not in levels:
                problems.append(Problem(f"{path}.levels[{i}].level",
                                        f"unknown level '{level}'"))
                continue
            rank = level_rank[level]
            if rank <= previous_rank or least <= previous_points:
                problems.append(Problem(f"{path}.levels[{i}]",
                                        "levels and their points must both rise"))
            previous_rank, previous_points = rank, least
        for i, title in enumerate(rule.titles):
            if title.role not in roles:
                problems.append(Problem(f"{path}.titles[{i}].role",
                                        f"unknown role '{title.role}'"))
            if title.max is not None and title.max < title.min:
                problems.append(Problem(f"{path}.titles[{i}]", "max is below min"))
    return problems


def _prerequisite_cycles(
    bands: Sequence[BandDraft], competencies: dict[str, Competency]
) -> list[Problem]:
    """Report each competency that closes a prerequisite cycle, with the cycle spelled out.

    A depth-first search with its own stack (a chain of thousands of prerequisites is as
    easy as a short one), reporting the competency whose prerequisite closes the cycle.
    """
    where = {
        c.id: f"skill_bands[{b}].competencies[{i}].prerequisites"
        for b, band in enumerate(bands)
        for i, c in enumerate(band.competencies)
    }
    done: set[str] = set()
    problems: list[Problem] = []
    for root in competencies:
        if root in done:
            continue
        path = [root]  # the competencies being visited, each needing the next
        position = {root: 0}
        pending = [iter(competencies[root].prerequisites)]
        while pending:
            nxt = next(pending[-1], None)
            if nxt is None:
                pending.pop()
                done.add(path[-1])
                del position[path.pop()]
            elif nxt in position:
                problems.append(Problem(where[path[-1]],
                                        _cycle_message(path, position[nxt])))
            elif nxt in competencies and nxt not in done:
                position[nxt] = len(path)
                path.append(nxt)
                pending.append(iter(competencies[nxt].prerequisites))
    return problems


def _cycle_message(path: list[str], start: int) -> str:
    """``a -> b -> a`` for the cycle ``path[start:]``; a long one is cut to its ends, so the
    message stays one short line and costs the same for a cycle of 3 or of 3,000."""
    length = len(path) - start
    if length <= 8:
        return "prerequisite cycle: " + " -> ".join([*path[start:], path[start]])
    ends = [*path[start:start + 3], "...", *path[-2:], path[start]]
    return f"prerequisite cycle of {length:,} competencies: " + " -> ".join(ends)
