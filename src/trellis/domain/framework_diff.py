"""What changed between two versions of a framework, and where evidence goes.

A new version names, on each competency, topic and criterion it keeps under another id,
the ids of the previous version it ``replaces``: one old id in one item is a rename,
several old ids in one item a merge, one old id in several items a split. An old item
neither kept (same id) nor replaced is retired: its evidence stays in the history, folded
with the version it was recorded under, but nothing carries it forward.

``evidence_map`` is that mapping for the two kinds of item evidence is recorded on
(competencies: skill steps; criteria: demonstrated and assessed events); services.frameworks
carries evidence along it when a version is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trellis.errors import Problem

from .framework import Framework


class Item(StrEnum):
    TRACK = "track"
    LEVEL = "level"
    ROLE = "role"
    BAND = "skill band"
    COMPETENCY = "competency"
    TOPIC = "topic"
    CRITERION = "criterion"


class ChangeKind(StrEnum):
    ADDED = "added"
    RETIRED = "retired"  # removed, nothing replaces it
    RENAMED = "renamed"
    SPLIT = "split"
    MERGED = "merged"
    CHANGED = "changed"  # same id, other text, level, title, ...


@dataclass(frozen=True, slots=True)
class Change:
    """One change: ``old`` ids became ``new`` ids (one side empty for added or retired);
    ``fields`` names what else differs (``name``, ``text``, ``level``, ``title``, ...)."""

    kind: ChangeKind
    item: Item
    old: tuple[str, ...]
    new: tuple[str, ...]
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        what = self.item.value
        old, new = ", ".join(self.old), ", ".join(self.new)
        more = f" ({', '.join(self.fields)} changed)" if self.fields else ""
        match self.kind:
            case ChangeKind.ADDED:
                return f"{what} {new} added"
            case ChangeKind.RETIRED:
                return f"{what} {old} retired (nothing replaces it)"
            case ChangeKind.RENAMED:
                return f"{what} {old} renamed to {new}{more}"
            case ChangeKind.SPLIT:
                return f"{what} {old} split into {new}"
            case ChangeKind.MERGED:
                return f"{what} {old} merged into {new}"
            case _:
                return f"{what} {new}: {', '.join(self.fields)} changed"


@dataclass(frozen=True, slots=True)
class EvidenceMap:
    """Where the evidence on each old item goes: ``targets[old]`` the new items replacing
    it; ``retired`` the old items with evidence going nowhere."""

    targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    retired: frozenset[str] = frozenset()

    def sources(self, new: str) -> tuple[str, ...]:
        return tuple(old for old, news in self.targets.items() if new in news)

    @property
    def new_items(self) -> list[str]:
        return list(dict.fromkeys(n for news in self.targets.values() for n in news))


@dataclass(frozen=True, slots=True)
class FrameworkDiff:
    old_key: str
    new_key: str
    changes: tuple[Change, ...]
    competencies: EvidenceMap
    criteria: EvidenceMap

    def of_kind(self, kind: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind is kind]

    @property
    def carries(self) -> bool:
        return bool(self.competencies.targets or self.criteria.targets)


# --- the items of each kind a framework holds, with what a diff compares and where they are

_Fields = dict[str, Any]


def _competencies(fw: Framework) -> Iterator[tuple[str, str, tuple[str, ...], _Fields]]:
    for b, band in enumerate(fw.bands.values()):
        for i, comp_id in enumerate(band.competencies):
            c = fw.competencies[comp_id]
            yield (comp_id, f"skill_bands[{b}].competencies[{i}]", c.replaces,
                   {"name": c.name, "description": c.description, "band": c.band,
                    "scale": c.scale.max, "prerequisites": c.prerequisites})


def _topics(fw: Framework) -> Iterator[tuple[str, str, tuple[str, ...], _Fields]]:
    for t, topic in enumerate(fw.topics.values()):
        yield (topic.id, f"topics[{t}]", topic.replaces,
               {"name": topic.name, "description": topic.description,
                "tracks": topic.tracks})


def _criteria(fw: Framework) -> Iterator[tuple[str, str, tuple[str, ...], _Fields]]:
    for t, topic in enumerate(fw.topics.values()):
        for i, crit_id in enumerate(topic.criteria):
            c = fw.criteria[crit_id]
            yield (crit_id, f"topics[{t}].criteria[{i}]", c.replaces,
                   {"text": c.text, "level": c.level, "topic": c.topic,
                    "examples": c.examples, "proficiency": c.proficiency})


def _plain(fw: Framework, item: Item) -> dict[str, _Fields]:
    """Items without ``replaces``: compared by id only."""
    if item is Item.TRACK:
        return {t.id: {"name": t.name, "role_type": t.role_type.value,
                       "description": t.description} for t in fw.tracks.values()}
    if item is Item.LEVEL:
        return {lv.id: {"name": lv.name, "rank": lv.rank, "description": lv.description,
                        "min_months": lv.min_months} for lv in fw.levels.values()}
    if item is Item.BAND:
        return {b.id: {"name": b.name, "description": b.description,
                       "levels": b.levels} for b in fw.bands.values()}
    return {r.id: {"title": r.title, "track": r.track, "level": r.level,
                   "description": r.description, "pay_band": r.pay_band,
                   "expects": dict(r.expects), "must_have": r.must_have,
                   "band_levels": dict(r.band_levels)}
            for r in fw.roles.values()}


_REPLACEABLE = ((Item.COMPETENCY, _competencies), (Item.TOPIC, _topics),
                (Item.CRITERION, _criteria))


def replaces_problems(old: Framework | None, new: Framework,
                      previous: str = "the previous version") -> list[Problem]:
    """Each ``replaces`` of ``new`` naming an id the previous version lacks, located by its
    path in the new file. With no previous version, every ``replaces`` points nowhere."""
    problems = []
    for item, items in _REPLACEABLE:
        known = {i[0] for i in items(old)} if old is not None else set()
        for _, path, replaces, _ in items(new):
            for r, gone in enumerate(replaces):
                if gone in known:
                    continue
                why = (f"is not one of the {_plural(item)} of {previous}" if old is not None
                       else f"points nowhere: no version of '{new.key}' is loaded yet")
                problems.append(Problem(f"{path}.replaces[{r}]", f"'{gone}' {why}"))
    return problems


def _plural(item: Item) -> str:
    return "criteria" if item is Item.CRITERION else (
        "competencies" if item is Item.COMPETENCY else f"{item.value}s")


def diff_frameworks(old: Framework, new: Framework) -> FrameworkDiff:
    """Every change from ``old`` to ``new``, in the order of the new file (call
    ``replaces_problems`` first: a ``replaces`` pointing nowhere is ignored here)."""
    changes: list[Change] = []
    maps: dict[Item, EvidenceMap] = {}
    for item in (Item.TRACK, Item.LEVEL, Item.BAND, Item.ROLE):
        changes.extend(_plain_changes(item, _plain(old, item), _plain(new, item)))
    for item, items in _REPLACEABLE:
        found, evidence = _replaceable_changes(item, list(items(old)), list(items(new)))
        changes.extend(found)
        maps[item] = evidence
    return FrameworkDiff(old.key, new.key, tuple(changes), maps[Item.COMPETENCY],
                         maps[Item.CRITERION])


def _differs(a: _Fields, b: _Fields) -> tuple[str, ...]:
    return tuple(k for k in b if a.get(k) != b[k])


def _plain_changes(item: Item, old: dict[str, _Fields], new: dict[str, _Fields]
                   ) -> list[Change]:
    out = [Change(ChangeKind.ADDED, item, (), (i,)) for i in new if i not in old]
    out += [Change(ChangeKind.RETIRED, item, (i,), ()) for i in old if i not in new]
    for i, fields in new.items():
        if i in old and (differ := _differs(old[i], fields)):
            out.append(Change(ChangeKind.CHANGED, item, (i,), (i,), differ))
    return out


def _replaceable_changes(item: Item, old: list[tuple[str, str, tuple[str, ...], _Fields]],
                         new: list[tuple[str, str, tuple[str, ...], _Fields]]
                         ) -> tuple[list[Change], EvidenceMap]:
    old_fields = {i[0]: i[3] for i in old}
    new_fields = {i[0]: i[3] for i in new}
    # only ids of the previous version count (replaces_problems reports the others)
    replaces = {i[0]: tuple(o for o in i[2] if o in old_fields) for i in new}
    targets: dict[str, list[str]] = {}
    for new_id, olds in replaces.items():
        for o in olds:
            targets.setdefault(o, []).append(new_id)

    def kept_as(o: str) -> list[str]:  # every new item holding o's evidence, o itself too
        return ([o] if o in new_fields else []) + targets.get(o, [])

    def drawn_from(n: str) -> list[str]:  # every old item n's evidence comes from
        return ([n] if n in old_fields else []) + list(replaces[n])

    out: list[Change] = []
    for new_id, olds in replaces.items():
        if new_id not in old_fields and not olds:
            out.append(Change(ChangeKind.ADDED, item, (), (new_id,)))
        elif len(drawn_from(new_id)) > 1:
            out.append(Change(ChangeKind.MERGED, item, tuple(drawn_from(new_id)), (new_id,)))
        elif olds and len(kept_as(olds[0])) == 1:
            out.append(Change(ChangeKind.RENAMED, item, olds, (new_id,),
                              _differs(old_fields[olds[0]], new_fields[new_id])))
        if new_id in old_fields and (differ := _differs(old_fields[new_id],
                                                        new_fields[new_id])):
            out.append(Change(ChangeKind.CHANGED, item, (new_id,), (new_id,), differ))
    for o in old_fields:
        if len(kept_as(o)) > 1:
            out.append(Change(ChangeKind.SPLIT, item, (o,), tuple(kept_as(o))))
        elif not kept_as(o):
            out.append(Change(ChangeKind.RETIRED, item, (o,), ()))
    retired = frozenset(o for o in old_fields if not kept_as(o))
    return out, EvidenceMap({o: tuple(ns) for o, ns in targets.items()}, retired)
