"""Assemble a framework from its parts in file order, reporting every problem by path.

Structure (types, required fields) is checked by the file reader; this module checks what
only the whole framework can tell: duplicate ids, references to nothing, mastery outside a
scale, and cycles among competency prerequisites.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trellis.errors import Problem

from .framework import Competency, Framework, Level, Role, SkillBand, Track


@dataclass(frozen=True, slots=True)
class BandDraft:
    """A skill band as written in a file: it holds its competencies inline."""

    id: str
    name: str
    competencies: Sequence[Competency]
    description: str = ""


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
) -> tuple[Framework | None, list[Problem]]:
    problems: list[Problem] = []

    def unique(items: Sequence[object], section: str, seen: set[str] | None = None) -> set[str]:
        seen = set() if seen is None else seen
        for i, item in enumerate(items):
            item_id = item.id  # type: ignore[attr-defined]
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

    for r, role in enumerate(roles):
        path = f"roles[{r}]"
        if role.track not in track_ids:
            problems.append(Problem(f"{path}.track", f"unknown track '{role.track}'"))
        if role.level not in level_ids:
            problems.append(Problem(f"{path}.level", f"unknown level '{role.level}'"))
        for comp_id, mastery in role.expects.items():
            comp = competencies.get(comp_id)
            if comp is None:
                problems.append(
                    Problem(f"{path}.expects.{comp_id}", f"unknown competency '{comp_id}'")
                )
            elif not 0 <= mastery <= comp.scale.max:
                problems.append(
                    Problem(
                        f"{path}.expects.{comp_id}",
                        f"mastery {mastery} is outside the 0-{comp.scale.max} scale",
                    )
                )
        band = role.pay_band
        if band is not None and not band.min <= band.mid <= band.max:
            problems.append(Problem(f"{path}.pay_band", "pay band needs min <= mid <= max"))
    if not roles:
        problems.append(Problem("roles", "a framework needs at least one role"))
    if not levels:
        problems.append(Problem("levels", "a framework needs at least one level"))
    if problems:
        return None, problems

    framework = Framework(
        key=key,
        name=name,
        description=description,
        currency=currency,
        attribution=attribution,
        tracks={t.id: t for t in tracks},
        levels={lv.id: Level(lv.id, lv.name, rank, lv.description) for rank, lv in
                enumerate(levels, start=1)},
        bands={
            b.id: SkillBand(b.id, b.name, tuple(c.id for c in b.competencies), b.description)
            for b in bands
        },
        competencies=competencies,
        roles={r.id: r for r in roles},
    )
    return framework, []


def _prerequisite_cycles(
    bands: Sequence[BandDraft], competencies: dict[str, Competency]
) -> list[Problem]:
    """Report each competency that sits on a prerequisite cycle, with the cycle spelled out."""
    where = {
        c.id: f"skill_bands[{b}].competencies[{i}].prerequisites"
        for b, band in enumerate(bands)
        for i, c in enumerate(band.competencies)
    }
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    stack: list[str] = []
    problems: list[Problem] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in competencies[node].prerequisites:
            if nxt not in competencies:
                continue
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                problems.append(
                    Problem(where[node], "prerequisite cycle: " + " -> ".join(cycle))
                )
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for comp_id in competencies:
        if comp_id not in state:
            visit(comp_id)
    return problems
