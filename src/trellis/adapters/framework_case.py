"""Criteria frameworks as 1EdTech CASE 1.1 JSON: a CFPackage of CFDocument, CFItems and
CFAssociations, so a framework can go to (and come from) other tools.

    Trellis            CASE
    framework          CFDocument: title = name, description, notes = attribution,
                       extensions.trellis = {id, criteria: the criteria policy}
    track              CFItem "Track", isChildOf the CFDocument
    level              CFItem "Level", isChildOf the CFDocument, listEnumeration = its rank
                       (1 = lowest); each level ``precedes`` the next one up
    role               CFItem "Role", isChildOf its track, hasSkillLevel its level
    topic              CFItem "Topic", isChildOf the CFDocument, isPartOf each of its tracks
                       (none: a generic topic)
    criterion          CFItem "Criterion", isChildOf its topic, hasSkillLevel its level,
                       extensions.trellis.proficiency when it has its own
    example            CFItem "Example", isChildOf its criterion

Every item's ``humanCodingScheme`` is its id (an example's: ``<criterion>.example.<n>``),
``fullStatement`` its name or text, ``notes`` its description; ``sequenceNumber`` on
isChildOf and isPartOf keeps the framework's order. Identifiers are UUIDs (version 5) of
the framework id and the item's kind and id, so exporting twice gives the same file and
tools that follow an item across versions keep following it. What CASE does not carry
here (skill bands and competencies, pay bands, role expectations, points, lattice
settings) is not exported; ``import-case`` builds a framework of what it reads.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError

from trellis.adapters.criteria_documents import (
    Locate,
    checked,
    default_roles,
    is_id,
    refused,
    slug,
)
from trellis.adapters.framework_files import (  # the framework files' reading rules, shared
    _decoded,
    _dotted,
    _line_of,
    _message,
    _read_yaml,
)
from trellis.domain.events import shown
from trellis.domain.framework import Framework
from trellis.domain.limits import FRAMEWORK_FILE_MAX
from trellis.errors import FrameworkInvalid, Problem

CASE_VERSION = "1.1"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://trellis.invalid/case")  # never changes
KINDS = ("Track", "Level", "Role", "Topic", "Criterion", "Example")
CHILD_OF, PART_OF, SKILL_LEVEL, PRECEDES = "isChildOf", "isPartOf", "hasSkillLevel", "precedes"
READ_ASSOCIATIONS = (CHILD_OF, PART_OF, SKILL_LEVEL, PRECEDES)  # others are left alone
EXTENSION = "trellis"
# A framework document's field, as the CASE field that holds it.
_CASE_FIELD = {"id": "humanCodingScheme", "name": "fullStatement", "title": "fullStatement",
               "text": "fullStatement", "description": "notes", "examples": "fullStatement"}
_DOCUMENT_FIELD = {"id": f"extensions.{EXTENSION}.id", "name": "title",
                   "attribution": "notes", "criteria": f"extensions.{EXTENSION}.criteria"}


# --- writing


def case_package(document: Mapping[str, Any], changed: datetime) -> dict[str, Any]:
    """A framework document as a CASE 1.1 CFPackage; ``changed`` is every entity's
    lastChangeDateTime (a framework version's load time: the same version, the same file)."""
    return _Writer(document, changed).package()


class _Writer:
    def __init__(self, document: Mapping[str, Any], changed: datetime) -> None:
        self.document = document
        self.root = uuid.uuid5(NAMESPACE, str(document["id"]))
        moment = changed if changed.tzinfo else changed.replace(tzinfo=UTC)
        self.when = moment.astimezone(UTC).isoformat(timespec="seconds")
        self.doc_link = self._link(self.root, str(document["name"]))
        self.items: list[dict[str, Any]] = []
        self.associations: list[dict[str, Any]] = []

    def package(self) -> dict[str, Any]:
        d = self.document
        extension: dict[str, Any] = {"id": d["id"]}
        if d.get("criteria"):
            extension["criteria"] = d["criteria"]
        cf_document: dict[str, Any] = {
            "identifier": str(self.root), "uri": _uri(self.root), "creator": "Trellis",
            "title": d["name"], "lastChangeDateTime": self.when,
            "caseVersion": CASE_VERSION, "frameworkType": "career progression framework",
        }
        if d.get("description"):
            cf_document["description"] = d["description"]
        if d.get("attribution"):
            cf_document["notes"] = d["attribution"]
        cf_document["extensions"] = {EXTENSION: extension}
        tracks = {t["id"]: self._item("Track", t["id"], t["name"], t.get("description"),
                                      {"role_type": t["role_type"]} if "role_type" in t
                                      else None) for t in d.get("tracks", [])}
        for n, track in enumerate(tracks.values(), start=1):
            self._associate(CHILD_OF, track, self.doc_link, n)
        levels: dict[str, dict[str, Any]] = {}
        for n, level in enumerate(d.get("levels", []), start=1):
            levels[level["id"]] = link = self._item("Level", level["id"], level["name"],
                                                    level.get("description"), None, str(n))
            self._associate(CHILD_OF, link, self.doc_link, n)
        chain = list(levels.values())
        for lower, higher in itertools.pairwise(chain):
            self._associate(PRECEDES, lower, higher)
        for n, role in enumerate(d.get("roles", []), start=1):
            link = self._item("Role", role["id"], role["title"], role.get("description"))
            self._associate(CHILD_OF, link, tracks[role["track"]], n)
            self._associate(SKILL_LEVEL, link, levels[role["level"]])
        for n, topic in enumerate(d.get("topics", []), start=1):
            link = self._item("Topic", topic["id"], topic["name"], topic.get("description"))
            self._associate(CHILD_OF, link, self.doc_link, n)
            for m, track_id in enumerate(topic.get("tracks", []), start=1):
                self._associate(PART_OF, link, tracks[track_id], m)
            for m, criterion in enumerate(topic.get("criteria", []), start=1):
                self._criterion(criterion, link, m, levels)
        return {"CFDocument": cf_document, "CFItems": self.items,
                "CFAssociations": self.associations}

    def _criterion(self, criterion: Mapping[str, Any], topic: dict[str, Any], n: int,
                   levels: Mapping[str, dict[str, Any]]) -> None:
        proficiency = criterion.get("proficiency")
        link = self._item("Criterion", criterion["id"], criterion["text"], None,
                          None if proficiency is None else {"proficiency": proficiency})
        self._associate(CHILD_OF, link, topic, n)
        self._associate(SKILL_LEVEL, link, levels[criterion["level"]])
        for m, example in enumerate(criterion.get("examples", []), start=1):
            code = f"{criterion['id']}.example.{m}"
            self._associate(CHILD_OF, self._item("Example", code, example), link, m)

    def _item(self, kind: str, code: str, statement: str, notes: str | None = None,
              extension: dict[str, Any] | None = None, rank: str | None = None
              ) -> dict[str, Any]:
        identifier = uuid.uuid5(self.root, f"{kind}:{code}")
        item: dict[str, Any] = {
            "identifier": str(identifier), "uri": _uri(identifier), "fullStatement": statement,
            "humanCodingScheme": code, "CFItemType": kind, "lastChangeDateTime": self.when,
            "CFDocumentURI": self.doc_link,
        }
        if rank is not None:
            item["listEnumeration"] = rank
        if notes:
            item["notes"] = notes
        if extension:
            item["extensions"] = {EXTENSION: extension}
        self.items.append(item)
        return self._link(identifier, code)

    def _associate(self, kind: str, origin: dict[str, Any], destination: dict[str, Any],
                   sequence: int | None = None) -> None:
        identifier = uuid.uuid5(self.root, f"{kind}:{origin['identifier']}:"
                                f"{destination['identifier']}")
        association: dict[str, Any] = {
            "identifier": str(identifier), "uri": _uri(identifier), "associationType": kind,
            "originNodeURI": origin, "destinationNodeURI": destination,
            "lastChangeDateTime": self.when, "CFDocumentURI": self.doc_link,
        }
        if sequence is not None:
            association["sequenceNumber"] = sequence
        self.associations.append(association)

    @staticmethod
    def _link(identifier: uuid.UUID, title: str) -> dict[str, Any]:
        return {"title": title, "identifier": str(identifier), "uri": _uri(identifier)}


def _uri(identifier: uuid.UUID) -> str:
    return f"urn:uuid:{identifier}"


def case_text(document: Mapping[str, Any], changed: datetime) -> str:
    return json.dumps(case_package(document, changed), indent=2, ensure_ascii=False) + "\n"


# --- reading: the fields Trellis uses; a CASE file holds many more, which are left alone


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Link(_Loose):
    identifier: StrictStr


class _Item(_Loose):  # CASE's field names, as they are
    identifier: StrictStr
    fullStatement: StrictStr
    CFItemType: StrictStr | None = None
    humanCodingScheme: StrictStr | None = None
    notes: StrictStr | None = None
    extensions: dict[str, Any] | None = None


class _Association(_Loose):
    associationType: StrictStr
    originNodeURI: _Link
    destinationNodeURI: _Link
    sequenceNumber: StrictInt | None = None


class _Document(_Loose):
    identifier: StrictStr
    title: StrictStr
    description: StrictStr | None = None
    notes: StrictStr | None = None
    extensions: dict[str, Any] | None = None


class _Package(_Loose):
    CFDocument: _Document
    CFItems: list[_Item] = []
    CFAssociations: list[_Association] = []


def read_case_file(path: Path) -> tuple[Framework, dict[str, Any]]:
    """A CASE JSON file as a checked framework and its document."""
    try:
        with path.open("rb") as handle:
            data = handle.read(FRAMEWORK_FILE_MAX + 1)
    except OSError as exc:
        raise refused([Problem("", f"cannot read file: {exc.strerror or exc}", None,
                               str(path))], str(path)) from None
    document, locate = document_from_case(data, str(path))
    return checked(document, str(path), locate)


def document_from_case(data: bytes, source: str = "<case>") -> tuple[dict[str, Any], Locate]:
    """A framework document from CASE JSON bytes, and where each of its paths came from.
    Raises FrameworkInvalid, each problem with the line of the JSON it is about."""
    text = _decoded(data, source)  # size, UTF-8 and byte-order marks as for framework files
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _invalid([Problem("", f"not JSON: {exc.msg}", exc.lineno, source)]) from None
    except RecursionError:
        raise _invalid([Problem("", "not readable: objects and lists nest too deep", None,
                                source)]) from None
    lines: list[dict[str, int]] = []  # the line index, made once a problem needs a line

    def at(path: str) -> int | None:
        if not lines:
            lines.append(_lines(text, source))  # slow (YAML): only for a refused file
        return _line_of(lines[0], path) if lines[0] else None

    if not isinstance(raw, dict):
        raise _invalid([Problem("", "expected a CASE package: a JSON object with CFDocument, "
                                "CFItems and CFAssociations", 1, source)])
    try:
        package = _Package.model_validate(raw)
    except ValidationError as exc:
        raise _invalid([Problem(_dotted(e["loc"]), _message(e), at(_dotted(e["loc"])), source)
                        for e in exc.errors()]) from None
    return _Reader(package, source, at).document()


def _lines(text: str, source: str) -> dict[str, int]:
    """The line of each path of the JSON (JSON is YAML), or none when YAML cannot read it."""
    try:
        return _read_yaml(text.encode(), source)[1]
    except FrameworkInvalid:
        return {}


class _Reader:
    def __init__(self, package: _Package, source: str, at: Any) -> None:
        self.package, self.source, self.at = package, source, at
        self.problems: list[Problem] = []
        self.root = package.CFDocument.identifier
        self.index: dict[str, int] = {}  # item identifier -> its place in CFItems
        self.kind: dict[str, str] = {}
        for i, item in enumerate(package.CFItems):
            if item.identifier in self.index or item.identifier == self.root:
                self._problem(f"CFItems[{i}].identifier", f"identifier {shown(item.identifier)} "
                              "is used twice")
            self.index.setdefault(item.identifier, i)
            kind = next((k for k in KINDS if k.casefold() == (item.CFItemType or "").casefold()),
                        None)
            if kind is None:
                what = (f"{shown(item.CFItemType)} is not a kind" if item.CFItemType
                        else "missing: give the item's kind, one of the kinds")
                self._problem(f"CFItems[{i}].CFItemType", f"{what} Trellis reads: "
                              f"{', '.join(KINDS)}")

            else:
                self.kind[item.identifier] = kind
        # origin -> [(destination, sequence, association index)] per association type
        self.links: dict[str, dict[str, list[tuple[str, int, int]]]] = {
            t: {} for t in READ_ASSOCIATIONS}
        for a, association in enumerate(package.CFAssociations):
            if association.associationType not in READ_ASSOCIATIONS:
                continue
            ends = (association.originNodeURI.identifier,
                    association.destinationNodeURI.identifier)
            for end, name in zip(ends, ("originNodeURI", "destinationNodeURI"), strict=True):
                if end != self.root and end not in self.index:
                    self._problem(f"CFAssociations[{a}].{name}", f"points to {shown(end)}, "
                                  "which is neither the CFDocument nor a CFItem of this file")
            self.links[association.associationType].setdefault(ends[0], []).append(
                (ends[1], association.sequenceNumber or 0, a))
        self.children: dict[str, list[tuple[int, int]]] = {}  # parent -> (sequence, item)
        for origin, parents in self.links[CHILD_OF].items():
            for parent, sequence, _ in parents:
                if origin in self.index:
                    self.children.setdefault(parent, []).append((sequence, self.index[origin]))
        self._refuse_cycles()

    def _problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message, self.at(path), self.source))

    def _refuse_cycles(self) -> None:
        """An item that is its own ancestor through isChildOf: reported once per cycle."""
        parents = self.links[CHILD_OF]
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        for start in parents:
            if state.get(start):
                continue
            path: list[str] = [start]
            stack: list[Iterator[tuple[str, int, int]]] = [iter(parents.get(start, []))]
            state[start] = 1
            while stack:
                step = next(stack[-1], None)
                if step is None:
                    state[path.pop()] = 2
                    stack.pop()
                    continue
                parent, _, a = step
                if state.get(parent) == 1:
                    loop = [*path[path.index(parent):], parent]
                    codes = " -> ".join(self._code(n) for n in loop)
                    self._problem(f"CFAssociations[{a}]", f"isChildOf associations form a cycle: "
                                  f"{codes}")
                elif not state.get(parent):
                    state[parent] = 1
                    path.append(parent)
                    stack.append(iter(parents.get(parent, [])))

    def _code(self, identifier: str) -> str:
        i = self.index.get(identifier)
        item = self.package.CFItems[i] if i is not None else None
        return (item.humanCodingScheme or identifier) if item else identifier

    def _of_kind(self, kind: str, parent: str | None = None) -> list[tuple[int, _Item]]:
        """Items of a kind (under ``parent`` through isChildOf), in sequence order."""
        if parent is None:
            found = [(self.links[CHILD_OF].get(item.identifier, [("", 0, 0)])[0][1], i, item)
                     for i, item in enumerate(self.package.CFItems)
                     if self.kind.get(item.identifier) == kind]
        else:
            found = [(sequence, i, self.package.CFItems[i])
                     for sequence, i in self.children.get(parent, [])
                     if self.kind.get(self.package.CFItems[i].identifier) == kind]
        return [(i, item) for _, i, item in sorted(found, key=lambda f: (f[0], f[1]))]

    def _one(self, kind: str, i: int, item: _Item, association: str, target: str) -> str | None:
        """The one item of kind ``target`` the item points to through ``association``."""
        ends = [end for end, _, _ in self.links[association].get(item.identifier, [])
                if self.kind.get(end) == target]
        if len(ends) != 1:
            how = "none" if not ends else f"{len(ends)}"
            self._problem(f"CFItems[{i}]", f"{kind} {shown(self._code(item.identifier))} needs one "
                          f"{association} association to a {target} item, and has {how}")
            return None
        return self._code(ends[0])

    def _coded(self, i: int, item: _Item) -> str:
        if not item.humanCodingScheme:
            self._problem(f"CFItems[{i}].humanCodingScheme", "missing: Trellis takes it as the "
                          "item's id")
        return item.humanCodingScheme or ""

    def document(self) -> tuple[dict[str, Any], Locate]:
        if self.problems:
            raise _invalid(self.problems)
        cf = self.package.CFDocument
        extension = _extension(cf.extensions)
        framework_id = extension.get("id")
        if not isinstance(framework_id, str) or not is_id(framework_id):
            framework_id = slug(cf.title, "framework")
        places: dict[str, int] = {}  # document path -> index in CFItems
        document: dict[str, Any] = {"id": framework_id, "name": cf.title}
        if cf.description:
            document["description"] = cf.description
        if cf.notes:
            document["attribution"] = cf.notes
        tracks: list[dict[str, Any]] = []
        for i, item in self._of_kind("Track"):
            places[f"tracks[{len(tracks)}]"] = i
            track = _named(self._coded(i, item), item, "name")
            role_type = _extension(item.extensions).get("role_type")
            if role_type is not None:
                track["role_type"] = role_type
            tracks.append(track)
        if not tracks:
            tracks = [{"id": framework_id, "name": cf.title}]
        levels: list[dict[str, Any]] = []
        for i, item in self._levels():
            places[f"levels[{len(levels)}]"] = i
            levels.append(_named(self._coded(i, item), item, "name"))
        topics = [self._topic(i, item, t, places)
                  for t, (i, item) in enumerate(self._of_kind("Topic"))]
        self._refuse_orphans()
        roles: list[dict[str, Any]] = []
        for i, item in self._of_kind("Role"):
            places[f"roles[{len(roles)}]"] = i
            role = {"id": self._coded(i, item),
                    "track": self._code(self._parent(i, item, "Track") or ""),
                    "level": self._one("Role", i, item, SKILL_LEVEL, "Level"),
                    "title": item.fullStatement}
            if item.notes:
                role["description"] = item.notes
            roles.append(role)
        if self.problems:
            raise _invalid(self.problems)
        document.update({"tracks": tracks, "levels": levels})
        if extension.get("criteria") is not None:
            document["criteria"] = extension["criteria"]
        document["topics"] = topics
        document["roles"] = roles or default_roles(tracks, levels)
        return document, self._locator(places)

    def _parent(self, i: int, item: _Item, kind: str) -> str | None:
        ups = [up for up, _, _ in self.links[CHILD_OF].get(item.identifier, [])
               if self.kind.get(up) == kind]
        if len(ups) != 1:
            self._problem(f"CFItems[{i}]", f"{self.kind[item.identifier]} "
                          f"{shown(self._code(item.identifier))} needs one isChildOf "
                          f"association to a {kind} item, and has {len(ups) or 'none'}")
            return None
        return ups[0]

    def _levels(self) -> list[tuple[int, _Item]]:
        """Levels lowest first: along their ``precedes`` chain, or in sequence order."""
        levels = self._of_kind("Level")
        successor = {origin: ends[0][0] for origin, ends in self.links[PRECEDES].items()
                     if self.kind.get(origin) == "Level" and ends}
        if not successor:
            return levels
        by_id = {item.identifier: (i, item) for i, item in levels}
        preceded = set(successor.values())
        starts = [ident for ident in by_id if ident not in preceded]
        chain: list[str] = []
        current = starts[0] if len(starts) == 1 else None
        while current is not None and current not in chain:
            chain.append(current)
            current = successor.get(current)
        if len(chain) != len(by_id) or any(len(e) > 1 for e in self.links[PRECEDES].values()):
            self._problem("CFAssociations", "the levels' precedes associations must chain "
                          "every level once, lowest first")
            return levels
        return [by_id[ident] for ident in chain]

    def _topic(self, i: int, item: _Item, t: int, places: dict[str, int]) -> dict[str, Any]:
        places[f"topics[{t}]"] = i
        topic = _named(self._coded(i, item), item, "name")
        parts = sorted(self.links[PART_OF].get(item.identifier, []), key=lambda p: p[1])
        tracks = [self._code(end) for end, _, _ in parts if self.kind.get(end) == "Track"]
        if tracks:
            topic["tracks"] = tracks
        criteria = []
        for c, (j, criterion) in enumerate(self._of_kind("Criterion", item.identifier)):
            places[f"topics[{t}].criteria[{c}]"] = j
            entry: dict[str, Any] = {"id": self._coded(j, criterion),
                                     "level": self._one("Criterion", j, criterion, SKILL_LEVEL,
                                                        "Level"),
                                     "text": criterion.fullStatement}
            examples = self._of_kind("Example", criterion.identifier)
            for e, (k, _) in enumerate(examples):
                places[f"topics[{t}].criteria[{c}].examples[{e}]"] = k
            if examples:
                entry["examples"] = [example.fullStatement for _, example in examples]
            proficiency = _extension(criterion.extensions).get("proficiency")
            if proficiency is not None:
                entry["proficiency"] = proficiency
            criteria.append(entry)
        topic["criteria"] = criteria
        return topic

    def _refuse_orphans(self) -> None:
        """A criterion outside one topic, or an example outside one criterion, would be
        lost: refused instead."""
        for kind, parent in (("Criterion", "Topic"), ("Example", "Criterion")):
            for i, item in self._of_kind(kind):
                ups = [up for up, _, _ in self.links[CHILD_OF].get(item.identifier, [])
                       if self.kind.get(up) == parent]
                if len(ups) != 1:
                    self._problem(f"CFItems[{i}]", f"{kind} {shown(self._code(item.identifier))} "
                                  f"needs one isChildOf association to a {parent} item, and "
                                  f"has {len(ups) or 'none'}")

    def _locator(self, places: dict[str, int]) -> Locate:
        def locate(path: str) -> tuple[int | None, str]:
            prefix = path
            while prefix:
                if prefix in places:
                    rest = path[len(prefix):].lstrip(".").split(".")[0].split("[")[0]
                    where = f"CFItems[{places[prefix]}]"
                    where += f".{_CASE_FIELD.get(rest, rest)}" if rest else ""
                    return self.at(where), where
                cut = max(prefix.rfind("."), prefix.rfind("["))
                prefix = prefix[:cut] if cut > 0 else ""
            head = path.split(".")[0].split("[")[0]
            where = f"CFDocument.{_DOCUMENT_FIELD.get(head, head)}"
            return self.at(where), where

        return locate


def _named(code: str, item: _Item, label: str) -> dict[str, Any]:
    found: dict[str, Any] = {"id": code, label: item.fullStatement}
    if item.notes:
        found["description"] = item.notes
    return found


def _extension(extensions: dict[str, Any] | None) -> dict[str, Any]:
    found = (extensions or {}).get(EXTENSION)
    return found if isinstance(found, dict) else {}


def _invalid(problems: list[Problem]) -> FrameworkInvalid:
    source = problems[0].source if problems else None
    return refused(sorted(problems, key=lambda p: p.line or 0), source)
